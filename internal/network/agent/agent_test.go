package agent_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/agent/agenttest"
	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/nettest"
)

// fakeNova is the metadata API as far as the proxy can tell: it answers
// only requests whose instance id is signed with the shared secret.
func fakeNova(t *testing.T, secret string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Instance-ID")
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(id))
		if id == "" || !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Instance-ID-Signature"))) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		switch r.URL.Path {
		case "/openstack/latest/meta_data.json":
			fmt.Fprintf(w, `{"uuid": %q, "project_id": %q}`, id, r.Header.Get("X-Tenant-ID"))
		case "/openstack/latest/user_data":
			fmt.Fprintf(w, "#!/bin/sh\necho user data of %s\n", id)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// guestGet fetches a URL from inside a guest's namespace.
func guestGet(t *testing.T, ns, url string) (int, string) {
	t.Helper()
	var conn net.Conn
	addr := strings.TrimPrefix(url, "http://")
	addr = addr[:strings.Index(addr, "/")] + ":80"
	err := nsutil.Do(ns, func() error {
		var err error
		conn, err = net.DialTimeout("tcp", addr, 3*time.Second)
		return err
	})
	if err != nil {
		t.Fatalf("dial %s from %s: %v", addr, ns, err)
	}
	cl := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(_ context.Context, _, _ string) (net.Conn, error) { return conn, nil },
	}}
	resp, err := cl.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func serverPort(t *testing.T, c *nettest.Cloud, project, netID, host string, extra map[string]any) map[string]any {
	t.Helper()
	attrs := map[string]any{"network_id": netID, "project_id": project, "binding:host_id": host,
		"device_owner": "compute:nova", "device_id": fmt.Sprintf("00000000-0000-4000-8000-%012d", time.Now().UnixNano()%1e12)}
	for k, v := range extra {
		attrs[k] = v
	}
	return c.MustCreate(t, "", "ports", "port", attrs)
}

