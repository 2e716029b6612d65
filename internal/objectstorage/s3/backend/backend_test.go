package backend

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
)

// fakeSwift answers every request with the status and body of the table
// entry its method and path name, and records what it got.
type fakeSwift struct {
	answers map[string]struct {
		status int
		body   string
	}
	got []*http.Request
}

func (f *fakeSwift) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.got = append(f.got, r)
	a, ok := f.answers[r.Method+" "+r.URL.Path]
	if !ok {
		a.status = 500
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

// TestMapStatus checks the S3 error of each Swift failure, per method
// and resource (s3api's _swift_error_codes and _get_response).
func TestMapStatus(t *testing.T) {
	const acct = "/v1/AUTH_p"
	for _, c := range []struct {
		name   string
		sub    Sub
		status int
		body   string
		bucket int // the status a HEAD of the bucket gets
		want   string
	}{
		{"container 404", Sub{Method: "GET", Container: "b"}, 404, "", 0, "NoSuchBucket"},
		{"container exists", Sub{Method: "PUT", Container: "b"}, 202, "", 0, "BucketAlreadyOwnedByYou"},
		{"container not empty", Sub{Method: "DELETE", Container: "b"}, 409, "", 0, "BucketNotEmpty"},
		{"container created", Sub{Method: "PUT", Container: "b"}, 201, "", 0, ""},
		{"object missing", Sub{Method: "GET", Container: "b", Object: "k"}, 404, "", 204, "NoSuchKey"},
		{"object's bucket missing", Sub{Method: "HEAD", Container: "b", Object: "k"}, 404, "", 404, "NoSuchBucket"},
		{"segments object missing", Sub{Method: "HEAD", Container: "b+segments", Object: "k"}, 404, "", 404, "NoSuchKey"},
		{"PUT into missing bucket", Sub{Method: "PUT", Container: "b", Object: "k"}, 404, "", 0, "NoSuchBucket"},
		{"bad etag", Sub{Method: "PUT", Container: "b", Object: "k"}, 422, "", 0, "BadDigest"},
		{"too large", Sub{Method: "PUT", Container: "b", Object: "k"}, 413, "", 0, "EntityTooLarge"},
		{"no length", Sub{Method: "PUT", Container: "b", Object: "k"}, 411, "", 0, "MissingContentLength"},
		{"timeout", Sub{Method: "PUT", Container: "b", Object: "k"}, 408, "", 0, "RequestTimeout"},
		{"precondition", Sub{Method: "GET", Container: "b", Object: "k"}, 412, "", 0, "PreconditionFailed"},
		{"delete missing", Sub{Method: "DELETE", Container: "b", Object: "k"}, 404, "", 0, "NoSuchKey"},
		{"bad request", Sub{Method: "PUT", Container: "b", Object: "k"}, 400, "Bad thing", 0, "InvalidRequest"},
		{"delete-at", Sub{Method: "PUT", Container: "b", Object: "k"}, 400, "X-Delete-At in past", 0, "InvalidArgument"},
		{"unauthorized", Sub{Method: "GET", Container: "b", Object: "k"}, 401, "", 0, "SignatureDoesNotMatch"},
		{"forbidden", Sub{Method: "GET", Container: "b"}, 403, "", 0, "AccessDenied"},
		{"range", Sub{Method: "GET", Container: "b", Object: "k"}, 416, "", 0, "InvalidRange"},
		{"unavailable", Sub{Method: "GET", Container: "b", Object: "k"}, 503, "", 0, "ServiceUnavailable"},
		{"rate limited", Sub{Method: "PUT", Container: "b", Object: "k"}, 498, "", 0, "SlowDown"},
		{"conflict", Sub{Method: "PUT", Container: "b", Object: "k"}, 409, "", 0, "ServiceUnavailable"},
		{"broken mpu", Sub{Method: "GET", Container: "b", Object: "k"}, 409, "", 0, "BrokenMPU"},
		{"odd", Sub{Method: "GET", Container: "b", Object: "k"}, 418, "", 0, "InternalError"},
		{"object ok", Sub{Method: "GET", Container: "b", Object: "k"}, 206, "", 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeSwift{answers: map[string]struct {
				status int
				body   string
			}{}}
			p := acct + "/" + c.sub.Container
			if c.sub.Object != "" {
				p += "/" + c.sub.Object
			}
			f.answers[c.sub.Method+" "+p] = struct {
				status int
				body   string
			}{c.status, c.body}
			f.answers["HEAD "+acct+"/"+c.sub.Container] = struct {
				status int
				body   string
			}{c.bucket, ""}
			orig := httptest.NewRequest(c.sub.Method, "/", nil)
			if c.name == "broken mpu" {
				orig.Method = "GET"
			} else if c.name == "conflict" {
				orig.Method = "PUT"
			}
			cl := &Client{App: f, Ctx: context.Background(), Account: "AUTH_p", Orig: orig}
			s := c.sub
			r, err := cl.Check(&s)
			if r != nil {
				r.Discard()
			}
			if got := code(err); got != c.want {
				t.Errorf("got %q (%v), want %q", got, err, c.want)
			}
		})
	}
}

