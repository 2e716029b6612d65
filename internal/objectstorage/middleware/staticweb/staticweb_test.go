package staticweb

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
)

const (
	acct = "/v1/" + proxytest.AccountA
	tok  = proxytest.TokenMember
)

func TestHumanReadable(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 1023: "1023", 1024: "1Ki", 1536: "2Ki", 2560: "2Ki", 5 << 20: "5Mi"} {
		if got := humanReadable(n); got != want {
			t.Errorf("humanReadable(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestSite(t *testing.T) {
	c := proxytest.StartWith(t, proxytest.Options{Outer: func(next http.Handler) http.Handler { return New(next, Config{}) }})
	c.Client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Must(c.Do("PUT", acct+"/site", tok, http.Header{"X-Container-Read": {".r:*,.rlistings"}}, nil), 201)
	c.Must(c.Do("PUT", acct+"/site/index.html", tok, nil, "<h1>home</h1>"), 201)
	c.Must(c.Do("PUT", acct+"/site/docs/a.txt", tok, nil, "A"), 201)
	c.Must(c.Do("PUT", acct+"/site/404error.html", tok, nil, "custom not found"), 201)

	// Without web settings, anonymous reads are the proxy's.
	resp := c.Must(c.Do("GET", acct+"/site/", "", nil, nil), 200)
	if body := proxytest.Body(resp); !strings.Contains(body, "index.html") {
		t.Fatalf("plain listing %q", body)
	}

	c.Must(c.Do("POST", acct+"/site", tok, http.Header{"X-Container-Meta-Web-Index": {"index.html"}}, nil), 204)
	resp = c.Must(c.Do("GET", acct+"/site", "", nil, nil), 301)
	if loc := resp.Header.Get("Location"); !strings.HasSuffix(loc, acct+"/site/") {
		t.Fatalf("Location %q", loc)
	}
	resp = c.Must(c.Do("GET", acct+"/site/", "", nil, nil), 200)
	if body := proxytest.Body(resp); body != "<h1>home</h1>" {
		t.Fatalf("index %q", body)
	}
	// An authenticated user gets the API, unless in web mode.
	resp = c.Must(c.Do("GET", acct+"/site/", tok, nil, nil), 200)
	if body := proxytest.Body(resp); !strings.Contains(body, "docs/a.txt") {
		t.Fatalf("API listing for a token %q", body)
	}
	resp = c.Must(c.Do("GET", acct+"/site/", tok, http.Header{"X-Web-Mode": {"true"}}, nil), 200)
	if body := proxytest.Body(resp); body != "<h1>home</h1>" {
		t.Fatalf("web mode %q", body)
	}

	c.Must(c.Do("POST", acct+"/site", tok, http.Header{
		"X-Container-Meta-Web-Index": {""}, "X-Container-Meta-Web-Listings": {"true"},
		"X-Container-Meta-Web-Listings-Css": {"listings.css"}, "X-Container-Meta-Web-Error": {"error.html"},
	}, nil), 204)
	resp = c.Must(c.Do("GET", acct+"/site/", "", nil, nil), 200)
	body := proxytest.Body(resp)
	for _, want := range []string{
		"<title>Listing of " + acct + "/site/</title>",
		`<link rel="stylesheet" type="text/css" href="listings.css" />`,
		`<tr class="item subdir">` + "\n" + `    <td class="colname"><a href="./docs/">docs/</a></td>`,
		`<a href="./index%2Ehtml">index.html</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("listing lacks %q:\n%s", want, body)
		}
	}
	if resp.Header.Get("Content-Type") != "text/html; charset=UTF-8" {
		t.Errorf("listing Content-Type %q", resp.Header.Get("Content-Type"))
	}
	resp = c.Must(c.Do("GET", acct+"/site/docs/", "", nil, nil), 200)
	if body := proxytest.Body(resp); !strings.Contains(body, `<a href="./a%2Etxt">a.txt</a>`) || !strings.Contains(body, `href="../listings.css"`) || !strings.Contains(body, `<a href="../">../</a>`) {
		t.Errorf("sub listing:\n%s", body)
	}
	c.Must(c.Do("GET", acct+"/site/docs", "", nil, nil), 301)
	resp = c.Must(c.Do("GET", acct+"/site/nothing", "", nil, nil), 404)
	if body := proxytest.Body(resp); body != "custom not found" {
		t.Errorf("error page %q", body)
	}
	resp = c.Must(c.Do("GET", acct+"/site/docs/a.txt", "", nil, nil), 200)
	if proxytest.Body(resp) != "A" {
		t.Errorf("object through staticweb %q", proxytest.Body(resp))
	}
}

func TestPrivateContainer(t *testing.T) {
	c := proxytest.StartWith(t, proxytest.Options{Outer: func(next http.Handler) http.Handler { return New(next, Config{}) }})
	c.Must(c.Do("PUT", acct+"/priv", tok, http.Header{"X-Container-Meta-Web-Listings": {"true"}}, nil), 201)
	c.Must(c.Do("PUT", acct+"/priv/o", tok, nil, "secret"), 201)
	resp := c.Do("GET", acct+"/priv/", "", nil, nil)
	if resp.StatusCode != 401 || strings.Contains(proxytest.Body(resp), "o") && strings.Contains(proxytest.Body(resp), "Listing") {
		t.Fatalf("private listing: %d %q", resp.StatusCode, proxytest.Body(resp))
	}
	c.Must(c.Do("GET", acct+"/priv/o", "", nil, nil), 401)
}
