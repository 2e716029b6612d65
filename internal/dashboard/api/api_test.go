package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gostack/gostack/internal/dashboard"
	"github.com/gostack/gostack/internal/dashboard/api"
	"github.com/gostack/gostack/internal/dashboard/keystone"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/testcloud"
)

// clock is a settable clock for the session store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a test cloud with a member user on two projects, and a
// dashboard server whose session store the test can see and whose clock
// it can move.
type fixture struct {
	cloud    *testcloud.Cloud
	admin    string
	url      string
	sessions *dashboard.Sessions
	clock    *clock
	// alice is a member of "demo" and "other" and has no role on "nope".
	aliceID                  string
	demo, other, nope        string
	identity, compute, image string
}

func setup(t *testing.T) *fixture {
	t.Helper()
	c := testcloud.Start(t, func(cfg *config.Config) { cfg.Dashboard.Port = 0 })
	f := &fixture{cloud: c, admin: c.AdminToken(t), clock: &clock{t: time.Now()}}
	f.identity, f.compute, f.image = c.AuthURL, c.Env.URLs["compute"], c.Env.URLs["image"]
	f.demo = f.mustID(t, "POST", "/projects", map[string]any{"project": map[string]any{"name": "demo", "domain_id": "default"}}, "project")
	f.other = f.mustID(t, "POST", "/projects", map[string]any{"project": map[string]any{"name": "other", "domain_id": "default"}}, "project")
	f.nope = f.mustID(t, "POST", "/projects", map[string]any{"project": map[string]any{"name": "nope", "domain_id": "default"}}, "project")
	f.aliceID = f.mustID(t, "POST", "/users", map[string]any{"user": map[string]any{"name": "alice", "password": "alice-secret", "domain_id": "default"}}, "user")
	resp, body := c.Do(t, "GET", f.identity+"/roles?name=member", f.admin, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("roles: %d %v", resp.StatusCode, body)
	}
	member := body["roles"].([]any)[0].(map[string]any)["id"].(string)
	for _, p := range []string{f.demo, f.other} {
		if resp, body := c.Do(t, "PUT", f.identity+"/projects/"+p+"/users/"+f.aliceID+"/roles/"+member, f.admin, nil); resp.StatusCode != 204 {
			t.Fatalf("assign member: %d %v", resp.StatusCode, body)
		}
	}

	f.sessions = dashboard.NewSessions(f.clock.Now)
	srv, err := api.New(api.Config{
		Identity:   keystone.New(c.AuthURL, c.Env.HTTPClient()),
		Sessions:   f.sessions,
		Client:     c.Env.HTTPClient(),
		Region:     c.Config.Region,
		Assets:     fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>app</title>")}},
		ConsoleURL: c.Env.URLs["console"],
		Self:       "dashboard",
		Log:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	f.url = ts.URL
	return f
}

func (f *fixture) mustID(t *testing.T, method, path string, body any, key string) string {
	t.Helper()
	resp, out := f.cloud.Do(t, method, f.identity+path, f.admin, body)
	if resp.StatusCode != 201 {
		t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
	}
	return out[key].(map[string]any)["id"].(string)
}

// browser is a dashboard user's browser: a cookie jar and the CSRF token
// of the last session answer.
type browser struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
}

func (f *fixture) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: f.url, hc: &http.Client{Jar: jar}}
}

type answer struct {
	code   int
	header http.Header
	raw    []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.raw, &m); err != nil {
		t.Fatalf("not a JSON object (%d): %s", a.code, a.raw)
	}
	return m
}

