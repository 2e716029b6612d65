// Package multipart serves S3's multipart uploads as Swift's s3api does:
// an upload is a marker object "<key>/<upload id>" in the bucket's
// "<bucket>+segments" container, its parts are objects
// "<key>/<upload id>/<part number>" there, and completing it writes a
// static large object (through the SLO middleware) whose ETag is AWS's
// "<md5 of the parts' md5s>-<count>".
package multipart

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/s3/backend"
	"github.com/gostack/gostack/internal/objectstorage/s3/ops"
	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
	"github.com/gostack/gostack/internal/objectstorage/s3/s3xml"
)

// The sysmeta a multipart upload's marker and manifest carry.
const (
	uploadIDSysmeta       = "X-Object-Sysmeta-S3api-Upload-Id"
	hasContentTypeSysmeta = "X-Object-Sysmeta-S3api-Has-Content-Type"
	contentTypeSysmeta    = "X-Object-Sysmeta-S3api-Content-Type"
	etagOverride          = "X-Object-Sysmeta-Container-Update-Override-Etag"
)

// maxCompleteBody bounds a CompleteMultipartUpload document.
const maxCompleteBody = 2048 * 1024

// newUploadID is s3api's unique_id: a UUID4's text in URL-safe base64.
func newUploadID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand never fails on Linux
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	s := fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
	return base64.URLEncoding.EncodeToString([]byte(s))
}

// uploadInfo finds an upload: its marker "<key>/<id>" in the segments
// container, else the completed object whose sysmeta names it
// (_get_upload_info). marker says which was found.
func uploadInfo(c *ops.Request, id string) (r *backend.Resp, marker bool, err error) {
	seg := c.Bucket + backend.SegmentsSuffix
	r, err = c.Check(&backend.Sub{Method: "HEAD", Container: seg, Object: c.Key + "/" + id})
	if err == nil {
		r.Discard()
		return r, true, nil
	}
	if !s3err.Is(err, "NoSuchKey") {
		return nil, false, err
	}
	r, err = c.Check(&backend.Sub{Method: "HEAD", Container: c.Bucket, Object: c.Key})
	if err == nil {
		r.Discard()
		if r.Header.Get(uploadIDSysmeta) == id {
			return r, false, nil
		}
	} else if !s3err.Is(err, "NoSuchKey") {
		return nil, false, err
	}
	return nil, false, s3err.NoSuchUpload(id)
}

// Initiate is POST Object ?uploads (CreateMultipartUpload).
func Initiate(c *ops.Request) error {
	if err := ops.ObjectOp(c); err != nil {
		return err
	}
	if _, err := c.ContainerInfo(c.Bucket); err != nil {
		return err
	}
	if len(c.Key) > c.Limits.MaxObjectNameLength {
		return s3err.KeyTooLong()
	}
	id := newUploadID()
	seg := c.Bucket + backend.SegmentsSuffix
	h := http.Header{}
	for _, k := range []string{"Content-Encoding", "Content-Disposition", "Content-Language", "Cache-Control", "Expires"} {
		if v, ok := c.R.Header[k]; ok {
			h[k] = v
		}
	}
	ops.MetaHeaders(h, c.R.Header)
	if ct := c.R.Header.Get("Content-Type"); ct != "" {
		h.Set(hasContentTypeSysmeta, "yes")
		h.Set(contentTypeSysmeta, ct)
	} else {
		h.Set(hasContentTypeSysmeta, "no")
	}
	h.Set("Content-Type", "application/directory")
	if _, err := c.ContainerInfo(seg); s3err.Is(err, "NoSuchBucket") {
		// The segments container takes the bucket's policy and ACLs.
		info, err := c.ContainerInfo(c.Bucket)
		if err != nil {
			return err
		}
		ch := http.Header{}
		for _, k := range []string{"X-Storage-Policy", "X-Container-Read", "X-Container-Write"} {
			if v := info.Get(k); v != "" {
				ch.Set(k, v)
			}
		}
		r, err := c.Check(&backend.Sub{Method: "PUT", Container: seg, Header: ch})
		if err != nil && !s3err.Is(err, "BucketAlreadyOwnedByYou") {
			return err
		}
		if r != nil {
			r.Discard()
		}
	} else if err != nil {
		return err
	}
	r, err := c.Check(&backend.Sub{Method: "PUT", Container: seg, Object: c.Key + "/" + id, Header: h})
	if err != nil {
		return err
	}
	r.Discard()
	d := s3xml.New("InitiateMultipartUploadResult").El("Bucket", c.Bucket).El("Key", c.Key).El("UploadId", id)
	return c.WriteXML(http.StatusOK, d.Bytes())
}

