package catalog

import (
	"sync"
	"time"
)

// catalogTTL bounds how stale a cached catalog may be when another
// process (a second API node on the same database) changed the catalog;
// changes made through this process clear the cache at once.
const catalogTTL = 5 * time.Second

// catalogCache keeps the catalog per project: every token issue and
// validate renders it, and building it is several queries.
type catalogCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]cachedCatalog
}

type cachedCatalog struct {
	at      time.Time
	catalog []Entry
}

func (c *catalogCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *catalogCache) get(projectID string) ([]Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[projectID]
	if !ok || time.Since(e.at) > catalogTTL {
		return nil, false
	}
	return e.catalog, true
}

// put stores a catalog built while the generation was gen; a change since
// then makes it stale, so it is dropped.
func (c *catalogCache) put(projectID string, gen uint64, cat []Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) > 10000 {
		c.entries = map[string]cachedCatalog{}
	}
	c.entries[projectID] = cachedCatalog{at: time.Now(), catalog: cat}
}

// catalogChanged drops every cached catalog.
func (s *Service) catalogChanged() {
	c := &s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = nil
}
