package l2

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

func TestVLANName(t *testing.T) {
	tests := []struct {
		iface string
		vid   int64
		want  string
	}{
		{"eth1", 100, "eth1.100"},
		{"enp0s31f6", 4094, "enp0s31f6.4094"},
		{"enx00e04c680001", 7, "enx00e04c6800.7"},
		{"enx00e04c680001", 4094, "enx00e04c6.4094"},
	}
	for _, tt := range tests {
		if got := vlanName(tt.iface, tt.vid); got != tt.want || len(got) > 15 {
			t.Errorf("vlanName(%q, %d) = %q, want %q", tt.iface, tt.vid, got, tt.want)
		}
	}
}

func TestRelevant(t *testing.T) {
	link := func(name string) netlink.Link {
		return &netlink.Device{LinkAttrs: netlink.LinkAttrs{Name: name}}
	}
	upd := func(typ uint16, name string) netlink.LinkUpdate {
		u := netlink.LinkUpdate{Link: link(name)}
		u.Header.Type = typ
		return u
	}
	tests := []struct {
		u    netlink.LinkUpdate
		want bool
	}{
		{upd(unix.RTM_NEWLINK, "tap12345678-ab"), true},
		{upd(unix.RTM_DELLINK, "tap12345678-ab"), true},
		{upd(unix.RTM_DELLINK, "brq12345678-ab"), true},
		{upd(unix.RTM_NEWLINK, "brq12345678-ab"), false},
		{upd(unix.RTM_DELLINK, "vxlan-1001"), true},
		{upd(unix.RTM_NEWLINK, "vxlan-1001"), false},
		{upd(unix.RTM_DELLINK, "eth0"), false},
		{netlink.LinkUpdate{}, false},
	}
	for _, tt := range tests {
		if got := relevant(tt.u); got != tt.want {
			name := ""
			if tt.u.Link != nil {
				name = tt.u.Link.Attrs().Name
			}
			t.Errorf("relevant(%d %q) = %v, want %v", tt.u.Header.Type, name, got, tt.want)
		}
	}
}

// The root-only tests below build everything inside namespaces they
// make, named with this prefix, and remove them when done.
const nsPrefix = "gs-l2t-"

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces)")
	}
}

// newNS makes a namespace unique to this test process.
func newNS(t *testing.T, name string) string {
	t.Helper()
	ns := fmt.Sprintf("%s%d-%s", nsPrefix, os.Getpid()%100000, name)
	_ = nsutil.Delete(ns)
	if err := nsutil.Ensure(ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := nsutil.Delete(ns); err != nil {
			t.Errorf("delete namespace %s: %v", ns, err)
		}
	})
	return ns
}

func run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// guest makes a "guest": a namespace whose eth0 (address addr, MTU mtu)
// is the other end of a veth whose host end, in root, is the port's
// device, as QEMU's tap would be. It returns the guest's MAC.
func guest(t *testing.T, root, name, portID, addr string, mtu int) (string, net.HardwareAddr) {
	t.Helper()
	g := newNS(t, name)
	run(t, "ip", "-n", root, "link", "add", state.Device(portID), "type", "veth", "peer", "name", "eth0", "netns", g)
	run(t, "ip", "-n", g, "link", "set", "eth0", "mtu", fmt.Sprint(mtu), "up")
	run(t, "ip", "-n", g, "addr", "add", addr, "dev", "eth0")
	return g, link(t, g, "eth0").Attrs().HardwareAddr
}

func link(t *testing.T, ns, name string) netlink.Link {
	t.Helper()
	l, err := lookup(ns, name)
	if err != nil {
		t.Fatalf("link %s in %s: %v", name, ns, err)
	}
	return l
}

func lookup(ns, name string) (netlink.Link, error) {
	h, err := nsutil.Handle(ns)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	return h.LinkByName(name)
}

func gone(t *testing.T, ns, name string) {
	t.Helper()
	if _, err := lookup(ns, name); err == nil {
		t.Errorf("%s still exists in %s", name, ns)
	}
}

