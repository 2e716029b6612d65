package proxy

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/proxy/backend"
)

// infoTTL is how long the proxy trusts what it learned about an account
// or a container that exists (Swift's recheck_*_existence, shortened:
// this cache is per process, not shared through memcache, so it is kept
// brief). Writes through this proxy clear the entry at once.
const infoTTL = 10 * time.Second

// maxCached bounds the cache; when full it is emptied, which costs only
// a few HEADs.
const maxCached = 100000

// entityInfo is what the proxy knows of an account or container: Swift's
// account_info / container_info.
type entityInfo struct {
	Status int
	Header http.Header
	// Fake is set for an account that does not exist but answers as empty
	// because of account_autocreate.
	Fake bool
}

// exists reports whether the entity is really there.
func (i *entityInfo) exists() bool {
	return i != nil && i.Status >= 200 && i.Status < 300 && !i.Fake
}

func (i *entityInfo) get(k string) string {
	if i == nil || i.Header == nil {
		return ""
	}
	return i.Header.Get(k)
}

// policyIndex is the container's storage policy index (0 when unknown).
func (i *entityInfo) policyIndex() int {
	n, _ := strconv.Atoi(i.get("X-Backend-Storage-Policy-Index"))
	return n
}

type cached struct {
	info    *entityInfo
	expires time.Time
}

type infoCache struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]cached
}

func newInfoCache(now func() time.Time) *infoCache {
	return &infoCache{now: now, m: map[string]cached{}}
}

func cacheKey(a, c string) string {
	if c == "" {
		return a
	}
	return a + "/" + c
}

func (c *infoCache) get(key string) *entityInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return nil
	}
	if c.now().After(e.expires) {
		delete(c.m, key)
		return nil
	}
	return e.info
}

func (c *infoCache) put(key string, i *entityInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCached {
		clear(c.m)
	}
	c.m[key] = cached{info: i, expires: c.now().Add(infoTTL)}
}

func (c *infoCache) clear(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}

// accountInfo returns what the account servers say about account (a HEAD,
// or the cache).
func (q *request) accountInfo(account string) *entityInfo {
	key := cacheKey(account, "")
	if i := q.p.cache.get(key); i != nil {
		return i
	}
	i := q.headInfo(backend.Account, account, "")
	if i.Status == http.StatusNotFound {
		// account_autocreate: a missing account reads as empty.
		i.Fake = true
		i.Status = http.StatusOK
	}
	if i.exists() {
		q.p.cache.put(key, i)
	}
	return i
}

// containerInfo returns what the container servers say about a container.
func (q *request) containerInfo(account, container string) *entityInfo {
	key := cacheKey(account, container)
	if i := q.p.cache.get(key); i != nil {
		return i
	}
	i := q.headInfo(backend.Container, account, container)
	if i.exists() {
		q.p.cache.put(key, i)
	}
	return i
}

// headInfo HEADs an account or container on its nodes.
func (q *request) headInfo(kind backend.Kind, a, c string) *entityInfo {
	r := q.p.account.Ring()
	if kind == backend.Container {
		r = q.p.container.Ring()
	}
	part := r.Part(q.hashPath(a, c, ""))
	h := http.Header{"X-Trans-Id": {q.transID}}
	res := q.p.be.Get(q.ctx, r, part, kind, http.MethodHead, entityPath(a, c, ""), "", h, false)
	if res.Source != nil {
		res.Source.Body.Close()
		return &entityInfo{Status: res.Source.StatusCode, Header: res.Source.Header}
	}
	b, ok := backend.Best(res.Failures, 0, nil)
	if !ok {
		return &entityInfo{Status: http.StatusServiceUnavailable, Header: http.Header{}}
	}
	return &entityInfo{Status: b.Status, Header: b.Header}
}

// clearInfo forgets an account's or container's cached info after a
// write to it.
func (q *request) clearInfo(a, c string) { q.p.cache.clear(cacheKey(a, c)) }
