package candidates

import (
	"slices"

	"github.com/gostack/gostack/internal/placement"
)

// MatchProvider applies a GET /resource_providers filter's member_of,
// resources and traits to one provider: the provider itself must have
// the capacity and the traits.
func MatchProvider(f placement.ProviderFilter, p *placement.ProviderState) bool {
	// Unlike a candidate's, a listed provider must itself be a member.
	g := Group{MemberOf: f.MemberOf, ForbiddenAggregates: f.ForbiddenAggregates}
	if !aggregatesOK(g, p, func(string) *placement.ProviderState { return nil }) {
		return false
	}
	if !traitsOK(p.Traits, f.Required, f.Forbidden) {
		return false
	}
	for rc, n := range f.Resources {
		inv, ok := p.Inventories[rc]
		// Capacity, min_unit, max_unit and step_size, as Placement
		// filters GET /resource_providers?resources=.
		if !ok || !inv.Fits(p.Used[rc], n) {
			return false
		}
	}
	return true
}

func inTreeOK(g Group, p *placement.ProviderState, byUUID func(string) *placement.ProviderState) bool {
	if g.InTree == "" {
		return true
	}
	t := byUUID(g.InTree)
	return t != nil && t.Root() == p.Root()
}

// aggregatesOK applies member_of to a provider: it must be in one
// aggregate of each list, and in no forbidden one. For the unsuffixed
// group the root's aggregates count as the provider's (an aggregate on
// a compute node spans its tree); a suffixed group looks at the provider
// alone, as Placement does (its bug 1792503 tests).
func aggregatesOK(g Group, p *placement.ProviderState, byUUID func(string) *placement.ProviderState) bool {
	in := func(a string) bool {
		if p.Aggregates[a] {
			return true
		}
		if g.Suffix != "" {
			return false
		}
		r := byUUID(p.Root())
		return r != nil && r.Aggregates[a]
	}
	for _, any := range g.MemberOf {
		if !slices.ContainsFunc(any, in) {
			return false
		}
	}
	return !slices.ContainsFunc(g.ForbiddenAggregates, in)
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

// sameSubtree reports whether the providers serving the given groups all
// descend from (or are) one of them.
func sameSubtree(c Candidate, suffixes []string, byUUID func(string) *placement.ProviderState) bool {
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
