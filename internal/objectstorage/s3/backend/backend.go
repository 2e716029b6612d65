// Package backend makes the Swift subrequests of an S3 request: it sends
// them to the Swift API as the S3 caller, maps Swift's failures to the S3
// errors s3api gives (_get_response), reads container listings, and
// translates Swift's response headers into S3's.
package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// SegmentsSuffix names the container that holds a bucket's multipart
// uploads and their parts (s3api's MULTIUPLOAD_SUFFIX).
const SegmentsSuffix = "+segments"

// S3ETagSysmeta is where a completed multipart upload keeps its S3 ETag.
const S3ETagSysmeta = "X-Object-Sysmeta-S3api-Etag"

// Client makes the subrequests of one S3 request.
type Client struct {
	// App is the Swift API; Ctx carries the caller and the transaction
	// id; Account is the caller's account.
	App     http.Handler
	Ctx     context.Context
	Account string
	// Orig is the client's request (its X-Delete-At headers name
	// themselves in errors).
	Orig *http.Request
	// BodyErr, when set, points at the error that stopped the request
	// body's reader: that is the answer to a failed upload, whatever the
	// proxy made of it.
	BodyErr *error
}

// maxErrorBody bounds how much of a Swift error body is read to map it.
const maxErrorBody = 64 << 10

// Sub is one Swift subrequest.
type Sub struct {
	Method    string
	Container string
	Object    string
	Query     [][2]string // in order
	Header    http.Header
	Body      io.Reader
	Length    int64 // -1: chunked
}

// path is the quoted Swift path of s in account.
func (s *Sub) path(account string) string {
	p := "/v1/" + swift.Quote(account, "") + "/"
	if s.Container != "" {
		p += swift.Quote(s.Container, "")
		if s.Object != "" {
			p += "/" + swift.Quote(s.Object, "/")
		}
	} else {
		p = p[:len(p)-1]
	}
	if len(s.Query) > 0 {
		var q []string
		for _, kv := range s.Query {
			q = append(q, swift.Quote(kv[0], "")+"="+swift.Quote(kv[1], ""))
		}
		p += "?" + strings.Join(q, "&")
	}
	return p
}

// Resp is a Swift response; Body streams until closed.
type Resp struct {
	*http.Response
}

// Do sends s to the Swift API as the caller of c. The caller must close
// the body (ReadAll, Discard and the error mappers do).
func (c *Client) Do(s *Sub) *Resp {
	body := s.Body
	if body == nil {
		body = http.NoBody
		s.Length = 0
	}
	req := swift.NewSubrequest(c.Ctx, s.Method, s.path(c.Account), nil)
	req.Body = io.NopCloser(body)
	if s.Length >= 0 {
		req.ContentLength = s.Length
		req.TransferEncoding = nil
		req.Header.Set("Content-Length", strconv.FormatInt(s.Length, 10))
	} else {
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
		req.Header.Del("Content-Length")
	}
	for k, v := range s.Header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", "S3")
	return &Resp{swift.Subrequest(c.Ctx, c.App, req)}
}

// ReadAll reads (a bounded amount of) the body and closes it.
func (r *Resp) ReadAll(limit int64) []byte {
	defer r.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(r.Body, limit))
	return b
}

// Discard drains and closes the body so the handler finishes.
func (r *Resp) Discard() {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	r.Body.Close()
}

// successCodes are the Swift statuses s3api takes as success for a
// method on an account, container or object (_swift_success_codes).
func successCode(method string, container, object bool, status int) bool {
	switch {
	case !container:
		return method == "GET" && status == 200
	case !object:
		switch method {
		case "HEAD", "POST", "DELETE":
			return status == 204
		case "GET":
			return status == 200 || status == 204
		case "PUT":
			return status == 201
		}
	default:
		switch method {
		case "HEAD", "GET":
			return status == 200 || status == 206 || status == 304
		case "PUT":
			return status == 201 || status == 202
		case "POST":
			return status == 202
		case "DELETE":
			return status == 200 || status == 204
		}
	}
	return false
}

// Check runs s and maps a Swift failure to the S3 error s3api gives
// (_get_response); on success the response is returned open.
func (c *Client) Check(s *Sub) (*Resp, error) {
	r := c.Do(s)
	if err := c.MapStatus(s, r); err != nil {
		return nil, err
	}
	return r, nil
}

// CheckAll runs s and reads the body of its success.
func (c *Client) CheckAll(s *Sub, limit int64) (*Resp, []byte, error) {
	r, err := c.Check(s)
	if err != nil {
		return nil, nil, err
	}
	return r, r.ReadAll(limit), nil
}

