package pipeline

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

// TestPipeline runs the middlewares together through the in-process
// cluster: each sees what those after it do.
func TestPipeline(t *testing.T) {
	var cfg Config
	c := proxytest.StartWith(t, proxytest.Options{Wrap: cfg.Inner, Outer: cfg.Outer})
	for name, info := range cfg.Info() {
		c.Proxy.Register(name, info)
	}
	acct := "/v1/" + proxytest.AccountA
	tok := proxytest.TokenMember

	resp := c.Must(c.Do("GET", "/healthcheck", "", nil, nil), 200)
	if proxytest.Body(resp) != "OK" || resp.Header.Get("X-Trans-Id") == "" {
		t.Fatalf("healthcheck %q %v", proxytest.Body(resp), resp.Header)
	}
	c.Must(c.Do("GET", "/crossdomain.xml", "", nil, nil), 200)
	resp = c.Must(c.Do("GET", "/info", "", nil, nil), 200)
	var info map[string]any
	if err := json.Unmarshal([]byte(proxytest.Body(resp)), &info); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"slo", "tempurl", "bulk_delete", "bulk_upload", "formpost", "staticweb", "account_quotas", "container_quotas"} {
		if _, ok := info[k]; !ok {
			t.Errorf("/info lacks %s", k)
		}
	}

	// An SLO copied into a container with a quota, then bulk deleted.
	c.Must(c.Do("PUT", acct+"/c", tok, nil, nil), 201)
	c.Must(c.Do("PUT", acct+"/c/s1", tok, nil, "0123456789"), 201)
	c.Must(c.Do("PUT", acct+"/c/m?multipart-manifest=put", tok, nil, `[{"path": "c/s1"}, {"path": "c/s1"}]`), 201)
	resp = c.Must(c.Do("GET", acct+"/c/m", tok, nil, nil), 200)
	if proxytest.Body(resp) != "01234567890123456789" {
		t.Fatalf("SLO GET %q", proxytest.Body(resp))
	}
	// A copy of the large object is its 20 bytes of content, which a
	// 15-byte quota refuses.
	c.Must(c.Do("PUT", acct+"/small", tok, http.Header{"X-Container-Meta-Quota-Bytes": {"15"}}, nil), 201)
	c.Must(c.Do("PUT", acct+"/small/copy", tok, http.Header{"X-Copy-From": {"c/m"}}, nil), 413)
	c.Must(c.Do("PUT", acct+"/d", tok, nil, nil), 201)
	c.Must(c.Do("PUT", acct+"/d/copy", tok, http.Header{"X-Copy-From": {"c/m"}}, nil), 201)
	resp = c.Must(c.Do("GET", acct+"/d/copy", tok, nil, nil), 200)
	if proxytest.Body(resp) != "01234567890123456789" || resp.Header.Get("X-Static-Large-Object") != "" {
		t.Fatalf("copy %q %v", proxytest.Body(resp), resp.Header)
	}
	resp = c.Must(c.Do("POST", acct+"?bulk-delete", tok, nil, "c/m\nc/s1\nc\nd/copy\nd\nsmall\n"), 200)
	if got := proxytest.Body(resp); !strings.Contains(got, "Number Deleted: 6\n") {
		t.Fatalf("bulk delete %q", got)
	}
}
