package sig

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
)

// readRaw parses a raw HTTP/1.1 request as a Go server would receive it.
func readRaw(t testing.TB, raw string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func code(err error) string {
	var e *s3err.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestBotocore checks requests signed by botocore (testdata/botocore.json,
// made by gen_botocore.py): the string to sign Parse builds must give
// botocore's signature with the secret.
func TestBotocore(t *testing.T) {
	b, err := os.ReadFile("testdata/botocore.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Secret, Access string
		Requests       []struct{ Name, Kind, Raw string }
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	for _, c := range fx.Requests {
		t.Run(c.Name, func(t *testing.T) {
			raw, _ := base64.StdEncoding.DecodeString(c.Raw)
			r := readRaw(t, string(raw))
			now := signingTime(t, r, c.Kind)
			a, err := Parse(r, Options{Region: "RegionOne", Now: now})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if a.Access != fx.Access {
				t.Errorf("access = %q", a.Access)
			}
			if !a.Check(fx.Secret) {
				t.Errorf("signature mismatch; string to sign:\n%s\ncanonical request:\n%s", a.StringToSign, a.CanonicalRequest)
			}
			if a.Check("wrong" + fx.Secret) {
				t.Error("a wrong secret matched")
			}
			if r.Method == "PUT" || r.Method == "POST" {
				p, err := Plan(r, a, true)
				if err != nil {
					t.Fatalf("Plan: %v", err)
				}
				body, err := p.Wrap(r.Body, r.ContentLength, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadAll(body); err != nil {
					t.Errorf("body: %v", err)
				}
			}
		})
	}
}

func signingTime(t *testing.T, r *http.Request, kind string) time.Time {
	q := ParseQuery(r.URL.RawQuery)
	switch kind {
	case "v4query":
		d, _ := q.Get("X-Amz-Date")
		tm, _ := time.Parse("20060102T150405Z", d)
		return tm
	case "v2query":
		e, _ := q.Get("Expires")
		n, _ := strconv.ParseInt(e, 10, 64)
		return time.Unix(n-3600, 0)
	case "v2":
		tm, err := http.ParseTime(r.Header.Get("Date"))
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tm, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

const (
	awsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	awsCred   = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"
)

var awsDate = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

// TestAWSExamples checks the examples of AWS's "Signature Version 4
// (AWS SigV4) for Amazon S3" documentation.
func TestAWSExamples(t *testing.T) {
	for _, c := range []struct{ name, raw, sig string }{
		{"GET object", "GET /test.txt HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\nRange: bytes=0-9\r\n" +
			"x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\nx-amz-date: 20130524T000000Z\r\n" +
			"Authorization: AWS4-HMAC-SHA256 Credential=" + awsCred + ",SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\r\n\r\n", ""},
		{"PUT object", "PUT /test%24file.text HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\nDate: Fri, 24 May 2013 00:00:00 GMT\r\n" +
			"x-amz-date: 20130524T000000Z\r\nx-amz-storage-class: REDUCED_REDUNDANCY\r\n" +
			"x-amz-content-sha256: 44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\r\nContent-Length: 19\r\n" +
			"Authorization: AWS4-HMAC-SHA256 Credential=" + awsCred + ",SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd\r\n\r\n" +
			"Welcome to Amazon S3.", ""},
		{"GET lifecycle", "GET /?lifecycle HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\n" +
			"x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\nx-amz-date: 20130524T000000Z\r\n" +
			"Authorization: AWS4-HMAC-SHA256 Credential=" + awsCred + ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543\r\n\r\n", ""},
		{"GET bucket", "GET /?max-keys=2&prefix=J HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\n" +
			"x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\nx-amz-date: 20130524T000000Z\r\n" +
			"Authorization: AWS4-HMAC-SHA256 Credential=" + awsCred + ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7\r\n\r\n", ""},
		{"presigned", "GET /test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
			"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404 HTTP/1.1\r\n" +
			"Host: examplebucket.s3.amazonaws.com\r\n\r\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := readRaw(t, c.raw)
			if c.name == "PUT object" {
				// The example's body is longer than its Content-Length
				// line says; only the headers matter here.
				r.Body = io.NopCloser(strings.NewReader("Welcome to Amazon S3."))
			}
			a, err := Parse(r, Options{Region: "us-east-1", Now: awsDate.Add(time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			if !a.Check(awsSecret) {
				t.Errorf("signature mismatch:\n%s\n--\n%s", a.CanonicalRequest, a.StringToSign)
			}
		})
	}
}

// TestAWSChunked decodes AWS's aws-chunked example upload (two chunks of
// 64 KiB and 1 KiB of 'a', then the final chunk), checking every chunk
// signature, and refuses it once any byte or signature is changed.
func TestAWSChunked(t *testing.T) {
	chunk := func(data []byte, sig string) string {
		return strconv.FormatInt(int64(len(data)), 16) + ";chunk-signature=" + sig + "\r\n" + string(data) + "\r\n"
	}
	a1 := bytes.Repeat([]byte("a"), 65536)
	a2 := bytes.Repeat([]byte("a"), 1024)
	body := chunk(a1, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648") +
		chunk(a2, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497") +
		chunk(nil, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9")
	head := "PUT /examplebucket/chunkObject.txt HTTP/1.1\r\nHost: s3.amazonaws.com\r\nx-amz-date: 20130524T000000Z\r\n" +
		"x-amz-storage-class: REDUCED_REDUNDANCY\r\nContent-Encoding: aws-chunked\r\nx-amz-decoded-content-length: 66560\r\n" +
		"x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=" + awsCred + ",SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\r\n\r\n"
	for _, c := range []struct {
		name, body, want string
	}{
		{"intact", body, ""},
		{"changed byte", strings.Replace(body, "aaaa", "aaab", 1), "SignatureDoesNotMatch"},
		{"changed final signature", strings.Replace(body, "b6c6ea8a", "b6c6ea8b", 1), "SignatureDoesNotMatch"},
		{"truncated", body[:len(body)-100], "IncompleteBody"},
		{"no final chunk", body[:strings.LastIndex(body, "0;chunk")], "IncompleteBody"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := readRaw(t, head+c.body)
			a, err := Parse(r, Options{Region: "us-east-1", Now: awsDate})
			if err != nil {
				t.Fatal(err)
			}
			if !a.Check(awsSecret) {
				t.Fatalf("seed signature mismatch:\n%s", a.CanonicalRequest)
			}
			p, err := Plan(r, a, true)
			if err != nil {
				t.Fatal(err)
			}
			if r.Header.Get("Content-Encoding") != "" {
				t.Errorf("Content-Encoding left: %q", r.Header.Get("Content-Encoding"))
			}
			if p.DecodedLength() != 66560 {
				t.Errorf("decoded length %d", p.DecodedLength())
			}
			rd, err := p.Wrap(r.Body, r.ContentLength, SigningKey(awsSecret, a.Scope))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rd)
			if code(err) != c.want {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
			if c.want == "" && !bytes.Equal(got, append(a1, a2...)) {
				t.Errorf("payload differs: %d bytes", len(got))
			}
			if c.want != "" && len(got) == 66560 {
				t.Error("a refused body was handed out whole")
			}
		})
	}
	t.Run("no secret", func(t *testing.T) {
		r := readRaw(t, head+body)
		a, _ := Parse(r, Options{Region: "us-east-1", Now: awsDate})
		p, _ := Plan(r, a, true)
		if _, err := p.Wrap(r.Body, r.ContentLength, nil); code(err) != "NotImplemented" {
			t.Errorf("err = %v", err)
		}
	})
}

// TestParseErrors checks s3api's answers to malformed, stale and
// incomplete signatures.
func TestParseErrors(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	amz := now.Format("20060102T150405Z")
	cred := "AK/20260102/RegionOne/s3/aws4_request"
	v4 := func(extra string) string {
		return "GET /b/k HTTP/1.1\r\nHost: h\r\nX-Amz-Date: " + amz + "\r\nX-Amz-Content-Sha256: UNSIGNED-PAYLOAD\r\n" + extra + "\r\n"
	}
	authz := func(c, signed string) string {
		return "Authorization: AWS4-HMAC-SHA256 Credential=" + c + ", SignedHeaders=" + signed + ", Signature=abc\r\n"
	}
	for _, c := range []struct {
		name, raw, want, msg string
	}{
		{"anonymous", "GET /b HTTP/1.1\r\nHost: h\r\n\r\n", "sig: the request is not signed", ""},
		{"v4 ok", v4(authz(cred, "host;x-amz-date")), "", ""},
		{"v4 no date", "GET / HTTP/1.1\r\nHost: h\r\n" + authz(cred, "host") + "\r\n", "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header"},
		{"v4 bad date", "GET / HTTP/1.1\r\nHost: h\r\nX-Amz-Date: yesterday\r\n" + authz(cred, "host") + "\r\n", "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header"},
		{"v4 skewed", "GET / HTTP/1.1\r\nHost: h\r\nX-Amz-Date: 20260102T032000Z\r\nX-Amz-Content-Sha256: UNSIGNED-PAYLOAD\r\n" + authz(cred, "host") + "\r\n", "RequestTimeTooSkewed", ""},
		{"v4 short credential", v4(authz("AK/20260102/RegionOne/s3", "host")), "AccessDenied", "Access Denied."},
		{"v4 no signed headers", v4("Authorization: AWS4-HMAC-SHA256 Credential=" + cred + ", Signature=abc\r\n"), "AuthorizationHeaderMalformed", ""},
		{"v4 wrong region", v4(authz("AK/20260102/us-east-1/s3/aws4_request", "host")), "AuthorizationHeaderMalformed",
			"The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'RegionOne'"},
		{"v4 lower-case region", v4(authz("AK/20260102/regionone/s3/aws4_request", "host;x-amz-date")), "", ""},
		{"v4 wrong date", v4(authz("AK/20260101/RegionOne/s3/aws4_request", "host")), "AuthorizationHeaderMalformed",
			`Invalid credential date "20260101". This date is not the same as X-Amz-Date: "20260102".`},
		{"v4 wrong service", v4(authz("AK/20260102/RegionOne/ec2/aws4_request", "host")), "AuthorizationHeaderMalformed",
			`The authorization header is malformed; incorrect service "ec2". This endpoint belongs to "s3".`},
		{"v4 missing payload hash", "GET / HTTP/1.1\r\nHost: h\r\nX-Amz-Date: " + amz + "\r\n" + authz(cred, "host") + "\r\n", "InvalidRequest",
			"Missing required header for this request: x-amz-content-sha256"},
		{"v4 bad payload hash", "GET / HTTP/1.1\r\nHost: h\r\nX-Amz-Date: " + amz + "\r\nX-Amz-Content-Sha256: nope\r\n" + authz(cred, "host") + "\r\n", "InvalidArgument", ""},
		{"v4 unsigned meta", v4("X-Amz-Meta-A: 1\r\n" + authz(cred, "host;x-amz-date")), "AccessDenied", "There were headers present in the request which were not signed"},
		{"v4 signed header missing", v4(authz(cred, "host;x-amz-date;range")), "SignatureDoesNotMatch", ""},
		{"v4 streaming without length", "PUT /b/k HTTP/1.1\r\nHost: h\r\nX-Amz-Date: " + amz + "\r\nX-Amz-Content-Sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n" + authz(cred, "host") + "\r\n", "MissingContentLength", ""},
		{"presigned bad algorithm", "GET /b/k?X-Amz-Algorithm=MD5&X-Amz-Credential=" + cred + "&X-Amz-Date=" + amz + "&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=a HTTP/1.1\r\nHost: h\r\n\r\n", "InvalidArgument", ""},
		{"presigned expired", "GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + cred + "&X-Amz-Date=20260102T020000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=a HTTP/1.1\r\nHost: h\r\n\r\n", "AccessDenied", "Request has expired"},
		{"presigned too long", "GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + cred + "&X-Amz-Date=" + amz + "&X-Amz-Expires=604801&X-Amz-SignedHeaders=host&X-Amz-Signature=a HTTP/1.1\r\nHost: h\r\n\r\n", "AuthorizationQueryParametersError", ""},
		{"presigned negative", "GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + cred + "&X-Amz-Date=" + amz + "&X-Amz-Expires=-1&X-Amz-SignedHeaders=host&X-Amz-Signature=a HTTP/1.1\r\nHost: h\r\n\r\n", "AuthorizationQueryParametersError", "X-Amz-Expires must be non-negative"},
		{"presigned no expires", "GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + cred + "&X-Amz-Date=" + amz + "&X-Amz-SignedHeaders=host&X-Amz-Signature=a HTTP/1.1\r\nHost: h\r\n\r\n", "AccessDenied", ""},
		{"presigned wrong region", "GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK/20260102/x/s3/aws4_request&X-Amz-Date=" + amz + "&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=a HTTP/1.1\r\nHost: h\r\n\r\n", "AuthorizationQueryParametersError",
			"Error parsing the X-Amz-Credential parameter; the region 'x' is wrong; expecting 'RegionOne'"},
		{"v2 ok", "GET /b HTTP/1.1\r\nHost: h\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nAuthorization: AWS AK:sig\r\n\r\n", "", ""},
		{"v2 no date", "GET /b HTTP/1.1\r\nHost: h\r\nAuthorization: AWS AK:sig\r\n\r\n", "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header"},
		{"v2 skewed", "GET /b HTTP/1.1\r\nHost: h\r\nDate: Fri, 02 Jan 2026 05:04:05 GMT\r\nAuthorization: AWS AK:sig\r\n\r\n", "RequestTimeTooSkewed", ""},
		{"v2 malformed", "GET /b HTTP/1.1\r\nHost: h\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nAuthorization: AWS AKsig\r\n\r\n", "AccessDenied", ""},
		{"v2 query expired", "GET /b?AWSAccessKeyId=AK&Expires=100&Signature=x HTTP/1.1\r\nHost: h\r\n\r\n", "AccessDenied", "Request has expired"},
		{"v2 query bad expires", "GET /b?AWSAccessKeyId=AK&Expires=soon&Signature=x HTTP/1.1\r\nHost: h\r\n\r\n", "AccessDenied", ""},
		{"v2 query far expires", "GET /b?AWSAccessKeyId=AK&Expires=99999999999&Signature=x HTTP/1.1\r\nHost: h\r\n\r\n", "AccessDenied", "Invalid date (should be seconds since epoch): 99999999999"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(readRaw(t, c.raw), Options{Region: "RegionOne", Now: now})
			if code(err) != c.want {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
			var e *s3err.Error
			if c.msg != "" && errors.As(err, &e) && e.Message != c.msg {
				t.Errorf("message = %q, want %q", e.Message, c.msg)
			}
		})
	}
}

// TestChecksums checks x-amz-content-sha256 and x-amz-checksum-* against
// the body, and that a body failing them is never handed out whole.
func TestChecksums(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	req := func(hdrs string, body string) string {
		return "PUT /b/k HTTP/1.1\r\nHost: h\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nAuthorization: AWS AK:sig\r\n" + hdrs +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	}
	const helloSHA = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
	for _, c := range []struct{ name, raw, planErr, readErr string }{
		{"sha256 ok", req("X-Amz-Content-Sha256: "+helloSHA+"\r\n", "hello"), "", ""},
		{"sha256 mismatch", req("X-Amz-Content-Sha256: "+helloSHA+"\r\n", "hellO"), "", "XAmzContentSHA256Mismatch"},
		{"sha256 empty body", req("X-Amz-Content-Sha256: "+helloSHA+"\r\n", ""), "", "XAmzContentSHA256Mismatch"},
		{"crc32 ok", req("X-Amz-Checksum-Crc32: NhCmhg==\r\n", "hello"), "", ""},
		{"crc32 mismatch", req("X-Amz-Checksum-Crc32: AAAAAA==\r\n", "hello"), "", "BadDigest"},
		{"crc32 not base64", req("X-Amz-Checksum-Crc32: xyz\r\n", "hello"), "InvalidRequest", ""},
		{"sha256 checksum ok", req("X-Amz-Checksum-Sha256: LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=\r\n", "hello"), "", ""},
		{"unknown algorithm", req("X-Amz-Checksum-Md5: AAAA\r\n", "hello"), "InvalidRequest", ""},
		{"crc64nvme", req("X-Amz-Checksum-Crc64nvme: AAAAAAAAAAA=\r\n", "hello"), "NotImplemented", ""},
		{"two checksums", req("X-Amz-Checksum-Crc32: NhCmhg==\r\nX-Amz-Checksum-Sha1: qvTGHdzF6KLavt4PO0gs2a6pQ00=\r\n", "hello"), "InvalidRequest", ""},
		{"sdk algorithm mismatch", req("X-Amz-Checksum-Crc32: NhCmhg==\r\nX-Amz-Sdk-Checksum-Algorithm: SHA1\r\n", "hello"), "InvalidRequest", ""},
		{"trailer without chunks", req("X-Amz-Trailer: x-amz-checksum-crc32\r\n", "hello"), "MalformedTrailerError", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := readRaw(t, c.raw)
			a, err := Parse(r, Options{Region: "RegionOne", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			p, err := Plan(r, a, true)
			if code(err) != c.planErr {
				t.Fatalf("Plan err = %v, want %s", err, c.planErr)
			}
			if err != nil {
				return
			}
			rd, err := p.Wrap(r.Body, r.ContentLength, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rd)
			if code(err) != c.readErr {
				t.Fatalf("read err = %v, want %s", err, c.readErr)
			}
			if err != nil && len(got) == int(r.ContentLength) && len(got) > 0 {
				t.Error("a refused body was handed out whole")
			}
		})
	}
}

// TestUnsignedTrailer decodes STREAMING-UNSIGNED-PAYLOAD-TRAILER with a
// CRC32 trailer, the form newer AWS SDKs send.
func TestUnsignedTrailer(t *testing.T) {
	body := "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"
	raw := "PUT /b/k HTTP/1.1\r\nHost: h\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AK/20260102/RegionOne/s3/aws4_request, SignedHeaders=host, Signature=x\r\n" +
		"X-Amz-Content-Sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nX-Amz-Trailer: x-amz-checksum-crc32\r\nX-Amz-Decoded-Content-Length: 5\r\nContent-Encoding: aws-chunked\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	for _, c := range []struct{ name, body, want string }{
		{"ok", body, ""},
		{"bad checksum", strings.Replace(body, "NhCmhg", "AAAAAA", 1), "BadDigest"},
		{"unexpected trailer", strings.Replace(body, "x-amz-checksum-crc32", "x-amz-checksum-sha1", 1), "MalformedTrailerError"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := readRaw(t, raw+c.body)
			a, err := Parse(r, Options{Region: "RegionOne", Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			p, err := Plan(r, a, true)
			if err != nil {
				t.Fatal(err)
			}
			rd, err := p.Wrap(r.Body, r.ContentLength, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rd)
			if code(err) != c.want {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
			if c.want == "" && string(got) != "hello" {
				t.Errorf("got %q", got)
			}
		})
	}
}

// BenchmarkParseV4 measures parsing a version 4 Authorization header and
// building the canonical request and string to sign.
func BenchmarkParseV4(b *testing.B) {
	raw := "PUT /bucket/some/key.txt?partNumber=3&uploadId=abc HTTP/1.1\r\nHost: localhost:8081\r\nContent-Type: text/plain\r\nx-amz-meta-color: blue\r\n" +
		"X-Amz-Date: 20261207T062936Z\r\nX-Amz-Content-SHA256: UNSIGNED-PAYLOAD\r\nContent-Length: 0\r\nUser-Agent: aws-cli/1.45\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/RegionOne/s3/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-color, Signature=89a615c6e756404cf3e5ad2db66c804c35b4af509b868eebda5756df8d4a8c99\r\n\r\n"
	r := readRaw(b, raw)
	o := Options{Region: "RegionOne", Now: time.Date(2026, 12, 7, 6, 29, 36, 0, time.UTC)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(r, o); err != nil {
			b.Fatal(err)
		}
	}
}
