package extras_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/network/nettest"

	"github.com/gostack/gostack/internal/network/policies"

	ext "github.com/gostack/gostack/internal/network/extras"

	"github.com/gostack/gostack/internal/network"
	netapi "github.com/gostack/gostack/internal/network/api"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// setup serves the networking API over a fresh database, for the admin
// and the members alice and bob.
func setup(t *testing.T) *apitest.Server {
	t.Helper()
	return nettest.Start(t, "alice", "bob").Server
}

// The quota flow Tempest's quota tests walk, and the errors around it.
func TestQuotas(t *testing.T) {
	srv := setup(t)
	const q = "/v2.0/quotas/p-alice"
	srv.Run(t, []apitest.Step{
		{Name: "defaults", Method: "GET", Path: q + "/default", Status: 200,
			Contains: []string{`"network":100`, `"port":500`, `"rbac_policy":10`, `"subnetpool":-1`, `"security_group_rule":100`}},
		{Name: "own quota", Token: "alice", Method: "GET", Path: q, Status: 200, Contains: []string{`"network":100`}},
		{Name: "another's quota", Token: "bob", Method: "GET", Path: q, Status: 403, Contains: []string{"PolicyNotAuthorized"}},
		{Name: "list as member", Token: "alice", Method: "GET", Path: "/v2.0/quotas", Status: 403},
		{Name: "update as member", Token: "alice", Method: "PUT", Path: q, Body: `{"quota": {"network": 1}}`, Status: 403,
			Contains: []string{"(rule:update_quota) is disallowed by policy"}},
		{Name: "not an integer", Method: "PUT", Path: q, Body: `{"quota": {"network": "abc"}}`, Status: 400,
			Contains: []string{`"InvalidInput"`, `Invalid input for operation: 'abc' is not an integer.`}},
		{Name: "too small", Method: "PUT", Path: q, Body: `{"quota": {"network": -2}}`, Status: 400,
			Contains: []string{`Invalid input for network. Reason: '-2' is too small - must be at least '-1'.`}},
		{Name: "unknown resource", Method: "PUT", Path: q, Body: `{"quota": {"gpus": 1}}`, Status: 400,
			Contains: []string{`Unrecognized attribute(s) 'gpus'`}},
		{Name: "no envelope", Method: "PUT", Path: q, Body: `{"network": 1}`, Status: 400},
		{Name: "set", Method: "PUT", Path: q, Body: `{"quota": {"network": 1, "port": "0"}}`, Status: 200,
			Contains: []string{`"network":1`, `"port":0`, `"subnet":100`}},
		{Name: "listed", Method: "GET", Path: "/v2.0/quotas", Status: 200, Contains: []string{`"project_id":"p-alice"`, `"tenant_id":"p-alice"`, `"network":1`}},
		{Name: "first network", Token: "alice", Method: "POST", Path: "/v2.0/networks", Body: `{"network": {"name": "n1"}}`, Status: 201},
		{Name: "over quota", Token: "alice", Method: "POST", Path: "/v2.0/networks", Body: `{"network": {"name": "n2"}}`, Status: 409,
			Contains: []string{`"type":"OverQuota"`, `"message":"Quota exceeded for resources: ['network']."`}},
		{Name: "details", Token: "alice", Method: "GET", Path: q + "/details.json", Status: 200,
			Contains: []string{`"network":{"limit":1,"reserved":0,"used":1}`, `"port":{"limit":0,"reserved":0,"used":0}`}},
		{Name: "details without suffix", Method: "GET", Path: q + "/details", Status: 200, Contains: []string{`"used":1`}},
		{Name: "reset as member", Token: "alice", Method: "DELETE", Path: q, Status: 403},
		{Name: "reset", Method: "DELETE", Path: q, Status: 204},
		{Name: "reset again", Method: "DELETE", Path: q, Status: 404,
			Contains: []string{`"TenantQuotaNotFound"`, `Quota for tenant p-alice could not be found.`}},
		{Name: "not listed", Method: "GET", Path: "/v2.0/quotas", Status: 200, Lacks: []string{"p-alice"}},
		{Name: "back to default", Method: "GET", Path: q, Status: 200, Contains: []string{`"network":100`}},
	})
}

