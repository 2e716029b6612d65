package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// oauthSigner signs requests as an OAuth 1.0a client does (RFC 5849,
// HMAC-SHA1), independently of the oauth1 package the service uses.
type oauthSigner struct {
	base                   string // http://host:port of the server
	consumerKey, consumerS string
	token, tokenS          string
	verifier, callback     string
	ts                     time.Time
	nonce                  string
}

func pct(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// header returns the Authorization header of a signed request.
func (o oauthSigner) header(method, path string) string {
	ts := o.ts
	if ts.IsZero() {
		ts = time.Now()
	}
	nonce := o.nonce
	if nonce == "" {
		nonce = strconv.FormatInt(time.Now().UnixNano(), 10)
	}
	p := map[string]string{
		"oauth_consumer_key":     o.consumerKey,
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        strconv.FormatInt(ts.Unix(), 10),
		"oauth_nonce":            nonce,
		"oauth_version":          "1.0",
	}
	if o.token != "" {
		p["oauth_token"] = o.token
	}
	if o.verifier != "" {
		p["oauth_verifier"] = o.verifier
	}
	if o.callback != "" {
		p["oauth_callback"] = o.callback
	}
	var keys []string
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, pct(k)+"="+pct(p[k]))
	}
	base := method + "&" + pct(o.base+path) + "&" + pct(strings.Join(pairs, "&"))
	m := hmac.New(sha1.New, []byte(pct(o.consumerS)+"&"+pct(o.tokenS)))
	m.Write([]byte(base))
	p["oauth_signature"] = base64.StdEncoding.EncodeToString(m.Sum(nil))
	var items []string
	for k, v := range p {
		items = append(items, fmt.Sprintf(`%s="%s"`, pct(k), pct(v)))
	}
	sort.Strings(items)
	return "OAuth " + strings.Join(items, ", ")
}

// signed sends an OAuth-signed request with extra headers and returns
// the answer.
func (c *cloud) signed(o oauthSigner, method, path string, body any, hdr ...string) *apitest.Response {
	c.t.Helper()
	hdr = append([]string{"Authorization", o.header(method, path)}, hdr...)
	return c.srv.Do(c.t, apitest.Request{Method: method, Path: path, Body: body, Header: hdr})
}

// form parses a form-encoded token answer.
func form(t *testing.T, r *apitest.Response) url.Values {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Fatalf("Content-Type %q: %s", ct, r.Body)
	}
	v, err := url.ParseQuery(string(r.Body))
	if err != nil || v.Get("oauth_token") == "" || v.Get("oauth_token_secret") == "" || v.Get("oauth_expires_at") == "" {
		t.Fatalf("token answer %q: %v", r.Body, err)
	}
	return v
}

func wantStatus(t *testing.T, what string, r *apitest.Response, status int, msg string) {
	t.Helper()
	if r.Status != status || !strings.Contains(string(r.Body), msg) {
		t.Errorf("%s: %d %s, want %d with %q", what, r.Status, r.Body, status, msg)
	}
}

