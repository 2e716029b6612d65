package proxy_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

func TestObjectServices(t *testing.T) {
	c := proxytest.Start(t)
	c.Must(c.Do("PUT", acctA+"/c", admin, nil, nil), 201)
	c.Must(c.Do("PUT", acctA+"/c2", admin, nil, nil), 201)
	o := acctA + "/c/o"
	run(t, c, []step{
		{name: "put", method: "PUT", path: o, token: admin, body: "hello world", hdr: h("X-Object-Meta-Color", "blue", "Content-Disposition", "inline"),
			status: 201, wantHdr: map[string]string{"Etag": "5eb63bbbe01eeed093cb22bb8f5acdc3", "Last-Modified": ""}},
		{name: "get", method: "GET", path: o, token: admin, status: 200, bodyIs: "hello world",
			wantHdr: map[string]string{"Etag": "5eb63bbbe01eeed093cb22bb8f5acdc3", "X-Object-Meta-Color": "blue", "Content-Disposition": "inline",
				"Accept-Ranges": "bytes", "X-Timestamp": "", "Last-Modified": "", "Content-Type": "application/octet-stream"}},
		{name: "head", method: "HEAD", path: o, token: admin, status: 200, wantHdr: map[string]string{"Content-Length": "11", "Etag": ""}},
		{name: "range", method: "GET", path: o, token: admin, hdr: h("Range", "bytes=0-4"), status: 206, bodyIs: "hello"},
		{name: "unsatisfiable range", method: "GET", path: o, token: admin, hdr: h("Range", "bytes=100-200"), status: 416},
		{name: "if-match", method: "GET", path: o, token: admin, hdr: h("If-Match", "5eb63bbbe01eeed093cb22bb8f5acdc3"), status: 200},
		{name: "if-match fails", method: "GET", path: o, token: admin, hdr: h("If-Match", "nope"), status: 412},
		{name: "if-none-match", method: "GET", path: o, token: admin, hdr: h("If-None-Match", "5eb63bbbe01eeed093cb22bb8f5acdc3"), status: 304},
		{name: "x-newest", method: "GET", path: o, token: admin, hdr: h("X-Newest", "true"), status: 200, bodyIs: "hello world"},
		{name: "if-none-match * on existing", method: "PUT", path: o, token: admin, body: "x", hdr: h("If-None-Match", "*"), status: 412},
		{name: "if-none-match etag", method: "PUT", path: o, token: admin, body: "x", hdr: h("If-None-Match", "abc"), status: 400, bodyIs: "If-None-Match only supports *"},
		{name: "wrong etag", method: "PUT", path: acctA + "/c/bad", token: admin, body: "x", hdr: h("Etag", "0123456789abcdef0123456789abcdef"), status: 422},
		{name: "chunked", method: "PUT", path: acctA + "/c/chunked", token: admin, body: strings.NewReader("streamed"), status: 201},
		{method: "GET", path: acctA + "/c/chunked", token: admin, status: 200, bodyIs: "streamed"},
		{name: "guessed type", method: "PUT", path: acctA + "/c/page.html", token: admin, body: "<p>", status: 201},
		{method: "HEAD", path: acctA + "/c/page.html", token: admin, status: 200, wantHdr: map[string]string{"Content-Type": "text/html"}},
		{name: "swift_ param", method: "PUT", path: acctA + "/c/p", token: admin, body: "x", hdr: h("Content-Type", "text/plain;swift_bytes=3"), status: 400, bodyIs: "Invalid Content-Type, swift_* is not a valid parameter name."},
		{name: "name too long", method: "PUT", path: acctA + "/c/" + strings.Repeat("o", 1025), token: admin, body: "x", status: 400, bodyIs: "Object name length of 1025 longer than 1024"},
		{name: "delete-after in past", method: "PUT", path: acctA + "/c/e", token: admin, body: "x", hdr: h("X-Delete-At", "1000"), status: 400, bodyIs: "X-Delete-At in past"},
		{name: "delete-after", method: "PUT", path: acctA + "/c/e", token: admin, body: "x", hdr: h("X-Delete-After", "1000"), status: 201},
		{method: "HEAD", path: acctA + "/c/e", token: admin, status: 200, wantHdr: map[string]string{"X-Delete-At": ""}},
		{name: "no container", method: "PUT", path: acctA + "/nope/o", token: admin, body: "x", status: 404},
		{name: "post", method: "POST", path: o, token: admin, hdr: h("X-Object-Meta-Size", "big"), status: 202},
		{name: "post replaced metadata", method: "HEAD", path: o, token: admin, status: 200, wantHdr: map[string]string{"X-Object-Meta-Size": "big"}, noHdr: []string{"X-Object-Meta-Color"}},
		{name: "post missing", method: "POST", path: acctA + "/c/missing", token: admin, status: 404},
		{name: "copy with x-copy-from", method: "PUT", path: acctA + "/c2/copy", token: admin, hdr: h("X-Copy-From", "c/o", "X-Object-Meta-Extra", "1"), status: 201,
			wantHdr: map[string]string{"X-Copied-From": "c/o", "X-Copied-From-Last-Modified": "", "X-Copied-From-Account": proxytest.AccountA, "Etag": "5eb63bbbe01eeed093cb22bb8f5acdc3"}},
		{method: "GET", path: acctA + "/c2/copy", token: admin, status: 200, bodyIs: "hello world", wantHdr: map[string]string{"X-Object-Meta-Size": "big", "X-Object-Meta-Extra": "1"}},
		{name: "copy method", method: "COPY", path: o, token: admin, hdr: h("Destination", "c2/copy2"), status: 201, wantHdr: map[string]string{"X-Copied-From": "c/o"}},
		{method: "GET", path: acctA + "/c2/copy2", token: admin, status: 200, bodyIs: "hello world"},
		{name: "fresh metadata", method: "COPY", path: o, token: admin, hdr: h("Destination", "c2/fresh", "X-Fresh-Metadata", "true"), status: 201},
		{method: "HEAD", path: acctA + "/c2/fresh", token: admin, status: 200, noHdr: []string{"X-Object-Meta-Size"}},
		{name: "copy without destination", method: "COPY", path: o, token: admin, status: 412, bodyIs: "Destination header required"},
		{name: "copy bad destination", method: "COPY", path: o, token: admin, hdr: h("Destination", "nodest"), status: 412, bodyIs: "Destination header must be of the form <container name>/<object name>"},
		{name: "copy missing source", method: "PUT", path: acctA + "/c2/x", token: admin, hdr: h("X-Copy-From", "c/none"), status: 404},
		{name: "copy with body", method: "PUT", path: acctA + "/c2/x", token: admin, body: "data", hdr: h("X-Copy-From", "c/o"), status: 400, bodyIs: "Copy requests require a zero byte body"},
		{name: "delete", method: "DELETE", path: o, token: admin, status: 204},
		{name: "get deleted", method: "GET", path: o, token: admin, status: 404},
		{name: "delete deleted", method: "DELETE", path: o, token: admin, status: 404},
		{name: "odd names", method: "PUT", path: acctA + "/c/a//b/../c%20d", token: admin, body: "x", status: 201},
		{method: "GET", path: acctA + "/c/a//b/../c%20d", token: admin, status: 200, bodyIs: "x"},
		{method: "GET", path: acctA + "/c?prefix=a/", token: admin, status: 200, bodyIs: "a//b/../c d\n"},
	})
}

func TestObjectNeedsLength(t *testing.T) {
	c := proxytest.Start(t)
	c.Must(c.Do("PUT", acctA+"/c", admin, nil, nil), 201)
	req, _ := http.NewRequest("PUT", c.URL(acctA+"/c/o"), nil)
	req.Header.Set("X-Auth-Token", admin)
	resp, err := c.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Go's client sends "Content-Length: 0" for a nil body: an empty object.
	if resp.StatusCode != 201 {
		t.Fatalf("empty PUT: %d", resp.StatusCode)
	}
}
