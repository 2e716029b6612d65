// Package tempurl is Swift's tempurl middleware: a URL signed with an
// account's or container's Temp-URL-Key grants its holder one method on
// one object (or on every object under a prefix) until it expires,
// without a token.
//
// The signature is an HMAC (SHA-1, SHA-256 or SHA-512; hex, or
// "<digest>:<base64>") over "<method>\n<expires>\n<path>", the path being
// "/v1/<account>/<container>/<object>" or "prefix:/v1/<a>/<c>/<prefix>",
// and "ip=<range>\n" in front when the URL is limited to an IP range.
// A valid request goes on with swift.WithAuthorized, its query reduced
// to the tempurl parameters; anything wrong is one 401, so the answer
// never tells which part failed.
package tempurl

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Config is the middleware's configuration; zero values take Swift's
// defaults.
type Config struct {
	// Methods may be used with a temporary URL (GET HEAD PUT POST DELETE).
	Methods []string
	// IncomingRemoveHeaders are removed from requests (a trailing "*"
	// matches a prefix), except those IncomingAllowHeaders names.
	IncomingRemoveHeaders []string
	IncomingAllowHeaders  []string
	// OutgoingRemoveHeaders are removed from responses, except those
	// OutgoingAllowHeaders names.
	OutgoingRemoveHeaders []string
	OutgoingAllowHeaders  []string
	// AllowedDigests are the HMAC digests accepted (sha1 sha256 sha512).
	AllowedDigests []string
	// KeyTTL is how long the keys read from account and container
	// metadata are reused (default 5 s). A signature that fails against
	// cached keys is checked again against fresh ones, so a key just set
	// works at once; a key just removed keeps working for at most KeyTTL.
	KeyTTL time.Duration
	// Now returns the current time (time.Now).
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.Methods == nil {
		c.Methods = []string{"GET", "HEAD", "PUT", "POST", "DELETE"}
	}
	if c.IncomingRemoveHeaders == nil {
		c.IncomingRemoveHeaders = []string{"x-timestamp", "x-open-expired"}
	}
	if c.IncomingAllowHeaders == nil {
		c.IncomingAllowHeaders = []string{}
	}
	if c.OutgoingRemoveHeaders == nil {
		c.OutgoingRemoveHeaders = []string{"x-object-meta-*"}
	}
	if c.OutgoingAllowHeaders == nil {
		c.OutgoingAllowHeaders = []string{"x-object-meta-public-*"}
	}
	if c.AllowedDigests == nil {
		c.AllowedDigests = []string{"sha1", "sha256", "sha512"}
	}
	if c.KeyTTL == 0 {
		c.KeyTTL = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Info is the middleware's /info section.
func (c Config) Info() map[string]any {
	c.defaults()
	digests := slices.Clone(c.AllowedDigests)
	slices.Sort(digests)
	info := map[string]any{
		"methods":                 c.Methods,
		"incoming_remove_headers": c.IncomingRemoveHeaders,
		"incoming_allow_headers":  c.IncomingAllowHeaders,
		"outgoing_remove_headers": c.OutgoingRemoveHeaders,
		"outgoing_allow_headers":  c.OutgoingAllowHeaders,
		"allowed_digests":         digests,
	}
	if slices.Contains(digests, "sha1") {
		info["deprecated_digests"] = []string{"sha1"}
	}
	return info
}

// TempURL is the middleware.
type TempURL struct {
	next   http.Handler
	cfg    Config
	inRm   matcher
	inOK   matcher
	outRm  matcher
	outOK  matcher
	keys   *Keys
	digest map[string]bool
}

// New returns the tempurl middleware in front of next.
func New(next http.Handler, cfg Config) *TempURL {
	cfg.defaults()
	t := &TempURL{
		next:   next,
		cfg:    cfg,
		inRm:   newMatcher(cfg.IncomingRemoveHeaders),
		inOK:   newMatcher(cfg.IncomingAllowHeaders),
		outRm:  newMatcher(cfg.OutgoingRemoveHeaders),
		outOK:  newMatcher(cfg.OutgoingAllowHeaders),
		keys:   NewKeys(next, cfg.KeyTTL, cfg.Now),
		digest: map[string]bool{},
	}
	for _, d := range cfg.AllowedDigests {
		t.digest[strings.ToLower(d)] = true
	}
	return t
}

// Scopes of a key: a signature made with an account key reaches the
// whole account, one made with a container key only that container.
const (
	scopeAccount   = "account"
	scopeContainer = "container"
)

// params are the tempurl query parameters of a request.
type params struct {
	sig, expires, prefix, filename, ipRange string
	hasSig, hasExpires, hasPrefix, inline   bool
}

func parseParams(rawQuery string) params {
	var p params
	// Swift parses with parse_qs(keep_blank_values=True) and takes the
	// first value of each name.
	q, _ := url.ParseQuery(rawQuery)
	first := func(k string) (string, bool) {
		v, ok := q[k]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	p.sig, p.hasSig = first("temp_url_sig")
	p.expires, p.hasExpires = first("temp_url_expires")
	p.prefix, p.hasPrefix = first("temp_url_prefix")
	p.filename, _ = first("filename")
	p.ipRange, _ = first("temp_url_ip_range")
	_, p.inline = q["inline"]
	return p
}

// expiry parses temp_url_expires as Swift's normalize_temp_url_expires:
// Unix seconds or "%Y-%m-%dT%H:%M:%SZ"; 0 when unparsable or past.
func expiry(v string, now time.Time) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t, err := time.Parse("2006-01-02T15:04:05Z", v)
		if err != nil {
			return 0
		}
		n = t.Unix()
	}
	if float64(n) < float64(now.UnixNano())/1e9 {
		return 0
	}
	return n
}

// ParseSignature returns the digest name and hex signature of a
// temp_url_sig: hex of 40/64/128 digits is sha1/sha256/sha512,
// "<name>:<base64>" (standard or URL-safe, padding optional) names it.
func ParseSignature(sig string) (string, string, bool) {
	if name, b64, ok := strings.Cut(sig, ":"); ok {
		if strings.ContainsAny(b64, "-_") && !strings.ContainsAny(b64, "+/") {
			b64 = strings.NewReplacer("-", "+", "_", "/").Replace(b64)
		}
		b64 = strings.TrimRight(b64, "=")
		raw, err := base64.RawStdEncoding.Strict().DecodeString(b64)
		if err != nil {
			return "", "", false
		}
		return name, hex.EncodeToString(raw), true
	}
	if _, err := hex.DecodeString(sig); err != nil {
		return "", "", false
	}
	switch len(sig) {
	case 40:
		return "sha1", sig, true
	case 64:
		return "sha256", sig, true
	case 128:
		return "sha512", sig, true
	}
	return "", "", false
}

func hashFor(name string) func() hash.Hash {
	switch name {
	case "sha1":
		return sha1.New
	case "sha256":
		return sha256.New
	case "sha512":
		return sha512.New
	}
	return nil
}

// Sign returns the hex HMAC of a temporary URL, as Swift's get_hmac:
// "[ip=<range>\n]<method>\n<expires>\n<path>" keyed with key.
func Sign(digest, method string, expires int64, path, key, ipRange string) string {
	newHash := hashFor(digest)
	if newHash == nil {
		return ""
	}
	m := hmac.New(newHash, []byte(key))
	if ipRange != "" {
		m.Write([]byte("ip=" + ipRange + "\n"))
	}
	m.Write([]byte(method + "\n" + strconv.FormatInt(expires, 10) + "\n" + path))
	return hex.EncodeToString(m.Sum(nil))
}

func (t *TempURL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		t.next.ServeHTTP(w, r)
		return
	}
	p := parseParams(r.URL.RawQuery)
	if !p.hasSig && !p.hasExpires {
		t.next.ServeHTTP(w, r)
		return
	}
	now := t.cfg.Now()
	expires := expiry(p.expires, now)
	if !p.hasExpires {
		expires = 0
	}
	if p.sig == "" || expires == 0 {
		t.invalid(w, r)
		return
	}
	digest, sig, ok := ParseSignature(p.sig)
	if !ok || !t.digest[digest] || hashFor(digest) == nil {
		t.invalid(w, r)
		return
	}
	containerRoot := (r.Method == http.MethodGet || r.Method == http.MethodHead) && p.hasPrefix && p.prefix == ""
	acct, cont, obj, ok := t.pathParts(r, containerRoot)
	if !ok {
		t.invalid(w, r)
		return
	}
	if p.ipRange != "" && !inRange(r.RemoteAddr, p.ipRange) {
		t.invalid(w, r)
		return
	}
	var signed string
	if p.hasPrefix {
		if !strings.HasPrefix(obj, p.prefix) {
			t.invalid(w, r)
			return
		}
		signed = "prefix:/v1/" + acct + "/" + cont + "/" + p.prefix
	} else {
		signed = "/v1/" + acct + "/" + cont + "/" + obj
	}
	methods := []string{r.Method}
	if r.Method == http.MethodHead {
		// A URL for GET, POST or PUT may also be used to HEAD.
		methods = []string{"HEAD", "GET", "POST", "PUT"}
	}
	scope, found := t.check(r, acct, cont, digest, sig, methods, expires, signed, p.ipRange, false)
	if !found {
		// The keys may have changed since they were cached.
		scope, found = t.check(r, acct, cont, digest, sig, methods, expires, signed, p.ipRange, true)
	}
	if !found {
		t.invalid(w, r)
		return
	}
	_ = scope // every subrequest stays in the signed account or container
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		for _, h := range []string{"X-Object-Manifest", "X-Symlink-Target"} {
			if _, ok := r.Header[h]; ok {
				middleware.Error(w, r, http.StatusBadRequest,
					"The header '"+h+"' is not allowed in this tempurl")
				return
			}
		}
	}
	r2 := r.Clone(swift.WithAuthorized(r.Context()))
	t.cleanIncoming(r2.Header)
	r2.URL.RawQuery = reducedQuery(p)
	r2.RequestURI = ""

	hook := &middleware.HeaderHook{ResponseWriter: w}
	hook.Hook = func(status int, h http.Header) bool {
		t.cleanOutgoing(h)
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || status/100 != 2 {
			return true
		}
		inline := p.inline
		if h.Get("X-Backend-Content-Generator") == "staticweb" {
			inline = true
		} else if obj == "" {
			return false
		}
		var disp string
		switch {
		case inline && p.filename != "":
			disp = disposition("inline", p.filename)
		case inline:
			disp = "inline"
		case p.filename != "":
			disp = disposition("attachment", p.filename)
		case h.Get("Content-Disposition") != "":
			disp = h.Get("Content-Disposition")
		default:
			disp = disposition("attachment", path.Base(strings.TrimRight(r.URL.Path, "/")))
		}
		h.Set("Content-Disposition", strings.ReplaceAll(disp, "\n", "%0A"))
		h.Set("Expires", time.Unix(expires, 0).UTC().Format(http.TimeFormat))
		return true
	}
	t.next.ServeHTTP(hook, r2)
	if hook.Dropped() {
		// A container-root URL (temp_url_prefix="") may only list what
		// staticweb renders; anything else is refused as an invalid URL.
		t.invalid(w, r)
	}
}

