package oauth1

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSignRFC5849 checks the signer against the example of RFC 5849
// section 1.2 (HMAC-SHA1), with the query in the base string.
func TestSignRFC5849(t *testing.T) {
	p := map[string]string{"oauth_consumer_key": "dpf43f3p2l4k3l03", "oauth_token": "nnch734d00sl2jdk", "oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp": "1191242096", "oauth_nonce": "kllo9940pd9333jh", "oauth_version": "1.0", "realm": "Photos"}
	got, err := sign("GET", "http://photos.example.net/photos?file=vacation.jpg&size=original", p, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00")
	if err != nil || got != "tR3+Ty81lMeYAr/Fid0kMTYa/WM=" {
		t.Errorf("signature %q, %v", got, err)
	}
	// A default port is not part of the base string URI.
	got2, _ := sign("GET", "http://photos.example.net:80/photos?size=original&file=vacation.jpg", p, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00")
	if got2 != got {
		t.Errorf("with :80 %q", got2)
	}
}

func TestCheckMandatory(t *testing.T) {
	now := time.Unix(1700000000, 0)
	good := func() params {
		return params{"oauth_signature": "s", "oauth_consumer_key": "0123456789abcdef0123456789abcdef", "oauth_nonce": "123",
			"oauth_timestamp": "1700000000", "oauth_signature_method": "HMAC-SHA1", "oauth_version": "1.0"}
	}
	cases := []struct {
		name string
		edit func(params)
		want string
	}{
		{"good", func(params) {}, ""},
		{"no nonce", func(p params) { delete(p, "oauth_nonce") }, "Missing mandatory OAuth parameters."},
		{"rsa", func(p params) { p["oauth_signature_method"] = "RSA-SHA1" }, "invalid_signature_method"},
		{"version", func(p params) { p["oauth_version"] = "2.0" }, "Invalid OAuth version."},
		{"short timestamp", func(p params) { p["oauth_timestamp"] = "17" }, "Invalid timestamp size"},
		{"timestamp text", func(p params) { p["oauth_timestamp"] = "17000000xx" }, "Timestamp must be an integer."},
		{"old", func(p params) { p["oauth_timestamp"] = "1699999000" }, "differ from allowed by over 600 seconds"},
		{"future", func(p params) { p["oauth_timestamp"] = "1700001000" }, "differ from allowed by over 600 seconds"},
		{"client key", func(p params) { p["oauth_consumer_key"] = "UPPER" }, "Invalid client key format."},
		{"nonce", func(p params) { p["oauth_nonce"] = "xyz" }, "Invalid nonce format."},
	}
	for _, c := range cases {
		p := good()
		c.edit(p)
		err := checkMandatory(p, now)
		if (c.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestParseAuthorization(t *testing.T) {
	p, err := parseAuthorization(`OAuth realm="", oauth_nonce="123", oauth_callback="oob", oauth_signature="a%2Bb%3D"`)
	if err != nil || p["oauth_signature"] != "a+b=" || p["oauth_callback"] != "oob" || p["realm"] != "" {
		t.Errorf("%v, %v", p, err)
	}
	for _, h := range []string{`Basic abc`, `OAuth a="1", a="2"`, `OAuth novalue`} {
		if _, err := parseAuthorization(h); err == nil {
			t.Errorf("%q parsed", h)
		}
	}
}

// TestOAuthlibCrossCheck signs requests with Python's oauthlib (what
// keystoneauth and OpenStackClient sign with), when /usr/bin/python3 has
// it, and checks that the header it makes parses and verifies here, and
// that a wrong secret does not.
func TestOAuthlibCrossCheck(t *testing.T) {
	if exec.Command("/usr/bin/python3", "-c", "import oauthlib").Run() != nil {
		t.Skip("no oauthlib for /usr/bin/python3")
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	cases := []struct {
		name, method, url, token, tokenSecret, verifier, callback, sigMethod string
	}{
		{"request token", "POST", "http://127.0.0.1:35357/v3/OS-OAUTH1/request_token", "", "", "", "oob", "HMAC-SHA1"},
		{"access token", "POST", "http://example.org:5000/v3/OS-OAUTH1/access_token", "fedcba9876543210fedcba9876543210", "s3cr~t sp@ce", "ABCD2345", "", "HMAC-SHA1"},
		{"auth", "POST", "https://keystone.example.org/identity/v3/auth/tokens?nocatalog", "fedcba9876543210fedcba9876543210", "ts", "", "", "HMAC-SHA256"},
		{"plaintext", "POST", "http://h/v3/auth/tokens", "fedcba9876543210fedcba9876543210", "ts", "", "", "PLAINTEXT"},
	}
	const ck, cs = "0123456789abcdef0123456789abcdef", "consumer+secret/=&"
	for _, c := range cases {
		script := `
import sys
from oauthlib import oauth1
a = sys.argv[1:]
kw = dict(client_secret=a[1], signature_method=a[8], nonce='1234567890', timestamp=a[7])
if a[2]: kw.update(resource_owner_key=a[2], resource_owner_secret=a[3])
if a[4]: kw['verifier'] = a[4]
if a[5]: kw['callback_uri'] = a[5]
c = oauth1.Client(a[0], **kw)
_, h, _ = c.sign(a[6], http_method='POST')
print(h['Authorization'])
`
		out, err := exec.Command("/usr/bin/python3", "-c", script, ck, cs, c.token, c.tokenSecret, c.verifier, c.callback, c.url, ts, c.sigMethod).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v: %s", c.name, err, out)
		}
		r := Signed{Method: c.method, URL: c.url, Authorization: strings.TrimSpace(string(out))}
		p, err := parseAuthorization(r.Authorization)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := checkMandatory(p, time.Now()); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if !verify(r, p, cs, c.tokenSecret) {
			t.Errorf("%s: oauthlib's signature does not verify: %s", c.name, r.Authorization)
		}
		if verify(r, p, cs, c.tokenSecret+"x") {
			t.Errorf("%s: verifies with a wrong secret", c.name)
		}
	}
}
