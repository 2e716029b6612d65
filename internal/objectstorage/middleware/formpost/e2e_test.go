package formpost

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/middleware/tempurl"
	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

func TestThroughProxy(t *testing.T) {
	c := proxytest.StartWith(t, proxytest.Options{Outer: func(next http.Handler) http.Handler { return New(next, Config{}) }})
	acct := "/v1/" + proxytest.AccountA
	tok := proxytest.TokenMember
	c.Must(c.Do("PUT", acct+"/c", tok, nil, nil), 201)
	c.Must(c.Do("POST", acct, tok, http.Header{"X-Account-Meta-Temp-Url-Key": {"Meta"}}, nil), 204)
	if keys := tempurl.NewKeys(c.Pipeline, time.Second, nil).Get(httptest.NewRequest("GET", "/", nil), proxytest.AccountA, "c", true); len(keys) == 0 {
		t.Fatal("a metadata subrequest does not see the account's Temp-URL-Key (middleware.MetadataContext's owner mark)")
	}
	body, ct := form(acct+"/c/up", "", "Meta", 1000, 5, time.Now().Unix()+600, map[string]string{"f": "hello world"})
	resp := c.Must(c.Do("POST", acct+"/c/up", "", http.Header{"Content-Type": {ct}}, body), 201)
	if got := proxytest.Body(resp); got != "201 Created" {
		t.Fatalf("body %q", got)
	}
	resp = c.Must(c.Do("GET", acct+"/c/upf", tok, nil, nil), 200)
	if got := proxytest.Body(resp); got != "hello world" {
		t.Fatalf("stored %q", got)
	}
	body, ct = form(acct+"/c/up", "", "Wrong", 1000, 5, time.Now().Unix()+600, map[string]string{"f": "x"})
	resp = c.Must(c.Do("POST", acct+"/c/up", "", http.Header{"Content-Type": {ct}}, body), 401)
	if !strings.Contains(proxytest.Body(resp), "FormPost: Invalid Signature") {
		t.Fatalf("401 body %q", proxytest.Body(resp))
	}
}
