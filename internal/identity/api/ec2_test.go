package api_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// The signatures below are computed here as an EC2 or S3 client would,
// independently of the ec2 package the service uses.

func mac(h func() hash.Hash, key []byte, msg string) []byte {
	m := hmac.New(h, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// signV2 is AWS signature version 2 with HmacSHA256.
func signV2(secret, verb, host, path string, params map[string]string) string {
	var keys []string
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, url.QueryEscape(k)+"="+strings.ReplaceAll(url.QueryEscape(params[k]), "+", "%20"))
	}
	return base64.StdEncoding.EncodeToString(mac(sha256.New, []byte(secret), verb+"\n"+host+"\n"+path+"\n"+strings.Join(pairs, "&")))
}

func v4Key(secret, date, region, service string) []byte {
	k := mac(sha256.New, []byte("AWS4"+secret), date)
	k = mac(sha256.New, k, region)
	k = mac(sha256.New, k, service)
	return mac(sha256.New, k, "aws4_request")
}

// signV4 is AWS signature version 4 of a GET with the query q and the
// host and x-amz-date headers signed.
func signV4(secret, host, path, q, amzDate, region, service string) string {
	empty := sha256.Sum256(nil)
	canonical := "GET\n" + path + "\n" + q + "\nhost:" + host + "\nx-amz-date:" + amzDate + "\n\nhost;x-amz-date\n" + hex.EncodeToString(empty[:])
	sum := sha256.Sum256([]byte(canonical))
	scope := amzDate[:8] + "/" + region + "/" + service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	return hex.EncodeToString(mac(sha256.New, v4Key(secret, amzDate[:8], region, service), toSign))
}

