package proxy_test

import (
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

// TestListings checks that the listing parameters and formats reach the
// servers and come back as Swift renders them.
func TestListings(t *testing.T) {
	c := proxytest.Start(t)
	c.Must(c.Do("PUT", acctA+"/c", admin, nil, nil), 201)
	for _, o := range []string{"a/1", "a/2", "b", "c"} {
		c.Must(c.Do("PUT", acctA+"/c/"+o, admin, nil, "x"), 201)
	}
	run(t, c, []step{
		{name: "limit too big", method: "GET", path: acctA + "/c?limit=10001", token: admin, status: 412, bodyIs: "Maximum limit is 10000"},
		{name: "account limit too big", method: "GET", path: acctA + "?limit=10001", token: admin, status: 412, bodyIs: "Maximum limit is 10000"},
		{name: "delimiter", method: "GET", path: acctA + "/c?delimiter=/", token: admin, status: 200, bodyIs: "a/\nb\nc\n"},
		{name: "prefix", method: "GET", path: acctA + "/c?prefix=a/", token: admin, status: 200, bodyIs: "a/1\na/2\n"},
		{name: "end_marker", method: "GET", path: acctA + "/c?end_marker=b", token: admin, status: 200, bodyIs: "a/1\na/2\n"},
		{name: "reverse", method: "GET", path: acctA + "/c?reverse=on", token: admin, status: 200, bodyIs: "c\nb\na/2\na/1\n"},
		{name: "path", method: "GET", path: acctA + "/c?path=a", token: admin, status: 200, bodyIs: "a/1\na/2\n"},
		{name: "xml", method: "GET", path: acctA + "/c?format=xml&limit=1", token: admin, status: 200, bodyHas: `<container name="c"><object><name>a/1</name>`},
		{name: "accept json", method: "GET", path: acctA, token: admin, hdr: h("Accept", "application/json"), status: 200, bodyHas: `"name": "c"`,
			wantHdr: map[string]string{"Content-Type": "application/json; charset=utf-8"}},
		{name: "account head policy stats", method: "HEAD", path: acctA, token: admin, status: 204,
			wantHdr: map[string]string{"X-Account-Storage-Policy-Policy-0-Container-Count": "1", "X-Account-Object-Count": ""}},
	})
}
