package firewall

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/gostack/gostack/internal/network/agent/state"
)

// host200 is a host with 200 ports in one group that admits its own
// members, as Neutron's default group does.
func host200() *state.Host {
	h := &state.Host{Ports: map[string]*state.Port{}, Groups: map[string]*state.Group{}}
	g := &state.Group{ID: "default", Stateful: true, Rules: []state.Rule{
		{ID: "e4", Direction: "egress", Ethertype: "IPv4", Protocol: -1},
		{ID: "e6", Direction: "egress", Ethertype: "IPv6", Protocol: -1},
		{ID: "i4", Direction: "ingress", Ethertype: "IPv4", Protocol: -1, RemoteGroup: "default"},
		{ID: "i6", Direction: "ingress", Ethertype: "IPv6", Protocol: -1, RemoteGroup: "default"},
		{ID: "ssh", Direction: "ingress", Ethertype: "IPv4", Protocol: 6, PortMin: 22, PortMax: 22},
	}}
	h.Groups["default"] = g
	for i := range 200 {
		id := fmt.Sprintf("%08x-aaaa-4bbb-8ccc-%012x", i+1, i+1)
		ip := netip.AddrFrom4([4]byte{10, 20, byte(i / 250), byte(i%250 + 2)})
		h.Ports[id] = &state.Port{ID: id, DeviceOwner: "compute:nova", PortSecurity: true, Groups: []string{"default"},
			MAC: net.HardwareAddr{0xfa, 0x16, 0x3e, 0, byte(i >> 8), byte(i)}, IPs: []state.FixedIP{{IP: ip}}}
		g.Members = append(g.Members, ip)
	}
	return h
}

// BenchmarkApply200 applies a rule change to a group shared by 200
// ports (the bar: under a second).
func BenchmarkApply200(b *testing.B) {
	l := newLab(b, 0)
	fw := New(Config{Root: l.root})
	h := host200()
	rule := &h.Groups["default"].Rules[4]
	for i := 0; b.Loop(); i++ {
		rule.PortMin = 1000 + i%2
		rule.PortMax = rule.PortMin
		if err := fw.Apply(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}
