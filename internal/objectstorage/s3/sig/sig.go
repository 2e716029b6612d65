// Package sig reads the AWS signature of an S3 request — version 4
// (Authorization: AWS4-HMAC-SHA256 ..., or presigned X-Amz-* query
// parameters) and version 2 (Authorization: AWS ..., or presigned
// AWSAccessKeyId/Expires/Signature) — as Swift's s3api middleware does:
// it checks the dates, the scope and which headers are signed, and
// builds the string the client signed. Checking the signature itself
// needs the secret, which only Keystone has; Check is for callers that
// do have it (the aws-chunked body of a streaming upload, and tests).
package sig

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math"
	"net/http"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
)

// Version is the AWS signature version of a request.
type Version int

// The signature versions s3api reads.
const (
	V2 Version = 2
	V4 Version = 4
)

// Algorithm is the only version 4 algorithm s3api takes.
const Algorithm = "AWS4-HMAC-SHA256"

// UnsignedPayload is the x-amz-content-sha256 value of a body the
// signature does not cover.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// The x-amz-content-sha256 values of aws-chunked bodies.
const (
	StreamingPayload         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	streamingECDSA           = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	streamingECDSATrailer    = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
)

// emptySHA256 is the hex SHA-256 of no bytes.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// ErrAnonymous is a request that carries no S3 credentials at all.
var ErrAnonymous = errors.New("sig: the request is not signed")

// Options are what Parse checks a request against.
type Options struct {
	// Region is the location s3api serves ("RegionOne"); a version 4
	// scope must name it (or its lower-case form).
	Region string
	// Now is the time to check dates against; zero means time.Now.
	Now time.Time
	// Skew is the allowed difference between the request's date and Now
	// (s3api's allowable_clock_skew); zero means 15 minutes.
	Skew time.Duration
	// BucketInHost is the bucket named by a virtual-hosted request's
	// host: version 2 signs it as the first path segment.
	BucketInHost string
}

// Auth is the parsed signature of a request.
type Auth struct {
	Version   Version
	Presigned bool
	Access    string
	Signature string
	// StringToSign is what the client signed; Keystone checks Signature
	// against it.
	StringToSign []byte
	// Date is when the client signed the request.
	Date time.Time
	// Scope is the version 4 credential scope
	// ("20260102/RegionOne/s3/aws4_request"); Region is its region.
	Scope  string
	Region string
	// PayloadHash is the x-amz-content-sha256 header (version 4; empty
	// when absent).
	PayloadHash string
	// CanonicalRequest is the version 4 canonical request, for the
	// SignatureDoesNotMatch details.
	CanonicalRequest []byte
}

// AmzDate is Date in the basic ISO 8601 form version 4 signs.
func (a *Auth) AmzDate() string { return a.Date.UTC().Format("20060102T150405Z") }

// Streaming reports whether the body is aws-chunked.
func (a *Auth) Streaming() bool { return IsStreaming(a.PayloadHash) }

// IsStreaming reports whether an x-amz-content-sha256 value announces an
// aws-chunked body.
func IsStreaming(v string) bool {
	switch v {
	case StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedTrailer, streamingECDSA, streamingECDSATrailer:
		return true
	}
	return false
}

// Parse reads the signature of r. A request with no S3 credentials is
// ErrAnonymous; a malformed, expired or skewed one is the *s3err.Error
// s3api answers.
func Parse(r *http.Request, o Options) (*Auth, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Skew == 0 {
		o.Skew = 15 * time.Minute
	}
	q := ParseQuery(r.URL.RawQuery)
	authz := r.Header.Get("Authorization")
	if _, ok := q.Get("X-Amz-Credential"); ok || strings.HasPrefix(authz, Algorithm+" ") {
		return parseV4(r, q, authz, o)
	}
	return parseV2(r, q, authz, o)
}

func invalidDate() *s3err.Error {
	return s3err.AccessDenied("AWS authentication requires a valid Date or x-amz-date header")
}

// parseHTTPDate reads a Date header as Python's email.utils.parsedate_tz
// does (RFC 2822 forms), else the ISO form s3api falls back to.
func parseHTTPDate(s string, isoLayout string) (time.Time, error) {
	if t, err := mail.ParseDate(s); err == nil {
		return t, nil
	}
	if t, err := http.ParseTime(s); err == nil {
		return t, nil
	}
	return time.Parse(isoLayout, s)
}