// check looks for a key whose signature matches.
func (t *TempURL) check(r *http.Request, acct, cont, digest, sig string, methods []string, expires int64, signed, ipRange string, fresh bool) (string, bool) {
	keys := t.keys.get(r, acct, cont, fresh)
	want := []byte(sig)
	for _, k := range keys {
		for _, m := range methods {
			got := Sign(digest, m, expires, signed, k.key, ipRange)
			if hmac.Equal([]byte(got), want) {
				return k.scope, true
			}
		}
	}
	return "", false
}

// pathParts returns the names of an object request for a configured
// method (or of a container root, when allowed).
func (t *TempURL) pathParts(r *http.Request, containerRoot bool) (acct, cont, obj string, ok bool) {
	if !slices.Contains(t.cfg.Methods, r.Method) {
		return "", "", "", false
	}
	minSegs := 4
	if containerRoot {
		minSegs = 3
	}
	segs, err := swift.SplitPath(r.URL.Path, minSegs, 4, true)
	if err != nil {
		return "", "", "", false
	}
	if segs[0] != "v1" || (!containerRoot && strings.Trim(segs[3], "/") == "") {
		return "", "", "", false
	}
	return segs[1], segs[2], segs[3], true
}

// invalid answers Swift's 401 for any bad temporary URL.
func (t *TempURL) invalid(w http.ResponseWriter, r *http.Request) {
	body := "401 Unauthorized: Temp URL invalid\n"
	if r.Method == http.MethodHead {
		body = ""
	}
	middleware.Error(w, r, http.StatusUnauthorized, body)
}

