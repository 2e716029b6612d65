package ops

import (
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/s3/backend"
	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
	"github.com/gostack/gostack/internal/objectstorage/s3/s3xml"
	"github.com/gostack/gostack/internal/objectstorage/s3/sig"
)

// passHeaders are the client headers an object PUT hands to Swift as
// they are.
var passHeaders = []string{"Content-Type", "Content-Encoding", "Content-Disposition", "Content-Language",
	"Cache-Control", "Expires", "Etag", "X-Delete-At", "X-Delete-After", "X-Robots-Tag"}

// MetaHeaders turns x-amz-meta-* into X-Object-Meta-*, skipping names
// AWS ignores. Underscores stay as they are: s3api writes them as "=5F"
// because WSGI cannot tell them from dashes, but "=" may not be in an
// HTTP header name, and Go keeps "_" intact.
func MetaHeaders(dst, src http.Header) {
	for k, vals := range src {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-amz-meta-") || strings.ContainsAny(lk, ` "),/;<=>?@[\]{}`) {
			continue
		}
		name := "X-Object-Meta-" + lk[len("x-amz-meta-"):]
		dst[name] = []string{strings.Join(vals, ",")}
	}
}

// swiftGetHeaders are the headers of a GET or HEAD passed to Swift.
var swiftGetHeaders = []string{"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"}

// responseOverrides are the response-* parameters of GET Object.
var responseOverrides = []string{"content-type", "content-language", "expires", "cache-control", "content-disposition", "content-encoding"}

// getObject is GET and HEAD Object.
func (c *Request) GetObject() error {
	h := http.Header{}
	for _, k := range swiftGetHeaders {
		if v, ok := c.R.Header[k]; ok {
			h[k] = v
		}
	}
	// ETag conditions are S3's to judge: a multipart upload's ETag is
	// not the one Swift keeps. The time conditions they override go too.
	ifMatch, ifNoneMatch := h.Get("If-Match"), h.Get("If-None-Match")
	h.Del("If-Match")
	h.Del("If-None-Match")
	if ifMatch != "" {
		h.Del("If-Unmodified-Since")
	}
	if ifNoneMatch != "" {
		h.Del("If-Modified-Since")
	}
	var q [][2]string
	if v, ok := c.Q.Get("versionId"); ok {
		if v != "null" {
			return s3err.NotImplemented("")
		}
		q = append(q, [2]string{"version-id", v})
	}
	part, err := c.PartNumber(-1, false)
	if err != nil {
		return err
	}
	if part > 0 {
		q = append(q, [2]string{"part-number", itoa(part)})
	}
	head := c.R.Method == http.MethodHead
	if head {
		// Swift ignores Range on HEAD; S3 answers it (below).
		h.Del("Range")
	}
	r, err := c.Check(&backend.Sub{Method: c.R.Method, Container: c.Bucket, Object: c.Key, Query: q, Header: h})
	if err != nil {
		return err
	}
	defer func() { r.Body.Close() }()
	var partRange string
	if part > 0 && r.StatusCode == http.StatusOK && swiftTrue(r.Header.Get("X-Static-Large-Object")) {
		// The large object middleware answered the whole object: the
		// part is a range of it, which its manifest gives.
		r.Discard()
		var count int
		if partRange, count, err = c.partRange(part); err != nil {
			return err
		}
		h.Set("Range", "bytes="+partRange)
		if head {
			h.Del("Range")
		}
		if r, err = c.Check(&backend.Sub{Method: c.R.Method, Container: c.Bucket, Object: c.Key, Query: q[:len(q)-1], Header: h}); err != nil {
			return err
		}
		c.W.Header().Set("x-amz-mp-parts-count", itoa(count))
	}
	out := c.W.Header()
	backend.S3Headers(out, r.Header)
	status := r.StatusCode
	if partRange != "" && head {
		// HEAD answers the part's length and place itself.
		a, b, _ := strings.Cut(partRange, "-")
		first, _ := strconv.ParseInt(a, 10, 64)
		last, _ := strconv.ParseInt(b, 10, 64)
		out.Set("Content-Range", "bytes "+partRange+"/"+out.Get("Content-Length"))
		out.Set("Content-Length", strconv.FormatInt(last-first+1, 10))
		status = http.StatusPartialContent
	}
	if status/100 == 2 {
		etag := out.Get("ETag")
		if ifMatch != "" && !etagMatches(ifMatch, etag) {
			return s3err.PreconditionFailed()
		}
		if ifNoneMatch != "" && etagMatches(ifNoneMatch, etag) {
			for _, k := range []string{"Content-Length", "Content-Range", "Content-Type", "Accept-Ranges"} {
				out.Del(k)
			}
			c.W.WriteHeader(http.StatusNotModified)
			return nil
		}
	}
	if part > 0 && !swiftTrue(r.Header.Get("X-Static-Large-Object")) {
		// Only part 1 of an object that is not multipart exists.
		if _, err := c.PartNumber(1, true); err != nil {
			return err
		}
		status = http.StatusPartialContent
		n, _ := strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64)
		out.Set("Content-Range", "bytes 0-"+strconv.FormatInt(n-1, 10)+"/"+strconv.FormatInt(n, 10))
	}
	if out.Get("x-amz-meta-deleted") != "" {
		return s3err.NoSuchKey(c.Key)
	}
	for _, k := range responseOverrides {
		if v, ok := c.Q.Get("response-" + k); ok {
			out.Set(k, v)
		}
	}
	if head {
		if rng := c.R.Header.Get("Range"); rng != "" && status == http.StatusOK {
			n, _ := strconv.ParseInt(out.Get("Content-Length"), 10, 64)
			if start, end, ok, unsat := SingleRange(rng, n); unsat {
				return s3err.InvalidRange()
			} else if ok {
				out.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end-1, 10)+"/"+strconv.FormatInt(n, 10))
				out.Set("Content-Length", strconv.FormatInt(end-start, 10))
				status = http.StatusPartialContent
			}
		}
		c.W.WriteHeader(status)
		return nil
	}
	c.W.WriteHeader(status)
	_, _ = io.Copy(c.W, r.Body) // a client gone mid-body ends the copy
	return nil
}

// partRange finds the byte range ("first-last") of part n of a
// multipart upload's object from its manifest, and the number of parts.
func (c *Request) partRange(n int) (string, int, error) {
	_, body, err := c.CheckAll(&backend.Sub{Method: "GET", Container: c.Bucket, Object: c.Key,
		Query: [][2]string{{"multipart-manifest", "get"}}}, 16<<20)
	if err != nil {
		return "", 0, err
	}
	var segs []struct {
		Bytes int64 `json:"bytes"`
	}
	if err := backend.JSON(body, &segs); err != nil {
		return "", 0, err
	}
	if _, err := c.PartNumber(len(segs), true); err != nil {
		return "", 0, err
	}
	var first int64
	for _, s := range segs[:n-1] {
		first += s.Bytes
	}
	return strconv.FormatInt(first, 10) + "-" + strconv.FormatInt(first+segs[n-1].Bytes-1, 10), len(segs), nil
}

// etagMatches reports whether an If-Match or If-None-Match list names
// etag (the ETag S3 shows): "*" names any. A made-up "<md5>-N" ETag of
// a large object also answers to the plain MD5, as in s3api.
func etagMatches(list, etag string) bool {
	etag = strings.Trim(etag, `"`)
	for _, v := range strings.Split(list, ",") {
		v = strings.Trim(strings.TrimPrefix(strings.TrimSpace(v), "W/"), `"`)
		if v == "*" || v == etag || strings.HasSuffix(etag, "-N") && v == strings.TrimSuffix(etag, "-N") {
			return true
		}
	}
	return false
}

