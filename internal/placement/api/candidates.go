package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	pl "github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/api/query"
	"github.com/gostack/gostack/internal/placement/candidates"
	"github.com/gostack/gostack/internal/placement/standard"
)

func (h *Handler) allocationCandidates(w http.ResponseWriter, r *http.Request) error {
	minor := minorOf(r)
	cq, err := query.Candidates(r.URL.Query(), minor)
	if err != nil {
		return err
	}
	cands, states, err := candidates.List(r.Context(), h.svc, cq)
	if err != nil {
		return err
	}
	if minor < 12 {
		return reply(w, r, http.StatusOK, candidatesBody(minor, cq, cands, states), time.Time{})
	}
	// The answer a scheduler reads for every instance, hundreds of
	// candidates long: written directly, byte for byte what
	// json.Marshal(candidatesBody(…)) writes.
	cacheHeaders(w, r, time.Time{})
	w.Header().Set("Content-Type", "application/json")
	b := appendCandidates(make([]byte, 0, 64<<10), minor, cq, cands, states)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// candidatesBody is the GET /allocation_candidates answer at 1.minor as
// generic JSON values.
func candidatesBody(minor int, cq candidates.Query, cands []candidates.Candidate, states *pl.ProviderSet) map[string]any {
	at := func(m int) bool { return minor >= m }
	reqs := make([]any, 0, len(cands))
	for _, c := range cands {
		if !at(12) {
			var list []any
			rps := sortedKeys(c.Allocations)
			for _, rp := range rps {
				list = append(list, map[string]any{"resource_provider": map[string]any{"uuid": rp}, "resources": c.Allocations[rp]})
			}
			reqs = append(reqs, map[string]any{"allocations": list})
			continue
		}
		allocs := map[string]any{}
		for rp, res := range c.Allocations {
			if len(res) == 0 {
				continue
			}
			allocs[rp] = map[string]any{"resources": res}
		}
		m := map[string]any{"allocations": allocs}
		if at(34) {
			m["mappings"] = c.Mappings
		}
		reqs = append(reqs, m)
	}
	requested := requestedClasses(cq)
	summaries := map[string]any{}
	for _, rp := range candidates.SummaryProviders(cands, states, at(29)) {
		p := states.Get(rp)
		if p == nil {
			continue
		}
		res := map[string]any{}
		for rc, inv := range p.Inventories {
			if !at(27) && !requested[rc] {
				continue
			}
			res[rc] = map[string]any{"capacity": inv.Capacity(), "used": p.Used[rc]}
		}
		s := map[string]any{"resources": res}
		if at(17) {
			s["traits"] = traitOrder(sortedKeys(p.Traits))
		}
		if at(29) {
			var parent any
			if p.ParentUUID != "" {
				parent = p.ParentUUID
			}
			s["parent_provider_uuid"] = parent
			s["root_provider_uuid"] = p.RootUUID
		}
		summaries[rp] = s
	}
	return map[string]any{"allocation_requests": reqs, "provider_summaries": summaries}
}

func requestedClasses(cq candidates.Query) map[string]bool {
	requested := map[string]bool{}
	for _, g := range cq.Groups {
		for rc := range g.Resources {
			requested[rc] = true
		}
	}
	return requested
}

// appendCandidates appends the answer at 1.minor (12 or later) to b, as
// json.Marshal would write candidatesBody's: object keys sorted, strings
// escaped alike.
func appendCandidates(b []byte, minor int, cq candidates.Query, cands []candidates.Candidate, states *pl.ProviderSet) []byte {
	keys := make([]string, 0, 16) // reused for every sorted key list
	sorted := func(add func(func(string))) []string {
		keys = keys[:0]
		add(func(k string) { keys = append(keys, k) })
		sort.Strings(keys)
		return keys
	}
	b = append(b, `{"allocation_requests":[`...)
	for i, c := range cands {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"allocations":{`...)
		first := true
		rps := slices.Clone(sorted(func(add func(string)) {
			for rp, res := range c.Allocations {
				if len(res) > 0 {
					add(rp)
				}
			}
		}))
		for _, rp := range rps {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, rp)
			b = append(b, `:{"resources":`...)
			b = appendCounts(b, c.Allocations[rp], &keys)
			b = append(b, '}')
		}
		b = append(b, '}')
		if minor >= 34 {
			b = append(b, `,"mappings":`...)
			if c.Mappings == nil {
				b = append(b, "null"...)
			} else {
				b = append(b, '{')
				for j, sfx := range sortedKeys(c.Mappings) {
					if j > 0 {
						b = append(b, ',')
					}
					b = appendString(b, sfx)
					b = append(b, ':')
					b = appendStrings(b, c.Mappings[sfx])
				}
				b = append(b, '}')
			}
		}
		b = append(b, '}')
	}
	b = append(b, `],"provider_summaries":{`...)
	requested := requestedClasses(cq)
	first := true
	for _, rp := range candidates.SummaryProviders(cands, states, minor >= 29) {
		p := states.Get(rp)
		if p == nil {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, rp)
		b = append(b, ':', '{')
		if minor >= 29 {
			b = append(b, `"parent_provider_uuid":`...)
			if p.ParentUUID == "" {
				b = append(b, "null"...)
			} else {
				b = appendString(b, p.ParentUUID)
			}
			b = append(b, ',')
		}
		b = append(b, `"resources":{`...)
		rcs := sorted(func(add func(string)) {
			for rc := range p.Inventories {
				if minor >= 27 || requested[rc] {
					add(rc)
				}
			}
		})
		for j, rc := range rcs {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, rc)
			b = append(b, `:{"capacity":`...)
			b = strconv.AppendInt(b, p.Inventories[rc].Capacity(), 10)
			b = append(b, `,"used":`...)
			b = strconv.AppendInt(b, p.Used[rc], 10)
			b = append(b, '}')
		}
		b = append(b, '}')
		if minor >= 29 {
			b = append(b, `,"root_provider_uuid":`...)
			b = appendString(b, p.RootUUID)
		}
		if minor >= 17 {
			b = append(b, `,"traits":`...)
			b = appendStrings(b, traitOrder(sorted(func(add func(string)) {
				for t := range p.Traits {
					add(t)
				}
			})))
		}
		b = append(b, '}')
	}
	return append(b, "}}"...)
}

// appendCounts appends {"class":n,…} with the classes sorted; keys is
// scratch space.
func appendCounts(b []byte, m map[string]int64, keys *[]string) []byte {
	ks := (*keys)[:0]
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	*keys = ks
	b = append(b, '{')
	for i, k := range ks {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = strconv.AppendInt(b, m[k], 10)
	}
	return append(b, '}')
}

// appendStrings appends a JSON array of ss (null when nil, as
// json.Marshal writes a nil slice).
func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendString appends s as a JSON string. Plain printable ASCII (uuids,
// class and trait names) is copied; anything else is left to
// encoding/json, whose escaping (HTML characters, invalid UTF-8) it keeps.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// traitOrder sorts a provider's traits as Placement lists them.
func traitOrder(ts []string) []string {
	slices.SortFunc(ts, standard.CompareTraits)
	return ts
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