func TestAgentsAndZones(t *testing.T) {
	srv := setup(t)
	srv.Run(t, []apitest.Step{
		{Name: "no agents", Method: "GET", Path: "/v2.0/agents", Status: 200, Contains: []string{`"agents":[]`}},
		{Name: "member lists none", Token: "alice", Method: "GET", Path: "/v2.0/agents", Status: 200, Contains: []string{`"agents":[]`}},
		{Name: "missing agent", Method: "GET", Path: "/v2.0/agents/nope", Status: 404,
			Contains: []string{`"AgentNotFound"`, `Agent nope could not be found.`}},
		{Name: "update missing", Method: "PUT", Path: "/v2.0/agents/nope", Body: `{"agent": {"admin_state_up": false}}`, Status: 404},
		{Name: "delete missing", Method: "DELETE", Path: "/v2.0/agents/nope", Status: 404},
		{Name: "zones", Token: "alice", Method: "GET", Path: "/v2.0/availability_zones", Status: 200,
			Contains: []string{`{"name":"nova","resource":"network","state":"available"}`, `{"name":"nova","resource":"router","state":"available"}`}},
		{Name: "zones filtered", Method: "GET", Path: "/v2.0/availability_zones?resource=router&limit=1", Status: 200,
			Lacks: []string{`"network"`}},
		{Name: "service providers", Token: "alice", Method: "GET", Path: "/v2.0/service-providers", Status: 200,
			Contains: []string{`"service_providers":[]`}},
	})
}

func TestAgentUpdate(t *testing.T) {
	ctx := context.Background()
	svc, _ := nettest.Service(t, network.Config{})
	a, err := ext.New(svc).ReportAgent(ctx, ext.AgentReport{Type: network.AgentL3, Binary: "gostack-l3-agent", Host: "node1", Topic: "l3_agent"})
	if err != nil {
		t.Fatal(err)
	}
	srv := apitest.Serve(t, netapi.New(svc, apitest.Policy(t, policies.Defaults()), apitest.Tokens("alice"),
		slog.New(slog.DiscardHandler)).Handler())
	p := "/v2.0/agents/" + a.ID
	srv.Run(t, []apitest.Step{
		{Name: "list", Method: "GET", Path: "/v2.0/agents?agent_type=L3+agent&alive=True", Status: 200,
			Contains: []string{`"id":"` + a.ID + `"`, `"binary":"gostack-l3-agent"`, `"alive":true`, `"availability_zone":null`}},
		{Name: "list dead", Method: "GET", Path: "/v2.0/agents?alive=False", Status: 200, Contains: []string{`"agents":[]`}},
		{Name: "show as member", Token: "alice", Method: "GET", Path: p, Status: 404},
		{Name: "read-only", Method: "PUT", Path: p, Body: `{"agent": {"host": "node2"}}`, Status: 400,
			Contains: []string{"Cannot update read-only attribute host"}},
		{Name: "unknown", Method: "PUT", Path: p, Body: `{"agent": {"colour": "red"}}`, Status: 400,
			Contains: []string{"Unrecognized attribute(s) 'colour'"}},
		{Name: "update", Method: "PUT", Path: p, Body: `{"agent": {"admin_state_up": false, "description": "spare"}}`, Status: 200,
			Contains: []string{`"admin_state_up":false`, `"description":"spare"`}},
		{Name: "delete as member", Token: "alice", Method: "DELETE", Path: p, Status: 404},
		{Name: "delete", Method: "DELETE", Path: p, Status: 204},
		{Name: "gone", Method: "GET", Path: p, Status: 404},
	})
}

