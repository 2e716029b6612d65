package firewall

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"testing"

	"github.com/gostack/gostack/internal/network/agent/state"
)

func TestConvert(t *testing.T) {
	pfx := netip.MustParsePrefix
	for _, tc := range []struct {
		name string
		in   state.Rule
		want rule
		ok   bool
	}{
		{"any", state.Rule{Direction: "egress", Ethertype: "IPv4", Protocol: -1}, rule{proto: -1}, true},
		{"tcp range", state.Rule{Direction: "ingress", Ethertype: "IPv4", Protocol: 6, PortMin: 80, PortMax: 90},
			rule{ingress: true, proto: 6, min: 80, max: 90}, true},
		{"udp one port", state.Rule{Direction: "ingress", Ethertype: "IPv4", Protocol: 17, PortMin: 53},
			rule{ingress: true, proto: 17, min: 53, max: 53}, true},
		{"ports ignored without a port protocol", state.Rule{Direction: "ingress", Ethertype: "IPv4", Protocol: 47, PortMin: 1, PortMax: 2},
			rule{ingress: true, proto: 47}, true},
		{"icmp any", state.Rule{Direction: "ingress", Ethertype: "IPv4", Protocol: 1, PortMin: state.Any, PortMax: state.Any}, rule{ingress: true, proto: 1, min: -1, max: -1}, true},
		{"icmp type and code", state.Rule{Direction: "ingress", Ethertype: "IPv4", Protocol: 1, PortMin: 3, PortMax: 4},
			rule{ingress: true, proto: 1, min: 3, max: 4}, true},
		{"icmp echo reply (type 0)", state.Rule{Direction: "ingress", Ethertype: "IPv4", Protocol: 1, PortMin: 0, PortMax: state.Any},
			rule{ingress: true, proto: 1, min: 0, max: -1}, true},
		{"icmp in IPv6 is ICMPv6", state.Rule{Direction: "ingress", Ethertype: "IPv6", Protocol: 1, PortMin: 128, PortMax: state.Any},
			rule{ingress: true, v6: true, proto: 58, min: 128, max: -1}, true},
		{"prefix", state.Rule{Direction: "ingress", Ethertype: "IPv4", Protocol: -1, RemotePrefix: pfx("10.1.2.3/16")},
			rule{ingress: true, proto: -1, prefix: pfx("10.1.0.0/16")}, true},
		{"zero prefix is any", state.Rule{Direction: "ingress", Ethertype: "IPv6", Protocol: -1, RemotePrefix: pfx("::/0")},
			rule{ingress: true, v6: true, proto: -1}, true},
		{"prefix of the other family", state.Rule{Direction: "ingress", Ethertype: "IPv6", Protocol: -1, RemotePrefix: pfx("10.0.0.0/8")}, rule{}, false},
		{"bad direction", state.Rule{Direction: "sideways", Ethertype: "IPv4"}, rule{}, false},
		{"bad ethertype", state.Rule{Direction: "ingress", Ethertype: "IPX"}, rule{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := convert(tc.in)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Errorf("convert = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestRanges(t *testing.T) {
	var ps []netip.Prefix
	for _, s := range []string{"10.0.0.5/32", "10.0.0.0/29", "10.0.0.8/32", "10.0.1.0/24", "0.0.0.0/32", "255.255.255.255/32"} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	got := fmt.Sprint(ranges(ps))
	want := "[[0.0.0.0 0.0.0.0] [10.0.0.0 10.0.0.8] [10.0.1.0 10.0.1.255] [255.255.255.255 255.255.255.255]]"
	if got != want {
		t.Errorf("ranges = %s, want %s", got, want)
	}
	// The top range has no interval end.
	if e := intervals(ps); len(e) != 7 || !e[len(e)-2].IntervalEnd || e[len(e)-1].IntervalEnd {
		t.Errorf("intervals = %+v", e)
	}
}

func TestBuild(t *testing.T) {
	mac := net.HardwareAddr{0xfa, 0x16, 0x3e, 0, 0, 1}
	h := &state.Host{
		Ports: map[string]*state.Port{
			"b-port-000000": {ID: "b-port-000000", DeviceOwner: "compute:nova", PortSecurity: true, MAC: mac, Groups: []string{"g1", "missing"},
				IPs:          []state.FixedIP{{IP: netip.MustParseAddr("10.0.0.2")}},
				AddressPairs: []state.AddressPair{{MAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, Prefix: netip.MustParsePrefix("10.0.0.64/26")}}},
			"a-port-000000": {ID: "a-port-000000", DeviceOwner: "compute:nova", PortSecurity: true, MAC: mac, Groups: []string{"g1"}},
			"router-port00": {ID: "router-port00", NetworkID: "other", DeviceOwner: "network:router_interface", PortSecurity: true},
			"nosec-port000": {ID: "nosec-port000", DeviceOwner: "compute:nova", PortSecurity: false},
		},
		Groups: map[string]*state.Group{"g1": {ID: "g1", Stateful: true,
			Members: []netip.Addr{netip.MustParseAddr("10.0.0.3"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("fd00::1"), netip.MustParseAddr("10.0.0.3")},
			Rules: []state.Rule{
				{Direction: "ingress", Ethertype: "IPv4", Protocol: -1, RemoteGroup: "g1"},
				{Direction: "ingress", Ethertype: "IPv4", Protocol: -1, RemoteGroup: "g1"}, // a duplicate
				{Direction: "egress", Ethertype: "IPv4", Protocol: -1},
			}}},
	}
	p, err := build(h)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, pp := range p.ports {
		ids = append(ids, fmt.Sprintf("%s:%d:%d:%v", pp.id, pp.idx, pp.zone, pp.filtered))
	}
	want := []string{"a-port-000000:1:1:true", "b-port-000000:2:1:true", "nosec-port000:3:1:false", "router-port00:4:2:false"}
	if !slices.Equal(ids, want) {
		t.Errorf("ports %v, want %v", ids, want)
	}
	b := p.ports[1]
	if len(b.rules) != 2 || len(b.macs) != 2 || fmt.Sprint(b.src4) != "[10.0.0.2/32 10.0.0.64/26 0.0.0.0/32]" {
		t.Errorf("port b: rules %v macs %v src4 %v", b.rules, b.macs, b.src4)
	}
	if got := fmt.Sprint(p.groups); got != "map[g-g1-4:[10.0.0.2 10.0.0.3]]" {
		t.Errorf("groups %s", got)
	}
	for _, id := range []string{"router-port00", "nosec-port000"} {
		if !p.allow[id]["*"] {
			t.Errorf("%s is filtered", id)
		}
	}
	if n := len(p.allow["b-port-000000"]); n != 4 { // egress any, two members, stateful
		t.Errorf("port b has %d allowances: %v", n, p.allow["b-port-000000"])
	}
	// The same host hashes the same; a member less does not.
	p2, _ := build(h)
	h.Groups["g1"].Members = h.Groups["g1"].Members[:1]
	p3, _ := build(h)
	if p.hash() != p2.hash() || p.hash() == p3.hash() {
		t.Error("hash does not follow the plan")
	}
}