// MapStatus returns nil for a success of s, else closes r and returns
// the S3 error.
func (c *Client) MapStatus(s *Sub, r *Resp) error {
	status := r.StatusCode
	isC, isO := s.Container != "", s.Object != ""
	if successCode(s.Method, isC, isO, status) {
		return nil
	}
	body := r.ReadAll(maxErrorBody)
	// A body that failed its own checks is the answer, whatever the
	// proxy made of the broken upload.
	if c.BodyErr != nil && *c.BodyErr != nil {
		return *c.BodyErr
	}
	if e := c.mapCode(s, status, body); e != nil {
		return e
	}
	switch status {
	case http.StatusBadRequest:
		msg := string(body)
		if strings.Contains(msg, "X-Delete-At") {
			return s3err.InvalidArgument("X-Delete-At", c.Orig.Header.Get("X-Delete-At"), msg)
		}
		if strings.Contains(msg, "X-Delete-After") {
			return s3err.InvalidArgument("X-Delete-After", c.Orig.Header.Get("X-Delete-After"), msg)
		}
		return s3err.InvalidRequest(msg)
	case http.StatusUnauthorized:
		return s3err.SignatureDoesNotMatch()
	case http.StatusForbidden:
		return s3err.AccessDenied("")
	case http.StatusRequestedRangeNotSatisfiable:
		return s3err.InvalidRange()
	case http.StatusServiceUnavailable:
		return s3err.ServiceUnavailable()
	case http.StatusTooManyRequests, 498:
		return s3err.SlowDown()
	case http.StatusConflict:
		if c.Orig.Method == "GET" {
			return s3err.BrokenMPU()
		}
		return s3err.ServiceUnavailable()
	}
	return s3err.InternalError("unexpected status code " + strconv.Itoa(status)).WithCause(errorf("%s %s: %d %s", s.Method, s.path(c.Account), status, body))
}

// mapCode is _swift_error_codes: the statuses with a specific meaning
// for a method on a container or an object.
func (c *Client) mapCode(s *Sub, status int, body []byte) error {
	quota := func(e *s3err.Error) error {
		if bytes.Contains(body, []byte("quota")) {
			e.Message = string(body)
		}
		return e
	}
	switch {
	case s.Container == "":
		return nil
	case s.Object == "":
		switch {
		case status == 404 && s.Method != "PUT":
			return s3err.NoSuchBucket(s.Container)
		case status == 202 && s.Method == "PUT":
			// Buckets live in the caller's own account, so an existing
			// one is always the caller's.
			return s3err.BucketAlreadyOwnedByYou(s.Container)
		case status == 409 && s.Method == "DELETE":
			return s3err.BucketNotEmpty()
		}
		return nil
	}
	switch s.Method {
	case "HEAD", "GET", "POST":
		switch status {
		case 404:
			return c.notFound(s)
		case 412:
			return s3err.PreconditionFailed()
		}
	case "PUT":
		switch status {
		case 404:
			return s3err.NoSuchBucket(s.Container)
		case 422:
			return s3err.BadDigest("").With("ExpectedDigest", s.Header.Get("Etag"))
		case 413:
			return quota(s3err.EntityTooLarge())
		case 411:
			return s3err.MissingContentLength()
		case 408, 499:
			return s3err.RequestTimeout()
		case 412:
			return s3err.PreconditionFailed()
		}
	case "DELETE":
		if status == 404 {
			return s3err.NoSuchKey(s.Object)
		}
	}
	return nil
}

// notFound tells a missing key from a missing bucket, as s3api's
// not_found_handler does.
func (c *Client) notFound(s *Sub) error {
	if strings.HasSuffix(s.Container, SegmentsSuffix) {
		return s3err.NoSuchKey(s.Object)
	}
	r := c.Do(&Sub{Method: "HEAD", Container: s.Container})
	r.Discard()
	if r.StatusCode/100 == 2 {
		return s3err.NoSuchKey(s.Object)
	}
	return s3err.NoSuchBucket(s.Container)
}

// ContainerInfo HEADs the bucket (get_container_info): NoSuchBucket when
// it is missing.
func (c *Client) ContainerInfo(container string) (http.Header, error) {
	r := c.Do(&Sub{Method: "HEAD", Container: container})
	r.Discard()
	switch {
	case r.StatusCode/100 == 2:
		return r.Header, nil
	case r.StatusCode == 404:
		return nil, s3err.NoSuchBucket(container)
	case r.StatusCode == 503:
		return nil, s3err.ServiceUnavailable()
	case r.StatusCode == 401:
		return nil, s3err.SignatureDoesNotMatch()
	case r.StatusCode == 403:
		return nil, s3err.AccessDenied("")
	}
	return nil, s3err.InternalError("unexpected status code " + strconv.Itoa(r.StatusCode))
}

