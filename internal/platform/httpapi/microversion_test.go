package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// TestNegotiatorWording: a service's Refusal and Vary replace the
// defaults, which stay Nova's and Cinder's words.
func TestNegotiatorWording(t *testing.T) {
	placement := func(raw string, bad bool) string {
		if bad {
			return "invalid version string: " + raw
		}
		return "Unacceptable version header: " + raw
	}
	tests := []struct {
		name      string
		refusal   func(string, bool) string
		vary      string
		requested string
		code      int
		msg       string
		wantVary  string
	}{
		{"default 406", nil, "", "0.5", 406, "Version 0.5 is not supported by the API. Minimum is 2.1 and maximum is 2.96.", ""},
		{"default 400", nil, "", "pony.horse", 400, "API Version String pony.horse is of invalid format. Must be of format MajorNum.MinorNum.", ""},
		{"default vary", nil, "", "2.5", 0, "", "OpenStack-API-Version"},
		{"service 406", placement, "", "3.0", 406, "Unacceptable version header: 3.0", ""},
		{"service 400", placement, "", "1.2.3", 400, "invalid version string: 1.2.3", ""},
		{"service vary", placement, "openstack-api-version", "latest", 0, "", "openstack-api-version"},
	}
	for _, tt := range tests {
		n := &httpapi.Negotiator{ServiceType: "compute", Min: httpapi.Version{Major: 2, Minor: 1}, Max: httpapi.Version{Major: 2, Minor: 96},
			Refusal: tt.refusal, Vary: tt.vary}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("OpenStack-API-Version", "compute "+tt.requested)
		w := httptest.NewRecorder()
		_, err := n.Negotiate(w, r)
		e, _ := apierr.As(err)
		switch {
		case tt.code == 0 && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.code != 0 && (e == nil || e.Code != tt.code || e.Message != tt.msg):
			t.Errorf("%s: error %#v, want %d %q", tt.name, e, tt.code, tt.msg)
		case w.Header().Get("Vary") != tt.wantVary:
			t.Errorf("%s: Vary %q, want %q", tt.name, w.Header().Get("Vary"), tt.wantVary)
		}
	}
}

// TestNotAllowed: a service's NotAllowed words WithFallback's 405; the
// default keeps ServeMux's Allow list.
func TestNotAllowed(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /things", func(w http.ResponseWriter, r *http.Request) {})
	custom := func(method, allow string) (string, string) { return "no " + method, "GET, POST" }
	for _, tt := range []struct {
		name       string
		notAllowed func(string, string) (string, string)
		allow, msg string
	}{
		{"default", nil, "GET, HEAD, POST", "The method is not allowed for the requested URL."},
		{"service", custom, "GET, POST", "no DELETE"},
	} {
		var got string
		a := &httpapi.API{Service: "t", Faults: faultsFunc(func(w http.ResponseWriter, r *http.Request, e *apierr.Error) {
			got = e.Message
			w.WriteHeader(e.Code)
		}), NotAllowed: tt.notAllowed}
		rec := httptest.NewRecorder()
		a.WithFallback(mux).ServeHTTP(rec, httptest.NewRequest("DELETE", "/things", nil))
		if rec.Code != 405 || rec.Header().Get("Allow") != tt.allow || got != tt.msg {
			t.Errorf("%s: %d Allow %q message %q, want 405 %q %q", tt.name, rec.Code, rec.Header().Get("Allow"), got, tt.allow, tt.msg)
		}
	}
}

type faultsFunc func(w http.ResponseWriter, r *http.Request, e *apierr.Error)

func (f faultsFunc) Write(w http.ResponseWriter, r *http.Request, e *apierr.Error) { f(w, r, e) }