// reducedQuery is the query the request goes on with: only the tempurl
// parameters, as Swift rewrites QUERY_STRING (so no other parameter, such
// as multipart-manifest, can change what the signature allowed).
func reducedQuery(p params) string {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
	}
	add("temp_url_sig", p.sig)
	add("temp_url_expires", p.expires)
	if p.hasPrefix {
		add("temp_url_prefix", p.prefix)
	}
	if p.filename != "" {
		add("filename", p.filename)
	}
	if p.inline {
		add("inline", "")
	}
	return b.String()
}

// disposition formats a Content-Disposition with both filename forms, as
// Swift's disposition_format.
func disposition(kind, filename string) string {
	return kind + `; filename="` + swift.Quote(filename, " /") + `"; filename*=UTF-8''` + swift.Quote(filename, "/")
}

func inRange(remote, cidr string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	pfx, err := netip.ParsePrefix(cidr)
	if err != nil {
		a, err := netip.ParseAddr(cidr)
		if err != nil {
			return false
		}
		pfx = netip.PrefixFrom(a, a.BitLen())
	} else if pfx.Masked() != pfx {
		// Python's ip_network is strict: host bits set is a ValueError.
		return false
	}
	return pfx.Contains(addr.Unmap())
}

// matcher matches header names exactly or, for names ending in "*", by
// prefix; case-insensitively.
type matcher struct {
	exact    map[string]bool
	prefixes []string
}

