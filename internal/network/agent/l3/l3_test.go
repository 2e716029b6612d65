package l3

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// The test's namespaces all start with tp, so that Cleanup finds them,
// router namespaces included (the realizer's Prefix is tp too).
const tp = "gs-l3t-"

const (
	nsRoot  = tp + "root"
	nsGuest = tp + "guest"
	nsExt   = tp + "ext"
	intPort = "11111111-aaaa-int"
	gwPort  = "22222222-bbbb-gw"
	router  = "r1"
)

// world is the test's host: a root namespace with a tenant and an
// external bridge, a guest on the first and an external host on the
// second.
type world struct {
	t    *testing.T
	root *netlink.Handle
	l3   *L3
}

func newWorld(t *testing.T) *world {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make network namespaces")
	}
	cleanup := func() {
		names, _ := nsutil.List(tp)
		for _, n := range names {
			_ = nsutil.Delete(n)
		}
	}
	cleanup()
	t.Cleanup(cleanup)
	for _, n := range []string{nsRoot, nsGuest, nsExt} {
		must(t, nsutil.Ensure(n))
	}
	root, err := nsutil.Handle(nsRoot)
	must(t, err)
	t.Cleanup(root.Close)
	for _, br := range []string{"brt", "bre"} {
		must(t, root.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: br}}))
		must(t, root.LinkSetUp(link(t, root, br)))
	}
	w := &world{t: t, root: root}
	w.host(nsGuest, "g0", "brt", []string{"10.0.0.5/24"}, "10.0.0.1")
	w.host(nsExt, "e0", "bre", []string{"172.24.4.100/24", "172.24.4.1/24"}, "")
	w.l3 = New(Config{Root: nsRoot, Prefix: tp})
	t.Cleanup(w.l3.Close)
	return w
}

// host wires namespace ns to bridge br through a veth (dev in the root,
// eth0 inside) with the given addresses and default route.
func (w *world) host(ns, dev, br string, addrs []string, gw string) {
	t := w.t
	fd, err := nsutil.Open(ns)
	must(t, err)
	defer fd.Close()
	must(t, w.root.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: dev}, PeerName: "eth0", PeerNamespace: netlink.NsFd(int(fd))}))
	w.plug(dev, br)
	h, err := nsutil.Handle(ns)
	must(t, err)
	defer h.Close()
	eth := link(t, h, "eth0")
	for _, a := range addrs {
		must(t, h.AddrAdd(eth, &netlink.Addr{IPNet: nsutil.IPNet(netip.MustParsePrefix(a))}))
	}
	must(t, h.LinkSetUp(eth))
	if gw != "" {
		must(t, h.RouteAdd(&netlink.Route{Gw: net.ParseIP(gw)}))
	}
}

// plug does the l2 realizer's part for a device in the root namespace.
func (w *world) plug(dev, br string) {
	l := link(w.t, w.root, dev)
	must(w.t, w.root.LinkSetMaster(l, link(w.t, w.root, br)))
	must(w.t, w.root.LinkSetUp(l))
}

func (w *world) apply(h *state.Host) {
	w.t.Helper()
	if err := w.l3.Apply(context.Background(), h); err != nil {
		w.t.Fatalf("Apply: %v", err)
	}
}

func desired() (*state.Host, *state.Router) {
	a := netip.MustParseAddr
	mac := func(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }
	r := &state.Router{
		ID: router,
		Interfaces: []*state.Port{{ID: intPort, NetworkID: "tenant", MAC: mac("fa:16:3e:00:00:01"), MTU: 1450,
			IPs: []state.FixedIP{{SubnetID: "st", IP: a("10.0.0.1")}}}},
		Gateway: &state.Port{ID: gwPort, NetworkID: "ext", MAC: mac("fa:16:3e:00:00:02"), MTU: 1500,
			IPs: []state.FixedIP{{SubnetID: "se", IP: a("172.24.4.10")}}},
		GatewayNextHop: a("172.24.4.1"),
		EnableSNAT:     true,
		SNATSubnets:    []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")},
	}
	h := &state.Host{
		Networks: map[string]*state.Network{
			"tenant": {ID: "tenant", Type: "local", Subnets: []*state.Subnet{{ID: "st", IPVersion: 4, CIDR: netip.MustParsePrefix("10.0.0.0/24")}}},
			"ext": {ID: "ext", Type: "flat", External: true, Subnets: []*state.Subnet{{ID: "se", IPVersion: 4,
				CIDR: netip.MustParsePrefix("172.24.4.0/24"), Gateway: a("172.24.4.1")}}},
		},
		Routers: map[string]*state.Router{router: r},
	}
	return h, r
}

