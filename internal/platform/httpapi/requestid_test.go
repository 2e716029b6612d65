package httpapi_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/reqid"
)

// A caller's valid X-Openstack-Request-Id becomes the request's global id
// (in the context, the access line and the handler's own lines), never
// the service's own id, which the answer carries; anything else a caller
// sends there is ignored.
func TestRequestIDs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(reqid.Handler(slog.NewJSONHandler(&buf, nil)))
	type seen struct{ local, global, outbound string }
	var got seen
	a := &httpapi.API{Service: "placement", Faults: novaFaults{}, Log: log}
	mux := http.NewServeMux()
	a.Mount(mux, []httpapi.Route{
		{Method: "GET", Pattern: "/ok", Public: true, Handler: func(w http.ResponseWriter, r *http.Request) error {
			ctx := r.Context()
			got = seen{httpapi.RequestID(ctx), reqid.Global(ctx), reqid.Outbound(ctx)}
			log.InfoContext(ctx, "handler line")
			return nil
		}},
		{Method: "GET", Pattern: "/fail", Public: true, Handler: func(w http.ResponseWriter, r *http.Request) error {
			return apierr.BadRequest("no")
		}},
	})
	caller := reqid.New()
	for _, tc := range []struct {
		name, path, sent, wantGlobal string
	}{
		{"from a service", "/ok", caller, caller},
		{"from a client", "/ok", "", ""},
		{"not an id", "/ok", "req-\n\"injected\"", ""},
		{"upper case", "/ok", strings.ToUpper(caller), ""},
		{"an error", "/fail", caller, caller},
	} {
		buf.Reset()
		got = seen{}
		req := httptest.NewRequest("GET", tc.path, nil)
		if tc.sent != "" {
			req.Header.Set(reqid.Header, tc.sent)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		own := w.Header().Get(reqid.Header)
		if !reqid.Valid(own) || own == caller {
			t.Errorf("%s: answered request id %q, want a fresh one", tc.name, own)
		}
		if tc.path == "/ok" {
			wantOut := tc.wantGlobal
			if wantOut == "" {
				wantOut = own
			}
			if want := (seen{own, tc.wantGlobal, wantOut}); got != want {
				t.Errorf("%s: handler saw %+v, want %+v", tc.name, got, want)
			}
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		for _, l := range lines {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("%s: %v: %s", tc.name, err, l)
			}
			g, _ := m["global_request_id"].(string)
			if m["request_id"] != own || g != tc.wantGlobal || strings.Count(l, `"request_id"`) != 1 {
				t.Errorf("%s: log line %s, want request_id %s global_request_id %q", tc.name, l, own, tc.wantGlobal)
			}
		}
		if tc.path == "/ok" && len(lines) != 2 {
			t.Errorf("%s: %d log lines, want the handler's and the access line:\n%s", tc.name, len(lines), buf.String())
		}
	}
}
