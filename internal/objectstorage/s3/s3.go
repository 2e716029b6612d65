// Package s3 is the S3 API of object storage: it serves Amazon S3's REST
// protocol on the same data as the Swift API by turning every S3 request
// into Swift subrequests, as Swift's s3api middleware does. A bucket is a
// container of the account AUTH_<project> of the credential's project; a
// multipart upload keeps its parts in the container "<bucket>+segments"
// and becomes a static large object when completed.
//
//	client ──S3──▶ Handler ─ sig.Parse ─ Verifier (Keystone /v3/s3tokens)
//	                  │
//	                  └─ Swift subrequests (caller in the context) ──▶ proxy App
//
// Signatures are checked by the identity service, which holds the
// secrets; package sig builds the string the client signed.
package s3

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gostack/gostack/internal/objectstorage/s3/backend"
	"github.com/gostack/gostack/internal/objectstorage/s3/ops"
	"github.com/gostack/gostack/internal/objectstorage/s3/s3err"
	"github.com/gostack/gostack/internal/objectstorage/s3/sig"
	"github.com/gostack/gostack/internal/objectstorage/swift"
	"github.com/gostack/gostack/internal/platform/auth"
)

// Config configures the S3 API. Zero values mean s3api's defaults.
type Config struct {
	// App is the Swift API the subrequests go to: the proxy's App under
	// the middlewares the S3 API relies on (SLO for multipart uploads).
	App http.Handler
	// Verifier checks signatures (KeystoneVerifier).
	Verifier Verifier
	// Region is the location buckets are in and version 4 signatures
	// are scoped to (default "RegionOne").
	Region string
	// StorageDomains enable virtual-hosted requests: a Host of
	// <bucket>.<domain> names the bucket.
	StorageDomains []string
	// ResellerPrefix is the prefix of projects' accounts ("AUTH_").
	ResellerPrefix string
	// MaxBucketListing caps max-keys (1000); MaxPartsListing caps
	// max-parts (1000); MaxUploadPartNum is the highest part number
	// (1000); MaxMultiDeleteObjects caps a multi-delete (1000).
	MaxBucketListing      int
	MaxPartsListing       int
	MaxUploadPartNum      int
	MaxMultiDeleteObjects int
	// MinSegmentSize is the smallest part of a multipart upload but the
	// last (5 MiB).
	MinSegmentSize int64
	// MaxObjectNameLength is Swift's object name limit (1024).
	MaxObjectNameLength int
	// ClockSkew is how far a request's date may be from now (15 min).
	ClockSkew time.Duration
	// TransIDSuffix is appended to request ids.
	TransIDSuffix string
	Log           *slog.Logger
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Handler serves the S3 API.
type Handler struct {
	cfg    Config
	app    http.Handler
	log    *slog.Logger
	limits ops.Limits
}

// New returns the S3 API over cfg.App.
func New(cfg Config) *Handler {
	if cfg.Region == "" {
		cfg.Region = "RegionOne"
	}
	if cfg.ResellerPrefix == "" {
		cfg.ResellerPrefix = "AUTH_"
	}
	if cfg.MaxBucketListing <= 0 {
		cfg.MaxBucketListing = 1000
	}
	if cfg.MaxPartsListing <= 0 {
		cfg.MaxPartsListing = 1000
	}
	if cfg.MaxUploadPartNum <= 0 {
		cfg.MaxUploadPartNum = 1000
	}
	if cfg.MaxMultiDeleteObjects <= 0 {
		cfg.MaxMultiDeleteObjects = 1000
	}
	if cfg.MinSegmentSize <= 0 {
		cfg.MinSegmentSize = 5 << 20
	}
	if cfg.MaxObjectNameLength <= 0 {
		cfg.MaxObjectNameLength = 1024
	}
	if cfg.ClockSkew <= 0 {
		cfg.ClockSkew = 15 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{cfg: cfg, app: cfg.App, log: cfg.Log, limits: ops.Limits{
		Region: cfg.Region, MaxBucketListing: cfg.MaxBucketListing, MaxPartsListing: cfg.MaxPartsListing,
		MaxUploadPartNum: cfg.MaxUploadPartNum, MaxMultiDeleteObjects: cfg.MaxMultiDeleteObjects,
		MinSegmentSize: cfg.MinSegmentSize, MaxObjectNameLength: cfg.MaxObjectNameLength, Log: cfg.Log,
	}}
}

// call is one S3 request being served.
type call struct {
	h       *Handler
	w       http.ResponseWriter
	r       *http.Request
	ctx     context.Context
	q       sig.Query
	reqID   string
	auth    *sig.Auth
	plan    *sig.BodyPlan
	creds   *auth.Credentials
	account string
	// userID is s3api's "<project name>:<user name>", the owner its
	// documents name.
	userID      string
	bucket, key string
	// bodyErr is where the request body's reader leaves the error that
	// stopped it (a chunk signature, a checksum), which is the answer
	// whatever the proxy made of the broken upload.
	bodyErr *error
}

// ServeHTTP serves one S3 request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := swift.NewTransID(h.cfg.TransIDSuffix)
	w.Header().Set("x-amz-request-id", id)
	w.Header().Set("x-amz-id-2", id)
	c := &call{h: h, w: w, r: r, ctx: swift.WithTransID(r.Context(), id), reqID: id}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.Error("s3: panic", "panic", v, "path", r.URL.Path, "txn", id)
			c.fail(s3err.InternalError("").WithCause(fmt.Errorf("panic: %v", v)))
		}
	}()
	if err := c.serve(); err != nil {
		c.fail(err)
	}
}