// UploadPart is PUT Object ?partNumber&uploadId (UploadPart and
// UploadPartCopy).
func UploadPart(c *ops.Request) error {
	if err := ops.ObjectOp(c); err != nil {
		return err
	}
	if _, err := c.ContainerInfo(c.Bucket); err != nil {
		return err
	}
	id, ok := c.Q.Get("uploadId")
	if !ok {
		return s3err.InvalidArgument("ResourceType", "partNumber", "Unexpected query string parameter")
	}
	part, err := c.PartNumber(-1, true)
	if err != nil {
		return err
	}
	if _, _, err := uploadInfo(c, id); err != nil {
		return err
	}
	h := http.Header{}
	for _, k := range []string{"Etag", "Content-Type"} {
		if v, ok := c.R.Header[k]; ok {
			h[k] = v
		}
	}
	s := &backend.Sub{Method: "PUT", Container: c.Bucket + backend.SegmentsSuffix, Object: c.Key + "/" + id + "/" + strconv.Itoa(part),
		Header: h, Body: c.R.Body, Length: c.R.ContentLength}
	_, isCopy := c.R.Header["X-Amz-Copy-Source"]
	if isCopy {
		// The part is the copy's target, so a copy "onto itself" is
		// never one here.
		bucket, key := c.Bucket, c.Key
		c.Bucket, c.Key = s.Container, s.Object
		src, err := c.CheckCopySource()
		c.Bucket, c.Key = bucket, key
		if err != nil {
			return err
		}
		h.Set("X-Copy-From", "/"+ops.QuotePath(src.Bucket)+"/"+ops.QuotePath(src.Key))
		h.Del("Etag")
		if rng := c.R.Header.Get("X-Amz-Copy-Source-Range"); rng != "" {
			size, _ := strconv.ParseInt(src.Head.Header.Get("Content-Length"), 10, 64)
			msg := "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"
			if !validCopyRange(rng) {
				return s3err.InvalidArgument("x-amz-source-range", rng, msg)
			}
			if _, _, ok, _ := ops.SingleRange(rng, size); !ok {
				return s3err.InvalidArgument("x-amz-source-range", rng, "Range specified is not valid for source object of size: "+strconv.FormatInt(size, 10))
			}
			h.Set("Range", rng)
		}
		// A part is a plain object, whatever the source was.
		for _, k := range []string{backend.S3ETagSysmeta, "X-Object-Sysmeta-Slo-Etag", "X-Object-Sysmeta-Slo-Size", etagOverride} {
			h.Set(k, "")
		}
		s.Body, s.Length = nil, 0
	}
	r, err := c.Check(s)
	if err != nil {
		return err
	}
	r.Discard()
	out := c.W.Header()
	if isCopy {
		d := s3xml.New("CopyPartResult").El("LastModified", ops.LastModified(r.Header)).El("ETag", backend.QuoteETag(r.Header.Get("Etag")))
		return c.WriteXML(http.StatusOK, d.Bytes())
	}
	backend.S3Headers(out, r.Header)
	return c.WriteEmpty(http.StatusOK)
}

var copyRange = regexp.MustCompile(`^bytes=\d*-\d*$`)

// validCopyRange accepts one "bytes=first-last" range.
func validCopyRange(v string) bool {
	return copyRange.MatchString(strings.TrimSpace(v)) && v != "bytes=-"
}

