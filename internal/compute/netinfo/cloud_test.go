package netinfo_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/testcloud"
)

// cloud is a test cloud with a member project, a flavor and an image,
// seen through the compute and network APIs.
type cloud struct {
	*testcloud.Cloud
	t                 *testing.T
	compute, network  string
	admin, member     string
	project, flavor   string
	image             string
	microversion      string
	adminProjectToken string
}

// startCloud starts a whole cloud with two fake hosts, a project with a
// member user, a public flavor and an active image.
func startCloud(t *testing.T) *cloud {
	t.Helper()
	tc := testcloud.Start(t, func(c *config.Config) {
		c.Compute.FakeHypervisors = 2
		c.Compute.FakeDelay = -1
	})
	c := &cloud{Cloud: tc, t: t, compute: strings.TrimSuffix(tc.Env.URLs["compute"], "/v2.1"), network: tc.Env.URLs["network"], microversion: "2.1"}
	if c.network == "" {
		t.Fatal("the test cloud runs no network service")
	}
	c.admin = tc.AdminToken(t)
	c.adminProjectToken = c.admin
	_, b := c.ok("POST", tc.AuthURL+"/projects", c.admin, map[string]any{"project": map[string]any{"name": "p1"}}, 201)
	c.project = str(b, "project", "id")
	_, b = c.ok("POST", tc.AuthURL+"/users", c.admin, map[string]any{"user": map[string]any{"name": "u1", "password": "u1-secret", "default_project_id": c.project}}, 201)
	user := str(b, "user", "id")
	_, b = c.ok("GET", tc.AuthURL+"/roles?name=member", c.admin, nil, 200)
	role := b["roles"].([]any)[0].(map[string]any)["id"].(string)
	c.ok("PUT", tc.AuthURL+"/projects/"+c.project+"/users/"+user+"/roles/"+role, c.admin, nil, 204)
	c.member = tc.Token(t, "u1", "u1-secret", "p1")

	_, b = c.ok("POST", c.compute+"/v2.1/flavors", c.admin, map[string]any{"flavor": map[string]any{"name": "small", "ram": 64, "vcpus": 1, "disk": 1}}, 200)
	c.flavor = str(b, "flavor", "id")
	_, b = c.ok("POST", tc.Env.URLs["image"]+"/v2/images", c.admin, map[string]any{"name": "img", "disk_format": "raw", "container_format": "bare", "visibility": "public"}, 201)
	c.image = str(b, "id")
	req, _ := http.NewRequest("PUT", tc.Env.URLs["image"]+"/v2/images/"+c.image+"/file", bytes.NewReader(make([]byte, 1024)))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("X-Auth-Token", c.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("image upload: %d", resp.StatusCode)
	}
	return c
}

// do sends a JSON request at the cloud's compute microversion.
func (c *cloud) do(method, url, token string, body any) (*http.Response, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Auth-Token", token)
	req.Header.Set("X-OpenStack-Nova-API-Version", c.microversion)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if json.Unmarshal(raw, &out) != nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp, out
}

// ok is do that fails the test unless the answer has status want.
func (c *cloud) ok(method, url, token string, body any, want int) (*http.Response, map[string]any) {
	c.t.Helper()
	resp, out := c.do(method, url, token, body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: %d, want %d: %v", method, url, resp.StatusCode, want, out)
	}
	return resp, out
}

// str digs a string out of nested objects.
func str(m map[string]any, keys ...string) string {
	var v any = m
	for _, k := range keys {
		o, _ := v.(map[string]any)
		v = o[k]
	}
	s, _ := v.(string)
	return s
}

// netWithSubnet creates a network with an IPv4 subnet as token.
func (c *cloud) netWithSubnet(token, name, cidr string) string {
	c.t.Helper()
	_, b := c.ok("POST", c.network+"/v2.0/networks", token, map[string]any{"network": map[string]any{"name": name}}, 201)
	id := str(b, "network", "id")
	c.ok("POST", c.network+"/v2.0/subnets", token, map[string]any{"subnet": map[string]any{"network_id": id, "cidr": cidr, "ip_version": 4}}, 201)
	return id
}

// boot creates a server and waits until it is ACTIVE.
func (c *cloud) boot(token, name string, networks any, extra map[string]any) map[string]any {
	c.t.Helper()
	s := map[string]any{"name": name, "imageRef": c.image, "flavorRef": c.flavor, "networks": networks}
	for k, v := range extra {
		s[k] = v
	}
	_, b := c.ok("POST", c.compute+"/v2.1/servers", token, map[string]any{"server": s}, 202)
	return c.wait(token, str(b, "server", "id"), "ACTIVE")
}

