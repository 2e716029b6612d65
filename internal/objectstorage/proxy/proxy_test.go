package proxy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

const (
	admin    = proxytest.TokenAdmin
	member   = proxytest.TokenMember
	reader   = proxytest.TokenReader
	other    = proxytest.TokenOther
	reseller = proxytest.TokenReseller
	acctA    = "/v1/" + proxytest.AccountA
	acctB    = "/v1/" + proxytest.AccountB
)

// step is one request of a scenario and what its answer must hold.
type step struct {
	name                string
	method, path, token string
	hdr                 http.Header
	body                any
	status              int
	wantHdr             map[string]string // "" means the header must be present
	noHdr               []string
	bodyHas, bodyIs     string
}

func run(t *testing.T, c *proxytest.Cluster, steps []step) {
	t.Helper()
	for _, s := range steps {
		resp := c.Do(s.method, s.path, s.token, s.hdr, s.body)
		body := proxytest.Body(resp)
		name := s.name
		if name == "" {
			name = s.method + " " + s.path
		}
		if resp.StatusCode != s.status {
			t.Errorf("%s: status %d, want %d (body %q)", name, resp.StatusCode, s.status, body)
			continue
		}
		for k, v := range s.wantHdr {
			got, ok := resp.Header[http.CanonicalHeaderKey(k)]
			switch {
			case !ok:
				t.Errorf("%s: no %s header (headers %v)", name, k, resp.Header)
			case v != "" && got[0] != v:
				t.Errorf("%s: %s = %q, want %q", name, k, got[0], v)
			}
		}
		for _, k := range s.noHdr {
			if v := resp.Header.Get(k); v != "" {
				t.Errorf("%s: unexpected %s: %q", name, k, v)
			}
		}
		if s.bodyHas != "" && !strings.Contains(body, s.bodyHas) {
			t.Errorf("%s: body %q lacks %q", name, body, s.bodyHas)
		}
		if s.bodyIs != "" && body != s.bodyIs {
			t.Errorf("%s: body %q, want %q", name, body, s.bodyIs)
		}
		// Every Swift answer carries the transaction id twice, a
		// Content-Type, and (but for 204) a length.
		if resp.Header.Get("X-Trans-Id") == "" || resp.Header.Get("X-Trans-Id") != resp.Header.Get("X-Openstack-Request-Id") {
			t.Errorf("%s: trans id headers %q / %q", name, resp.Header.Get("X-Trans-Id"), resp.Header.Get("X-Openstack-Request-Id"))
		}
		if resp.Header.Get("Content-Type") == "" && resp.StatusCode != 304 {
			t.Errorf("%s: no Content-Type", name)
		}
		if resp.StatusCode != 204 && resp.StatusCode != 304 && resp.Header.Get("Content-Length") == "" && len(resp.TransferEncoding) == 0 {
			t.Errorf("%s: neither Content-Length nor Transfer-Encoding", name)
		}
	}
}