// checkSkew refuses a date too far from now, as _validate_dates does.
func checkSkew(t time.Time, o Options) error {
	if t.Unix() < 0 {
		return invalidDate()
	}
	d := t.Sub(o.Now)
	if d < 0 {
		d = -d
	}
	// s3api compares whole seconds.
	if d.Truncate(time.Second) > o.Skew {
		return s3err.RequestTimeTooSkewed()
	}
	return nil
}

func parseV4(r *http.Request, q Query, authz string, o Options) (*Auth, error) {
	a := &Auth{Version: V4}
	_, presigned := q.Get("X-Amz-Credential")
	a.Presigned = presigned
	var err error
	if presigned {
		if a.Date, err = v4Date(r, q, true); err != nil {
			return nil, err
		}
		if err := checkExpires(q, a.Date, o.Now); err != nil {
			return nil, err
		}
	} else {
		if r.Header.Get("Date") == "" && r.Header.Get("X-Amz-Date") == "" {
			return nil, invalidDate()
		}
		if a.Date, err = v4Date(r, q, false); err != nil {
			return nil, err
		}
		if err := checkSkew(a.Date, o); err != nil {
			return nil, err
		}
	}
	var cred, signed string
	if presigned {
		if alg, _ := q.Get("X-Amz-Algorithm"); alg != Algorithm {
			return nil, s3err.InvalidArgument("X-Amz-Algorithm", alg, "")
		}
		cred, _ = q.Get("X-Amz-Credential")
		var ok bool
		a.Signature, ok = q.Get("X-Amz-Signature")
		if !ok || a.Signature == "" {
			return nil, s3err.AccessDenied("")
		}
		if signed, ok = q.Get("X-Amz-SignedHeaders"); !ok {
			return nil, s3err.AuthorizationHeaderMalformed("")
		}
	} else {
		cred = authParam(authz, "Credential=")
		a.Signature = authParam(authz, "Signature=")
		signed = authParam(authz, "SignedHeaders=")
	}
	parts := strings.Split(cred, "/")
	if parts[0] == "" || len(parts) != 5 {
		return nil, s3err.AccessDenied("")
	}
	if !presigned {
		if a.Signature == "" {
			return nil, s3err.AccessDenied("")
		}
		if signed == "" {
			return nil, s3err.AuthorizationHeaderMalformed("")
		}
	}
	a.Access = parts[0]
	date := a.Date.UTC().Format("20060102")
	a.Region = o.Region
	if err := checkScope(parts, date, &a.Region, presigned); err != nil {
		return nil, err
	}
	a.Scope = date + "/" + a.Region + "/s3/aws4_request"

	a.PayloadHash = r.Header.Get("X-Amz-Content-Sha256")
	if err := checkPayloadHash(r, a); err != nil {
		return nil, err
	}
	cr, err := canonicalRequest(r, q, signedSet(signed), a.PayloadHash)
	if err != nil {
		return nil, err
	}
	a.CanonicalRequest = cr
	sum := sha256.Sum256(cr)
	a.StringToSign = []byte(Algorithm + "\n" + a.AmzDate() + "\n" + a.Scope + "\n" + hex.EncodeToString(sum[:]))
	return a, nil
}

// authParam reads one parameter of a version 4 Authorization header as
// s3api does: everything after name up to the next comma.
func authParam(authz, name string) string {
	_, rest, _ := strings.Cut(authz, name)
	v, _, _ := strings.Cut(rest, ",")
	return v
}

func signedSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, h := range strings.Split(s, ";") {
		m[h] = true
	}
	return m
}

// checkScope compares the credential scope with the request's: its
// date, the region (whose lower-case form is taken too, for the AWS
// .NET SDK), the service and the terminal.
func checkScope(parts []string, date string, region *string, presigned bool) error {
	want := [4]string{date, *region, "s3", "aws4_request"}
	msgs := [4]string{
		`Invalid credential date "%s". This date is not the same as X-Amz-Date: "%s".`,
		"The authorization header is malformed; the region '%s' is wrong; expecting '%s'",
		`The authorization header is malformed; incorrect service "%s". This endpoint belongs to "%s".`,
		`The authorization header is malformed; incorrect terminal "%s". This endpoint uses "%s".`,
	}
	if presigned {
		msgs[1] = "Error parsing the X-Amz-Credential parameter; the region '%s' is wrong; expecting '%s'"
		msgs[2] = `Error parsing the X-Amz-Credential parameter; incorrect service "%s". This endpoint belongs to "%s".`
		msgs[3] = `Error parsing the X-Amz-Credential parameter; incorrect terminal "%s". This endpoint uses "%s".`
	}
	for i := range 4 {
		got := parts[i+1]
		if got == want[i] {
			continue
		}
		if i == 1 && strings.ToLower(want[1]) != want[1] && got == strings.ToLower(want[1]) {
			*region = got
			continue
		}
		msg := sprintf2(msgs[i], got, want[i])
		var e *s3err.Error
		if presigned {
			e = s3err.AuthorizationQueryParametersError(msg)
		} else {
			e = s3err.AuthorizationHeaderMalformed(msg)
		}
		if i == 1 {
			e = e.With("Region", want[1])
		}
		return e
	}
	return nil
}

