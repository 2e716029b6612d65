package s3

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/s3/sig"
)

// TestAuthentication checks what the S3 API answers to requests that do
// not prove who sent them.
func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/auth"}, 200)

	e.secret = "wrong"
	e.mustErr(req{method: "GET", path: "/auth"}, 403, "SignatureDoesNotMatch")
	e.access, e.secret = "AKIDUNKNOWN", "x"
	e.mustErr(req{method: "GET", path: "/auth"}, 403, "SignatureDoesNotMatch")
	e.access, e.secret = testAccess, testSecret

	e.mustErr(req{method: "GET", path: "/auth", anonymous: true}, 403, "AccessDenied")
	e.now = time.Now().Add(-20 * time.Minute)
	e.mustErr(req{method: "GET", path: "/auth"}, 403, "RequestTimeTooSkewed")
	e.now = time.Time{}

	e.ver.fail = errors.New("keystone is down")
	e.mustErr(req{method: "GET", path: "/auth"}, 503, "ServiceUnavailable")
	e.ver.fail = nil

	// Errors in the request itself come before the signature check, as
	// in s3api.
	e.secret = "wrong"
	e.mustErr(req{method: "GET", path: "/Bad_Name"}, 400, "InvalidBucketName")
	e.secret = testSecret

	// Virtual-hosted style: the bucket is in the host.
	e.must(req{method: "PUT", path: "/vkey", host: "auth.s3.example.com", body: []byte("virtual")}, 200)
	_, body := e.must(req{method: "GET", path: "/auth/vkey"}, 200)
	if body != "virtual" {
		t.Errorf("virtual-hosted PUT stored %q", body)
	}
}

// TestPresigned reads an object through a presigned URL (version 4) and a
// version 2 query signature.
func TestPresigned(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/pre"}, 200)
	e.must(req{method: "PUT", path: "/pre/obj", body: []byte("presigned")}, 200)

	now := time.Now().UTC()
	u, _ := url.Parse(e.srv.URL + "/pre/obj")
	qv := url.Values{}
	qv.Set("X-Amz-Algorithm", sig.Algorithm)
	qv.Set("X-Amz-Credential", testAccess+"/"+now.Format("20060102")+"/RegionOne/s3/aws4_request")
	qv.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	qv.Set("X-Amz-Expires", "300")
	qv.Set("X-Amz-SignedHeaders", "host")
	u.RawQuery = qv.Encode()
	// The canonical query leaves the signature out: a placeholder lets
	// sig parse the URL the client is about to sign.
	r, _ := http.NewRequest("GET", u.String()+"&X-Amz-Signature=x", nil)
	r.RequestURI = u.RequestURI()
	a, err := sig.Parse(r, sig.Options{Region: "RegionOne", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	signed := u.String() + "&X-Amz-Signature=" + a.Sign(testSecret)
	resp, err := http.Get(signed)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "presigned" {
		t.Errorf("presigned v4: %d %s", resp.StatusCode, b)
	}
	resp, _ = http.Get(u.String() + "&X-Amz-Signature=" + strings.Repeat("0", 64))
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("forged presigned v4: %d", resp.StatusCode)
	}

	exp := strconv.FormatInt(now.Unix()+300, 10)
	m := hmac.New(sha1.New, []byte(testSecret))
	m.Write([]byte("GET\n\n\n" + exp + "\n/pre/obj"))
	v2 := e.srv.URL + "/pre/obj?AWSAccessKeyId=" + testAccess + "&Expires=" + exp + "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(m.Sum(nil)))
	resp, err = http.Get(v2)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "presigned" {
		t.Errorf("presigned v2: %d %s", resp.StatusCode, b)
	}

	// A version 2 header signature.
	hr, _ := http.NewRequest("GET", e.srv.URL+"/pre/obj", nil)
	date := time.Now().UTC().Format(http.TimeFormat)
	hr.Header.Set("Date", date)
	m = hmac.New(sha1.New, []byte(testSecret))
	m.Write([]byte("GET\n\n\n" + date + "\n/pre/obj"))
	hr.Header.Set("Authorization", "AWS "+testAccess+":"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	resp, err = http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("v2 header: %d", resp.StatusCode)
	}
}

// TestChunkedUpload sends a signed aws-chunked upload through the whole
// stack; a chunk whose signature is off leaves nothing stored.
func TestChunkedUpload(t *testing.T) {
	e := newEnv(t)
	e.must(req{method: "PUT", path: "/chunk"}, 200)
	payload := strings.Repeat("0123456789abcdef", 1024) + "tail" // 16 KiB + 4
	chunks := []string{payload[:8192], payload[8192:16384], payload[16384:], ""}

	put := func(key string, tamper bool) *http.Response {
		now := time.Now().UTC()
		hr, _ := http.NewRequest("PUT", e.srv.URL+"/chunk/"+key, nil)
		hr.Header.Set("Content-Encoding", "aws-chunked")
		hr.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(payload)))
		hr.Header.Set("Content-Type", "text/plain")
		hr.RequestURI = hr.URL.RequestURI()
		hr.Host = hr.URL.Host
		sign(t, hr, testAccess, testSecret, sig.StreamingPayload, now)
		hr.RequestURI = ""
		seed := hr.Header.Get("Authorization")
		seed = seed[strings.LastIndex(seed, "=")+1:]
		scope := now.Format("20060102") + "/RegionOne/s3/aws4_request"
		key4 := sig.SigningKey(testSecret, scope)
		prev := seed
		var body strings.Builder
		for i, c := range chunks {
			sum := sha256.Sum256([]byte(c))
			sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + now.Format("20060102T150405Z") + "\n" + scope + "\n" + prev + "\n" +
				"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" + hex.EncodeToString(sum[:])
			m := hmac.New(sha256.New, key4)
			m.Write([]byte(sts))
			s := hex.EncodeToString(m.Sum(nil))
			prev = s
			data := c
			if tamper && i == 1 {
				data = strings.Replace(c, "0", "X", 1)
			}
			body.WriteString(strconv.FormatInt(int64(len(c)), 16) + ";chunk-signature=" + s + "\r\n" + data + "\r\n")
		}
		hr.Body = io.NopCloser(strings.NewReader(body.String()))
		hr.ContentLength = int64(body.Len())
		resp, err := e.srv.Client().Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := put("good", false)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("chunked PUT: %d %s", resp.StatusCode, b)
	}
	resp2, body := e.must(req{method: "GET", path: "/chunk/good"}, 200)
	if body != payload || resp2.Header.Get("Content-Encoding") != "" {
		t.Errorf("stored %d bytes, Content-Encoding %q", len(body), resp2.Header.Get("Content-Encoding"))
	}
	resp = put("bad", true)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("tampered chunk: %d %s", resp.StatusCode, b)
	}
	e.mustErr(req{method: "GET", path: "/chunk/bad"}, 404, "NoSuchKey")
}
