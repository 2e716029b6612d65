package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// novaFaults writes errors as Nova does: {"<name>": {"code": N, "message": "..."}}.
type novaFaults struct{}

var errNotFound = errors.New("server not found")

func (novaFaults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	name := map[int]string{400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound", 406: "notAcceptable", 413: "overLimit"}[e.Code]
	if name == "" {
		name = "computeFault"
	}
	httpapi.WriteJSON(w, e.Code, map[string]any{name: map[string]any{"code": e.Code, "message": e.Message}})
}

type tokens map[string]*auth.Credentials

func (t tokens) Validate(ctx context.Context, tok string) (*auth.Credentials, error) {
	if tok == "identity-down" {
		return nil, errors.New("dial tcp: connection refused")
	}
	c, ok := t[tok]
	if !ok {
		return nil, auth.ErrInvalidToken
	}
	return c, nil
}

type echoReq struct {
	Server struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	} `json:"server"`
}

func newAPI(t *testing.T) http.Handler {
	t.Helper()
	pol, err := policy.New(map[string]string{
		"admin_required": "role:admin",
		"compute:list":   "role:member or rule:admin_required",
		"compute:delete": "rule:admin_required",
		"compute:own":    "project_id:%(project_id)s",
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &httpapi.API{
		Service: "compute",
		Faults:  novaFaults{},
		Policy:  pol,
		Validator: tokens{
			"member-p1": {UserID: "u1", ProjectID: "p1", Roles: []string{"member"}},
			"admin":     {UserID: "u0", ProjectID: "admin", Roles: []string{"admin", "member"}},
		},
		Microversion: &httpapi.Negotiator{ServiceType: "compute", LegacyHeader: "X-OpenStack-Nova-API-Version",
			Min: httpapi.Version{Major: 2, Minor: 1}, Max: httpapi.Version{Major: 2, Minor: 90}},
		Log:     slog.New(slog.DiscardHandler),
		AuthURL: "http://127.0.0.1:5000/v3",
	}
	ok := func(body string) httpapi.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error {
			return httpapi.WriteJSON(w, http.StatusOK, map[string]string{
				"body": body, "version": httpapi.VersionFrom(r.Context()).String(),
				"request_id": httpapi.RequestID(r.Context()),
			})
		}
	}
	mux := http.NewServeMux()
	a.Mount(mux, []httpapi.Route{
		{Method: "GET", Pattern: "/v2.1/", Public: true, Handler: ok("versions")},
		{Method: "GET", Pattern: "/v2.1/servers", Policy: "compute:list", Handler: ok("list")},
		{Method: "DELETE", Pattern: "/v2.1/servers/{id}", Policy: "compute:delete", Handler: ok("deleted")},
		{Method: "GET", Pattern: "/v2.1/{project_id}/usage", Policy: "compute:own", Target: httpapi.PathTarget("project_id"), Handler: ok("usage")},
		{Method: "GET", Pattern: "/v2.1/authn-only", Policy: httpapi.AnyUser, Handler: ok("authn")},
		{Method: "POST", Pattern: "/v2.1/servers/{id}/action", Policy: httpapi.AnyUser, Actions: []httpapi.Action{
			{Name: "reboot", Policy: "compute:own", Target: httpapi.PathTarget("project_id"), Handler: ok("reboot")},
			{Name: "pause", Policy: "compute:delete", Handler: ok("pause")},
			{Name: "lock", Policy: httpapi.AnyUser, Handler: func(w http.ResponseWriter, r *http.Request) error {
				// The handler reads the body the dispatcher already read.
				var body map[string]map[string]string
				if err := httpapi.Decode(r, &body, httpapi.DecodeOptions{}); err != nil {
					return err
				}
				return httpapi.WriteJSON(w, http.StatusOK, map[string]string{"body": "lock " + body["lock"]["reason"]})
			}},
		}},
		{Method: "GET", Pattern: "/v2.1/windowed", Public: true, Versions: httpapi.Window{Max: httpapi.Version{Major: 2, Minor: 47}}, Handler: ok("old")},
		{Method: "GET", Pattern: "/v2.1/windowed", Public: true, Versions: httpapi.Window{Min: httpapi.Version{Major: 2, Minor: 48}}, Handler: ok("new")},
		{Method: "GET", Pattern: "/v2.1/recent", Public: true, Versions: httpapi.Window{Min: httpapi.Version{Major: 2, Minor: 60}}, Handler: ok("recent")},
		{Method: "GET", Pattern: "/v2.1/panic", Public: true, Handler: func(w http.ResponseWriter, r *http.Request) error {
			var m map[string]int
			m["boom"]++ // nil map write
			return nil
		}},
		{Method: "GET", Pattern: "/v2.1/missing", Public: true, Handler: func(w http.ResponseWriter, r *http.Request) error {
			return fmt.Errorf("lookup: %w", apierr.NotFound("Instance could not be found.").WithCause(errNotFound))
		}},
		{Method: "GET", Pattern: "/v2.1/oops", Public: true, Handler: func(w http.ResponseWriter, r *http.Request) error {
			return errors.New("pq: password authentication failed for user gostack")
		}},
		{Method: "POST", Pattern: "/v2.1/echo", Public: true, Handler: func(w http.ResponseWriter, r *http.Request) error {
			var req echoReq
			if err := httpapi.Decode(r, &req, httpapi.DecodeOptions{Strict: true, MaxBytes: 256}); err != nil {
				return err
			}
			return httpapi.WriteJSON(w, http.StatusOK, req)
		}},
	})
	return mux
}

type result struct {
	status int
	header http.Header
	body   map[string]any
}

func do(t *testing.T, h http.Handler, method, path string, hdr map[string]string, body string) result {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := result{status: rec.Code, header: rec.Header()}
	if err := json.Unmarshal(rec.Body.Bytes(), &res.body); err != nil {
		t.Fatalf("%s %s: body %q is not a JSON object: %v", method, path, rec.Body.String(), err)
	}
	return res
}

func fault(name string, code int, msg string) map[string]any {
	return map[string]any{name: map[string]any{"code": float64(code), "message": msg}}
}

const unauthorized = "The request you have made requires authentication."

func TestRequestID(t *testing.T) {
	h := newAPI(t)
	re := regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for _, path := range []string{"/v2.1/", "/v2.1/", "/v2.1/servers", "/v2.1/panic"} {
		res := do(t, h, "GET", path, nil, "")
		id := res.header.Get("X-Openstack-Request-Id")
		if !re.MatchString(id) {
			t.Errorf("%s: request id %q", path, id)
		}
		if seen[id] {
			t.Errorf("%s: request id %s reused", path, id)
		}
		seen[id] = true
		if got, ok := res.body["request_id"]; ok && got != id {
			t.Errorf("RequestID(ctx) = %v, header %s", got, id)
		}
	}
}

func TestErrorsInServiceFormat(t *testing.T) {
	h := newAPI(t)
	const unexpected = "An unexpected error prevented the server from fulfilling your request."
	tests := []struct {
		path   string
		status int
		body   map[string]any
	}{
		{"/v2.1/panic", 500, fault("computeFault", 500, unexpected)},
		{"/v2.1/missing", 404, fault("itemNotFound", 404, "Instance could not be found.")},
		// The private cause (a database password error) never reaches the client.
		{"/v2.1/oops", 500, fault("computeFault", 500, unexpected)},
	}
	for _, tt := range tests {
		res := do(t, h, "GET", tt.path, nil, "")
		if res.status != tt.status {
			t.Errorf("%s: status %d, want %d", tt.path, res.status, tt.status)
		}
		if diff := cmp.Diff(tt.body, res.body); diff != "" {
			t.Errorf("%s: body (-want +got):\n%s", tt.path, diff)
		}
	}
}

func TestAuthAndPolicy(t *testing.T) {
	h := newAPI(t)
	forbidden := func(rule string) map[string]any {
		return fault("forbidden", 403, "You are not authorized to perform the requested action: "+rule+".")
	}
	tests := []struct {
		name    string
		method  string
		path    string
		token   string
		status  int
		body    map[string]any // nil: not checked
		wwwAuth bool
	}{
		{"public without token", "GET", "/v2.1/", "", 200, nil, false},
		{"no token", "GET", "/v2.1/servers", "", 401, fault("unauthorized", 401, unauthorized), true},
		{"invalid token", "GET", "/v2.1/servers", "stolen", 401, fault("unauthorized", 401, unauthorized), true},
		{"no token, no policy", "GET", "/v2.1/authn-only", "", 401, fault("unauthorized", 401, unauthorized), true},
		{"identity down is not a 401", "GET", "/v2.1/servers", "identity-down", 500, nil, false},
		{"authenticated, no rule", "GET", "/v2.1/authn-only", "member-p1", 200, nil, false},
		{"member may list", "GET", "/v2.1/servers", "member-p1", 200, nil, false},
		{"member may not delete", "DELETE", "/v2.1/servers/x", "member-p1", 403, forbidden("compute:delete"), false},
		{"admin may delete", "DELETE", "/v2.1/servers/x", "admin", 200, nil, false},
		{"own project from path", "GET", "/v2.1/p1/usage", "member-p1", 200, nil, false},
		{"other project from path", "GET", "/v2.1/p2/usage", "member-p1", 403, forbidden("compute:own"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tt.token != "" {
				hdr["X-Auth-Token"] = tt.token
			}
			res := do(t, h, tt.method, tt.path, hdr, "")
			if res.status != tt.status {
				t.Fatalf("status %d, want %d (body %v)", res.status, tt.status, res.body)
			}
			if tt.body != nil {
				if diff := cmp.Diff(tt.body, res.body); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
			got := res.header.Get("WWW-Authenticate")
			if tt.wwwAuth && got != `Keystone uri="http://127.0.0.1:5000/v3"` {
				t.Errorf("WWW-Authenticate = %q", got)
			}
			if !tt.wwwAuth && got != "" {
				t.Errorf("unexpected WWW-Authenticate %q", got)
			}
		})
	}
}

func TestMicroversions(t *testing.T) {
	h := newAPI(t)
	tests := []struct {
		name     string
		path     string
		hdr      map[string]string
		status   int
		version  string // the negotiated version in the headers
		wantBody string // the "body" the handler wrote
		errMsg   string
	}{
		{"default is minimum", "/v2.1/", nil, 200, "2.1", "versions", ""},
		{"explicit", "/v2.1/", map[string]string{"OpenStack-API-Version": "compute 2.50"}, 200, "2.50", "versions", ""},
		{"latest", "/v2.1/", map[string]string{"OpenStack-API-Version": "compute latest"}, 200, "2.90", "versions", ""},
		{"case-insensitive service", "/v2.1/", map[string]string{"OpenStack-API-Version": "COMPUTE 2.3"}, 200, "2.3", "versions", ""},
		{"other services ignored", "/v2.1/", map[string]string{"OpenStack-API-Version": "volume 3.60"}, 200, "2.1", "versions", ""},
		{"list of services", "/v2.1/", map[string]string{"OpenStack-API-Version": "volume 3.60, compute 2.20"}, 200, "2.20", "versions", ""},
		{"legacy header", "/v2.1/", map[string]string{"X-OpenStack-Nova-API-Version": "2.10"}, 200, "2.10", "versions", ""},
		{"legacy latest", "/v2.1/", map[string]string{"X-OpenStack-Nova-API-Version": "latest"}, 200, "2.90", "versions", ""},
		{"new header wins", "/v2.1/", map[string]string{"X-OpenStack-Nova-API-Version": "2.10", "OpenStack-API-Version": "compute 2.11"}, 200, "2.11", "versions", ""},
		{"above max", "/v2.1/", map[string]string{"OpenStack-API-Version": "compute 2.91"}, 406, "", "",
			"Version 2.91 is not supported by the API. Minimum is 2.1 and maximum is 2.90."},
		{"below min", "/v2.1/", map[string]string{"OpenStack-API-Version": "compute 2.0"}, 406, "", "",
			"Version 2.0 is not supported by the API. Minimum is 2.1 and maximum is 2.90."},
		{"legacy out of range", "/v2.1/", map[string]string{"X-OpenStack-Nova-API-Version": "3.0"}, 406, "", "", ""},
		{"malformed", "/v2.1/", map[string]string{"OpenStack-API-Version": "compute two"}, 400, "", "",
			"API Version String two is of invalid format. Must be of format MajorNum.MinorNum."},
		{"window old", "/v2.1/windowed", map[string]string{"OpenStack-API-Version": "compute 2.47"}, 200, "2.47", "old", ""},
		{"window new", "/v2.1/windowed", map[string]string{"OpenStack-API-Version": "compute 2.48"}, 200, "2.48", "new", ""},
		{"not yet", "/v2.1/recent", map[string]string{"OpenStack-API-Version": "compute 2.59"}, 404, "", "", ""},
		{"now there", "/v2.1/recent", map[string]string{"OpenStack-API-Version": "compute 2.60"}, 200, "2.60", "recent", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, h, "GET", tt.path, tt.hdr, "")
			if res.status != tt.status {
				t.Fatalf("status %d, want %d (body %v)", res.status, tt.status, res.body)
			}
			if tt.status != 200 {
				if tt.errMsg != "" {
					name := map[int]string{400: "badRequest", 404: "itemNotFound", 406: "notAcceptable"}[tt.status]
					if diff := cmp.Diff(fault(name, tt.status, tt.errMsg), res.body); diff != "" {
						t.Errorf("body (-want +got):\n%s", diff)
					}
				}
				return
			}
			if got := res.header.Get("OpenStack-API-Version"); got != "compute "+tt.version {
				t.Errorf("OpenStack-API-Version = %q, want compute %s", got, tt.version)
			}
			if got := res.header.Get("X-OpenStack-Nova-API-Version"); got != tt.version {
				t.Errorf("legacy header = %q, want %s", got, tt.version)
			}
			if diff := cmp.Diff([]string{"OpenStack-API-Version", "X-OpenStack-Nova-API-Version"}, res.header.Values("Vary")); diff != "" {
				t.Errorf("Vary (-want +got):\n%s", diff)
			}
			if res.body["version"] != tt.version || res.body["body"] != tt.wantBody {
				t.Errorf("handler saw version %v and wrote %v; want %s, %s", res.body["version"], res.body["body"], tt.version, tt.wantBody)
			}
		})
	}
}

