package firewall

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// lab is a host namespace with one bridge and guest namespaces plugged
// into it by veth pairs whose host ends carry the ports' device names.
type lab struct {
	t      *testing.T
	prefix string
	root   string
	fw     *Firewall
	host   *state.Host
	guests []*guest
}

type guest struct {
	ns   string
	port *state.Port
	ip   netip.Addr
	ip6  netip.Addr
}

func newLab(t testing.TB, n int) *lab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	b := make([]byte, 3)
	rand.Read(b)
	l := &lab{prefix: "gs-fwt-" + hex.EncodeToString(b) + "-"}
	l.root = l.prefix + "root"
	if tt, ok := t.(*testing.T); ok {
		l.t = tt
	}
	t.Cleanup(func() {
		for i := range n {
			nsutil.Delete(fmt.Sprintf("%sg%d", l.prefix, i))
		}
		nsutil.Delete(l.root)
	})
	must(t, nsutil.Ensure(l.root))
	h, err := nsutil.Handle(l.root)
	must(t, err)
	defer h.Delete()
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0"}}
	must(t, h.LinkAdd(br))
	must(t, h.LinkSetUp(br))
	// The guests' network is a flat one on the lab's bridge br0 (the
	// firewall gives conntrack zones by bridge).
	l.host = &state.Host{Ports: map[string]*state.Port{}, Groups: map[string]*state.Group{},
		Networks: map[string]*state.Network{"net": {ID: "net", Type: "flat", Physnet: "lab"}},
		Bridges:  map[string]string{"lab": "br0"}}
	for i := range n {
		g := &guest{ns: fmt.Sprintf("%sg%d", l.prefix, i), ip: netip.AddrFrom4([4]byte{10, 9, 0, byte(i + 1)}),
			ip6: netip.AddrFrom16([16]byte{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, byte(i + 1)})}
		id := fmt.Sprintf("%08x-aaaa-4bbb-8ccc-%012x", i+1, i+1)
		mac := net.HardwareAddr{0xfa, 0x16, 0x3e, 0, 0, byte(i + 1)}
		g.port = &state.Port{ID: id, NetworkID: "net", DeviceOwner: "compute:nova", MAC: mac,
			IPs: []state.FixedIP{{IP: g.ip}, {IP: g.ip6}}, AdminUp: true, PortSecurity: true}
		l.host.Ports[id] = g.port
		must(t, nsutil.Ensure(g.ns))
		gns, err := nsutil.Open(g.ns)
		must(t, err)
		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: g.port.Device(), MasterIndex: 0},
			PeerName: "eth0", PeerHardwareAddr: mac, PeerNamespace: netlink.NsFd(gns)}
		err = h.LinkAdd(veth)
		gns.Close()
		must(t, err)
		link, err := h.LinkByName(g.port.Device())
		must(t, err)
		must(t, h.LinkSetMaster(link, br))
		must(t, h.LinkSetUp(link))
		gh, err := nsutil.Handle(g.ns)
		must(t, err)
		eth, err := gh.LinkByName("eth0")
		must(t, err)
		must(t, gh.AddrAdd(eth, &netlink.Addr{IPNet: &net.IPNet{IP: g.ip.AsSlice(), Mask: net.CIDRMask(24, 32)}}))
		must(t, gh.AddrAdd(eth, &netlink.Addr{IPNet: &net.IPNet{IP: g.ip6.AsSlice(), Mask: net.CIDRMask(64, 128)}, Flags: unix.IFA_F_NODAD}))
		must(t, gh.LinkSetUp(eth))
		gh.Delete()
		l.guests = append(l.guests, g)
	}
	l.fw = New(Config{Root: l.root})
	return l
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (l *lab) apply() {
	l.t.Helper()
	must(l.t, l.fw.Apply(context.Background(), l.host))
}

// ping6 is ping over IPv6.
func (l *lab) ping6(from, to int) bool {
	for range 3 {
		err := exec.Command("ip", "netns", "exec", l.guests[from].ns, "busybox", "ping", "-6", "-c1", "-W1", l.guests[to].ip6.String()).Run()
		if err == nil {
			return true
		}
	}
	return false
}

// ping reports whether guest from gets an echo reply from guest to. It
// tries three times, so that a neighbour entry that failed while
// packets were dropped has time to resolve again; a ping expected to
// fail takes those 3 s too.
func (l *lab) ping(from, to int) bool {
	for range 3 {
		err := exec.Command("ip", "netns", "exec", l.guests[from].ns, "busybox", "ping", "-c1", "-W1", l.guests[to].ip.String()).Run()
		if err == nil {
			return true
		}
	}
	return false
}