// sprintf2 fills the two %s of a message.
func sprintf2(f, a, b string) string {
	f = strings.Replace(f, "%s", a, 1)
	return strings.Replace(f, "%s", b, 1)
}

// v4Date is the signing time: the X-Amz-Date parameter of a presigned
// request, else the X-Amz-Date header, else the Date header.
func v4Date(r *http.Request, q Query, presigned bool) (time.Time, error) {
	var t time.Time
	var err error
	if v, ok := q.Get("X-Amz-Date"); presigned && ok {
		t, err = parseAmzDate(v)
	} else if v := r.Header.Get("X-Amz-Date"); v != "" {
		t, err = parseAmzDate(v)
	} else if v := r.Header.Get("Date"); v != "" {
		t, err = parseHTTPDate(v, "2006-01-02T15:04:05")
	} else {
		return t, invalidDate()
	}
	if err != nil || t.Unix() < 0 {
		return t, invalidDate()
	}
	return t.UTC(), nil
}

// parseAmzDate reads 20060102T150405Z, or an RFC 2822 date, which
// Python's mktime takes there too.
func parseAmzDate(v string) (time.Time, error) {
	if t, err := time.Parse("20060102T150405Z", v); err == nil {
		return t, nil
	}
	return mail.ParseDate(v)
}