// wait polls a server until its status is want.
func (c *cloud) wait(token, id, want string) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, b := c.ok("GET", c.compute+"/v2.1/servers/"+id, token, nil, 200)
		s := b["server"].(map[string]any)
		if s["status"] == want {
			return s
		}
		if s["status"] == "ERROR" || time.Now().After(deadline) {
			c.t.Fatalf("server %s: status %v, want %s: %v", id, s["status"], want, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// gone polls until the server is deleted.
func (c *cloud) gone(token, id string) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, _ := c.do("GET", c.compute+"/v2.1/servers/"+id, token, nil)
		if resp.StatusCode == 404 {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("server %s not deleted", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ports lists the ports of a device as the admin sees them.
func (c *cloud) ports(q string) []map[string]any {
	c.t.Helper()
	_, b := c.ok("GET", c.network+"/v2.0/ports?"+q, c.admin, nil, 200)
	var out []map[string]any
	for _, p := range b["ports"].([]any) {
		out = append(out, p.(map[string]any))
	}
	return out
}

func (c *cloud) port(id string) map[string]any {
	c.t.Helper()
	_, b := c.ok("GET", c.network+"/v2.0/ports/"+id, c.admin, nil, 200)
	return b["port"].(map[string]any)
}

// addrs is a server's addresses on one network.
func addrs(s map[string]any, network string) []string {
	var out []string
	a, _ := s["addresses"].(map[string]any)
	l, _ := a[network].([]any)
	for _, x := range l {
		m := x.(map[string]any)
		out = append(out, fmt.Sprintf("%v/%v/%v", m["addr"], m["version"], m["OS-EXT-IPS:type"]))
	}
	return out
}

func TestServerPortsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a whole cloud")
	}
	c := startCloud(t)
	netID := c.netWithSubnet(c.member, "net1", "10.1.0.0/24")

	// A server on the network gets a port of compute's, bound to its host.
	s := c.boot(c.member, "vm1", []map[string]any{{"uuid": netID}}, nil)
	id := str(s, "id")
	got := addrs(s, "net1")
	if len(got) != 1 || !strings.HasPrefix(got[0], "10.1.0.") || !strings.HasSuffix(got[0], "/4/fixed") {
		t.Fatalf("addresses: %v", s["addresses"])
	}
	_, ips := c.ok("GET", c.compute+"/v2.1/servers/"+id+"/ips", c.member, nil, 200)
	if a, _ := ips["addresses"].(map[string]any); len(a) != 1 || a["net1"] == nil {
		t.Fatalf("ips: %v", ips)
	}
	_, one := c.ok("GET", c.compute+"/v2.1/servers/"+id+"/ips/net1", c.member, nil, 200)
	if l, _ := one["net1"].([]any); len(l) != 1 {
		t.Fatalf("ips/net1: %v", one)
	}
	ports := c.ports("device_id=" + id)
	if len(ports) != 1 {
		t.Fatalf("ports of the server: %v", ports)
	}
	p := ports[0]
	_, admin := c.ok("GET", c.compute+"/v2.1/servers/"+id, c.admin, nil, 200)
	host := str(admin, "server", "OS-EXT-SRV-ATTR:host")
	if p["device_owner"] != "compute:nova" || p["binding:host_id"] != host || host == "" || p["status"] != "ACTIVE" ||
		p["project_id"] != c.project {
		t.Fatalf("port %v: owner %v host %v (server on %q) status %v project %v", p["id"], p["device_owner"], p["binding:host_id"], host, p["status"], p["project_id"])
	}
	if sg, _ := s["security_groups"].([]any); len(sg) != 1 || sg[0].(map[string]any)["name"] != "default" {
		t.Fatalf("security_groups: %v", s["security_groups"])
	}
	c.ok("DELETE", c.compute+"/v2.1/servers/"+id, c.member, nil, 204)
	c.gone(c.member, id)
	if l := c.ports("device_id=" + id); len(l) != 0 {
		t.Fatalf("ports left after delete: %v", l)
	}
	if resp, _ := c.do("GET", c.network+"/v2.0/ports/"+str(p, "id"), c.admin, nil); resp.StatusCode != 404 {
		t.Fatalf("compute's port survives the delete: %d", resp.StatusCode)
	}

	// A port the user made survives the server, unbound.
	_, b := c.ok("POST", c.network+"/v2.0/ports", c.member, map[string]any{"port": map[string]any{"network_id": netID, "name": "mine"}}, 201)
	portID := str(b, "port", "id")
	s = c.boot(c.member, "vm2", []map[string]any{{"port": portID}}, nil)
	id = str(s, "id")
	p = c.port(portID)
	if p["device_id"] != id || p["device_owner"] != "compute:nova" || p["binding:host_id"] == "" {
		t.Fatalf("given port not bound: %v", p)
	}
	if got := addrs(s, "net1"); len(got) != 1 {
		t.Fatalf("addresses with a given port: %v", s["addresses"])
	}
	c.ok("DELETE", c.compute+"/v2.1/servers/"+id, c.member, nil, 204)
	c.gone(c.member, id)
	p = c.port(portID)
	if p["device_id"] != "" || p["device_owner"] != "" || p["binding:host_id"] != "" {
		t.Fatalf("given port still bound after delete: %v", p)
	}
}

// names are the security group names of a server view.
func names(s map[string]any) []string {
	var out []string
	l, _ := s["security_groups"].([]any)
	for _, g := range l {
		out = append(out, fmt.Sprint(g.(map[string]any)["name"]))
	}
	return out
}

func TestServerSecurityGroupsAndFloatingIPs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a whole cloud")
	}
	c := startCloud(t)
	netID := c.netWithSubnet(c.member, "net1", "10.2.0.0/24")
	_, b := c.ok("POST", c.network+"/v2.0/security-groups", c.member, map[string]any{"security_group": map[string]any{"name": "web"}}, 201)
	web := str(b, "security_group", "id")

	// Created with a named group: the port has it, the view shows it.
	s := c.boot(c.member, "vm1", []map[string]any{{"uuid": netID}}, map[string]any{"security_groups": []map[string]any{{"name": "web"}}})
	id := str(s, "id")
	if got := names(s); fmt.Sprint(got) != "[web]" {
		t.Fatalf("security_groups at create with web: %v", got)
	}
	act := func(body map[string]any, want int) map[string]any {
		t.Helper()
		_, b := c.ok("POST", c.compute+"/v2.1/servers/"+id+"/action", c.member, body, want)
		return b
	}
	show := func() map[string]any {
		t.Helper()
		_, b := c.ok("GET", c.compute+"/v2.1/servers/"+id, c.member, nil, 200)
		return b["server"].(map[string]any)
	}
	act(map[string]any{"addSecurityGroup": map[string]any{"name": "default"}}, 202)
	if got := names(show()); len(got) != 2 {
		t.Fatalf("security_groups after add: %v", got)
	}
	_, l := c.ok("GET", c.compute+"/v2.1/servers/"+id+"/os-security-groups", c.member, nil, 200)
	if sg, _ := l["security_groups"].([]any); len(sg) != 2 || sg[1].(map[string]any)["id"] != web {
		t.Fatalf("os-security-groups of the server: %v", l)
	}
	if b := act(map[string]any{"addSecurityGroup": map[string]any{"name": "nope"}}, 404); !strings.Contains(fmt.Sprint(b), "nope") {
		t.Fatalf("unknown group: %v", b)
	}
	// A group in use cannot be deleted (Nova's proxy answers 400).
	c.ok("DELETE", c.compute+"/v2.1/os-security-groups/"+web, c.member, nil, 400)
	act(map[string]any{"removeSecurityGroup": map[string]any{"name": "web"}}, 202)
	act(map[string]any{"removeSecurityGroup": map[string]any{"name": "web"}}, 404)
	act(map[string]any{"removeSecurityGroup": map[string]any{"name": "default"}}, 202)
	if s := show(); s["security_groups"] != nil {
		t.Fatalf("security_groups after removing all: %v", s["security_groups"])
	}
	_, l = c.ok("GET", c.compute+"/v2.1/servers/"+id+"/os-security-groups", c.member, nil, 200)
	if sg, _ := l["security_groups"].([]any); len(sg) != 0 {
		t.Fatalf("os-security-groups after removing all: %v", l)
	}

	// Floating IPs: an external network routed to the server's subnet.
	_, b = c.ok("POST", c.network+"/v2.0/networks", c.admin, map[string]any{"network": map[string]any{"name": "public", "router:external": true}}, 201)
	pub := str(b, "network", "id")
	c.ok("POST", c.network+"/v2.0/subnets", c.admin, map[string]any{"subnet": map[string]any{"network_id": pub, "cidr": "172.24.4.0/24", "ip_version": 4}}, 201)
	_, b = c.ok("GET", c.network+"/v2.0/subnets?network_id="+netID, c.member, nil, 200)
	sub := b["subnets"].([]any)[0].(map[string]any)["id"].(string)
	_, b = c.ok("POST", c.network+"/v2.0/routers", c.member, map[string]any{"router": map[string]any{"name": "r1", "external_gateway_info": map[string]any{"network_id": pub}}}, 201)
	c.ok("PUT", c.network+"/v2.0/routers/"+str(b, "router", "id")+"/add_router_interface", c.member, map[string]any{"subnet_id": sub}, 200)
	_, b = c.ok("POST", c.compute+"/v2.1/os-floating-ips", c.member, map[string]any{"pool": "public"}, 200)
	fip, fipID := str(b, "floating_ip", "ip"), str(b, "floating_ip", "id")

	act(map[string]any{"addFloatingIp": map[string]any{"address": "0.0.0.0"}}, 404)
	act(map[string]any{"addFloatingIp": map[string]any{"address": ""}}, 400)
	act(map[string]any{"addFloatingIp": map[string]any{"address": fip, "fixed_address": "10.9.9.9"}}, 400)
	act(map[string]any{"removeFloatingIp": map[string]any{"address": fip}}, 409)
	act(map[string]any{"addFloatingIp": map[string]any{"address": fip}}, 202)
	if got := addrs(show(), "net1"); len(got) != 2 || got[1] != fip+"/4/floating" {
		t.Fatalf("addresses with a floating IP: %v", got)
	}
	_, b = c.ok("GET", c.compute+"/v2.1/os-floating-ips/"+fipID, c.member, nil, 200)
	if str(b, "floating_ip", "instance_id") != id {
		t.Fatalf("floating IP's instance: %v", b)
	}
	// A second address on the same fixed IP is refused.
	_, b = c.ok("POST", c.compute+"/v2.1/os-floating-ips", c.member, map[string]any{"pool": "public"}, 200)
	act(map[string]any{"addFloatingIp": map[string]any{"address": str(b, "floating_ip", "ip")}}, 400)
	act(map[string]any{"removeFloatingIp": map[string]any{"address": fip}}, 202)
	if got := addrs(show(), "net1"); len(got) != 1 {
		t.Fatalf("addresses after removing the floating IP: %v", got)
	}
	c.microversion = "2.44"
	act(map[string]any{"addFloatingIp": map[string]any{"address": fip}}, 404)
}