func TestRouter(t *testing.T) {
	w := newWorld(t)
	h, r := desired()
	w.apply(h)
	w.plug(state.Device(intPort), "brt")
	w.plug(state.Device(gwPort), "bre")
	rns := state.RouterNamespace(tp, router)

	inner, err := nsutil.Handle(rns)
	must(t, err)
	defer inner.Close()
	qr := link(t, inner, state.InnerDevice(state.RouterIntPrfx, intPort))
	if qr.Attrs().MTU != 1450 || qr.Attrs().HardwareAddr.String() != "fa:16:3e:00:00:01" {
		t.Errorf("qr device: MTU %d MAC %s, want 1450 fa:16:3e:00:00:01", qr.Attrs().MTU, qr.Attrs().HardwareAddr)
	}
	if got := addrs(t, inner, qr); got != "10.0.0.1/24" {
		t.Errorf("qr addresses = %s, want 10.0.0.1/24", got)
	}
	if b, err := readSysctl(rns, "ipv4/ip_forward"); err != nil || b != "1" {
		t.Errorf("ip_forward = %q (%v), want 1", b, err)
	}

	// SNAT: the guest reaches the external host under the gateway address.
	ping(t, nsGuest, "172.24.4.100", true)
	udpSeen(t, nsGuest, nsExt, "172.24.4.100:7000", "172.24.4.10")

	// Nothing changed: the NAT table is not reloaded (a chain added to it
	// behind the realizer's back survives).
	addProbeChain(t, rns)
	w.apply(h)
	if !hasChain(t, rns, "probe") {
		t.Errorf("an unchanged Apply reloaded the NAT table")
	}

	// A floating IP: reachable from outside, and the guest leaves under it.
	// The external host believes the address is elsewhere: the router's
	// gratuitous ARP corrects it.
	ext, err := nsutil.Handle(nsExt)
	must(t, err)
	defer ext.Close()
	stale, _ := net.ParseMAC("02:00:00:00:00:99")
	must(t, ext.NeighSet(&netlink.Neigh{LinkIndex: link(t, ext, "eth0").Attrs().Index, Family: netlink.FAMILY_V4,
		State: netlink.NUD_STALE, IP: net.ParseIP("172.24.4.20"), HardwareAddr: stale}))
	r.FloatingIPs = []state.FloatingIP{{ID: "f1", Address: netip.MustParseAddr("172.24.4.20"), Fixed: netip.MustParseAddr("10.0.0.5")}}
	w.apply(h)
	if got := neighMAC(t, ext, "172.24.4.20"); got != "fa:16:3e:00:00:02" {
		t.Errorf("external host's neighbour entry for the floating IP = %s, want the gateway's MAC", got)
	}
	ping(t, nsExt, "172.24.4.20", true)
	udpSeen(t, nsGuest, nsExt, "172.24.4.100:7001", "172.24.4.20")

	// A port forwarding on another floating address.
	r.Forwardings = []state.Forwarding{{ID: "pf", Protocol: "tcp", Address: netip.MustParseAddr("172.24.4.30"),
		ExternalPort: 2222, InternalIP: netip.MustParseAddr("10.0.0.5"), InternalPort: 22}}
	w.apply(h)
	tcpForwarded(t)

	// An extra route, then none.
	extra := state.Route{Destination: netip.MustParsePrefix("192.168.50.0/24"), NextHop: netip.MustParseAddr("172.24.4.1")}
	r.Routes = []state.Route{extra}
	w.apply(h)
	if !hasRoute(t, inner, "192.168.50.0/24", "172.24.4.1") || !hasRoute(t, inner, "", "172.24.4.1") {
		t.Errorf("extra or default route missing: %v", routes(t, inner))
	}
	r.Routes = nil
	w.apply(h)
	if hasRoute(t, inner, "192.168.50.0/24", "172.24.4.1") {
		t.Errorf("removed extra route still there: %v", routes(t, inner))
	}

	// The table deleted behind the realizer's back comes back.
	conn := nft(t, rns)
	conn.DelTable(&nftables.Table{Name: natTable, Family: nftables.TableFamilyIPv4})
	must(t, conn.Flush())
	w.apply(h)
	if !hasChain(t, rns, "prerouting") || !hasChain(t, rns, "postrouting") {
		t.Errorf("NAT table not restored")
	}

	// A UDP flow into the floating IP dies with it: the conntrack entry
	// would otherwise keep DNATing it.
	guestL := listenUDP(t, nsGuest, "10.0.0.5:5000")
	extS := listenUDP(t, nsExt, "172.24.4.100:5001")
	fip := net.UDPAddrFromAddrPort(netip.MustParseAddrPort("172.24.4.20:5000"))
	if !sendUntilSeen(extS, fip, guestL, "172.24.4.100") {
		t.Fatalf("UDP to the floating IP never reached the guest")
	}
	r.FloatingIPs = nil
	w.apply(h)
	if got := addrs(t, inner, link(t, inner, state.InnerDevice(state.GatewayPrefix, gwPort))); strings.Contains(got, "172.24.4.20") {
		t.Errorf("removed floating IP still on the gateway: %s", got)
	}
	for range 3 {
		_, err := extS.WriteTo([]byte("x"), fip)
		must(t, err)
	}
	must(t, guestL.SetReadDeadline(time.Now().Add(time.Second)))
	if _, from, err := guestL.ReadFrom(make([]byte, 64)); err == nil {
		t.Errorf("UDP to the removed floating IP still reached the guest (from %s)", from)
	}
	ping(t, nsExt, "172.24.4.20", false)

	// An interface removed: its veth pair goes.
	r.Interfaces = nil
	w.apply(h)
	if _, err := inner.LinkByName(state.InnerDevice(state.RouterIntPrfx, intPort)); err == nil {
		t.Errorf("removed interface's qr device still there")
	}
	if _, err := w.root.LinkByName(state.Device(intPort)); err == nil {
		t.Errorf("removed interface's host device still there")
	}

	// The router removed: its namespace goes, and with it its legs.
	delete(h.Routers, router)
	w.apply(h)
	if nsutil.Exists(rns) {
		t.Errorf("namespace %s of a removed router still exists", rns)
	}
	if _, err := w.root.LinkByName(state.Device(gwPort)); err == nil {
		t.Errorf("removed router's gateway device still there")
	}
}

