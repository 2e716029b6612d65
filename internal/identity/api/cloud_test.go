package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/identity/api"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/store"
	"github.com/gostack/gostack/internal/identity/token"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// cloud is an in-process identity API with a bootstrapped admin, whose
// project-scoped token the tests act with.
type cloud struct {
	t     *testing.T
	srv   *apitest.Server
	svc   *identity.Service
	admin string // admin token
	res   *identity.BootstrapResult
	// db is the cloud's database, for the tests that must age a record.
	db *db.DB
}

const adminPassword = "secret"

func newCloud(t *testing.T, sec directory.SecurityCompliance) *cloud {
	t.Helper()
	ctx := context.Background()
	keys := t.TempDir()
	if err := token.Setup(keys); err != nil {
		t.Fatal(err)
	}
	d := dbtest.Open(t)
	svc, err := identity.New(ctx, identity.Config{KeyRepository: keys, BcryptCost: 4, Security: sec}, store.New(d))
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Bootstrap(ctx, identity.BootstrapSpec{AdminPassword: adminPassword,
		Services: []identity.BootstrapService{{Type: "identity", Name: "keystone", PublicURL: "http://id/v3"}}})
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(svc, apitest.Policy(t, identity.PolicyDefaults()), "http://id", slog.New(slog.DiscardHandler))
	c := &cloud{t: t, srv: apitest.Serve(t, h.Handler()), svc: svc, res: res, db: d}
	c.admin = c.login("admin", "Default", adminPassword, "admin")
	return c
}

// do sends a request, checks its status and decodes a JSON answer.
func (c *cloud) do(method, path, token string, body any, want int, hdr ...string) (map[string]any, http.Header) {
	c.t.Helper()
	r := c.srv.Do(c.t, apitest.Request{Method: method, Path: path, Token: token, Body: body, Header: hdr})
	if r.Status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r.JSON(), r.Header
}

// must is do for the directory's tests, which name the status first.
func (c *cloud) must(want int, tok, method, path string, body any) map[string]any {
	c.t.Helper()
	m, _ := c.do(method, path, tok, body, want)
	return m
}

// token asks for a token with an auth request body and returns the
// token and what it says.
func (c *cloud) token(body string, want int) (string, map[string]any) {
	c.t.Helper()
	m, h := c.do("POST", "/v3/auth/tokens", "", body, want)
	tok, _ := m["token"].(map[string]any)
	return h.Get("X-Subject-Token"), tok
}

// login authenticates a user by name in a domain, scoped to a project
// of that domain ("" unscoped).
func (c *cloud) login(user, domain, password, project string) string {
	c.t.Helper()
	tok, status := c.tryLogin(map[string]any{"name": user, "domain": map[string]any{"name": domain}, "password": password}, project, domain)
	if status != http.StatusCreated {
		c.t.Fatalf("token for %s: status %d", user, status)
	}
	return tok
}

// tryLogin authenticates with a password and returns the token and the
// status of the answer.
func (c *cloud) tryLogin(userRef map[string]any, project, domain string) (string, int) {
	c.t.Helper()
	auth := map[string]any{"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{"user": userRef}}}
	if project != "" {
		auth["scope"] = map[string]any{"project": map[string]any{"name": project, "domain": map[string]any{"name": domain}}}
	}
	r := c.srv.Do(c.t, apitest.Request{Method: "POST", Path: "/v3/auth/tokens", Body: map[string]any{"auth": auth}})
	return r.Header.Get("X-Subject-Token"), r.Status
}
