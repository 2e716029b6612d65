package swift

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

func TestWriteError(t *testing.T) {
	tests := []struct {
		method, path string
		status       int
		body         string
		preset       string // Content-Type set before the call
		wantBody     string
		wantType     string
		wantAuth     string
	}{
		{"GET", "/v1/AUTH_a/c", 404, "", "", "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>", "text/html; charset=UTF-8", ""},
		{"GET", "/v1/AUTH_a/c", 401, "", "", "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the document you requested.</p></html>", "text/html; charset=UTF-8", `Swift realm="AUTH_a"`},
		{"GET", "/info", 401, "", "", "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the document you requested.</p></html>", "text/html; charset=UTF-8", `Swift realm="unknown"`},
		{"GET", "/v1.0/auth", 401, "", "", "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the document you requested.</p></html>", "text/html; charset=UTF-8", `Swift realm="unknown"`},
		{"GET", "/v1/AUTH_a", 507, "", "", "<html><h1>Insufficient Storage</h1><p>There was not enough space to save the resource. Drive: unknown</p></html>", "text/html; charset=UTF-8", ""},
		{"PUT", "/v1/a/c/o", 400, "No content type", "text/plain", "No content type", "text/plain", ""},
		{"PUT", "/v1/a/c", 400, "Container name length of 300 longer than 256", "", "Container name length of 300 longer than 256", "text/html; charset=UTF-8", ""},
		{"HEAD", "/v1/a/c/o", 404, "", "", "", "text/html; charset=UTF-8", ""},
		{"GET", "/v1/a", 204, "", "", "", "text/html; charset=UTF-8", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		w := httptest.NewRecorder()
		if tt.preset != "" {
			w.Header().Set("Content-Type", tt.preset)
		}
		WriteError(w, r, tt.status, tt.body)
		if w.Code != tt.status || w.Body.String() != tt.wantBody || w.Header().Get("Content-Type") != tt.wantType ||
			w.Header().Get("Www-Authenticate") != tt.wantAuth {
			t.Errorf("%s %s %d: got %d %q type %q auth %q", tt.method, tt.path, tt.status, w.Code, w.Body.String(),
				w.Header().Get("Content-Type"), w.Header().Get("Www-Authenticate"))
		}
		wantLen := len(tt.wantBody)
		if tt.method == "HEAD" {
			wantLen = len(DefaultBody(tt.status))
		}
		if got := w.Header().Get("Content-Length"); got != itoa(wantLen) {
			t.Errorf("%s %s: Content-Length %s, want %d", tt.method, tt.path, got, wantLen)
		}
	}
}

func itoa(n int) string {
	return string(appendInt(nil, n))
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func TestHTTPErrorWrite(t *testing.T) {
	var err error = InsufficientStorage("sdb1")
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatal("not an HTTPError")
	}
	w := httptest.NewRecorder()
	he.Write(w, httptest.NewRequest("PUT", "/sdb1/1/a", nil))
	if w.Code != 507 || w.Body.String() != "<html><h1>Insufficient Storage</h1><p>There was not enough space to save the resource. Drive: sdb1</p></html>" {
		t.Errorf("got %d %q", w.Code, w.Body.String())
	}
	if got := NewError(404, "").Error(); got != "404 Not Found" {
		t.Errorf("Error() = %q", got)
	}
}

func TestTransID(t *testing.T) {
	id := NewTransID("-suffix")
	if !regexp.MustCompile(`^tx[0-9a-f]{21}-[0-9a-f]{10}-suffix$`).MatchString(id) {
		t.Errorf("NewTransID = %q", id)
	}
	if NewTransID("") == NewTransID("") {
		t.Error("two trans ids are equal")
	}
	// A new request gets a new id, kept in its context for subrequests.
	r := httptest.NewRequest("GET", "/v1/a", nil)
	w := httptest.NewRecorder()
	r2 := SetTransID(w, r, "")
	got := w.Header().Get(HeaderTransID)
	if got == "" || w.Header().Get(HeaderRequestID) != got || TransID(r2) != got {
		t.Errorf("SetTransID: header %q request-id %q context %q", got, w.Header().Get(HeaderRequestID), TransID(r2))
	}
	// A backend request keeps the proxy's id.
	r = httptest.NewRequest("GET", "/sda/1/a", nil)
	r.Header.Set(HeaderTransID, "tx-from-proxy")
	w = httptest.NewRecorder()
	SetTransID(w, r, "")
	if w.Header().Get(HeaderTransID) != "tx-from-proxy" {
		t.Errorf("backend trans id = %q", w.Header().Get(HeaderTransID))
	}
}

func TestSplitPath(t *testing.T) {
	tests := []struct {
		path     string
		min, max int
		rest     bool
		want     []string
		bad      bool
	}{
		{"/a", 1, 0, false, []string{"a"}, false},
		{"/a", 1, 2, false, []string{"a", ""}, false},
		{"/a/c", 1, 2, false, []string{"a", "c"}, false},
		{"/a/c/o/r", 1, 3, true, []string{"a", "c", "o/r"}, false},
		{"/a/c/o/r", 1, 3, false, nil, true},
		{"/a/c/", 2, 0, false, []string{"a", "c"}, false},
		{"/a/c/", 2, 3, false, []string{"a", "c", ""}, false},
		{"//c", 1, 2, false, nil, true},
		{"a/c", 1, 2, false, nil, true},
		{"/a//o", 1, 3, false, nil, true},
		{"/v1/a/c/", 1, 4, true, []string{"v1", "a", "c", ""}, false},
		{"/sda/1/a/c/o/x", 5, 5, true, []string{"sda", "1", "a", "c", "o/x"}, false},
		{"/a b", 2, 2, false, nil, true},
	}
	for _, tt := range tests {
		got, err := SplitPath(tt.path, tt.min, tt.max, tt.rest)
		if tt.bad {
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != http.StatusBadRequest {
				t.Errorf("SplitPath(%q, %d, %d, %v) = %q, %v; want 400", tt.path, tt.min, tt.max, tt.rest, got, err)
			}
			continue
		}
		if err != nil || !equal(got, tt.want) {
			t.Errorf("SplitPath(%q, %d, %d, %v) = %q, %v; want %q", tt.path, tt.min, tt.max, tt.rest, got, err, tt.want)
		}
	}
	_, err := SplitPath("/a b", 2, 2, false)
	if err.(*HTTPError).Body != "Invalid path: /a%20b" {
		t.Errorf("body %q", err.(*HTTPError).Body)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestQuote(t *testing.T) {
	if got := Quote("a b/é~?", "/"); got != "a%20b/%C3%A9~%3F" {
		t.Errorf("Quote = %q", got)
	}
	if got := Quote("a/b", ""); got != "a%2Fb" {
		t.Errorf("Quote = %q", got)
	}
}
