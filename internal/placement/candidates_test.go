package placement

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func state(uuid, root, parent string, inv map[string]int64, used map[string]int64, traits []string, aggs []string) ProviderState {
	p := ProviderState{
		Provider:    Provider{UUID: uuid, RootUUID: root, ParentUUID: parent},
		Inventories: map[string]Inventory{}, Used: Usage{}, Traits: map[string]bool{}, Aggregates: map[string]bool{},
	}
	for rc, n := range inv {
		p.Inventories[rc] = Inventory{ResourceClass: rc, Total: n}.WithDefaults()
	}
	for rc, n := range used {
		p.Used[rc] = n
	}
	for _, t := range traits {
		p.Traits[t] = true
	}
	for _, a := range aggs {
		p.Aggregates[a] = true
	}
	return p
}

type alloc = map[string]map[string]int64

func TestCandidates(t *testing.T) {
	cn1 := state("cn1", "cn1", "", map[string]int64{"VCPU": 4, "MEMORY_MB": 1024, "DISK_GB": 10}, nil, []string{"HW_CPU_X86_AVX2"}, []string{"agg1"})
	cn2 := state("cn2", "cn2", "", map[string]int64{"VCPU": 2, "MEMORY_MB": 2048}, map[string]int64{"VCPU": 1}, nil, []string{"agg2"})
	ssp := state("ssp", "ssp", "", map[string]int64{"DISK_GB": 100}, nil, []string{SharesViaAggregate}, []string{"agg1"})
	// A nested tree: a root with compute and two NUMA children with PCPU.
	root := state("r", "r", "", map[string]int64{"VCPU": 8}, nil, nil, nil)
	numa0 := state("n0", "r", "r", map[string]int64{"PCPU": 2, "MEMORY_MB": 512}, nil, []string{"HW_NUMA_ROOT"}, nil)
	numa1 := state("n1", "r", "r", map[string]int64{"PCPU": 2, "MEMORY_MB": 512}, nil, []string{"HW_NUMA_ROOT", "CUSTOM_X"}, nil)

	all := []ProviderState{cn1, cn2, ssp}
	nested := []ProviderState{root, numa0, numa1}
	res := func(kv ...any) map[string]int64 {
		m := map[string]int64{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = int64(kv[i+1].(int))
		}
		return m
	}
	tests := []struct {
		name      string
		q         CandidateQuery
		providers []ProviderState
		want      []alloc
	}{
		{"one class, capacity left",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("VCPU", 2)}}}, all,
			[]alloc{{"cn1": res("VCPU", 2)}}},
		{"capacity used up on cn2",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("VCPU", 1)}}}, all,
			[]alloc{{"cn1": res("VCPU", 1)}, {"cn2": res("VCPU", 1)}}},
		{"local or shared disk",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("VCPU", 1, "DISK_GB", 5)}}}, all,
			[]alloc{{"cn1": res("VCPU", 1, "DISK_GB", 5)}, {"cn1": res("VCPU", 1), "ssp": res("DISK_GB", 5)}}},
		{"shared disk only from its aggregate",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("MEMORY_MB", 2000, "DISK_GB", 50)}}}, all,
			nil},
		{"sharing provider alone",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("DISK_GB", 50)}}}, all,
			[]alloc{{"ssp": res("DISK_GB", 50)}}},
		{"required trait",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("MEMORY_MB", 10), Required: [][]string{{"HW_CPU_X86_AVX2"}}}}}, all,
			[]alloc{{"cn1": res("MEMORY_MB", 10)}}},
		{"forbidden trait",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("MEMORY_MB", 10), Forbidden: []string{"HW_CPU_X86_AVX2"}}}}, all,
			[]alloc{{"cn2": res("MEMORY_MB", 10)}}},
		{"any-of traits",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("MEMORY_MB", 10), Required: [][]string{{"CUSTOM_NONE", "HW_CPU_X86_AVX2"}}}}}, all,
			[]alloc{{"cn1": res("MEMORY_MB", 10)}}},
		{"member_of",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("MEMORY_MB", 10), MemberOf: [][]string{{"agg2", "agg3"}}}}}, all,
			[]alloc{{"cn2": res("MEMORY_MB", 10)}}},
		{"forbidden aggregate",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("MEMORY_MB", 10), ForbiddenAggregates: []string{"agg2"}}}}, all,
			[]alloc{{"cn1": res("MEMORY_MB", 10)}}},
		{"in_tree",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("MEMORY_MB", 10), InTree: "cn2"}}}, all,
			[]alloc{{"cn2": res("MEMORY_MB", 10)}}},
		{"limit",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("MEMORY_MB", 10)}}, Limit: 1}, all,
			[]alloc{{"cn1": res("MEMORY_MB", 10)}}},
		{"max_unit",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("VCPU", 5)}}}, all,
			nil},
		{"nested: unsuffixed spans the tree",
			CandidateQuery{Groups: []RequestGroup{{Resources: res("VCPU", 1, "PCPU", 2)}}}, nested,
			[]alloc{{"r": res("VCPU", 1), "n0": res("PCPU", 2)}, {"r": res("VCPU", 1), "n1": res("PCPU", 2)}}},
		{"before 1.29 trees are flat",
			CandidateQuery{Flat: true, Groups: []RequestGroup{{Resources: res("VCPU", 1, "PCPU", 2)}}}, nested,
			nil},
		{"before 1.29 a nested provider alone",
			CandidateQuery{Flat: true, Groups: []RequestGroup{{Resources: res("PCPU", 2)}}}, nested,
			[]alloc{{"n0": res("PCPU", 2)}, {"n1": res("PCPU", 2)}}},
		{"granular: same provider per group",
			CandidateQuery{Groups: []RequestGroup{{Suffix: "1", Resources: res("PCPU", 1, "MEMORY_MB", 256)}}}, nested,
			[]alloc{{"n0": res("PCPU", 1, "MEMORY_MB", 256)}, {"n1": res("PCPU", 1, "MEMORY_MB", 256)}}},
		{"granular isolate",
			CandidateQuery{Isolate: true, Groups: []RequestGroup{
				{Suffix: "1", Resources: res("PCPU", 2)}, {Suffix: "2", Resources: res("PCPU", 2)}}}, nested,
			[]alloc{{"n0": res("PCPU", 2), "n1": res("PCPU", 2)}, {"n1": res("PCPU", 2), "n0": res("PCPU", 2)}}},
		{"granular none may share, merged must fit",
			CandidateQuery{Groups: []RequestGroup{
				{Suffix: "1", Resources: res("PCPU", 1)}, {Suffix: "2", Resources: res("PCPU", 1), Required: [][]string{{"CUSTOM_X"}}}}}, nested,
			[]alloc{{"n0": res("PCPU", 1), "n1": res("PCPU", 1)}, {"n1": res("PCPU", 2)}}},
		{"same_subtree",
			CandidateQuery{SameSubtree: [][]string{{"_A", "_B"}}, Groups: []RequestGroup{
				{Suffix: "_A", Resources: res("PCPU", 1)}, {Suffix: "_B", Required: [][]string{{"HW_NUMA_ROOT"}}}}}, nested,
			[]alloc{{"n0": res("PCPU", 1)}, {"n1": res("PCPU", 1)}}},
		{"root_required",
			CandidateQuery{RootForbidden: []string{"HW_CPU_X86_AVX2"}, Groups: []RequestGroup{{Resources: res("MEMORY_MB", 10)}}}, all,
			[]alloc{{"cn2": res("MEMORY_MB", 10)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []alloc
			for _, c := range Candidates(tt.q, tt.providers) {
				got = append(got, c.Allocations)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("candidates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckCapacity(t *testing.T) {
	inv := map[string]map[string]Inventory{"rp": {
		"VCPU":      Inventory{ResourceClass: "VCPU", Total: 4, AllocationRatio: 2, MinUnit: 1, MaxUnit: 4, StepSize: 1},
		"MEMORY_MB": Inventory{ResourceClass: "MEMORY_MB", Total: 1024, Reserved: 512, AllocationRatio: 1, MinUnit: 256, MaxUnit: 1024, StepSize: 256},
	}}
	used := map[string]Usage{"rp": {"VCPU": 5}}
	tests := []struct {
		name   string
		allocs []Allocation
		ok     bool
	}{
		{"fits", []Allocation{{"rp", "VCPU", 3}}, true},
		{"exceeds (total-reserved)*ratio", []Allocation{{"rp", "VCPU", 4}}, false},
		{"max_unit", []Allocation{{"rp", "MEMORY_MB", 1280}}, false},
		{"step_size", []Allocation{{"rp", "MEMORY_MB", 300}}, false},
		{"reserved counts", []Allocation{{"rp", "MEMORY_MB", 768}}, false},
		{"min_unit", []Allocation{{"rp", "MEMORY_MB", 0}}, true},
		{"no such inventory", []Allocation{{"rp", "DISK_GB", 1}}, false},
		{"sum across entries", []Allocation{{"rp", "MEMORY_MB", 256}, {"rp", "MEMORY_MB", 512}}, false},
	}
	for _, tt := range tests {
		err := CheckCapacity(tt.allocs, inv, used)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestCandidatesShuffle(t *testing.T) {
	var ps []ProviderState
	for _, id := range []string{"a", "b", "c"} {
		ps = append(ps, state(id, id, "", map[string]int64{"VCPU": 1}, nil, nil, nil))
	}
	reverse := func(n int) int { return n - 1 } // the last tree first
	got := Candidates(CandidateQuery{Shuffle: reverse, Limit: 1, Groups: []RequestGroup{{Resources: map[string]int64{"VCPU": 1}}}}, ps)
	if len(got) != 1 || got[0].Allocations["c"] == nil {
		t.Fatalf("got %+v, want the last host first", got)
	}
}