// hostOf is the server's host as the admin sees it.
func (c *cloud) hostOf(id string) string {
	c.t.Helper()
	_, b := c.ok("GET", c.compute+"/v2.1/servers/"+id, c.admin, nil, 200)
	return str(b, "server", "OS-EXT-SRV-ATTR:host")
}

// boundTo checks that the server's one port is bound to host.
func (c *cloud) boundTo(what, id, host string) {
	c.t.Helper()
	ports := c.ports("device_id=" + id)
	if len(ports) != 1 || ports[0]["binding:host_id"] != host {
		c.t.Fatalf("%s: ports of %s: %v, want bound to %q", what, id, ports, host)
	}
}

func TestServerPortsFollowMoves(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a whole cloud")
	}
	c := startCloud(t)
	netID := c.netWithSubnet(c.member, "net1", "10.3.0.0/24")
	s := c.boot(c.member, "vm1", []map[string]any{{"uuid": netID}}, nil)
	id := str(s, "id")
	act := func(token string, body map[string]any, want string) {
		t.Helper()
		c.ok("POST", c.compute+"/v2.1/servers/"+id+"/action", token, body, 202)
		c.wait(c.admin, id, want)
	}
	first := c.hostOf(id)
	c.boundTo("boot", id, first)

	// Cold migration, reverted: the ports go to the destination and back.
	act(c.admin, map[string]any{"migrate": nil}, "VERIFY_RESIZE")
	second := c.hostOf(id)
	if second == first {
		t.Fatalf("migrate stayed on %s", first)
	}
	c.boundTo("migrate", id, second)
	act(c.admin, map[string]any{"revertResize": nil}, "ACTIVE")
	c.boundTo("revert", id, first)

	// Cold migration, confirmed.
	act(c.admin, map[string]any{"migrate": nil}, "VERIFY_RESIZE")
	c.ok("POST", c.compute+"/v2.1/servers/"+id+"/action", c.admin, map[string]any{"confirmResize": nil}, 204)
	c.wait(c.admin, id, "ACTIVE")
	c.boundTo("confirm", id, second)

	// Live migration.
	c.microversion = "2.30"
	act(c.admin, map[string]any{"os-migrateLive": map[string]any{"host": nil, "block_migration": "auto"}}, "ACTIVE")
	c.boundTo("live migration", id, c.hostOf(id))
	if c.hostOf(id) != first {
		t.Fatalf("live migration: on %s, want %s", c.hostOf(id), first)
	}

	// Shelve offload unbinds, unshelve binds where the server lands.
	act(c.member, map[string]any{"shelve": nil}, "SHELVED_OFFLOADED")
	c.boundTo("shelve offload", id, "")
	act(c.member, map[string]any{"unshelve": nil}, "ACTIVE")
	c.boundTo("unshelve", id, c.hostOf(id))
	if got := addrs(c.wait(c.member, id, "ACTIVE"), "net1"); len(got) != 1 {
		t.Fatalf("addresses after the moves: %v", got)
	}
}
