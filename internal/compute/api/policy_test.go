package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/policies"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// TestRoutesNamePolicies holds the route table to naming the policy rule
// of every route and action that needs a token, one of Nova's defaults,
// so that an operator's policy file governs the whole API.
func TestRoutesNamePolicies(t *testing.T) {
	apitest.CheckRoutes(t, newHandler(t).Routes(), policies.Defaults())
}

// TestForcedHostPolicy checks that booting on a host of one's choosing is
// the operator's policy to allow: a member is refused by Nova's default
// rules (admin only), and allowed once the policy file grants the rule to
// the member role. The legacy "zone:host" form is governed by
// os_compute_api:servers:create:forced_host, the 2.74 host field by
// os_compute_api:servers:create:requested_destination.
func TestForcedHostPolicy(t *testing.T) {
	const (
		zoneHost = `{"server":{"name":"vm","imageRef":"` + testImage + `","flavorRef":"1","availability_zone":"nova:h1"}}`
		hostAt74 = `{"server":{"name":"vm","imageRef":"` + testImage + `","flavorRef":"1","networks":"none","host":"h1"}}`
	)
	for _, tc := range []struct {
		name, policyFile, ver, body string
		want                        int
	}{
		{"zone:host, default rules", "", "2.1", zoneHost, 403},
		{"zone:host, granted to members", `"` + policies.ServersCreateForcedHost + `": "role:member"`, "2.1", zoneHost, 202},
		{"zone:host, another rule granted", `"` + policies.ServersCreateRequestedDest + `": "role:member"`, "2.1", zoneHost, 403},
		{"host, default rules", "", "2.74", hostAt74, 403},
		{"host, granted to members", `"` + policies.ServersCreateRequestedDest + `": "role:member"`, "2.74", hostAt74, 202},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, st := setupServersWith(t, tc.policyFile)
			if _, err := st.UpsertService(context.Background(), &compute.HostService{ID: "svc-h1", Host: "h1", Binary: "nova-compute"}); err != nil {
				t.Fatal(err)
			}
			code, m, _ := call(t, srv, "user", tc.ver, "POST", "/v2.1/servers", tc.body)
			if code != tc.want {
				t.Fatalf("create = %d, want %d: %v", code, tc.want, m)
			}
			if code != 202 {
				return
			}
			id := m["server"].(map[string]any)["id"].(string)
			inst, err := st.GetInstance(context.Background(), id)
			if err != nil || inst.RequestedHost != "h1" {
				t.Errorf("instance asks for host %q (%v), want h1", inst.RequestedHost, err)
			}
		})
	}
}

// TestActionURLProject checks that an action on a /v2.1/{project_id}/...
// URL of another project is refused for the URL before the action's rule
// or the server is looked at, as when one handler served every action.
func TestActionURLProject(t *testing.T) {
	srv := setupServers(t)
	for _, path := range []string{"/v2.1/p-other/servers/no-such-server/action", "/v2.1/p-other/flavors/1/action"} {
		code, m, _ := call(t, srv, "user", "2.1", "POST", path, `{"os-stop": null}`)
		if code != 400 || !strings.Contains(fmt.Sprint(m), "Malformed request URL") {
			t.Errorf("POST %s = %d %v, want 400 for the URL", path, code, m)
		}
	}
}
