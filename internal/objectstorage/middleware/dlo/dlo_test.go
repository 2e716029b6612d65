package dlo

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

const (
	acct = "/v1/" + proxytest.AccountA
	tok  = proxytest.TokenMember
)

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestValidManifest(t *testing.T) {
	for v, want := range map[string]bool{
		"c/p": true, "c/p/q": true, "c": false, "/p": false, "c/": false, "c//p": false, "c/p?x": false, "c/p&y": false,
	} {
		if got := validManifest(v); got != want {
			t.Errorf("validManifest(%q) = %v", v, got)
		}
	}
}

func TestDLO(t *testing.T) {
	c := proxytest.StartWith(t, proxytest.Options{Wrap: func(app http.Handler) http.Handler { return New(app) }})
	c.Must(c.Do("PUT", acct+"/segs", tok, nil, nil), 201)
	c.Must(c.Do("PUT", acct+"/c", tok, nil, nil), 201)
	for name, data := range map[string]string{"p/1": "one", "p/2": "two", "p/3": "three", "q/1": "no"} {
		c.Must(c.Do("PUT", acct+"/segs/"+name, tok, nil, data), 201)
	}
	c.Must(c.Do("PUT", acct+"/c/m", tok, http.Header{"X-Object-Manifest": {"segs/p/"}}, ""), 201)
	resp := c.Must(c.Do("GET", acct+"/c/m", tok, nil, nil), 200)
	want := `"` + md5hex(md5hex("one")+md5hex("two")+md5hex("three")) + `"`
	if body := proxytest.Body(resp); body != "onetwothree" || resp.Header.Get("Etag") != want {
		t.Fatalf("GET %q etag %s want %s", body, resp.Header.Get("Etag"), want)
	}
	resp = c.Must(c.Do("HEAD", acct+"/c/m", tok, nil, nil), 200)
	if resp.Header.Get("Content-Length") != "11" || resp.Header.Get("X-Object-Manifest") != "segs/p/" {
		t.Fatalf("HEAD %v", resp.Header)
	}
	resp = c.Must(c.Do("GET", acct+"/c/m", tok, http.Header{"Range": {"bytes=2-7"}}, nil), 206)
	if body := proxytest.Body(resp); body != "etwoth" || resp.Header.Get("Content-Range") != "bytes 2-7/11" {
		t.Fatalf("range %q %q", body, resp.Header.Get("Content-Range"))
	}
	resp = c.Must(c.Do("GET", acct+"/c/m", tok, http.Header{"Range": {"bytes=50-"}}, nil), 416)
	if resp.Header.Get("Content-Range") != "bytes */11" {
		t.Fatalf("416 %v", resp.Header)
	}
	c.Must(c.Do("GET", acct+"/c/m?multipart-manifest=get", tok, nil, nil), 200)
	resp = c.Must(c.Do("PUT", acct+"/c/bad", tok, http.Header{"X-Object-Manifest": {"nocontainer"}}, ""), 400)
	if got := proxytest.Body(resp); got != "X-Object-Manifest must be in the format container/prefix" {
		t.Fatalf("bad manifest body %q", got)
	}
	// An empty prefix listing is an empty object.
	c.Must(c.Do("PUT", acct+"/c/empty", tok, http.Header{"X-Object-Manifest": {"segs/none"}}, ""), 201)
	resp = c.Must(c.Do("GET", acct+"/c/empty", tok, nil, nil), 200)
	if body := proxytest.Body(resp); body != "" || resp.Header.Get("Etag") != `"`+md5hex("")+`"` {
		t.Fatalf("empty DLO %q %v", body, resp.Header)
	}
}
