package api_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/identity/api"
	"github.com/gostack/gostack/internal/identity/federation"
	"github.com/gostack/gostack/internal/identity/store"
	"github.com/gostack/gostack/internal/identity/token"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// newFedCloud is newCloud with a [federation] configuration: the IdP's
// entity id comes in X-Idp-Entity, and one dashboard is trusted.
func newFedCloud(t *testing.T) *cloud {
	t.Helper()
	ctx := context.Background()
	keys := t.TempDir()
	if err := token.Setup(keys); err != nil {
		t.Fatal(err)
	}
	cfg := identity.Config{KeyRepository: keys, BcryptCost: 4, Federation: federation.Config{
		RemoteIDAttribute: "X-Idp-Entity", TrustedDashboards: []string{"https://Dash.example/auth/websso/"}}}
	svc, err := identity.New(ctx, cfg, store.New(dbtest.Open(t)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Bootstrap(ctx, identity.BootstrapSpec{AdminPassword: adminPassword,
		Services: []identity.BootstrapService{{Type: "identity", Name: "keystone", PublicURL: "http://id/v3"}}})
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(svc, apitest.Policy(t, identity.PolicyDefaults()), "http://id", slog.New(slog.DiscardHandler))
	c := &cloud{t: t, srv: apitest.Serve(t, h.Handler()), svc: svc, res: res}
	c.admin = c.login("admin", "Default", adminPassword, "admin")
	return c
}

// assert sends a federated login with the assertion's headers.
func (c *cloud) assert(path string, want int, hdr ...string) (string, map[string]any) {
	c.t.Helper()
	m, h := c.do("GET", path, "", nil, want, hdr...)
	tok, _ := m["token"].(map[string]any)
	return h.Get("X-Subject-Token"), tok
}

const fedRules = `{"mapping": {"rules": [
	{"local": [{"user": {"name": "{0}", "email": "{0}@example.org"}},
	           {"groups": "{1}", "domain": {"id": "default"}}],
	 "remote": [{"type": "REMOTE_USER"}, {"type": "X-Groups"}, {"type": "X-Org", "any_one_of": ["acme"]}]},
	{"local": [{"projects": [{"name": "fedproj", "roles": [{"name": "reader"}]}]}],
	 "remote": [{"type": "X-Org", "any_one_of": ["acme"]}]}
]}}`

func TestFederationManagement(t *testing.T) {
	c := newFedCloud(t)
	a := c.admin
	const base = "/v3/OS-FEDERATION/"

	// Identity providers: a domain is made when none is named.
	idp := obj(c.must(201, a, "PUT", base+"identity_providers/idp1", `{"identity_provider": {"remote_ids": ["https://idp.example/x"], "enabled": true, "description": "d"}}`), "identity_provider")
	if idp["enabled"] != true || idp["authorization_ttl"] != nil || str(idp, "domain_id") == "" {
		t.Fatalf("idp = %v", idp)
	}
	dom := obj(c.must(200, a, "GET", "/v3/domains/"+str(idp, "domain_id"), nil), "domain")
	if dom["name"] != "idp1" {
		t.Errorf("idp domain = %v", dom)
	}
	if links := obj(idp, "links"); !strings.HasSuffix(str(links, "protocols"), "/v3/OS-FEDERATION/identity_providers/idp1/protocols") {
		t.Errorf("links = %v", links)
	}
	c.must(409, a, "PUT", base+"identity_providers/idp2", `{"identity_provider": {"remote_ids": ["https://idp.example/x"]}}`)
	c.must(409, a, "PUT", base+"identity_providers/idp1", `{"identity_provider": {"domain_id": "default"}}`)
	c.must(400, a, "PUT", base+"identity_providers/idp3", `{"identity_provider": {"bogus": 1}}`)
	c.must(400, a, "PUT", base+"identity_providers/idp3", `{"identity_provider": {"authorization_ttl": -1}}`)
	c.must(404, a, "PUT", base+"identity_providers/idp3", `{"identity_provider": {"domain_id": "nodomain"}}`)
	// A bare PUT registers a disabled IdP.
	idp3 := obj(c.must(201, a, "PUT", base+"identity_providers/idp3", `{"identity_provider": {"domain_id": "default", "authorization_ttl": 5}}`), "identity_provider")
	if idp3["enabled"] != false || idp3["domain_id"] != "default" || idp3["authorization_ttl"] != float64(5) {
		t.Errorf("idp3 = %v", idp3)
	}
	if l := list(c.must(200, a, "GET", base+"identity_providers?enabled=true", nil), "identity_providers"); len(l) != 1 {
		t.Errorf("enabled idps = %v", l)
	}
	c.must(400, a, "PATCH", base+"identity_providers/idp3", `{"identity_provider": {}}`)
	c.must(400, a, "PATCH", base+"identity_providers/idp3", `{"identity_provider": {"domain_id": "x"}}`)
	up := obj(c.must(200, a, "PATCH", base+"identity_providers/idp3", `{"identity_provider": {"remote_ids": ["r3"], "description": null}}`), "identity_provider")
	if up["description"] != nil || len(up["remote_ids"].([]any)) != 1 {
		t.Errorf("patched = %v", up)
	}
	c.must(404, a, "GET", base+"identity_providers/nope", nil)

	// Mappings: Keystone's schema messages.
	for _, tc := range []struct{ body, msg string }{
		{`{"mapping": {"rules": [{"remote": [{"type": "a"}]}]}}`, "'local' is a required property"},
		{`{"mapping": {"rules": []}}`, "[] is too short"},
		{`{"mapping": {}}`, "'rules' is a required property"},
		{`{"mapping": {"rules": [{"local": [{"user": {"name": "x"}}], "remote": [{"type": "a", "any_one_of": ["x"], "not_any_of": ["y"]}]}]}}`, "is not valid under any of the given schemas"},
		{`{"mapping": {"rules": [{"local": [{"user": {"type": "other"}}], "remote": [{"type": "a"}]}]}}`, "'other' is not one of ['ephemeral', 'local']"},
	} {
		r := c.srv.Do(t, apitest.Request{Method: "PUT", Path: base + "mappings/bad", Token: a, Body: tc.body})
		if r.Status != 400 || !strings.Contains(string(r.Body), tc.msg) {
			t.Errorf("%s: %d %s, want 400 with %q", tc.body, r.Status, r.Body, tc.msg)
		}
	}
	m := obj(c.must(201, a, "PUT", base+"mappings/m1", fedRules), "mapping")
	if m["schema_version"] != "1.0" || len(m["rules"].([]any)) != 2 {
		t.Errorf("mapping = %v", m)
	}
	c.must(409, a, "PUT", base+"mappings/m1", fedRules)
	c.must(200, a, "PATCH", base+"mappings/m1", fedRules)

	// Protocols: the mapping must exist.
	c.must(400, a, "PUT", base+"identity_providers/idp1/protocols/mapped", `{"protocol": {"mapping_id": "nope"}}`)
	c.must(400, a, "PUT", base+"identity_providers/idp1/protocols/mapped", `{"protocol": {}}`)
	c.must(404, a, "PUT", base+"identity_providers/nope/protocols/mapped", `{"protocol": {"mapping_id": "m1"}}`)
	p := obj(c.must(201, a, "PUT", base+"identity_providers/idp1/protocols/mapped", `{"protocol": {"mapping_id": "m1"}}`), "protocol")
	if p["mapping_id"] != "m1" || p["remote_id_attribute"] != nil {
		t.Errorf("protocol = %v", p)
	}
	c.must(409, a, "PUT", base+"identity_providers/idp1/protocols/mapped", `{"protocol": {"mapping_id": "m1"}}`)
	if l := list(c.must(200, a, "GET", base+"identity_providers/idp1/protocols", nil), "protocols"); len(l) != 1 {
		t.Errorf("protocols = %v", l)
	}
	c.must(404, a, "GET", base+"identity_providers/idp1/protocols/saml2", nil)

	// Service providers.
	c.must(400, a, "PUT", base+"service_providers/sp1", `{"service_provider": {"auth_url": "https://sp/v3"}}`)
	c.must(400, a, "PUT", base+"service_providers/sp1", `{"service_provider": {"auth_url": "not a url", "sp_url": "https://sp/ecp"}}`)
	sp := obj(c.must(201, a, "PUT", base+"service_providers/sp1", `{"service_provider": {"auth_url": "https://sp/v3/auth", "sp_url": "https://sp/ecp"}}`), "service_provider")
	if sp["relay_state_prefix"] != "ss:mem:" || sp["enabled"] != false || sp["description"] != nil {
		t.Errorf("sp = %v", sp)
	}
	sp = obj(c.must(200, a, "PATCH", base+"service_providers/sp1", `{"service_provider": {"enabled": true, "relay_state_prefix": "x:"}}`), "service_provider")
	if sp["enabled"] != true || sp["relay_state_prefix"] != "x:" {
		t.Errorf("patched sp = %v", sp)
	}
	c.must(204, a, "DELETE", base+"service_providers/sp1", nil)
	c.must(404, a, "DELETE", base+"service_providers/sp1", nil)

	// Only administrators manage federation.
	c.must(201, a, "POST", "/v3/users", `{"user": {"name": "plain", "password": "pw", "domain_id": "default"}}`)
	plain := c.login("plain", "Default", "pw", "")
	c.must(403, plain, "GET", base+"identity_providers", nil)
	c.must(403, plain, "PUT", base+"mappings/m2", fedRules)

	c.must(204, a, "DELETE", base+"identity_providers/idp1/protocols/mapped", nil)
	c.must(204, a, "DELETE", base+"mappings/m1", nil)
	c.must(204, a, "DELETE", base+"identity_providers/idp3", nil)
	c.must(404, a, "GET", base+"identity_providers/idp3", nil)
}

func TestFederatedLogin(t *testing.T) {
	c := newFedCloud(t)
	a := c.admin
	const base = "/v3/OS-FEDERATION/"
	idp := obj(c.must(201, a, "PUT", base+"identity_providers/idp1", `{"identity_provider": {"remote_ids": ["https://idp.example/x"], "enabled": true}}`), "identity_provider")
	c.must(201, a, "PUT", base+"mappings/m1", fedRules)
	c.must(201, a, "PUT", base+"identity_providers/idp1/protocols/mapped", `{"protocol": {"mapping_id": "m1"}}`)
	// The group the assertion names holds a role on a project.
	g := obj(c.must(201, a, "POST", "/v3/groups", `{"group": {"name": "engineers", "domain_id": "default"}}`), "group")
	proj := obj(c.must(201, a, "POST", "/v3/projects", `{"project": {"name": "p1", "domain_id": "default"}}`), "project")
	role := list(c.must(200, a, "GET", "/v3/roles?name=member", nil), "roles")[0].(map[string]any)
	c.must(204, a, "PUT", "/v3/projects/"+str(proj, "id")+"/groups/"+str(g, "id")+"/roles/"+str(role, "id"), nil)

	auth := base + "identity_providers/idp1/protocols/mapped/auth"
	good := []string{"REMOTE_USER", "alice", "X-Groups", "engineers;nosuchgroup", "X-Org", "acme", "X-Idp-Entity", "https://idp.example/x"}
	// What fails, and how.
	c.assert(auth, 403, "REMOTE_USER", "alice", "X-Groups", "engineers", "X-Org", "acme", "X-Idp-Entity", "https://other/")
	c.assert(auth, 401, "REMOTE_USER", "alice", "X-Groups", "engineers", "X-Org", "acme")
	c.assert(auth, 401, "REMOTE_USER", "alice", "X-Groups", "engineers", "X-Org", "other", "X-Idp-Entity", "https://idp.example/x")
	c.assert(base+"identity_providers/nope/protocols/mapped/auth", 404, good...)
	c.assert(base+"identity_providers/idp1/protocols/saml2/auth", 404, good...)

	tok, body := c.assert(auth, 201, good...)
	user := obj(body, "user")
	fed := obj(user, "OS-FEDERATION")
	if id(fed, "identity_provider") != "idp1" || id(fed, "protocol") != "mapped" {
		t.Errorf("OS-FEDERATION = %v", fed)
	}
	if gs := fed["groups"].([]any); len(gs) != 1 || gs[0].(map[string]any)["id"] != g["id"] {
		t.Errorf("groups = %v", fed["groups"])
	}
	if user["name"] != "alice" || id(user, "domain") != idp["domain_id"] || body["roles"] != nil {
		t.Errorf("token = %v", body)
	}
	if ms := body["methods"].([]any); len(ms) != 1 || ms[0] != "mapped" {
		t.Errorf("methods = %v", ms)
	}
	// What the federated token may scope to: the group's project and the
	// project the mapping provisioned.
	for _, path := range []string{"/v3/auth/projects", base + "projects"} {
		ps := list(c.must(200, tok, "GET", path, nil), "projects")
		var names []string
		for _, p := range ps {
			names = append(names, str(p.(map[string]any), "name"))
		}
		if strings.Join(names, ",") != "fedproj,p1" {
			t.Errorf("%s = %v", path, names)
		}
	}
	c.must(200, tok, "GET", base+"domains", nil)
	// A project-scoped token from the federated one stays federated.
	scoped, sbody := c.token(`{"auth": {"identity": {"methods": ["token"], "token": {"id": "`+tok+`"}}, "scope": {"project": {"id": "`+str(proj, "id")+`"}}}}`, 201)
	if roles := sbody["roles"].([]any); len(roles) == 0 || roles[0].(map[string]any)["name"] != "member" {
		t.Errorf("scoped roles = %v", sbody["roles"])
	}
	if _, ok := obj(sbody, "user")["OS-FEDERATION"]; !ok {
		t.Errorf("scoped token lost OS-FEDERATION: %v", sbody)
	}
	got, _ := c.do("GET", "/v3/auth/tokens", a, nil, 200, "X-Subject-Token", scoped)
	if _, ok := obj(obj(got, "token"), "user")["OS-FEDERATION"]; !ok {
		t.Errorf("validated token lost OS-FEDERATION: %v", got)
	}
	// The shadow user is found again, and its groups follow the assertion.
	_, again := c.assert(auth, 201, "REMOTE_USER", "alice", "X-Groups", "nosuchgroup", "X-Org", "acme", "X-Idp-Entity", "https://idp.example/x")
	if id(again, "user") != id(body, "user") {
		t.Errorf("second login made another user")
	}
	if gs := list(c.must(200, a, "GET", "/v3/users/"+id(body, "user")+"/groups", nil), "groups"); len(gs) != 0 {
		t.Errorf("memberships after a login without the group = %v", gs)
	}
	c.do("GET", "/v3/auth/tokens", a, nil, 404, "X-Subject-Token", scoped)

	// A disabled IdP refuses logins.
	c.must(200, a, "PATCH", base+"identity_providers/idp1", `{"identity_provider": {"enabled": false}}`)
	c.assert(auth, 403, good...)
	c.must(200, a, "PATCH", base+"identity_providers/idp1", `{"identity_provider": {"enabled": true}}`)

	// A mapping to a local user gives its ordinary token.
	c.must(201, a, "PUT", base+"mappings/local", `{"mapping": {"rules": [{"local": [{"user": {"name": "{0}", "domain": {"name": "Default"}, "type": "local"}}], "remote": [{"type": "X-User"}]}]}}`)
	c.must(201, a, "PUT", base+"identity_providers/idp1/protocols/openid", `{"protocol": {"mapping_id": "local", "remote_id_attribute": "X-Other-Entity"}}`)
	ltok, lbody := c.assert(base+"identity_providers/idp1/protocols/openid/auth", 201, "X-User", "admin", "X-Other-Entity", "https://idp.example/x")
	if id(lbody, "user") != c.adminID() || obj(lbody, "user")["OS-FEDERATION"] != nil || lbody["methods"].([]any)[0] != "openid" {
		t.Errorf("local token = %v", lbody)
	}
	c.must(200, ltok, "GET", "/v3/auth/projects", nil)
	c.assert(base+"identity_providers/idp1/protocols/openid/auth", 401, "X-User", "nobody", "X-Other-Entity", "https://idp.example/x")

	// Web single sign-on: the origin must be a trusted dashboard.
	sso := "/v3/auth/OS-FEDERATION/identity_providers/idp1/protocols/mapped/websso"
	c.do("GET", sso, "", nil, 400, good...)
	c.do("GET", sso+"?origin=https%3A%2F%2Fevil.example%2F", "", nil, 401, good...)
	c.do("GET", "/v3/auth/OS-FEDERATION/websso/mapped?origin=https%3A%2F%2Fdash.example%2Fauth%2Fwebsso%2F", "", nil, 401)
	for _, path := range []string{sso, "/v3/auth/OS-FEDERATION/websso/mapped"} {
		r := c.srv.Do(t, apitest.Request{Method: "GET", Path: path + "?origin=https%3A%2F%2Fdash.example%2Fauth%2Fwebsso%2F", Header: good})
		page := string(r.Body)
		if r.Status != 200 || !strings.Contains(page, `action="https://dash.example/auth/websso/"`) || !strings.Contains(page, `name="token" id="token" value="`) {
			t.Errorf("%s: %d %s", path, r.Status, page)
		}
	}

	// Deleting the IdP deletes its users: their tokens die.
	c.must(204, a, "DELETE", base+"identity_providers/idp1", nil)
	c.do("GET", "/v3/auth/tokens", a, nil, 404, "X-Subject-Token", tok)
	c.must(404, a, "GET", "/v3/users/"+id(body, "user"), nil)
}
