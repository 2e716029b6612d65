package tempurl

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

func TestSignMatchesPython(t *testing.T) {
	// Expected values from Python's hmac over the same message.
	tests := []struct{ digest, ip, want string }{
		{"sha1", "", "cf1cb4ca7ffbf542fd4bd4792d5feaafb1e6bda3"},
		{"sha256", "", "1b2618118ea6cef7046d1641fc84c989acecf59cd4a1b4f3b1ec9b7677e6d617"},
		{"sha512", "", "5f70b9d3bb8277b0feb326048165d0218e1132943c31a19ace674bc8d4b3b6637d31e0e61e0af6bda39093c007eeff0f01874c702bedb4dce84cbcb022b1ede2"},
		{"sha256", "1.2.3.0/24", "141dadefb4b1b3e35275b52032f4a7cbbce01626b4afa551ef2bd82d24f51d35"},
	}
	for _, tt := range tests {
		if got := Sign(tt.digest, "GET", 1700000000, "/v1/AUTH_a/c/o", "mykey", tt.ip); got != tt.want {
			t.Errorf("Sign(%s, ip %q) = %s, want %s", tt.digest, tt.ip, got, tt.want)
		}
	}
}

func TestSplitDigest(t *testing.T) {
	b64 := "sha512:X3C507uCd7D-syYEgWXQIY4RMpQ8MaGazmdLyNSztmN9MeDmHgr2vaOQk8AH7v8PAYdMcCvttNzoTLywIrHt4g"
	tests := []struct {
		in, digest, hex string
		ok              bool
	}{
		{"cf1cb4ca7ffbf542fd4bd4792d5feaafb1e6bda3", "sha1", "cf1cb4ca7ffbf542fd4bd4792d5feaafb1e6bda3", true},
		{b64, "sha512", "5f70b9d3bb8277b0feb326048165d0218e1132943c31a19ace674bc8d4b3b6637d31e0e61e0af6bda39093c007eeff0f01874c702bedb4dce84cbcb022b1ede2", true},
		{"abcd", "", "", false},
		{"zz1cb4ca7ffbf542fd4bd4792d5feaafb1e6bda3", "", "", false},
		{"sha256:!!!", "", "", false},
	}
	for _, tt := range tests {
		d, h, ok := ParseSignature(tt.in)
		if d != tt.digest || h != tt.hex || ok != tt.ok {
			t.Errorf("ParseSignature(%q) = %q, %q, %v", tt.in, d, h, ok)
		}
	}
}