func TestMetering(t *testing.T) {
	srv := setup(t)
	r := srv.Do(t, apitest.Request{Method: "POST", Path: "/v2.0/metering/metering-labels", Token: apitest.Admin,
		Body: `{"metering_label": {"name": "web", "description": "metering label created by tempest"}}`})
	if r.Status != 201 {
		t.Fatalf("create label: %d %s", r.Status, r.Body)
	}
	label := r.JSON()["metering_label"].(map[string]any)
	id := label["id"].(string)
	if label["project_id"] != "p-admin" || label["shared"] != false {
		t.Fatalf("label %v", label)
	}
	rules := "/v2.0/metering/metering-label-rules"
	srv.Run(t, []apitest.Step{
		{Name: "create as member", Token: "alice", Method: "POST", Path: "/v2.0/metering/metering-labels", Body: `{"metering_label": {"name": "x"}}`, Status: 403},
		{Name: "member lists none", Token: "alice", Method: "GET", Path: "/v2.0/metering/metering-labels", Status: 200, Contains: []string{`"metering_labels":[]`}},
		{Name: "filter by odd id", Method: "GET", Path: "/v2.0/metering/metering-labels?id=33", Status: 200, Contains: []string{`"metering_labels":[]`}},
		{Name: "filter by id", Method: "GET", Path: "/v2.0/metering/metering-labels?id=" + id, Status: 200,
			Contains: []string{`"name":"web"`, `"description":"metering label created by tempest"`}},
		{Name: "long name", Method: "POST", Path: "/v2.0/metering/metering-labels", Body: `{"metering_label": {"name": "` + strings.Repeat("x", 256) + `"}}`,
			Status: 400, Contains: []string{"exceeds maximum length of 255"}},
		{Name: "rule", Method: "POST", Path: rules, Status: 201,
			Body:     `{"metering_label_rule": {"remote_ip_prefix": "10.0.0.0/24", "direction": "ingress", "metering_label_id": "` + id + `"}}`,
			Contains: []string{`"remote_ip_prefix":"10.0.0.0/24"`, `"excluded":false`, `"source_ip_prefix":null`}},
		{Name: "overlap", Method: "POST", Path: rules, Status: 409,
			Body:     `{"metering_label_rule": {"remote_ip_prefix": "10.0.0.0/16", "direction": "ingress", "metering_label_id": "` + id + `"}}`,
			Contains: []string{`"MeteringLabelRuleOverlaps"`}},
		{Name: "no direction", Method: "POST", Path: rules, Status: 400,
			Body:     `{"metering_label_rule": {"remote_ip_prefix": "10.1.0.0/16", "metering_label_id": "` + id + `"}}`,
			Contains: []string{"Failed to parse request. Required attribute 'direction' not specified"}},
		{Name: "bad excluded", Method: "POST", Path: rules, Status: 400,
			Body: `{"metering_label_rule": {"remote_ip_prefix": "10.1.0.0/16", "direction": "egress", "excluded": "maybe", "metering_label_id": "` + id + `"}}`},
		{Name: "missing label", Method: "POST", Path: rules, Status: 404,
			Body:     `{"metering_label_rule": {"remote_ip_prefix": "10.1.0.0/16", "direction": "egress", "metering_label_id": "nope"}}`,
			Contains: []string{`"MeteringLabelNotFound"`, "Metering label nope does not exist."}},
		{Name: "member lists no rules", Token: "alice", Method: "GET", Path: rules, Status: 200, Contains: []string{`"metering_label_rules":[]`}},
		{Name: "rules of label", Method: "GET", Path: rules + "?metering_label_id=" + id, Status: 200, Contains: []string{`"direction":"ingress"`}},
		{Name: "rules of no label", Method: "GET", Path: rules + "?id=33", Status: 200, Contains: []string{`"metering_label_rules":[]`}},
	})
}

