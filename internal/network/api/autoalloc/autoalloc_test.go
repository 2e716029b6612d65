package autoalloc_test

import (
	"testing"

	"github.com/gostack/gostack/internal/network/nettest"
)

const path = "/v2.0/auto-allocated-topology/"

func deploy(t *testing.T, c *nettest.Cloud) {
	t.Helper()
	ext := c.MustCreate(t, "", "networks", "network", map[string]any{"name": "public", "router:external": true, "is_default": true})
	c.MustCreate(t, "", "subnets", "subnet", map[string]any{"network_id": ext["id"], "cidr": "172.24.4.0/24", "ip_version": 4})
	c.MustCreate(t, "", "subnetpools", "subnetpool", map[string]any{"name": "default", "prefixes": []string{"10.0.0.0/16"},
		"default_prefixlen": 26, "is_default": true, "shared": true})
}

// TestErrors: what the API answers before and around a topology.
func TestErrors(t *testing.T) {
	tests := []struct {
		name                string
		deployed            bool
		token, method, path string
		wantStatus          int
		wantType, wantMsg   string
	}{
		{"no external network", false, "alice", "GET", path + "p-alice", 409, "AutoAllocationFailure", "Deployment error: No default router:external network."},
		{"dry run, no external network", false, "alice", "GET", path + "p-alice?fields=dry-run", 409, "AutoAllocationFailure", "Deployment error: No default router:external network."},
		{"another project", true, "alice", "GET", path + "p-bob", 403, "PolicyNotAuthorized", "(rule:get_auto_allocated_topology) is disallowed by policy"},
		{"another project's delete", true, "alice", "DELETE", path + "p-bob", 403, "PolicyNotAuthorized", "(rule:delete_auto_allocated_topology) is disallowed by policy"},
		{"unknown field", true, "alice", "GET", path + "p-alice?fields=id", 400, "BadRequest", "Bad auto_allocate request: Unrecognized field."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nettest.Start(t, "alice", "bob")
			if tt.deployed {
				deploy(t, c)
			}
			st, body := c.Call(t, tt.token, tt.method, tt.path, nil)
			typ, msg := nettest.Fault(body)
			if st != tt.wantStatus || typ != tt.wantType || msg != tt.wantMsg {
				t.Errorf("%d %s %q, want %d %s %q", st, typ, msg, tt.wantStatus, tt.wantType, tt.wantMsg)
			}
		})
	}
}

func TestTopology(t *testing.T) {
	c := nettest.Start(t, "alice", "bob")
	deploy(t, c)
	topo := func(token, method, p string, want int) map[string]any {
		t.Helper()
		st, body := c.Call(t, token, method, path+p, nil)
		if st != want {
			t.Fatalf("%s %s: %d %v, want %d", method, p, st, body, want)
		}
		out, _ := body["auto_allocated_topology"].(map[string]any)
		return out
	}
	if got := topo("alice", "GET", "p-alice?fields=dry-run", 200); got["id"] != "dry-run=pass" || got["tenant_id"] != "p-alice" || got["project_id"] != "p-alice" {
		t.Errorf("dry run: %v", got)
	}
	if _, body := c.Call(t, "alice", "GET", "/v2.0/networks", nil); len(body["networks"].([]any)) != 1 {
		t.Errorf("a dry run made something: %v", body)
	}
	first := topo("alice", "GET", "None", 200)
	if first["tenant_id"] != "p-alice" || first["project_id"] != "p-alice" || first["id"] == nil {
		t.Errorf("topology: %v", first)
	}
	if again := topo("alice", "GET", "p-alice", 200); again["id"] != first["id"] {
		t.Errorf("second GET: %v, want %v", again, first)
	}
	// An admin may ask for another project's.
	bob := topo("", "GET", "p-bob", 200)
	st, body := c.Call(t, "bob", "GET", "/v2.0/networks/"+bob["id"].(string), nil)
	if st != 200 || body["network"].(map[string]any)["project_id"] != "p-bob" {
		t.Errorf("bob's network: %d %v", st, body)
	}
	topo("alice", "DELETE", "p-alice", 204)
	if st, body := c.Call(t, "alice", "GET", "/v2.0/networks/"+first["id"].(string), nil); st != 404 {
		t.Errorf("network after DELETE: %d %v", st, body)
	}
	topo("alice", "DELETE", "p-alice", 204)
	st, body = c.Call(t, "", "GET", "/v2.0/extensions/auto-allocated-topology", nil)
	if st != 200 {
		t.Errorf("extension: %d %v", st, body)
	}
}
