package ops

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gostack/gostack/internal/objectstorage/s3/backend"
	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
	"github.com/gostack/gostack/internal/objectstorage/s3/s3xml"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// bogusCreationDate is the date s3api gives every bucket: Swift keeps
// none it would show.
const bogusCreationDate = "2009-02-03T16:45:09.000Z"

// listBuckets is GET Service.
func (c *Request) ListBuckets() error {
	var names []string
	marker := ""
	for {
		q := [][2]string{{"format", "json"}}
		if marker != "" {
			q = append(q, [2]string{"marker", marker})
		}
		_, body, err := c.CheckAll(&backend.Sub{Method: "GET", Query: q}, 64<<20)
		if err != nil {
			return err
		}
		var page []backend.Entry
		if err := backend.JSON(body, &page); err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for _, b := range page {
			if ValidBucketName(b.Name) {
				names = append(names, b.Name)
			}
		}
		marker = page[len(page)-1].Name
	}
	d := s3xml.New("ListAllMyBucketsResult").Owner("Owner", c.UserID).Open("Buckets")
	for _, n := range names {
		d.Open("Bucket").El("Name", n).El("CreationDate", bogusCreationDate).Close()
	}
	return c.WriteXML(http.StatusOK, d.Close().Bytes())
}

// headBucket is HEAD Bucket.
func (c *Request) HeadBucket() error {
	r, err := c.Check(&backend.Sub{Method: "HEAD", Container: c.Bucket})
	if err != nil {
		return err
	}
	r.Discard()
	backend.S3Headers(c.W.Header(), r.Header)
	c.W.Header().Set("Content-Length", "0")
	c.W.WriteHeader(http.StatusOK)
	return nil
}

// MaxInt32 is the largest max-keys, max-parts... s3api takes.
const MaxInt32 = 2147483647

