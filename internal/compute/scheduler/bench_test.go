package scheduler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/placement/client"
)

// staticPlacement answers every query with the same candidates and
// accepts every claim: the scheduler's own cost, given Placement's answer.
type staticPlacement struct{ cands *client.Candidates }

func (p staticPlacement) AllocationCandidates(context.Context, client.CandidateRequest) (*client.Candidates, error) {
	return p.cands, nil
}
func (staticPlacement) PutAllocations(context.Context, string, client.Allocations) error { return nil }
func (staticPlacement) DeleteAllocations(context.Context, string) error                  { return nil }

// benchCloud is nodes hosts, of which Placement returns the first
// candidates (shuffled) with varied free room.
func benchCloud(nodes, candidates int) (staticPlacement, *fakeHosts) {
	h := newFakeHosts()
	h.services = make([]compute.HostService, nodes)
	h.nodes = make([]compute.ComputeNode, nodes)
	for i := range nodes {
		host := fmt.Sprintf("compute-%05d", i)
		h.services[i] = compute.HostService{Host: host, Binary: computeBinary}
		h.nodes[i] = compute.ComputeNode{ID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), Host: host,
			HypervisorHostname: host, HypervisorType: "QEMU"}
	}
	// Some aggregates, as a cloud has: zones over halves of the hosts.
	h.aggregates = []compute.Aggregate{
		{ID: 1, Name: "az1", AZ: "az1", Metadata: map[string]string{"availability_zone": "az1"}},
		{ID: 2, Name: "az2", AZ: "az2", Metadata: map[string]string{"availability_zone": "az2"}},
	}
	for i := range nodes {
		a := &h.aggregates[i%2]
		a.Hosts = append(a.Hosts, h.nodes[i].Host)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cands := &client.Candidates{Summaries: map[string]client.Summary{}}
	for _, i := range rng.Perm(nodes)[:candidates] {
		rp := h.nodes[i].ID
		cands.Requests = append(cands.Requests, client.Candidate{Allocations: map[string]map[string]int64{
			rp: {classVCPU: 2, classMemory: 2048, classDisk: 20}}})
		var s client.Summary
		s.RootUUID = rp
		s.Resources = map[string]struct {
			Capacity int64 `json:"capacity"`
			Used     int64 `json:"used"`
		}{
			classVCPU:   {Capacity: 128, Used: rng.Int64N(100)},
			classMemory: {Capacity: 262144, Used: rng.Int64N(200000)},
			classDisk:   {Capacity: 2000, Used: rng.Int64N(1500)},
		}
		cands.Summaries[rp] = s
	}
	return staticPlacement{cands}, h
}

func BenchmarkSelect(b *testing.B) {
	for _, c := range []struct {
		nodes          int
		serviceRefresh time.Duration
		group          bool
	}{
		{1000, 0, false},
		{10000, 0, false},
		{10000, 5 * time.Second, false},
		{10000, 5 * time.Second, true},
	} {
		name := fmt.Sprintf("nodes=%d/serviceRefresh=%s/group=%t", c.nodes, c.serviceRefresh, c.group)
		b.Run(name, func(b *testing.B) {
			p, h := benchCloud(c.nodes, 1000)
			s := New(Config{ServiceRefresh: c.serviceRefresh}, p, h, fakeLiveness{})
			sp := spec("inst")
			sp.AZ = "az1"
			if c.group {
				g := &compute.ServerGroup{ID: "g", Policy: compute.PolicySoftAntiAffinity}
				for i := range 50 {
					id := fmt.Sprintf("m%d", i)
					g.Members = append(g.Members, id)
					h.instances[id] = compute.Instance{ID: id, Host: h.nodes[i*7].Host}
				}
				sp.Group = g
			}
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				t0 := time.Now()
				if _, _, err := s.Select(ctx, sp); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkFilterWeigh is the pure decision: filters, weighers and the
// pick over 1000 host states.
func BenchmarkFilterWeigh(b *testing.B) {
	base := make([]hostState, 1000)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range base {
		base[i] = hostState{Host: fmt.Sprintf("h%d", i), Zone: "az1", Enabled: true, Up: true,
			FreeRAM: rng.Int64N(1 << 18), FreeVCPU: rng.Int64N(128), FreeDisk: rng.Int64N(2000)}
	}
	r := &filterRequest{Zone: "az1"}
	fs, ws := filters(), weighers(&Config{})
	hosts := make([]hostState, len(base))
	vals := make([]float64, len(base))
	top := make([]int, 16)
	b.ReportAllocs()
	for b.Loop() {
		copy(hosts, base)
		hs, _ := runFilters(hosts, r, fs)
		weigh(hs, r, ws, vals)
		best(hs, 13, top)
	}
}

// BenchmarkSelectParallel is 16 concurrent Selects at 10,000 nodes with
// the default fresh service reads, which concurrent Selects share.
func BenchmarkSelectParallel(b *testing.B) {
	p, h := benchCloud(10000, 1000)
	s := New(Config{}, p, h, fakeLiveness{})
	sp := spec("inst")
	ctx := context.Background()
	b.SetParallelism(8) // × GOMAXPROCS goroutines
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := s.Select(ctx, sp); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