// TestOAuth1Delegation runs OS-OAUTH1's flow end to end as Keystone's
// test_v3_oauth1 does: request token, authorization, access token, a
// token through the oauth1 method with only the delegated roles, the
// management of access tokens and what their deletion ends, and each
// refusal on the way.
func TestOAuth1Delegation(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	adminID := c.adminID()
	pid := str(obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "op", "domain_id": "default"}}), "project"), "id")
	role := func(name string) string {
		return str(obj(c.must(201, a, "POST", "/v3/roles", map[string]any{"role": map[string]any{"name": name}}), "role"), "id")
	}
	delegated, kept, other := role("delegated"), role("kept"), role("other")
	for _, r := range []string{delegated, kept} {
		c.must(204, a, "PUT", "/v3/projects/"+pid+"/users/"+adminID+"/roles/"+r, nil)
	}
	con := obj(c.must(201, a, "POST", "/v3/OS-OAUTH1/consumers", map[string]any{"consumer": map[string]any{"description": "app"}}), "consumer")
	ck, cs := str(con, "id"), str(con, "secret")
	base := c.srv.URL
	const rtPath = "/v3/OS-OAUTH1/request_token"
	consumer := oauthSigner{base: base, consumerKey: ck, consumerS: cs, callback: "oob"}

	// Request tokens: the refusals, then one.
	r := c.signed(oauthSigner{base: base, consumerKey: ck, consumerS: "wrong", callback: "oob"}, "POST", rtPath, nil, "Requested-Project-Id", pid)
	wantStatus(t, "bad consumer secret", r, 401, "Invalid signature")
	r = c.signed(oauthSigner{base: "http://localhost/identity_admin", consumerKey: ck, consumerS: cs, callback: "oob"}, "POST", rtPath, nil, "Requested-Project-Id", pid)
	wantStatus(t, "signed for another URL", r, 401, "Invalid signature")
	r = c.signed(oauthSigner{base: strings.Replace(base, "http:", "https:", 1), consumerKey: ck, consumerS: cs, callback: "oob"}, "POST", rtPath, nil, "Requested-Project-Id", pid)
	wantStatus(t, "signed for another scheme", r, 401, "Invalid signature")
	r = c.signed(oauthSigner{base: base, consumerKey: "0123456789abcdef0123456789abcdef", consumerS: cs, callback: "oob"}, "POST", rtPath, nil, "Requested-Project-Id", pid)
	wantStatus(t, "unknown consumer", r, 404, "consumer")
	r = c.signed(consumer, "POST", rtPath, nil, "Requested-Project-Id", "nosuchproject")
	wantStatus(t, "unknown project", r, 404, "Could not find project: nosuchproject.")
	r = c.signed(consumer, "POST", rtPath, nil)
	wantStatus(t, "no project", r, 400, "Expecting to find Requested-Project-Id in request.")
	r = c.signed(oauthSigner{base: base, consumerKey: ck, consumerS: cs}, "POST", rtPath, nil, "Requested-Project-Id", pid)
	wantStatus(t, "no callback", r, 400, "Validation failed with errors: invalid_request, detail message is: Missing callback URI..")
	r = c.signed(oauthSigner{base: base, consumerKey: ck, consumerS: cs, callback: "oob", ts: time.Now().Add(-time.Hour)}, "POST", rtPath, nil, "Requested-Project-Id", pid)
	wantStatus(t, "stale timestamp", r, 400, "Timestamp given is invalid")
	r = c.signed(oauthSigner{base: base, consumerKey: ck, consumerS: cs, callback: "oob", nonce: "not hex!"}, "POST", rtPath, nil, "Requested-Project-Id", pid)
	wantStatus(t, "nonce", r, 400, "Invalid nonce format.")
	r = c.srv.Do(t, apitest.Request{Method: "POST", Path: rtPath, Header: []string{"Requested-Project-Id", pid}})
	wantStatus(t, "no Authorization", r, 401, "No Authorization headers found")
	// As in Keystone a form body is refused before any route; a bodiless
	// request passes whatever its Content-Type.
	r = c.srv.Do(t, apitest.Request{Method: "POST", Path: rtPath, Body: "a=b", ContentType: "application/x-www-form-urlencoded",
		Header: []string{"Authorization", consumer.header("POST", rtPath), "Requested-Project-Id", pid}})
	wantStatus(t, "form body", r, 400, "Expecting to find application/json in Content-Type header.")
	r = c.signed(consumer, "POST", rtPath, nil, "Requested-Project-Id", pid, "Content-Type", "application/x-www-form-urlencoded")
	if r.Status != 201 {
		t.Fatalf("request token: %d %s", r.Status, r.Body)
	}
	rt := form(t, r)
	rtID, rtSecret := rt.Get("oauth_token"), rt.Get("oauth_token_secret")
	if exp, err := time.Parse("2006-01-02T15:04:05.000000Z", rt.Get("oauth_expires_at")); err != nil || exp.Sub(time.Now()) < 7*time.Hour {
		t.Errorf("request token expires_at %q: %v", rt.Get("oauth_expires_at"), err)
	}

	// Authorization by a user holding the roles.
	auth := "/v3/OS-OAUTH1/authorize/" + rtID
	c.do("PUT", auth, a, map[string]any{"roles": []any{map[string]any{"id": other}}}, 401)
	c.do("PUT", auth, a, map[string]any{"roles": []any{map[string]any{"name": "nosuchrole"}}}, 404)
	c.do("PUT", auth, a, map[string]any{"roles": []any{map[string]any{"id": delegated, "name": "delegated"}}}, 400)
	c.do("PUT", auth, a, map[string]any{"roles": []any{map[string]any{"bad": "x"}}}, 400)
	c.do("PUT", "/v3/OS-OAUTH1/authorize/0123456789abcdef0123456789abcdef", a, map[string]any{"roles": []any{map[string]any{"id": delegated}}}, 404)
	m, _ := c.do("PUT", auth, a, map[string]any{"roles": []any{map[string]any{"name": "delegated"}}}, 200)
	verifier := str(obj(m, "token"), "oauth_verifier")
	if len(verifier) != 8 {
		t.Fatalf("verifier %q", verifier)
	}

	// Access token.
	const atPath = "/v3/OS-OAUTH1/access_token"
	withRT := oauthSigner{base: base, consumerKey: ck, consumerS: cs, token: rtID, tokenS: rtSecret, verifier: verifier}
	bad := withRT
	bad.verifier = "ABCDEFGH"
	wantStatus(t, "bad verifier", c.signed(bad, "POST", atPath, nil), 401, "Provided verifier does not match stored verifier")
	bad = withRT
	bad.tokenS = "wrong"
	wantStatus(t, "bad request token secret", c.signed(bad, "POST", atPath, nil), 401, "Invalid signature")
	bad = withRT
	bad.verifier = ""
	wantStatus(t, "no verifier", c.signed(bad, "POST", atPath, nil), 400, "Expecting to find oauth_verifier in request.")
	r = c.signed(withRT, "POST", atPath, nil)
	if r.Status != 201 {
		t.Fatalf("access token: %d %s", r.Status, r.Body)
	}
	at := form(t, r)
	atID, atSecret := at.Get("oauth_token"), at.Get("oauth_token_secret")
	wantStatus(t, "request token used twice", c.signed(withRT, "POST", atPath, nil), 404, "request token")

	// A token through the oauth1 method: the access token's project and
	// only the delegated role, whatever scope the request names.
	withAT := oauthSigner{base: base, consumerKey: ck, consumerS: cs, token: atID, tokenS: atSecret}
	authBody := map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"oauth1"}, "oauth1": map[string]any{}},
		"scope": map[string]any{"project": map[string]any{"name": "admin", "domain": map[string]any{"id": "default"}}}}}
	r = c.signed(withAT, "POST", "/v3/auth/tokens", authBody)
	if r.Status != 201 {
		t.Fatalf("oauth1 auth: %d %s", r.Status, r.Body)
	}
	otok := r.Header.Get("X-Subject-Token")
	checkToken := func(what string, tok map[string]any) {
		t.Helper()
		if got := obj(tok, "OS-OAUTH1"); str(got, "access_token_id") != atID || str(got, "consumer_id") != ck {
			t.Errorf("%s: OS-OAUTH1 = %v", what, got)
		}
		if str(obj(tok, "project"), "id") != pid || str(obj(tok, "user"), "id") != adminID {
			t.Errorf("%s: project/user = %v %v", what, tok["project"], tok["user"])
		}
		var names []string
		for _, ro := range list(tok, "roles") {
			names = append(names, str(ro.(map[string]any), "name"))
		}
		if strings.Join(names, ",") != "delegated" {
			t.Errorf("%s: roles %v, want only delegated", what, names)
		}
		if fmt.Sprint(tok["methods"]) != "[oauth1]" {
			t.Errorf("%s: methods %v", what, tok["methods"])
		}
	}
	checkToken("issued", obj(r.JSON(), "token"))
	m, _ = c.do("GET", "/v3/auth/tokens", a, nil, 200, "X-Subject-Token", otok)
	checkToken("validated", obj(m, "token"))
	bad = withAT
	bad.tokenS = "wrong"
	wantStatus(t, "bad access secret", c.signed(bad, "POST", "/v3/auth/tokens", authBody), 401, "Could not validate the access token")
	bad = withAT
	bad.token = "0123456789abcdef0123456789abcdef"
	wantStatus(t, "unknown access token", c.signed(bad, "POST", "/v3/auth/tokens", authBody), 404, "access token")

	// The OAuth-scoped token delegates no further.
	c.do("POST", "/v3/auth/tokens", "", map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"token"}, "token": map[string]any{"id": otok}}}}, 403)
	c.do("POST", "/v3/OS-TRUST/trusts", otok, map[string]any{"trust": map[string]any{"trustor_user_id": adminID, "trustee_user_id": adminID,
		"project_id": pid, "impersonation": false, "roles": []any{map[string]any{"name": "delegated"}}}}, 403)
	c.do("POST", "/v3/users/"+adminID+"/application_credentials", otok, map[string]any{"application_credential": map[string]any{"name": "x"}}, 403)

	// Managing access tokens.
	atURL := "/v3/users/" + adminID + "/OS-OAUTH1/access_tokens/" + atID
	l := list(c.must(200, a, "GET", "/v3/users/"+adminID+"/OS-OAUTH1/access_tokens", nil), "access_tokens")
	if len(l) != 1 {
		t.Fatalf("access tokens %v", l)
	}
	got := obj(c.must(200, a, "GET", atURL, nil), "access_token")
	for k, want := range map[string]string{"id": atID, "consumer_id": ck, "project_id": pid, "authorizing_user_id": adminID} {
		if str(got, k) != want {
			t.Errorf("access token %s = %v, want %s", k, got[k], want)
		}
	}
	if _, ok := got["access_secret"]; ok || !strings.HasSuffix(str(obj(got, "links"), "roles"), atURL+"/roles") {
		t.Errorf("access token shows %v", got)
	}
	roles := list(c.must(200, a, "GET", atURL+"/roles", nil), "roles")
	if len(roles) != 1 || str(roles[0].(map[string]any), "id") != delegated {
		t.Errorf("access token roles %v", roles)
	}
	c.must(200, a, "GET", atURL+"/roles/"+delegated, nil)
	c.must(404, a, "GET", atURL+"/roles/"+kept, nil)
	c.must(404, a, "GET", "/v3/users/someoneelse/OS-OAUTH1/access_tokens/"+atID, nil)
	c.must(401, a, "DELETE", "/v3/users/someoneelse/OS-OAUTH1/access_tokens/"+atID, nil)

	// Deleting the access token ends its tokens and its use.
	c.must(204, a, "DELETE", atURL, nil)
	c.do("GET", "/v3/auth/tokens", a, nil, 404, "X-Subject-Token", otok)
	wantStatus(t, "deleted access token", c.signed(withAT, "POST", "/v3/auth/tokens", authBody), 404, "access token")

	// Deleting a consumer deletes its access tokens.
	r = c.signed(consumer, "POST", rtPath, nil, "Requested-Project-Id", pid)
	rt = form(t, r)
	m, _ = c.do("PUT", "/v3/OS-OAUTH1/authorize/"+rt.Get("oauth_token"), a, map[string]any{"roles": []any{map[string]any{"id": delegated}}}, 200)
	r = c.signed(oauthSigner{base: base, consumerKey: ck, consumerS: cs, token: rt.Get("oauth_token"), tokenS: rt.Get("oauth_token_secret"),
		verifier: str(obj(m, "token"), "oauth_verifier")}, "POST", atPath, nil)
	at = form(t, r)
	withAT = oauthSigner{base: base, consumerKey: ck, consumerS: cs, token: at.Get("oauth_token"), tokenS: at.Get("oauth_token_secret")}
	r = c.signed(withAT, "POST", "/v3/auth/tokens", authBody)
	if r.Status != 201 {
		t.Fatalf("second oauth1 auth: %d %s", r.Status, r.Body)
	}
	otok = r.Header.Get("X-Subject-Token")
	c.must(204, a, "DELETE", "/v3/OS-OAUTH1/consumers/"+ck, nil)
	if l := list(c.must(200, a, "GET", "/v3/users/"+adminID+"/OS-OAUTH1/access_tokens", nil), "access_tokens"); len(l) != 0 {
		t.Errorf("access tokens after the consumer's deletion: %v", l)
	}
	c.do("GET", "/v3/auth/tokens", a, nil, 404, "X-Subject-Token", otok)
}

