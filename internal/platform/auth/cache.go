package auth

import (
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Cache defaults.
const (
	DefaultCacheTTL     = 30 * time.Second
	DefaultCacheEntries = 10000
	DefaultNegativeTTL  = 3 * time.Second
)

// Cache is a Validator that remembers the answers of another, as
// keystonemiddleware's token cache does, so that a service does not ask
// identity about every request.
//
// Consequences operators should know:
//
//   - A revoked token (DELETE /v3/auth/tokens, a disabled user, a removed
//     role assignment) keeps working at a service for up to the TTL after
//     revocation, because the service answers from its cache. Lower the TTL
//     (or call Invalidate on revocation events) where that matters.
//   - Credentials are never returned past the token's ExpiresAt, whatever
//     the TTL.
//   - Refusals (ErrInvalidToken) are cached only for a few seconds, so a
//     token that was just issued, or identity briefly confused, is retried
//     soon. Other errors (identity unreachable) are not cached at all.
//   - Entries are keyed by the SHA-256 of the token; the token text is not
//     kept. Concurrent validations of one token share one upstream call.
type Cache struct {
	v      Validator
	ttl    time.Duration
	negTTL time.Duration
	max    int

	flight singleflight.Group

	mu      sync.Mutex
	entries map[[sha256.Size]byte]*list.Element
	lru     *list.List // front: most recently used; values are *cacheEntry
}

type cacheEntry struct {
	key     [sha256.Size]byte
	creds   *Credentials // nil: a cached refusal; Token field is empty
	expires time.Time
}

// NewCache wraps v. A ttl of zero means DefaultCacheTTL and maxEntries of
// zero DefaultCacheEntries; a negative ttl disables caching.
func NewCache(v Validator, ttl time.Duration, maxEntries int) *Cache {
	if ttl == 0 {
		ttl = DefaultCacheTTL
	}
	if maxEntries <= 0 {
		maxEntries = DefaultCacheEntries
	}
	return &Cache{
		v:       v,
		ttl:     ttl,
		negTTL:  min(DefaultNegativeTTL, ttl),
		max:     maxEntries,
		entries: map[[sha256.Size]byte]*list.Element{},
		lru:     list.New(),
	}
}

// Validate answers from the cache when it can and asks the wrapped
// Validator otherwise.
func (c *Cache) Validate(ctx context.Context, token string) (*Credentials, error) {
	if token == "" {
		return nil, ErrInvalidToken
	}
	if c.ttl < 0 {
		return c.v.Validate(ctx, token)
	}
	key := sha256.Sum256([]byte(token))
	if creds, found, err := c.lookup(key); found {
		if err != nil {
			return nil, err
		}
		return withToken(creds, token), nil
	}
	// Share one upstream call between concurrent requests with the same
	// token. The shared call must not die with the first caller's context;
	// each caller still stops waiting when its own context ends.
	ch := c.flight.DoChan(string(key[:]), func() (any, error) {
		creds, err := c.v.Validate(context.WithoutCancel(ctx), token)
		c.store(key, creds, err)
		if err != nil {
			return nil, err
		}
		if !creds.ExpiresAt.IsZero() && !time.Now().Before(creds.ExpiresAt) {
			return nil, fmt.Errorf("%w: expired at %s", ErrInvalidToken, creds.ExpiresAt.UTC().Format(time.RFC3339))
		}
		return stripToken(creds), nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return withToken(r.Val.(*Credentials), token), nil
	}
}

// Invalidate drops the cached answer for token, for instance when a
// revocation notification arrives.
func (c *Cache) Invalidate(token string) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.lru.Remove(el)
		delete(c.entries, key)
	}
}

// Purge drops every cached answer.
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[[sha256.Size]byte]*list.Element{}
	c.lru.Init()
}

// Len returns the number of cached answers.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

func (c *Cache) lookup(key [sha256.Size]byte) (creds *Credentials, found bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false, nil
	}
	e := el.Value.(*cacheEntry)
	if !time.Now().Before(e.expires) {
		c.lru.Remove(el)
		delete(c.entries, key)
		return nil, false, nil
	}
	c.lru.MoveToFront(el)
	if e.creds == nil {
		return nil, true, ErrInvalidToken
	}
	return e.creds, true, nil
}

func (c *Cache) store(key [sha256.Size]byte, creds *Credentials, err error) {
	now := time.Now()
	e := &cacheEntry{key: key}
	switch {
	case errors.Is(err, ErrInvalidToken):
		e.expires = now.Add(c.negTTL)
	case err != nil:
		return // transient: ask again next time
	default:
		e.creds = stripToken(creds)
		e.expires = now.Add(c.ttl)
		if !creds.ExpiresAt.IsZero() && creds.ExpiresAt.Before(e.expires) {
			e.expires = creds.ExpiresAt
		}
		if !now.Before(e.expires) {
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.lru.Remove(el)
		delete(c.entries, key)
	}
	for c.lru.Len() >= c.max {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.entries, oldest.Value.(*cacheEntry).key)
	}
	c.entries[key] = c.lru.PushFront(e)
}

// stripToken returns a copy of c without the token text.
func stripToken(c *Credentials) *Credentials {
	cp := *c
	cp.Token = ""
	return &cp
}

// withToken returns a copy of c, safe for the caller to change, carrying
// token.
func withToken(c *Credentials, token string) *Credentials {
	cp := *c
	cp.Roles = slices.Clone(c.Roles)
	cp.RoleIDs = slices.Clone(c.RoleIDs)
	cp.Methods = slices.Clone(c.Methods)
	cp.AuditIDs = slices.Clone(c.AuditIDs)
	cp.Token = token
	return &cp
}

var _ Validator = (*Cache)(nil)