func swiftTrue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on", "t", "y":
		return true
	}
	return false
}

// partNumber validates the partNumber parameter (validate_part_number):
// 0 when absent. With check, it must not exceed partsCount.
func (c *Request) PartNumber(partsCount int, check bool) (int, error) {
	v, ok := c.Q.Get("partNumber")
	if !ok {
		return 0, nil
	}
	if c.R.Header.Get("Range") != "" {
		return 0, s3err.InvalidRequest("Cannot specify both Range header and partNumber query parameter")
	}
	if partsCount < 0 {
		partsCount = c.Limits.MaxUploadPartNum
	}
	maxParts := max(c.Limits.MaxUploadPartNum, partsCount)
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, s3err.InvalidPartArgument(maxParts, v)
	}
	if check {
		if n > maxParts {
			return 0, s3err.InvalidPartArgument(maxParts, v)
		}
		if n > partsCount {
			return 0, s3err.InvalidPartNumber()
		}
	}
	return n, nil
}

// SingleRange reads a one-range "bytes=" header against a length as
// swob's Range.ranges_for_length: ok with [start, end) for a single
// satisfiable range, unsat when no range can be satisfied; a header it
// cannot parse or with several ranges is neither.
func SingleRange(v string, length int64) (start, end int64, ok, unsat bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, false
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, false
	}
	switch {
	case a == "":
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil {
			return 0, 0, false, false
		}
		if n == 0 || length == 0 {
			return 0, 0, false, true
		}
		return max(length-n, 0), length, true, false
	default:
		s, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return 0, 0, false, false
		}
		e := length - 1
		if b != "" {
			if e, err = strconv.ParseInt(b, 10, 64); err != nil || e < s {
				return 0, 0, false, false
			}
		}
		if s >= length {
			return 0, 0, false, true
		}
		return s, min(e+1, length), true, false
	}
}

