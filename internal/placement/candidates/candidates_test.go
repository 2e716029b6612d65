package candidates

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/standard"
)

func state(uuid, root, parent string, inv map[string]int64, used map[string]int64, traits []string, aggs []string) placement.ProviderState {
	p := placement.ProviderState{
		Provider:    placement.Provider{UUID: uuid, RootUUID: root, ParentUUID: parent},
		Inventories: map[string]placement.Inventory{}, Used: placement.Usage{}, Traits: map[string]bool{}, Aggregates: map[string]bool{},
	}
	for rc, n := range inv {
		p.Inventories[rc] = placement.Inventory{ResourceClass: rc, Total: n}.WithDefaults()
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
	ssp := state("ssp", "ssp", "", map[string]int64{"DISK_GB": 100}, nil, []string{standard.SharesViaAggregate}, []string{"agg1"})
	// A nested tree: a root with compute and two NUMA children with PCPU.
	root := state("r", "r", "", map[string]int64{"VCPU": 8}, nil, nil, nil)
	numa0 := state("n0", "r", "r", map[string]int64{"PCPU": 2, "MEMORY_MB": 512}, nil, []string{"HW_NUMA_ROOT"}, nil)
	numa1 := state("n1", "r", "r", map[string]int64{"PCPU": 2, "MEMORY_MB": 512}, nil, []string{"HW_NUMA_ROOT", "CUSTOM_X"}, nil)

	all := []placement.ProviderState{cn1, cn2, ssp}
	nested := []placement.ProviderState{root, numa0, numa1}
	// A root in aggregate aggR over a child in aggC (Placement's bug
	// 1792503 layout), and a provider whose VGPU max_unit is 2.
	aggRoot := state("ar", "ar", "", nil, nil, nil, []string{"aggR"})
	aggChild := state("ac", "ar", "ar", map[string]int64{"VCPU": 4}, nil, nil, []string{"aggC"})
	aggTree := []placement.ProviderState{aggRoot, aggChild}
	gpu := state("gpu", "gpu", "", map[string]int64{"VGPU": 8}, nil, nil, nil)
	inv := gpu.Inventories["VGPU"]
	inv.MaxUnit = 2
	gpu.Inventories["VGPU"] = inv
	res := func(kv ...any) map[string]int64 {
		m := map[string]int64{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = int64(kv[i+1].(int))
		}
		return m
	}
	tests := []struct {
		name      string
		q         Query
		providers []placement.ProviderState
		want      []alloc
	}{
		{"one class, capacity left",
			Query{Groups: []Group{{Resources: res("VCPU", 2)}}}, all,
			[]alloc{{"cn1": res("VCPU", 2)}}},
		{"capacity used up on cn2",
			Query{Groups: []Group{{Resources: res("VCPU", 1)}}}, all,
			[]alloc{{"cn1": res("VCPU", 1)}, {"cn2": res("VCPU", 1)}}},
		{"local or shared disk",
			Query{Groups: []Group{{Resources: res("VCPU", 1, "DISK_GB", 5)}}}, all,
			[]alloc{{"cn1": res("VCPU", 1, "DISK_GB", 5)}, {"cn1": res("VCPU", 1), "ssp": res("DISK_GB", 5)}}},
		{"shared disk only from its aggregate",
			Query{Groups: []Group{{Resources: res("MEMORY_MB", 2000, "DISK_GB", 50)}}}, all,
			nil},
		{"sharing provider alone",
			Query{Groups: []Group{{Resources: res("DISK_GB", 50)}}}, all,
			[]alloc{{"ssp": res("DISK_GB", 50)}}},
		{"required trait",
			Query{Groups: []Group{{Resources: res("MEMORY_MB", 10), Required: [][]string{{"HW_CPU_X86_AVX2"}}}}}, all,
			[]alloc{{"cn1": res("MEMORY_MB", 10)}}},
		{"forbidden trait",
			Query{Groups: []Group{{Resources: res("MEMORY_MB", 10), Forbidden: []string{"HW_CPU_X86_AVX2"}}}}, all,
			[]alloc{{"cn2": res("MEMORY_MB", 10)}}},
		{"any-of traits",
			Query{Groups: []Group{{Resources: res("MEMORY_MB", 10), Required: [][]string{{"CUSTOM_NONE", "HW_CPU_X86_AVX2"}}}}}, all,
			[]alloc{{"cn1": res("MEMORY_MB", 10)}}},
		{"member_of",
			Query{Groups: []Group{{Resources: res("MEMORY_MB", 10), MemberOf: [][]string{{"agg2", "agg3"}}}}}, all,
			[]alloc{{"cn2": res("MEMORY_MB", 10)}}},
		{"forbidden aggregate",
			Query{Groups: []Group{{Resources: res("MEMORY_MB", 10), ForbiddenAggregates: []string{"agg2"}}}}, all,
			[]alloc{{"cn1": res("MEMORY_MB", 10)}}},
		{"in_tree",
			Query{Groups: []Group{{Resources: res("MEMORY_MB", 10), InTree: "cn2"}}}, all,
			[]alloc{{"cn2": res("MEMORY_MB", 10)}}},
		{"limit",
			Query{Groups: []Group{{Resources: res("MEMORY_MB", 10)}}, Limit: 1}, all,
			[]alloc{{"cn1": res("MEMORY_MB", 10)}}},
		{"max_unit",
			Query{Groups: []Group{{Resources: res("VCPU", 5)}}}, all,
			nil},
		{"nested: unsuffixed spans the tree",
			Query{Groups: []Group{{Resources: res("VCPU", 1, "PCPU", 2)}}}, nested,
			[]alloc{{"r": res("VCPU", 1), "n0": res("PCPU", 2)}, {"r": res("VCPU", 1), "n1": res("PCPU", 2)}}},
		{"before 1.29 trees are flat",
			Query{Flat: true, Groups: []Group{{Resources: res("VCPU", 1, "PCPU", 2)}}}, nested,
			nil},
		{"before 1.29 a nested provider alone",
			Query{Flat: true, Groups: []Group{{Resources: res("PCPU", 2)}}}, nested,
			[]alloc{{"n0": res("PCPU", 2)}, {"n1": res("PCPU", 2)}}},
		{"granular: same provider per group",
			Query{Groups: []Group{{Suffix: "1", Resources: res("PCPU", 1, "MEMORY_MB", 256)}}}, nested,
			[]alloc{{"n0": res("PCPU", 1, "MEMORY_MB", 256)}, {"n1": res("PCPU", 1, "MEMORY_MB", 256)}}},
		{"granular isolate",
			Query{Isolate: true, Groups: []Group{
				{Suffix: "1", Resources: res("PCPU", 2)}, {Suffix: "2", Resources: res("PCPU", 2)}}}, nested,
			[]alloc{{"n0": res("PCPU", 2), "n1": res("PCPU", 2)}, {"n1": res("PCPU", 2), "n0": res("PCPU", 2)}}},
		{"granular none may share, merged must fit",
			Query{Groups: []Group{
				{Suffix: "1", Resources: res("PCPU", 1)}, {Suffix: "2", Resources: res("PCPU", 1), Required: [][]string{{"CUSTOM_X"}}}}}, nested,
			[]alloc{{"n0": res("PCPU", 1), "n1": res("PCPU", 1)}, {"n1": res("PCPU", 2)}}},
		{"unsuffixed member_of: the root's aggregate spans the tree",
			Query{Groups: []Group{{Resources: res("VCPU", 1), MemberOf: [][]string{{"aggR"}}}}}, aggTree,
			[]alloc{{"ac": res("VCPU", 1)}}},
		{"suffixed member_of: the provider's own aggregates only",
			Query{Groups: []Group{{Suffix: "1", Resources: res("VCPU", 1), MemberOf: [][]string{{"aggR"}}}}}, aggTree,
			nil},
		{"unsuffixed forbidden aggregate on the root",
			Query{Groups: []Group{{Resources: res("VCPU", 1), ForbiddenAggregates: []string{"aggR"}}}}, aggTree,
			nil},
		{"suffixed forbidden aggregate on the root",
			Query{Groups: []Group{{Suffix: "1", Resources: res("VCPU", 1), ForbiddenAggregates: []string{"aggR"}}}}, aggTree,
			[]alloc{{"ac": res("VCPU", 1)}}},
		{"merged groups over max_unit",
			Query{Groups: []Group{{Resources: res("VGPU", 1)}, {Suffix: "1", Resources: res("VGPU", 1)}, {Suffix: "2", Resources: res("VGPU", 1)}}},
			[]placement.ProviderState{gpu}, nil},
		{"merged groups within max_unit",
			Query{Groups: []Group{{Suffix: "1", Resources: res("VGPU", 1)}, {Suffix: "2", Resources: res("VGPU", 1)}}},
			[]placement.ProviderState{gpu}, []alloc{{"gpu": res("VGPU", 2)}}},
		{"same_subtree",
			Query{SameSubtree: [][]string{{"_A", "_B"}}, Groups: []Group{
				{Suffix: "_A", Resources: res("PCPU", 1)}, {Suffix: "_B", Required: [][]string{{"HW_NUMA_ROOT"}}}}}, nested,
			[]alloc{{"n0": res("PCPU", 1)}, {"n1": res("PCPU", 1)}}},
		{"root_required",
			Query{RootForbidden: []string{"HW_CPU_X86_AVX2"}, Groups: []Group{{Resources: res("MEMORY_MB", 10)}}}, all,
			[]alloc{{"cn2": res("MEMORY_MB", 10)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []alloc
			for _, c := range Find(tt.q, placement.NewProviderSet(tt.providers)) {
				got = append(got, c.Allocations)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("candidates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCandidatesShuffle(t *testing.T) {
	var ps []placement.ProviderState
	for _, id := range []string{"a", "b", "c"} {
		ps = append(ps, state(id, id, "", map[string]int64{"VCPU": 1}, nil, nil, nil))
	}
	reverse := func(n int) int { return n - 1 } // the last tree first
	got := Find(Query{Shuffle: reverse, Limit: 1, Groups: []Group{{Resources: map[string]int64{"VCPU": 1}}}}, placement.NewProviderSet(ps))
	if len(got) != 1 || got[0].Allocations["c"] == nil {
		t.Fatalf("got %+v, want the last host first", got)
	}
}

// TestMatchProviderResources pins GET /resource_providers?resources=:
// a provider matches when the amount fits its capacity, min_unit,
// max_unit and step_size (Placement's resource-provider-resources-
// query.yaml over a DISK_GB inventory of 2048, units 10 to 1000 by 10).
func TestMatchProviderResources(t *testing.T) {
	p := state("rp", "rp", "", nil, map[string]int64{"DISK_GB": 1020}, nil, nil)
	p.Inventories["DISK_GB"] = placement.Inventory{ResourceClass: "DISK_GB", Total: 2048, MinUnit: 10, MaxUnit: 1000, StepSize: 10}.WithDefaults()
	for _, tc := range []struct {
		amount int64
		want   bool
	}{
		{500, true},
		{1, false},    // under min_unit
		{1010, false}, // over max_unit
		{11, false},   // not a multiple of step_size
		{1000, true},  // 1020 + 1000 fits 2048
		{1030, false}, // over max_unit and capacity
	} {
		f := placement.ProviderFilter{Resources: map[string]int64{"DISK_GB": tc.amount}}
		if got := MatchProvider(f, &p); got != tc.want {
			t.Errorf("DISK_GB:%d matches = %v, want %v", tc.amount, got, tc.want)
		}
	}
}
