package quotas

import (
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/objectstorage/middleware"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// Account is Swift's account_quotas middleware.
type Account struct {
	next  http.Handler
	cfg   Config
	cache *infoCache
}

// NewAccount returns the account quota middleware in front of next.
func NewAccount(next http.Handler, cfg Config) *Account {
	cfg.defaults()
	return &Account{next: next, cfg: cfg, cache: newCache(next, cfg)}
}

// reseller reports whether the caller is a reseller admin (Swift's
// reseller_request).
func (a *Account) reseller(r *http.Request) bool {
	c, ok := swift.CallerFrom(r.Context())
	if !ok {
		return false
	}
	for _, role := range c.Roles {
		if strings.EqualFold(role, a.cfg.ResellerAdminRole) {
			return true
		}
	}
	return false
}

func (a *Account) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := middleware.SplitPath(r.URL.Path)
	if !ok {
		a.next.ServeHTTP(w, r)
		return
	}
	if p.Container == "" {
		a.account(w, r, p)
		return
	}
	if p.Object == "" || a.reseller(r) {
		a.next.ServeHTTP(w, r)
		return
	}
	u, ok := uploadOf(r, a.next, p)
	if !ok {
		a.next.ServeHTTP(w, r)
		return
	}
	i := a.cache.get(r, u.account, func(h http.Header) info {
		qb := num(h.Get("X-Account-Sysmeta-Quota-Bytes"), -1)
		if h.Get("X-Account-Sysmeta-Quota-Bytes") == "" {
			qb = num(h.Get("X-Account-Meta-Quota-Bytes"), -1)
		}
		return info{
			bytes: num(h.Get("X-Account-Bytes-Used"), 0), count: num(h.Get("X-Account-Object-Count"), 0),
			quotaBytes: qb, quotaCount: num(h.Get("X-Account-Sysmeta-Quota-Count"), -1),
		}
	})
	if i.ok && ((i.quotaBytes >= 0 && i.quotaBytes < i.bytes+u.size) ||
		(i.quotaCount >= 0 && i.quotaCount < i.count+1)) {
		exceeded(w, r)
		return
	}
	a.next.ServeHTTP(w, r)
}

// account handles requests to the account itself: who may set quotas,
// and showing them.
func (a *Account) account(w http.ResponseWriter, r *http.Request, p middleware.Path) {
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		r = r.Clone(r.Context())
		r.RequestURI = ""
		h := r.Header
		// The older metadata header sets the same quota.
		for _, legacy := range []string{"X-Account-Meta-Quota-Bytes", "X-Remove-Account-Meta-Quota-Bytes"} {
			if v, ok := h[legacy]; ok {
				nh := strings.Replace(legacy, "-Meta-", "-", 1)
				if h.Get(nh) == "" {
					h[nh] = v
				}
			}
		}
		reseller := a.reseller(r)
		for _, kind := range []string{"Quota-Bytes", "Quota-Count"} {
			v, set := h["X-Account-"+kind]
			val := ""
			if set && len(v) > 0 {
				val = v[0]
			}
			if h.Get("X-Remove-Account-"+kind) != "" {
				val, set = "", true
			}
			if !reseller {
				if set {
					middleware.Error(w, r, http.StatusForbidden, "")
					return
				}
				continue
			}
			if val != "" && !digits(val) {
				middleware.Error(w, r, http.StatusBadRequest, "")
				return
			}
			if set {
				// An empty sysmeta value removes it.
				h.Set("X-Account-Sysmeta-"+kind, val)
			}
			h.Del("X-Account-" + kind)
			h.Del("X-Remove-Account-" + kind)
		}
		a.cache.forget(p.AccountPath())
	}
	hook := &middleware.HeaderHook{ResponseWriter: w}
	hook.Hook = func(status int, h http.Header) bool {
		for _, kind := range []string{"Quota-Bytes", "Quota-Count"} {
			if v := h.Get("X-Account-Sysmeta-" + kind); v != "" {
				h.Set("X-Account-"+kind, v)
			}
		}
		return true
	}
	a.next.ServeHTTP(hook, r)
}