// TestRebuild checks that a router namespace made anew (its veth
// pairs gone with the old one) is rebuilt, and that an orphan host end
// does not stop it.
func TestRebuild(t *testing.T) {
	w := newWorld(t)
	h, _ := desired()
	w.apply(h)
	rns := state.RouterNamespace(tp, router)
	must(t, nsutil.Delete(rns))
	// The kernel tears a namespace down in the background; wait for the
	// old pair to go, then leave a host device of the name behind, as a
	// crash could.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := w.root.LinkByName(state.Device(intPort)); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("old host device outlived its namespace")
		}
	}
	must(t, w.root.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: state.Device(intPort)}, PeerName: "gs-orphan"}))
	w.l3 = New(Config{Root: nsRoot, Prefix: tp})
	w.apply(h)
	inner, err := nsutil.Handle(rns)
	must(t, err)
	defer inner.Close()
	link(t, inner, state.InnerDevice(state.RouterIntPrfx, intPort))
	link(t, inner, state.InnerDevice(state.GatewayPrefix, gwPort))
	if !hasChain(t, rns, "postrouting") {
		t.Errorf("NAT table missing after rebuild")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, h *netlink.Handle, name string) netlink.Link {
	t.Helper()
	l, err := h.LinkByName(name)
	if err != nil {
		t.Fatalf("device %s: %v", name, err)
	}
	return l
}

func addrs(t *testing.T, h *netlink.Handle, l netlink.Link) string {
	t.Helper()
	as, err := h.AddrList(l, netlink.FAMILY_V4)
	must(t, err)
	var out []string
	for _, a := range as {
		out = append(out, a.IPNet.String())
	}
	return strings.Join(out, ",")
}

func routes(t *testing.T, h *netlink.Handle) []netlink.Route {
	rs, err := h.RouteList(nil, netlink.FAMILY_V4)
	must(t, err)
	return rs
}

// hasRoute reports whether a route of the realizer to dst ("" = default)
// via gw exists.
func hasRoute(t *testing.T, h *netlink.Handle, dst, gw string) bool {
	for _, r := range routes(t, h) {
		d := ""
		if r.Dst != nil && r.Dst.String() != "0.0.0.0/0" {
			d = r.Dst.String()
		}
		if d == dst && r.Gw.String() == gw && r.Protocol == routeProto {
			return true
		}
	}
	return false
}

func neighMAC(t *testing.T, h *netlink.Handle, ip string) string {
	t.Helper()
	ns, err := h.NeighList(0, netlink.FAMILY_V4)
	must(t, err)
	for _, n := range ns {
		if n.IP.String() == ip {
			return n.HardwareAddr.String()
		}
	}
	return ""
}