// fail writes err as S3's error document.
func (c *call) fail(err error) {
	var e *s3err.Error
	if !errors.As(err, &e) {
		e = s3err.InternalError("").WithCause(err)
	}
	if e.Status >= 500 {
		c.h.log.Error("s3: request failed", "err", e, "method", c.r.Method, "path", c.r.URL.Path, "txn", c.reqID)
	} else {
		c.h.log.Debug("s3: request refused", "err", e, "method", c.r.Method, "path", c.r.URL.Path, "txn", c.reqID)
	}
	e.Write(c.w, c.r, c.reqID)
}

// disallowed are Swift headers a client may not smuggle through S3.
var disallowed = []string{"X-Copy-From", "X-Copy-From-Account", "X-Symlink-Target", "X-Symlink-Target-Account",
	"X-Object-Manifest", "X-Static-Large-Object"}

func (c *call) serve() error {
	r := c.r
	c.q = sig.ParseQuery(r.URL.RawQuery)
	inHost := c.h.bucketInHost(r.Host)
	a, err := sig.Parse(r, sig.Options{Region: c.h.cfg.Region, Now: c.h.cfg.Now(), Skew: c.h.cfg.ClockSkew, BucketInHost: inHost})
	if errors.Is(err, sig.ErrAnonymous) {
		// s3api hands unsigned requests to the Swift pipeline, where an
		// anonymous caller reaches nothing here: S3's answer is this.
		return s3err.AccessDenied("")
	}
	if err != nil {
		return err
	}
	c.auth = a
	if err := c.parsePath(inHost); err != nil {
		return err
	}
	if err := c.validateHeaders(); err != nil {
		return err
	}
	if r.Method == "PUT" || r.Method == "POST" {
		verify := r.Method == "PUT" || c.q.Has("delete")
		if c.plan, err = sig.Plan(r, a, verify); err != nil {
			return err
		}
	}
	for _, k := range disallowed {
		r.Header.Del(k)
	}
	ctl, err := c.route()
	if err != nil {
		return err
	}
	if err := c.authenticate(); err != nil {
		return err
	}
	if err := c.wrapBody(); err != nil {
		return err
	}
	return ctl(&ops.Request{
		Client: &backend.Client{App: c.h.app, Ctx: c.ctx, Account: c.account, Orig: c.r, BodyErr: c.bodyErr},
		W:      c.w, R: c.r, Q: c.q, Limits: &c.h.limits, UserID: c.userID, Bucket: c.bucket, Key: c.key,
	})
}

// bucketInHost returns the bucket a virtual-hosted request names.
func (h *Handler) bucketInHost(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	for _, d := range h.cfg.StorageDomains {
		if !strings.HasPrefix(d, ".") {
			d = "." + d
		}
		if strings.HasSuffix(host, d) {
			return host[:len(host)-len(d)]
		}
	}
	return ""
}

// parsePath finds the bucket and key (parse_path).
func (c *call) parsePath(inHost string) error {
	p := c.r.URL.Path
	if !utf8.ValidString(p) || strings.IndexByte(p, 0) >= 0 {
		return s3err.InvalidURI(c.r.URL.EscapedPath())
	}
	if inHost != "" {
		c.bucket = inHost
		c.key = strings.TrimPrefix(p, "/")
		return nil
	}
	if !strings.HasPrefix(p, "/") {
		return s3err.InvalidURI(p)
	}
	c.bucket, c.key, _ = strings.Cut(p[1:], "/")
	if c.bucket == "" && c.key != "" {
		return s3err.InvalidURI(p)
	}
	if c.bucket != "" && !ops.ValidBucketName(c.bucket) {
		return s3err.InvalidBucketName(c.bucket)
	}
	return nil
}

var base64Digest = regexp.MustCompile(`^[A-Za-z0-9+/]+={0,2}$`)

