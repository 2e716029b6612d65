package placement

import (
	"slices"
	"sort"

	"github.com/gostack/gostack/internal/placement/standard"
)

// ProviderState is a provider as the allocation candidates core sees it:
// the provider with its inventories, usage, traits and aggregates.
type ProviderState struct {
	Provider
	Inventories map[string]Inventory
	Used        Usage
	Traits      map[string]bool
	Aggregates  map[string]bool
}

// Root returns the uuid of the provider's tree root.
func (p *ProviderState) Root() string {
	if p.RootUUID == "" {
		return p.UUID
	}
	return p.RootUUID
}

// ProviderSet is one version of every provider's state, oldest first,
// with the indexes the candidates core needs: by uuid, the trees (each
// root with its members) and the sharing providers. A set is immutable;
// Update makes a newer version that shares the unchanged providers and,
// when no provider came, went or moved in its tree, the indexes too, so
// that a snapshot of 10,000 providers moves forward in O(changes) rather
// than O(providers), and a query does not rebuild the indexes.
type ProviderSet struct {
	items []*ProviderState
	*frame
}

// frame is the part of a set that only changes with its structure.
type frame struct {
	index   map[string]int   // uuid → position in items
	roots   []string         // tree roots, in the order of their first member
	trees   map[string][]int // root → positions of its members, in order
	sharing []int            // positions of providers with MISC_SHARES_VIA_AGGREGATE
}

// NewProviderSet indexes providers (oldest first, as the store orders
// them). The set refers to the elements of providers, which must not
// change afterwards.
func NewProviderSet(providers []ProviderState) *ProviderSet {
	items := make([]*ProviderState, len(providers))
	for i := range providers {
		items[i] = &providers[i]
	}
	return newSet(items)
}

func newSet(items []*ProviderState) *ProviderSet {
	f := &frame{index: make(map[string]int, len(items)), trees: map[string][]int{}}
	for i, p := range items {
		f.index[p.UUID] = i
		root := p.Root()
		if _, ok := f.trees[root]; !ok {
			f.roots = append(f.roots, root)
		}
		f.trees[root] = append(f.trees[root], i)
		if p.Traits[standard.SharesViaAggregate] {
			f.sharing = append(f.sharing, i)
		}
	}
	return &ProviderSet{items: items, frame: f}
}

// Len is the number of providers.
func (s *ProviderSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.items)
}

// At returns the i-th provider (oldest first). It is shared: callers
// must not modify it.
func (s *ProviderSet) At(i int) *ProviderState { return s.items[i] }

// Get returns the provider uuid, or nil. It is shared: callers must not
// modify it.
func (s *ProviderSet) Get(uuid string) *ProviderState {
	if s == nil {
		return nil
	}
	if i, ok := s.index[uuid]; ok {
		return s.items[i]
	}
	return nil
}

// Roots returns the tree roots, in the order of their first member. It
// is shared: callers must not modify it.
func (s *ProviderSet) Roots() []string {
	if s == nil {
		return nil
	}
	return s.roots
}

// Tree returns the providers of root's tree, oldest first.
func (s *ProviderSet) Tree(root string) []*ProviderState {
	if s == nil {
		return nil
	}
	idx := s.trees[root]
	out := make([]*ProviderState, len(idx))
	for i, j := range idx {
		out[i] = s.items[j]
	}
	return out
}

// Sharing returns the providers that share their inventory with their
// aggregates (MISC_SHARES_VIA_AGGREGATE), oldest first.
func (s *ProviderSet) Sharing() []*ProviderState {
	if s == nil {
		return nil
	}
	out := make([]*ProviderState, len(s.sharing))
	for i, j := range s.sharing {
		out[i] = s.items[j]
	}
	return out
}

// States returns a copy of every provider's state, oldest first (the
// maps are still shared).
func (s *ProviderSet) States() []ProviderState {
	out := make([]ProviderState, s.Len())
	for i := range out {
		out[i] = *s.items[i]
	}
	return out
}

// Update returns the set with the providers of changed replaced (or
// added) and those of gone removed; s is unchanged. When the providers
// are the same ones in the same trees, the new set shares s's indexes
// and costs one copy of a slice of pointers; otherwise the set is
// rebuilt and ordered by creation time (then uuid).
func (s *ProviderSet) Update(changed []*ProviderState, gone []string) *ProviderSet {
	if s == nil {
		s = newSet(nil)
	}
	if len(changed) == 0 && len(gone) == 0 {
		return s
	}
	same := len(gone) == 0
	for _, p := range changed {
		if !same {
			break
		}
		i, ok := s.index[p.UUID]
		if !ok {
			same = false
			break
		}
		old := s.items[i]
		if old.RootUUID != p.RootUUID || old.ParentUUID != p.ParentUUID ||
			old.Traits[standard.SharesViaAggregate] != p.Traits[standard.SharesViaAggregate] || !old.CreatedAt.Equal(p.CreatedAt) {
			same = false
		}
	}
	if same {
		items := slices.Clone(s.items)
		for _, p := range changed {
			items[s.index[p.UUID]] = p
		}
		return &ProviderSet{items: items, frame: s.frame}
	}
	drop := make(map[string]bool, len(gone)+len(changed))
	for _, u := range gone {
		drop[u] = true
	}
	for _, p := range changed {
		drop[p.UUID] = true
	}
	items := make([]*ProviderState, 0, len(s.items)+len(changed))
	for _, p := range s.items {
		if !drop[p.UUID] {
			items = append(items, p)
		}
	}
	items = append(items, changed...)
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.UUID < b.UUID
	})
	return newSet(items)
}