func newMatcher(names []string) matcher {
	m := matcher{exact: map[string]bool{}}
	for _, n := range names {
		n = strings.ToLower(n)
		if p, ok := strings.CutSuffix(n, "*"); ok {
			m.prefixes = append(m.prefixes, p)
		} else {
			m.exact[n] = true
		}
	}
	return m
}

func (m matcher) match(name string) bool {
	n := strings.ToLower(name)
	if m.exact[n] {
		return true
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

func (t *TempURL) cleanIncoming(h http.Header) {
	for k := range h {
		if !t.inOK.match(k) && t.inRm.match(k) {
			delete(h, k)
		}
	}
}

func (t *TempURL) cleanOutgoing(h http.Header) {
	for k := range h {
		if !t.outOK.match(k) && t.outRm.match(k) {
			delete(h, k)
		}
	}
}

// scopedKey is a Temp-URL-Key and where it was set.
type scopedKey struct {
	key, scope string
}

type keyEntry struct {
	keys []string
	at   time.Time
}

// Keys holds the Temp-URL-Key values of accounts and containers, read
// with authorized HEAD subrequests and kept for a while (formpost uses
// it too).
type Keys struct {
	next http.Handler
	ttl  time.Duration
	now  func() time.Time

	mu sync.Mutex
	m  map[string]keyEntry
}

// NewKeys returns a key cache reading through next, keeping keys for
// ttl.
func NewKeys(next http.Handler, ttl time.Duration, now func() time.Time) *Keys {
	if now == nil {
		now = time.Now
	}
	return &Keys{next: next, ttl: ttl, now: now, m: map[string]keyEntry{}}
}

// get returns the account keys, then the container keys.
func (c *Keys) get(r *http.Request, acct, cont string, fresh bool) []scopedKey {
	var out []scopedKey
	for _, k := range c.lookup(r, "/v1/"+acct, "X-Account-Meta-", fresh) {
		out = append(out, scopedKey{k, scopeAccount})
	}
	for _, k := range c.lookup(r, "/v1/"+acct+"/"+cont, "X-Container-Meta-", fresh) {
		out = append(out, scopedKey{k, scopeContainer})
	}
	return out
}

func (c *Keys) lookup(r *http.Request, p, prefix string, fresh bool) []string {
	now := c.now()
	if !fresh {
		c.mu.Lock()
		e, ok := c.m[p]
		c.mu.Unlock()
		if ok && now.Sub(e.at) < c.ttl {
			return e.keys
		}
	}
	ctx := middleware.MetadataContext(r.Context())
	req := middleware.NewRequest(ctx, http.MethodHead, p, "", nil)
	resp := middleware.Do(ctx, c.next, req)
	middleware.Drain(resp)
	var keys []string
	if resp.StatusCode/100 == 2 {
		for _, name := range []string{prefix + "Temp-Url-Key", prefix + "Temp-Url-Key-2"} {
			if v := resp.Header.Get(name); v != "" {
				keys = append(keys, v)
			}
		}
	}
	c.mu.Lock()
	if len(c.m) > 10000 {
		// Bound the memory a stream of distinct names can take.
		clear(c.m)
	}
	c.m[p] = keyEntry{keys: keys, at: now}
	c.mu.Unlock()
	return keys
}

// Get returns the keys of an account and of one of its containers;
// fresh skips what is cached.
func (c *Keys) Get(r *http.Request, acct, cont string, fresh bool) []string {
	var out []string
	for _, k := range c.get(r, acct, cont, fresh) {
		out = append(out, k.key)
	}
	return out
}
