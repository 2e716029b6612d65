package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/platform/auth"
)

const userTokenBody = `{"token": {
  "methods": ["password"],
  "user": {"id": "u1", "name": "alice", "domain": {"id": "default", "name": "Default"}, "password_expires_at": null},
  "audit_ids": ["aud1"],
  "expires_at": "2026-11-21T22:16:51.123456Z",
  "issued_at": "2026-11-21T21:16:51.123456Z",
  "project": {"id": "p1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
  "is_domain": false,
  "roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}],
  "is_admin_project": false,
  "catalog": []
}}`

func TestDecodeToken(t *testing.T) {
	exp := time.Date(2026, 11, 21, 22, 16, 51, 123456000, time.UTC)
	iss := time.Date(2026, 11, 21, 21, 16, 51, 123456000, time.UTC)
	user := `"user": {"id": "u1", "name": "alice", "domain": {"id": "d1", "name": "D1"}}`
	times := `"expires_at": "2026-11-21T22:16:51.123456Z", "issued_at": "2026-11-21T21:16:51.123456Z"`
	base := auth.Credentials{UserID: "u1", UserName: "alice", UserDomainID: "d1", UserDomainName: "D1",
		ExpiresAt: exp, IssuedAt: iss, IsAdminProject: true}
	with := func(f func(c *auth.Credentials)) *auth.Credentials { c := base; f(&c); return &c }
	tests := []struct {
		name    string
		body    string
		want    *auth.Credentials
		wantErr bool
	}{
		{"project scoped", userTokenBody, &auth.Credentials{
			UserID: "u1", UserName: "alice", UserDomainID: "default", UserDomainName: "Default",
			ProjectID: "p1", ProjectName: "demo", ProjectDomainID: "default", ProjectDomainName: "Default",
			Roles: []string{"member", "reader"}, RoleIDs: []string{"r1", "r2"},
			Methods: []string{"password"}, AuditIDs: []string{"aud1"}, ExpiresAt: exp, IssuedAt: iss,
		}, false},
		{"unscoped", `{"token": {` + user + `, ` + times + `, "methods": ["token"]}}`,
			with(func(c *auth.Credentials) { c.Methods = []string{"token"} }), false},
		{"domain scoped", `{"token": {` + user + `, ` + times + `, "domain": {"id": "d2", "name": "D2"}, "roles": [{"id": "ra", "name": "admin"}]}}`,
			with(func(c *auth.Credentials) {
				c.DomainID, c.DomainName = "d2", "D2"
				c.Roles, c.RoleIDs = []string{"admin"}, []string{"ra"}
			}), false},
		{"system scoped", `{"token": {` + user + `, ` + times + `, "system": {"all": true}}}`,
			with(func(c *auth.Credentials) { c.System = "all" }), false},
		{"admin project default", `{"token": {` + user + `, ` + times + `, "project": {"id": "p", "name": "admin", "domain": {"id": "default"}}}}`,
			with(func(c *auth.Credentials) { c.ProjectID, c.ProjectName, c.ProjectDomainID = "p", "admin", "default" }), false},
		{"trust", `{"token": {` + user + `, ` + times + `, "OS-TRUST:trust": {"id": "t1", "impersonation": false, "trustee_user": {"id": "u1"}, "trustor_user": {"id": "u9"}}}}`,
			with(func(c *auth.Credentials) { c.TrustID, c.TrusteeUserID, c.TrustorUserID = "t1", "u1", "u9" }), false},
		{"application credential", `{"token": {` + user + `, ` + times + `, "methods": ["application_credential"], "application_credential": {"id": "ac1", "name": "ci", "restricted": true}}}`,
			with(func(c *auth.Credentials) {
				c.ApplicationCredentialID = "ac1"
				c.Methods = []string{"application_credential"}
			}), false},
		{"zoneless times", `{"token": {` + user + `, "expires_at": "2026-11-21T22:16:51.123456", "issued_at": "2026-11-21T21:16:51.123456"}}`, &base, false},
		{"no user", `{"token": {` + times + `}}`, nil, true},
		{"bad time", `{"token": {` + user + `, "expires_at": "tomorrow"}}`, nil, true},
		{"not json", `<html>`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeToken(strings.NewReader(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("credentials (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewNormalisesURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:5000", "http://127.0.0.1:5000"},
		{"http://127.0.0.1:5000/", "http://127.0.0.1:5000"},
		{"http://127.0.0.1:5000/v3", "http://127.0.0.1:5000"},
		{"https://cloud.example/identity/v3/", "https://cloud.example/identity"},
		{"http://h:5000/v3?x=1", "http://h:5000"},
	}
	for _, tt := range tests {
		c, err := New(tt.in, nil)
		if err != nil || c.base != tt.want {
			t.Errorf("New(%q).base = %q, %v; want %q", tt.in, c.base, err, tt.want)
		}
	}
	for _, bad := range []string{"", "127.0.0.1:5000", "ftp://h/", "http://"} {
		if _, err := New(bad, nil); err == nil {
			t.Errorf("New(%q) succeeded", bad)
		}
	}
}

// keystone is a fake identity endpoint with Keystone-shaped answers.
type keystone struct {
	t        *testing.T
	lifetime time.Duration

	mu       sync.Mutex
	logins   int
	valid    map[string]bool   // service tokens identity accepts
	subjects map[string]string // user token -> body
	fail     bool              // answer 500 to validations
}

func newKeystone(t *testing.T) *keystone {
	return &keystone{t: t, lifetime: time.Hour, valid: map[string]bool{},
		subjects: map[string]string{"user-token": userTokenBody}}
}

func (k *keystone) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r.URL.Path != "/v3/auth/tokens" || !r.URL.Query().Has("nocatalog") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.Method {
	case http.MethodPost:
		var req struct {
			Auth struct {
				Identity struct {
					Methods  []string
					Password struct {
						User struct {
							Name, Password string
							Domain         struct{ Name string }
						}
					}
				}
				Scope struct {
					Project struct {
						Name   string
						Domain struct{ Name string }
					}
				}
			}
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			k.t.Errorf("login body: %v", err)
		}
		a := req.Auth
		u := a.Identity.Password.User
		if u.Name != "nova" || u.Password != "secret" || u.Domain.Name != "Default" ||
			a.Scope.Project.Name != "service" || a.Scope.Project.Domain.Name != "Default" ||
			!cmp.Equal(a.Identity.Methods, []string{"password"}) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
			return
		}
		k.logins++
		tok := fmt.Sprintf("svc-%d", k.logins)
		k.valid[tok] = true
		now := time.Now().UTC()
		w.Header().Set("X-Subject-Token", tok)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token": {"methods": ["password"], "user": {"id": "nova-id", "name": "nova", "domain": {"id": "default"}},
			"project": {"id": "svc-p", "name": "service", "domain": {"id": "default"}}, "roles": [{"id": "rs", "name": "service"}],
			"issued_at": %q, "expires_at": %q, "audit_ids": ["x"]}}`,
			now.Format(time.RFC3339Nano), now.Add(k.lifetime).Format(time.RFC3339Nano))
	case http.MethodGet:
		if k.fail {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error": {"code": 500, "title": "Internal Server Error", "message": "database is locked"}}`)
			return
		}
		caller, subject := r.Header.Get("X-Auth-Token"), r.Header.Get("X-Subject-Token")
		if !k.valid[caller] && k.subjects[caller] == "" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
			return
		}
		body, ok := k.subjects[subject]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error": {"code": 404, "title": "Not Found", "message": "Could not find token: %s."}}`, subject)
			return
		}
		fmt.Fprint(w, body)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (k *keystone) revokeServiceTokens() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.valid = map[string]bool{}
}

