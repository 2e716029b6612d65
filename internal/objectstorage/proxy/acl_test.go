package proxy_test

import (
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

// TestContainerACL follows Tempest's test_container_acl(_negative).
func TestContainerACL(t *testing.T) {
	c := proxytest.Start(t)
	c.Must(c.Do("PUT", acctA+"/pub", admin, h("X-Container-Read", ".r:*"), nil), 201)
	c.Must(c.Do("PUT", acctA+"/pub/o", admin, nil, "data"), 201)
	c.Must(c.Do("PUT", acctA+"/priv", admin, nil, nil), 201)
	c.Must(c.Do("PUT", acctA+"/priv/o", admin, nil, "data"), 201)
	c.Must(c.Do("PUT", acctA+"/shared", admin, h("X-Container-Read", proxytest.ProjectB+":*", "X-Container-Write", proxytest.ProjectB+":*"), nil), 201)
	c.Must(c.Do("PUT", acctA+"/shared/o", admin, nil, "data"), 201)
	run(t, c, []step{
		{name: "anonymous reads public object", method: "GET", path: acctA + "/pub/o", status: 200, bodyIs: "data"},
		{name: "anonymous may not list without .rlistings", method: "GET", path: acctA + "/pub", status: 401},
		{name: "anonymous may not write", method: "PUT", path: acctA + "/pub/x", body: "x", status: 401},
		{name: "anonymous may not delete", method: "DELETE", path: acctA + "/pub/o", status: 401},
		{name: "anonymous private read", method: "GET", path: acctA + "/priv/o", status: 401},
		{name: "other project private read", method: "GET", path: acctA + "/priv/o", token: other, status: 403},
		{name: "other project private write", method: "PUT", path: acctA + "/priv/x", token: other, body: "x", status: 403},
		{name: "other project private delete", method: "DELETE", path: acctA + "/priv/o", token: other, status: 403},
		{name: "reader private read", method: "GET", path: acctA + "/priv/o", token: reader, status: 403},
		{name: "other project shared read", method: "GET", path: acctA + "/shared/o", token: other, status: 200, bodyIs: "data"},
		{name: "other project shared list", method: "GET", path: acctA + "/shared", token: other, status: 200, bodyIs: "o\n"},
		{name: "other project shared write", method: "PUT", path: acctA + "/shared/x", token: other, body: "x", status: 201},
		{name: "non-owner does not see ACLs", method: "HEAD", path: acctA + "/shared", token: other, status: 204, noHdr: []string{"X-Container-Read", "X-Container-Write"}},
		{name: "owner sees ACLs", method: "HEAD", path: acctA + "/shared", token: admin, status: 204, wantHdr: map[string]string{"X-Container-Read": proxytest.ProjectB + ":*"}},
		{name: "other project may not change the container", method: "POST", path: acctA + "/shared", token: other, hdr: h("X-Container-Read", ".r:*"), status: 403},
		{name: "listings by .rlistings", method: "POST", path: acctA + "/pub", token: admin, hdr: h("X-Container-Read", ".r:*,.rlistings"), status: 204},
		{method: "GET", path: acctA + "/pub", status: 200, bodyIs: "o\n"},
		{name: "referrer denied", method: "POST", path: acctA + "/pub", token: admin, hdr: h("X-Container-Read", ".r:.example.com,.r:-bad.example.com"), status: 204},
		{method: "GET", path: acctA + "/pub/o", hdr: h("Referer", "http://www.example.com/x"), status: 200},
		{method: "GET", path: acctA + "/pub/o", hdr: h("Referer", "http://bad.example.com/x"), status: 401},
		{method: "GET", path: acctA + "/pub/o", status: 401},
		{name: "bad acl", method: "POST", path: acctA + "/pub", token: admin, hdr: h("X-Container-Read", ".x:y"), status: 400, bodyIs: "Unknown designator '.x' in ACL: '.x:y'"},
		{name: "referrer in write acl", method: "POST", path: acctA + "/pub", token: admin, hdr: h("X-Container-Write", ".r:*"), status: 400, bodyIs: "Referrers not allowed in write ACL: '.r:*'"},
		{name: "remove read acl", method: "POST", path: acctA + "/pub", token: admin, hdr: h("X-Remove-Container-Read", "x"), status: 204},
		{method: "GET", path: acctA + "/pub/o", status: 401},
		{name: "write-only acl", method: "POST", path: acctA + "/priv", token: admin, hdr: h("X-Container-Write", proxytest.ProjectB+":*"), status: 204},
		{method: "PUT", path: acctA + "/priv/y", token: other, body: "y", status: 201},
		{method: "GET", path: acctA + "/priv/y", token: other, status: 403},
		{name: "reseller writes anywhere", method: "PUT", path: acctA + "/priv/z", token: reseller, body: "z", status: 201},
	})
}

func TestVersioning(t *testing.T) {
	c := proxytest.Start(t)
	c.Must(c.Do("PUT", acctA+"/versions", admin, nil, nil), 201)
	run(t, c, []step{
		{name: "enable", method: "PUT", path: acctA + "/docs", token: admin, hdr: h("X-Versions-Location", "versions"), status: 201},
		{method: "HEAD", path: acctA + "/docs", token: admin, status: 204, wantHdr: map[string]string{"X-Versions-Location": "versions"}},
		{name: "both", method: "POST", path: acctA + "/docs", token: admin, hdr: h("X-Versions-Location", "a", "X-History-Location", "b"), status: 400,
			bodyIs: "Only one of X-Versions-Location or X-History-Location may be specified"},
		{method: "PUT", path: acctA + "/docs/o", token: admin, body: "v1", status: 201},
		{method: "PUT", path: acctA + "/docs/o", token: admin, body: "v2", status: 201},
		{method: "PUT", path: acctA + "/docs/o", token: admin, body: "v3", status: 201},
		{name: "two old versions", method: "GET", path: acctA + "/versions?prefix=001o/&format=json", token: admin, status: 200, bodyHas: `"name": "001o/`},
		{method: "GET", path: acctA + "/docs/o", token: admin, status: 200, bodyIs: "v3"},
		{name: "delete restores v2", method: "DELETE", path: acctA + "/docs/o", token: admin, status: 204},
		{method: "GET", path: acctA + "/docs/o", token: admin, status: 200, bodyIs: "v2"},
		{method: "DELETE", path: acctA + "/docs/o", token: admin, status: 204},
		{method: "GET", path: acctA + "/docs/o", token: admin, status: 200, bodyIs: "v1"},
		{method: "DELETE", path: acctA + "/docs/o", token: admin, status: 204},
		{method: "GET", path: acctA + "/docs/o", token: admin, status: 404},
		{name: "versions empty", method: "GET", path: acctA + "/versions", token: admin, status: 204},
		{name: "history mode", method: "POST", path: acctA + "/docs", token: admin, hdr: h("X-History-Location", "versions"), status: 204},
		{method: "HEAD", path: acctA + "/docs", token: admin, status: 204, wantHdr: map[string]string{"X-History-Location": "versions"}, noHdr: []string{"X-Versions-Location"}},
		{method: "PUT", path: acctA + "/docs/h", token: admin, body: "h1", status: 201},
		{method: "DELETE", path: acctA + "/docs/h", token: admin, status: 204},
		{method: "GET", path: acctA + "/docs/h", token: admin, status: 404},
		{name: "history keeps the version and a marker", method: "GET", path: acctA + "/versions?format=json", token: admin, status: 200, bodyHas: "application/x-deleted;swift_versions_deleted=1"},
		{name: "other project cannot write through versioning", method: "PUT", path: acctA + "/docs/h", token: other, body: "x", status: 403},
		{name: "disable", method: "POST", path: acctA + "/docs", token: admin, hdr: h("X-Remove-History-Location", "x"), status: 204},
		{method: "HEAD", path: acctA + "/docs", token: admin, status: 204, noHdr: []string{"X-History-Location", "X-Versions-Location"}},
	})
}
