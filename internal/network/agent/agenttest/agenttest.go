// Package agenttest runs network agents against the networking API in
// process, on hosts that are network namespaces, with "guests" that are
// namespaces too: a veth whose host end is the port's tap device, whose
// other end (eth0, the port's MAC) lives in the guest's namespace and
// gets its address by DHCP. It needs root.
//
//	c := nettest.StartConfig(t, network.Config{Mechanism: network.MechLinuxBridge}, "alice")
//	h := agenttest.Host(t, c, agenttest.HostConfig{Name: "hosta", DHCP: true, L3: true})
//	g := agenttest.Plug(t, h, "g1", port)
//	g.DHCP(t)
//	g.Ping("10.0.0.4")
package agenttest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"github.com/vishvananda/netlink"

	"github.com/gostack/gostack/internal/network/agent"
	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
	"github.com/gostack/gostack/internal/network/nettest"
)

// Prefix starts the name of every namespace these tests make.
const Prefix = "gse-"

// Root skips the test unless it runs as root.
func Root(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: it builds bridges, namespaces and nftables rules")
	}
}

// HostConfig is one test host.
type HostConfig struct {
	Name     string
	TunnelIP netip.Addr
	DHCP, L3 bool
	// MetadataURL and MetadataSecret configure the metadata proxy.
	MetadataURL, MetadataSecret string
}

// TestHost is an agent running on a namespace of its own.
type TestHost struct {
	Name, NS string
	Agent    *agent.Agent
	cancel   context.CancelFunc
	done     chan struct{}
	cfg      agent.Config
	cloud    *nettest.Cloud
}

// Host starts an agent whose host is a new namespace (Prefix+name);
// the test's end stops it and removes every namespace it made.
func Host(t testing.TB, c *nettest.Cloud, hc HostConfig) *TestHost {
	t.Helper()
	h := &TestHost{Name: hc.Name, NS: Prefix + hc.Name, cloud: c}
	Clean(h.NS)
	if err := nsutil.Ensure(h.NS); err != nil {
		t.Fatal(err)
	}
	h.cfg = agent.Config{
		Host: hc.Name, Root: h.NS, Prefix: h.NS + "-", TunnelIP: hc.TunnelIP,
		Bridges: map[string]string{"public": "br-ex"}, Interfaces: map[string]string{},
		DHCP: hc.DHCP, L3: hc.L3, MetadataURL: hc.MetadataURL, MetadataSecret: hc.MetadataSecret,
		HTTPClient: http.DefaultClient, DNSDomain: "openstacklocal.",
		Resync: 500 * time.Millisecond, Report: time.Second,
	}
	h.Start()
	t.Cleanup(func() {
		h.Stop()
		Clean(h.NS)
	})
	return h
}

// Start runs the agent (again, after Stop: a restarted agent).
func (h *TestHost) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.Agent = agent.New(h.cloud.Svc, h.cfg)
	h.cancel, h.done = cancel, make(chan struct{})
	go func() {
		defer close(h.done)
		_ = h.Agent.Run(ctx)
	}()
}

// Stop stops the agent, leaving what it built, as a kill would.
func (h *TestHost) Stop() {
	if h.cancel != nil {
		h.cancel()
		<-h.done
		h.cancel = nil
	}
}

// Clean removes a host's namespace and the namespaces its agent made.
func Clean(ns string) {
	names, _ := nsutil.List(ns)
	for _, n := range names {
		_ = nsutil.Delete(n)
	}
}

// Guest is a namespace standing in for a server: eth0 is its NIC.
type Guest struct {
	NS   string
	Port string
	MAC  net.HardwareAddr
	IP   netip.Addr
}

