package store

import (
	"maps"
	"slices"
	"sync"

	"github.com/gostack/gostack/internal/network"
)

// portCacheMax bounds the ports the cache holds; past it, the cache starts
// again empty (a cloud of that many ports lists them in pages).
const portCacheMax = 50_000

// portCache keeps the ports that read-only transactions decoded, with
// their fixed IPs and security groups, each under the revision_number it
// was read with. A list then reads only the ids and revisions of its
// ports and decodes just the ones whose revision moved: most of a list's
// cost was SQLite's decoding of 23 columns a port and the two child
// reads.
//
// It is correct across processes because every change to a port's row,
// addresses or groups moves its revision_number (as Neutron does), and
// the store's UpdatePort only writes a revision above the stored one, so
// one committed (id, revision) has one content. It takes ports only from
// read-only snapshots, which hold committed content; a write
// transaction's own uncommitted rows, which a rollback could undo and a
// later change give the same revision, never enter it. Tags are not
// kept: they are read apart.
type portCache struct {
	mu    sync.Mutex
	ports map[string]*network.Port
}

// lookup returns, for each id, a copy of the cached port if it is at
// revision revs[i], or nil, and how many it found.
func (c *portCache) lookup(ids []string, revs []int64) ([]*network.Port, int) {
	found := make([]*network.Port, len(ids))
	hits := 0
	c.mu.Lock()
	for i, id := range ids {
		if p := c.ports[id]; p != nil && p.Revision == revs[i] {
			found[i] = p
			hits++
		}
	}
	c.mu.Unlock()
	// The entries are never changed once cached (add replaces them), so
	// they are copied outside the lock; the copies' structs and slices
	// come from one allocation each, not a few per port.
	var b batch
	for _, p := range found {
		if p != nil {
			b.ips += len(p.FixedIPs)
			b.groups += len(p.SecurityGroups)
		}
	}
	b.alloc(hits)
	for i, p := range found {
		if p != nil {
			found[i] = b.clone(p)
		}
	}
	return found, hits
}

// batch is the memory of many port copies: their structs, addresses and
// groups, each slice capped at its length so that a reader's append
// moves it instead of writing over its neighbour's.
type batch struct {
	ports    []network.Port
	ips      int
	groups   int
	ipMem    []network.FixedIP
	groupMem []string
}

func (b *batch) alloc(n int) {
	b.ports = make([]network.Port, n)
	b.ipMem = make([]network.FixedIP, b.ips)
	b.groupMem = make([]string, b.groups)
}

func (b *batch) clone(p *network.Port) *network.Port {
	q := &b.ports[0]
	b.ports = b.ports[1:]
	*q = *p
	if p.FixedIPs != nil {
		n := copy(b.ipMem, p.FixedIPs)
		q.FixedIPs, b.ipMem = b.ipMem[:n:n], b.ipMem[n:]
	}
	if p.SecurityGroups != nil {
		n := copy(b.groupMem, p.SecurityGroups)
		q.SecurityGroups, b.groupMem = b.groupMem[:n:n], b.groupMem[n:]
	}
	q.Tags = slices.Clone(p.Tags)
	q.AddressPairs = slices.Clone(p.AddressPairs)
	q.ExtraDHCPOpts = slices.Clone(p.ExtraDHCPOpts)
	q.VIFDetails = cloneMap(p.VIFDetails)
	q.Profile = cloneMap(p.Profile)
	if p.QoSPolicyID != nil {
		id := *p.QoSPolicyID
		q.QoSPolicyID = &id
	}
	return q
}

// add keeps copies of ps (read in a read-only snapshot). When all is
// set, ps are every port there is, and the ports not among them (deleted)
// are dropped.
func (c *portCache) add(ps []*network.Port, all bool) {
	cp := make([]*network.Port, len(ps))
	for i, p := range ps {
		cp[i] = clonePort(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if all || c.ports == nil || len(c.ports)+len(cp) > portCacheMax {
		c.ports = make(map[string]*network.Port, len(cp))
	}
	if len(cp) > portCacheMax {
		cp = cp[:portCacheMax]
	}
	for _, p := range cp {
		c.ports[p.ID] = p
	}
}

// clonePort copies p so that neither the cache nor its reader sees the
// other's later changes: the slices and the binding maps are copied, the
// strings shared (they are immutable).
func clonePort(p *network.Port) *network.Port {
	q := *p
	q.Tags = slices.Clone(p.Tags)
	q.FixedIPs = slices.Clone(p.FixedIPs)
	q.AddressPairs = slices.Clone(p.AddressPairs)
	q.ExtraDHCPOpts = slices.Clone(p.ExtraDHCPOpts)
	q.SecurityGroups = slices.Clone(p.SecurityGroups)
	q.VIFDetails = cloneMap(p.VIFDetails)
	q.Profile = cloneMap(p.Profile)
	if p.QoSPolicyID != nil {
		id := *p.QoSPolicyID
		q.QoSPolicyID = &id
	}
	return &q
}

// cloneMap deep-copies a map decoded from JSON.
func cloneMap(m map[string]any) map[string]any {
	switch {
	case m == nil:
		return nil
	case len(m) == 0:
		return map[string]any{}
	}
	out := maps.Clone(m)
	for k, v := range out {
		out[k] = cloneJSON(v)
	}
	return out
}

func cloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		out := slices.Clone(x)
		for i, e := range out {
			out[i] = cloneJSON(e)
		}
		return out
	}
	return v
}