// dial reports whether guest from connects to guest to on a TCP port.
func (l *lab) dial(from, to, port int) bool {
	var ok bool
	err := nsutil.Do(l.guests[from].ns, func() error {
		c, err := net.DialTimeout("tcp", netip.AddrPortFrom(l.guests[to].ip, uint16(port)).String(), time.Second)
		if err == nil {
			ok = true
			c.Close()
		}
		return nil
	})
	must(l.t, err)
	return ok
}

// listen accepts (and closes) connections in guest g on a TCP port.
func (l *lab) listen(g, port int) {
	var ln net.Listener
	must(l.t, nsutil.Do(l.guests[g].ns, func() error {
		var err error
		ln, err = net.Listen("tcp", fmt.Sprintf(":%d", port))
		return err
	}))
	l.t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

func (l *lab) group(id string, rules ...state.Rule) *state.Group {
	g := &state.Group{ID: id, Stateful: true, Rules: rules}
	l.host.Groups[id] = g
	return g
}

var (
	egressAll = []state.Rule{
		{ID: "e4", Direction: "egress", Ethertype: "IPv4", Protocol: -1},
		{ID: "e6", Direction: "egress", Ethertype: "IPv6", Protocol: -1},
	}
	icmpIn = state.Rule{ID: "icmp", Direction: "ingress", Ethertype: "IPv4", Protocol: 1, PortMin: state.Any, PortMax: state.Any}
)

func TestICMPAndConntrackFlush(t *testing.T) {
	l := newLab(t, 2)
	l.group("base", egressAll...)
	sg := l.group("icmp", icmpIn)
	for _, g := range l.guests {
		g.port.Groups = []string{"base", "icmp"}
	}
	l.apply()
	if !l.ping(0, 1) {
		t.Fatal("ping with an ICMP ingress rule failed")
	}

	// A running ping (one ICMP id: an established flow) must stop
	// within 2 s of the rule's removal.
	cmd := exec.Command("ip", "netns", "exec", l.guests[0].ns, "busybox", "ping", "-i", "0.2", l.guests[1].ip.String())
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var last atomic.Int64
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "bytes from") {
				last.Store(time.Now().UnixNano())
			}
		}
	}()
	time.Sleep(time.Second)
	if last.Load() == 0 {
		t.Fatal("the ping loop got no reply")
	}
	sg.Rules = nil
	removed := time.Now()
	l.apply()
	time.Sleep(3 * time.Second)
	if got := time.Unix(0, last.Load()); got.After(removed.Add(2 * time.Second)) {
		t.Fatalf("the running ping still got a reply %v after the rule was removed", got.Sub(removed))
	}
	if l.ping(0, 1) {
		t.Fatal("ping without an ICMP rule succeeded")
	}
}

func TestTCPPort(t *testing.T) {
	l := newLab(t, 2)
	l.group("base", egressAll...)
	l.group("web", state.Rule{ID: "tcp", Direction: "ingress", Ethertype: "IPv4", Protocol: 6, PortMin: 8080, PortMax: 8080})
	l.guests[0].port.Groups = []string{"base"}
	l.guests[1].port.Groups = []string{"base", "web"}
	l.apply()
	l.listen(1, 8080)
	l.listen(1, 8081)
	if !l.dial(0, 1, 8080) {
		t.Error("port 8080, allowed, refused")
	}
	if l.dial(0, 1, 8081) {
		t.Error("port 8081, not allowed, accepted")
	}
	if l.ping(0, 1) {
		t.Error("ping without an ICMP rule succeeded")
	}
}

func TestRemoteGroup(t *testing.T) {
	l := newLab(t, 3)
	l.group("base", egressAll...)
	l.group("members").Members = []netip.Addr{l.guests[0].ip, l.guests[1].ip}
	l.group("fromgroup", state.Rule{ID: "rg", Direction: "ingress", Ethertype: "IPv4", Protocol: 1, PortMin: state.Any, PortMax: state.Any, RemoteGroup: "members"})
	l.guests[0].port.Groups = []string{"base", "members"}
	l.guests[1].port.Groups = []string{"base", "fromgroup"}
	l.guests[2].port.Groups = []string{"base"}
	l.apply()
	if !l.ping(0, 1) {
		t.Error("a member of the remote group cannot ping")
	}
	if l.ping(2, 1) {
		t.Error("a non-member of the remote group can ping")
	}
	// A member that leaves loses access.
	l.host.Groups["members"].Members = []netip.Addr{l.guests[1].ip}
	l.apply()
	if l.ping(0, 1) {
		t.Error("a removed member can still ping")
	}
}