// parts lists the parts of an upload in the segments container.
func parts(c *ops.Request, id string) ([]backend.Entry, error) {
	seg := c.Bucket + backend.SegmentsSuffix
	prefix := c.Key + "/" + id + "/"
	var all []backend.Entry
	marker := ""
	for {
		page, err := c.List(seg, [][2]string{{"prefix", prefix}, {"delimiter", "/"}, {"marker", marker}})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return all, nil
		}
		all = append(all, page...)
		marker = page[len(page)-1].Name
		if marker == "" {
			marker = page[len(page)-1].Subdir
		}
	}
}

// partNum is the part number a segment name ends with.
func partNum(name string) (int, bool) {
	n, err := strconv.Atoi(path.Base(name))
	return n, err == nil
}

// ListParts is GET Object ?uploadId (ListParts).
func ListParts(c *ops.Request) error {
	if err := ops.ObjectOp(c); err != nil {
		return err
	}
	if _, err := c.ContainerInfo(c.Bucket); err != nil {
		return err
	}
	enc, hasEnc := c.Q.Get("encoding-type")
	if hasEnc && enc != "url" {
		return s3err.InvalidArgument("encoding-type", enc, "Invalid Encoding Method specified in Request")
	}
	id, _ := c.Q.Get("uploadId")
	if _, _, err := uploadInfo(c, id); err != nil {
		return err
	}
	maxParts, err := c.IntParam("max-parts", 1000, c.Limits.MaxPartsListing)
	if err != nil {
		return err
	}
	marker, err := c.IntParam("part-number-marker", 0, ops.MaxInt32)
	if err != nil {
		return err
	}
	all, err := parts(c, id)
	if err != nil {
		return err
	}
	var ps []backend.Entry
	for _, p := range all {
		if n, ok := partNum(p.Name); ok && n > marker {
			ps = append(ps, p)
		}
	}
	sort.SliceStable(ps, func(i, j int) bool {
		a, _ := partNum(ps[i].Name)
		b, _ := partNum(ps[j].Name)
		return a < b
	})
	truncated := len(ps) > maxParts
	if truncated {
		ps = ps[:maxParts]
	}
	next := "0"
	if len(ps) > 0 {
		next = path.Base(ps[len(ps)-1].Name)
	}
	key := c.Key
	if enc == "url" {
		key = ops.QuotePath(key)
	}
	d := s3xml.New("ListPartsResult").El("Bucket", c.Bucket).El("Key", key).El("UploadId", id).
		Owner("Initiator", c.UserID).Owner("Owner", c.UserID).El("StorageClass", "STANDARD").
		El("PartNumberMarker", strconv.Itoa(marker)).El("NextPartNumberMarker", next).El("MaxParts", strconv.Itoa(maxParts))
	if hasEnc {
		d.El("EncodingType", enc)
	}
	d.El("IsTruncated", strconv.FormatBool(truncated))
	for _, p := range ps {
		d.Open("Part").El("PartNumber", path.Base(p.Name)).El("LastModified", s3xml.ListingTime(p.LastModified)).
			El("ETag", `"`+p.Hash+`"`).El("Size", strconv.FormatInt(p.Bytes, 10)).Close()
	}
	return c.WriteXML(http.StatusOK, d.Bytes())
}

// Abort is DELETE Object ?uploadId: the marker and every part go.
func Abort(c *ops.Request) error {
	if err := ops.ObjectOp(c); err != nil {
		return err
	}
	if _, err := c.ContainerInfo(c.Bucket); err != nil {
		return err
	}
	id, _ := c.Q.Get("uploadId")
	if _, _, err := uploadInfo(c, id); err != nil {
		return err
	}
	seg := c.Bucket + backend.SegmentsSuffix
	r, err := c.Check(&backend.Sub{Method: "DELETE", Container: seg, Object: c.Key + "/" + id})
	if err != nil {
		return err
	}
	r.Discard()
	ps, err := parts(c, id)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.Name == "" {
			continue
		}
		r, err := c.Check(&backend.Sub{Method: "DELETE", Container: seg, Object: p.Name})
		if err != nil && !s3err.Is(err, "NoSuchKey") {
			return err
		}
		if r != nil {
			r.Discard()
		}
	}
	return c.WriteEmpty(http.StatusNoContent)
}

