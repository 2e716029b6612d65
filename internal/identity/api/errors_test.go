package api_test

import (
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// TestBodyContentType follows Keystone's json_body_before_request: a body
// declared as anything but JSON is a 400, before the token is looked at;
// JSON spellings and a body without a Content-Type pass.
func TestBodyContentType(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	body := `{"domain": {"name": "ct-%s"}}`
	for i, tc := range []struct {
		ct, token string
		want      int
	}{
		{"text/plain", c.admin, 400},
		{"application/x-www-form-urlencoded", c.admin, 400},
		{"text/plain", "", 400}, // before authentication, as Keystone
		{"application/jsonx", c.admin, 400},
		{"application/json", c.admin, 201},
		{"application/json; charset=utf-8", c.admin, 201},
		{"Application/JSON", c.admin, 201},
		{"application/vnd.openstack+json", c.admin, 201},
		{"", c.admin, 201},
	} {
		t.Run(tc.ct, func(t *testing.T) {
			// An empty value sends the body with no declared type.
			r := c.srv.Do(t, apitest.Request{Method: "POST", Path: "/v3/domains", Token: tc.token,
				Body: strings.Replace(body, "%s", string(rune('a'+i)), 1), Header: []string{"Content-Type", tc.ct}})
			if r.Status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.want, r.Body)
			}
			if tc.want == 400 {
				e := obj(r.JSON(), "error")
				if e["code"] != float64(400) || e["title"] != "Bad Request" || !strings.HasPrefix(str(e, "message"), "Expecting to find application/json in Content-Type header.") {
					t.Errorf("error body %s", r.Body)
				}
			}
		})
	}
	// A request without a body is not concerned, whatever it declares.
	c.do("GET", "/v3/domains", c.admin, nil, 200, "Content-Type", "text/plain")
}

// TestErrorEchoIsCut checks that a validation error echoes at most a
// short prefix of the offending value: a 100 KB value gives an error
// under 1 KB.
func TestErrorEchoIsCut(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	big := strings.Repeat("é", 50_000) // 100 KB, multi-byte, to cut on a character boundary
	svc := str(obj(c.must(201, c.admin, "POST", "/v3/services", map[string]any{"service": map[string]any{"type": "x"}}), "service"), "id")
	for _, tc := range []struct {
		name, method, path string
		body               map[string]any
	}{
		{"user name", "POST", "/v3/users", map[string]any{"user": map[string]any{"name": big}}},
		{"project name", "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": big}}},
		{"domain name", "POST", "/v3/domains", map[string]any{"domain": map[string]any{"name": big}}},
		{"group name", "POST", "/v3/groups", map[string]any{"group": map[string]any{"name": big}}},
		{"project tag", "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "p", "tags": []string{big}}}},
		{"wrong type", "POST", "/v3/users", map[string]any{"user": map[string]any{"name": "u", "enabled": big}}},
		{"entity type", "POST", "/v3/roles", map[string]any{"role": big}},
		{"endpoint url", "POST", "/v3/endpoints", map[string]any{"endpoint": map[string]any{"service_id": svc, "interface": "public", "url": big}}},
		{"endpoint interface", "POST", "/v3/endpoints", map[string]any{"endpoint": map[string]any{"service_id": svc, "interface": big, "url": "http://x"}}},
		{"endpoint region", "POST", "/v3/endpoints", map[string]any{"endpoint": map[string]any{"service_id": svc, "interface": "public", "url": "http://x", "region_id": big}}},
		{"endpoint service", "POST", "/v3/endpoints", map[string]any{"endpoint": map[string]any{"service_id": big, "interface": "public", "url": "http://x"}}},
		{"region parent", "POST", "/v3/regions", map[string]any{"region": map[string]any{"parent_region_id": big}}},
		{"role option", "POST", "/v3/roles", map[string]any{"role": map[string]any{"name": "r", "options": map[string]any{big: true}}}},
		{"scope", "POST", "/v3/auth/tokens", map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"token"}, "token": map[string]any{"id": "x"}}, "scope": big}}},
		{"credential user", "POST", "/v3/credentials", map[string]any{"credential": map[string]any{"user_id": big, "type": "cert", "blob": "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.srv.Do(t, apitest.Request{Method: tc.method, Path: tc.path, Token: c.admin, Body: tc.body})
			if r.Status < 400 || r.Status >= 500 {
				t.Fatalf("status %d: %.300s", r.Status, r.Body)
			}
			if len(r.Body) >= 1024 {
				t.Fatalf("error body of %d bytes: %.300s", len(r.Body), r.Body)
			}
			// A message that echoes the value shows its first 100
			// characters and "...".
			if msg := str(obj(r.JSON(), "error"), "message"); strings.Contains(msg, "é") && !strings.Contains(msg, strings.Repeat("é", 100)+"...") {
				t.Errorf("message %q does not echo the value's first 100 characters", msg)
			}
		})
	}
}

// TestTokenNotFoundNamesToken checks Keystone's TokenNotFound message,
// "Could not find token: <id>.".
func TestTokenNotFoundNamesToken(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	bogus := "gAAAAABnotatoken"
	m, _ := c.do("GET", "/v3/auth/tokens", c.admin, nil, 404, "X-Subject-Token", bogus)
	if got, want := str(obj(m, "error"), "message"), "Could not find token: "+bogus+"."; got != want {
		t.Errorf("validate: message %q, want %q", got, want)
	}
	m, _ = c.do("POST", "/v3/auth/tokens", "", `{"auth":{"identity":{"methods":["token"],"token":{"id":"`+bogus+`"}}}}`, 404)
	if got, want := str(obj(m, "error"), "message"), "Could not find token: "+bogus+"."; got != want {
		t.Errorf("rescope: message %q, want %q", got, want)
	}
}
