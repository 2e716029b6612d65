package portview

import "sync"

// cacheMax bounds the entries of a Cache; past it, the cache starts again
// empty.
const cacheMax = 20_000

// tagsAt is the index of "tags" in keys: the one attribute a Cache does
// not keep, since tags are not part of a port's row and are read apart.
const tagsAt = 27

// Cache keeps the rendered attributes of ports (all but the tags), by
// port id and hidden attributes, under the revision_number they were
// rendered at. A port's revision moves with every change to it (its
// row, addresses, groups, binding, status), so an entry at the port's
// current revision is what rendering it again would give; the DNS
// assignments come from its addresses and name and the service's
// domain, fixed for a Cache (one per API handler). It spares a list of
// a thousand ports most of its rendering.
type Cache struct {
	mu sync.Mutex
	m  map[cacheKey]cached
}

type cacheKey struct {
	id     string
	hidden uint64
}

type cached struct {
	rev        int64
	head, tail []byte
}

func (c *Cache) get(id string, rev int64, hidden uint64) (head, tail []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[cacheKey{id, hidden}]
	if !ok || e.rev != rev {
		return nil, nil
	}
	return e.head, e.tail
}

// put keeps head and tail, which the caller must not change afterwards.
func (c *Cache) put(id string, rev int64, hidden uint64, head, tail []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= cacheMax {
		c.m = map[cacheKey]cached{}
	}
	c.m[cacheKey{id, hidden}] = cached{rev: rev, head: head, tail: tail}
}
