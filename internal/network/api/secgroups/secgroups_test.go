package secgroups_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/network/nettest"

	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

func setup(t *testing.T) *apitest.Server {
	t.Helper()
	return nettest.Start(t, "alice", "bob").Server
}

// create POSTs body as token and returns the new resource's id.
func create(t *testing.T, srv *apitest.Server, token, path, key, body string) string {
	t.Helper()
	r := srv.Do(t, apitest.Request{Method: "POST", Path: path, Token: token, Body: body})
	if r.Status != 201 {
		t.Fatalf("POST %s %s = %d: %s", path, body, r.Status, r.Body)
	}
	return r.JSON()[key].(map[string]any)["id"].(string)
}

func TestSecurityGroupsAPI(t *testing.T) {
	srv := setup(t)
	const sgs, rules = "/v2.0/security-groups", "/v2.0/security-group-rules"
	web := create(t, srv, "alice", sgs, "security_group", `{"security_group":{"name":"web","description":"w"}}`)
	peer := create(t, srv, "alice", sgs, "security_group", `{"security_group":{"name":"peer"}}`)
	bobs := create(t, srv, "bob", sgs, "security_group", `{"security_group":{"name":"bobs"}}`)
	rule := func(extra string) string {
		return `{"security_group_rule":{"security_group_id":"` + web + `","direction":"ingress"` + extra + `}}`
	}
	tcp := create(t, srv, "alice", rules, "security_group_rule", rule(`,"protocol":"tcp","port_range_min":66,"port_range_max":67`))
	srv.Run(t, []apitest.Step{
		{Name: "list makes default", Token: "alice", Method: "GET", Path: sgs, Status: 200,
			Contains: []string{`"name":"default"`, `"name":"web"`, `"stateful":true`, `"security_group_rules":[`, `"belongs_to_default_sg":true`}, Lacks: []string{"bobs"}},
		{Name: "show", Token: "alice", Method: "GET", Path: sgs + "/" + web, Status: 200,
			Contains: []string{`"security_group":{`, `"description":"w"`, `"tags":[]`, `"shared":false`, `"revision_number":`, tcp}},
		{Name: "fields", Token: "alice", Method: "GET", Path: sgs + "/" + web + "?fields=name", Status: 200,
			Contains: []string{`{"security_group":{"name":"web"}}`}},
		{Name: "other project's", Token: "alice", Method: "GET", Path: sgs + "/" + bobs, Status: 404, Contains: []string{`"type":"SecurityGroupNotFound"`}},
		{Name: "missing", Token: "alice", Method: "GET", Path: sgs + "/5f0c1a3c-3f6e-4d0e-9b5a-8f3e2f0c1a3c", Status: 404},
		{Name: "delete missing", Token: "alice", Method: "DELETE", Path: sgs + "/5f0c1a3c-3f6e-4d0e-9b5a-8f3e2f0c1a3c", Status: 404},
		{Name: "second default", Token: "alice", Method: "POST", Path: sgs, Body: `{"security_group":{"name":"default"}}`, Status: 409,
			Contains: []string{`"type":"SecurityGroupDefaultAlreadyExists"`}},
		{Name: "rename to default", Token: "alice", Method: "PUT", Path: sgs + "/" + web, Body: `{"security_group":{"name":"default"}}`, Status: 409},
		{Name: "unknown attribute", Token: "alice", Method: "POST", Path: sgs, Body: `{"security_group":{"color":"red"}}`, Status: 400,
			Contains: []string{"Unrecognized attribute(s) 'color'"}},
		{Name: "update", Token: "alice", Method: "PUT", Path: sgs + "/" + web, Body: `{"security_group":{"name":"web2","description":"d2","stateful":false}}`, Status: 200,
			Contains: []string{`"name":"web2"`, `"description":"d2"`, `"stateful":false`}},
		{Name: "tag", Token: "alice", Method: "PUT", Path: sgs + "/" + web + "/tags/red", Status: 201},
		{Name: "tags on the group", Token: "alice", Method: "GET", Path: sgs + "?tags=red", Status: 200, Contains: []string{`"tags":["red"]`, web}, Lacks: []string{peer}},
		{Name: "tag other project's", Token: "alice", Method: "PUT", Path: sgs + "/" + bobs + "/tags/red", Status: 404},

		{Name: "rule show", Token: "alice", Method: "GET", Path: rules + "/" + tcp, Status: 200,
			Contains: []string{`"protocol":"tcp"`, `"port_range_min":66`, `"port_range_max":67`, `"ethertype":"IPv4"`, `"remote_ip_prefix":null`, `"belongs_to_default_sg":false`}},
		{Name: "rule hidden from bob", Token: "bob", Method: "GET", Path: rules + "/" + tcp, Status: 404, Contains: []string{`"type":"SecurityGroupRuleNotFound"`}},
		{Name: "duplicate", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":"6","port_range_min":66,"port_range_max":67`), Status: 409,
			Contains: []string{`"type":"SecurityGroupRuleExists"`, tcp}},
		{Name: "protocol number", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":17`), Status: 201, Contains: []string{`"protocol":"17"`}},
		{Name: "ports as text", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":"tcp","port_range_min":"80","port_range_max":"81"`), Status: 201, Contains: []string{`"port_range_max":81`}},
		{Name: "bad port text", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":"tcp","port_range_min":"x","port_range_max":81`), Status: 400, Contains: []string{"Invalid value for port x"}},
		{Name: "bad protocol", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":"bad_protocol_name"`), Status: 400, Contains: []string{`"type":"SecurityGroupRuleInvalidProtocol"`}},
		{Name: "bad ethertype", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"ethertype":"bad_ethertype"`), Status: 400},
		{Name: "invalid ports", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":"tcp","port_range_min":-16,"port_range_max":65536`), Status: 400, Contains: []string{"Invalid value for port"}},
		{Name: "icmp code", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":"icmp","port_range_min":1,"port_range_max":256`), Status: 400, Contains: []string{"Invalid value for ICMP code"}},
		{Name: "icmp type and null code", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":"icmp","port_range_min":11,"port_range_max":null,"remote_group_id":null,"remote_ip_prefix":null`), Status: 201,
			Contains: []string{`"port_range_min":11`, `"port_range_max":null`}},
		{Name: "bad prefix", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":"tcp","remote_ip_prefix":"192.168.1.1/33"`), Status: 400, Contains: []string{`"type":"InvalidCIDR"`}},
		{Name: "prefix family", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":"tcp","ethertype":"IPv6","remote_ip_prefix":"10.1.0.0/16"`), Status: 400, Contains: []string{"Conflicting value ethertype"}},
		{Name: "prefix and group", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":"tcp","remote_ip_prefix":"10.1.0.0/16","remote_group_id":"` + peer + `"`), Status: 400},
		{Name: "missing remote group", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"protocol":"tcp","remote_group_id":"bad_group_id"`), Status: 404},
		{Name: "missing group", Token: "alice", Method: "POST", Path: rules, Body: `{"security_group_rule":{"security_group_id":"5f0c1a3c-3f6e-4d0e-9b5a-8f3e2f0c1a3c","direction":"ingress"}}`, Status: 404},
		{Name: "other project's group", Token: "alice", Method: "POST", Path: rules, Body: `{"security_group_rule":{"security_group_id":"` + bobs + `","direction":"ingress"}}`, Status: 404},
		{Name: "no direction", Token: "alice", Method: "POST", Path: rules, Body: `{"security_group_rule":{"security_group_id":"` + web + `"}}`, Status: 400,
			Contains: []string{"Required attribute 'direction' not specified"}},
		{Name: "address groups unknown", Token: "alice", Method: "POST", Path: rules, Body: rule(`,"remote_address_group_id":"x"`), Status: 400},
		{Name: "bulk", Token: "alice", Method: "POST", Path: rules, Status: 201,
			Body:     `{"security_group_rules":[{"security_group_id":"` + web + `","direction":"egress","protocol":"udp"},{"security_group_id":"` + web + `","direction":"egress","protocol":"gre"}]}`,
			Contains: []string{`"security_group_rules":[`, `"protocol":"udp"`, `"protocol":"gre"`}},
		{Name: "bulk duplicate", Token: "alice", Method: "POST", Path: rules, Status: 409,
			Body:     `{"security_group_rules":[{"security_group_id":"` + web + `","direction":"egress","protocol":"esp"},{"security_group_id":"` + web + `","direction":"egress","protocol":"esp"}]}`,
			Contains: []string{`"type":"DuplicateSecurityGroupRuleInPost"`}},
		{Name: "list rules filtered", Token: "alice", Method: "GET", Path: rules + "?security_group_id=" + web + "&protocol=udp", Status: 200,
			Contains: []string{`"protocol":"udp"`}, Lacks: []string{`"protocol":"gre"`}},
		{Name: "bob sees not alice's rules", Token: "bob", Method: "GET", Path: rules, Status: 200, Lacks: []string{web}},
		{Name: "admin sees them", Method: "GET", Path: rules + "?security_group_id=" + web, Status: 200, Contains: []string{tcp}},
		{Name: "rule delete by bob", Token: "bob", Method: "DELETE", Path: rules + "/" + tcp, Status: 404},
		{Name: "rule delete", Token: "alice", Method: "DELETE", Path: rules + "/" + tcp, Status: 204},
		{Name: "rule gone", Token: "alice", Method: "GET", Path: rules + "/" + tcp, Status: 404},
		{Name: "delete group", Token: "alice", Method: "DELETE", Path: sgs + "/" + peer, Status: 204},
		{Name: "extensions", Token: "alice", Method: "GET", Path: "/v2.0/extensions/security-group", Status: 200},
		{Name: "stateful extension", Token: "alice", Method: "GET", Path: "/v2.0/extensions/stateful-security-group", Status: 200},
	})

	// The default group: its project may neither rename nor delete it;
	// an admin may delete it, and the next list makes another.
	r := srv.Do(t, apitest.Request{Method: "GET", Path: sgs + "?name=default", Token: "alice"})
	var list struct {
		Groups []struct {
			ID    string `json:"id"`
			Rules []any  `json:"security_group_rules"`
		} `json:"security_groups"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil || len(list.Groups) != 1 || len(list.Groups[0].Rules) != 4 {
		t.Fatalf("default groups = %s", r.Body)
	}
	def := list.Groups[0].ID
	srv.Run(t, []apitest.Step{
		{Name: "rename default", Token: "alice", Method: "PUT", Path: sgs + "/" + def, Body: `{"security_group":{"name":"x"}}`, Status: 409,
			Contains: []string{`"type":"SecurityGroupCannotUpdateDefault"`}},
		{Name: "delete default", Token: "alice", Method: "DELETE", Path: sgs + "/" + def, Status: 409,
			Contains: []string{`"type":"SecurityGroupCannotRemoveDefault"`}},
		{Name: "admin lists alice's", Method: "GET", Path: sgs + "?tenant_id=p-alice&name=default", Status: 200, Contains: []string{def}},
		{Name: "admin deletes default", Method: "DELETE", Path: sgs + "/" + def, Status: 204},
		{Name: "a new default", Token: "alice", Method: "GET", Path: sgs + "?name=default", Status: 200, Contains: []string{`"name":"default"`}, Lacks: []string{def}},
	})
	if strings.Contains(string(srv.Do(t, apitest.Request{Method: "GET", Path: "/v2.0/", Token: "alice"}).Body), `"security_groups"`) == false {
		t.Error("GET /v2.0/ lacks the security_groups collection")
	}
}
