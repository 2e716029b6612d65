package apitest_test

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

type faults struct{}

func (faults) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
	httpapi.WriteJSON(w, e.Code, map[string]any{"error": e.Message})
}

func defaults() map[string]string {
	return map[string]string{"echo": "role:member", "admin": "role:admin"}
}

func routes() []httpapi.Route {
	echo := func(w http.ResponseWriter, r *http.Request) error {
		b, _ := io.ReadAll(r.Body)
		creds, _ := auth.FromContext(r.Context())
		return httpapi.WriteJSON(w, http.StatusOK, map[string]string{
			"user": creds.UserID, "project": creds.ProjectID, "body": string(b),
			"type": r.Header.Get("Content-Type"), "accept": r.Header.Get("Accept"),
			"version": r.Header.Get("X-Version"), "extra": r.Header.Get("X-Extra"),
		})
	}
	return []httpapi.Route{
		{Method: "POST", Pattern: "/echo", Policy: "echo", Handler: echo},
		{Method: "GET", Pattern: "/admin", Policy: "admin", Handler: echo},
	}
}

func serve(t *testing.T) *apitest.Server {
	t.Helper()
	a := &httpapi.API{Service: "test", Faults: faults{}, Policy: apitest.Policy(t, defaults()),
		Validator: apitest.Tokens("alice"), Log: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	a.Mount(mux, routes())
	srv := apitest.Serve(t, mux)
	srv.VersionHeader, srv.VersionPrefix = "X-Version", "test "
	return srv
}

func TestDo(t *testing.T) {
	srv := serve(t)
	r := srv.Do(t, apitest.Request{Method: "POST", Path: "/echo", Token: "alice", Version: "1.2",
		Body: map[string]int{"n": 1}, Header: []string{"X-Extra", "x"}})
	want := map[string]any{"user": "u-alice", "project": "p-alice", "body": `{"n":1}`,
		"type": "application/json", "accept": "application/json", "version": "test 1.2", "extra": "x"}
	got := r.JSON()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (answer %d %s)", k, got[k], v, r.Status, r.Body)
		}
	}
	r = srv.Do(t, apitest.Request{Method: "POST", Path: "/echo", Token: "alice", Body: "raw", ContentType: "text/plain"})
	if got := r.JSON(); got["body"] != "raw" || got["type"] != "text/plain" {
		t.Errorf("raw body: %s", r.Body)
	}
}

func TestRun(t *testing.T) {
	srv := serve(t)
	var checked int
	srv.Check = func(t testing.TB, s apitest.Step, r *apitest.Response) { checked++ }
	srv.Run(t, []apitest.Step{
		{Name: "admin by default", Method: "GET", Path: "/admin", Status: 200, Contains: []string{`"u-admin"`}},
		{Name: "member", Token: "alice", Method: "POST", Path: "/echo", Body: `{}`, Status: 200, Contains: []string{`"u-alice"`}, Lacks: []string{`"u-admin"`}},
		{Name: "member refused", Token: "alice", Method: "GET", Path: "/admin", Status: 403},
		{Name: "no token", Token: apitest.NoToken, Method: "GET", Path: "/admin", Status: 401},
	})
	if checked != 4 {
		t.Errorf("Check ran %d times, want 4", checked)
	}
}

func TestCheckRoutes(t *testing.T) {
	apitest.CheckRoutes(t, routes(), defaults())
	// A rule without a default is reported.
	ft := &fakeT{TB: t}
	apitest.CheckRoutes(ft, append(routes(), httpapi.Route{Method: "GET", Pattern: "/x", Policy: "unknown"}), defaults())
	if !ft.failed {
		t.Error("a rule without a default passed")
	}
}

// fakeT records a failure instead of failing the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatal(...any)          { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }
