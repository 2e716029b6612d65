package autoalloc_test

import (
	"context"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/autoalloc"
	"github.com/gostack/gostack/internal/network/nettest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// deployment is what an operator sets up for auto-allocation.
type deployment struct {
	external bool // a default external network with a subnet
	v4, v6   bool // default subnet pools
	v4Prefix string
	v4Len    int
}

var full = deployment{external: true, v4: true, v4Prefix: "10.0.0.0/16", v4Len: 26}

func setUp(t *testing.T, c *nettest.Cloud, d deployment) {
	t.Helper()
	if d.external {
		ext := c.MustCreate(t, "", "networks", "network", map[string]any{"name": "public", "router:external": true, "is_default": true})
		c.MustCreate(t, "", "subnets", "subnet", map[string]any{"network_id": ext["id"], "cidr": "172.24.4.0/24", "ip_version": 4})
	}
	if d.v4 {
		c.MustCreate(t, "", "subnetpools", "subnetpool", map[string]any{"name": "default-v4", "prefixes": []string{d.v4Prefix},
			"default_prefixlen": d.v4Len, "is_default": true, "shared": true})
	}
	if d.v6 {
		c.MustCreate(t, "", "subnetpools", "subnetpool", map[string]any{"name": "default-v6", "prefixes": []string{"fd00::/48"},
			"default_prefixlen": 64, "is_default": true, "shared": true})
	}
}

// state is what the database holds for a project.
type state struct {
	networks, subnets, routers, interfaces, records int
}

func stateOf(t *testing.T, c *nettest.Cloud, project string) state {
	t.Helper()
	var st state
	q := func(dst *int, query string) {
		if err := c.DB.Reader().QueryRowContext(context.Background(), query, project).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	q(&st.networks, `SELECT COUNT(*) FROM networks WHERE project_id = $1`)
	q(&st.subnets, `SELECT COUNT(*) FROM subnets WHERE project_id = $1`)
	q(&st.routers, `SELECT COUNT(*) FROM routers WHERE project_id = $1`)
	q(&st.interfaces, `SELECT COUNT(*) FROM ports WHERE project_id = $1 AND device_owner = 'network:router_interface'`)
	q(&st.records, `SELECT COUNT(*) FROM auto_allocated_topologies WHERE project_id = $1`)
	return st
}

func member(p string) network.Scope { return network.Scope{ProjectID: p} }

func TestGet(t *testing.T) {
	tests := []struct {
		name      string
		d         deployment
		wantType  string
		wantMsg   string
		wantState state
	}{
		{name: "no external network", d: deployment{v4: true, v4Prefix: "10.0.0.0/16", v4Len: 26},
			wantType: "AutoAllocationFailure", wantMsg: "Deployment error: No default router:external network."},
		{name: "no default pool", d: deployment{external: true},
			wantType: "AutoAllocationFailure", wantMsg: "Deployment error: No default subnetpools defined."},
		{name: "pool overlapping the external subnet", d: deployment{external: true, v4: true, v4Prefix: "172.24.4.0/24", v4Len: 24},
			wantType: "AutoAllocationFailure", wantMsg: "Deployment error: Unable to provide external connectivity."},
		{name: "pool without room", d: deployment{external: true, v4: true, v4Prefix: "10.0.0.0/24", v4Len: 16},
			wantType: "AutoAllocationFailure", wantMsg: "Deployment error: Unable to provide tenant private network."},
		{name: "IPv4", d: full, wantState: state{networks: 1, subnets: 1, routers: 1, interfaces: 1, records: 1}},
		{name: "IPv4 and IPv6", d: deployment{external: true, v4: true, v4Prefix: "10.0.0.0/16", v4Len: 26, v6: true},
			wantState: state{networks: 1, subnets: 2, routers: 1, interfaces: 2, records: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nettest.Start(t, "alice")
			setUp(t, c, tt.d)
			svc := autoalloc.New(c.Svc)
			ctx := context.Background()
			id, err := svc.Get(ctx, member("p-alice"), "p-alice")
			if tt.wantType != "" {
				e, ok := apierr.As(err)
				if !ok || e.Code != 409 || e.Type != tt.wantType || e.Message != tt.wantMsg {
					t.Fatalf("Get: %v, want 409 %s %q", err, tt.wantType, tt.wantMsg)
				}
				// Nothing half made is left behind.
				if got := stateOf(t, c, "p-alice"); got != (state{}) {
					t.Errorf("after a failure: %+v", got)
				}
				if dry := svc.DryRun(ctx); tt.d.external && tt.d.v4 && dry != nil {
					t.Errorf("DryRun: %v, want nil", dry)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := stateOf(t, c, "p-alice"); got != tt.wantState {
				t.Errorf("state %+v, want %+v", got, tt.wantState)
			}
			again, err := svc.Get(ctx, member("p-alice"), "p-alice")
			if err != nil || again != id {
				t.Errorf("second Get: %q %v, want %q", again, err, id)
			}
			if got := stateOf(t, c, "p-alice"); got != tt.wantState {
				t.Errorf("state after a second Get %+v, want %+v", got, tt.wantState)
			}
			st, body := c.Call(t, "alice", "GET", "/v2.0/networks/"+id, nil)
			n, _ := body["network"].(map[string]any)
			if st != 200 || n["name"] != "auto_allocated_network" || n["admin_state_up"] != true || n["project_id"] != "p-alice" {
				t.Errorf("network: %d %v", st, body)
			}
			st, body = c.Call(t, "alice", "GET", "/v2.0/routers?name=auto_allocated_router", nil)
			rs, _ := body["routers"].([]any)
			if st != 200 || len(rs) != 1 {
				t.Fatalf("routers: %d %v", st, body)
			}
			gw, _ := rs[0].(map[string]any)["external_gateway_info"].(map[string]any)
			if gw == nil || gw["enable_snat"] != true {
				t.Errorf("router gateway: %v", rs[0])
			}
			st, body = c.Call(t, "alice", "GET", "/v2.0/subnets?network_id="+id+"&ip_version=4", nil)
			ss, _ := body["subnets"].([]any)
			if st != 200 || len(ss) != 1 || ss[0].(map[string]any)["cidr"] != "10.0.0.0/26" || ss[0].(map[string]any)["name"] != "auto_allocated_subnet_v4" {
				t.Errorf("IPv4 subnet: %d %v", st, body)
			}
		})
	}
}

// TestGetConcurrent: first requests of a project racing end with one
// topology, and every one of them answers its network.
func TestGetConcurrent(t *testing.T) {
	c := nettest.Start(t, "alice")
	setUp(t, c, full)
	svc := autoalloc.New(c.Svc)
	const n = 4
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { ids[i], errs[i] = svc.Get(context.Background(), member("p-alice"), "p-alice") })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Errorf("request %d: %q %v, want %q", i, ids[i], errs[i], ids[0])
		}
	}
	want := state{networks: 1, subnets: 1, routers: 1, interfaces: 1, records: 1}
	if got := stateOf(t, c, "p-alice"); got != want {
		t.Errorf("state %+v, want %+v", got, want)
	}
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name     string
		prepare  func(t *testing.T, c *nettest.Cloud, net string)
		wantType string
	}{
		{name: "topology", prepare: func(*testing.T, *nettest.Cloud, string) {}},
		{name: "server still on the network", wantType: "NetworkInUse", prepare: func(t *testing.T, c *nettest.Cloud, net string) {
			c.MustCreate(t, "alice", "ports", "port", map[string]any{"network_id": net, "device_owner": "compute:nova", "device_id": "vm-1"})
		}},
		{name: "network deleted by hand", prepare: func(t *testing.T, c *nettest.Cloud, net string) {
			_, body := c.Call(t, "alice", "GET", "/v2.0/routers?name=auto_allocated_router", nil)
			r := body["routers"].([]any)[0].(map[string]any)["id"].(string)
			_, body = c.Call(t, "alice", "GET", "/v2.0/subnets?network_id="+net, nil)
			for _, s := range body["subnets"].([]any) {
				if st, b := c.Call(t, "alice", "PUT", "/v2.0/routers/"+r+"/remove_router_interface", map[string]any{"subnet_id": s.(map[string]any)["id"]}); st != 200 {
					t.Fatalf("remove interface: %d %v", st, b)
				}
			}
			if st, b := c.Call(t, "alice", "DELETE", "/v2.0/routers/"+r, nil); st != 204 {
				t.Fatalf("delete router: %d %v", st, b)
			}
			if st, b := c.Call(t, "alice", "DELETE", "/v2.0/networks/"+net, nil); st != 204 {
				t.Fatalf("delete network: %d %v", st, b)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nettest.Start(t, "alice")
			setUp(t, c, full)
			svc := autoalloc.New(c.Svc)
			ctx := context.Background()
			net, err := svc.Get(ctx, member("p-alice"), "p-alice")
			if err != nil {
				t.Fatal(err)
			}
			tt.prepare(t, c, net)
			before := stateOf(t, c, "p-alice")
			err = svc.Delete(ctx, member("p-alice"), "p-alice")
			if tt.wantType != "" {
				if e, ok := apierr.As(err); !ok || e.Code != 409 || e.Type != tt.wantType {
					t.Fatalf("Delete: %v, want 409 %s", err, tt.wantType)
				}
				if got := stateOf(t, c, "p-alice"); got != before {
					t.Errorf("a refused delete changed %+v into %+v", before, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := stateOf(t, c, "p-alice"); got != (state{}) {
				t.Errorf("after Delete: %+v", got)
			}
			// A project without a topology: no error, as in Neutron.
			if err := svc.Delete(ctx, member("p-alice"), "p-alice"); err != nil {
				t.Errorf("second Delete: %v", err)
			}
			// And the next request makes a new one.
			again, err := svc.Get(ctx, member("p-alice"), "p-alice")
			if err != nil || again == net {
				t.Errorf("Get after Delete: %q %v (old %q)", again, err, net)
			}
		})
	}
}

// TestQuota: the topology counts against the project's quotas.
func TestQuota(t *testing.T) {
	c := nettest.Start(t, "alice")
	setUp(t, c, full)
	if st, b := c.Call(t, "", "PUT", "/v2.0/quotas/p-alice", map[string]any{"quota": map[string]any{"router": 0}}); st != 200 {
		t.Fatalf("quota: %d %v", st, b)
	}
	_, err := autoalloc.New(c.Svc).Get(context.Background(), member("p-alice"), "p-alice")
	if e, ok := apierr.As(err); !ok || e.Type != "OverQuota" {
		t.Fatalf("Get: %v, want OverQuota", err)
	}
	if got := stateOf(t, c, "p-alice"); got != (state{}) {
		t.Errorf("after a refusal: %+v", got)
	}
}
