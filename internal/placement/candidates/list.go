package candidates

import (
	"context"
	"math/rand/v2"
	"sort"

	"github.com/gostack/gostack/internal/placement"
)

// List answers GET /allocation_candidates: the classes and traits q names
// must exist in svc (a 400 placement.query.bad_value otherwise), and the
// candidates are found over svc's providers, in a random order when the
// service is so configured (Placement's randomize_allocation_candidates).
// It returns the providers' state too, to render the provider summaries
// from; it is shared and read-only.
func List(ctx context.Context, svc *placement.Service, q Query) ([]Candidate, *placement.ProviderSet, error) {
	var classes, traits []string
	for _, g := range q.Groups {
		for _, any := range g.Required {
			traits = append(traits, any...)
		}
		traits = append(traits, g.Forbidden...)
		for rc := range g.Resources {
			classes = append(classes, rc)
		}
	}
	for _, any := range q.RootRequired {
		traits = append(traits, any...)
	}
	traits = append(traits, q.RootForbidden...)
	set, err := svc.CandidateProviders(ctx, classes, traits)
	if err != nil {
		return nil, nil, err
	}
	if svc.Config().RandomizeCandidates {
		q.Shuffle = rand.IntN
	}
	return Find(q, set), set, nil
}

// SummaryProviders returns the providers a response's provider_summaries
// lists: those in the candidates and, when wholeTrees (1.29+), every
// provider of their trees.
func SummaryProviders(cands []Candidate, providers *placement.ProviderSet, wholeTrees bool) []string {
	in := map[string]bool{}
	roots := map[string]bool{}
	for _, c := range cands {
		for rp := range c.Allocations {
			in[rp] = true
			if p := providers.Get(rp); p != nil {
				roots[p.Root()] = true
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
			for _, p := range providers.Tree(r) {
				in[p.UUID] = true
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