func readSysctl(ns, key string) (string, error) {
	var v string
	err := nsutil.Do(ns, func() error {
		b, err := os.ReadFile("/proc/sys/net/" + key)
		v = strings.TrimSpace(string(b))
		return err
	})
	return v, err
}

func nft(t *testing.T, ns string) *nftables.Conn {
	t.Helper()
	fd, err := nsutil.Open(ns)
	must(t, err)
	// The connection dials on each request, through the descriptor.
	t.Cleanup(func() { fd.Close() })
	conn, err := nftables.New(nftables.WithNetNSFd(int(fd)))
	must(t, err)
	return conn
}

func addProbeChain(t *testing.T, ns string) {
	t.Helper()
	conn := nft(t, ns)
	conn.AddChain(&nftables.Chain{Name: "probe", Table: &nftables.Table{Name: natTable, Family: nftables.TableFamilyIPv4}})
	must(t, conn.Flush())
}

func hasChain(t *testing.T, ns, name string) bool {
	t.Helper()
	cs, err := nft(t, ns).ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	must(t, err)
	for _, c := range cs {
		if c.Table.Name == natTable && c.Name == name {
			return true
		}
	}
	return false
}

// ping pings addr from namespace ns until it answers (want) or stops
// answering (!want), for a few seconds.
func ping(t *testing.T, ns, addr string, want bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := exec.Command("ip", "netns", "exec", ns, "busybox", "ping", "-c1", "-W1", addr).Run()
		if (err == nil) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("ping %s from %s: answered=%v, want %v", addr, ns, err == nil, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func listenUDP(t *testing.T, ns, addr string) *net.UDPConn {
	t.Helper()
	var c *net.UDPConn
	must(t, nsutil.Do(ns, func() error {
		var err error
		c, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
		return err
	}))
	t.Cleanup(func() { c.Close() })
	return c
}

// udpSeen sends UDP from namespace from to addr (a listener in namespace
// to) and checks the source address the listener sees.
func udpSeen(t *testing.T, from, to, addr, wantSrc string) {
	t.Helper()
	l := listenUDP(t, to, addr)
	var s *net.UDPConn
	must(t, nsutil.Do(from, func() error {
		var err error
		s, err = net.ListenUDP("udp4", nil)
		return err
	}))
	defer s.Close()
	if !sendUntilSeen(s, net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)), l, wantSrc) {
		t.Fatalf("UDP from %s to %s never arrived from %s", from, addr, wantSrc)
	}
}

// sendUntilSeen sends from s to dst until l receives a datagram, and
// reports whether one came from wantSrc.
func sendUntilSeen(s *net.UDPConn, dst *net.UDPAddr, l *net.UDPConn, wantSrc string) bool {
	buf := make([]byte, 64)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if _, err := s.WriteTo([]byte("hello"), dst); err != nil {
			return false
		}
		_ = l.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		_, from, err := l.ReadFrom(buf)
		if err != nil {
			continue
		}
		return from.(*net.UDPAddr).IP.String() == wantSrc
	}
	return false
}

// tcpForwarded connects from the external host to 172.24.4.30:2222 and
// checks that the guest's listener on 22 answers, seeing the caller's
// own address.
func tcpForwarded(t *testing.T) {
	t.Helper()
	var ln net.Listener
	must(t, nsutil.Do(nsGuest, func() error {
		var err error
		ln, err = net.Listen("tcp4", "10.0.0.5:22")
		return err
	}))
	defer ln.Close()
	peer := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			peer <- err.Error()
			return
		}
		defer c.Close()
		_, _ = c.Write([]byte("SSH-2.0-test\n"))
		peer <- c.RemoteAddr().(*net.TCPAddr).IP.String()
	}()
	var c net.Conn
	err := nsutil.Do(nsExt, func() error {
		var err error
		for deadline := time.Now().Add(5 * time.Second); ; {
			if c, err = net.DialTimeout("tcp4", "172.24.4.30:2222", time.Second); err == nil || time.Now().After(deadline) {
				return err
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	must(t, err)
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	b, err := io.ReadAll(io.LimitReader(c, 13))
	if err != nil && !errors.Is(err, io.EOF) || string(b) != "SSH-2.0-test\n" {
		t.Errorf("read through the forwarding = %q, %v", b, err)
	}
	if got := <-peer; got != "172.24.4.100" {
		t.Errorf("guest saw the connection from %s, want 172.24.4.100", got)
	}
}
