package crossdomain

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCrossdomain(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	tests := []struct {
		cfg          Config
		method, path string
		status       int
		body         string
	}{
		{Config{}, "GET", "/crossdomain.xml", 200, "<?xml version=\"1.0\"?>\n<!DOCTYPE cross-domain-policy SYSTEM \"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd\" >\n<cross-domain-policy>\n<allow-access-from domain=\"*\" secure=\"false\" />\n</cross-domain-policy>"},
		{Config{Policy: `<allow-access-from domain="x.org" />`}, "GET", "/crossdomain.xml", 200, "<?xml version=\"1.0\"?>\n<!DOCTYPE cross-domain-policy SYSTEM \"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd\" >\n<cross-domain-policy>\n<allow-access-from domain=\"x.org\" />\n</cross-domain-policy>"},
		{Config{}, "PUT", "/crossdomain.xml", http.StatusTeapot, ""},
		{Config{}, "GET", "/v1/crossdomain.xml", http.StatusTeapot, ""},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		New(next, tt.cfg).ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
		if w.Code != tt.status || w.Body.String() != tt.body {
			t.Errorf("%s %s: %d %q", tt.method, tt.path, w.Code, w.Body.String())
		}
		if tt.status == 200 && w.Header().Get("Content-Type") != "application/xml" {
			t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
		}
	}
}