// ping waits (up to 10 s) for one ping from ns to addr to succeed.
func ping(t *testing.T, ns, addr string, args ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		cmd := append([]string{"netns", "exec", ns, "busybox", "ping", "-c1", "-W1"}, args...)
		out, err := exec.Command("ip", append(cmd, addr)...).CombinedOutput()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("ping %s from %s: %v\n%s", addr, ns, err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func noPing(t *testing.T, ns, addr string) {
	t.Helper()
	if out, err := exec.Command("ip", "netns", "exec", ns, "busybox", "ping", "-c1", "-W1", addr).CombinedOutput(); err == nil {
		t.Errorf("ping %s from %s went through, want no reply\n%s", addr, ns, out)
	}
}

func mustApply(t *testing.T, r *Realizer, h *state.Host) Plugged {
	t.Helper()
	p, err := r.Apply(context.Background(), h)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return p
}

// wantPort checks that a port's device is enslaved to bridge with mtu
// and up.
func wantPort(t *testing.T, ns, dev, bridge string, mtu int) {
	t.Helper()
	l, br := link(t, ns, dev), link(t, ns, bridge)
	if l.Attrs().MasterIndex != br.Attrs().Index {
		t.Errorf("%s master = %d, want %s (%d)", dev, l.Attrs().MasterIndex, bridge, br.Attrs().Index)
	}
	if l.Attrs().MTU != mtu {
		t.Errorf("%s MTU = %d, want %d", dev, l.Attrs().MTU, mtu)
	}
	if l.Attrs().Flags&net.FlagUp == 0 {
		t.Errorf("%s is down", dev)
	}
}

func wantBridge(t *testing.T, ns, name string, mtu int) {
	t.Helper()
	l := link(t, ns, name)
	if l.Type() != "bridge" {
		t.Errorf("%s is a %s, want a bridge", name, l.Type())
	}
	if mtu > 0 && l.Attrs().MTU != mtu {
		t.Errorf("%s MTU = %d, want %d", name, l.Attrs().MTU, mtu)
	}
	if l.Attrs().Flags&net.FlagUp == 0 {
		t.Errorf("%s is down", name)
	}
}

const (
	netVX    = "11111111-aaaa-4aaa-8aaa-000000000001"
	netLocal = "22222222-bbbb-4bbb-8bbb-000000000002"
	port1    = "aaaaaaa1-0000-4000-8000-000000000001"
	port2    = "aaaaaaa2-0000-4000-8000-000000000002"
	port3    = "aaaaaaa3-0000-4000-8000-000000000003"
	portNone = "aaaaaaa4-0000-4000-8000-000000000004"
)

func TestApplyOneHost(t *testing.T) {
	needRoot(t)
	root := newNS(t, "root")
	g1, _ := guest(t, root, "g1", port1, "10.10.0.1/24", 1450)
	g2, _ := guest(t, root, "g2", port2, "10.10.0.2/24", 1450)
	g3, _ := guest(t, root, "g3", port3, "10.10.0.3/24", 1500)

	h := &state.Host{
		Name: "h1",
		Networks: map[string]*state.Network{
			netVX:    {ID: netVX, Type: "vxlan", SegmentID: 1001, MTU: 1450},
			netLocal: {ID: netLocal, Type: "local", MTU: 1500},
		},
		Ports: map[string]*state.Port{
			port1:    {ID: port1, NetworkID: netVX, AdminUp: true},
			port2:    {ID: port2, NetworkID: netVX, AdminUp: true},
			port3:    {ID: port3, NetworkID: netLocal, AdminUp: true},
			portNone: {ID: portNone, NetworkID: netLocal, AdminUp: true},
		},
	}
	r := New(Config{Root: root})
	defer r.Close()
	got := mustApply(t, r, h)
	want := Plugged{port1: true, port2: true, port3: true, portNone: false}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Plugged = %v, want %v", got, want)
	}
	brVX, brLocal, vx := state.Bridge(netVX), state.Bridge(netLocal), state.VXLANDevice(1001)
	wantBridge(t, root, brVX, 1450)
	wantBridge(t, root, brLocal, 1500)
	wantPort(t, root, vx, brVX, 1450)
	wantPort(t, root, state.Device(port1), brVX, 1450)
	wantPort(t, root, state.Device(port2), brVX, 1450)
	wantPort(t, root, state.Device(port3), brLocal, 1500)
	if v, ok := link(t, root, vx).(*netlink.Vxlan); !ok || v.VxlanId != 1001 || v.Port != VXLANPort || v.Learning {
		t.Errorf("%s = %+v, want VNI 1001, port %d, no learning", vx, link(t, root, vx), VXLANPort)
	}
	// The host takes no part in tenant networks: no IPv6 on their bridges.
	for _, br := range []string{brVX, brLocal} {
		err := nsutil.Do(root, func() error {
			b, err := os.ReadFile("/proc/sys/net/ipv6/conf/" + br + "/disable_ipv6")
			if err == nil && strings.TrimSpace(string(b)) != "1" {
				err = fmt.Errorf("disable_ipv6 = %s", b)
			}
			return err
		})
		if err != nil {
			t.Errorf("bridge %s: %v", br, err)
		}
	}
	ping(t, g1, "10.10.0.2")
	// Another network's guest, same subnet, is on another bridge.
	noPing(t, g3, "10.10.0.1")

	// A second Apply with nothing changed changes nothing: no link of
	// the root namespace sees an update.
	updates := watchCount(t, root)
	mustApply(t, r, h)
	time.Sleep(100 * time.Millisecond)
	if n := updates.Load(); n != 0 {
		t.Errorf("idempotent Apply made %d tap/bridge updates, want 0", n)
	}

	// A port gone from the Host: its device is not ours and stays.
	delete(h.Ports, port2)
	got = mustApply(t, r, h)
	if _, ok := got[port2]; ok {
		t.Errorf("Plugged holds removed port %s", port2)
	}
	wantPort(t, root, state.Device(port2), brVX, 1450)
	h.Ports[port2] = &state.Port{ID: port2, NetworkID: netVX, AdminUp: true}

	// A bridge deleted by hand comes back with its ports on the next
	// Apply.
	run(t, "ip", "-n", root, "link", "del", brVX)
	if got = mustApply(t, r, h); !got[port1] {
		t.Errorf("port1 not plugged after its bridge was restored: %v", got)
	}
	wantBridge(t, root, brVX, 1450)
	wantPort(t, root, vx, brVX, 1450)
	wantPort(t, root, state.Device(port1), brVX, 1450)
	wantPort(t, root, state.Device(port2), brVX, 1450)
	ping(t, g2, "10.10.0.1")

	// A tunnel address set later: the VXLAN device is remade on it, and
	// still carries the network.
	run(t, "ip", "-n", root, "link", "add", "ul0", "type", "veth", "peer", "name", "ul1")
	run(t, "ip", "-n", root, "addr", "add", "192.0.2.9/24", "dev", "ul0")
	h.TunnelIP = netip.MustParseAddr("192.0.2.9")
	mustApply(t, r, h)
	if v := link(t, root, vx).(*netlink.Vxlan); !v.SrcAddr.Equal(net.ParseIP("192.0.2.9")) || v.VtepDevIndex != link(t, root, "ul0").Attrs().Index {
		t.Errorf("%s: local %s dev %d, want 192.0.2.9 on ul0", vx, v.SrcAddr, v.VtepDevIndex)
	}
	wantPort(t, root, vx, brVX, 1450)
	ping(t, g1, "10.10.0.2")

	// A network gone from the Host: its bridge and VXLAN device go; the
	// ports' devices stay.
	delete(h.Networks, netVX)
	delete(h.Ports, port1)
	mustApply(t, r, h)
	gone(t, root, brVX)
	gone(t, root, vx)
	link(t, root, state.Device(port1))
	wantBridge(t, root, brLocal, 1500)
}

// watchCount runs Watch on ns for the rest of the test and counts its
// kicks.
func watchCount(t *testing.T, ns string) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Watch(ctx, ns, func() { n.Add(1) }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	// Let the subscription start before the caller changes anything.
	time.Sleep(50 * time.Millisecond)
	return &n
}

func TestWatch(t *testing.T) {
	needRoot(t)
	root := newNS(t, "watch")
	kicks := make(chan struct{}, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Watch(ctx, root, func() {
			select {
			case kicks <- struct{}{}:
			default:
			}
		})
	}()
	time.Sleep(50 * time.Millisecond)
	wait := func(what string) {
		t.Helper()
		select {
		case <-kicks:
		case <-time.After(2 * time.Second):
			t.Fatalf("no kick after %s", what)
		}
		for len(kicks) > 0 {
			<-kicks
		}
	}
	run(t, "ip", "-n", root, "link", "add", "tapwatch0001", "type", "veth", "peer", "name", "other0")
	wait("a tap appeared")
	run(t, "ip", "-n", root, "link", "add", "brqwatch0001", "type", "bridge")
	run(t, "ip", "-n", root, "link", "del", "brqwatch0001")
	wait("a brq bridge was deleted")
	run(t, "ip", "-n", root, "link", "add", "plain0", "type", "bridge")
	select {
	case <-kicks:
		t.Errorf("kick for an unrelated device")
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Watch: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Watch did not return after its context ended")
	}
}

func TestExternalBridge(t *testing.T) {
	needRoot(t)
	root := newNS(t, "ext")
	const ext = "33333333-cccc-4ccc-8ccc-000000000003"
	h := &state.Host{
		Bridges: map[string]string{"public": "br-ex"},
		Networks: map[string]*state.Network{
			ext: {ID: ext, Type: "flat", Physnet: "public", External: true, MTU: 1500, Subnets: []*state.Subnet{
				{ID: "s4", IPVersion: 4, CIDR: netip.MustParsePrefix("172.24.4.0/24"), Gateway: netip.MustParseAddr("172.24.4.1")},
				{ID: "s6", IPVersion: 6, CIDR: netip.MustParsePrefix("2001:db8::/64"), Gateway: netip.MustParseAddr("2001:db8::2")},
				{ID: "nogw", IPVersion: 4, CIDR: netip.MustParsePrefix("198.51.100.0/24")},
			}},
		},
	}
	if got := h.BridgeOf(h.Networks[ext]); got != "br-ex" {
		t.Fatalf("BridgeOf = %s", got)
	}
	r := New(Config{Root: root})
	mustApply(t, r, h)
	wantBridge(t, root, "br-ex", 1500)
	wantAddrs(t, root, "br-ex", "172.24.4.1/24", "2001:db8::2/64")
	if out := run(t, "ip", "-n", root, "-o", "link", "show"); strings.Contains(out, state.BridgePrefix) {
		t.Errorf("a flat network on a mapped bridge got a bridge of its own:\n%s", out)
	}

	// A stray address goes; the link-local one stays.
	run(t, "ip", "-n", root, "addr", "add", "192.0.2.77/24", "dev", "br-ex")
	run(t, "ip", "-n", root, "addr", "add", "fe80::1234/64", "dev", "br-ex")
	mustApply(t, r, h)
	wantAddrs(t, root, "br-ex", "172.24.4.1/24", "2001:db8::2/64", "fe80::1234/64")

	// The network gone: its addresses go, the mapped bridge stays.
	delete(h.Networks, ext)
	mustApply(t, r, h)
	wantBridge(t, root, "br-ex", 0)
	wantAddrs(t, root, "br-ex", "fe80::1234/64")
}

// wantAddrs checks a link's addresses, ignoring the kernel's own
// link-local one (fe80:: from the MAC).
func wantAddrs(t *testing.T, ns, dev string, want ...string) {
	t.Helper()
	h, err := nsutil.Handle(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	addrs, err := h.AddrList(link(t, ns, dev), netlink.FAMILY_ALL)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, a := range addrs {
		if a.IP.IsLinkLocalUnicast() && a.IPNet.String() != "fe80::1234/64" {
			continue
		}
		have[a.IPNet.String()] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("%s lacks %s; has %v", dev, w, have)
		}
		delete(have, w)
	}
	for a := range have {
		t.Errorf("%s has unexpected address %s", dev, a)
	}
}

func TestFlatAndVLAN(t *testing.T) {
	needRoot(t)
	root := newNS(t, "phys")
	run(t, "ip", "-n", root, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1p")
	run(t, "ip", "-n", root, "link", "add", "eth2", "type", "veth", "peer", "name", "eth2p")
	const flat, vlan, local = "44444444-dddd-4ddd-8ddd-000000000004", "55555555-eeee-4eee-8eee-000000000005", "66666666-ffff-4fff-8fff-000000000006"
	h := &state.Host{
		Interfaces: map[string]string{"physnet1": "eth1", "physnet2": "eth2"},
		Networks: map[string]*state.Network{
			flat:  {ID: flat, Type: "flat", Physnet: "physnet1", MTU: 1500},
			vlan:  {ID: vlan, Type: "vlan", Physnet: "physnet2", SegmentID: 100, MTU: 1500},
			local: {ID: local, Type: "local", MTU: 1500},
		},
	}
	r := New(Config{Root: root})
	_, err := r.Apply(context.Background(), h)
	// The other networks are wired whatever became of the VLAN one.
	wantPort(t, root, "eth1", state.Bridge(flat), 1500)
	wantBridge(t, root, state.Bridge(local), 1500)
	if err != nil {
		if !strings.Contains(err.Error(), vlan) || !strings.Contains(err.Error(), "802.1q") {
			t.Fatalf("Apply error does not name the VLAN network and its cause: %v", err)
		}
		if strings.Contains(err.Error(), "not supported") {
			t.Skipf("this kernel has no 802.1q VLAN support: %v", err)
		}
		t.Fatalf("Apply: %v", err)
	}
	wantPort(t, root, "eth2.100", state.Bridge(vlan), 1500)
	if v, ok := link(t, root, "eth2.100").(*netlink.Vlan); !ok || v.VlanId != 100 {
		t.Errorf("eth2.100 is not VLAN 100: %+v", link(t, root, "eth2.100"))
	}
	delete(h.Networks, vlan)
	mustApply(t, r, h)
	gone(t, root, "eth2.100")
	gone(t, root, state.Bridge(vlan))
	link(t, root, "eth2")
}

func TestTwoHostsVXLAN(t *testing.T) {
	needRoot(t)
	rootA, rootB := newNS(t, "ha"), newNS(t, "hb")
	// The underlay: a veth between the two hosts.
	run(t, "ip", "-n", rootA, "link", "add", "ul0", "type", "veth", "peer", "name", "ul0", "netns", rootB)
	run(t, "ip", "-n", rootA, "addr", "add", "192.0.2.1/24", "dev", "ul0")
	run(t, "ip", "-n", rootB, "addr", "add", "192.0.2.2/24", "dev", "ul0")
	run(t, "ip", "-n", rootA, "link", "set", "ul0", "up")
	run(t, "ip", "-n", rootB, "link", "set", "ul0", "up")
	gA, macA := guest(t, rootA, "ga", port1, "10.20.0.1/24", 1450)
	gB, macB := guest(t, rootB, "gb", port2, "10.20.0.2/24", 1450)
	tipA, tipB := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")

	host := func(name string, tunnel, remote netip.Addr, port string, remoteMAC net.HardwareAddr) *state.Host {
		return &state.Host{
			Name:     name,
			TunnelIP: tunnel,
			Networks: map[string]*state.Network{netVX: {
				ID: netVX, Type: "vxlan", SegmentID: 5001, MTU: 1450,
				Remotes: map[netip.Addr][]net.HardwareAddr{remote: {remoteMAC}},
			}},
			Ports: map[string]*state.Port{port: {ID: port, NetworkID: netVX, AdminUp: true}},
		}
	}
	hA, hB := host("a", tipA, tipB, port1, macB), host("b", tipB, tipA, port2, macA)
	rA, rB := New(Config{Root: rootA}), New(Config{Root: rootB})
	if p := mustApply(t, rA, hA); !p[port1] {
		t.Errorf("host A: Plugged = %v", p)
	}
	if p := mustApply(t, rB, hB); !p[port2] {
		t.Errorf("host B: Plugged = %v", p)
	}
	vx := state.VXLANDevice(5001)
	for _, c := range []struct {
		ns     string
		local  netip.Addr
		remote netip.Addr
		mac    net.HardwareAddr
	}{{rootA, tipA, tipB, macB}, {rootB, tipB, tipA, macA}} {
		v, ok := link(t, c.ns, vx).(*netlink.Vxlan)
		if !ok {
			t.Fatalf("%s in %s is not a VXLAN device", vx, c.ns)
		}
		if !v.SrcAddr.Equal(net.IP(c.local.AsSlice())) || v.VtepDevIndex != link(t, c.ns, "ul0").Attrs().Index {
			t.Errorf("%s in %s: local %s dev %d, want %s on ul0", vx, c.ns, v.SrcAddr, v.VtepDevIndex, c.local)
		}
		wantFDB(t, c.ns, vx, fdbKey{zeroMAC.String(), c.remote}, fdbKey{c.mac.String(), c.remote})
	}
	ping(t, gA, "10.20.0.2")
	ping(t, gB, "10.20.0.1")
	// A packet filling the network's MTU crosses too (1422 + 28 = 1450).
	ping(t, gA, "10.20.0.2", "-s", "1422")

	// l2population: a remote MAC no longer there loses its entry, a
	// remote host no longer there loses all of them.
	hA.Networks[netVX].Remotes[tipB] = nil
	mustApply(t, rA, hA)
	wantFDB(t, rootA, vx, fdbKey{zeroMAC.String(), tipB})
	ping(t, gA, "10.20.0.2") // flooded through the all-zero entry
	hA.Networks[netVX].Remotes = nil
	mustApply(t, rA, hA)
	wantFDB(t, rootA, vx)
	noPing(t, gA, "10.20.0.2")
	hA.Networks[netVX].Remotes = map[netip.Addr][]net.HardwareAddr{tipB: {macB}}
	mustApply(t, rA, hA)
	ping(t, gA, "10.20.0.2")

	// A second Apply changes nothing: no device is remade.
	updates := watchCount(t, rootA)
	mustApply(t, rA, hA)
	mustApply(t, rA, hA)
	mustApply(t, rB, hB)
	time.Sleep(100 * time.Millisecond)
	if n := updates.Load(); n != 0 {
		t.Errorf("idempotent Apply made %d tap/bridge/VXLAN updates, want 0", n)
	}
	ping(t, gB, "10.20.0.1")
}

// wantFDB checks the VXLAN device's own forwarding entries.
func wantFDB(t *testing.T, ns, dev string, want ...fdbKey) {
	t.Helper()
	h, err := nsutil.Handle(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	entries, err := h.NeighList(link(t, ns, dev).Attrs().Index, unix.AF_BRIDGE)
	if err != nil {
		t.Fatal(err)
	}
	have := map[fdbKey]bool{}
	for _, e := range entries {
		if e.Flags&netlink.NTF_SELF == 0 || len(e.IP) == 0 {
			continue
		}
		ip, _ := netip.AddrFromSlice(e.IP)
		have[fdbKey{e.HardwareAddr.String(), ip.Unmap()}] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("%s in %s lacks forwarding entry %v; has %v", dev, ns, w, have)
		}
		delete(have, w)
	}
	for k := range have {
		t.Errorf("%s in %s has unexpected forwarding entry %v", dev, ns, k)
	}
}
