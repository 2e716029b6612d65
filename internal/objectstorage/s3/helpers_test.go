package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/middleware/slo"
	"github.com/gostack/gostack/internal/objectstorage/proxy/proxytest"
	"github.com/gostack/gostack/internal/objectstorage/s3/sig"
	"github.com/gostack/gostack/internal/platform/auth"
)

// The test credentials: access key → secret, and whom they speak for.
const (
	testAccess  = "AKIDTEST"
	testSecret  = "s3cr3t/key+value"
	otherAccess = "AKIDOTHER"
	otherSecret = "other-secret"
)

// fakeVerifier checks signatures with the secrets it holds, as Keystone
// would, and hands the secrets out for aws-chunked uploads.
type fakeVerifier struct {
	mu    sync.Mutex
	calls int
	users map[string]struct {
		secret string
		creds  *auth.Credentials
	}
	fail error
}

func newFakeVerifier() *fakeVerifier {
	u := proxytest.Users()
	v := &fakeVerifier{users: map[string]struct {
		secret string
		creds  *auth.Credentials
	}{}}
	v.users[testAccess] = struct {
		secret string
		creds  *auth.Credentials
	}{testSecret, u[proxytest.TokenMember]}
	v.users[otherAccess] = struct {
		secret string
		creds  *auth.Credentials
	}{otherSecret, u[proxytest.TokenOther]}
	return v
}

func (v *fakeVerifier) Verify(_ context.Context, c Credential) (*auth.Credentials, error) {
	v.mu.Lock()
	v.calls++
	v.mu.Unlock()
	if v.fail != nil {
		return nil, v.fail
	}
	u, ok := v.users[c.Access]
	if !ok || !c.Check(u.secret) {
		return nil, ErrDenied
	}
	return u.creds, nil
}

func (v *fakeVerifier) Secret(_ context.Context, _ *auth.Credentials, access string) (string, error) {
	u, ok := v.users[access]
	if !ok {
		return "", errors.New("no such key")
	}
	return u.secret, nil
}

// env is an S3 API over an in-process Swift cluster with SLO.
type env struct {
	t       *testing.T
	cluster *proxytest.Cluster
	ver     *fakeVerifier
	h       *Handler
	srv     *httptest.Server
	access  string
	secret  string
	now     time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cl := proxytest.StartWith(t, proxytest.Options{Wrap: func(app http.Handler) http.Handler {
		return slo.New(app, slo.Config{})
	}})
	e := &env{t: t, cluster: cl, ver: newFakeVerifier(), access: testAccess, secret: testSecret}
	e.h = New(Config{App: cl.Pipeline, Verifier: e.ver, Region: "RegionOne", StorageDomains: []string{"s3.example.com"}})
	e.srv = httptest.NewServer(e.h)
	t.Cleanup(e.srv.Close)
	return e
}

// req is a test request to the S3 API.
type req struct {
	method, path string // path may carry a query
	header       http.Header
	body         []byte
	// unsigned sends the body with x-amz-content-sha256 UNSIGNED-PAYLOAD.
	unsigned bool
	// anonymous sends no signature.
	anonymous bool
	host      string
}

// sign signs r with version 4 as a client does: the canonical request
// comes from sig (which the AWS and botocore vectors pin down).
func sign(t testing.TB, r *http.Request, access, secret string, payload string, now time.Time) {
	t.Helper()
	r.Header.Set("X-Amz-Date", now.UTC().Format("20060102T150405Z"))
	r.Header.Set("X-Amz-Content-Sha256", payload)
	var names []string
	for k := range r.Header {
		names = append(names, strings.ToLower(k))
	}
	names = append(names, "host")
	sortStrings(names)
	scope := now.UTC().Format("20060102") + "/RegionOne/s3/aws4_request"
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+access+"/"+scope+", SignedHeaders="+strings.Join(names, ";")+", Signature=x")
	// Parse as the server will see it: the query string and host as
	// sent.
	a, err := sig.Parse(r, sig.Options{Region: "RegionOne", Now: now})
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+access+"/"+scope+", SignedHeaders="+strings.Join(names, ";")+", Signature="+a.Sign(secret))
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// do sends r and returns the response with its body read.
func (e *env) do(r req) (*http.Response, string) {
	e.t.Helper()
	u := e.srv.URL + r.path
	hr, err := http.NewRequest(r.method, u, bytes.NewReader(r.body))
	if err != nil {
		e.t.Fatal(err)
	}
	hr.ContentLength = int64(len(r.body))
	if r.body == nil {
		hr.Body = http.NoBody
	}
	for k, v := range r.header {
		hr.Header[k] = v
	}
	if r.host != "" {
		hr.Host = r.host
	}
	if !r.anonymous {
		payload := sig.UnsignedPayload
		if !r.unsigned {
			sum := sha256.Sum256(r.body)
			payload = hex.EncodeToString(sum[:])
		}
		if p := hr.Header.Get("X-Amz-Content-Sha256"); p != "" {
			payload = p
		}
		now := e.now
		if now.IsZero() {
			now = time.Now()
		}
		// The server parses the path as the client sent it.
		hr.URL.RawPath = ""
		hr.RequestURI = hr.URL.RequestURI()
		if hr.Host == "" {
			hr.Host = hr.URL.Host
		}
		sign(e.t, hr, e.access, e.secret, payload, now)
		hr.RequestURI = ""
	}
	resp, err := e.srv.Client().Do(hr)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// must sends r and fails unless the status is want.
func (e *env) must(r req, want int) (*http.Response, string) {
	e.t.Helper()
	resp, body := e.do(r)
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", r.method, r.path, resp.StatusCode, want, body)
	}
	return resp, body
}

// s3Error is the error document.
type s3Error struct {
	Code, Message, RequestId, BucketName, Key, ArgumentName, UploadId string
}

// mustErr sends r and checks S3's error: status, code, and the request
// id in the document and the headers.
func (e *env) mustErr(r req, status int, code string) s3Error {
	e.t.Helper()
	resp, body := e.do(r)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s: status %d, want %d: %s", r.method, r.path, resp.StatusCode, status, body)
	}
	if r.method == "HEAD" {
		if body != "" {
			e.t.Errorf("HEAD error with a body: %q", body)
		}
		return s3Error{}
	}
	if !strings.HasPrefix(body, "<?xml version='1.0' encoding='UTF-8'?>\n<Error>") {
		e.t.Errorf("error body %q", body)
	}
	var d s3Error
	if err := xml.Unmarshal([]byte(body), &d); err != nil {
		e.t.Fatalf("error body %q: %v", body, err)
	}
	if d.Code != code {
		e.t.Fatalf("%s %s: code %s, want %s: %s", r.method, r.path, d.Code, code, body)
	}
	if id := resp.Header.Get("X-Amz-Request-Id"); id == "" || id != d.RequestId || resp.Header.Get("X-Amz-Id-2") != id {
		e.t.Errorf("request id header %q, body %q", id, d.RequestId)
	}
	if resp.Header.Get("Content-Type") != "application/xml" {
		e.t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
	}
	return d
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := xml.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	return v
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func q(s string) string { return url.QueryEscape(s) }
