package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gostack/gostack/internal/platform/httpapi"
)

func TestStripTrailingSlash(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v3/trusts", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) })
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(298) })
	h := httpapi.StripTrailingSlash(mux)
	for path, want := range map[string]int{"/v3/trusts/": 299, "/v3/trusts": 299, "/v3/trusts//": 299, "/": 298, "/nope/": 404} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("GET %s = %d, want %d", path, rec.Code, want)
		}
	}
}

func TestWithFallback(t *testing.T) {
	a := &httpapi.API{Service: "t", Faults: novaFaults{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things", func(w http.ResponseWriter, r *http.Request) {})
	h := a.WithFallback(mux)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/nothing", nil))
	if rec.Code != 404 || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("unknown path: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("DELETE", "/things", nil))
	if rec.Code != 405 || rec.Header().Get("Allow") == "" {
		t.Errorf("wrong method: %d allow=%q", rec.Code, rec.Header().Get("Allow"))
	}
}
