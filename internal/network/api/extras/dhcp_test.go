package extras_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/network"
	ext "github.com/gostack/gostack/internal/network/extras"
	"github.com/gostack/gostack/internal/network/nettest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// The dhcp_agent_scheduler API as Tempest's DHCPAgentSchedulersTestJSON
// walks it, and the errors around it: a network gets the DHCP agent with
// its first DHCP-enabled subnet; an operator adds and removes networks.
func TestDHCPAgentScheduler(t *testing.T) {
	ctx := context.Background()
	c := nettest.StartConfig(t, network.Config{Mechanism: network.MechLinuxBridge}, "alice")
	s := ext.New(c.Svc)
	dhcp, err := s.ReportAgent(ctx, ext.AgentReport{Type: network.AgentDHCP, Binary: "neutron-dhcp-agent", Topic: "dhcp_agent", Host: "node1", Start: true})
	if err != nil {
		t.Fatal(err)
	}
	l3, err := s.ReportAgent(ctx, ext.AgentReport{Type: network.AgentL3, Binary: "neutron-l3-agent", Topic: "l3_agent", Host: "node1"})
	if err != nil {
		t.Fatal(err)
	}
	served := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "served"})["id"].(string)
	c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": served, "cidr": "10.0.0.0/24", "ip_version": 4})
	bare := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "bare"})["id"].(string)
	nodhcp := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "nodhcp"})["id"].(string)
	sub := c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": nodhcp, "cidr": "10.1.0.0/24", "ip_version": 4, "enable_dhcp": false})

	a := "/v2.0/agents/" + dhcp.ID + "/dhcp-networks"
	c.Run(t, []apitest.Step{
		{Name: "extension listed", Method: "GET", Path: "/v2.0/extensions/dhcp_agent_scheduler", Status: 200, Contains: []string{`"alias":"dhcp_agent_scheduler"`}},
		{Name: "agents of a network", Method: "GET", Path: "/v2.0/networks/" + served + "/dhcp-agents", Status: 200,
			Contains: []string{`"agents":[{`, `"id":"` + dhcp.ID + `"`, `"agent_type":"DHCP agent"`, `"alive":true`}},
		{Name: "no subnet, no agent", Method: "GET", Path: "/v2.0/networks/" + bare + "/dhcp-agents", Status: 200, Contains: []string{`"agents":[]`}},
		{Name: "no DHCP subnet, no agent", Method: "GET", Path: "/v2.0/networks/" + nodhcp + "/dhcp-agents", Status: 200, Contains: []string{`"agents":[]`}},
		{Name: "unknown network", Method: "GET", Path: "/v2.0/networks/nope/dhcp-agents", Status: 200, Contains: []string{`"agents":[]`}},
		{Name: "networks of the agent", Method: "GET", Path: a, Status: 200,
			Contains: []string{`"networks":[{`, `"id":"` + served + `"`, `"name":"served"`, `"subnets":[`}, Lacks: []string{bare, nodhcp}},
		{Name: "fields", Method: "GET", Path: a + "?fields=id", Status: 200, Contains: []string{`"networks":[{"id":"` + served + `"}]`}},
		{Name: "networks of the L3 agent", Method: "GET", Path: "/v2.0/agents/" + l3.ID + "/dhcp-networks", Status: 200, Contains: []string{`"networks":[]`}},
		{Name: "networks of no agent", Method: "GET", Path: "/v2.0/agents/nope/dhcp-networks", Status: 404, Contains: []string{`"AgentNotFound"`}},

		{Name: "member lists agents", Token: "alice", Method: "GET", Path: "/v2.0/networks/" + served + "/dhcp-agents", Status: 403,
			Contains: []string{`(rule:get_dhcp-agents) is disallowed by policy`}},
		{Name: "member lists networks", Token: "alice", Method: "GET", Path: a, Status: 403, Contains: []string{`"PolicyNotAuthorized"`}},
		{Name: "member adds", Token: "alice", Method: "POST", Path: a, Body: `{"network_id": "` + bare + `"}`, Status: 403,
			Contains: []string{`(rule:create_dhcp-network) is disallowed by policy`}},
		{Name: "member removes", Token: "alice", Method: "DELETE", Path: a + "/" + served, Status: 403,
			Contains: []string{`(rule:delete_dhcp-network) is disallowed by policy`}},

		{Name: "add", Method: "POST", Path: a, Body: `{"network_id": "` + bare + `"}`, Status: 201},
		{Name: "listed", Method: "GET", Path: a + "?fields=id", Status: 200, Contains: []string{`"id":"` + bare + `"`, `"id":"` + served + `"`}},
		{Name: "add again", Method: "POST", Path: a, Body: `{"network_id": "` + bare + `"}`, Status: 409,
			Contains: []string{`"NetworkHostedByDHCPAgent"`, `The network ` + bare + ` has been already hosted by the DHCP Agent ` + dhcp.ID + `.`}},
		{Name: "add to the L3 agent", Method: "POST", Path: "/v2.0/agents/" + l3.ID + "/dhcp-networks", Body: `{"network_id": "` + bare + `"}`, Status: 404,
			Contains: []string{`"InvalidDHCPAgent"`, `Agent ` + l3.ID + ` is not a valid DHCP Agent or has been disabled.`}},
		{Name: "add to no agent", Method: "POST", Path: "/v2.0/agents/nope/dhcp-networks", Body: `{"network_id": "` + bare + `"}`, Status: 404,
			Contains: []string{`"AgentNotFound"`}},
		{Name: "add no network", Method: "POST", Path: a, Body: `{"network_id": "nope"}`, Status: 404, Contains: []string{`"NetworkNotFound"`}},
		{Name: "add without network_id", Method: "POST", Path: a, Body: `{}`, Status: 400, Contains: []string{`Required attribute 'network_id' not specified`}},
		{Name: "add unknown attribute", Method: "POST", Path: a, Body: `{"network_id": "` + bare + `", "x": 1}`, Status: 400, Contains: []string{`Unrecognized attribute(s) 'x'`}},
		{Name: "add wrong type", Method: "POST", Path: a, Body: `{"network_id": 5}`, Status: 400},
		{Name: "add no body", Method: "POST", Path: a, Status: 400},
		{Name: "remove", Method: "DELETE", Path: a + "/" + bare, Status: 204},
		{Name: "removed", Method: "GET", Path: a + "?fields=id", Status: 200, Contains: []string{`"networks":[{"id":"` + served + `"}]`}},
		{Name: "remove again", Method: "DELETE", Path: a + "/" + bare, Status: 409,
			Contains: []string{`"NetworkNotHostedByDhcpAgent"`, `The network ` + bare + ` is not hosted by the DHCP Agent ` + dhcp.ID + `.`}},
		{Name: "remove from no agent", Method: "DELETE", Path: "/v2.0/agents/nope/dhcp-networks/" + bare, Status: 404, Contains: []string{`"AgentNotFound"`}},

		// Enabling DHCP on a subnet schedules its network.
		{Name: "enable DHCP", Method: "PUT", Path: "/v2.0/subnets/" + sub["id"].(string), Body: `{"subnet": {"enable_dhcp": true}}`, Status: 200},
		{Name: "now hosted", Method: "GET", Path: "/v2.0/networks/" + nodhcp + "/dhcp-agents?fields=id", Status: 200, Contains: []string{`"id":"` + dhcp.ID + `"`}},

		// A disabled agent takes no network; a deleted network leaves it.
		{Name: "disable", Method: "PUT", Path: "/v2.0/agents/" + dhcp.ID, Body: `{"agent": {"admin_state_up": false}}`, Status: 200},
		{Name: "add to disabled", Method: "POST", Path: a, Body: `{"network_id": "` + bare + `"}`, Status: 404, Contains: []string{`"InvalidDHCPAgent"`}},
		{Name: "delete network", Method: "DELETE", Path: "/v2.0/networks/" + served, Status: 204},
		{Name: "gone from the agent", Method: "GET", Path: a + "?fields=id", Status: 200, Lacks: []string{served}},
		{Name: "delete agent", Method: "DELETE", Path: "/v2.0/agents/" + dhcp.ID, Status: 204},
		{Name: "bindings gone", Method: "GET", Path: "/v2.0/networks/" + nodhcp + "/dhcp-agents", Status: 200, Contains: []string{`"agents":[]`}},
	})
}

// The extension is advertised only where DHCP agents exist.
func TestDHCPSchedulerExtension(t *testing.T) {
	for _, tc := range []struct {
		mech   string
		status int
	}{{network.MechNoop, 404}, {"", 404}, {network.MechLinuxBridge, 200}} {
		c := nettest.StartConfig(t, network.Config{Mechanism: tc.mech})
		r := c.Do(t, apitest.Request{Method: "GET", Path: "/v2.0/extensions/dhcp_agent_scheduler", Token: apitest.Admin})
		if r.Status != tc.status {
			t.Errorf("%q: show extension = %d, want %d", tc.mech, r.Status, tc.status)
		}
		r = c.Do(t, apitest.Request{Method: "GET", Path: "/v2.0/extensions", Token: apitest.Admin})
		if got := r.Status == 200 && strings.Contains(string(r.Body), `"dhcp_agent_scheduler"`); got != (tc.status == 200) {
			t.Errorf("%q: listed = %v", tc.mech, got)
		}
	}
}