// putObject is PUT Object and PUT Object (Copy).
func (c *Request) PutObject() error {
	if len(c.Key) > c.Limits.MaxObjectNameLength {
		return s3err.KeyTooLong()
	}
	_, hasSrc := c.R.Header["X-Amz-Copy-Source"]
	if hasSrc {
		if v := c.R.Header.Get("X-Amz-Copy-Source-Range"); v != "" {
			return s3err.InvalidArgument("x-amz-copy-source-range", v, "Illegal copy header")
		}
		if v := c.R.Header.Get("Range"); v != "" {
			return s3err.InvalidArgument("Range", v, "RANGE is not supported in Copy!")
		}
	}
	h := http.Header{}
	for _, k := range passHeaders {
		if v, ok := c.R.Header[k]; ok {
			h[k] = v
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "binary/octet-stream")
	}
	MetaHeaders(h, c.R.Header)
	if err := c.aclHeaders(http.Header{}); err != nil {
		return err
	}
	s := &backend.Sub{Method: "PUT", Container: c.Bucket, Object: c.Key, Header: h, Body: c.R.Body, Length: c.R.ContentLength}
	if hasSrc {
		src, err := c.CheckCopySource()
		if err != nil {
			return err
		}
		c.copyHeaders(h, src)
		s.Body, s.Length = nil, 0
	}
	r, err := c.Check(s)
	if err != nil {
		return err
	}
	r.Discard()
	out := c.W.Header()
	backend.S3Headers(out, r.Header)
	if hasSrc {
		for k := range out {
			if strings.HasPrefix(strings.ToLower(k), "x-amz-meta-") {
				delete(out, k)
			}
		}
		etag := out.Get("ETag")
		out.Del("ETag")
		body := s3xml.New("CopyObjectResult").El("LastModified", LastModified(r.Header)).El("ETag", etag).Bytes()
		return c.WriteXML(http.StatusOK, body)
	}
	return c.WriteEmpty(http.StatusOK)
}

// LastModified renders a response's Last-Modified as S3's XML does.
func LastModified(h http.Header) string {
	t, err := http.ParseTime(h.Get("Last-Modified"))
	if err != nil {
		t = time.Now()
	}
	return s3xml.Time(t)
}

// CopySource is the object an x-amz-copy-source names.
type CopySource struct {
	Bucket, Key, Version string
	// Head is the source's HEAD answer.
	Head *backend.Resp
}