func TestStrictDecode(t *testing.T) {
	h := newAPI(t)
	tests := []struct {
		name   string
		body   string
		status int
		msg    string
	}{
		{"ok", `{"server": {"name": "vm1", "count": 2}}`, 200, ""},
		{"unknown top-level field", `{"server": {"name": "vm1"}, "bogus": 1}`, 400,
			`Additional properties are not allowed ("bogus" was unexpected).`},
		{"unknown nested field", `{"server": {"name": "vm1", "flavor": "x"}}`, 400,
			`Additional properties are not allowed ("flavor" was unexpected).`},
		{"long unknown field", `{"server": {"` + strings.Repeat("k", 150) + `": 1}}`, 400,
			`Additional properties are not allowed ("` + strings.Repeat("k", 100) + `..." was unexpected).`},
		{"wrong type", `{"server": {"name": 5}}`, 400,
			"Invalid input for field 'server.name': expected string, got JSON number."},
		{"empty body", ``, 400, "The request body is empty; a JSON object is required."},
		{"blank body", "  \n", 400, "The request body is empty; a JSON object is required."},
		{"syntax", `{"server": `, 400, "Invalid JSON: the body ended early."},
		{"trailing data", `{"server": {}} {}`, 400, "Invalid JSON: unexpected data after the top-level value."},
		{"too large", `{"server": {"name": "` + strings.Repeat("x", 300) + `"}}`, 413, "Request is too large."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, h, "POST", "/v2.1/echo", nil, tt.body)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d (body %v)", res.status, tt.status, res.body)
			}
			if tt.status == 200 {
				return
			}
			name := map[int]string{400: "badRequest", 413: "overLimit"}[tt.status]
			if diff := cmp.Diff(fault(name, tt.status, tt.msg), res.body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestActions(t *testing.T) {
	h := newAPI(t)
	tests := []struct {
		name, tok, body string
		status          int
		want            string
	}{
		{"an action any token may run", "member-p1", `{"lock": {"reason": "r"}}`, 200, "lock r"},
		{"an action whose rule refuses", "member-p1", `{"pause": null}`, 403, ""},
		{"the same action for an admin", "admin", `{"pause": null}`, 200, "pause"},
		{"an unknown action", "member-p1", `{"fly": {}}`, 400, ""},
		{"two actions at once", "member-p1", `{"pause": null, "lock": {}}`, 400, ""},
		{"not an object", "member-p1", `[1]`, 400, ""},
		{"no token", "", `{"pause": null}`, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tt.tok != "" {
				hdr["X-Auth-Token"] = tt.tok
			}
			res := do(t, h, "POST", "/v2.1/servers/s1/action", hdr, tt.body)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d (%v)", res.status, tt.status, res.body)
			}
			if tt.want != "" && res.body["body"] != tt.want {
				t.Errorf("body %v, want %q", res.body, tt.want)
			}
		})
	}
}