func TestEC2AndS3Tokens(t *testing.T) {
	c := newCloud(t, directory.SecurityCompliance{})
	a := c.admin
	pid := str(obj(c.must(201, a, "POST", "/v3/projects", map[string]any{"project": map[string]any{"name": "ec2p", "domain_id": "default"}}), "project"), "id")
	uid := str(obj(c.must(201, a, "POST", "/v3/users", map[string]any{"user": map[string]any{"name": "ec2u", "password": "pw", "domain_id": "default"}}), "user"), "id")
	rid := str(obj(c.must(201, a, "POST", "/v3/roles", map[string]any{"role": map[string]any{"name": "ec2role"}}), "role"), "id")
	c.must(204, a, "PUT", "/v3/projects/"+pid+"/users/"+uid+"/roles/"+rid, nil)
	// One credential through OS-EC2, one through /v3/credentials.
	ec := obj(c.must(201, a, "POST", "/v3/users/"+uid+"/credentials/OS-EC2", map[string]any{"tenant_id": pid}), "credential")
	access, secret := str(ec, "access"), str(ec, "secret")
	c.must(201, a, "POST", "/v3/credentials", map[string]any{"credential": map[string]any{"user_id": uid, "project_id": pid, "type": "ec2",
		"blob": `{"access":"AK2","secret":"SK2"}`}})

	now := time.Now().UTC()
	v2 := func(access, secret string, ts time.Time) map[string]any {
		params := map[string]string{"Action": "DescribeInstances", "AWSAccessKeyId": access, "SignatureMethod": "HmacSHA256",
			"SignatureVersion": "2", "Timestamp": ts.Format("2006-01-02T15:04:05Z"), "Version": "2016-11-15"}
		return map[string]any{"access": access, "host": "ec2.example.org:8788", "verb": "GET", "path": "/", "params": params,
			"signature": signV2(secret, "GET", "ec2.example.org:8788", "/", params)}
	}
	amzDate := now.Format("20060102T150405Z")
	q := "Action=DescribeRegions&Version=2016-11-15"
	v4 := map[string]any{"access": access, "host": "ec2.example.org", "verb": "GET", "path": "/",
		"params":    map[string]string{"Action": "DescribeRegions", "Version": "2016-11-15"},
		"body_hash": hex.EncodeToString(func() []byte { s := sha256.Sum256(nil); return s[:] }()),
		"headers": map[string]string{"Host": "ec2.example.org", "X-Amz-Date": amzDate,
			"Authorization": "AWS4-HMAC-SHA256 Credential=" + access + "/" + amzDate[:8] + "/RegionOne/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=x"},
		"signature": signV4(secret, "ec2.example.org", "/", q, amzDate, "RegionOne", "ec2")}
	wrong := v2(access, secret, now)
	wrong["signature"] = signV2("not-the-secret", "GET", "ec2.example.org:8788", "/", wrong["params"].(map[string]string))

	sts1 := "GET\n\n\n" + now.Format(time.RFC1123Z) + "\n/bucket/key"
	s3v1 := map[string]any{"access": access, "token": base64.URLEncoding.EncodeToString([]byte(sts1)),
		"signature": base64.StdEncoding.EncodeToString(mac(sha1.New, []byte(secret), sts1))}
	sts4 := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + amzDate[:8] + "/RegionOne/s3/aws4_request\n" + strings.Repeat("ab", 32)
	s3v4 := map[string]any{"access": "AK2", "token": base64.URLEncoding.EncodeToString([]byte(sts4)),
		"signature": hex.EncodeToString(mac(sha256.New, v4Key("SK2", amzDate[:8], "RegionOne", "s3"), sts4))}
	s3wrong := map[string]any{"access": access, "token": s3v1["token"], "signature": base64.StdEncoding.EncodeToString(mac(sha1.New, []byte("x"), sts1))}

	for _, tc := range []struct {
		name, path string
		body       any
		want       int
	}{
		{"ec2 v2", "/v3/ec2tokens", map[string]any{"credentials": v2(access, secret, now)}, 200},
		{"ec2 v2 in ec2Credentials", "/v3/ec2tokens", map[string]any{"ec2Credentials": v2(access, secret, now)}, 200},
		{"ec2 v2 of a /v3/credentials key", "/v3/ec2tokens", map[string]any{"credentials": v2("AK2", "SK2", now)}, 200},
		{"ec2 v4", "/v3/ec2tokens", map[string]any{"credentials": v4}, 200},
		{"ec2 wrong signature", "/v3/ec2tokens", map[string]any{"credentials": wrong}, 401},
		{"ec2 unknown access", "/v3/ec2tokens", map[string]any{"credentials": v2("nope", secret, now)}, 401},
		{"ec2 expired", "/v3/ec2tokens", map[string]any{"credentials": v2(access, secret, now.Add(-time.Hour))}, 401},
		{"ec2 no credentials", "/v3/ec2tokens", map[string]any{"other": map[string]any{}}, 400},
		{"ec2 no access", "/v3/ec2tokens", map[string]any{"credentials": map[string]any{"signature": "x"}}, 400},
		{"s3 v1", "/v3/s3tokens", map[string]any{"credentials": s3v1}, 200},
		{"s3 v4", "/v3/s3tokens", map[string]any{"credentials": s3v4}, 200},
		{"s3 wrong signature", "/v3/s3tokens", map[string]any{"credentials": s3wrong}, 401},
		{"s3 unknown access", "/v3/s3tokens", map[string]any{"credentials": map[string]any{"access": "nope", "token": s3v1["token"], "signature": s3v1["signature"]}}, 401},
		{"s3 no token", "/v3/s3tokens", map[string]any{"credentials": map[string]any{"access": access, "signature": "x"}}, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.srv.Do(t, apitest.Request{Method: "POST", Path: tc.path, Body: tc.body}) // no X-Auth-Token: public
			if r.Status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.want, r.Body)
			}
			switch tc.want {
			case 401:
				if got, want := string(r.Body), `{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}`; got != want {
					t.Errorf("body %s, want %s", got, want)
				}
				return
			case 400:
				return
			}
			tok := obj(r.JSON(), "token")
			if str(obj(tok, "project"), "id") != pid || str(obj(tok, "user"), "id") != uid {
				t.Errorf("token project/user: %v", tok)
			}
			if roles := list(tok, "roles"); len(roles) != 1 || str(roles[0].(map[string]any), "id") != rid {
				t.Errorf("roles %v", roles)
			}
			if m := list(tok, "methods"); len(m) != 1 || m[0] != "ec2credential" {
				t.Errorf("methods %v", m)
			}
			if len(list(tok, "catalog")) == 0 {
				t.Errorf("no catalog")
			}
			id := r.Header.Get("X-Subject-Token")
			if tc.path == "/v3/s3tokens" {
				if id != "" {
					t.Errorf("s3tokens answered an X-Subject-Token")
				}
				return
			}
			// The token works.
			v, _ := c.do("GET", "/v3/auth/tokens", a, nil, 200, "X-Subject-Token", id)
			if str(obj(obj(v, "token"), "project"), "id") != pid {
				t.Errorf("validated token %v", v)
			}
		})
	}

	// A credential made with a trust-scoped token carries the trust: its
	// token is scoped to the trust, on the trust's project.
	tid := str(obj(c.must(201, a, "POST", "/v3/users", map[string]any{"user": map[string]any{"name": "trustee", "password": "pw", "domain_id": "default"}}), "user"), "id")
	utok := c.login("ec2u", "Default", "pw", "ec2p")
	tr := obj(c.must(201, utok, "POST", "/v3/OS-TRUST/trusts", map[string]any{"trust": map[string]any{"trustor_user_id": uid, "trustee_user_id": tid,
		"project_id": pid, "impersonation": false, "roles": []any{map[string]any{"id": rid}}}}), "trust")
	ttok, _ := c.token(`{"auth":{"identity":{"methods":["password"],"password":{"user":{"id":"`+tid+`","password":"pw"}}},"scope":{"OS-TRUST:trust":{"id":"`+str(tr, "id")+`"}}}}`, 201)
	tec := obj(c.must(201, ttok, "POST", "/v3/users/"+tid+"/credentials/OS-EC2", map[string]any{"tenant_id": pid}), "credential")
	if tec["trust_id"] != str(tr, "id") {
		t.Fatalf("trust credential %v", tec)
	}
	m, _ := c.do("POST", "/v3/ec2tokens", "", map[string]any{"credentials": v2(str(tec, "access"), str(tec, "secret"), now)}, 200)
	if tt := obj(obj(m, "token"), "OS-TRUST:trust"); str(tt, "id") != str(tr, "id") || str(obj(obj(m, "token"), "user"), "id") != tid {
		t.Errorf("trust ec2 token %v", m)
	}
	c.must(204, utok, "DELETE", "/v3/OS-TRUST/trusts/"+str(tr, "id"), nil)
	c.do("POST", "/v3/ec2tokens", "", map[string]any{"credentials": v2(str(tec, "access"), str(tec, "secret"), now)}, 401)

	// A user without a role on the project, or disabled, gets no token.
	c.must(204, a, "DELETE", "/v3/projects/"+pid+"/users/"+uid+"/roles/"+rid, nil)
	c.do("POST", "/v3/ec2tokens", "", map[string]any{"credentials": v2(access, secret, now)}, 401)
	c.must(204, a, "PUT", "/v3/projects/"+pid+"/users/"+uid+"/roles/"+rid, nil)
	c.do("POST", "/v3/ec2tokens", "", map[string]any{"credentials": v2(access, secret, now)}, 200)
	c.must(200, a, "PATCH", "/v3/users/"+uid, map[string]any{"user": map[string]any{"enabled": false}})
	c.do("POST", "/v3/s3tokens", "", map[string]any{"credentials": s3v1}, 401)
}
