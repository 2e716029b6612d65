package core_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/gostack/gostack/internal/network"
	netapi "github.com/gostack/gostack/internal/network/api"
	"github.com/gostack/gostack/internal/network/nettest"
	"github.com/gostack/gostack/internal/network/policies"
	"github.com/gostack/gostack/internal/network/ports"
	netstore "github.com/gostack/gostack/internal/network/store"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// A plain port list, served from the caches of decoded and rendered
// ports, shows every change to a port: through the process that made
// it and through another one over the same database (its own caches,
// as a second gostack or a standalone agent has). Each change moves
// the port's revision_number, and the list equals the port's show,
// which reads the database and renders the port afresh.
func TestPortListFollowsChanges(t *testing.T) {
	ctx := context.Background()
	c := nettest.Start(t, "alice")
	svc2, err := network.New(network.Config{VNIRanges: []string{"1:1000"}}, netstore.New(c.DB))
	if err != nil {
		t.Fatal(err)
	}
	other := apitest.Serve(t, netapi.New(svc2, apitest.Policy(t, policies.Defaults()), apitest.Tokens("alice"), slog.New(slog.DiscardHandler)).Handler())

	nid := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "n"})["id"].(string)
	s1 := c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.0.0.0/24"})["id"].(string)
	s2 := c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.0.1.0/24"})["id"].(string)
	sg := c.MustCreate(t, "alice", "security-groups", "security_group", map[string]any{"name": "web"})["id"].(string)
	router := c.MustCreate(t, "alice", "routers", "router", map[string]any{"name": "r"})["id"].(string)
	pid := c.MustCreate(t, "alice", "ports", "port", map[string]any{"network_id": nid, "name": "p"})["id"].(string)
	dhcp := c.MustCreate(t, "", "ports", "port", map[string]any{"network_id": nid, "project_id": nettest.Project("alice"),
		"device_owner": "network:dhcp", "fixed_ips": []any{map[string]any{"subnet_id": s1}, map[string]any{"subnet_id": s2}}})["id"].(string)

	call := func(token, method, path string, body any, want int) {
		t.Helper()
		if st, b := c.Call(t, token, method, path, body); st != want {
			t.Fatalf("%s %s = %d %v, want %d", method, path, st, b, want)
		}
	}
	listed := func(srv *apitest.Server, id string) map[string]any {
		t.Helper()
		r := srv.Do(t, apitest.Request{Method: "GET", Path: "/v2.0/ports", Token: apitest.Admin})
		var body struct{ Ports []map[string]any }
		if err := json.Unmarshal(r.Body, &body); err != nil || r.Status != 200 {
			t.Fatalf("list = %d %s", r.Status, r.Body)
		}
		for _, p := range body.Ports {
			if p["id"] == id {
				return p
			}
		}
		t.Fatalf("port %s not listed", id)
		return nil
	}
	rev := map[string]float64{}
	for _, step := range []struct {
		name string
		port string
		do   func()
	}{
		{"created", pid, func() {}},
		{"renamed", pid, func() {
			call("alice", "PUT", "/v2.0/ports/"+pid, map[string]any{"port": map[string]any{"name": "q"}}, 200)
		}},
		{"readdressed", pid, func() {
			call("alice", "PUT", "/v2.0/ports/"+pid, map[string]any{"port": map[string]any{"fixed_ips": []any{map[string]any{"subnet_id": s2}}}}, 200)
		}},
		{"groups", pid, func() {
			call("alice", "PUT", "/v2.0/ports/"+pid, map[string]any{"port": map[string]any{"security_groups": []any{sg}}}, 200)
		}},
		{"pairs and options", pid, func() {
			call("alice", "PUT", "/v2.0/ports/"+pid, map[string]any{"port": map[string]any{
				"allowed_address_pairs": []any{map[string]any{"ip_address": "10.0.0.99"}},
				"extra_dhcp_opts":       []any{map[string]any{"opt_name": "mtu", "opt_value": "1400"}}}}, 200)
		}},
		{"bound", pid, func() {
			call("", "PUT", "/v2.0/ports/"+pid, map[string]any{"port": map[string]any{"binding:host_id": "h1", "binding:profile": map[string]any{"a": 1}}}, 200)
		}},
		{"status", pid, func() {
			if err := ports.New(c.Svc).ReportStatus(ctx, ports.StatusReport{Host: "h1", Status: map[string]string{pid: "DOWN"}}); err != nil {
				t.Fatal(err)
			}
		}},
		{"tagged", pid, func() { call("alice", "PUT", "/v2.0/ports/"+pid+"/tags/blue", nil, 201) }},
		{"router interface", pid, func() {
			call("alice", "PUT", "/v2.0/routers/"+router+"/add_router_interface", map[string]any{"port_id": pid}, 200)
		}},
		{"DHCP port created", dhcp, func() {}},
		{"its subnet deleted", dhcp, func() { call("alice", "DELETE", "/v2.0/subnets/"+s1, nil, 204) }},
	} {
		step.do()
		for _, srv := range []*apitest.Server{c.Server, other} {
			// Twice: the second list is served from the caches.
			for range 2 {
				got := listed(srv, step.port)
				st, show := c.Call(t, "", "GET", "/v2.0/ports/"+step.port, nil)
				if st != 200 {
					t.Fatalf("%s: show = %d", step.name, st)
				}
				want, _ := json.Marshal(show["port"])
				if g, _ := json.Marshal(got); string(g) != string(want) {
					t.Fatalf("%s: listed\n%s\nshown\n%s", step.name, g, want)
				}
			}
		}
		r := listed(c.Server, step.port)["revision_number"].(float64)
		if prev, ok := rev[step.port]; ok && step.name != "tagged" && r <= prev {
			t.Errorf("%s: revision %v after %v", step.name, r, prev)
		}
		rev[step.port] = r
	}
}