func TestMountRefusesRoutesWithoutPolicy(t *testing.T) {
	routes := []httpapi.Route{
		{Method: "GET", Pattern: "/v1/ok", Public: true, Handler: func(http.ResponseWriter, *http.Request) error { return nil }},
		{Method: "GET", Pattern: "/v1/secret", Handler: func(http.ResponseWriter, *http.Request) error { return nil }},
	}
	if err := httpapi.CheckPolicies(routes); err == nil || !strings.Contains(err.Error(), "/v1/secret") {
		t.Fatalf("CheckPolicies = %v", err)
	}
	actions := []httpapi.Route{{Method: "POST", Pattern: "/v1/x/action", Policy: httpapi.AnyUser,
		Actions: []httpapi.Action{{Name: "go"}}}}
	if err := httpapi.CheckPolicies(actions); err == nil {
		t.Fatal("an action without a rule passed")
	}
	defer func() {
		if recover() == nil {
			t.Error("Mount accepted a token route without a policy rule")
		}
	}()
	(&httpapi.API{Faults: novaFaults{}}).Mount(http.NewServeMux(), routes)
}

// TestHeadErrorsHaveNoBody: an error answer to HEAD is its status alone,
// whatever the service's error body.
func TestHeadErrorsHaveNoBody(t *testing.T) {
	h := newAPI(t)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("HEAD", "/v2.1/missing", nil))
	if rec.Code != http.StatusNotFound || rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
		t.Fatalf("HEAD = %d %q (Content-Type %q), want a bare 404", rec.Code, rec.Body, rec.Header().Get("Content-Type"))
	}
}