func h(kv ...string) http.Header {
	out := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func TestPaths(t *testing.T) {
	c := proxytest.Start(t)
	run(t, c, []step{
		{name: "no account", method: "GET", path: "/v1/", token: admin, status: 412, bodyIs: "Bad URL"},
		{name: "version only", method: "GET", path: "/v1", token: admin, status: 412, bodyIs: "Bad URL"},
		{name: "bad version", method: "GET", path: "/v2/" + proxytest.AccountA, token: admin, status: 400},
		{name: "root", method: "GET", path: "/", token: admin, status: 404},
		{name: "empty container", method: "GET", path: acctA + "//o", token: admin, status: 404},
		{name: "bad utf8", method: "GET", path: acctA + "/c%ff", token: admin, status: 412, bodyIs: "Invalid UTF8 or contains NULL"},
		{name: "nul", method: "GET", path: acctA + "/c%00", token: admin, status: 412},
		{name: "account method", method: "PUT", path: acctA, token: admin, status: 405, wantHdr: map[string]string{"Allow": "GET, HEAD, OPTIONS, POST"}},
		{name: "object method", method: "PATCH", path: acctA + "/c/o", token: admin, status: 405, wantHdr: map[string]string{"Allow": "DELETE, GET, HEAD, OPTIONS, POST, PUT"}},
		{name: "info", method: "GET", path: "/info", status: 200, bodyHas: `"max_file_size":5368709122`, wantHdr: map[string]string{"Content-Type": "application/json; charset=UTF-8"}},
		{name: "info sig without key", method: "GET", path: "/info?swiftinfo_sig=x&swiftinfo_expires=99999999999", status: 403},
		{name: "options", method: "OPTIONS", path: acctA + "/c", status: 200, wantHdr: map[string]string{"Allow": "DELETE, GET, HEAD, OPTIONS, POST, PUT"}},
	})
}

func TestInfoRegister(t *testing.T) {
	c := proxytest.Start(t)
	c.Proxy.Register("tempurl", map[string]any{"methods": []string{"GET"}})
	resp := c.Must(c.Do("GET", "/info", "", nil, nil), 200)
	var info map[string]map[string]any
	if err := json.Unmarshal([]byte(proxytest.Body(resp)), &info); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"swift", "tempurl", "symlink", "versioned_writes"} {
		if info[k] == nil {
			t.Errorf("/info lacks %q: %v", k, info)
		}
	}
	if info["swift"]["account_autocreate"] != true || info["swift"]["version"] != "2.30.0" {
		t.Errorf("swift section %v", info["swift"])
	}
}

func TestAccountServices(t *testing.T) {
	c := proxytest.Start(t)
	long := strings.Repeat("k", 129)
	run(t, c, []step{
		{name: "head before any container (autocreate view)", method: "HEAD", path: acctA, token: admin, status: 204,
			wantHdr: map[string]string{"X-Account-Container-Count": "0", "X-Account-Object-Count": "0", "X-Account-Bytes-Used": "0", "X-Timestamp": ""}},
		{name: "empty json listing", method: "GET", path: acctA + "?format=json", token: admin, status: 200, bodyIs: "[]"},
		{name: "empty plain listing", method: "GET", path: acctA, token: admin, status: 204},
		{name: "empty xml listing", method: "GET", path: acctA, token: admin, hdr: h("Accept", "application/xml"), status: 200,
			bodyIs: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<account name=\"" + proxytest.AccountA + "\">\n</account>"},
		{method: "PUT", path: acctA + "/c1", token: admin, status: 201},
		{method: "PUT", path: acctA + "/c2", token: member, status: 201},
		{name: "listing", method: "GET", path: acctA, token: admin, status: 200, bodyIs: "c1\nc2\n"},
		{name: "listing limit", method: "GET", path: acctA + "?limit=1", token: admin, status: 200, bodyIs: "c1\n"},
		{name: "listing marker", method: "GET", path: acctA + "?marker=c1", token: admin, status: 200, bodyIs: "c2\n"},
		{name: "head counts", method: "HEAD", path: acctA, token: admin, status: 204, wantHdr: map[string]string{"X-Account-Container-Count": "2"}},
		{name: "set metadata", method: "POST", path: acctA, token: admin, hdr: h("X-Account-Meta-Color", "blue"), status: 204},
		{method: "HEAD", path: acctA, token: admin, status: 204, wantHdr: map[string]string{"X-Account-Meta-Color": "blue"}},
		{name: "remove metadata", method: "POST", path: acctA, token: admin, hdr: h("X-Remove-Account-Meta-Color", "x"), status: 204},
		{method: "HEAD", path: acctA, token: admin, status: 204, noHdr: []string{"X-Account-Meta-Color"}},
		{name: "meta name too long", method: "POST", path: acctA, token: admin, hdr: h("X-Account-Meta-"+long, "v"), status: 400, bodyHas: "Metadata name too long"},
		{name: "member may not delete its account", method: "DELETE", path: acctA, token: member, status: 405},
		{name: "other project", method: "GET", path: acctA, token: other, status: 403},
		{name: "reader without ACL", method: "GET", path: acctA, token: reader, status: 403},
		{name: "anonymous", method: "GET", path: acctA, status: 401, bodyHas: "Unauthorized"},
		{name: "bad token", method: "GET", path: acctA, token: "nope", status: 401},
		{name: "reseller reads any account", method: "GET", path: acctA, token: reseller, status: 200},
		{name: "post autocreates", method: "POST", path: acctB, token: other, hdr: h("X-Account-Meta-A", "1"), status: 204},
		{method: "HEAD", path: acctB, token: other, status: 204, wantHdr: map[string]string{"X-Account-Meta-A": "1"}},
	})
}

