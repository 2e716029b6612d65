package placement

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// RequestGroup is one group of an allocation candidates query: the
// unsuffixed group (Suffix "") whose resources may come from several
// providers of a tree and its sharing providers, or a suffixed (granular)
// group whose resources all come from one provider.
type RequestGroup struct {
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

// CandidateQuery is a whole GET /allocation_candidates.
type CandidateQuery struct {
	Groups []RequestGroup
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

// ProviderState is a provider as the candidate core sees it.
type ProviderState struct {
	Provider
	Inventories map[string]Inventory
	Used        Usage
	Traits      map[string]bool
	Aggregates  map[string]bool
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

// Candidates returns the allocation candidates for q over providers. It
// is pure: the caller loads the providers (with their inventories, usage,
// traits and aggregates) and renders the result.
func Candidates(q CandidateQuery, providers []ProviderState) []Candidate {
	return NewProviderSet(providers).Candidates(q)
}

// Candidates returns the allocation candidates for q over the set. The
// trees are visited in order (or in a random order drawn as they are
// visited, when q.Shuffle is set) and the walk stops at q.Limit, so that
// a limited query over many providers with room costs what it returns.
func (s *ProviderSet) Candidates(q CandidateQuery) []Candidate {
	if s == nil {
		s = newSet(nil)
	}
	n := len(s.roots)
	if q.Flat {
		n = len(s.items)
	}
	byUUID := s.Get
	walk := visitOrder{n: n, random: q.Shuffle}
	var out []Candidate
	seen := map[string]bool{}
	var one [1]*ProviderState
	for {
		k := walk.next()
		if k < 0 {
			return out
		}
		var root string
		var members []*ProviderState
		if q.Flat {
			one[0] = s.items[k]
			root, members = one[0].UUID, one[:]
		} else {
			root = s.roots[k]
			idx := s.trees[root]
			members = make([]*ProviderState, len(idx))
			for i, j := range idx {
				members[i] = s.items[j]
			}
		}
		if rp := byUUID(rootOf(members[0])); rp != nil && !traitsOK(rp.Traits, q.RootRequired, q.RootForbidden) {
			continue
		}
		pool := slices.Clone(members)
		if q.Flat {
			// Sharing is anchored on the real tree.
			if r := byUUID(rootOf(members[0])); r != nil && r != members[0] {
				members = append(slices.Clone(members), r)
			}
		}
		for _, i := range s.sharing {
			sh := s.items[i]
			if rootOf(sh) != rootOf(members[0]) && sh.UUID != root && sharesWith(sh, members) {
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

func sharesWith(s *ProviderState, tree []*ProviderState) bool {
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

func treeCandidates(q CandidateQuery, root string, pool []*ProviderState, byUUID func(string) *ProviderState) []Candidate {
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

func combine(q CandidateQuery, perGroup [][]option, idx []int, byUUID func(string) *ProviderState) (Candidate, bool) {
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
	// Amounts merged from several groups must still fit together.
	for rp, res := range c.Allocations {
		p := byUUID(rp)
		for rc, n := range res {
			inv := p.Inventories[rc]
			if p.Used[rc]+n > inv.Capacity() {
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

func inTreeOK(g RequestGroup, p *ProviderState, byUUID func(string) *ProviderState) bool {
	if g.InTree == "" {
		return true
	}
	t := byUUID(g.InTree)
	return t != nil && rootOf(t) == rootOf(p)
}

func rootOf(p *ProviderState) string {
	if p.RootUUID == "" {
		return p.UUID
	}
	return p.RootUUID
}

// aggregatesOK applies member_of to a provider: the provider or its root
// must be in one aggregate of each list, and neither in a forbidden one.
func aggregatesOK(g RequestGroup, p *ProviderState, byUUID func(string) *ProviderState) bool {
	aggs := func(a string) bool {
		if p.Aggregates[a] {
			return true
		}
		r := byUUID(rootOf(p))
		return r != nil && r.Aggregates[a]
	}
	for _, any := range g.MemberOf {
		ok := false
		for _, a := range any {
			if aggs(a) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, a := range g.ForbiddenAggregates {
		if p.Aggregates[a] {
			return false
		}
	}
	return true
}

func traitsOK(have map[string]bool, required [][]string, forbidden []string) bool {
	for _, t := range forbidden {
		if have[t] {
			return false
		}
	}
	for _, any := range required {
		ok := false
		for _, t := range any {
			if have[t] {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func sortedClasses(res map[string]int64) []string {
	rcs := make([]string, 0, len(res))
	for rc := range res {
		rcs = append(rcs, rc)
	}
	sort.Strings(rcs)
	return rcs
}

// suffixedOptions: every provider of the pool that alone satisfies g.
func suffixedOptions(g RequestGroup, _ string, pool []*ProviderState, byUUID func(string) *ProviderState) []option {
	var out []option
	for _, p := range pool {
		if !traitsOK(p.Traits, g.Required, g.Forbidden) || !aggregatesOK(g, p, byUUID) || !inTreeOK(g, p, byUUID) {
			continue
		}
		ok := true
		for rc, n := range g.Resources {
			inv, has := p.Inventories[rc]
			if !has || !fits(inv, p.Used[rc], n) {
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
func unsuffixedOptions(g RequestGroup, root string, pool []*ProviderState, byUUID func(string) *ProviderState) []option {
	rcs := sortedClasses(g.Resources)
	if len(rcs) == 0 {
		// A resourceless unsuffixed group constrains the root only.
		r := byUUID(root)
		if r == nil || !traitsOK(r.Traits, g.Required, g.Forbidden) || !aggregatesOK(g, r, byUUID) || !inTreeOK(g, r, byUUID) {
			return nil
		}
		return []option{{alloc: map[string]map[string]int64{}}}
	}
	choices := make([][]*ProviderState, len(rcs))
	for i, rc := range rcs {
		for _, p := range pool {
			inv, has := p.Inventories[rc]
			if !has || !fits(inv, p.Used[rc], g.Resources[rc]) {
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

// SummaryProviders returns the providers a response's provider_summaries
// lists: those in the candidates and, when wholeTrees (1.29+), every
// provider of their trees.
func SummaryProviders(cands []Candidate, providers *ProviderSet, wholeTrees bool) []string {
	in := map[string]bool{}
	roots := map[string]bool{}
	for _, c := range cands {
		for rp := range c.Allocations {
			in[rp] = true
			if p := providers.Get(rp); p != nil {
				roots[rootOf(p)] = true
			}
		}
		for _, rps := range c.Mappings {
			for _, rp := range rps {
				in[rp] = true
			}
		}
	}
	if wholeTrees && providers != nil {
		for r := range roots {
			for _, i := range providers.trees[r] {
				in[providers.items[i].UUID] = true
			}
		}
	}
	out := make([]string, 0, len(in))
	for rp := range in {
		out = append(out, rp)
	}
	sort.Strings(out)
	return out
}

// MatchProvider applies a GET /resource_providers filter's member_of,
// resources and traits to one provider: the provider itself must have
// the capacity and the traits.
func MatchProvider(f ProviderFilter, p *ProviderState) bool {
	// Unlike a candidate's, a listed provider must itself be a member.
	g := RequestGroup{MemberOf: f.MemberOf, ForbiddenAggregates: f.ForbiddenAggregates}
	if !aggregatesOK(g, p, func(string) *ProviderState { return nil }) {
		return false
	}
	var req [][]string
	for _, t := range f.Required {
		req = append(req, []string{t})
	}
	if !traitsOK(p.Traits, req, f.Forbidden) {
		return false
	}
	for rc, n := range f.Resources {
		inv, ok := p.Inventories[rc]
		if !ok || p.Used[rc]+n > inv.Capacity() || n > inv.MaxUnit || n < inv.MinUnit {
			return false
		}
	}
	return true
}

// sameSubtree reports whether the providers serving the given groups all
// descend from (or are) one of them.
func sameSubtree(c Candidate, suffixes []string, byUUID func(string) *ProviderState) bool {
	var rps []string
	for _, sfx := range suffixes {
		rps = append(rps, c.Mappings[sfx]...)
	}
	if len(rps) < 2 {
		return true
	}
	under := func(p, anc string) bool {
		for cur := p; cur != ""; {
			if cur == anc {
				return true
			}
			st := byUUID(cur)
			if st == nil {
				return false
			}
			cur = st.ParentUUID
		}
		return false
	}
	for _, top := range rps {
		all := true
		for _, p := range rps {
			if !under(p, top) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
