package proxy_test

import (
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

func TestSymlinks(t *testing.T) {
	c := proxytest.Start(t)
	c.Must(c.Do("PUT", acctA+"/c", admin, nil, nil), 201)
	c.Must(c.Do("PUT", acctA+"/c/target", admin, h("X-Object-Meta-Kind", "real"), "payload"), 201)
	c.Must(c.Do("PUT", acctA+"/pub", admin, h("X-Container-Read", ".r:*"), nil), 201)
	run(t, c, []step{
		{name: "create link", method: "PUT", path: acctA + "/c/link", token: admin, hdr: h("X-Symlink-Target", "c/target"), status: 201},
		{name: "follow", method: "GET", path: acctA + "/c/link", token: admin, status: 200, bodyIs: "payload",
			wantHdr: map[string]string{"Content-Location": "/v1/" + proxytest.AccountA + "/c/target", "X-Object-Meta-Kind": "real"}},
		{name: "head follows", method: "HEAD", path: acctA + "/c/link", token: admin, status: 200, wantHdr: map[string]string{"Content-Length": "7"}},
		{name: "link itself", method: "GET", path: acctA + "/c/link?symlink=get", token: admin, status: 200, bodyIs: "",
			wantHdr: map[string]string{"X-Symlink-Target": "c/target", "Content-Type": "application/symlink"}},
		{name: "link with body", method: "PUT", path: acctA + "/c/l2", token: admin, body: "x", hdr: h("X-Symlink-Target", "c/target"), status: 400, bodyIs: "Symlink requests require a zero byte body"},
		{name: "bad target", method: "PUT", path: acctA + "/c/l2", token: admin, hdr: h("X-Symlink-Target", "/c/target"), status: 412,
			bodyIs: "X-Symlink-Target header must be of the form <container name>/<object name>"},
		{name: "self", method: "PUT", path: acctA + "/c/self", token: admin, hdr: h("X-Symlink-Target", "c/self"), status: 400, bodyIs: "Symlink cannot target itself"},
		{name: "dangling link", method: "PUT", path: acctA + "/c/dangling", token: admin, hdr: h("X-Symlink-Target", "c/none"), status: 201},
		{method: "GET", path: acctA + "/c/dangling", token: admin, status: 404},
		{name: "loop a", method: "PUT", path: acctA + "/c/a", token: admin, hdr: h("X-Symlink-Target", "c/b"), status: 201},
		{name: "loop b", method: "PUT", path: acctA + "/c/b", token: admin, hdr: h("X-Symlink-Target", "c/a"), status: 201},
		{name: "loop", method: "GET", path: acctA + "/c/a", token: admin, status: 409, bodyIs: "Too many levels of symbolic links, maximum allowed is 2"},
		{name: "static link", method: "PUT", path: acctA + "/c/static", token: admin, hdr: h("X-Symlink-Target", "c/target", "X-Symlink-Target-Etag", "321c3cf486ed509164edec1e1981fec8"), status: 201},
		{method: "GET", path: acctA + "/c/static", token: admin, status: 200, bodyIs: "payload"},
		{name: "static link wrong etag", method: "PUT", path: acctA + "/c/static2", token: admin, hdr: h("X-Symlink-Target", "c/target", "X-Symlink-Target-Etag", "ffff"), status: 409,
			bodyIs: "Object Etag '321c3cf486ed509164edec1e1981fec8' does not match X-Symlink-Target-Etag header 'ffff'"},
		{name: "static link to nothing", method: "PUT", path: acctA + "/c/static3", token: admin, hdr: h("X-Symlink-Target", "c/none", "X-Symlink-Target-Etag", "ffff"), status: 409, bodyIs: "X-Symlink-Target does not exist"},
		{name: "post with target", method: "POST", path: acctA + "/c/link", token: admin, hdr: h("X-Symlink-Target", "c/x"), status: 400, bodyIs: "A PUT request is required to set a symlink target"},
		{name: "public link to private target", method: "PUT", path: acctA + "/pub/link", token: admin, hdr: h("X-Symlink-Target", "c/target"), status: 201},
		{name: "target ACL applies", method: "GET", path: acctA + "/pub/link", status: 401},
	})
}
