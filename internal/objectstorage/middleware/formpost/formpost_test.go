package formpost

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// store is a next handler with an account key that records PUTs.
type store struct{ objects map[string]string }

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case "HEAD":
		if strings.Count(r.URL.Path, "/") == 2 {
			w.Header().Set("X-Account-Meta-Temp-Url-Key", "Meta")
		}
		w.WriteHeader(204)
	case "PUT":
		if !swift.Authorized(r.Context()) {
			w.WriteHeader(401)
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(499)
			return
		}
		s.objects[r.URL.Path] = string(b) + "|" + r.Header.Get("Content-Type")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.WriteHeader(201)
	default:
		w.WriteHeader(405)
	}
}

func form(path, redirect, key string, maxSize, maxCount int, expires int64, files map[string]string) (string, string) {
	mac := hmac.New(sha1.New, []byte(key))
	fmt.Fprintf(mac, "%s\n%s\n%d\n%d\n%d", path, redirect, maxSize, maxCount, expires)
	fields := [][2]string{{"redirect", redirect}, {"max_file_size", fmt.Sprint(maxSize)},
		{"max_file_count", fmt.Sprint(maxCount)}, {"expires", fmt.Sprint(expires)}, {"signature", hex.EncodeToString(mac.Sum(nil))}}
	b := "--boundary--"
	var lines []string
	for _, f := range fields {
		lines = append(lines, "--"+b, `Content-Disposition: form-data; name="`+f[0]+`"`, "", f[1])
	}
	for name, data := range files {
		lines = append(lines, "--"+b, `Content-Disposition: form-data; name="file"; filename="`+name+`"`,
			"Content-Type: text/x-test", "", data)
	}
	lines = append(lines, "--"+b+"--", "")
	return strings.Join(lines, "\r\n"), "multipart/form-data; boundary=" + b
}

func TestFormPost(t *testing.T) {
	now := time.Unix(1700000000, 0)
	path := "/v1/AUTH_a/c/pre"
	ok := map[string]string{"f1": "hello world"}
	tests := []struct {
		name, key, redirect string
		maxSize, maxCount   int
		expires             int64
		files               map[string]string
		status              int
		body, location      string
		stored              string
	}{
		{"ok", "Meta", "", 100, 10, now.Unix() + 60, ok, 201, "201 Created", "", "/v1/AUTH_a/c/pref1"},
		{"redirect", "Meta", "http://x/done", 100, 10, now.Unix() + 60, ok, 303, "", "http://x/done?status=201&message=", ""},
		{"bad signature", "Wrong", "", 100, 10, now.Unix() + 60, ok, 401, "FormPost: Invalid Signature", "", ""},
		{"expired", "Meta", "", 100, 10, now.Unix() - 1, ok, 401, "FormPost: Form Expired", "", ""},
		{"too big", "Meta", "", 3, 10, now.Unix() + 60, ok, 400, "FormPost: max_file_size exceeded", "", ""},
		{"too many", "Meta", "", 100, 0, now.Unix() + 60, ok, 400, "400 Bad Request\r\nFormPost: Max File Count Exceeded", "", ""},
		{"no files", "Meta", "", 100, 10, now.Unix() + 60, nil, 400, "400 Bad Request\r\nFormPost: No Files To Process", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &store{objects: map[string]string{}}
			h := New(st, Config{Now: func() time.Time { return now }})
			body, ct := form(path, tt.redirect, tt.key, tt.maxSize, tt.maxCount, tt.expires, tt.files)
			r := httptest.NewRequest("POST", path, strings.NewReader(body))
			r.Header.Set("Content-Type", ct)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status %d body %q", w.Code, w.Body.String())
			}
			if tt.body != "" && w.Body.String() != tt.body {
				t.Errorf("body %q, want %q", w.Body.String(), tt.body)
			}
			if tt.location != "" && w.Header().Get("Location") != tt.location {
				t.Errorf("Location %q", w.Header().Get("Location"))
			}
			if tt.stored != "" {
				if got := st.objects[tt.stored]; got != "hello world|text/x-test" {
					t.Errorf("stored %q (all %v)", got, st.objects)
				}
				if w.Header().Get("Access-Control-Allow-Origin") != "*" {
					t.Errorf("CORS header of the PUT not passed on")
				}
			}
		})
	}
}

func TestNotAForm(t *testing.T) {
	h := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }), Config{})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/v1/a/c/o", strings.NewReader("x")))
	if w.Code != http.StatusTeapot {
		t.Fatalf("plain POST: %d", w.Code)
	}
	r := httptest.NewRequest("POST", "/v1/a/c/o", strings.NewReader("garbage"))
	r.Header.Set("Content-Type", "multipart/form-data; boundary=xyz")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 400 || w.Body.String() != "FormPost: invalid starting boundary" {
		t.Fatalf("bad form: %d %q", w.Code, w.Body.String())
	}
}

func TestTitle(t *testing.T) {
	for in, want := range map[string]string{"invalid signature": "Invalid Signature", "max_file_size exceeded": "Max_File_Size Exceeded", "x2y": "X2Y"} {
		if got := title(in); got != want {
			t.Errorf("title(%q) = %q, want %q", in, got, want)
		}
	}
}