func TestExpiry(t *testing.T) {
	now := time.Unix(1700000000, 0)
	tests := []struct {
		in   string
		want int64
	}{
		{"1700000100", 1700000100},
		{"1699999999", 0},
		{"2030-01-01T00:00:00Z", 1893456000},
		{"garbage", 0},
		{"", 0},
	}
	for _, tt := range tests {
		if got := expiry(tt.in, now); got != tt.want {
			t.Errorf("expiry(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// fakeApp answers account and container HEADs with keys and object
// requests with a fixed body, recording what reached it.
type fakeApp struct {
	acctKey, contKey string
	heads            atomic.Int32
	last             *http.Request
}

func (f *fakeApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.SplitN(r.URL.Path, "/", 5)
	switch {
	case r.Method == "HEAD" && len(segs) == 3:
		f.heads.Add(1)
		if f.acctKey != "" {
			w.Header().Set("X-Account-Meta-Temp-Url-Key", f.acctKey)
		}
		w.WriteHeader(204)
	case r.Method == "HEAD" && len(segs) == 4:
		f.heads.Add(1)
		if f.contKey != "" {
			w.Header().Set("X-Container-Meta-Temp-URL-Key-2", f.contKey)
		}
		w.WriteHeader(204)
	default:
		f.last = r
		if !swift.Authorized(r.Context()) {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("X-Object-Meta-Secret", "s")
		w.Header().Set("X-Object-Meta-Public-Color", "red")
		w.Header().Set("Content-Length", "5")
		w.WriteHeader(200)
		if r.Method != "HEAD" {
			io.WriteString(w, "hello")
		}
	}
}

func TestServe(t *testing.T) {
	now := time.Unix(1700000000, 0)
	exp := now.Unix() + 60
	path := "/v1/AUTH_a/c/dir/my file.txt"
	sig := func(d, method, key string) string { return Sign(d, method, exp, path, key, "") }
	q := func(s string, extra string) string {
		return "?temp_url_sig=" + s + "&temp_url_expires=" + strconv.FormatInt(exp, 10) + extra
	}
	tests := []struct {
		name, method, query string
		status              int
		body, disp          string
	}{
		{"account key sha1", "GET", q(sig("sha1", "GET", "acct"), ""), 200, "hello",
			`attachment; filename="my file.txt"; filename*=UTF-8''my%20file.txt`},
		{"container key sha256", "GET", q(sig("sha256", "GET", "cont"), ""), 200, "hello", ""},
		{"inline", "GET", q(sig("sha512", "GET", "acct"), "&inline"), 200, "hello", "inline"},
		{"filename", "GET", q(sig("sha1", "GET", "acct"), "&filename=x.pdf"), 200, "hello",
			`attachment; filename="x.pdf"; filename*=UTF-8''x.pdf`},
		{"HEAD with a GET url", "HEAD", q(sig("sha1", "GET", "acct"), ""), 200, "", ""},
		{"wrong method", "PUT", q(sig("sha1", "GET", "acct"), ""), 401, "401 Unauthorized: Temp URL invalid\n", ""},
		{"wrong key", "GET", q(sig("sha1", "GET", "nope"), ""), 401, "401 Unauthorized: Temp URL invalid\n", ""},
		{"expired", "GET", "?temp_url_sig=" + sig("sha1", "GET", "acct") + "&temp_url_expires=1600000000", 401, "401 Unauthorized: Temp URL invalid\n", ""},
		{"no sig", "GET", "?temp_url_expires=" + strconv.FormatInt(exp, 10), 401, "401 Unauthorized: Temp URL invalid\n", ""},
		{"HEAD invalid has no body", "HEAD", q("00", ""), 401, "", ""},
		{"plain request passes", "GET", "", 401, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := &fakeApp{acctKey: "acct", contKey: "cont"}
			h := New(app, Config{Now: func() time.Time { return now }})
			r := httptest.NewRequest(tt.method, "http://x"+strings.ReplaceAll(path, " ", "%20")+tt.query, nil)
			r.Header.Set("X-Timestamp", "1")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Fatalf("status %d body %q, want %d %q", w.Code, w.Body.String(), tt.status, tt.body)
			}
			if tt.status == 200 {
				if tt.disp != "" && w.Header().Get("Content-Disposition") != tt.disp {
					t.Errorf("Content-Disposition %q, want %q", w.Header().Get("Content-Disposition"), tt.disp)
				}
				if w.Header().Get("X-Object-Meta-Secret") != "" || w.Header().Get("X-Object-Meta-Public-Color") != "red" {
					t.Errorf("outgoing headers not filtered: %v", w.Header())
				}
				if w.Header().Get("Expires") != "Tue, 14 Nov 2023 22:14:20 GMT" {
					t.Errorf("Expires %q", w.Header().Get("Expires"))
				}
				if app.last.Header.Get("X-Timestamp") != "" {
					t.Errorf("incoming X-Timestamp not removed")
				}
			}
			if tt.status == 401 && tt.query != "" && w.Header().Get("Www-Authenticate") == "" {
				t.Errorf("401 without Www-Authenticate")
			}
		})
	}
}

func TestPrefixAndDisallowedHeaders(t *testing.T) {
	now := time.Unix(1700000000, 0)
	exp := now.Unix() + 60
	app := &fakeApp{acctKey: "k"}
	h := New(app, Config{Now: func() time.Time { return now }})
	ps := Sign("sha256", "PUT", exp, "prefix:/v1/AUTH_a/c/pre", "k", "")
	base := "?temp_url_sig=" + ps + "&temp_url_expires=" + strconv.FormatInt(exp, 10) + "&temp_url_prefix=pre"

	r := httptest.NewRequest("PUT", "/v1/AUTH_a/c/pre/x"+base+"&multipart-manifest=put", strings.NewReader("x"))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || strings.Contains(app.last.URL.RawQuery, "multipart-manifest") {
		t.Fatalf("prefix PUT: %d, query %q", w.Code, app.last.URL.RawQuery)
	}
	r = httptest.NewRequest("PUT", "/v1/AUTH_a/c/other"+base, nil)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 401 {
		t.Fatalf("outside the prefix: %d", w.Code)
	}
	r = httptest.NewRequest("PUT", "/v1/AUTH_a/c/pre/y"+base, nil)
	r.Header.Set("X-Object-Manifest", "c/seg")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 400 || w.Body.String() != "The header 'X-Object-Manifest' is not allowed in this tempurl" {
		t.Fatalf("disallowed header: %d %q", w.Code, w.Body.String())
	}
}

func TestKeyCacheRefreshesOnMismatch(t *testing.T) {
	now := time.Unix(1700000000, 0)
	exp := now.Unix() + 60
	app := &fakeApp{acctKey: "old"}
	h := New(app, Config{Now: func() time.Time { return now }})
	get := func(key string) int {
		s := Sign("sha1", "GET", exp, "/v1/AUTH_a/c/o", key, "")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/v1/AUTH_a/c/o?temp_url_sig="+s+"&temp_url_expires="+strconv.FormatInt(exp, 10), nil))
		return w.Code
	}
	if get("old") != 200 {
		t.Fatal("old key refused")
	}
	heads := app.heads.Load()
	if get("old") != 200 || app.heads.Load() != heads {
		t.Fatalf("cached keys not reused: %d HEADs", app.heads.Load()-heads)
	}
	app.acctKey = "new"
	if got := get("new"); got != 200 {
		t.Fatalf("a key set after caching is refused: %d", got)
	}
}

func BenchmarkCheck(b *testing.B) {
	now := time.Unix(1700000000, 0)
	exp := now.Unix() + 60
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "HEAD" {
			w.Header().Set("X-Account-Meta-Temp-Url-Key", "k")
		}
		w.WriteHeader(200)
	})
	h := New(app, Config{Now: func() time.Time { return now }, KeyTTL: time.Hour})
	s := Sign("sha256", "GET", exp, "/v1/AUTH_a/c/o", "k", "")
	target := "/v1/AUTH_a/c/o?temp_url_sig=" + s + "&temp_url_expires=" + strconv.FormatInt(exp, 10)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
