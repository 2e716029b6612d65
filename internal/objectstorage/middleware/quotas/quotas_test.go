package quotas

import (
	"net/http"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

const (
	acct = "/v1/" + proxytest.AccountA
	tok  = proxytest.TokenMember
)

func start(t *testing.T) *proxytest.Cluster {
	return proxytest.StartWith(t, proxytest.Options{Wrap: func(app http.Handler) http.Handler {
		return NewContainer(NewAccount(app, Config{}), Config{})
	}})
}

func TestContainerQuotas(t *testing.T) {
	c := start(t)
	c.Must(c.Do("PUT", acct+"/c", tok, http.Header{"X-Container-Meta-Quota-Bytes": {"10"}, "X-Container-Meta-Quota-Count": {"2"}}, nil), 201)
	c.Must(c.Do("PUT", acct+"/c/a", tok, nil, "12345"), 201)
	resp := c.Must(c.Do("PUT", acct+"/c/big", tok, nil, "123456"), 413)
	if got := proxytest.Body(resp); got != "Upload exceeds quota." {
		t.Fatalf("body %q", got)
	}
	c.Must(c.Do("PUT", acct+"/c/b", tok, nil, "12345"), 201)
	c.Must(c.Do("PUT", acct+"/c/c", tok, nil, ""), 413) // count
	c.Must(c.Do("PUT", acct+"/c/d", tok, http.Header{"X-Copy-From": {"c/a"}}, nil), 413)
	c.Must(c.Do("POST", acct+"/c", tok, http.Header{"X-Container-Meta-Quota-Count": {"10"}}, nil), 204)
	c.Must(c.Do("PUT", acct+"/c/e", tok, nil, ""), 201)

	for _, h := range []struct{ k, msg string }{
		{"X-Container-Meta-Quota-Bytes", "Invalid bytes quota."},
		{"X-Container-Meta-Quota-Count", "Invalid count quota."},
	} {
		resp := c.Must(c.Do("POST", acct+"/c", tok, http.Header{h.k: {"-1"}}, nil), 400)
		if got := proxytest.Body(resp); got != h.msg {
			t.Errorf("%s: %q", h.k, got)
		}
	}
	// No quota, no limit.
	c.Must(c.Do("PUT", acct+"/free", tok, nil, nil), 201)
	c.Must(c.Do("PUT", acct+"/free/x", tok, nil, "0123456789abc"), 201)
}

func TestAccountQuotas(t *testing.T) {
	c := start(t)
	c.Must(c.Do("PUT", acct+"/c", tok, nil, nil), 201)
	// Only a reseller admin sets the quota.
	c.Must(c.Do("POST", acct, tok, http.Header{"X-Account-Meta-Quota-Bytes": {"20"}}, nil), 403)
	c.Must(c.Do("POST", acct, tok, http.Header{"X-Account-Meta-Quota-Bytes": {""}}, nil), 403)
	c.Must(c.Do("POST", acct, proxytest.TokenReseller, http.Header{"X-Account-Meta-Quota-Bytes": {"abc"}}, nil), 400)
	c.Must(c.Do("POST", acct, proxytest.TokenReseller, http.Header{"X-Account-Meta-Quota-Bytes": {"20"}}, nil), 204)
	resp := c.Must(c.Do("HEAD", acct, tok, nil, nil), 204)
	if resp.Header.Get("X-Account-Quota-Bytes") != "20" {
		t.Errorf("HEAD quota header: %v", resp.Header)
	}
	// The account's usage is what its HEAD says (the container servers
	// report to it in the background), so the test stays below it.
	c.Must(c.Do("PUT", acct+"/c/a", tok, nil, "0123456789"), 201)
	resp = c.Must(c.Do("PUT", acct+"/c/b", tok, nil, "0123456789X0123456789"), 413)
	if got := proxytest.Body(resp); got != "Upload exceeds quota." {
		t.Fatalf("body %q", got)
	}
	// The reseller admin is not held to it.
	c.Must(c.Do("PUT", acct+"/c/b", proxytest.TokenReseller, nil, "0123456789X"), 201)
	c.Must(c.Do("POST", acct, proxytest.TokenReseller, http.Header{"X-Remove-Account-Meta-Quota-Bytes": {"x"}}, nil), 204)
	c.Must(c.Do("PUT", acct+"/c/c", tok, nil, "0123456789X"), 201)
	c.Must(c.Do("POST", acct, proxytest.TokenReseller, http.Header{"X-Account-Quota-Count": {"0"}}, nil), 204)
	c.Must(c.Do("PUT", acct+"/c/d", tok, nil, "x"), 413)
}