func TestRBACAndIPAvailability(t *testing.T) {
	srv := setup(t)
	r := srv.Do(t, apitest.Request{Method: "POST", Path: "/v2.0/networks", Token: "alice", Body: `{"network": {"name": "shared-with-bob"}}`})
	if r.Status != 201 {
		t.Fatalf("network: %d %s", r.Status, r.Body)
	}
	net := r.JSON()["network"].(map[string]any)["id"].(string)
	body := func(target string) string {
		return `{"rbac_policy": {"object_type": "network", "object_id": "` + net + `", "action": "access_as_shared", "target_tenant": "` + target + `"}}`
	}
	r = srv.Do(t, apitest.Request{Method: "POST", Path: "/v2.0/rbac-policies", Token: "alice", Body: body("p-bob")})
	if r.Status != 201 {
		t.Fatalf("policy: %d %s", r.Status, r.Body)
	}
	pol := r.JSON()["rbac_policy"].(map[string]any)["id"].(string)
	srv.Run(t, []apitest.Step{
		{Name: "wildcard as member", Token: "alice", Method: "POST", Path: "/v2.0/rbac-policies", Body: body("*"), Status: 403,
			Contains: []string{"create_rbac_policy:target_tenant"}},
		{Name: "duplicate", Token: "alice", Method: "POST", Path: "/v2.0/rbac-policies", Body: body("p-bob"), Status: 409,
			Contains: []string{"DuplicateRbacPolicy"}},
		{Name: "not owner", Token: "bob", Method: "POST", Path: "/v2.0/rbac-policies", Body: body("p-bob"), Status: 400},
		{Name: "missing attribute", Token: "alice", Method: "POST", Path: "/v2.0/rbac-policies",
			Body: `{"rbac_policy": {"object_type": "network", "object_id": "` + net + `", "action": "access_as_shared"}}`, Status: 400,
			Contains: []string{"Required attribute 'target_tenant' not specified"}},
		{Name: "owner lists", Token: "alice", Method: "GET", Path: "/v2.0/rbac-policies", Status: 200,
			Contains: []string{`"target_tenant":"p-bob"`, `"object_type":"network"`}},
		{Name: "target lists none", Token: "bob", Method: "GET", Path: "/v2.0/rbac-policies", Status: 200, Contains: []string{`"rbac_policies":[]`}},
		{Name: "target cannot show", Token: "bob", Method: "GET", Path: "/v2.0/rbac-policies/" + pol, Status: 404},
		{Name: "read-only action", Token: "alice", Method: "PUT", Path: "/v2.0/rbac-policies/" + pol,
			Body: `{"rbac_policy": {"action": "access_as_external"}}`, Status: 400, Contains: []string{"Cannot update read-only attribute action"}},
		{Name: "retarget to wildcard as member", Token: "alice", Method: "PUT", Path: "/v2.0/rbac-policies/" + pol,
			Body: `{"rbac_policy": {"target_tenant": "*"}}`, Status: 403},
		{Name: "retarget", Token: "alice", Method: "PUT", Path: "/v2.0/rbac-policies/" + pol,
			Body: `{"rbac_policy": {"target_tenant": "p-carol"}}`, Status: 200, Contains: []string{`"target_tenant":"p-carol"`}},
		{Name: "wildcard as admin", Method: "POST", Path: "/v2.0/rbac-policies", Body: body("*"), Status: 201},
		{Name: "network now shared", Token: "bob", Method: "GET", Path: "/v2.0/networks/" + net, Status: 200, Contains: []string{`"shared":true`}},
		{Name: "delete", Token: "alice", Method: "DELETE", Path: "/v2.0/rbac-policies/" + pol, Status: 204},

		{Name: "ip availability as member", Token: "alice", Method: "GET", Path: "/v2.0/network-ip-availabilities", Status: 200,
			Contains: []string{`"network_ip_availabilities":[]`}},
		{Name: "ip availability", Method: "GET", Path: "/v2.0/network-ip-availabilities", Status: 200,
			Contains: []string{`"network_id":"` + net + `"`, `"total_ips":0`, `"used_ips":0`, `"subnet_ip_availability":[]`}},
		{Name: "ip availability by version", Method: "GET", Path: "/v2.0/network-ip-availabilities?ip_version=4", Status: 200,
			Contains: []string{`"network_ip_availabilities":[]`}},
		{Name: "one network", Method: "GET", Path: "/v2.0/network-ip-availabilities/" + net, Status: 200,
			Contains: []string{`"network_name":"shared-with-bob"`, `"project_id":"p-alice"`}},
		{Name: "one network as member", Token: "alice", Method: "GET", Path: "/v2.0/network-ip-availabilities/" + net, Status: 404},
		{Name: "missing network", Method: "GET", Path: "/v2.0/network-ip-availabilities/nope", Status: 404,
			Contains: []string{`"NetworkNotFound"`}},
	})
}

func TestExtensionsListed(t *testing.T) {
	srv := setup(t)
	var steps []apitest.Step
	for _, alias := range []string{"quotas", "quota_details", "agent", "availability_zone", "network_availability_zone",
		"network-ip-availability", "service-type"} {
		steps = append(steps, apitest.Step{Name: alias, Token: "alice", Method: "GET", Path: "/v2.0/extensions/" + alias, Status: 200,
			Contains: []string{`"alias":"` + alias + `"`}})
	}
	srv.Run(t, steps)
}
