package fault

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestFormat(t *testing.T) {
	for accept, want := range map[string]string{
		"":                 "application/json",
		"*/*":              "application/json",
		"application/json": "application/json",
		"text/html":        "text/html",
		"text/plain":       "text/plain",
		"application/xml":  "text/plain",
		"text/*":           "text/html",
		"application/json;q=0.5, text/html;q=0.4":                               "application/json",
		"application/json, text/html":                                           "text/html",
		"text/html;q=0, */*":                                                    "application/json",
		"*/*;q=0.8, text/html;q=0.1":                                            "application/json",
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8":       "text/html",
		"application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8, x/y": "text/html",
	} {
		if got := Format(accept); got != want {
			t.Errorf("Format(%q) = %q, want %q", accept, got, want)
		}
	}
}

func TestWriter(t *testing.T) {
	e := &apierr.Error{Code: 404, Message: "No <provider> found", Type: "placement.resource_provider.not_found"}
	tests := []struct {
		accept, version string
		ct              string
		has, lacks      []string
	}{
		{"", "", "application/json", []string{`"detail":"No <provider> found"`, `"title":"Not Found"`, `"status":404`}, []string{`"code"`}},
		{"application/json", "placement 1.23", "application/json", []string{`"code":"placement.resource_provider.not_found"`}, nil},
		{"text/html", "", "text/html; charset=UTF-8", []string{"<title>404 Not Found</title>", "<h1>404 Not Found</h1>", "No &lt;provider&gt; found"}, []string{`"errors"`}},
		{"text/plain", "", "text/plain; charset=UTF-8", []string{"404 Not Found\n\nNo <provider> found"}, nil},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/x", nil)
		if tt.accept != "" {
			r.Header.Set("Accept", tt.accept)
		}
		w := httptest.NewRecorder()
		if tt.version != "" {
			w.Header().Set("OpenStack-API-Version", tt.version)
		}
		Writer{}.Write(w, r, e)
		body := w.Body.String()
		if w.Code != 404 || w.Header().Get("Content-Type") != tt.ct {
			t.Errorf("Accept %q: %d %q, want 404 %q", tt.accept, w.Code, w.Header().Get("Content-Type"), tt.ct)
		}
		for _, s := range tt.has {
			if !strings.Contains(body, s) {
				t.Errorf("Accept %q: body lacks %q: %s", tt.accept, s, body)
			}
		}
		for _, s := range tt.lacks {
			if strings.Contains(body, s) {
				t.Errorf("Accept %q: body has %q: %s", tt.accept, s, body)
			}
		}
	}
}

func TestRefusal(t *testing.T) {
	tests := []struct {
		raw  string
		bad  bool
		want string
	}{
		{"0.5", false, "Invalid microversion: Unacceptable version header: 0.5"},
		{"1.40", false, "Invalid microversion: Unacceptable version header: 1.40"},
		{"pony.horse", true, "Invalid microversion: invalid version string: pony.horse; invalid literal for int() with base 10: 'pony'"},
		{"1.2.3", true, "Invalid microversion: invalid version string: 1.2.3; invalid literal for int() with base 10: '2.3'"},
		{"1", true, "Invalid microversion: invalid version string: 1; Version.__new__() missing 1 required positional argument: 'minor'"},
	}
	for _, tt := range tests {
		if got := Refusal(tt.raw, tt.bad); got != tt.want {
			t.Errorf("Refusal(%q, %v) = %q, want %q", tt.raw, tt.bad, got, tt.want)
		}
	}
}

func TestNotAllowed(t *testing.T) {
	tests := []struct{ method, allow, msg, want string }{
		{"DELETE", "GET, HEAD", "The method DELETE is not allowed for this resource.", "GET"},
		{"OPTIONS", "GET, HEAD, POST", "The method OPTIONS is not allowed for this resource.", "GET, POST"},
		{"PATCH", "DELETE, GET, HEAD, PUT", "The method PATCH is not allowed for this resource.", "GET, PUT, DELETE"},
		{"GET", "POST", "The method GET is not allowed for this resource.", "POST"},
	}
	for _, tt := range tests {
		msg, allow := NotAllowed(tt.method, tt.allow)
		if msg != tt.msg || allow != tt.want {
			t.Errorf("NotAllowed(%q, %q) = %q, %q; want %q, %q", tt.method, tt.allow, msg, allow, tt.msg, tt.want)
		}
	}
}