// checkExpires validates X-Amz-Expires of a presigned request.
func checkExpires(q Query, signed, now time.Time) error {
	v, ok := q.Get("X-Amz-Expires")
	if !ok {
		return s3err.AccessDenied("")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	var msg string
	switch {
	case err != nil:
		// Python's int() takes any size: a huge negative number is
		// "non-negative"'s error, a huge positive one (>= 2**63) is not
		// a number to s3api.
		msg = "X-Amz-Expires should be a number"
		if errors.Is(err, strconv.ErrRange) && strings.HasPrefix(v, "-") {
			msg = "X-Amz-Expires must be non-negative"
		}
	case n < 0:
		msg = "X-Amz-Expires must be non-negative"
	case n > 604800:
		msg = "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"
	}
	if msg != "" {
		return s3err.AuthorizationQueryParametersError(msg)
	}
	if signed.Unix()+n < now.Unix() {
		return s3err.AccessDenied("Request has expired")
	}
	return nil
}

// checkPayloadHash validates x-amz-content-sha256 as _validate_sha256.
func checkPayloadHash(r *http.Request, a *Auth) error {
	v := a.PayloadHash
	required := a.Version == V4 && !a.Presigned
	if v == "" {
		if required {
			return s3err.InvalidRequest("Missing required header for this request: x-amz-content-sha256")
		}
		return nil
	}
	switch {
	case v == UnsignedPayload:
	case IsStreaming(v):
		n, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64)
		if err != nil {
			return s3err.MissingContentLength()
		}
		if n < 0 {
			return s3err.InvalidArgument("x-amz-decoded-content-length", strconv.FormatInt(n, 10), "")
		}
		if a.Version != V4 || a.Presigned {
			// Only a version 4 header signature seeds the chunk
			// signatures; s3api answers as if the hash did not match.
			if n < r.ContentLength {
				return s3err.IncompleteBody("", "NumberBytesExpected", strconv.FormatInt(n, 10),
					"NumberBytesProvided", strconv.FormatInt(r.ContentLength, 10))
			}
			return s3err.XAmzContentSHA256Mismatch(v, "")
		}
		if v == streamingECDSA || v == streamingECDSATrailer {
			return s3err.NotImplemented("Don't know how to validate " + v + " streams")
		}
	case !isHexSHA256(v) && required:
		return s3err.InvalidArgument("x-amz-content-sha256", v,
			"x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
	}
	return nil
}

// IsHexSHA256 reports whether v looks like a hex SHA-256 digest.
func isHexSHA256(v string) bool {
	if len(v) != 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i] | 0x20
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// mustBeSigned are the header prefixes a version 4 request must sign
// when it sends them.
var mustBeSigned = [...]string{"x-amz-copy", "x-amz-acl", "x-amz-grant", "x-amz-meta"}

// canonicalRequest builds the version 4 canonical request of r.
func canonicalRequest(r *http.Request, q Query, signed map[string]bool, payload string) ([]byte, error) {
	hdrs := map[string]string{}
	add := func(k string, vals []string) {
		k = strings.ToLower(strings.TrimSpace(k))
		for _, v := range vals {
			v = strings.Join(strings.Fields(stripControl(v)), " ")
			if old, ok := hdrs[k]; ok {
				hdrs[k] = old + "," + v
			} else {
				hdrs[k] = v
			}
		}
	}
	for k, vals := range r.Header {
		add(k, vals)
	}
	// Go keeps these out of r.Header; a WSGI server passes them on.
	if _, ok := hdrs["host"]; !ok && r.Host != "" {
		add("host", []string{r.Host})
	}
	if _, ok := hdrs["content-length"]; !ok && r.ContentLength >= 0 && signed["content-length"] {
		add("content-length", []string{strconv.FormatInt(r.ContentLength, 10)})
	}
	if _, ok := hdrs["transfer-encoding"]; !ok && len(r.TransferEncoding) > 0 {
		add("transfer-encoding", []string{strings.Join(r.TransferEncoding, ",")})
	}
	for k := range hdrs {
		if signed[k] {
			continue
		}
		for _, p := range mustBeSigned {
			if strings.HasPrefix(k, p) {
				return nil, s3err.AccessDenied("There were headers present in the request which were not signed").With("HeadersNotSigned", k)
			}
		}
	}
	if h, ok := hdrs["host"]; ok && oldBoto(hdrs["user-agent"]) {
		hdrs["host"], _, _ = strings.Cut(h, ":")
	}
	var names []string
	for k := range hdrs {
		if signed[k] {
			names = append(names, k)
		}
	}
	if len(names) != len(signed) {
		return nil, s3err.SignatureDoesNotMatch()
	}
	sort.Strings(names)

	var b strings.Builder
	b.Grow(256 + len(r.URL.RawQuery))
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(Quote(r.URL.Path, "-_.~/"))
	b.WriteByte('\n')
	first := true
	for _, kv := range q.Sorted() {
		if kv[0] == "Signature" || kv[0] == "X-Amz-Signature" {
			continue
		}
		if !first {
			b.WriteByte('&')
		}
		first = false
		b.WriteString(Quote(kv[0], "-_.~"))
		b.WriteByte('=')
		b.WriteString(Quote(kv[1], "-_.~"))
	}
	b.WriteByte('\n')
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(hdrs[k])
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(names, ";"))
	b.WriteByte('\n')
	if payload == "" {
		payload = UnsignedPayload
	}
	b.WriteString(payload)
	return []byte(b.String()), nil
}

// stripControl removes the control characters and spaces S3 strips from
// both ends of a header value.
func stripControl(v string) string {
	return strings.TrimFunc(v, func(r rune) bool { return r <= 0x20 })
}

// oldBoto reports boto releases before 2.9.3, which sign the host
// without its port (s3api's pattern Boto/2.[0-9].[0-2]).
func oldBoto(ua string) bool {
	v, ok := strings.CutPrefix(ua, "Boto/2")
	return ok && len(v) >= 4 && '0' <= v[1] && v[1] <= '9' && '0' <= v[3] && v[3] <= '2'
}

// subResources are the query parameters version 2 signs.
var subResources = map[string]bool{
	"acl": true, "delete": true, "lifecycle": true, "location": true, "logging": true, "notification": true,
	"partNumber": true, "policy": true, "publicAccessBlock": true, "requestPayment": true, "torrent": true,
	"uploads": true, "uploadId": true, "versionId": true, "versioning": true, "versions": true, "website": true,
	"response-cache-control": true, "response-content-disposition": true, "response-content-encoding": true,
	"response-content-language": true, "response-content-type": true, "response-expires": true,
	"cors": true, "tagging": true, "restore": true, "object-lock": true,
}