// validateHeaders is s3api's _validate_headers.
func (c *call) validateHeaders() error {
	r := c.r
	h := r.Header
	if r.Method == "PUT" && (h.Get("If-Match") != "" || h.Get("If-Modified-Since") != "" || h.Get("If-Unmodified-Since") != "" ||
		(h.Get("If-None-Match") != "" && h.Get("If-None-Match") != "*")) {
		return s3err.NotImplemented("Conditional object PUTs are not supported.")
	}
	if src, ok := h["X-Amz-Copy-Source"]; ok {
		v := ""
		if len(src) > 0 {
			v = src[0]
		}
		p, _, _ := strings.Cut(sig.Unquote(v), "?")
		p = strings.TrimPrefix(p, "/")
		b, k, _ := strings.Cut(p, "/")
		if b == "" || k == "" {
			return s3err.InvalidArgument("x-amz-copy-source", v, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
		}
	}
	if v, ok := h["X-Amz-Metadata-Directive"]; ok && (len(v) == 0 || v[0] != "COPY" && v[0] != "REPLACE") {
		return s3err.InvalidArgument("x-amz-metadata-directive", h.Get("X-Amz-Metadata-Directive"), "Unknown metadata directive.")
	}
	if _, ok := h["X-Amz-Storage-Class"]; ok && h.Get("X-Amz-Storage-Class") != "STANDARD" {
		return s3err.InvalidStorageClass()
	}
	if _, ok := h["X-Amz-Mfa"]; ok {
		return s3err.NotImplemented("MFA Delete is not supported.")
	}
	if v, ok := h["X-Amz-Server-Side-Encryption"]; ok {
		if len(v) == 0 || v[0] != "aws:kms" && v[0] != "AES256" {
			return s3err.InvalidArgument("x-amz-server-side-encryption", h.Get("X-Amz-Server-Side-Encryption"), "The encryption method specified is not supported")
		}
		// The proxy does not encrypt objects at rest.
		return s3err.NotImplemented("Server-side encryption is not supported.")
	}
	if _, ok := h["X-Amz-Website-Redirect-Location"]; ok {
		return s3err.NotImplemented("Website redirection is not supported.")
	}
	if v := strings.TrimFunc(h.Get("Content-Md5"), func(r rune) bool { return r <= 0x20 }); v != "" {
		if !base64Digest.MatchString(v) {
			return s3err.InvalidDigest(v)
		}
		sum, err := decodeBase64(v)
		if err != nil || len(sum) != 16 {
			return s3err.InvalidDigest(v)
		}
		// Swift checks the body against the ETag as it stores it.
		h.Set("Etag", fmt.Sprintf("%x", sum))
	}
	if _, ok := h["X-Amz-Tagging"]; ok {
		return s3err.NotImplemented("Object tagging is not supported.")
	}
	return nil
}

// authenticate checks the signature with the Verifier and finds the
// caller's account.
func (c *call) authenticate() error {
	if c.h.cfg.Verifier == nil {
		return s3err.AccessDenied("")
	}
	cred := Credential{Access: c.auth.Access, Signature: c.auth.Signature, StringToSign: c.auth.StringToSign,
		Version: int(c.auth.Version), Scope: c.auth.Scope}
	creds, err := c.h.cfg.Verifier.Verify(c.ctx, cred)
	if errors.Is(err, ErrDenied) {
		return s3err.SignatureDoesNotMatch(
			"AWSAccessKeyId", c.auth.Access, "StringToSign", string(c.auth.StringToSign), "SignatureProvided", c.auth.Signature)
	}
	if err != nil {
		return s3err.ServiceUnavailable().WithCause(err)
	}
	c.creds = creds
	c.account = c.h.cfg.ResellerPrefix + creds.ProjectID
	c.userID = creds.ProjectName + ":" + creds.UserName
	c.ctx = swift.WithCaller(c.ctx, creds)
	return nil
}

// wrapBody puts the body checks in front of the request body.
func (c *call) wrapBody() error {
	if c.plan == nil {
		return nil
	}
	var key []byte
	if c.plan.NeedsKey() {
		if src, ok := c.h.cfg.Verifier.(SecretSource); ok {
			if secret, err := src.Secret(c.ctx, c.creds, c.auth.Access); err == nil {
				key = sig.SigningKey(secret, c.auth.Scope)
			} else {
				c.h.log.Warn("s3: no secret for aws-chunked upload", "err", err, "txn", c.reqID)
			}
		}
	}
	rd, err := c.plan.Wrap(c.r.Body, c.r.ContentLength, key)
	if err != nil {
		return err
	}
	var bodyErr error
	c.bodyErr = &bodyErr
	c.r.Body = &guard{r: rd, c: c.r.Body, err: &bodyErr}
	if n := c.plan.DecodedLength(); n >= 0 {
		c.r.ContentLength = n
	}
	return nil
}

// guard records the first S3 error the checked body returns.
type guard struct {
	r   interface{ Read([]byte) (int, error) }
	c   interface{ Close() error }
	err *error
}

func (g *guard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	var e *s3err.Error
	if err != nil && *g.err == nil && errors.As(err, &e) {
		*g.err = e
	}
	return n, err
}

func (g *guard) Close() error { return g.c.Close() }

func decodeBase64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(s)
}