func (k *keystone) loginCount() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.logins
}

var novaUser = Password{UserName: "nova", UserDomainName: "Default", Password: "secret",
	ProjectName: "service", ProjectDomainName: "Default"}

func TestValidate(t *testing.T) {
	k := newKeystone(t)
	srv := httptest.NewServer(k)
	defer srv.Close()
	c, err := New(srv.URL+"/v3", srv.Client(), WithServiceUser(novaUser))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	got, err := c.Validate(ctx, "user-token")
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != "u1" || got.ProjectID != "p1" || got.Token != "user-token" || got.IsAdminProject {
		t.Errorf("credentials = %+v", got)
	}
	for _, tok := range []string{"unknown", ""} {
		if _, err := c.Validate(ctx, tok); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("Validate(%q) = %v, want ErrInvalidToken", tok, err)
		}
	}
	if n := k.loginCount(); n != 1 {
		t.Errorf("logins = %d, want 1 (service token reused)", n)
	}

	// Identity forgets our token: the client logs in again and carries on.
	k.revokeServiceTokens()
	if _, err := c.Validate(ctx, "user-token"); err != nil {
		t.Errorf("after service token revocation: %v", err)
	}
	if n := k.loginCount(); n != 2 {
		t.Errorf("logins = %d, want 2", n)
	}

	k.fail = true
	_, err = c.Validate(ctx, "user-token")
	var ie *Error
	if !errors.As(err, &ie) || ie.Status != 500 || ie.Message != "database is locked" {
		t.Errorf("server error = %#v", err)
	}
}

func TestValidateWithoutServiceUser(t *testing.T) {
	k := newKeystone(t)
	srv := httptest.NewServer(k)
	defer srv.Close()
	c, _ := New(srv.URL, srv.Client())
	got, err := c.Validate(context.Background(), "user-token")
	if err != nil || got.UserName != "alice" {
		t.Fatalf("Validate = %+v, %v", got, err)
	}
	if _, err := c.Validate(context.Background(), "bogus"); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("bogus token: %v", err)
	}
	if _, err := c.ServiceToken(context.Background()); err == nil {
		t.Error("ServiceToken without a service user succeeded")
	}
}

