package swift

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func wantErr(t *testing.T, what string, err error, status int, body string) {
	t.Helper()
	if status == 0 {
		if err != nil {
			t.Errorf("%s: unexpected %v", what, err)
		}
		return
	}
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != status || he.Body != body {
		t.Errorf("%s = %v, want %d %q", what, err, status, body)
	}
}

func TestCheckMetadata(t *testing.T) {
	many := http.Header{}
	for i := range MaxMetaCount + 1 {
		many.Set("X-Object-Meta-K"+strconv.Itoa(i), "v")
	}
	big := http.Header{}
	for i := range 20 {
		big.Set("X-Container-Meta-"+string(rune('A'+i)), strings.Repeat("v", 250))
	}
	tests := []struct {
		name   string
		h      http.Header
		kind   string
		status int
		body   string
	}{
		{"ok", http.Header{"X-Object-Meta-Color": {"blue"}, "Content-Type": {"text/plain"}}, KindObject, 0, ""},
		{"header too long", http.Header{"X-Foo": {strings.Repeat("a", MaxHeaderSize+1)}}, KindObject, 400, "Header value too long: X-Foo"},
		{"empty name", http.Header{"X-Object-Meta-": {"v"}}, KindObject, 400, "Metadata name cannot be empty"},
		{"name too long", http.Header{"X-Object-Meta-" + strings.Repeat("n", 129): {"v"}}, KindObject, 400,
			"Metadata name too long: x-object-meta-N" + strings.Repeat("n", 128)},
		{"value too long", http.Header{"X-Account-Meta-Key": {strings.Repeat("v", 257)}}, KindAccount, 400,
			"Metadata value longer than 256: x-account-meta-Key"},
		{"bad utf8 container", http.Header{"X-Container-Meta-Key": {"\xff"}}, KindContainer, 400, "Metadata must be valid UTF-8"},
		{"bad utf8 object allowed", http.Header{"X-Object-Meta-Key": {"\xff"}}, KindObject, 0, ""},
		{"empty value allowed", http.Header{"X-Container-Meta-Key": {""}}, KindContainer, 0, ""},
		{"other kind ignored", http.Header{"X-Container-Meta-" + strings.Repeat("n", 200): {"v"}}, KindObject, 0, ""},
		{"too many", many, KindObject, 400, "Too many metadata items; max 90"},
		{"too large", big, KindContainer, 400, "Total metadata too large; max 4096"},
	}
	for _, tt := range tests {
		err := CheckMetadata(tt.h, tt.kind)
		wantErr(t, tt.name, err, tt.status, tt.body)
		if err != nil && err.(*HTTPError).Header.Get("Content-Type") != "text/plain" {
			t.Errorf("%s: content type %q", tt.name, err.(*HTTPError).Header.Get("Content-Type"))
		}
	}
}

func TestNameChecks(t *testing.T) {
	wantErr(t, "object ok", CheckObjectName(strings.Repeat("o", 1024)), 0, "")
	wantErr(t, "object long", CheckObjectName(strings.Repeat("o", 1025)), 400, "Object name length of 1025 longer than 1024")
	wantErr(t, "container ok", CheckContainerName(strings.Repeat("c", 256)), 0, "")
	wantErr(t, "container long", CheckContainerName(strings.Repeat("c", 257)), 400, "Container name length of 257 longer than 256")
	wantErr(t, "account long", CheckAccountName(strings.Repeat("a", 257)), 400, "Account name length of 257 longer than 256")
	wantErr(t, "utf8 ok", CheckUTF8("/v1/a/é"), 0, "")
	wantErr(t, "utf8 bad", CheckUTF8("/v1/a/\xff"), 412, "Invalid UTF8 or contains NULL")
	wantErr(t, "utf8 nul", CheckUTF8("/v1/a/\x00"), 412, "Invalid UTF8 or contains NULL")
	wantErr(t, "utf8 surrogate", CheckUTF8("/v1/\xed\xa0\x80"), 412, "Invalid UTF8 or contains NULL")
	if !ValidUTF8("a\x00b", true) || ValidUTF8("", true) {
		t.Error("ValidUTF8 internal names")
	}
}

