package healthcheck

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	disable := filepath.Join(t.TempDir(), "off")
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := New(next, Config{DisablePath: disable})
	get := func(method, path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		return w
	}
	if w := get("GET", "/healthcheck"); w.Code != 200 || w.Body.String() != "OK" || w.Header().Get("Content-Type") != "text/plain" {
		t.Fatalf("GET: %d %q %v", w.Code, w.Body.String(), w.Header())
	}
	if w := get("HEAD", "/healthcheck"); w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") != "2" {
		t.Fatalf("HEAD: %d %q", w.Code, w.Body.String())
	}
	if w := get("GET", "/v1/a"); w.Code != http.StatusTeapot {
		t.Fatalf("other paths pass: %d", w.Code)
	}
	if err := os.WriteFile(disable, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if w := get("GET", "/healthcheck"); w.Code != 503 || w.Body.String() != "DISABLED BY FILE" {
		t.Fatalf("disabled: %d %q", w.Code, w.Body.String())
	}
}
