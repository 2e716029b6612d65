package scheduler

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
)

func TestWeigh(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	tests := []struct {
		name  string
		cfg   Config
		req   filterRequest
		hosts []hostState
		want  []float64
	}{
		{
			name: "free room, normalized per weigher",
			hosts: []hostState{
				{Host: "a", FreeRAM: 1000, FreeVCPU: 4, FreeDisk: 10},
				{Host: "b", FreeRAM: 3000, FreeVCPU: 4, FreeDisk: 30},
				{Host: "c", FreeRAM: 2000, FreeVCPU: 4, FreeDisk: 20},
			},
			want: []float64{0, 2, 1}, // RAM 0/1/.5 + CPU all equal → 0 + disk 0/1/.5
		},
		{
			name: "negative RAM multiplier stacks",
			cfg:  Config{RAMWeight: -1, DiskWeight: 0.5},
			hosts: []hostState{
				{Host: "a", FreeRAM: 1000, FreeDisk: 10},
				{Host: "b", FreeRAM: 3000, FreeDisk: 30},
			},
			want: []float64{0, -1 + 0.5},
		},
		{
			name: "soft anti-affinity prefers hosts with fewer members",
			cfg:  Config{SoftAntiAffinityWeight: 10},
			req:  filterRequest{GroupPolicy: compute.PolicySoftAntiAffinity, GroupHosts: map[string]int{"a": 2, "b": 1}},
			hosts: []hostState{
				{Host: "a"}, {Host: "b"}, {Host: "c"},
			},
			want: []float64{0, 5, 10},
		},
		{
			name: "soft affinity prefers hosts with more members",
			req:  filterRequest{GroupPolicy: compute.PolicySoftAffinity, GroupHosts: map[string]int{"a": 2, "b": 1}},
			hosts: []hostState{
				{Host: "a"}, {Host: "b"}, {Host: "c"},
			},
			want: []float64{1, 0.5, 0},
		},
		{
			name:  "one host",
			hosts: []hostState{{Host: "a", FreeRAM: 5}},
			want:  []float64{0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			weigh(tt.hosts, &tt.req, weighers(&tt.cfg), make([]float64, len(tt.hosts)))
			for i, h := range tt.hosts {
				if !near(h.weight, tt.want[i]) {
					t.Errorf("%s: weight %v, want %v", h.Host, h.weight, tt.want[i])
				}
			}
		})
	}
}

func TestBest(t *testing.T) {
	hosts := []hostState{{weight: 1}, {weight: 5}, {weight: 3}, {weight: 4}, {weight: 2}}
	if diff := cmp.Diff([]int{1, 3, 2}, best(hosts, 3, nil)); diff != "" {
		t.Errorf("top 3 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 3, 2, 4, 0}, best(hosts, 10, make([]int, 0, 10))); diff != "" {
		t.Errorf("all (-want +got):\n%s", diff)
	}
	// Ties come in random order: over many draws each of the tied hosts
	// is first at least once.
	ties := []hostState{{weight: 1}, {weight: 1}, {weight: 1}, {weight: 0}}
	first := map[int]bool{}
	for i := 0; i < 1000 && len(first) < 3; i++ {
		first[best(ties, 1, nil)[0]] = true
	}
	if len(first) != 3 || first[3] {
		t.Errorf("first picks %v, want each of 0, 1, 2", first)
	}
}
