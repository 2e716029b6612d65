// Package apitest is the harness the API tests of every service share: a
// test server around a service's http.Handler, the personas the tests
// speak as (static tokens standing in for the identity service), one
// request helper, a runner of request tables in the spirit of Placement's
// gabbi tests, and the check that a route table names a known policy
// rule on every route.
//
//	srv := apitest.Serve(t, api.Handler())
//	srv.Run(t, []apitest.Step{
//		{Name: "list", Method: "GET", Path: "/v2/images", Status: 200, Contains: []string{`"images"`}},
//	})
package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// Admin is the token of the administrator persona: user u-admin in
// project p-admin with the admin, member and reader roles.
const Admin = "admin"

// NoToken, as a Step's Token, sends the step without X-Auth-Token.
const NoToken = "-"

// Tokens stands in for the identity service: the Admin token, and one
// token per member name, whose user is u-<name> in project p-<name> with
// the member and reader roles.
func Tokens(members ...string) auth.Static {
	v := auth.Static{Admin: {UserID: "u-admin", ProjectID: "p-admin", Roles: []string{"admin", "member", "reader"}}}
	for _, m := range members {
		v[m] = &auth.Credentials{UserID: "u-" + m, ProjectID: "p-" + m, Roles: []string{"member", "reader"}}
	}
	return v
}

// Policy returns an enforcer of a service's default rules; a rule that
// does not parse fails the test.
func Policy(t testing.TB, defaults map[string]string) *policy.Enforcer {
	t.Helper()
	pol, err := policy.New(defaults)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

// CheckRoutes holds a route table to naming, on every route and action
// that needs a token, a rule that defaults defines: the enforcer refuses
// a rule it does not know, so a route naming one without a default would
// be closed to everyone, and an operator's policy file could not govern
// it.
func CheckRoutes(t testing.TB, routes []httpapi.Route, defaults map[string]string) {
	t.Helper()
	if err := httpapi.CheckPolicies(routes); err != nil {
		t.Fatal(err)
	}
	known := func(rule string) bool {
		_, ok := defaults[rule]
		return ok || rule == httpapi.AnyUser
	}
	for _, rt := range routes {
		if rt.Public {
			continue
		}
		if !known(rt.Policy) {
			t.Errorf("%s %s: rule %q has no default", rt.Method, rt.Pattern, rt.Policy)
		}
		for _, a := range rt.Actions {
			if !known(a.Policy) {
				t.Errorf("%s %s, action %s: rule %q has no default", rt.Method, rt.Pattern, a.Name, a.Policy)
			}
		}
	}
}

// Server is a service's API served for a test.
type Server struct {
	*httptest.Server
	// VersionHeader names the header that carries a request's
	// microversion, and VersionPrefix starts its value: Placement's
	// "OpenStack-API-Version" with "placement ", or Nova's legacy
	// "X-OpenStack-Nova-API-Version" with none.
	VersionHeader, VersionPrefix string
	// Check, when set, runs on every answer of Run after the step's own
	// checks: what every answer of the service must carry.
	Check func(t testing.TB, s Step, r *Response)
}

// Serve serves h until the test ends.
func Serve(t testing.TB, h http.Handler) *Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Server{Server: srv}
}

// Request is one request of a test.
type Request struct {
	Method, Path string
	// Token is sent as X-Auth-Token; empty sends none.
	Token string
	// Version is the microversion, sent in the server's VersionHeader.
	Version string
	// Body is sent as is when it is a string, []byte or io.Reader, and
	// as JSON otherwise; nil sends none.
	Body any
	// ContentType is the body's type, application/json when empty.
	ContentType string
	// Header holds further header names and values, in pairs; they
	// replace what the fields above set (an Accept other than JSON, for
	// one).
	Header []string
}

// Response is the answer to a Request, its body read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as a JSON object; nil when it is not one.
func (r *Response) JSON() map[string]any {
	var m map[string]any
	if json.Unmarshal(r.Body, &m) != nil {
		return nil
	}
	return m
}

// Do sends req as the OpenStack clients do, asking for JSON, and returns
// the answer; a request that cannot be sent fails the test.
func (s *Server) Do(t testing.TB, req Request) *Response {
	t.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	case io.Reader:
		body = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.Path, err)
		}
		body = bytes.NewReader(j)
	}
	hr, err := http.NewRequest(req.Method, s.URL+req.Path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	hr.Header.Set("Accept", "application/json")
	if req.Token != "" {
		hr.Header.Set("X-Auth-Token", req.Token)
	}
	if req.Version != "" {
		if s.VersionHeader == "" {
			t.Fatalf("%s %s: microversion %s asked of a server without a VersionHeader", req.Method, req.Path, req.Version)
		}
		hr.Header.Set(s.VersionHeader, s.VersionPrefix+req.Version)
	}
	if body != nil {
		ct := req.ContentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(req.Header); i += 2 {
		hr.Header.Set(req.Header[i], req.Header[i+1])
	}
	resp, err := s.Client().Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", req.Method, req.Path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Step is one request of a table and what must come back.
type Step struct {
	Name string
	// Token is the persona's token: empty means Admin, NoToken none.
	Token                 string
	Version, Method, Path string
	Body                  string
	// Status is the status the answer must have; its body must be JSON
	// (or empty), hold every string of Contains and none of Lacks.
	Status          int
	Contains, Lacks []string
}

// Run sends the steps in order and stops the test at the first answer
// that is not what its step wants.
func (s *Server) Run(t testing.TB, steps []Step) {
	t.Helper()
	for _, st := range steps {
		req := Request{Method: st.Method, Path: st.Path, Token: st.Token, Version: st.Version}
		switch st.Token {
		case "":
			req.Token = Admin
		case NoToken:
			req.Token = ""
		}
		if st.Body != "" {
			req.Body = st.Body
		}
		r := s.Do(t, req)
		if r.Status != st.Status {
			t.Fatalf("%s: %s %s = %d, want %d: %s", st.Name, st.Method, st.Path, r.Status, st.Status, r.Body)
		}
		if len(r.Body) > 0 && !json.Valid(r.Body) {
			t.Fatalf("%s: invalid JSON %s", st.Name, r.Body)
		}
		for _, c := range st.Contains {
			if !bytes.Contains(r.Body, []byte(c)) {
				t.Fatalf("%s: body %s lacks %q", st.Name, r.Body, c)
			}
		}
		for _, c := range st.Lacks {
			if bytes.Contains(r.Body, []byte(c)) {
				t.Fatalf("%s: body %s has %q", st.Name, r.Body, c)
			}
		}
		if s.Check != nil {
			s.Check(t, st, r)
		}
	}
}
