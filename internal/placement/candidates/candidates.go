// Package candidates is Placement's allocation candidates: the pure core
// that finds where a GET /allocation_candidates query fits in the
// providers' state (Find), the rules it shares with GET
// /resource_providers' filters (MatchProvider), and List, the use case
// that checks the query against the service and runs the core.
//
//	api ──Query──▶ List ──classes, traits──▶ placement.Service.CandidateProviders
//	                 │                               (400 if unknown; the ProviderSet)
//	                 └──▶ Find(Query, ProviderSet): tree by tree, the options of
//	                      each group, combined, deduplicated, up to the limit
//
// A tree is a root provider and its descendants, joined by the sharing
// providers (MISC_SHARES_VIA_AGGREGATE) of its aggregates. The unsuffixed
// group may take each class from a different provider of the pool; a
// suffixed (granular) group takes all of its classes from one provider.
package candidates

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/placement"
)

// Group is one group of an allocation candidates query: the
// unsuffixed group (Suffix "") whose resources may come from several
// providers of a tree and its sharing providers, or a suffixed (granular)
// group whose resources all come from one provider.
type Group struct {
	Suffix    string
	Resources map[string]int64
	// Required lists trait alternatives: each inner list is satisfied by
	// any one of its traits (1.39's in:A,B); a plain trait is a list of one.
	Required  [][]string
	Forbidden []string
	// MemberOf: one aggregate of every inner list; ForbiddenAggregates none.
	MemberOf            [][]string
	ForbiddenAggregates []string
	InTree              string
}

// Query is a whole GET /allocation_candidates.
type Query struct {
	Groups []Group
	// Isolate is group_policy=isolate: suffixed groups use distinct providers.
	Isolate       bool
	RootRequired  [][]string
	RootForbidden []string
	Limit         int
	// SameSubtree lists groups of suffixes (1.36): the providers serving
	// the groups of one list must all sit under one of them.
	SameSubtree [][]string
	// Shuffle, when set, returns a random integer in [0, n) (rand.IntN):
	// the trees are then visited in a random order before the limit
	// applies (Placement's randomize_allocation_candidates), so that a
	// limited answer does not always name the oldest hosts.
	Shuffle func(n int) int
	// Flat is the view before 1.29: every provider is a tree of its own
	// (nested providers are not combined), sharing providers still join.
	Flat bool
}

// Candidate is one way to satisfy a query: amounts per provider and class,
// and which providers served which group (1.34's mappings).
type Candidate struct {
	Allocations map[string]map[string]int64
	Mappings    map[string][]string
}

// maxPerTree bounds the combinations tried in one tree, so that a tree
// with many similar providers cannot make a query explode.
const maxPerTree = 1000

// Find returns the allocation candidates for q over the providers of
// set. It is pure: the caller loads the set and renders the result. The
// trees are visited in order (or in a random order drawn as they are
// visited, when q.Shuffle is set) and the walk stops at q.Limit, so that
// a limited query over many providers with room costs what it returns.
func Find(q Query, set *placement.ProviderSet) []Candidate {
	roots := set.Roots()
	n := len(roots)
	if q.Flat {
		n = set.Len()
	}
	byUUID := set.Get
	sharing := set.Sharing()
	walk := visitOrder{n: n, random: q.Shuffle}
	var out []Candidate
	seen := map[string]bool{}
	var one [1]*placement.ProviderState
	for {
		k := walk.next()
		if k < 0 {
			return out
		}
		var root string
		var members []*placement.ProviderState
		if q.Flat {
			one[0] = set.At(k)
			root, members = one[0].UUID, one[:]
		} else {
			root = roots[k]
			members = set.Tree(root)
		}
		if rp := byUUID(members[0].Root()); rp != nil && !traitsOK(rp.Traits, q.RootRequired, q.RootForbidden) {
			continue
		}
		pool := slices.Clone(members)
		if q.Flat {
			// Sharing is anchored on the real tree.
			if r := byUUID(members[0].Root()); r != nil && r != members[0] {
				members = append(slices.Clone(members), r)
			}
		}
		for _, sh := range sharing {
			if sh.Root() != members[0].Root() && sh.UUID != root && sharesWith(sh, members) {
				pool = append(pool, sh)
			}
		}
		for _, c := range treeCandidates(q, root, pool, byUUID) {
			k := candidateKey(c)
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, c)
			if q.Limit > 0 && len(out) >= q.Limit {
				return out
			}
		}
	}
}