// TestOAuth1Expiry: an expired request token can be neither authorized
// nor traded, and an expired access token gives no token (401 each, as
// Keystone).
func TestOAuth1Expiry(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	con := obj(c.must(201, a, "POST", "/v3/OS-OAUTH1/consumers", map[string]any{"consumer": map[string]any{}}), "consumer")
	ck, cs := str(con, "id"), str(con, "secret")
	pid := c.res.AdminProjectID
	consumer := oauthSigner{base: c.srv.URL, consumerKey: ck, consumerS: cs, callback: "oob"}
	newRT := func() url.Values {
		r := c.signed(consumer, "POST", "/v3/OS-OAUTH1/request_token", nil, "Requested-Project-Id", pid)
		return form(t, r)
	}
	age := func(table, id string) {
		t.Helper()
		if _, err := c.db.Writer().ExecContext(context.Background(), `UPDATE `+table+` SET expires_at = $1 WHERE id = $2`, time.Now().UTC().Add(-time.Minute), id); err != nil {
			t.Fatal(err)
		}
	}
	roles := map[string]any{"roles": []any{map[string]any{"name": "admin"}}}

	rt := newRT()
	age("identity_oauth_request_tokens", rt.Get("oauth_token"))
	m, _ := c.do("PUT", "/v3/OS-OAUTH1/authorize/"+rt.Get("oauth_token"), a, roles, 401)
	if msg := str(obj(m, "error"), "message"); msg != "Request token is expired" {
		t.Errorf("authorize expired: %q", msg)
	}

	rt = newRT()
	m, _ = c.do("PUT", "/v3/OS-OAUTH1/authorize/"+rt.Get("oauth_token"), a, roles, 200)
	age("identity_oauth_request_tokens", rt.Get("oauth_token"))
	withRT := oauthSigner{base: c.srv.URL, consumerKey: ck, consumerS: cs, token: rt.Get("oauth_token"), tokenS: rt.Get("oauth_token_secret"),
		verifier: str(obj(m, "token"), "oauth_verifier")}
	wantStatus(t, "trade expired", c.signed(withRT, "POST", "/v3/OS-OAUTH1/access_token", nil), 401, "Request token is expired")

	rt = newRT()
	m, _ = c.do("PUT", "/v3/OS-OAUTH1/authorize/"+rt.Get("oauth_token"), a, roles, 200)
	withRT.token, withRT.tokenS, withRT.verifier = rt.Get("oauth_token"), rt.Get("oauth_token_secret"), str(obj(m, "token"), "oauth_verifier")
	at := form(t, c.signed(withRT, "POST", "/v3/OS-OAUTH1/access_token", nil))
	age("identity_oauth_access_tokens", at.Get("oauth_token"))
	withAT := oauthSigner{base: c.srv.URL, consumerKey: ck, consumerS: cs, token: at.Get("oauth_token"), tokenS: at.Get("oauth_token_secret")}
	body := map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"oauth1"}, "oauth1": map[string]any{}}}}
	wantStatus(t, "auth expired", c.signed(withAT, "POST", "/v3/auth/tokens", body), http.StatusUnauthorized, "Access token is expired")
}