// manifestEntry is one segment of the SLO manifest a completed upload
// becomes.
type manifestEntry struct {
	Path      string `json:"path"`
	ETag      string `json:"etag"`
	SizeBytes int64  `json:"size_bytes"`
}

// Complete is POST Object ?uploadId (CompleteMultipartUpload): the
// parts become a static large object whose ETag is AWS's
// "<md5 of the parts' md5s>-<count>".
func Complete(c *ops.Request) error {
	if err := ops.ObjectOp(c); err != nil {
		return err
	}
	if _, err := c.ContainerInfo(c.Bucket); err != nil {
		return err
	}
	id, _ := c.Q.Get("uploadId")
	h := c.R.Header
	if (h.Get("If-None-Match") != "" && h.Get("If-None-Match") != "*") || h.Get("If-Match") != "" ||
		h.Get("If-Modified-Since") != "" || h.Get("If-Unmodified-Since") != "" {
		return s3err.NotImplemented("Conditional uploads are not supported.")
	}
	info, _, err := uploadInfo(c, id)
	if err != nil {
		return err
	}
	mh := http.Header{"Accept": {"application/json"}}
	mh.Set(uploadIDSysmeta, id)
	for k, v := range info.Header {
		lk := strings.ToLower(k)
		switch {
		case strings.HasPrefix(lk, "x-object-meta-"):
			mh[k] = v
		case lk == "content-encoding", lk == "content-language", lk == "content-disposition", lk == "expires", lk == "cache-control":
			mh[k] = v
		}
	}
	switch info.Header.Get(hasContentTypeSysmeta) {
	case "yes":
		mh.Set("Content-Type", info.Header.Get(contentTypeSysmeta))
	case "no":
	default:
		if ct := info.Header.Get("Content-Type"); ct != "" {
			mh.Set("Content-Type", ct)
		}
	}

	body, err := c.ReadXML(maxCompleteBody)
	if err != nil {
		return err
	}
	if body == nil {
		return s3err.InvalidRequest("You must specify at least one part")
	}
	if md := c.R.Header.Get("Content-Md5"); md != "" {
		sum := md5.Sum(body)
		if base64.StdEncoding.EncodeToString(sum[:]) != md {
			return s3err.BadDigest("").With("ExpectedDigest", md)
		}
	}
	var doc struct {
		Parts []struct {
			PartNumber *string `xml:"PartNumber"`
			ETag       *string `xml:"ETag"`
		} `xml:"Part"`
	}
	if err := s3xml.Parse(body, "CompleteMultipartUpload", &doc); err != nil {
		return err
	}
	if len(doc.Parts) == 0 {
		return s3err.MalformedXML()
	}
	// The document is checked whole first (order, ETag forms), then the
	// parts against what was uploaded, as s3api before SLO does.
	type wanted struct {
		num  int
		etag string
	}
	var want []wanted
	hasher := md5.New()
	prev := 0
	for _, p := range doc.Parts {
		if p.PartNumber == nil || p.ETag == nil {
			return s3err.MalformedXML()
		}
		n, err := strconv.Atoi(strings.TrimSpace(*p.PartNumber))
		if err != nil {
			return s3err.MalformedXML()
		}
		if n <= prev {
			return s3err.InvalidPartOrder(id)
		}
		prev = n
		etag := strings.Trim(strings.TrimSpace(*p.ETag), `"`)
		raw, err := hex.DecodeString(etag)
		if len(etag) != 32 || err != nil || strings.ToLower(etag) != etag {
			return s3err.InvalidPart(id, "PartNumber", strconv.Itoa(n), "ETag", etag)
		}
		hasher.Write(raw)
		want = append(want, wanted{n, etag})
	}
	stored, err := parts(c, id)
	if err != nil {
		return err
	}
	byNum := map[int]backend.Entry{}
	for _, p := range stored {
		if n, ok := partNum(p.Name); ok {
			byNum[n] = p
		}
	}
	seg := c.Bucket + backend.SegmentsSuffix
	manifest := make([]manifestEntry, 0, len(want))
	for i, w := range want {
		got, ok := byNum[w.num]
		if !ok || got.Hash != w.etag {
			return s3err.InvalidPart(id)
		}
		if i < len(want)-1 && got.Bytes < c.Limits.MinSegmentSize {
			return s3err.EntityTooSmall("")
		}
		manifest = append(manifest, manifestEntry{Path: "/" + seg + "/" + got.Name, ETag: w.etag, SizeBytes: got.Bytes})
	}
	s3ETag := hex.EncodeToString(hasher.Sum(nil)) + "-" + strconv.Itoa(len(manifest))
	if done := info.Header.Get(backend.S3ETagSysmeta); done == s3ETag {
		// A retried completion of the same parts: the work is done.
		return c.WriteXML(http.StatusOK, completeBody(c, s3ETag))
	} else if done != "" {
		return s3err.NoSuchUpload(id)
	}
	mh.Set(backend.S3ETagSysmeta, s3ETag)
	mh.Set(etagOverride, "; s3_etag="+s3ETag)
	mbody, _ := json.Marshal(manifest)
	r := c.Do(&backend.Sub{Method: "PUT", Container: c.Bucket, Object: c.Key, Query: [][2]string{{"multipart-manifest", "put"}},
		Header: mh, Body: strings.NewReader(string(mbody)), Length: int64(len(mbody))})
	if r.StatusCode == http.StatusBadRequest {
		return manifestError(c, id, r.ReadAll(1<<20))
	}
	if err := c.MapStatus(&backend.Sub{Method: "PUT", Container: c.Bucket, Object: c.Key}, r); err != nil {
		return err
	}
	r.Discard()
	mr, err := c.Check(&backend.Sub{Method: "DELETE", Container: seg, Object: c.Key + "/" + id})
	if err != nil && !s3err.Is(err, "NoSuchKey") {
		return err
	}
	if mr != nil {
		mr.Discard()
	}
	return c.WriteXML(http.StatusOK, completeBody(c, s3ETag))
}