// checkCopySource HEADs the source of a copy with its conditions
// (check_copy_source) and refuses a copy of an object onto itself that
// changes nothing.
func (c *Request) CheckCopySource() (*CopySource, error) {
	v := c.R.Header.Get("X-Amz-Copy-Source")
	p, qs, _ := strings.Cut(v, "?")
	src := &CopySource{}
	if qs != "" {
		q := sig.ParseQuery(qs).Sorted()
		if len(q) != 1 || q[0][0] != "versionId" {
			return nil, s3err.InvalidArgument("X-Amz-Copy-Source", v, "Unsupported copy source parameter.")
		}
		src.Version = q[0][1]
		if src.Version != "null" {
			return nil, s3err.NotImplemented("")
		}
	}
	p = strings.TrimPrefix(sig.Unquote(p), "/")
	src.Bucket, src.Key, _ = strings.Cut(p, "/")
	h := http.Header{}
	ifMatch := c.R.Header.Get("X-Amz-Copy-Source-If-Match")
	ifNoneMatch := c.R.Header.Get("X-Amz-Copy-Source-If-None-Match")
	if v := c.R.Header.Get("X-Amz-Copy-Source-If-Modified-Since"); v != "" && ifNoneMatch == "" {
		h.Set("If-Modified-Since", v)
	}
	if v := c.R.Header.Get("X-Amz-Copy-Source-If-Unmodified-Since"); v != "" && ifMatch == "" {
		h.Set("If-Unmodified-Since", v)
	}
	r, err := c.Check(&backend.Sub{Method: "HEAD", Container: src.Bucket, Object: src.Key, Header: h})
	if err != nil {
		return nil, err
	}
	r.Discard()
	if r.StatusCode == http.StatusNotModified {
		return nil, s3err.PreconditionFailed()
	}
	srcHeaders := http.Header{}
	backend.S3Headers(srcHeaders, r.Header)
	if ifMatch != "" && !etagMatches(ifMatch, srcHeaders.Get("ETag")) ||
		ifNoneMatch != "" && etagMatches(ifNoneMatch, srcHeaders.Get("ETag")) {
		return nil, s3err.PreconditionFailed()
	}
	src.Head = r
	if src.Bucket == c.Bucket && src.Key == c.Key && c.R.Header.Get("X-Amz-Metadata-Directive") != "REPLACE" && qs == "" {
		return nil, s3err.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	return src, nil
}

// copyHeaders turns a PUT into Swift's server-side copy: X-Copy-From
// the source; with REPLACE the new metadata replaces the source's, else
// the source's is kept and the request's dropped.
func (c *Request) copyHeaders(h http.Header, src *CopySource) {
	h.Set("X-Copy-From", "/"+QuotePath(src.Bucket)+"/"+QuotePath(src.Key))
	h.Del("Etag")
	if c.R.Header.Get("X-Amz-Metadata-Directive") == "REPLACE" {
		h.Set("X-Fresh-Metadata", "True")
		return
	}
	for _, k := range []string{"Content-Disposition", "Content-Encoding", "Content-Language", "Content-Type", "Expires", "Cache-Control", "X-Robots-Tag"} {
		h.Del(k)
	}
	for k := range h {
		if strings.HasPrefix(k, "X-Object-Meta-") {
			delete(h, k)
		}
	}
}

// QuotePath quotes an object path as Swift does in X-Copy-From.
func QuotePath(s string) string { return sig.Quote(s, "/") }

// deleteObject is DELETE Object: a multipart upload's manifest goes
// with its parts.
func (c *Request) DeleteObject() error {
	if v, ok := c.Q.Get("versionId"); ok && v != "null" {
		return s3err.NotImplemented("")
	}
	if err := c.deleteKey(c.Key); err != nil {
		if !s3err.Is(err, "NoSuchKey") {
			return err
		}
		if _, err := c.ContainerInfo(c.Bucket); err != nil {
			return err
		}
	}
	return c.WriteEmpty(http.StatusNoContent)
}

// deleteKey deletes one object, with its segments if it is a static
// large object (gen_multipart_manifest_delete_query).
func (c *Request) deleteKey(key string) error {
	var q [][2]string
	hr := c.Do(&backend.Sub{Method: "HEAD", Container: c.Bucket, Object: key, Query: [][2]string{{"symlink", "get"}}})
	hr.Discard()
	if hr.StatusCode/100 == 2 && swiftTrue(hr.Header.Get("X-Static-Large-Object")) {
		q = [][2]string{{"multipart-manifest", "delete"}}
	}
	r, err := c.Check(&backend.Sub{Method: "DELETE", Container: c.Bucket, Object: key, Query: q,
		Header: http.Header{"Accept": {"application/json"}}})
	if err != nil {
		return err
	}
	if len(q) > 0 && r.StatusCode == http.StatusOK {
		body := r.ReadAll(1 << 20)
		var res struct {
			Status string     `json:"Response Status"`
			Errors [][]string `json:"Errors"`
		}
		if backend.JSON(body, &res) == nil && len(res.Errors) > 0 {
			msg := []string{res.Status}
			for _, e := range res.Errors {
				msg = append(msg, strings.Join(e, ": "))
			}
			return &s3err.Error{Status: http.StatusInternalServerError, Code: "SLODeleteError", Message: strings.Join(msg, "\n")}
		}
		return nil
	}
	r.Discard()
	return nil
}

// maxObjectName bounds the size of a multi-delete body with the number
// of keys (s3api's two bytes per name character of slop).
const maxObjectName = 1024

// deleteObjects is POST Bucket ?delete (Delete Multiple Objects).
func (c *Request) DeleteObjects() error {
	limit := min(int64(2*c.Limits.MaxMultiDeleteObjects*maxObjectName), 10<<20)
	body, err := c.ReadXML(limit)
	if err != nil {
		return err
	}
	if body == nil {
		return s3err.MissingRequestBody()
	}
	if err := c.requireMD5(body); err != nil {
		return err
	}
	var d struct {
		Quiet   string `xml:"Quiet"`
		Objects []struct {
			Key       *string `xml:"Key"`
			VersionID *string `xml:"VersionId"`
		} `xml:"Object"`
	}
	if err := s3xml.Parse(body, "Delete", &d); err != nil {
		return err
	}
	if len(d.Objects) == 0 {
		// The schema wants at least one Object.
		return s3err.MalformedXML()
	}
	type item struct{ key, version string }
	var items []item
	for _, o := range d.Objects {
		if o.Key == nil {
			return s3err.MalformedXML()
		}
		if *o.Key == "" {
			return s3err.UserKeyMustBeSpecified()
		}
		it := item{key: *o.Key}
		if o.VersionID != nil {
			it.version = *o.VersionID
		}
		items = append(items, it)
	}
	if len(items) > c.Limits.MaxMultiDeleteObjects {
		return s3err.MalformedXML()
	}
	quiet := strings.ToLower(strings.TrimSpace(d.Quiet)) == "true"
	out := s3xml.New("DeleteResult")
	if _, err := c.ContainerInfo(c.Bucket); err != nil {
		if e, ok := err.(*s3err.Error); ok && e.Code == "AccessDenied" {
			for _, it := range items {
				out.Open("Error").El("Key", it.key)
				if it.version != "" {
					out.El("VersionId", it.version)
				}
				out.El("Code", e.Code).El("Message", e.Message).Close()
			}
			return c.WriteXML(http.StatusOK, out.Bytes())
		}
		return err
	}
	for _, it := range items {
		if it.version != "" && it.version != "null" {
			return s3err.NotImplemented("")
		}
	}
	// A few deletes at a time, answered in the order asked.
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := c.deleteKey(it.key); err != nil && !s3err.Is(err, "NoSuchKey") {
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	for i, it := range items {
		if err := errs[i]; err != nil {
			code, msg := "InternalError", "We encountered an internal error. Please try again."
			if e, ok := err.(*s3err.Error); ok {
				code, msg = e.Code, e.Message
			}
			out.Open("Error").El("Key", it.key).El("Code", code).El("Message", msg).Close()
		} else if !quiet {
			out.Open("Deleted").El("Key", it.key).Close()
		}
	}
	return c.WriteXML(http.StatusOK, out.Bytes())
}

// requireMD5 is require_md5: a multi-delete must carry Content-MD5 (or a
// checksum header), and the MD5 must match.
func (c *Request) requireMD5(body []byte) error {
	md := c.R.Header.Get("Content-Md5")
	if md == "" {
		for k := range c.R.Header {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "x-amz-checksum-") && lk != "x-amz-checksum-algorithm" && lk != "x-amz-checksum-type" {
				return nil
			}
		}
		return s3err.InvalidRequest("Missing required header for this request: Content-MD5 OR x-amz-checksum-*")
	}
	sum := md5.Sum(body)
	if base64.StdEncoding.EncodeToString(sum[:]) != md {
		return s3err.BadDigest("").With("ExpectedDigest", md)
	}
	return nil
}