// Plug makes a guest for port (an API port object) on host h: the veth
// end named as the port's tap device in the host's namespace, eth0 with
// the port's MAC in the guest's.
func Plug(t testing.TB, h *TestHost, name string, port map[string]any) *Guest {
	t.Helper()
	id, _ := port["id"].(string)
	mac, err := net.ParseMAC(port["mac_address"].(string))
	if err != nil {
		t.Fatal(err)
	}
	g := &Guest{NS: Prefix + "g-" + name, Port: id, MAC: mac}
	_ = nsutil.Delete(g.NS)
	if err := nsutil.Ensure(g.NS); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nsutil.Delete(g.NS) })
	gns, err := nsutil.Open(g.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer gns.Close()
	hl, err := nsutil.Handle(h.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer hl.Close()
	peer := "gp" + id[:8]
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: state.Device(id), MTU: 1500}, PeerName: peer, PeerHardwareAddr: mac}
	if err := hl.LinkAdd(veth); err != nil {
		t.Fatalf("veth for %s: %v", name, err)
	}
	pl, err := hl.LinkByName(peer)
	if err != nil {
		t.Fatal(err)
	}
	if err := hl.LinkSetNsFd(pl, int(gns)); err != nil {
		t.Fatal(err)
	}
	gl, err := nsutil.Handle(g.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer gl.Close()
	in, err := gl.LinkByName(peer)
	if err != nil {
		t.Fatal(err)
	}
	if err := gl.LinkSetName(in, "eth0"); err != nil {
		t.Fatal(err)
	}
	if err := gl.LinkSetUp(in); err != nil {
		t.Fatal(err)
	}
	return g
}

