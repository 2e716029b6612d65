package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gostack/gostack/internal/dashboard"
	"github.com/gostack/gostack/internal/dashboard/api"
	"github.com/gostack/gostack/internal/dashboard/keystone"
)

func TestStatic(t *testing.T) {
	js := []byte(strings.Repeat("console.log('gostack');\n", 200))
	srv, err := api.New(api.Config{
		Identity: keystone.New("http://127.0.0.1:1/v3", nil),
		Sessions: dashboard.NewSessions(nil),
		Assets: fstest.MapFS{
			"index.html":             {Data: []byte("<!doctype html><title>app</title>")},
			"static/app-F2SJ7E5S.js": {Data: js},
			"static/logo.svg":        {Data: []byte("<svg/>")},
			"favicon.ico":            {Data: []byte{0, 0, 1, 0}},
		},
		ConsoleURL: "https://console.example:6080",
		Log:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(method, path string, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w
	}

	w := get("GET", "/static/app-F2SJ7E5S.js")
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), js) || w.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("asset: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("hashed asset Cache-Control %q", cc)
	}
	etag := w.Header().Get("ETag")
	if w := get("GET", "/static/app-F2SJ7E5S.js", "If-None-Match", etag); w.Code != 304 {
		t.Errorf("If-None-Match: %d", w.Code)
	}
	w = get("GET", "/static/app-F2SJ7E5S.js", "Accept-Encoding", "br, gzip")
	if w.Header().Get("Content-Encoding") != "gzip" || w.Body.Len() >= len(js) || w.Header().Get("ETag") == etag {
		t.Fatalf("gzip: %q, %d bytes, etag %q", w.Header().Get("Content-Encoding"), w.Body.Len(), w.Header().Get("ETag"))
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, js) {
		t.Error("gzipped asset does not inflate to the file")
	}
	if w := get("GET", "/static/logo.svg"); w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("unhashed asset: %d %q", w.Code, w.Header().Get("Cache-Control"))
	}
	if w := get("GET", "/favicon.ico"); w.Code != 200 || w.Body.Len() != 4 {
		t.Errorf("root file: %d", w.Code)
	}
	for _, p := range []string{"/", "/project/instances", "/admin/x/y"} {
		w := get("GET", p)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "<title>app</title>") {
			t.Errorf("%s: %d", p, w.Code)
		}
		csp := w.Header().Get("Content-Security-Policy")
		for _, want := range []string{"frame-src https://console.example:6080", "connect-src 'self' wss://console.example:6080", "frame-ancestors 'none'", "script-src 'self';"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		if w.Header().Get("X-Frame-Options") != "DENY" || w.Header().Get("Referrer-Policy") != "same-origin" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s headers %v", p, w.Header())
		}
	}
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/static/nope.js", 404},
		{"POST", "/", 405},
		{"GET", "/auth/nope", 404},
		{"GET", "/auth/login", 405},
		{"GET", "/api", 404},
	} {
		if w := get(tc.method, tc.path); w.Code != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, w.Code, tc.want)
		}
	}
	// Identity down: the login answers 502 with a message, not a hang or a 500.
	req := httptest.NewRequest("POST", "/auth/login", strings.NewReader(`{"username":"a","password":"b"}`))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadGateway || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Errorf("login with identity down: %d %s", rec.Code, rec.Body)
	}
	// Unknown fields are refused, as the APIs refuse them.
	req = httptest.NewRequest("POST", "/auth/login", strings.NewReader(`{"username":"a","password":"b","extra":1}`))
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("login with an unknown field: %d %s", rec.Code, rec.Body)
	}
}