func ip0(port map[string]any) string {
	return port["fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
}

func portStatus(t *testing.T, c *nettest.Cloud, id string) string {
	_, body := c.Call(t, "", "GET", "/v2.0/ports/"+id, nil)
	p, _ := body["port"].(map[string]any)
	s, _ := p["status"].(string)
	return s
}

// TestOneHost is the bars 1-4 and 7 on one host: DHCP, tenant
// isolation, a router with SNAT and a floating IP reached from an
// external host, security groups, metadata, clean-up and convergence
// after a restart.
func TestOneHost(t *testing.T) {
	agenttest.Root(t)
	c := nettest.StartConfig(t, network.Config{Mechanism: network.MechLinuxBridge}, "alice", "bob")
	secret := "0123456789abcdef"
	nova := fakeNova(t, secret)
	h := agenttest.Host(t, c, agenttest.HostConfig{Name: "ha", DHCP: true, L3: true, MetadataURL: nova.URL, MetadataSecret: secret})

	ext := c.MustCreate(t, "", "networks", "network", map[string]any{"name": "public", "router:external": true,
		"provider:network_type": "flat", "provider:physical_network": "public"})
	c.MustCreate(t, "", "subnets", "subnet", map[string]any{"network_id": ext["id"], "cidr": "172.24.4.0/24",
		"gateway_ip": "172.24.4.1", "enable_dhcp": false, "ip_version": 4})

	alice, bob := nettest.Project("alice"), nettest.Project("bob")
	netA := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "a"})
	subA := c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": netA["id"], "cidr": "10.10.0.0/24", "ip_version": 4})
	netB := c.MustCreate(t, "bob", "networks", "network", map[string]any{"name": "b"})
	c.MustCreate(t, "bob", "subnets", "subnet", map[string]any{"network_id": netB["id"], "cidr": "10.20.0.0/24", "ip_version": 4})

	p1 := serverPort(t, c, alice, netA["id"].(string), "ha", nil)
	p2 := serverPort(t, c, alice, netA["id"].(string), "ha", nil)
	p3 := serverPort(t, c, bob, netB["id"].(string), "ha", nil)
	if st := portStatus(t, c, p1["id"].(string)); st != "DOWN" {
		t.Errorf("port before its device exists: status %s, want DOWN", st)
	}
	g1 := agenttest.Plug(t, h, "g1", p1)
	g2 := agenttest.Plug(t, h, "g2", p2)
	g3 := agenttest.Plug(t, h, "g3", p3)
	h.Agent.Kick()

	// Bar 1: addresses by DHCP, neighbours reachable, other tenants not.
	ack := g1.DHCP(t)
	g2.DHCP(t)
	g3.DHCP(t)
	if g1.IP.String() != ip0(p1) || g2.IP.String() != ip0(p2) || g3.IP.String() != ip0(p3) {
		t.Fatalf("leases %s %s %s, want the ports' %s %s %s", g1.IP, g2.IP, g3.IP, ip0(p1), ip0(p2), ip0(p3))
	}
	if len(ack.ClasslessStaticRoute()) == 0 {
		t.Errorf("no classless static routes (the metadata route) in the lease")
	}
	if !agenttest.Eventually(5*time.Second, func() bool { return portStatus(t, c, p1["id"].(string)) == "ACTIVE" }) {
		t.Errorf("port plugged: status %s, want ACTIVE", portStatus(t, c, p1["id"].(string)))
	}
	if !agenttest.Eventually(5*time.Second, func() bool { return g1.Ping(ip0(p2)) }) {
		t.Fatalf("g1 cannot ping g2 on the same network (default group admits its members)")
	}
	// An administratively down port passes nothing and shows DOWN.
	setAdmin := func(up bool) {
		if s, b := c.Call(t, "", "PUT", "/v2.0/ports/"+p2["id"].(string), map[string]any{"port": map[string]any{"admin_state_up": up}}); s != 200 {
			t.Fatalf("port update: %d %v", s, b)
		}
		h.Agent.Kick()
	}
	setAdmin(false)
	if !agenttest.Eventually(5*time.Second, func() bool { return !g1.Ping(ip0(p2)) }) {
		t.Errorf("g2's port is admin down, g1 still pings it")
	}
	if st := portStatus(t, c, p2["id"].(string)); st != "DOWN" {
		t.Errorf("admin down port: status %s, want DOWN", st)
	}
	setAdmin(true)
	if !agenttest.Eventually(5*time.Second, func() bool { return g1.Ping(ip0(p2)) }) {
		t.Errorf("g2's port is admin up again, g1 cannot ping it")
	}
	g3.Route(t, "10.10.0.0/24")
	if g3.Ping(ip0(p1)) {
		t.Errorf("bob's guest reached alice's guest")
	}

	// Bar 4: metadata with the signed instance id.
	st, body := guestGet(t, g1.NS, "http://169.254.169.254/openstack/latest/meta_data.json")
	if st != 200 || !strings.Contains(body, p1["device_id"].(string)) || !strings.Contains(body, alice) {
		t.Errorf("meta_data.json: %d %s", st, body)
	}
	st, body = guestGet(t, g1.NS, "http://169.254.169.254/openstack/latest/user_data")
	if st != 200 || !strings.Contains(body, "user data of "+p1["device_id"].(string)) {
		t.Errorf("user_data: %d %s", st, body)
	}

	// Bar 2: a router with SNAT, a floating IP.
	router := c.MustCreate(t, "alice", "routers", "router", map[string]any{"name": "r",
		"external_gateway_info": map[string]any{"network_id": ext["id"]}})
	if s, b := c.Call(t, "alice", "PUT", "/v2.0/routers/"+router["id"].(string)+"/add_router_interface", map[string]any{"subnet_id": subA["id"]}); s != 200 {
		t.Fatalf("add interface: %d %v", s, b)
	}
	fip := c.MustCreate(t, "alice", "floatingips", "floatingip", map[string]any{"floating_network_id": ext["id"], "port_id": p1["id"]})
	fipAddr := fip["floating_ip_address"].(string)
	h.Agent.Kick()
	x := agenttest.External(t, h, "ext", "172.24.4.100/24", "")
	if !agenttest.Eventually(10*time.Second, func() bool { return g2.Ping("172.24.4.100") }) {
		t.Fatalf("g2 cannot reach the external host through the router's SNAT")
	}
	if !agenttest.Eventually(5*time.Second, func() bool { return g1.Ping("172.24.4.100") }) {
		t.Fatalf("g1 cannot reach the external host through its floating IP")
	}
	// The default group admits no ICMP from outside.
	if agenttest.Ping(x, fipAddr) {
		t.Errorf("the external host pinged the floating IP before any rule allowed it")
	}

	// Bar 3: ICMP allowed, then the rule deleted; a TCP rule opens its port only.
	var groups []any
	_, gb := c.Call(t, "alice", "GET", "/v2.0/security-groups?name=default", nil)
	groups, _ = gb["security_groups"].([]any)
	sg := groups[0].(map[string]any)["id"].(string)
	icmp := c.MustCreate(t, "alice", "security-group-rules", "security_group_rule", map[string]any{"security_group_id": sg,
		"direction": "ingress", "protocol": "icmp", "remote_ip_prefix": "0.0.0.0/0"})
	h.Agent.Kick()
	if !agenttest.Eventually(5*time.Second, func() bool { return agenttest.Ping(x, fipAddr) }) {
		t.Fatalf("ICMP allowed, the external host cannot ping the floating IP %s", fipAddr)
	}
	stop := make(chan struct{})
	lost := make(chan time.Time, 1)
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if !agenttest.Ping(x, fipAddr) {
				lost <- time.Now()
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	time.Sleep(300 * time.Millisecond)
	deleted := time.Now()
	if s, _ := c.Call(t, "alice", "DELETE", "/v2.0/security-group-rules/"+icmp["id"].(string), nil); s != 204 {
		t.Fatalf("delete rule: %d", s)
	}
	h.Agent.Kick()
	select {
	case at := <-lost:
		// The last ping may have been answered just before; one ping's
		// wait is a second.
		if d := at.Sub(deleted); d > 2*time.Second {
			t.Errorf("ping stopped %s after the rule was deleted, want within 2 s", d)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("ping still answered 5 s after the ICMP rule was deleted")
	}
	close(stop)
	agenttest.Listen(t, g1.NS, ":8080")
	agenttest.Listen(t, g1.NS, ":8081")
	c.MustCreate(t, "alice", "security-group-rules", "security_group_rule", map[string]any{"security_group_id": sg,
		"direction": "ingress", "protocol": "tcp", "port_range_min": 8080, "port_range_max": 8080, "remote_ip_prefix": "0.0.0.0/0"})
	h.Agent.Kick()
	if !agenttest.Eventually(5*time.Second, func() bool { return agenttest.Dial(x, fipAddr+":8080") }) {
		t.Errorf("TCP 8080 allowed, the external host cannot connect")
	}
	if agenttest.Dial(x, fipAddr+":8081") {
		t.Errorf("TCP 8081 not allowed, the external host connected")
	}

	// Bar 7: kill the agent, tamper with the host, restart: it converges.
	h.Stop()
	bridge := "brq" + netA["id"].(string)[:11]
	hl, err := nsutil.Handle(h.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer hl.Close()
	if l, err := hl.LinkByName(bridge); err != nil {
		t.Fatalf("no bridge %s: %v", bridge, err)
	} else if err := hl.LinkDel(l); err != nil {
		t.Fatal(err)
	}
	if err := hl.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "brqstray00000"}}); err != nil {
		t.Fatal(err)
	}
	// The security groups' rules deleted by hand, a stray router namespace.
	rootNS, err := nsutil.Open(h.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer rootNS.Close()
	nft, err := nftables.New(nftables.WithNetNSFd(int(rootNS)))
	if err != nil {
		t.Fatal(err)
	}
	nft.DelTable(&nftables.Table{Family: nftables.TableFamilyINet, Name: "gostack"})
	if err := nft.Flush(); err != nil {
		t.Fatalf("delete the inet gostack table by hand: %v", err)
	}
	stray := h.NS + "-qrouter-00000000-0000-4000-8000-000000000000"
	if err := nsutil.Ensure(stray); err != nil {
		t.Fatal(err)
	}
	h.Start()
	if !agenttest.Eventually(10*time.Second, func() bool {
		links := agenttest.Links(t, h.NS, "brq")
		return slices.Contains(links, bridge) && !slices.Contains(links, "brqstray00000")
	}) {
		t.Errorf("after a restart: bridges %v, want %s back and the stray one gone", agenttest.Links(t, h.NS, "brq"), bridge)
	}
	if !agenttest.Eventually(10*time.Second, func() bool { return g1.Ping(ip0(p2)) }) {
		t.Errorf("g1 cannot ping g2 after the agent restored the bridge")
	}
	if !agenttest.Eventually(10*time.Second, func() bool { return !nsutil.Exists(stray) }) {
		t.Errorf("the stray router namespace %s is still there after a restart", stray)
	}
	if !agenttest.Eventually(10*time.Second, func() bool {
		tables, err := nft.ListTablesOfFamily(nftables.TableFamilyINet)
		return err == nil && slices.ContainsFunc(tables, func(tb *nftables.Table) bool { return tb.Name == "gostack" })
	}) {
		t.Errorf("the inet gostack table deleted by hand was not restored")
	}
	// The restored rules filter: still no ICMP from outside (the rule
	// allowing it was deleted above), TCP 8080 allowed, 8081 not.
	if agenttest.Ping(x, fipAddr) {
		t.Errorf("after the restore the external host pings the floating IP")
	}
	if !agenttest.Eventually(5*time.Second, func() bool { return agenttest.Dial(x, fipAddr+":8080") }) || agenttest.Dial(x, fipAddr+":8081") {
		t.Errorf("after the restore TCP 8080/8081 are not filtered as the rules say")
	}

	// Bar 7: everything goes with the resources.
	for _, path := range []string{"/v2.0/floatingips/" + fip["id"].(string)} {
		if s, _ := c.Call(t, "alice", "DELETE", path, nil); s != 204 {
			t.Fatalf("DELETE %s: %d", path, s)
		}
	}
	c.Call(t, "alice", "PUT", "/v2.0/routers/"+router["id"].(string)+"/remove_router_interface", map[string]any{"subnet_id": subA["id"]})
	if s, _ := c.Call(t, "alice", "DELETE", "/v2.0/routers/"+router["id"].(string), nil); s != 204 {
		t.Fatalf("delete router: %d", s)
	}
	for _, p := range []map[string]any{p1, p2, p3} {
		c.Call(t, "", "DELETE", "/v2.0/ports/"+p["id"].(string), nil)
	}
	for _, n := range []map[string]any{netA, netB} {
		if s, b := c.Call(t, "", "DELETE", "/v2.0/networks/"+n["id"].(string), nil); s != 204 {
			t.Fatalf("delete network: %d %v", s, b)
		}
	}
	h.Agent.Kick()
	if !agenttest.Eventually(10*time.Second, func() bool {
		return len(agenttest.Namespaces(t, h.NS+"-")) == 0 && len(agenttest.Links(t, h.NS, "brq", "vxlan-")) == 0
	}) {
		t.Errorf("left behind: namespaces %v, links %v", agenttest.Namespaces(t, h.NS+"-"), agenttest.Links(t, h.NS, "brq", "vxlan-"))
	}
}

