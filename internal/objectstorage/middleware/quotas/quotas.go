// Package quotas holds Swift's account_quotas and container_quotas
// middlewares. A reseller admin sets an account's quota
// (X-Account-Quota-Bytes/-Count, or the older X-Account-Meta-Quota-Bytes;
// kept in sysmeta, anyone else gets 403); a container's owner sets
// X-Container-Meta-Quota-Bytes/-Count. An object PUT (or copy) that
// would pass a quota gets 413 "Upload exceeds quota.".
//
// The counts come from HEADs of the account and container. An entity
// without a quota is remembered as such for a few seconds, so that the
// PUTs of a cluster without quotas do not pay two extra HEADs each; a
// quota set through this proxy clears what is remembered at once.
package quotas

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
)

// Config configures both middlewares; zero values are the defaults.
type Config struct {
	// ResellerAdminRole is the role whose holder may set account quotas
	// and is never held to them (default "ResellerAdmin").
	ResellerAdminRole string
	// NoQuotaTTL is how long an account or container seen without any
	// quota is taken to still have none (default 5 s; negative: never).
	NoQuotaTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.ResellerAdminRole == "" {
		c.ResellerAdminRole = "ResellerAdmin"
	}
	if c.NoQuotaTTL == 0 {
		c.NoQuotaTTL = 5 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// info is what a HEAD of an account or container says about quotas.
type info struct {
	ok         bool
	bytes      int64
	count      int64
	quotaBytes int64 // -1: none
	quotaCount int64 // -1: none
	at         time.Time
}

func (i info) limited() bool { return i.quotaBytes >= 0 || i.quotaCount >= 0 }

// infoCache remembers accounts and containers without quotas.
type infoCache struct {
	cfg  Config
	next http.Handler
	mu   sync.Mutex
	m    map[string]info
}

func newCache(next http.Handler, cfg Config) *infoCache {
	return &infoCache{cfg: cfg, next: next, m: map[string]info{}}
}

func (c *infoCache) forget(p string) {
	c.mu.Lock()
	delete(c.m, p)
	c.mu.Unlock()
}

// get HEADs an account or container path (unescaped) as an authorized
// subrequest and reads its usage and quotas with read.
func (c *infoCache) get(r *http.Request, p string, read func(http.Header) info) info {
	now := c.cfg.Now()
	c.mu.Lock()
	i, ok := c.m[p]
	c.mu.Unlock()
	if ok && now.Sub(i.at) < c.cfg.NoQuotaTTL {
		return i
	}
	ctx := middleware.MetadataContext(r.Context())
	resp := middleware.Do(ctx, c.next, middleware.NewRequest(ctx, http.MethodHead, p, "", nil))
	middleware.Drain(resp)
	if resp.StatusCode/100 != 2 {
		return info{quotaBytes: -1, quotaCount: -1}
	}
	i = read(resp.Header)
	i.ok, i.at = true, now
	if !i.limited() && c.cfg.NoQuotaTTL > 0 {
		c.mu.Lock()
		if len(c.m) > 100000 {
			clear(c.m)
		}
		c.m[p] = i
		c.mu.Unlock()
	}
	return i
}

// digits reports whether s is all ASCII digits and not empty (Python's
// str.isdigit for the values that matter).
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// num parses a quota or count header; missing or bad is def.
func num(v string, def int64) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return def
	}
	return n
}

// upload is what an object write adds: its size, and the container it
// goes to.
type upload struct {
	size      int64
	container string // unescaped container path, "/v1/a/c"
	account   string // "/v1/a"
}

// uploadOf reports what an object PUT or COPY adds, reading the source's
// size for a copy (X-Copy-From, or COPY with Destination) with a HEAD.
func uploadOf(r *http.Request, next http.Handler, p middleware.Path) (upload, bool) {
	u := upload{container: p.ContainerPath(), account: p.AccountPath()}
	var src string
	switch r.Method {
	case http.MethodPut:
		u.size = max(r.ContentLength, 0)
		src = r.Header.Get("X-Copy-From")
	case "COPY":
		dest := r.Header.Get("Destination")
		if dest == "" {
			return u, false
		}
		dest, _ = url.PathUnescape(dest)
		dc, _, ok := strings.Cut(strings.TrimLeft(dest, "/"), "/")
		if !ok {
			return u, false
		}
		acct := p.Account
		if a := r.Header.Get("Destination-Account"); a != "" {
			acct = a
		}
		u.account = "/" + p.Version + "/" + acct
		u.container = u.account + "/" + dc
		src = "/" + p.Container + "/" + p.Object
	default:
		return u, false
	}
	if src != "" {
		src, _ = url.PathUnescape(src)
		acct := p.Account
		if a := r.Header.Get("X-Copy-From-Account"); a != "" && r.Method == http.MethodPut {
			acct = a
		}
		sp := "/" + p.Version + "/" + acct + "/" + strings.TrimLeft(src, "/")
		resp := middleware.Do(r.Context(), next, middleware.NewRequest(r.Context(), http.MethodHead, sp, "", nil))
		middleware.Drain(resp)
		if resp.StatusCode/100 == 2 {
			u.size = max(resp.ContentLength, num(resp.Header.Get("Content-Length"), 0))
		}
	}
	return u, true
}

// exceeded answers Swift's 413.
func exceeded(w http.ResponseWriter, r *http.Request) {
	middleware.Error(w, r, http.StatusRequestEntityTooLarge, "Upload exceeds quota.")
}

// AccountInfo is the /info section "account_quotas": it has no settings.
func (Config) AccountInfo() map[string]any { return map[string]any{} }

// ContainerInfo is the /info section "container_quotas": it has no
// settings.
func (Config) ContainerInfo() map[string]any { return map[string]any{} }