// manifestError maps the SLO middleware's refusal of a manifest.
func manifestError(c *ops.Request, id string, body []byte) error {
	var sum struct {
		Status string     `json:"Response Status"`
		Errors [][]string `json:"Errors"`
	}
	if json.Unmarshal(body, &sum) != nil {
		return s3err.InvalidRequest(string(body))
	}
	var msgs []string
	for _, e := range sum.Errors {
		if len(e) == 2 {
			if strings.Contains(e[1], "Etag Mismatch") || strings.Contains(e[1], "404 Not Found") {
				return s3err.InvalidPart(id)
			}
			if strings.Contains(e[1], "Too small") || strings.Contains(e[1], "at least") {
				return s3err.EntityTooSmall("")
			}
		}
		msgs = append(msgs, strings.Join(e, ": "))
	}
	return s3err.InvalidRequest(strings.Join(msgs, "\n"))
}

// completeBody is CompleteMultipartUploadResult.
func completeBody(c *ops.Request, s3ETag string) []byte {
	scheme := "http"
	if c.R.TLS != nil {
		scheme = "https"
	}
	return s3xml.New("CompleteMultipartUploadResult").El("Location", scheme+"://"+c.R.Host+c.R.URL.EscapedPath()).
		El("Bucket", c.Bucket).El("Key", c.Key).El("ETag", `"`+s3ETag+`"`).Bytes()
}

// isSegment matches the parts in a segments container listing.
var isSegment = regexp.MustCompile(`.*/[0-9]+$`)