func TestBadServiceUser(t *testing.T) {
	k := newKeystone(t)
	srv := httptest.NewServer(k)
	defer srv.Close()
	bad := novaUser
	bad.Password = "wrong"
	c, _ := New(srv.URL, srv.Client(), WithServiceUser(bad))
	_, err := c.Validate(context.Background(), "user-token")
	var ie *Error
	if !errors.As(err, &ie) || ie.Status != http.StatusUnauthorized {
		t.Fatalf("err = %v, want identity 401", err)
	}
	if errors.Is(err, auth.ErrInvalidToken) {
		t.Error("a failed service login was reported as the user's invalid token")
	}
}

func TestAuthenticateRequestShapes(t *testing.T) {
	tests := []struct {
		name string
		p    Password
		want string
	}{
		{"names", novaUser, `{"auth":{"identity":{"methods":["password"],"password":{"user":{"domain":{"name":"Default"},"name":"nova","password":"secret"}}},"scope":{"project":{"domain":{"name":"Default"},"name":"service"}}}}`},
		{"ids", Password{UserID: "u", Password: "p", ProjectID: "pid"}, `{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"u","password":"p"}}},"scope":{"project":{"id":"pid"}}}}`},
		{"unscoped", Password{UserName: "a", UserDomainID: "default", Password: "p"}, `{"auth":{"identity":{"methods":["password"],"password":{"user":{"domain":{"id":"default"},"name":"a","password":"p"}}}}}`},
	}
	for _, tt := range tests {
		raw, err := json.Marshal(passwordRequest(tt.p))
		if err != nil {
			t.Fatal(err)
		}
		var got, want any
		json.Unmarshal(raw, &got)
		if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: body (-want +got):\n%s", tt.name, diff)
		}
	}
}

// handlerTransport serves requests with a handler in-process, so that
// tests under synctest involve no network.
type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	ht.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

func TestServiceTokenRefreshedBeforeExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := newKeystone(t)
		c, _ := New("http://identity:5000", &http.Client{Transport: handlerTransport{k}}, WithServiceUser(novaUser))
		ctx := context.Background()
		tok := func() string {
			t.Helper()
			s, err := c.ServiceToken(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		if got := tok(); got != "svc-1" {
			t.Fatalf("first token = %q", got)
		}
		// One-hour tokens are renewed five minutes before they expire.
		time.Sleep(54 * time.Minute)
		if got := tok(); got != "svc-1" {
			t.Errorf("at 54 min token = %q, want svc-1", got)
		}
		time.Sleep(time.Minute)
		if got := tok(); got != "svc-2" {
			t.Errorf("at 55 min token = %q, want svc-2", got)
		}
		// Short-lived tokens are renewed in their last quarter.
		k.lifetime = 4 * time.Minute
		c.dropServiceToken("svc-2")
		tok() // svc-3, valid 4 min, renewed after 3
		time.Sleep(2*time.Minute + 59*time.Second)
		if got := tok(); got != "svc-3" {
			t.Errorf("token = %q, want svc-3", got)
		}
		time.Sleep(time.Second)
		if got := tok(); got != "svc-4" {
			t.Errorf("token = %q, want svc-4", got)
		}
	})
}

// A client given a token function calls as the service with its tokens
// and never logs in; identity's refusal of the user's token is still
// ErrInvalidToken, and Refused tells refusals from other failures.
func TestTokenFunc(t *testing.T) {
	k := newKeystone(t)
	k.valid["given-token"] = true
	srv := httptest.NewServer(k)
	defer srv.Close()
	c, _ := New(srv.URL, srv.Client(), WithTokenFunc(func(context.Context) (string, error) { return "given-token", nil }))
	if !c.CallsAsService() {
		t.Error("CallsAsService = false with a token function")
	}
	got, err := c.Validate(context.Background(), "user-token")
	if err != nil || got.UserName != "alice" {
		t.Fatalf("Validate = %+v, %v", got, err)
	}
	if _, err := c.Validate(context.Background(), "bogus"); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("bogus token: %v", err)
	}
	if n := k.loginCount(); n != 0 {
		t.Errorf("logins = %d, want 0", n)
	}
	if _, err := c.EC2Secret(context.Background(), "u1", "AKID"); !Refused(err) {
		t.Errorf("EC2Secret of an unknown path: %v, want a refusal", err)
	}
	k.fail = true
	if _, err := c.Validate(context.Background(), "user-token"); err == nil || Refused(err) {
		t.Errorf("a 500 from identity: %v, want a failure that is not a refusal", err)
	}
	if Refused(errors.New("dial tcp: connection refused")) {
		t.Error("a transport error counted as a refusal")
	}
}
