package scheduler

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/placement/placementtest"
)

// benchPlacement runs a real Placement (HTTP, SQLite store) with n large
// compute hosts, registered through the service (quicker than n HTTP
// round trips, the same rows), and fake Hosts that know the same nodes.
func benchPlacement(b *testing.B, n int, randomize bool) (*client.Client, *fakeHosts) {
	b.Helper()
	ctx := context.Background()
	pl := placementtest.Start(b, placement.Config{RandomizeCandidates: randomize})
	svc, c := pl.Service, pl.Client
	h := newFakeHosts()
	for i := range n {
		host, id := fmt.Sprintf("compute-%05d", i), fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		if _, err := svc.CreateProvider(ctx, id, host, ""); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.SetInventories(ctx, id, 0, []placement.Inventory{
			{ResourceClass: classVCPU, Total: 128, AllocationRatio: 16},
			{ResourceClass: classMemory, Total: 1 << 20, AllocationRatio: 1.5},
			{ResourceClass: classDisk, Total: 100000, AllocationRatio: 1},
		}, true); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.SetProviderTraits(ctx, id, 1, []string{"COMPUTE_NODE", "COMPUTE_NET_ATTACH_INTERFACE",
			"COMPUTE_SAME_HOST_COLD_MIGRATE", "COMPUTE_VOLUME_ATTACH"}); err != nil {
			b.Fatal(err)
		}
		h.addHost(host, id)
	}
	return c, h
}

// BenchmarkSelectPlacement is the scheduler's whole decision as the boot
// storm makes it: allocation candidates from a real Placement over HTTP
// (query, JSON both ways), filters and weighers, and the claim. Each
// iteration places a new instance, so usage grows as in a storm. The
// limit is Config.MaxCandidates; random is Placement's
// randomize_allocation_candidates.
func BenchmarkSelectPlacement(b *testing.B) {
	for _, c := range []struct {
		hosts, limit int
		random       bool
	}{
		{1000, 1000, false},
		{1000, 100, true},
		{10000, 1000, false},
		{10000, 100, true},
	} {
		b.Run(fmt.Sprintf("hosts=%d/limit=%d/random=%t", c.hosts, c.limit, c.random), func(b *testing.B) {
			p, h := benchPlacement(b, c.hosts, c.random)
			s := New(Config{MaxCandidates: c.limit}, p, h, fakeLiveness{})
			ctx := context.Background()
			lat := make([]time.Duration, 0, 1024)
			i := 0
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				sp := spec(fmt.Sprintf("10000000-0000-0000-0000-%012d", i))
				i++
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