// DHCP gets the guest's address by DHCP (retrying for up to 20 s while
// the agent wires the port) and configures eth0 with it: the address,
// the MTU and the routes (option 121, else the router option).
func (g *Guest) DHCP(t testing.TB) *dhcpv4.DHCPv4 {
	t.Helper()
	var ack *dhcpv4.DHCPv4
	deadline := time.Now().Add(20 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		var c *nclient4.Client
		err := nsutil.Do(g.NS, func() error {
			var err error
			c, err = nclient4.New("eth0", nclient4.WithTimeout(time.Second), nclient4.WithRetry(1))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		lease, err := c.Request(ctx)
		cancel()
		c.Close()
		if err == nil {
			ack = lease.ACK
			break
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	if ack == nil {
		t.Fatalf("guest %s: no DHCP lease: %v", g.NS, last)
	}
	gl, err := nsutil.Handle(g.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer gl.Close()
	eth, err := gl.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	ones, _ := ack.SubnetMask().Size()
	g.IP, _ = netip.AddrFromSlice(ack.YourIPAddr.To4())
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: ack.YourIPAddr, Mask: ack.SubnetMask()}}
	if err := gl.AddrReplace(eth, addr); err != nil {
		t.Fatalf("address %s/%d: %v", ack.YourIPAddr, ones, err)
	}
	if mtu := ack.Options.Get(dhcpv4.OptionInterfaceMTU); len(mtu) == 2 {
		_ = gl.LinkSetMTU(eth, int(mtu[0])<<8|int(mtu[1]))
	}
	routes := ack.ClasslessStaticRoute()
	if len(routes) == 0 {
		for _, r := range ack.Router() {
			routes = append(routes, &dhcpv4.Route{Dest: &net.IPNet{IP: net.IPv4zero, Mask: net.CIDRMask(0, 32)}, Router: r})
		}
	}
	for _, r := range routes {
		rt := &netlink.Route{LinkIndex: eth.Attrs().Index, Dst: r.Dest, Gw: r.Router}
		if r.Router.IsUnspecified() {
			rt.Gw, rt.Scope = nil, netlink.SCOPE_LINK
		}
		if err := gl.RouteReplace(rt); err != nil {
			t.Fatalf("route %v: %v", r, err)
		}
	}
	return ack
}

// Route adds an on-link route to dst on eth0 (a guest that tries to
// reach another network's addresses directly).
func (g *Guest) Route(t testing.TB, dst string) {
	t.Helper()
	gl, err := nsutil.Handle(g.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer gl.Close()
	eth, err := gl.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	_, ipn, err := net.ParseCIDR(dst)
	if err != nil {
		t.Fatal(err)
	}
	if err := gl.RouteReplace(&netlink.Route{LinkIndex: eth.Attrs().Index, Dst: ipn, Scope: netlink.SCOPE_LINK}); err != nil {
		t.Fatal(err)
	}
}

// Ping sends one ping from namespace ns and reports whether it was
// answered within a second.
func Ping(ns, addr string) bool {
	return exec.Command("ip", "netns", "exec", ns, "busybox", "ping", "-c", "1", "-W", "1", addr).Run() == nil
}

// Ping pings addr from the guest.
func (g *Guest) Ping(addr string) bool { return Ping(g.NS, addr) }

// Eventually retries cond every 100 ms until it holds or d passes, and
// reports whether it held.
func Eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// External makes an "external host": a namespace on the host's br-ex
// (made by the agent once an external network exists) with address
// cidr, e.g. 172.24.4.100/24, and a default route via gw.
func External(t testing.TB, h *TestHost, name, cidr, gw string) string {
	t.Helper()
	ns := Prefix + "x-" + name
	_ = nsutil.Delete(ns)
	if err := nsutil.Ensure(ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nsutil.Delete(ns) })
	hl, err := nsutil.Handle(h.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer hl.Close()
	var br netlink.Link
	if !Eventually(10*time.Second, func() bool { br, err = hl.LinkByName("br-ex"); return err == nil }) {
		t.Fatalf("no br-ex in %s: %v", h.NS, err)
	}
	hostEnd := "gx" + name
	if err := hl.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: hostEnd}, PeerName: "gxp" + name}); err != nil {
		t.Fatal(err)
	}
	he, _ := hl.LinkByName(hostEnd)
	if err := hl.LinkSetMaster(he, br); err != nil {
		t.Fatal(err)
	}
	if err := hl.LinkSetUp(he); err != nil {
		t.Fatal(err)
	}
	xns, err := nsutil.Open(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer xns.Close()
	pe, _ := hl.LinkByName("gxp" + name)
	if err := hl.LinkSetNsFd(pe, int(xns)); err != nil {
		t.Fatal(err)
	}
	xl, err := nsutil.Handle(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer xl.Close()
	in, _ := xl.LinkByName("gxp" + name)
	a, err := netlink.ParseAddr(cidr)
	if err != nil {
		t.Fatal(err)
	}
	if err := xl.AddrAdd(in, a); err != nil {
		t.Fatal(err)
	}
	if err := xl.LinkSetUp(in); err != nil {
		t.Fatal(err)
	}
	if gw != "" {
		if err := xl.RouteAdd(&netlink.Route{LinkIndex: in.Attrs().Index, Gw: net.ParseIP(gw)}); err != nil {
			t.Fatal(err)
		}
	}
	return ns
}

// Links lists the names of the links in a namespace that start with
// one of prefixes.
func Links(t testing.TB, ns string, prefixes ...string) []string {
	t.Helper()
	hl, err := nsutil.Handle(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer hl.Close()
	links, err := nsutil.Dump(hl.LinkList)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range links {
		for _, p := range prefixes {
			if strings.HasPrefix(l.Attrs().Name, p) {
				out = append(out, l.Attrs().Name)
			}
		}
	}
	return out
}

// Namespaces lists the namespaces whose names start with prefix.
func Namespaces(t testing.TB, prefix string) []string {
	t.Helper()
	n, err := nsutil.List(prefix)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Dial reports whether a TCP connection from namespace ns to addr opens
// within a second.
func Dial(ns, addr string) bool {
	var ok bool
	_ = nsutil.Do(ns, func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			ok = true
		}
		return nil
	})
	return ok
}

// Listen accepts TCP connections in namespace ns on addr until the test
// ends.
func Listen(t testing.TB, ns, addr string) {
	t.Helper()
	var l net.Listener
	err := nsutil.Do(ns, func() error {
		var err error
		l, err = net.Listen("tcp", addr)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

// Sprint formats for messages.
var Sprint = fmt.Sprint

// Underlay joins two hosts with a veth pair ("ul" on both sides)
// holding their tunnel addresses, the network VXLAN runs over.
func Underlay(t testing.TB, a, b *TestHost, addrA, addrB string) {
	t.Helper()
	al, err := nsutil.Handle(a.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer al.Close()
	if err := al.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "ul"}, PeerName: "ulpeer"}); err != nil {
		t.Fatal(err)
	}
	bns, err := nsutil.Open(b.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer bns.Close()
	peer, _ := al.LinkByName("ulpeer")
	if err := al.LinkSetNsFd(peer, int(bns)); err != nil {
		t.Fatal(err)
	}
	bl, err := nsutil.Handle(b.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer bl.Close()
	bp, _ := bl.LinkByName("ulpeer")
	if err := bl.LinkSetName(bp, "ul"); err != nil {
		t.Fatal(err)
	}
	for _, side := range []struct {
		h    *netlink.Handle
		addr string
	}{{al, addrA}, {bl, addrB}} {
		l, err := side.h.LinkByName("ul")
		if err != nil {
			t.Fatal(err)
		}
		ad, err := netlink.ParseAddr(side.addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := side.h.AddrAdd(l, ad); err != nil {
			t.Fatal(err)
		}
		if err := side.h.LinkSetUp(l); err != nil {
			t.Fatal(err)
		}
	}
}