// intParam is get_validated_param: a non-negative 32-bit integer, capped
// at limit.
func (c *Request) IntParam(name string, def, limit int) (int, error) {
	v, ok := c.Q.Get(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err == nil && n < 0 {
		return 0, s3err.InvalidArgument(name, v, "Argument "+name+" must be an integer between 0 and "+strconv.Itoa(MaxInt32))
	}
	if err != nil || n > MaxInt32 {
		return 0, s3err.InvalidArgument(name, v, "Provided "+name+" not an integer or within integer range")
	}
	return min(int(n), limit), nil
}

// utf8Param returns a parameter that must be valid UTF-8.
func (c *Request) UTF8Param(name string) (string, bool, error) {
	v, ok := c.Q.Get(name)
	if ok && v != "" && (!utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0) {
		return "", false, s3err.InvalidArgument(name, swift.Quote(v, "/"), "")
	}
	return v, ok, nil
}

// listObjects is GET Bucket: ListObjects (v1), ListObjectsV2
// (list-type=2) and ListObjectVersions (versions).
func (c *Request) ListObjects() error {
	tagMax, err := c.IntParam("max-keys", c.Limits.MaxBucketListing, MaxInt32)
	if err != nil {
		return err
	}
	maxKeys := min(tagMax, c.Limits.MaxBucketListing)
	enc, hasEnc := c.Q.Get("encoding-type")
	if hasEnc && enc != "url" {
		return s3err.InvalidArgument("encoding-type", enc, "Invalid Encoding Method specified in Request")
	}
	url := enc == "url"
	q := [][2]string{{"limit", strconv.Itoa(maxKeys + 1)}}
	prefix, hasPrefix, err := c.UTF8Param("prefix")
	if err != nil {
		return err
	}
	if hasPrefix {
		q = append(q, [2]string{"prefix", prefix})
	}
	delim, hasDelim, err := c.UTF8Param("delimiter")
	if err != nil {
		return err
	}
	if hasDelim {
		q = append(q, [2]string{"delimiter", delim})
	}
	kind, fetchOwner := 1, false
	if c.Q.Has("versions") {
		kind = 0
		vm, hasVM := c.Q.Get("version-id-marker")
		km, hasKM, err := c.UTF8Param("key-marker")
		if err != nil {
			return err
		}
		if hasKM {
			q = append(q, [2]string{"marker", km})
			if hasVM && vm != "null" {
				// Without object versioning no version but "null" exists.
				return s3err.InvalidArgument("version-id-marker", vm, "Invalid version id specified")
			}
		} else if hasVM {
			return s3err.InvalidArgument("version-id-marker", vm, "A version-id marker cannot be specified without a key marker.")
		}
	} else {
		lt := "1"
		if v, ok := c.Q.Get("list-type"); ok {
			lt = v
		}
		n, err := strconv.Atoi(strings.TrimSpace(lt))
		if err != nil {
			return s3err.InvalidArgument("list-type", lt, "Argument list-type must be an integer")
		}
		if n == 2 {
			kind = 2
			sa, hasSA, err := c.UTF8Param("start-after")
			if err != nil {
				return err
			}
			if hasSA {
				q = append(q, [2]string{"marker", sa})
			}
			if tok, ok := c.Q.Get("continuation-token"); ok {
				b, err := base64.StdEncoding.Strict().DecodeString(tok)
				if err != nil || !utf8.Valid(b) {
					return s3err.InvalidArgument("continuation-token", swift.Quote(tok, "/"), "The continuation token provided is incorrect")
				}
				q = setParam(q, "marker", string(b))
			}
			if v, ok := c.Q.Get("fetch-owner"); ok {
				fetchOwner = swift.TrueValue(v)
			}
		} else {
			m, hasM, err := c.UTF8Param("marker")
			if err != nil {
				return err
			}
			if hasM {
				q = append(q, [2]string{"marker", m})
			}
		}
	}
	objects, err := c.List(c.Bucket, q)
	if err != nil {
		return err
	}
	truncated := maxKeys > 0 && len(objects) > maxKeys
	if len(objects) > maxKeys {
		objects = objects[:maxKeys]
	}
	esc := func(s string) string {
		if url {
			return swift.Quote(s, "/")
		}
		return s
	}
	last := func() string {
		o := objects[len(objects)-1]
		if o.Subdir != "" {
			return o.Subdir
		}
		return o.Name
	}
	var d *s3xml.Doc
	switch kind {
	case 0:
		d = s3xml.New("ListVersionsResult").El("Name", c.Bucket)
		d.Opt("Prefix", esc(prefix), hasPrefix)
		km, hasKM := c.Q.Get("key-marker")
		d.Opt("KeyMarker", esc(km), hasKM)
		vm, hasVM := c.Q.Get("version-id-marker")
		d.Opt("VersionIdMarker", vm, hasVM)
		if truncated {
			d.El("NextKeyMarker", last()).El("NextVersionIdMarker", "null")
		}
		d.El("MaxKeys", strconv.Itoa(tagMax))
		if hasDelim {
			d.El("Delimiter", esc(delim))
		}
	case 1:
		d = s3xml.New("ListBucketResult").El("Name", c.Bucket)
		d.Opt("Prefix", esc(prefix), hasPrefix)
		m, hasM := c.Q.Get("marker")
		d.Opt("Marker", esc(m), hasM)
		if truncated && hasDelim {
			d.El("NextMarker", esc(last()))
		}
		d.El("MaxKeys", strconv.Itoa(tagMax))
		if delim != "" {
			d.El("Delimiter", esc(delim))
		}
	case 2:
		d = s3xml.New("ListBucketResult").El("Name", c.Bucket)
		d.Opt("Prefix", esc(prefix), hasPrefix)
		if truncated {
			d.El("NextContinuationToken", base64.StdEncoding.EncodeToString([]byte(last())))
		}
		if tok, ok := c.Q.Get("continuation-token"); ok {
			d.El("ContinuationToken", tok)
		}
		if sa, ok := c.Q.Get("start-after"); ok {
			d.El("StartAfter", esc(sa))
		}
		d.El("KeyCount", strconv.Itoa(len(objects)))
		d.El("MaxKeys", strconv.Itoa(tagMax))
		if delim != "" {
			d.El("Delimiter", esc(delim))
		}
	}
	if url {
		d.El("EncodingType", "url")
	}
	d.El("IsTruncated", strconv.FormatBool(truncated))
	for _, o := range objects {
		if o.Subdir != "" {
			d.Open("CommonPrefixes").El("Prefix", esc(o.Subdir)).Close()
			continue
		}
		if kind == 0 {
			d.Open("Version").El("Key", esc(o.Name)).El("VersionId", "null").El("IsLatest", "true")
		} else {
			d.Open("Contents").El("Key", esc(o.Name))
		}
		d.El("LastModified", s3xml.ListingTime(o.LastModified)).El("ETag", listingETag(o)).El("Size", strconv.FormatInt(o.Bytes, 10))
		if fetchOwner || kind != 2 {
			d.Owner("Owner", c.UserID)
		}
		d.El("StorageClass", "STANDARD").Close()
	}
	return c.WriteXML(http.StatusOK, d.Bytes())
}

// listingETag is the ETag S3 shows for a listed Object: a multipart
// upload's own, "-N" for other large objects, else the MD5.
func listingETag(o backend.Entry) string {
	switch {
	case o.S3ETag != "":
		return backend.QuoteETag(o.S3ETag)
	case o.SLOETag != "":
		return `"` + strings.Trim(o.SLOETag, `"`) + `-N"`
	case len(o.Hash) >= 2 && o.Hash[0] == '"' && o.Hash[len(o.Hash)-1] == '"':
		return o.Hash
	}
	return `"` + o.Hash + `"`
}

func setParam(q [][2]string, k, v string) [][2]string {
	for i := range q {
		if q[i][0] == k {
			q[i][1] = v
			return q
		}
	}
	return append(q, [2]string{k, v})
}

// maxBucketConfig bounds a CreateBucketConfiguration body.
const maxBucketConfig = 10240

// createBucket is PUT Bucket.
func (c *Request) CreateBucket() error {
	body, err := c.ReadXML(maxBucketConfig)
	if err != nil {
		return err
	}
	if body != nil {
		var cfg struct {
			LocationConstraint *string
		}
		if err := s3xml.Parse(body, "CreateBucketConfiguration", &cfg); err != nil {
			return err
		}
		loc := ""
		if cfg.LocationConstraint != nil {
			loc = *cfg.LocationConstraint
		}
		if loc != c.Limits.Region && loc != strings.ToLower(c.Limits.Region) {
			return s3err.InvalidLocationConstraint()
		}
	}
	h := http.Header{}
	if err := c.aclHeaders(h); err != nil {
		return err
	}
	r, err := c.Check(&backend.Sub{Method: "PUT", Container: c.Bucket, Header: h})
	if err != nil {
		return err
	}
	r.Discard()
	backend.S3Headers(c.W.Header(), r.Header)
	c.W.Header().Set("Location", "/"+c.Bucket)
	return c.WriteEmpty(http.StatusOK)
}

// deleteBucket is DELETE Bucket: the multipart uploads' container goes
// first, as long as the bucket itself is empty.
func (c *Request) DeleteBucket() error {
	if err := c.deleteSegments(); err != nil {
		return err
	}
	r, err := c.Check(&backend.Sub{Method: "DELETE", Container: c.Bucket})
	if err != nil {
		return err
	}
	r.Discard()
	return c.WriteEmpty(http.StatusNoContent)
}

// deleteSegments is _delete_segments_bucket.
func (c *Request) deleteSegments() error {
	hr := c.Do(&backend.Sub{Method: "HEAD", Container: c.Bucket})
	hr.Discard()
	if hr.StatusCode/100 == 2 {
		if n, _ := strconv.ParseInt(hr.Header.Get("X-Container-Object-Count"), 10, 64); n > 0 {
			return s3err.BucketNotEmpty()
		}
	}
	seg := c.Bucket + backend.SegmentsSuffix
	marker := ""
	for {
		page, err := c.List(seg, [][2]string{{"marker", marker}})
		if s3err.Is(err, "NoSuchBucket") {
			return nil
		}
		if err != nil {
			return s3err.ServiceUnavailable().WithCause(err)
		}
		if len(page) == 0 {
			break
		}
		for _, o := range page {
			r, err := c.Check(&backend.Sub{Method: "DELETE", Container: seg, Object: o.Name})
			if err != nil && !s3err.Is(err, "NoSuchKey") {
				return s3err.ServiceUnavailable().WithCause(err)
			}
			if r != nil {
				r.Discard()
			}
		}
		marker = page[len(page)-1].Name
	}
	r, err := c.Check(&backend.Sub{Method: "DELETE", Container: seg})
	if s3err.Is(err, "NoSuchBucket") {
		return nil
	}
	if err != nil {
		return s3err.ServiceUnavailable().WithCause(err)
	}
	r.Discard()
	return nil
}

// location is GET Bucket location.
func (c *Request) Location() error {
	r, err := c.Check(&backend.Sub{Method: "HEAD", Container: c.Bucket})
	if err != nil {
		return err
	}
	r.Discard()
	d := s3xml.New("LocationConstraint")
	if c.Limits.Region != "us-east-1" {
		d.Text(c.Limits.Region)
	}
	return c.WriteXML(http.StatusOK, d.Bytes())
}

// logging is GET (logging disabled) and PUT (501) Bucket logging.
func (c *Request) Logging() error {
	if c.Key != "" {
		return &s3err.Error{Status: http.StatusBadRequest, Code: "NoLoggingStatusForKey",
			Message: "There is no such thing as a logging status sub-resource for a key."}
	}
	if c.R.Method == "PUT" {
		return s3err.NotImplemented("")
	}
	r, err := c.Check(&backend.Sub{Method: "HEAD", Container: c.Bucket})
	if err != nil {
		return err
	}
	r.Discard()
	return c.WriteXML(http.StatusOK, s3xml.New("BucketLoggingStatus").Bytes())
}

// getVersioning is GET Bucket versioning: never configured, since the
// S3 API does not offer object versioning.
func (c *Request) GetVersioning() error {
	if _, err := c.ContainerInfo(c.Bucket); err != nil {
		return err
	}
	return c.WriteXML(http.StatusOK, s3xml.New("VersioningConfiguration").Bytes())
}

// putVersioning is PUT Bucket versioning: 501, as s3api without Swift's
// object_versioning.
func (c *Request) PutVersioning() error { return s3err.NotImplemented("") }

// getTagging is GET tagging: an empty tag set.
func (c *Request) GetTagging() error {
	return c.WriteXML(http.StatusOK, s3xml.New("Tagging").Empty("TagSet").Bytes())
}

// getObjectLock is GET object-lock: never configured.
func (c *Request) GetObjectLock() error {
	return &s3err.Error{Status: http.StatusNotFound, Code: "ObjectLockConfigurationNotFoundError",
		Message: "Object Lock configuration does not exist for this bucket", Fields: []s3err.Field{{Name: "BucketName", Value: c.Bucket}}}
}

var ipv4 = regexp.MustCompile(`^(([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.){3}([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])$`)

// ValidBucketName applies S3's DNS-compliant bucket naming rules.
func ValidBucketName(n string) bool {
	if len(n) < 3 || len(n) > 63 || !isAlnum(n[0]) || !isAlnum(n[len(n)-1]) {
		return false
	}
	if strings.Contains(n, ".-") || strings.Contains(n, "-.") || strings.Contains(n, "..") || ipv4.MatchString(n) {
		return false
	}
	for i := 0; i < len(n); i++ {
		ch := n[i]
		if !(ch == '-' || ch == '.' || 'a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9') {
			return false
		}
	}
	return true
}

func isAlnum(ch byte) bool {
	return 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9'
}