// Entry is one entry of a JSON container listing.
type Entry struct {
	Name         string `json:"name"`
	Subdir       string `json:"subdir"`
	Hash         string `json:"hash"`
	Bytes        int64  `json:"bytes"`
	ContentType  string `json:"content_type"`
	LastModified string `json:"last_modified"`
	S3ETag       string `json:"s3_etag"`
	SLOETag      string `json:"slo_etag"`
}

// List GETs one page of a JSON container listing.
func (c *Client) List(container string, q [][2]string) ([]Entry, error) {
	q = append([][2]string{{"format", "json"}}, q...)
	_, body, err := c.CheckAll(&Sub{Method: "GET", Container: container, Query: q}, 64<<20)
	if err != nil {
		return nil, err
	}
	var out []Entry
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, s3err.InternalError("").WithCause(err)
	}
	for i := range out {
		splitHashParams(&out[i])
		swiftBytes(&out[i])
	}
	return out, nil
}

// splitHashParams moves the parameters a container listing's hash may
// carry ("<md5>; s3_etag=<etag>; slo_etag=<etag>", written through
// X-Object-Sysmeta-Container-Update-Override-Etag) into their fields, as
// Swift's listing formatter does.
func splitHashParams(l *Entry) {
	h, params, ok := strings.Cut(l.Hash, ";")
	if !ok {
		return
	}
	l.Hash = strings.TrimSpace(h)
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch k {
		case "s3_etag":
			l.S3ETag = v
		case "slo_etag":
			l.SLOETag = v
		}
	}
}

// swiftBytes takes a large object's size from the swift_bytes parameter
// of its listed content type, as Swift's container server does when it
// lists (override_bytes_from_content_type).
func swiftBytes(l *Entry) {
	i := strings.Index(l.ContentType, ";swift_bytes=")
	if i < 0 {
		return
	}
	v := l.ContentType[i+len(";swift_bytes="):]
	rest := ""
	if j := strings.IndexByte(v, ';'); j >= 0 {
		v, rest = v[:j], v[j:]
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		l.Bytes = n
	}
	l.ContentType = l.ContentType[:i] + rest
}

// S3Headers translates the headers of a Swift response into S3's
// (translate_swift_to_s3), dropping everything S3 does not have, and
// returns the stored S3 ETag of a multipart object and whether the
// object is a static large object.
func S3Headers(dst, src http.Header) {
	slo := swift.TrueValue(src.Get("X-Static-Large-Object"))
	for k, vals := range src {
		if len(vals) == 0 {
			continue
		}
		v := vals[0]
		lk := strings.ToLower(k)
		switch {
		case strings.HasPrefix(lk, "x-object-meta-"):
			dst.Set("x-amz-meta-"+strings.ReplaceAll(lk[len("x-object-meta-"):], "=5f", "_"), v)
		case lk == "accept-ranges", lk == "content-length", lk == "content-type", lk == "content-range",
			lk == "content-encoding", lk == "content-disposition", lk == "content-language",
			lk == "last-modified", lk == "x-robots-tag", lk == "cache-control", lk == "expires":
			dst[k] = vals
		case lk == "etag":
			dst.Set("ETag", QuoteETag(v))
		case lk == "x-object-version-id":
			dst.Set("x-amz-version-id", v)
		case lk == "x-parts-count":
			dst.Set("x-amz-mp-parts-count", v)
		case lk == "x-delete-at":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				dst.Set("x-amz-expiration", `expiry-date="`+httpDate(n)+`", rule-id="swift-object-expiration"`)
			}
		}
	}
	// Multipart uploads carry AWS's ETag "<md5 of part md5s>-<parts>";
	// other large objects get "-N", which tells clients not to check the
	// body's MD5 against it.
	if e := src.Get(S3ETagSysmeta); e != "" {
		dst.Set("ETag", QuoteETag(e))
	} else if slo && dst.Get("ETag") != "" {
		dst.Set("ETag", QuoteETag(strings.Trim(dst.Get("ETag"), `"`)+"-N"))
	}
}

// QuoteETag puts an ETag in double quotes.
func QuoteETag(e string) string {
	return `"` + strings.Trim(e, `"`) + `"`
}

// httpDate renders Unix seconds as an HTTP date.
func httpDate(n int64) string {
	return time.Unix(n, 0).UTC().Format(http.TimeFormat)
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }

// JSON decodes a Swift JSON body; a body that is not is S3's internal
// error.
func JSON(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return s3err.InternalError("").WithCause(err)
	}
	return nil
}