func code(err error) string {
	if e, ok := err.(*s3err.Error); ok {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestPath checks the quoting of subrequest paths and queries.
func TestPath(t *testing.T) {
	for _, c := range []struct {
		sub  Sub
		want string
	}{
		{Sub{}, "/v1/AUTH_p"},
		{Sub{Container: "b"}, "/v1/AUTH_p/b"},
		{Sub{Container: "b", Object: "dir/a b%c?d"}, "/v1/AUTH_p/b/dir/a%20b%25c%3Fd"},
		{Sub{Container: "b", Query: [][2]string{{"prefix", "a/b c"}, {"limit", "2"}}}, "/v1/AUTH_p/b?prefix=a%2Fb%20c&limit=2"},
	} {
		if got := c.sub.path("AUTH_p"); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// TestS3Headers checks the translation of Swift's response headers.
func TestS3Headers(t *testing.T) {
	src := http.Header{
		"Etag":                    {"abc"},
		"X-Object-Meta-Color":     {"blue"},
		"X-Object-Meta-Snake=5fx": {"1"},
		"Content-Type":            {"text/plain"},
		"X-Trans-Id":              {"tx"},
		"X-Timestamp":             {"1.0"},
		"X-Delete-At":             {"1700000000"},
		"X-Object-Sysmeta-Foo":    {"secret"},
	}
	dst := http.Header{}
	S3Headers(dst, src)
	want := map[string]string{"ETag": `"abc"`, "X-Amz-Meta-Color": "blue", "X-Amz-Meta-Snake_x": "1", "Content-Type": "text/plain",
		"X-Amz-Expiration": `expiry-date="Tue, 14 Nov 2023 22:13:20 GMT", rule-id="swift-object-expiration"`}
	for k, v := range want {
		if dst.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, dst.Get(k), v)
		}
	}
	if len(dst) != len(want) {
		t.Errorf("extra headers: %v", dst)
	}
	for _, c := range []struct {
		src  http.Header
		want string
	}{
		{http.Header{"Etag": {`"m"`}, "X-Static-Large-Object": {"True"}}, `"m-N"`},
		{http.Header{"Etag": {`"m"`}, "X-Static-Large-Object": {"True"}, "X-Object-Sysmeta-S3api-Etag": {"s3-2"}}, `"s3-2"`},
	} {
		d := http.Header{}
		S3Headers(d, c.src)
		if d.Get("ETag") != c.want {
			t.Errorf("ETag %q, want %q", d.Get("ETag"), c.want)
		}
	}
}

// TestListingParams checks the parameters a listing's hash and content
// type carry.
func TestListingParams(t *testing.T) {
	e := Entry{Hash: "abc; s3_etag=def-2; slo_etag=ghi", ContentType: "text/plain;swift_bytes=123", Bytes: 7}
	splitHashParams(&e)
	swiftBytes(&e)
	if e.Hash != "abc" || e.S3ETag != "def-2" || e.SLOETag != "ghi" || e.Bytes != 123 || e.ContentType != "text/plain" {
		t.Errorf("%+v", e)
	}
	f := Entry{Hash: "plain", ContentType: "a/b"}
	splitHashParams(&f)
	swiftBytes(&f)
	if f.Hash != "plain" || f.S3ETag != "" || !strings.HasPrefix(f.ContentType, "a/b") {
		t.Errorf("%+v", f)
	}
}