// do sends a request; body is JSON unless it is an io.Reader; hdr are
// header pairs. The session's CSRF token goes along unless hdr sets one.
func (b *browser) do(method, path string, body any, hdr ...string) answer {
	b.t.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case nil:
	case io.Reader:
		rd = v
	default:
		raw, _ := json.Marshal(v)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, b.base+path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, ok := body.(io.Reader); !ok && body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.csrf != "" {
		req.Header.Set(api.CSRFHeader, b.csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{code: resp.StatusCode, header: resp.Header, raw: raw}
}

func (b *browser) login(user, password string) answer {
	b.t.Helper()
	a := b.do("POST", "/auth/login", map[string]any{"domain": "Default", "username": user, "password": password})
	if a.code == 200 {
		b.csrf = a.json(b.t)["csrf"].(string)
	}
	return a
}

func (b *browser) cookie() *http.Cookie {
	u, _ := url.Parse(b.base)
	for _, c := range b.hc.Jar.Cookies(u) {
		if c.Name == api.CookieName {
			return c
		}
	}
	return nil
}

func TestLogin(t *testing.T) {
	f := setup(t)

	// A wrong password: 401 with Keystone's own message.
	direct, kbody := f.cloud.Do(t, "POST", f.identity+"/auth/tokens", "", map[string]any{"auth": map[string]any{"identity": map[string]any{
		"methods": []string{"password"}, "password": map[string]any{"user": map[string]any{"name": "alice", "password": "wrong", "domain": map[string]any{"name": "Default"}}}}}})
	want := kbody["error"].(map[string]any)["message"].(string)
	b := f.browser(t)
	a := b.login("alice", "wrong")
	if a.code != 401 || direct.StatusCode != 401 {
		t.Fatalf("bad password: dashboard %d, keystone %d", a.code, direct.StatusCode)
	}
	if got := a.json(t)["error"]; got != want || want == "" {
		t.Fatalf("bad password message %q, Keystone says %q", got, want)
	}
	if b.cookie() != nil || f.sessions.Len() != 0 {
		t.Fatal("a failed login made a session")
	}

	a = b.login("alice", "alice-secret")
	if a.code != 200 {
		t.Fatalf("login: %d %s", a.code, a.raw)
	}
	got := a.json(t)
	user := got["user"].(map[string]any)
	if user["name"] != "alice" || user["id"] != f.aliceID || user["domain"] != "Default" {
		t.Errorf("user = %v", user)
	}
	// The first project by name, and both of alice's, not "nope".
	if p := got["project"].(map[string]any); p["id"] != f.demo || p["name"] != "demo" {
		t.Errorf("project = %v", p)
	}
	if ps := got["projects"].([]any); len(ps) != 2 {
		t.Errorf("projects = %v", ps)
	}
	if roles := got["roles"].([]any); !contains(roles, "member") || contains(roles, "admin") {
		t.Errorf("roles = %v", roles)
	}
	if got["is_admin"] != false || got["region"] != "RegionOne" {
		t.Errorf("is_admin %v region %v", got["is_admin"], got["region"])
	}
	services := got["services"].([]any)
	for _, s := range []string{"compute", "image", "network", "volumev3", "object-store", "identity", "placement"} {
		if !contains(services, s) {
			t.Errorf("services %v lack %s", services, s)
		}
	}
	if contains(services, "dashboard") {
		t.Errorf("services %v name the dashboard itself", services)
	}

	// The cookie: HttpOnly, SameSite=Strict, Path=/, not Secure over
	// plain HTTP; its value is the session's id, not the token.
	setCookie := a.header.Get("Set-Cookie")
	for _, attr := range []string{api.CookieName + "=", "Path=/", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(setCookie, attr) {
			t.Errorf("Set-Cookie %q lacks %s", setCookie, attr)
		}
	}
	if strings.Contains(setCookie, "Secure") {
		t.Errorf("Set-Cookie %q is Secure over plain HTTP", setCookie)
	}
	sess, ok := f.sessions.Get(b.cookie().Value)
	if !ok {
		t.Fatal("no session behind the cookie")
	}
	if strings.Contains(string(a.raw), sess.Scoped.ID) || strings.Contains(setCookie, sess.Scoped.ID) ||
		strings.Contains(string(a.raw), sess.Unscoped.ID) {
		t.Fatal("the token reached the browser")
	}

	// /auth/session answers the same, with another masked CSRF token
	// that is just as valid.
	s := b.do("GET", "/auth/session", nil)
	if s.code != 200 {
		t.Fatalf("session: %d %s", s.code, s.raw)
	}
	sj := s.json(t)
	if sj["csrf"] == got["csrf"] || sj["user"].(map[string]any)["id"] != f.aliceID {
		t.Errorf("session = %v", sj)
	}
	b.csrf = sj["csrf"].(string)
	if a := b.do("POST", "/api/compute/os-keypairs", map[string]any{"keypair": map[string]any{"name": "k1"}}); a.code != 200 {
		t.Errorf("call with the second CSRF token: %d %s", a.code, a.raw)
	}

	// Another browser has no session.
	if a := f.browser(t).do("GET", "/auth/session", nil); a.code != 401 {
		t.Errorf("session without cookie: %d", a.code)
	}
	// A login posted from another site's page is refused.
	if a := f.browser(t).do("POST", "/auth/login", map[string]any{"username": "alice", "password": "alice-secret"},
		"Origin", "http://evil.example"); a.code != 403 {
		t.Errorf("cross-origin login: %d %s", a.code, a.raw)
	}
	// A named project.
	b2 := f.browser(t)
	a = b2.do("POST", "/auth/login", map[string]any{"username": "alice", "password": "alice-secret", "project": "other"}, "Origin", f.url)
	if a.code != 200 || a.json(t)["project"].(map[string]any)["id"] != f.other {
		t.Errorf("login to other: %d %s", a.code, a.raw)
	}
	if a := f.browser(t).do("POST", "/auth/login", map[string]any{"username": "alice", "password": "alice-secret", "project": "nope"}); a.code != 403 {
		t.Errorf("login to a project without role: %d %s", a.code, a.raw)
	}
}

func TestCSRF(t *testing.T) {
	f := setup(t)
	b := f.browser(t)
	if a := b.login("alice", "alice-secret"); a.code != 200 {
		t.Fatalf("login: %d %s", a.code, a.raw)
	}
	good := b.csrf
	create := map[string]any{"keypair": map[string]any{"name": "k1"}}
	for _, tc := range []struct {
		name string
		hdr  []string
	}{
		{"missing", []string{api.CSRFHeader, ""}},
		{"wrong", []string{api.CSRFHeader, strings.Repeat("A", len(good))}},
		{"not base64", []string{api.CSRFHeader, "!!"}},
		{"other origin", []string{"Origin", "http://evil.example"}},
	} {
		a := b.do("POST", "/api/compute/os-keypairs", create, tc.hdr...)
		if a.code != 403 {
			t.Errorf("%s: %d %s", tc.name, a.code, a.raw)
			continue
		}
		if tc.name != "other origin" && a.json(t)["error"] != "CSRF token missing or wrong" {
			t.Errorf("%s: %s", tc.name, a.raw)
		}
	}
	if a := b.do("POST", "/auth/project", map[string]any{"project_id": f.other}, api.CSRFHeader, ""); a.code != 403 {
		t.Errorf("project switch without CSRF: %d", a.code)
	}
	if a := b.do("POST", "/auth/logout", nil, api.CSRFHeader, ""); a.code != 403 {
		t.Errorf("logout without CSRF: %d", a.code)
	}
	// A session's CSRF token is no good for another session.
	b2 := f.browser(t)
	b2.login("alice", "alice-secret")
	if a := b2.do("POST", "/api/compute/os-keypairs", create, api.CSRFHeader, good); a.code != 403 {
		t.Errorf("another session's CSRF token: %d", a.code)
	}
	// Nothing was created by the refused calls.
	if a := b.do("GET", "/api/compute/os-keypairs", nil); a.code != 200 || len(a.json(t)["keypairs"].([]any)) != 0 {
		t.Fatalf("keypairs after refusals: %d %s", a.code, a.raw)
	}
	if a := b.do("POST", "/api/compute/os-keypairs", create, "Origin", f.url); a.code != 200 {
		t.Fatalf("with the CSRF token: %d %s", a.code, a.raw)
	}
}

func TestProxy(t *testing.T) {
	f := setup(t)
	b := f.browser(t)
	if a := b.login("alice", "alice-secret"); a.code != 200 {
		t.Fatalf("login: %d %s", a.code, a.raw)
	}
	a := b.do("GET", "/api/compute/servers/detail", nil)
	if a.code != 200 {
		t.Fatalf("servers/detail: %d %s", a.code, a.raw)
	}
	if _, ok := a.json(t)["servers"].([]any); !ok {
		t.Fatalf("servers/detail: %s", a.raw)
	}
	if a.header.Get("X-Openstack-Request-Id") == "" || !strings.Contains(a.header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("proxied headers: %v", a.header)
	}

	// A POST made with the session's token: the key pair is alice's.
	a = b.do("POST", "/api/compute/os-keypairs", map[string]any{"keypair": map[string]any{"name": "k1"}},
		"X-OpenStack-Nova-API-Version", "2.10")
	if a.code != 201 { // 201 since microversion 2.2
		t.Fatalf("create keypair: %d %s", a.code, a.raw)
	}
	if kp := a.json(t)["keypair"].(map[string]any); kp["user_id"] != f.aliceID {
		t.Errorf("keypair owner %v, want alice %s", kp["user_id"], f.aliceID)
	}
	if got := a.header.Get("X-Openstack-Nova-Api-Version"); got != "2.10" {
		t.Errorf("microversion not passed through: %q", got)
	}

	// A member asking for an admin API gets the API's own refusal, even
	// with the admin's token in a header of its own: only the session's
	// token is sent.
	a = b.do("GET", "/api/compute/os-hypervisors", nil, "X-Auth-Token", f.admin)
	if a.code != 403 {
		t.Fatalf("member os-hypervisors: %d %s", a.code, a.raw)
	}
	if _, ok := a.json(t)["forbidden"]; !ok {
		t.Errorf("not Nova's refusal: %s", a.raw)
	}

	// Unknown service type.
	if a := b.do("GET", "/api/nosuch/x", nil); a.code != 404 || a.json(t)["error"] == nil {
		t.Errorf("unknown service: %d %s", a.code, a.raw)
	}
	if a := b.do("GET", "/api/dashboard/", nil); a.code != 404 {
		t.Errorf("the dashboard itself: %d %s", a.code, a.raw)
	}

	// A body streamed through: an image upload, read back.
	a = b.do("POST", "/api/image/v2/images", map[string]any{"name": "img", "disk_format": "raw", "container_format": "bare"})
	if a.code != 201 {
		t.Fatalf("create image: %d %s", a.code, a.raw)
	}
	img := a.json(t)["id"].(string)
	data := bytes.Repeat([]byte("0123456789abcdef"), 256<<10) // 4 MiB
	a = b.do("PUT", "/api/image/v2/images/"+img+"/file", bytes.NewReader(data), "Content-Type", "application/octet-stream")
	if a.code != 204 {
		t.Fatalf("upload: %d %s", a.code, a.raw)
	}
	a = b.do("GET", "/api/image/v2/images/"+img+"/file", nil)
	if a.code != 200 || !bytes.Equal(a.raw, data) {
		t.Fatalf("download: %d, %d bytes", a.code, len(a.raw))
	}

	// Swift's names reach it as sent: "//" and an escaped slash.
	if a := b.do("PUT", "/api/object-store/c1", nil); a.code != 201 {
		t.Fatalf("create container: %d %s", a.code, a.raw)
	}
	for _, name := range []string{"dir//x", "a%2Fb"} {
		if a := b.do("PUT", "/api/object-store/c1/"+name, strings.NewReader("hi"), "X-Object-Meta-Color", "blue"); a.code != 201 {
			t.Fatalf("put %s: %d %s", name, a.code, a.raw)
		}
	}
	a = b.do("GET", "/api/object-store/c1?format=json", nil)
	var objs []map[string]any
	json.Unmarshal(a.raw, &objs)
	if len(objs) != 2 || objs[0]["name"] != "a/b" || objs[1]["name"] != "dir//x" {
		t.Fatalf("listing: %s", a.raw)
	}
	a = b.do("HEAD", "/api/object-store/c1/dir//x", nil)
	if a.code != 200 || a.header.Get("X-Object-Meta-Color") != "blue" {
		t.Fatalf("head: %d %v", a.code, a.header)
	}

	// The endpoint list.
	a = b.do("GET", "/api/_endpoints", nil)
	var eps []map[string]any
	if err := json.Unmarshal(a.raw, &eps); err != nil || a.code != 200 {
		t.Fatalf("_endpoints: %d %s", a.code, a.raw)
	}
	found := false
	for _, e := range eps {
		if e["type"] == "compute" && e["interface"] == "public" && e["url"] == f.compute && e["region"] == "RegionOne" {
			found = true
		}
		if e["type"] == "dashboard" {
			t.Errorf("_endpoints lists the dashboard: %v", e)
		}
	}
	if !found {
		t.Errorf("no public compute endpoint %s in %s", f.compute, a.raw)
	}

	// Not signed in: 401, no call made.
	if a := f.browser(t).do("GET", "/api/compute/servers/detail", nil); a.code != 401 {
		t.Errorf("without a session: %d", a.code)
	}
}

// validate asks identity whether token is still good.
func (f *fixture) validate(t *testing.T, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", f.identity+"/auth/tokens", nil)
	req.Header.Set("X-Auth-Token", f.admin)
	req.Header.Set("X-Subject-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestProjectSwitchAndLogout(t *testing.T) {
	f := setup(t)
	b := f.browser(t)
	if a := b.login("alice", "alice-secret"); a.code != 200 {
		t.Fatalf("login: %d %s", a.code, a.raw)
	}
	first, _ := f.sessions.Get(b.cookie().Value)

	a := b.do("POST", "/auth/project", map[string]any{"project_id": f.other})
	if a.code != 200 {
		t.Fatalf("switch: %d %s", a.code, a.raw)
	}
	if p := a.json(t)["project"].(map[string]any); p["id"] != f.other || p["name"] != "other" {
		t.Fatalf("switched to %v", p)
	}
	// API calls now go with a token on "other": Swift's account is its.
	a = b.do("GET", "/api/_endpoints", nil)
	if !strings.Contains(string(a.raw), "AUTH_"+f.other) {
		t.Errorf("object-store endpoint not of the new project: %s", a.raw)
	}
	if a := b.do("PUT", "/api/object-store/in-other", nil); a.code != 201 {
		t.Fatalf("container in other: %d %s", a.code, a.raw)
	}
	// The old project token was revoked on the switch.
	if code := f.validate(t, first.Scoped.ID); code != 404 {
		t.Errorf("old scoped token after switch: %d, want 404", code)
	}
	// No role on "nope": 403, the session stays on "other".
	if a := b.do("POST", "/auth/project", map[string]any{"project_id": f.nope}); a.code != 403 {
		t.Errorf("switch to nope: %d %s", a.code, a.raw)
	}
	if a := b.do("GET", "/auth/session", nil); a.code != 200 || a.json(t)["project"].(map[string]any)["id"] != f.other {
		t.Errorf("after a refused switch: %d %s", a.code, a.raw)
	}

	cur, _ := f.sessions.Get(b.cookie().Value)
	a = b.do("POST", "/auth/logout", nil)
	if a.code != 204 {
		t.Fatalf("logout: %d %s", a.code, a.raw)
	}
	if sc := a.header.Get("Set-Cookie"); !strings.Contains(sc, api.CookieName+"=;") || !strings.Contains(sc, "Max-Age=0") {
		t.Errorf("logout Set-Cookie %q does not clear the cookie", sc)
	}
	// Both tokens are revoked in Keystone: identity refuses them.
	for _, tok := range []string{cur.Scoped.ID, cur.Unscoped.ID} {
		if code := f.validate(t, tok); code != 404 {
			t.Errorf("token after logout: validate %d, want 404", code)
		}
	}
	req, _ := http.NewRequest("GET", f.compute+"/servers", nil)
	req.Header.Set("X-Auth-Token", cur.Scoped.ID)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("compute with the logged-out token: %v %v", resp.StatusCode, err)
	}
	if a := b.do("GET", "/auth/session", nil); a.code != 401 {
		t.Errorf("session after logout: %d", a.code)
	}
	if f.sessions.Len() != 0 {
		t.Errorf("%d sessions left", f.sessions.Len())
	}
}

func TestExpiredSession(t *testing.T) {
	f := setup(t)
	b := f.browser(t)
	a := b.login("alice", "alice-secret")
	if a.code != 200 {
		t.Fatalf("login: %d %s", a.code, a.raw)
	}
	exp, err := time.Parse(time.RFC3339, a.json(t)["expires_at"].(string))
	if err != nil || exp.Before(f.clock.Now()) {
		t.Fatalf("expires_at %v %v", exp, err)
	}
	f.clock.Add(exp.Sub(f.clock.Now()) + time.Second)
	if a := b.do("GET", "/auth/session", nil); a.code != 401 {
		t.Errorf("session past expiry: %d", a.code)
	}
	if a := b.do("GET", "/api/compute/servers/detail", nil); a.code != 401 {
		t.Errorf("API past expiry: %d", a.code)
	}
	if f.sessions.Len() != 0 {
		t.Errorf("the expired session is still held")
	}
	// Sweep drops the sessions nobody asks for again.
	b2 := f.browser(t)
	b2.login("alice", "alice-secret")
	f.clock.Add(2 * time.Hour)
	if n := f.sessions.Sweep(); n != 1 || f.sessions.Len() != 0 {
		t.Errorf("sweep dropped %d, %d left", n, f.sessions.Len())
	}
}

func TestAppAndFiles(t *testing.T) {
	f := setup(t)
	b := f.browser(t)
	for _, p := range []string{"/", "/project/instances/abc"} {
		a := b.do("GET", p, nil)
		if a.code != 200 || !strings.Contains(string(a.raw), "<title>app</title>") {
			t.Errorf("GET %s: %d %s", p, a.code, a.raw)
		}
		csp := a.header.Get("Content-Security-Policy")
		console, _ := url.Parse(f.cloud.Env.URLs["console"])
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-src http://"+console.Host) {
			t.Errorf("CSP %q", csp)
		}
		if a.header.Get("X-Frame-Options") != "DENY" || a.header.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("headers %v", a.header)
		}
	}
	if a := b.do("GET", "/static/missing.js", nil); a.code != 404 {
		t.Errorf("missing asset: %d", a.code)
	}
	if a := b.do("GET", "/auth/openrc", nil); a.code != 401 {
		t.Errorf("openrc without session: %d", a.code)
	}

	b.login("alice", "alice-secret")
	a := b.do("GET", "/auth/openrc", nil)
	rc := string(a.raw)
	for _, want := range []string{"export OS_AUTH_URL='" + f.identity + "'", "export OS_PROJECT_ID='" + f.demo + "'",
		"export OS_PROJECT_NAME='demo'", "export OS_USERNAME='alice'", "read -sr OS_PASSWORD_INPUT", "export OS_REGION_NAME='RegionOne'"} {
		if !strings.Contains(rc, want) {
			t.Errorf("openrc lacks %q:\n%s", want, rc)
		}
	}
	if a.code != 200 || strings.Contains(rc, "alice-secret") || !strings.Contains(a.header.Get("Content-Disposition"), "demo-openrc.sh") {
		t.Errorf("openrc: %d %v", a.code, a.header)
	}
	a = b.do("GET", "/auth/clouds.yaml", nil)
	cy := string(a.raw)
	for _, want := range []string{`auth_url: "` + f.identity + `"`, `project_id: "` + f.demo + `"`, `username: "alice"`, `region_name: "RegionOne"`} {
		if !strings.Contains(cy, want) {
			t.Errorf("clouds.yaml lacks %q:\n%s", want, cy)
		}
	}
	if strings.Contains(cy, "alice-secret") || regexp.MustCompile(`(?m)^\s+password:`).MatchString(cy) {
		t.Errorf("clouds.yaml names a password:\n%s", cy)
	}
}

// TestRegistered checks the dashboard the cloud itself starts: its
// listener serves the embedded app and signs the admin in.
func TestRegistered(t *testing.T) {
	c := testcloud.Start(t, func(cfg *config.Config) { cfg.Dashboard.Port = 0 })
	base := c.Env.URLs["dashboard"]
	if base == "" {
		t.Fatal("no dashboard listener")
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: base, hc: &http.Client{Jar: jar}}
	if a := b.do("GET", "/", nil); a.code != 200 || !strings.Contains(string(a.raw), "<html") {
		t.Fatalf("GET /: %d %s", a.code, a.raw)
	}
	a := b.login("admin", testcloud.AdminPassword)
	if a.code != 200 {
		t.Fatalf("admin login: %d %s", a.code, a.raw)
	}
	if a.json(t)["is_admin"] != true {
		t.Errorf("admin is not is_admin: %s", a.raw)
	}
	if a := b.do("GET", "/api/compute/os-hypervisors", nil); a.code != 200 {
		t.Errorf("admin os-hypervisors: %d %s", a.code, a.raw)
	}
}

func contains(list []any, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