// TestTwoHosts is bar 5: two agents on two hosts joined by an underlay;
// a guest on each, on one VXLAN network, get their addresses from the
// DHCP server on host a and ping each other.
func TestTwoHosts(t *testing.T) {
	agenttest.Root(t)
	c := nettest.StartConfig(t, network.Config{Mechanism: network.MechLinuxBridge}, "alice")
	a := agenttest.Host(t, c, agenttest.HostConfig{Name: "ta", TunnelIP: netip.MustParseAddr("192.0.2.1"), DHCP: true, L3: true})
	b := agenttest.Host(t, c, agenttest.HostConfig{Name: "tb", TunnelIP: netip.MustParseAddr("192.0.2.2")})
	agenttest.Underlay(t, a, b, "192.0.2.1/24", "192.0.2.2/24")

	alice := nettest.Project("alice")
	n := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "n"})
	if n["provider:network_type"] != nil && n["provider:network_type"] != "vxlan" {
		t.Fatalf("tenant network type %v", n["provider:network_type"])
	}
	c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": n["id"], "cidr": "10.30.0.0/24", "ip_version": 4})
	pa := serverPort(t, c, alice, n["id"].(string), "ta", nil)
	pb := serverPort(t, c, alice, n["id"].(string), "tb", nil)
	ga := agenttest.Plug(t, a, "ga", pa)
	gb := agenttest.Plug(t, b, "gb", pb)
	a.Agent.Kick()
	b.Agent.Kick()
	ga.DHCP(t)
	gb.DHCP(t) // across the underlay: the DHCP server is on host a
	if !agenttest.Eventually(10*time.Second, func() bool { return ga.Ping(ip0(pb)) }) {
		t.Fatalf("guest on host a cannot ping the guest on host b over VXLAN")
	}
	if !gb.Ping(ip0(pa)) {
		t.Errorf("guest on host b cannot ping the guest on host a")
	}
}