func TestRemotePrefix(t *testing.T) {
	l := newLab(t, 3)
	l.group("base", egressAll...)
	l.group("prefix", state.Rule{ID: "p", Direction: "ingress", Ethertype: "IPv4", Protocol: 1, PortMin: state.Any, PortMax: state.Any,
		RemotePrefix: netip.PrefixFrom(l.guests[0].ip, 32)})
	l.guests[0].port.Groups = []string{"base"}
	l.guests[1].port.Groups = []string{"base", "prefix"}
	l.guests[2].port.Groups = []string{"base"}
	l.apply()
	if !l.ping(0, 1) {
		t.Error("the remote prefix cannot ping")
	}
	if l.ping(2, 1) {
		t.Error("an address outside the remote prefix can ping")
	}
}

func TestAntiSpoofing(t *testing.T) {
	l := newLab(t, 2)
	l.group("base", append([]state.Rule{icmpIn}, egressAll...)...)
	for _, g := range l.guests {
		g.port.Groups = []string{"base"}
	}
	l.apply()
	if !l.ping(0, 1) {
		t.Fatal("ping failed before spoofing")
	}
	// Guest 0 takes another address in the subnet.
	gh, err := nsutil.Handle(l.guests[0].ns)
	must(t, err)
	defer gh.Delete()
	eth, err := gh.LinkByName("eth0")
	must(t, err)
	must(t, gh.AddrDel(eth, &netlink.Addr{IPNet: &net.IPNet{IP: l.guests[0].ip.AsSlice(), Mask: net.CIDRMask(24, 32)}}))
	must(t, gh.AddrAdd(eth, &netlink.Addr{IPNet: &net.IPNet{IP: net.IPv4(10, 9, 0, 50), Mask: net.CIDRMask(24, 32)}}))
	if l.ping(0, 1) {
		t.Error("a guest with a spoofed address can ping")
	}
	// An allowed address pair makes that address legitimate.
	l.guests[0].port.AddressPairs = []state.AddressPair{{Prefix: netip.MustParsePrefix("10.9.0.48/29")}}
	l.apply()
	if !l.ping(0, 1) {
		t.Error("a guest sending from an allowed address pair cannot ping")
	}
	// And a spoofed MAC is dropped whatever the address.
	must(t, gh.LinkSetHardwareAddr(eth, net.HardwareAddr{0xfa, 0x16, 0x3e, 0, 0, 0x99}))
	if l.ping(0, 1) {
		t.Error("a guest with a spoofed MAC can ping")
	}
}

func TestPortSecurityOff(t *testing.T) {
	l := newLab(t, 2)
	l.group("base", egressAll...)
	l.guests[0].port.Groups = []string{"base"}
	l.guests[1].port.Groups = nil
	l.apply()
	if l.ping(0, 1) {
		t.Fatal("ping to a port without groups succeeded")
	}
	l.guests[1].port.PortSecurity = false
	l.apply()
	if !l.ping(0, 1) {
		t.Error("ping to a port without port security failed")
	}
	// Port security off: no anti-spoofing either.
	l.guests[1].port.MAC = net.HardwareAddr{0xfa, 0x16, 0x3e, 0, 0, 0x77}
	l.guests[1].port.IPs = []state.FixedIP{{IP: netip.MustParseAddr("10.9.0.77")}}
	l.apply()
	if !l.ping(0, 1) {
		t.Error("ping to a port without port security and other addresses failed")
	}
}