func parseV2(r *http.Request, q Query, authz string, o Options) (*Auth, error) {
	a := &Auth{Version: V2}
	if access, ok := q.Get("AWSAccessKeyId"); ok {
		a.Presigned = true
		exp, ok := q.Get("Expires")
		f, err := strconv.ParseFloat(exp, 64)
		if !ok || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, s3err.AccessDenied("")
		}
		if float64(o.Now.Unix()) > f {
			return nil, s3err.AccessDenied("Request has expired")
		}
		if f >= 1<<31 {
			return nil, s3err.AccessDenied("Invalid date (should be seconds since epoch): " + exp)
		}
		a.Signature, _ = q.Get("Signature")
		if access == "" || a.Signature == "" || exp == "" {
			return nil, s3err.AccessDenied("")
		}
		a.Access = access
		a.Date = time.Unix(int64(f), 0).UTC()
	} else if _, ok := r.Header["Authorization"]; ok {
		date, amzDate := r.Header.Get("Date"), r.Header.Get("X-Amz-Date")
		if date == "" && amzDate == "" {
			return nil, invalidDate()
		}
		v := amzDate
		if v == "" {
			v = date
		}
		t, err := parseHTTPDate(v, "2006-01-02T15:04:05")
		if err != nil {
			return nil, invalidDate()
		}
		if err := checkSkew(t, o); err != nil {
			return nil, err
		}
		a.Date = t.UTC()
		rest, ok := strings.CutPrefix(authz, "AWS ")
		i := strings.LastIndexByte(rest, ':')
		if !ok || i < 0 {
			return nil, s3err.AccessDenied("")
		}
		a.Access, a.Signature = rest[:i], rest[i+1:]
	} else {
		return nil, ErrAnonymous
	}
	a.PayloadHash = r.Header.Get("X-Amz-Content-Sha256")
	if err := checkPayloadHash(r, a); err != nil {
		return nil, err
	}
	a.StringToSign = stringToSignV2(r, q, a.Presigned, o.BucketInHost)
	return a, nil
}

// stringToSignV2 is SigCheckerV2's string to sign.
func stringToSignV2(r *http.Request, q Query, presigned bool, bucketInHost string) []byte {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(stripControl(r.Header.Get("Content-Md5")))
	b.WriteByte('\n')
	b.WriteString(stripControl(r.Header.Get("Content-Type")))
	b.WriteByte('\n')
	amz := map[string]string{}
	var keys []string
	for k, vals := range r.Header {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-amz-") {
			continue
		}
		var vs []string
		for _, v := range vals {
			vs = append(vs, strings.TrimSpace(v))
		}
		if _, ok := amz[lk]; !ok {
			keys = append(keys, lk)
		}
		amz[lk] = strings.Join(vs, ",")
	}
	sort.Strings(keys)
	if presigned {
		exp, _ := q.Get("Expires")
		b.WriteString(exp)
		b.WriteByte('\n')
	} else if _, ok := amz["x-amz-date"]; ok {
		b.WriteByte('\n')
	} else if d, ok := r.Header["Date"]; ok && len(d) > 0 {
		b.WriteString(d[0])
		b.WriteByte('\n')
	}
	for _, k := range keys {
		b.WriteString(k + ":" + amz[k] + "\n")
	}
	path := rawPath(r)
	if bucketInHost != "" {
		path = "/" + bucketInHost + path
	}
	b.WriteString(path)
	if r.URL.RawQuery != "" {
		sep := "?"
		for _, kv := range q.Sorted() {
			if !subResources[kv[0]] {
				continue
			}
			b.WriteString(sep)
			sep = "&"
			b.WriteString(kv[0])
			if kv[1] != "" {
				b.WriteString("=" + kv[1])
			}
		}
	}
	return []byte(b.String())
}

// rawPath is the path as the client sent it (WSGI's RAW_PATH_INFO).
func rawPath(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		p, _, _ := strings.Cut(r.RequestURI, "?")
		return p
	}
	return r.URL.EscapedPath()
}

// SigningKey derives the version 4 signing key of secret for a scope
// "date/region/service/aws4_request".
func SigningKey(secret, scope string) []byte {
	k := []byte("AWS4" + secret)
	parts := strings.Split(scope, "/")
	for _, p := range parts {
		k = hmacSHA256(k, p)
	}
	return k
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// Sign computes the signature of a's string to sign with secret.
func (a *Auth) Sign(secret string) string {
	if a.Version == V2 {
		m := hmac.New(sha1.New, []byte(secret))
		m.Write(a.StringToSign)
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	return hex.EncodeToString(hmacSHA256(SigningKey(secret, a.Scope), string(a.StringToSign)))
}

// Check reports whether a's signature is the one secret gives.
func (a *Auth) Check(secret string) bool {
	return subtle.ConstantTimeCompare([]byte(a.Sign(secret)), []byte(a.Signature)) == 1
}