// ListUploads is GET Bucket ?uploads (ListMultipartUploads).
func ListUploads(c *ops.Request) error {
	if c.Key != "" {
		return s3err.InvalidRequest("Key is not expected for the GET method ?uploads subresource")
	}
	if _, err := c.ContainerInfo(c.Bucket); err != nil {
		return err
	}
	enc, hasEnc, err := c.UTF8Param("encoding-type")
	if err != nil {
		return err
	}
	if hasEnc && enc != "url" {
		return s3err.InvalidArgument("encoding-type", enc, "Invalid Encoding Method specified in Request")
	}
	keyMarker, _, err := c.UTF8Param("key-marker")
	if err != nil {
		return err
	}
	idMarker, _, err := c.UTF8Param("upload-id-marker")
	if err != nil {
		return err
	}
	prefix, hasPrefix, err := c.UTF8Param("prefix")
	if err != nil {
		return err
	}
	delim, hasDelim, err := c.UTF8Param("delimiter")
	if err != nil {
		return err
	}
	maxUploads, err := c.IntParam("max-uploads", 1000, 1000)
	if err != nil {
		return err
	}
	marker := ""
	switch {
	case idMarker != "" && keyMarker != "":
		marker = keyMarker + "/" + idMarker
	case keyMarker != "":
		marker = keyMarker + "/~"
	}
	type upload struct{ key, id, modified string }
	var uploads []upload
	var prefixes []string
	seen := map[string]bool{}
	for len(uploads) < maxUploads {
		q := [][2]string{{"marker", marker}}
		if hasPrefix {
			q = append(q, [2]string{"prefix", prefix})
		}
		page, err := c.List(c.Bucket+backend.SegmentsSuffix, q)
		if s3err.Is(err, "NoSuchBucket") {
			break
		}
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for _, o := range page {
			if isSegment.MatchString(o.Name) {
				continue
			}
			i := strings.LastIndexByte(o.Name, '/')
			if i < 0 {
				continue
			}
			u := upload{key: o.Name[:i], id: o.Name[i+1:], modified: o.LastModified}
			if hasDelim && delim != "" {
				if j := strings.Index(u.key[min(len(prefix), len(u.key)):], delim); j >= 0 {
					cp := u.key[:len(prefix)+j+len(delim)]
					if !seen[cp] {
						seen[cp] = true
						prefixes = append(prefixes, cp)
					}
					continue
				}
			}
			uploads = append(uploads, u)
		}
		marker = page[len(page)-1].Name
	}
	sort.Strings(prefixes)
	truncated := len(uploads) >= maxUploads
	if len(uploads) > maxUploads {
		uploads = uploads[:maxUploads]
	}
	nextKey, nextID := "", ""
	if len(uploads) > 1 {
		nextKey, nextID = uploads[len(uploads)-1].key, uploads[len(uploads)-1].id
	}
	d := s3xml.New("ListMultipartUploadsResult").El("Bucket", c.Bucket).El("KeyMarker", keyMarker).El("UploadIdMarker", idMarker).
		El("NextKeyMarker", nextKey).El("NextUploadIdMarker", nextID)
	if hasDelim {
		d.El("Delimiter", delim)
	}
	if hasPrefix {
		d.El("Prefix", prefix)
	}
	d.El("MaxUploads", strconv.Itoa(maxUploads))
	if hasEnc {
		d.El("EncodingType", enc)
	}
	d.El("IsTruncated", strconv.FormatBool(truncated))
	for _, u := range uploads {
		k := u.key
		if enc == "url" {
			k = ops.QuotePath(k)
		}
		d.Open("Upload").El("Key", k).El("UploadId", u.id).Owner("Initiator", c.UserID).Owner("Owner", c.UserID).
			El("StorageClass", "STANDARD").El("Initiated", s3xml.ListingTime(u.modified)).Close()
	}
	for _, p := range prefixes {
		d.Open("CommonPrefixes").El("Prefix", p).Close()
	}
	return c.WriteXML(http.StatusOK, d.Bytes())
}
