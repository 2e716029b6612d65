package keystone

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/identity/client"
	"github.com/gostack/gostack/internal/identity/ec2"
	"github.com/gostack/gostack/internal/objectstorage/s3"
	"github.com/gostack/gostack/internal/objectstorage/s3/sig"
)

const (
	testAccess = "AKIDTEST"
	testSecret = "s3cr3t/key+value"
)

// fakeKeystone serves /v3/s3tokens and the OS-EC2 credential read as
// Keystone does, with ec2.VerifyS3 (the identity service's own check).
func fakeKeystone(t *testing.T, calls *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/v3/s3tokens":
			calls.Add(1)
			var body struct {
				Credentials struct{ Access, Token, Signature string }
			}
			_ = json.NewDecoder(r.Body).Decode(&body)
			sts, err := ec2.DecodeStringToSign(body.Credentials.Token)
			if err != nil || body.Credentials.Access != testAccess || ec2.VerifyS3(testSecret, sts, body.Credentials.Signature) != nil {
				w.WriteHeader(401)
				return
			}
			_, _ = w.Write([]byte(`{"token": {"user": {"id": "u1", "name": "alice", "domain": {"id": "default", "name": "Default"}},
				"project": {"id": "p1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
				"roles": [{"id": "r1", "name": "member"}], "methods": ["ec2credential"], "is_admin_project": false}}`))
		case r.Method == "GET" && r.URL.Path == "/v3/users/u1/credentials/OS-EC2/"+testAccess:
			if r.Header.Get("X-Auth-Token") != "service-token" {
				w.WriteHeader(401)
				return
			}
			_, _ = w.Write([]byte(`{"credential": {"access": "` + testAccess + `", "secret": "` + testSecret + `"}}`))
		default:
			w.WriteHeader(404)
		}
	}))
}

// TestKeystoneVerifier checks signatures through Keystone's s3tokens,
// and with the secret it caches for a while after.
func TestKeystoneVerifier(t *testing.T) {
	var calls atomic.Int32
	ks := fakeKeystone(t, &calls)
	defer ks.Close()
	now := time.Now()
	clock := now
	id := func(url string, opts ...client.Option) *client.Client {
		c, err := client.New(url, ks.Client(), opts...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	v := &Verifier{Identity: id(ks.URL, client.WithTokenFunc(func(context.Context) (string, error) { return "service-token", nil })),
		Now: func() time.Time { return clock }}
	cred := func(secret, sts string) s3.Credential {
		scope := "20260102/RegionOne/s3/aws4_request"
		a := sig.Auth{Version: sig.V4, Scope: scope, StringToSign: []byte("AWS4-HMAC-SHA256\n20260102T030405Z\n" + scope + "\n" + sts)}
		return s3.Credential{Access: testAccess, Signature: a.Sign(secret), StringToSign: a.StringToSign, Version: 4, Scope: scope}
	}
	ctx := context.Background()
	c, err := v.Verify(ctx, cred(testSecret, strings.Repeat("a", 64)))
	if err != nil {
		t.Fatal(err)
	}
	if c.ProjectID != "p1" || c.IsAdminProject || c.UserName != "alice" || c.ProjectName != "demo" || len(c.Roles) != 1 || c.Roles[0] != "member" {
		t.Errorf("creds %+v", c)
	}
	if _, err := v.Verify(ctx, cred("bad", strings.Repeat("b", 64))); !errors.Is(err, s3.ErrDenied) {
		t.Errorf("bad signature: %v", err)
	}
	n := calls.Load()
	if _, err := v.Verify(ctx, cred(testSecret, strings.Repeat("c", 64))); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != n {
		t.Error("a cached secret did not spare the s3tokens call")
	}
	if s, err := v.Secret(ctx, c, testAccess); err != nil || s != testSecret {
		t.Errorf("Secret = %q, %v", s, err)
	}
	clock = now.Add(2 * time.Minute)
	if _, err := v.Verify(ctx, cred(testSecret, strings.Repeat("d", 64))); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != n+1 {
		t.Error("an expired secret was used")
	}
	v2 := &Verifier{Identity: id(ks.URL + "/v3/")}
	a := sig.Auth{Version: sig.V2, StringToSign: []byte("GET\n\n\nMon, 07 Dec 2026 06:00:00 GMT\n/b")}
	if _, err := v2.Verify(ctx, s3.Credential{Access: testAccess, Signature: a.Sign(testSecret), StringToSign: a.StringToSign, Version: 2}); err != nil {
		t.Errorf("v2 through keystone: %v", err)
	}
	down := &Verifier{Identity: id("http://127.0.0.1:1")}
	if _, err := down.Verify(ctx, cred(testSecret, "x")); err == nil || errors.Is(err, s3.ErrDenied) {
		t.Errorf("unreachable keystone: %v", err)
	}
}
