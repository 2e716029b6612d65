package proxy_test

import (
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

func TestCORS(t *testing.T) {
	c := proxytest.Start(t)
	c.Must(c.Do("PUT", acctA+"/web", admin, h("X-Container-Meta-Access-Control-Allow-Origin", "http://a.example http://b.example",
		"X-Container-Meta-Access-Control-Max-Age", "60", "X-Container-Meta-Access-Control-Expose-Headers", "X-Custom"), nil), 201)
	c.Must(c.Do("PUT", acctA+"/web/o", admin, nil, "x"), 201)
	run(t, c, []step{
		{name: "preflight", method: "OPTIONS", path: acctA + "/web/o", hdr: h("Origin", "http://a.example", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-auth-token"),
			status: 200, wantHdr: map[string]string{"Access-Control-Allow-Origin": "http://a.example", "Access-Control-Max-Age": "60",
				"Access-Control-Allow-Methods": "DELETE, GET, HEAD, OPTIONS, POST, PUT, COPY", "Access-Control-Allow-Headers": "x-auth-token"}},
		{name: "preflight other origin", method: "OPTIONS", path: acctA + "/web/o", hdr: h("Origin", "http://evil.example", "Access-Control-Request-Method", "GET"), status: 401},
		{name: "preflight bad method", method: "OPTIONS", path: acctA + "/web/o", hdr: h("Origin", "http://a.example", "Access-Control-Request-Method", "PATCH"), status: 401},
		{name: "actual request", method: "GET", path: acctA + "/web/o", token: admin, hdr: h("Origin", "http://b.example"), status: 200,
			wantHdr: map[string]string{"Access-Control-Allow-Origin": "http://b.example", "Vary": "Origin"}},
		{name: "no cors for other origins", method: "GET", path: acctA + "/web/o", token: admin, hdr: h("Origin", "http://evil.example"), status: 200,
			noHdr: []string{"Access-Control-Allow-Origin"}},
	})
	r := c.Do("GET", acctA+"/web/o", admin, h("Origin", "http://a.example"), nil)
	if got := r.Header.Get("Access-Control-Expose-Headers"); got != "cache-control, content-language, content-type, etag, expires, last-modified, pragma, x-custom, x-openstack-request-id, x-timestamp, x-trans-id" {
		t.Errorf("expose headers %q", got)
	}
}