func TestRestoreAndEmpty(t *testing.T) {
	l := newLab(t, 2)
	l.group("base", append([]state.Rule{icmpIn}, egressAll...)...)
	for _, g := range l.guests {
		g.port.Groups = []string{"base"}
	}
	l.apply()
	if !l.ping(0, 1) {
		t.Fatal("ping failed")
	}
	ns, err := nsutil.Open(l.root)
	must(t, err)
	defer ns.Close()
	c, err := nftables.New(nftables.WithNetNSFd(int(ns)))
	must(t, err)
	_, inet := tables()
	ing := &nftables.Chain{Name: prefixIngr + short(l.guests[1].port.ID), Table: inet}

	// Delete the ICMP rule by hand: the rule before the final drop.
	rules, err := c.GetRules(inet, ing)
	must(t, err)
	must(t, c.DelRule(rules[len(rules)-2]))
	must(t, c.Flush())
	if l.ping(0, 1) {
		t.Fatal("ping succeeded with its rule deleted by hand")
	}
	l.apply() // unchanged: skipped
	if l.ping(0, 1) {
		t.Fatal("an unforced Apply rewrote an unchanged ruleset")
	}
	l.fw.Force()
	l.apply()
	if !l.ping(0, 1) {
		t.Fatal("Force+Apply did not restore the rule")
	}

	// A table deleted by hand comes back without Force.
	c.DelTable(inet)
	must(t, c.Flush())
	l.apply()
	if n, _ := c.ListChainsOfTableFamily(nftables.TableFamilyINet); len(n) != 5+2*2 {
		t.Fatalf("inet chains after restore: %d, want 9", len(n))
	}

	// An empty host leaves only the base and shared chains.
	must(t, l.fw.Apply(context.Background(), &state.Host{}))
	for fam, want := range map[nftables.TableFamily]int{nftables.TableFamilyBridge: 2, nftables.TableFamilyINet: 5} {
		chains, err := c.ListChainsOfTableFamily(fam)
		must(t, err)
		n := 0
		for _, ch := range chains {
			if ch.Table.Name == TableName {
				n++
			}
		}
		if n != want {
			t.Errorf("family %v: %d chains after an empty Apply, want %d", fam, n, want)
		}
	}
}

func TestIPv6(t *testing.T) {
	l := newLab(t, 3)
	l.group("base", egressAll...)
	// "icmp" in an IPv6 rule is ICMPv6; type 128 is the echo request.
	l.group("ping6", state.Rule{ID: "p6", Direction: "ingress", Ethertype: "IPv6", Protocol: 1, PortMin: 128, PortMax: state.Any},
		state.Rule{ID: "p4", Direction: "ingress", Ethertype: "IPv4", Protocol: 1, PortMin: state.Any, PortMax: state.Any,
			RemotePrefix: netip.MustParsePrefix("10.9.0.0/24")})
	l.guests[0].port.Groups = []string{"base"}
	l.guests[1].port.Groups = []string{"base", "ping6"}
	l.guests[2].port.Groups = []string{"base"}
	l.apply()
	if !l.ping6(0, 1) {
		t.Error("IPv6 ping allowed by an ICMPv6 echo rule failed")
	}
	if l.ping6(1, 2) {
		t.Error("IPv6 ping to a port without an ICMPv6 rule succeeded")
	}
	if !l.ping(0, 1) {
		t.Error("IPv4 ping allowed by a prefix rule failed")
	}
}

func TestStateless(t *testing.T) {
	l := newLab(t, 2)
	l.group("base", egressAll...)
	l.group("icmp", icmpIn)
	l.host.Groups["base"].Stateful = false
	l.host.Groups["icmp"].Stateful = false
	l.guests[0].port.Groups = []string{"base"}
	l.guests[1].port.Groups = []string{"base", "icmp"}
	l.apply()
	// Without conntrack the echo reply needs a rule of its own.
	if l.ping(0, 1) {
		t.Error("a stateless port accepted a reply no rule allows")
	}
	l.guests[0].port.Groups = []string{"base", "icmp"}
	l.apply()
	if !l.ping(0, 1) {
		t.Error("ping between stateless ports allowing ICMP failed")
	}
}

func TestConntrackZone(t *testing.T) {
	l := newLab(t, 2)
	l.group("base", append([]state.Rule{icmpIn}, egressAll...)...)
	for _, g := range l.guests {
		g.port.Groups = []string{"base"}
	}
	// Another network's port sorts first, so this network's zone is 2.
	l.host.Ports["0-other"] = &state.Port{ID: "0-other", NetworkID: "another", PortSecurity: false}
	l.host.Networks["another"] = &state.Network{ID: "another", Type: "local"}
	l.apply()
	if !l.ping(0, 1) {
		t.Fatal("ping failed")
	}
	h, err := nsutil.Handle(l.root)
	must(t, err)
	defer h.Delete()
	flows, err := h.ConntrackTableList(netlink.ConntrackTable, unix.AF_INET)
	must(t, err)
	found := false
	for _, f := range flows {
		if f.Forward.Protocol == 1 && f.Forward.SrcIP.Equal(l.guests[0].ip.AsSlice()) && f.Forward.DstIP.Equal(l.guests[1].ip.AsSlice()) {
			found = true
			if f.Zone != 2 {
				t.Errorf("the flow is in conntrack zone %d, want 2", f.Zone)
			}
		}
	}
	if !found {
		t.Errorf("no conntrack entry for the ping among %d", len(flows))
	}
}