func TestContainerServices(t *testing.T) {
	c := proxytest.Start(t)
	run(t, c, []step{
		{name: "create", method: "PUT", path: acctA + "/c", token: admin, status: 201},
		{name: "create again", method: "PUT", path: acctA + "/c", token: admin, status: 202},
		{name: "name too long", method: "PUT", path: acctA + "/" + strings.Repeat("c", 257), token: admin, status: 400, bodyIs: "Container name length of 257 longer than 256"},
		{name: "meta value too long", method: "PUT", path: acctA + "/c", token: admin, hdr: h("X-Container-Meta-K", strings.Repeat("v", 257)), status: 400, bodyHas: "Metadata value longer than 256"},
		{name: "bad policy", method: "PUT", path: acctA + "/p", token: admin, hdr: h("X-Storage-Policy", "gold"), status: 400, bodyIs: "Invalid X-Storage-Policy 'gold'"},
		{name: "policy", method: "PUT", path: acctA + "/p", token: admin, hdr: h("X-Storage-Policy", "Policy-0"), status: 201},
		{name: "head", method: "HEAD", path: acctA + "/c", token: admin, status: 204,
			wantHdr: map[string]string{"X-Container-Object-Count": "0", "X-Container-Bytes-Used": "0", "X-Storage-Policy": "Policy-0", "X-Timestamp": ""}},
		{name: "post meta", method: "POST", path: acctA + "/c", token: admin, hdr: h("X-Container-Meta-Color", "red"), status: 204},
		{method: "HEAD", path: acctA + "/c", token: admin, status: 204, wantHdr: map[string]string{"X-Container-Meta-Color": "red"}},
		// WSGI folds "_" into "-" in header names, and Swift shows them so.
		{name: "underscore meta", method: "POST", path: acctA + "/c", token: admin, hdr: h("X-Container-Meta-test_container_meta", "Meta1"), status: 204},
		{method: "HEAD", path: acctA + "/c", token: admin, status: 204, wantHdr: map[string]string{"X-Container-Meta-Test-Container-Meta": "Meta1"}},
		{name: "head missing", method: "HEAD", path: acctA + "/missing", token: admin, status: 404},
		{name: "post missing", method: "POST", path: acctA + "/missing", token: admin, status: 404},
		{name: "delete missing", method: "DELETE", path: acctA + "/missing", token: admin, status: 404},
		{name: "list missing", method: "GET", path: acctA + "/missing", token: admin, status: 404},
		{method: "PUT", path: acctA + "/c/o", token: admin, body: "x", status: 201},
		{name: "delete non-empty", method: "DELETE", path: acctA + "/c", token: admin, status: 409, bodyHas: "There was a conflict when trying to complete your request."},
		{name: "listing", method: "GET", path: acctA + "/c", token: admin, status: 200, bodyIs: "o\n"},
		{name: "json listing", method: "GET", path: acctA + "/c?format=json", token: admin, status: 200, bodyHas: `"name": "o"`},
		{method: "DELETE", path: acctA + "/c/o", token: admin, status: 204},
		{name: "delete", method: "DELETE", path: acctA + "/c", token: admin, status: 204},
		{name: "gone", method: "GET", path: acctA + "/c", token: admin, status: 404},
		{name: "other project may not create", method: "PUT", path: acctA + "/x", token: other, status: 403},
		{name: "reader may not create", method: "PUT", path: acctA + "/x", token: reader, status: 403},
	})
}