// visitOrder yields 0…n-1 in order, or, with random, as a uniformly
// random permutation drawn step by step (Fisher–Yates, keeping only the
// swapped positions): visiting k trees costs O(k), not O(n).
type visitOrder struct {
	n, k    int
	random  func(n int) int
	swapped map[int]int
}

func (v *visitOrder) next() int {
	if v.k >= v.n {
		return -1
	}
	k := v.k
	v.k++
	if v.random == nil {
		return k
	}
	at := func(i int) int {
		if x, ok := v.swapped[i]; ok {
			return x
		}
		return i
	}
	j := k + v.random(v.n-k)
	x := at(j)
	if j != k {
		if v.swapped == nil {
			v.swapped = map[int]int{}
		}
		v.swapped[j] = at(k)
	}
	return x
}

func sharesWith(s *placement.ProviderState, tree []*placement.ProviderState) bool {
	for _, p := range tree {
		for a := range s.Aggregates {
			if p.Aggregates[a] {
				return true
			}
		}
	}
	return false
}

// option is one way to satisfy one group.
type option struct {
	alloc map[string]map[string]int64
	used  []string // providers serving the group
}

func treeCandidates(q Query, root string, pool []*placement.ProviderState, byUUID func(string) *placement.ProviderState) []Candidate {
	perGroup := make([][]option, len(q.Groups))
	for i, g := range q.Groups {
		var opts []option
		if g.Suffix == "" {
			opts = unsuffixedOptions(g, root, pool, byUUID)
		} else {
			opts = suffixedOptions(g, root, pool, byUUID)
		}
		if len(opts) == 0 {
			return nil
		}
		perGroup[i] = opts
	}
	var out []Candidate
	idx := make([]int, len(perGroup))
	for {
		if c, ok := combine(q, perGroup, idx, byUUID); ok {
			out = append(out, c)
			if len(out) >= maxPerTree {
				return out
			}
		}
		// Advance the odometer.
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(perGroup[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}

func combine(q Query, perGroup [][]option, idx []int, byUUID func(string) *placement.ProviderState) (Candidate, bool) {
	c := Candidate{Allocations: map[string]map[string]int64{}, Mappings: map[string][]string{}}
	usedBySuffixed := map[string]string{}
	for gi, oi := range idx {
		g := q.Groups[gi]
		o := perGroup[gi][oi]
		if q.Isolate && g.Suffix != "" {
			for _, rp := range o.used {
				if other, ok := usedBySuffixed[rp]; ok && other != g.Suffix {
					return Candidate{}, false
				}
				usedBySuffixed[rp] = g.Suffix
			}
		}
		for rp, res := range o.alloc {
			m := c.Allocations[rp]
			if m == nil {
				m = map[string]int64{}
				c.Allocations[rp] = m
			}
			for rc, n := range res {
				m[rc] += n
			}
		}
		c.Mappings[g.Suffix] = append(c.Mappings[g.Suffix], o.used...)
	}
	// Amounts merged from several groups must still fit together, and
	// stay within max_unit, as Placement's _exceeds_capacity checks.
	for rp, res := range c.Allocations {
		p := byUUID(rp)
		for rc, n := range res {
			inv := p.Inventories[rc]
			if p.Used[rc]+n > inv.Capacity() || n > inv.MaxUnit {
				return Candidate{}, false
			}
		}
	}
	for s, rps := range c.Mappings {
		slices.Sort(rps)
		c.Mappings[s] = slices.Compact(rps)
	}
	for _, suffixes := range q.SameSubtree {
		if !sameSubtree(c, suffixes, byUUID) {
			return Candidate{}, false
		}
	}
	return c, true
}

// suffixedOptions: every provider of the pool that alone satisfies g.
func suffixedOptions(g Group, _ string, pool []*placement.ProviderState, byUUID func(string) *placement.ProviderState) []option {
	var out []option
	for _, p := range pool {
		if !traitsOK(p.Traits, g.Required, g.Forbidden) || !aggregatesOK(g, p, byUUID) || !inTreeOK(g, p, byUUID) {
			continue
		}
		ok := true
		for rc, n := range g.Resources {
			inv, has := p.Inventories[rc]
			if !has || !inv.Fits(p.Used[rc], n) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		res := map[string]int64{}
		for rc, n := range g.Resources {
			res[rc] = n
		}
		out = append(out, option{alloc: map[string]map[string]int64{p.UUID: res}, used: []string{p.UUID}})
	}
	return out
}

// unsuffixedOptions: each class from one provider of the pool; the
// required traits must be found among the providers used, and none of
// them may carry a forbidden trait.
func unsuffixedOptions(g Group, root string, pool []*placement.ProviderState, byUUID func(string) *placement.ProviderState) []option {
	rcs := sortedClasses(g.Resources)
	if len(rcs) == 0 {
		// A resourceless unsuffixed group constrains the root only.
		r := byUUID(root)
		if r == nil || !traitsOK(r.Traits, g.Required, g.Forbidden) || !aggregatesOK(g, r, byUUID) || !inTreeOK(g, r, byUUID) {
			return nil
		}
		return []option{{alloc: map[string]map[string]int64{}}}
	}
	choices := make([][]*placement.ProviderState, len(rcs))
	for i, rc := range rcs {
		for _, p := range pool {
			inv, has := p.Inventories[rc]
			if !has || !inv.Fits(p.Used[rc], g.Resources[rc]) {
				continue
			}
			if !traitsOK(p.Traits, nil, g.Forbidden) || !aggregatesOK(g, p, byUUID) || !inTreeOK(g, p, byUUID) {
				continue
			}
			choices[i] = append(choices[i], p)
		}
		if len(choices[i]) == 0 {
			return nil
		}
	}
	var out []option
	idx := make([]int, len(rcs))
	for {
		alloc := map[string]map[string]int64{}
		traits := map[string]bool{}
		var used []string
		for i, rc := range rcs {
			p := choices[i][idx[i]]
			if alloc[p.UUID] == nil {
				alloc[p.UUID] = map[string]int64{}
				used = append(used, p.UUID)
				for t := range p.Traits {
					traits[t] = true
				}
			}
			alloc[p.UUID][rc] = g.Resources[rc]
		}
		if traitsOK(traits, g.Required, nil) {
			out = append(out, option{alloc: alloc, used: used})
			if len(out) >= maxPerTree {
				return out
			}
		}
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(choices[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}

func sortedClasses(res map[string]int64) []string {
	rcs := make([]string, 0, len(res))
	for rc := range res {
		rcs = append(rcs, rc)
	}
	sort.Strings(rcs)
	return rcs
}

func candidateKey(c Candidate) string {
	var b strings.Builder
	rps := make([]string, 0, len(c.Allocations))
	for rp := range c.Allocations {
		rps = append(rps, rp)
	}
	sort.Strings(rps)
	for _, rp := range rps {
		b.WriteString(rp)
		b.WriteByte('{')
		for _, rc := range sortedClasses(c.Allocations[rp]) {
			b.WriteString(rc)
			b.WriteByte('=')
			b.WriteString(strconv.FormatInt(c.Allocations[rp][rc], 10))
			b.WriteByte(',')
		}
		b.WriteByte('}')
	}
	sfx := make([]string, 0, len(c.Mappings))
	for s := range c.Mappings {
		sfx = append(sfx, s)
	}
	sort.Strings(sfx)
	for _, s := range sfx {
		b.WriteString("|" + s + ":" + strings.Join(c.Mappings[s], ","))
	}
	return b.String()
}
