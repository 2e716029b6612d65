package api

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	pl "github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/candidates"
)

// TestAppendCandidatesMatchesMarshal checks the hand-written answer
// against json.Marshal of the generic one, at every microversion that
// changes it, over trees, sharing providers, empty traits and strings
// that need escaping.
func TestAppendCandidatesMatchesMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var states []pl.ProviderState
	for i := range 40 {
		id := fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		st := pl.ProviderState{
			Provider:    pl.Provider{UUID: id, RootUUID: id},
			Inventories: map[string]pl.Inventory{}, Used: pl.Usage{},
			Traits: map[string]bool{}, Aggregates: map[string]bool{},
		}
		if i%4 != 0 { // a child of the tree's root
			st.ParentUUID = states[i-i%4].UUID
			st.RootUUID = st.ParentUUID
		}
		for _, rc := range []string{"VCPU", "MEMORY_MB", "DISK_GB", "CUSTOM_<&>"}[:1+rng.IntN(4)] {
			st.Inventories[rc] = pl.Inventory{ResourceClass: rc, Total: 100, Reserved: 1, AllocationRatio: 1.5}
			st.Used[rc] = rng.Int64N(50)
		}
		for _, tr := range []string{"COMPUTE_NODE", "HW_CPU_X86_AVX", "CUSTOM_\u00e9"}[:rng.IntN(4)] {
			st.Traits[tr] = true
		}
		states = append(states, st)
	}
	var cands []candidates.Candidate
	for i := range 30 {
		c := candidates.Candidate{Allocations: map[string]map[string]int64{}, Mappings: map[string][]string{}}
		a, b := states[i].UUID, states[(i+5)%len(states)].UUID
		c.Allocations[a] = map[string]int64{"VCPU": 1, "MEMORY_MB": 512}
		c.Allocations[b] = map[string]int64{"DISK_GB": 10}
		if i%3 == 0 {
			c.Allocations[states[(i+7)%len(states)].UUID] = map[string]int64{} // left out
		}
		c.Mappings[""] = []string{a, b}
		if i%5 == 0 {
			c.Mappings["_X"] = nil
		}
		if i%7 == 0 {
			c.Mappings = nil
		}
		cands = append(cands, c)
	}
	cq := candidates.Query{Groups: []candidates.Group{{Resources: map[string]int64{"VCPU": 1, "DISK_GB": 10}}}}
	set := pl.NewProviderSet(states)
	for _, minor := range []int{12, 16, 17, 26, 27, 28, 29, 33, 34, 36, 39} {
		for _, cs := range [][]candidates.Candidate{cands, nil} {
			want, err := json.Marshal(candidatesBody(minor, cq, cs, set))
			if err != nil {
				t.Fatal(err)
			}
			got := appendCandidates(nil, minor, cq, cs, set)
			if string(got) != string(want) {
				i := 0
				for i < min(len(got), len(want)) && got[i] == want[i] {
					i++
				}
				t.Errorf("1.%d, %d candidates: differs at byte %d:\ngot  …%.80s\nwant …%.80s", minor, len(cs), i, got[i:], want[i:])
			}
		}
	}
}
