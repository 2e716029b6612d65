package tokensource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// keystone is a Keystone that issues tokens of a set lifetime to one
// service user, serves its catalog, and guards a /protected resource (a
// service the token is sent to) that echoes the request body.
type keystone struct {
	t        *testing.T
	lifetime time.Duration
	srvURL   string

	mu      sync.Mutex
	logins  int
	valid   map[string]bool
	seen    []string // the tokens /protected was called with
	badPass bool
}

func newKeystone(t *testing.T) (*keystone, *httptest.Server) {
	k := &keystone{t: t, lifetime: time.Hour, valid: map[string]bool{}}
	srv := httptest.NewServer(k)
	t.Cleanup(srv.Close)
	k.srvURL = srv.URL
	return k, srv
}

func (k *keystone) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	defer k.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	unauthorized := func() {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens":
		var req struct {
			Auth struct {
				Identity struct {
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
		u, p := req.Auth.Identity.Password.User, req.Auth.Scope.Project
		if k.badPass || u.Name != "gostack-compute-agent" || u.Password != "pw" || u.Domain.Name != "Default" || p.Name != "service" || p.Domain.Name != "Default" {
			unauthorized()
			return
		}
		k.logins++
		tok := fmt.Sprintf("tok-%d", k.logins)
		k.valid[tok] = true
		now := time.Now().UTC()
		w.Header().Set("X-Subject-Token", tok)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token": {"methods": ["password"], "user": {"id": "u1", "name": "gostack-compute-agent", "domain": {"id": "default"}},
			"project": {"id": "p1", "name": "service", "domain": {"id": "default"}}, "roles": [{"id": "r1", "name": "service"}],
			"issued_at": %q, "expires_at": %q}}`, now.Format(time.RFC3339Nano), now.Add(k.lifetime).Format(time.RFC3339Nano))
	case r.Method == http.MethodGet && r.URL.Path == "/v3/auth/catalog":
		if !k.valid[r.Header.Get("X-Auth-Token")] {
			unauthorized()
			return
		}
		fmt.Fprintf(w, `{"catalog": [
			{"type": "image", "endpoints": [{"interface": "public", "region_id": "RegionOne", "url": "%[1]s/image"}]},
			{"type": "placement", "endpoints": [
				{"interface": "public", "region_id": "RegionOne", "url": "%[1]s/placement-public"},
				{"interface": "internal", "region_id": "RegionTwo", "url": "%[1]s/placement-two"},
				{"interface": "internal", "region_id": "RegionOne", "url": "%[1]s/placement/"}]}]}`, k.srvURL)
	case r.URL.Path == "/protected":
		tok := r.Header.Get("X-Auth-Token")
		k.seen = append(k.seen, tok)
		if !k.valid[tok] {
			unauthorized()
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.Copy(w, r.Body)
	default:
		http.NotFound(w, r)
	}
}

func (k *keystone) revokeAll() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.valid = map[string]bool{}
}

func (k *keystone) tokensSeen() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.seen...)
}

func creds(authURL string) Credentials {
	return Credentials{AuthURL: authURL + "/v3", Username: "gostack-compute-agent", Password: "pw",
		UserDomainName: "Default", ProjectName: "service", ProjectDomainName: "Default", RegionName: "RegionOne"}
}

func TestTokenCachedAndRenewedBeforeExpiry(t *testing.T) {
	k, srv := newKeystone(t)
	k.lifetime = time.Hour
	s, err := New(creds(srv.URL), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	s.now = func() time.Time { return clock }
	ctx := context.Background()
	first, err := s.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if tok, err := s.Token(ctx); err != nil || tok != first {
			t.Fatalf("Token = %q, %v; want the cached %q", tok, err, first)
		}
	}
	if s.Logins() != 1 {
		t.Fatalf("logins = %d, want 1 while the token is fresh", s.Logins())
	}
	// Still five minutes and a bit before expiry: kept.
	clock = clock.Add(54 * time.Minute)
	if tok, _ := s.Token(ctx); tok != first {
		t.Fatalf("token renewed %v before expiry, want kept", time.Hour-54*time.Minute)
	}
	// Within the last five minutes: renewed before it expires.
	clock = clock.Add(2 * time.Minute)
	second, err := s.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second == first || s.Logins() != 2 {
		t.Fatalf("token %q (logins %d) not renewed 4 minutes before expiry", second, s.Logins())
	}
}

func TestShortLivedTokenRenewedInItsLastQuarter(t *testing.T) {
	k, srv := newKeystone(t)
	k.lifetime = 8 * time.Minute
	s, err := New(creds(srv.URL), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	s.now = func() time.Time { return clock }
	first, _ := s.Token(context.Background())
	clock = clock.Add(5*time.Minute + 30*time.Second)
	if tok, _ := s.Token(context.Background()); tok != first {
		t.Fatal("renewed before the last quarter of an 8-minute token")
	}
	clock = clock.Add(time.Minute)
	if tok, _ := s.Token(context.Background()); tok == first {
		t.Fatal("not renewed in the last quarter of an 8-minute token")
	}
}

func TestTransportReauthenticatesOnceOn401(t *testing.T) {
	k, srv := newKeystone(t)
	s, err := New(creds(srv.URL), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: s.Transport(srv.Client().Transport)}
	post := func() (int, string) {
		t.Helper()
		resp, err := hc.Post(srv.URL+"/protected", "text/plain", strings.NewReader("inventory"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post(); code != 200 || body != "inventory" {
		t.Fatalf("first call: %d %q", code, body)
	}
	// Keystone forgets every token (a revocation, a key rotation gone
	// wrong, a password rotation): the next call logs in again and the
	// request is sent again, body and all.
	k.revokeAll()
	if code, body := post(); code != 200 || body != "inventory" {
		t.Fatalf("call after revocation: %d %q, want the replayed request's 200", code, body)
	}
	if s.Logins() != 2 {
		t.Fatalf("logins = %d, want 2", s.Logins())
	}
	seen := k.tokensSeen()
	if want := []string{"tok-1", "tok-1", "tok-2"}; strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Fatalf("tokens sent = %v, want %v", seen, want)
	}

	// A login that fails leaves the service's 401 for the caller, after
	// one attempt: no loop.
	k.revokeAll()
	k.mu.Lock()
	k.badPass = true
	k.mu.Unlock()
	if code, _ := post(); code != http.StatusUnauthorized {
		t.Fatalf("call with the login refused: %d, want 401", code)
	}
	if len(k.tokensSeen()) != 4 {
		t.Fatalf("requests = %d, want 4 (no retry without a fresh token)", len(k.tokensSeen()))
	}
}

func TestTransportLeavesOtherTokensAlone(t *testing.T) {
	k, srv := newKeystone(t)
	s, err := New(creds(srv.URL), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: s.Transport(srv.Client().Transport)}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/protected", strings.NewReader("snapshot"))
	req.Header.Set("X-Auth-Token", "a-user-token")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want the user's 401", resp.StatusCode)
	}
	if s.Logins() != 0 || len(k.tokensSeen()) != 1 {
		t.Fatalf("logins %d, requests %d: a user's refused token made the service user log in", s.Logins(), len(k.tokensSeen()))
	}
}

func TestEndpointFromCatalog(t *testing.T) {
	_, srv := newKeystone(t)
	s, err := New(creds(srv.URL), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for typ, want := range map[string]string{
		// Internal before public, in the credentials' region, no trailing slash.
		"placement": srv.URL + "/placement",
		// Public when there is no internal one.
		"image": srv.URL + "/image",
	} {
		got, err := s.Endpoint(ctx, typ)
		if err != nil || got != want {
			t.Errorf("Endpoint(%s) = %q, %v; want %q", typ, got, err, want)
		}
	}
	if _, err := s.Endpoint(ctx, "volumev3"); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("Endpoint(volumev3) error = %v, want ErrNoEndpoint", err)
	}
	if s.Logins() != 1 {
		t.Errorf("logins = %d, want 1 for three lookups", s.Logins())
	}
}

func TestBadPasswordIsAnError(t *testing.T) {
	_, srv := newKeystone(t)
	c := creds(srv.URL)
	c.Password = "wrong"
	s, err := New(c, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "gostack-compute-agent") {
		t.Fatalf("Token with a wrong password: %v, want an error naming the user", err)
	}
}

func TestCredentialsFile(t *testing.T) {
	dir := t.TempDir()
	path := Path(dir, "gostack-compute-agent")
	c := creds("http://127.0.0.1:5000")
	if err := c.Write(path); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if *got != c {
		t.Fatalf("Load = %+v, want %+v", *got, c)
	}
	// A file without its password is refused, naming what is missing.
	if err := os.WriteFile(path, []byte(`{"auth_url": "http://x/v3", "username": "u"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("Load of an incomplete file: %v", err)
	}
	if err := (Credentials{}).Write(path); err == nil {
		t.Fatal("Write of empty credentials succeeded")
	}
}
