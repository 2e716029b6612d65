package agent_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/agent/agenttest"
	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/nettest"
)

// TestDataPlaneBench measures issue #13's bar 8 when
// GOSTACK_DPBENCH=RUNS is set (bench/dataplane.sh runs it): the time
// from a port's create to the first packet through it, guest-to-guest
// TCP throughput on one host against a plain veth+bridge pair measured
// in the same run, and the time to apply a rule change to a group of
// 200 ports. It prints medians; targets are checked by the script, not
// here.
func TestDataPlaneBench(t *testing.T) {
	runs, _ := strconv.Atoi(os.Getenv("GOSTACK_DPBENCH"))
	if runs <= 0 {
		t.Skip("set GOSTACK_DPBENCH=RUNS to run the data-plane benchmark")
	}
	agenttest.Root(t)
	c := nettest.StartConfig(t, network.Config{Mechanism: network.MechLinuxBridge}, "alice")
	h := agenttest.Host(t, c, agenttest.HostConfig{Name: "hb", DHCP: true, L3: true})
	alice := nettest.Project("alice")
	n := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "n"})
	c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": n["id"], "cidr": "10.40.0.0/16", "ip_version": 4})
	netID := n["id"].(string)
	p0 := serverPort(t, c, alice, netID, "hb", nil)
	g0 := agenttest.Plug(t, h, "b0", p0)
	h.Agent.Kick()
	g0.DHCP(t)

	// 1. Port create → first packet through (TCP connect from g0).
	var wire []time.Duration
	for i := 0; i < runs; i++ {
		start := time.Now()
		p := serverPort(t, c, alice, netID, "hb", nil)
		g := agenttest.Plug(t, h, "w"+strconv.Itoa(i), p)
		staticIP(t, g.NS, ip0(p)+"/16")
		agenttest.Listen(t, g.NS, ":7")
		// Each probe starts with no neighbour entry, so that a failed ARP
		// (the port not wired yet) does not make the next probe wait for
		// the kernel's one-second ARP retry.
		for forgetNeigh(t, g0.NS, ip0(p)); !dialQuick(g0.NS, ip0(p)+":7"); forgetNeigh(t, g0.NS, ip0(p)) {
			if time.Since(start) > 30*time.Second {
				t.Fatalf("port %d never passed a packet", i)
			}
		}
		wire = append(wire, time.Since(start))
	}

	// 2. Throughput: two guests on the data plane vs a plain bridge.
	p1 := serverPort(t, c, alice, netID, "hb", nil)
	g1 := agenttest.Plug(t, h, "b1", p1)
	h.Agent.Kick()
	g1.DHCP(t)
	plainA, plainB := plainPair(t)
	var ours, plain []float64
	for i := 0; i < runs; i++ {
		ours = append(ours, throughput(t, g0.NS, g1.NS, ip0(p1)))
		plain = append(plain, throughput(t, plainA, plainB, "192.0.2.12"))
	}

	// 3. A rule added to a group of 200 ports, applied.
	h.Stop()
	for i := 0; i < 200; i++ {
		serverPort(t, c, alice, netID, "hb", nil)
	}
	_, gb := c.Call(t, "alice", "GET", "/v2.0/security-groups?name=default", nil)
	sg := gb["security_groups"].([]any)[0].(map[string]any)["id"].(string)
	ag := h.Agent
	if err := ag.Reconcile(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	var apply []time.Duration
	for i := 0; i < runs; i++ {
		start := time.Now()
		c.MustCreate(t, "alice", "security-group-rules", "security_group_rule", map[string]any{"security_group_id": sg,
			"direction": "ingress", "protocol": "tcp", "port_range_min": 1000 + i, "port_range_max": 1000 + i})
		if err := ag.Reconcile(context.Background(), false); err != nil {
			t.Fatal(err)
		}
		apply = append(apply, time.Since(start))
	}
	h.Start()

	mo, mp := medianF(ours), medianF(plain)
	fmt.Printf("DPBENCH port-to-first-packet median %s (runs %v)\n", median(wire).Round(time.Millisecond), wire)
	fmt.Printf("DPBENCH throughput median %.0f Mbit/s, plain veth+bridge %.0f Mbit/s, ratio %.2f\n", mo, mp, mo/mp)
	fmt.Printf("DPBENCH sg-change-200-ports median %s (runs %v)\n", median(apply).Round(time.Millisecond), apply)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianF(fs []float64) float64 {
	s := slices.Clone(fs)
	slices.Sort(s)
	return s[len(s)/2]
}

// dialQuick reports whether a TCP connection opens within 50 ms.
func dialQuick(ns, addr string) bool {
	var ok bool
	_ = nsutil.Do(ns, func() error {
		c, err := net.DialTimeout("tcp", addr, 50*time.Millisecond)
		if err == nil {
			c.Close()
			ok = true
		}
		return nil
	})
	return ok
}

// forgetNeigh deletes a namespace's neighbour entry of ip on eth0.
func forgetNeigh(t *testing.T, ns, ip string) {
	hl, err := nsutil.Handle(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer hl.Close()
	l, err := hl.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	_ = hl.NeighDel(&netlink.Neigh{LinkIndex: l.Attrs().Index, IP: net.ParseIP(ip)})
}

// staticIP gives a guest's eth0 an address without DHCP.
func staticIP(t *testing.T, ns, cidr string) {
	t.Helper()
	hl, err := nsutil.Handle(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer hl.Close()
	l, err := hl.LinkByName("eth0")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := netlink.ParseAddr(cidr)
	if err := hl.AddrAdd(l, a); err != nil {
		t.Fatal(err)
	}
}

// plainPair makes two namespaces joined by veths on a plain bridge (no
// rules), the baseline of the throughput ratio: 192.0.2.11 and .12.
func plainPair(t *testing.T) (string, string) {
	t.Helper()
	root := agenttest.Prefix + "plain"
	agenttest.Clean(root)
	if err := nsutil.Ensure(root); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agenttest.Clean(root) })
	rl, err := nsutil.Handle(root)
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close()
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0"}}
	if err := rl.LinkAdd(br); err != nil {
		t.Fatal(err)
	}
	_ = rl.LinkSetUp(br)
	var names []string
	for i, ip := range []string{"192.0.2.11/24", "192.0.2.12/24"} {
		ns := root + "-" + strconv.Itoa(i)
		if err := nsutil.Ensure(ns); err != nil {
			t.Fatal(err)
		}
		h, _ := nsutil.Open(ns)
		v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "pv" + strconv.Itoa(i), MasterIndex: br.Index}, PeerName: "pp" + strconv.Itoa(i)}
		if err := rl.LinkAdd(v); err != nil {
			t.Fatal(err)
		}
		l, _ := rl.LinkByName("pv" + strconv.Itoa(i))
		_ = rl.LinkSetMaster(l, br)
		_ = rl.LinkSetUp(l)
		pl, _ := rl.LinkByName("pp" + strconv.Itoa(i))
		_ = rl.LinkSetNsFd(pl, int(h))
		h.Close()
		gl, _ := nsutil.Handle(ns)
		in, _ := gl.LinkByName("pp" + strconv.Itoa(i))
		a, _ := netlink.ParseAddr(ip)
		_ = gl.AddrAdd(in, a)
		_ = gl.LinkSetUp(in)
		gl.Close()
		names = append(names, ns)
	}
	return names[0], names[1]
}

// throughput sends TCP from namespace from to a receiver in namespace
// to (at addr:5001) for a second and returns Mbit/s.
func throughput(t *testing.T, from, to, addr string) float64 {
	t.Helper()
	var l net.Listener
	if err := nsutil.Do(to, func() error {
		var err error
		l, err = net.Listen("tcp", ":5001")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := make(chan int64, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- 0
			return
		}
		n, _ := io.Copy(io.Discard, c)
		c.Close()
		got <- n
	}()
	var c net.Conn
	if err := nsutil.Do(from, func() error {
		var err error
		c, err = net.DialTimeout("tcp", addr+":5001", 3*time.Second)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 128<<10)
	start := time.Now()
	for time.Since(start) < time.Second {
		if _, err := c.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	n := <-got
	return float64(n) * 8 / time.Since(start).Seconds() / 1e6
}
