package tempurl

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

func TestThroughProxy(t *testing.T) {
	c := proxytest.StartWith(t, proxytest.Options{Outer: func(next http.Handler) http.Handler { return New(next, Config{}) }})
	acct := "/v1/" + proxytest.AccountA
	tok := proxytest.TokenMember
	c.Must(c.Do("PUT", acct+"/c", tok, nil, nil), 201)
	c.Must(c.Do("PUT", acct+"/c/o", tok, nil, "content"), 201)
	c.Must(c.Do("POST", acct, tok, http.Header{"X-Account-Meta-Temp-Url-Key": {"Meta"}}, nil), 204)
	// The proxy shows Temp-URL-Key metadata to owners only; a
	// middleware's metadata read is marked as the owner's (Swift's
	// get_account_info reads the backend's metadata directly).
	if !ownerVisible(c) {
		t.Fatal("a metadata subrequest does not see the account's Temp-URL-Key (middleware.MetadataContext's owner mark)")
	}
	exp := time.Now().Unix() + 1000
	url := func(method, obj string) string {
		p := acct + "/c/" + obj
		return p + "?temp_url_sig=" + Sign("sha256", method, exp, p, "Meta", "") + "&temp_url_expires=" + strconv.FormatInt(exp, 10)
	}
	resp := c.Must(c.Do("GET", url("GET", "o"), "", nil, nil), 200)
	if proxytest.Body(resp) != "content" || resp.Header.Get("Content-Disposition") == "" || resp.Header.Get("X-Trans-Id") == "" {
		t.Fatalf("GET %q %v", proxytest.Body(resp), resp.Header)
	}
	c.Must(c.Do("HEAD", url("GET", "o"), "", nil, nil), 200)
	c.Must(c.Do("PUT", url("PUT", "new"), "", nil, "fresh"), 201)
	resp = c.Must(c.Do("GET", acct+"/c/new", tok, nil, nil), 200)
	if proxytest.Body(resp) != "fresh" {
		t.Fatalf("PUT through a temp URL stored %q", proxytest.Body(resp))
	}
	c.Must(c.Do("GET", url("PUT", "o"), "", nil, nil), 401)
	c.Must(c.Do("DELETE", url("DELETE", "new"), "", nil, nil), 204)
	// A container key (-2) works for its container only.
	c.Must(c.Do("POST", acct+"/c", tok, http.Header{"X-Container-Meta-Temp-Url-Key-2": {"ckey"}}, nil), 204)
	p := acct + "/c/o"
	u := p + "?temp_url_sig=" + Sign("sha1", "GET", exp, p, "ckey", "") + "&temp_url_expires=" + strconv.FormatInt(exp, 10)
	c.Must(c.Do("GET", u, "", nil, nil), 200)
}

// ownerVisible reports whether a key lookup as the middleware makes it
// sees the account's key.
func ownerVisible(c *proxytest.Cluster) bool {
	h := New(c.Pipeline, Config{})
	keys := h.keys.get(httptestRequest(), proxytest.AccountA, "c", true)
	return len(keys) > 0
}

func httptestRequest() *http.Request { return httptest.NewRequest("GET", "/", nil) }