func TestCheckDeleteHeaders(t *testing.T) {
	now, _ := ParseTimestamp("1000.5")
	tests := []struct {
		name   string
		h      http.Header
		status int
		body   string
		at     string
	}{
		{"after", http.Header{"X-Delete-After": {"60"}}, 0, "", "0000001060"},
		{"after bad", http.Header{"X-Delete-After": {"soon"}}, 400, "Non-integer X-Delete-After", ""},
		{"after past", http.Header{"X-Delete-After": {"0"}}, 400, "X-Delete-After in past", ""},
		{"after wins", http.Header{"X-Delete-After": {"10"}, "X-Delete-At": {"1"}}, 0, "", "0000001010"},
		{"at", http.Header{"X-Delete-At": {"2000"}}, 0, "", "2000"},
		{"at bad", http.Header{"X-Delete-At": {"2000.5"}}, 400, "Non-integer X-Delete-At", ""},
		{"at past", http.Header{"X-Delete-At": {"1000"}}, 400, "X-Delete-At in past", ""},
		{"at past replication", http.Header{"X-Delete-At": {"1000"}, "X-Backend-Replication": {"True"}}, 0, "", "1000"},
	}
	for _, tt := range tests {
		err := CheckDeleteHeaders(tt.h, now)
		wantErr(t, tt.name, err, tt.status, tt.body)
		if err == nil {
			if got := tt.h.Get("X-Delete-At"); got != tt.at || tt.h.Get("X-Delete-After") != "" {
				t.Errorf("%s: X-Delete-At %q After %q, want %q", tt.name, got, tt.h.Get("X-Delete-After"), tt.at)
			}
		}
	}
}

func TestCheckObjectCreation(t *testing.T) {
	now := Now()
	req := func(cl string, h ...string) *http.Request {
		r := httptest.NewRequest("PUT", "/v1/a/c/o", strings.NewReader("body"))
		r.ContentLength = 0
		r.Header = http.Header{}
		if cl != "" {
			r.Header.Set("Content-Length", cl)
		}
		for i := 0; i+1 < len(h); i += 2 {
			r.Header.Set(h[i], h[i+1])
		}
		return r
	}
	huge := req("5368709123", "Content-Type", "a/b")
	huge.ContentLength = MaxFileSize + 1
	chunked := req("", "Content-Type", "a/b")
	chunked.TransferEncoding = []string{"chunked"}
	tests := []struct {
		name   string
		r      *http.Request
		obj    string
		status int
		body   string
	}{
		{"ok", req("4", "Content-Type", "a/b"), "o", 0, ""},
		{"chunked ok", chunked, "o", 0, ""},
		{"too large", huge, "o", 413, "Your request is too large."},
		{"no length", req("", "Content-Type", "a/b"), "o", 411, "Missing Content-Length header."},
		{"long name", req("4", "Content-Type", "a/b"), strings.Repeat("o", 1025), 400, "Object name length of 1025 longer than 1024"},
		{"no type", req("4"), "o", 400, "No content type"},
		{"bad type", req("4", "Content-Type", "\xff"), "o", 400, "Invalid Content-Type"},
		{"bad delete", req("4", "Content-Type", "a/b", "X-Delete-At", "x"), "o", 400, "Non-integer X-Delete-At"},
		{"bad meta", req("4", "Content-Type", "a/b", "X-Object-Meta-"+strings.Repeat("k", 200), "v"), "o", 400,
			"Metadata name too long: x-object-meta-K" + strings.Repeat("k", 199)},
	}
	for _, tt := range tests {
		wantErr(t, tt.name, CheckObjectCreation(tt.r, tt.obj, now), tt.status, tt.body)
	}
}
