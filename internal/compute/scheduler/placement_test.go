package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/placement/placementtest"
)

// realCloud runs a real Placement (HTTP, SQL store) with n compute hosts
// of 8 VCPU, 8192 MiB and 100 GiB each, registered as the compute agent
// registers them, and fake Hosts that know the same nodes.
func realCloud(t *testing.T, n int) (*client.Client, *fakeHosts) {
	t.Helper()
	ctx := context.Background()
	c := placementtest.Start(t, placement.Config{RandomizeCandidates: true}).Client
	h := newFakeHosts()
	for i := range n {
		host, id := fmt.Sprintf("host%02d", i), fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		p, err := c.CreateProvider(ctx, id, host, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.SetInventories(ctx, id, p.Generation, map[string]client.Inventory{
			classVCPU: {Total: 8, AllocationRatio: 1}, classMemory: {Total: 8192, AllocationRatio: 1},
			classDisk: {Total: 100, AllocationRatio: 1},
		}); err != nil {
			t.Fatal(err)
		}
		h.addHost(host, id)
	}
	return c, h
}

// checkCapacity fails if any provider holds more than its inventory.
func checkCapacity(t *testing.T, c *client.Client, h *fakeHosts) (total int64) {
	t.Helper()
	for _, n := range h.nodes {
		u, _, err := c.Usages(context.Background(), n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u[classVCPU] > 8 || u[classMemory] > 8192 || u[classDisk] > 100 {
			t.Errorf("%s over-allocated: %v", n.Host, u)
		}
		total += u[classVCPU]
	}
	return total
}

func TestSelectAgainstPlacementRespectsCapacity(t *testing.T) {
	const hosts, workers, builds = 20, 16, 100 // room for 4 per host: 80
	c, h := realCloud(t, hosts)
	s := New(Config{}, c, h, nil)
	ctx := context.Background()

	var mu sync.Mutex
	placed, noRoom := 0, 0
	ids := make(chan string)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for id := range ids {
				_, _, err := s.Select(ctx, spec(id))
				mu.Lock()
				switch {
				case err == nil:
					placed++
				case isNoValidHost(err):
					noRoom++
				default:
					t.Errorf("select %s: %v", id, err)
				}
				mu.Unlock()
			}
		})
	}
	for i := range builds {
		ids <- fmt.Sprintf("10000000-0000-0000-0000-%012d", i)
	}
	close(ids)
	wg.Wait()
	if placed > hosts*4 || placed+noRoom != builds {
		t.Fatalf("placed %d, no room %d", placed, noRoom)
	}
	t.Logf("%d concurrent builds: %d placed, %d refused", builds, placed, noRoom)
	// A conflict streak may have refused a build while room was left;
	// sequential builds then fill the cloud exactly.
	for i := 0; ; i++ {
		_, _, err := s.Select(ctx, spec(fmt.Sprintf("20000000-0000-0000-0000-%012d", i)))
		if isNoValidHost(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		placed++
	}
	if placed != hosts*4 {
		t.Fatalf("placed %d, want %d", placed, hosts*4)
	}
	if total := checkCapacity(t, c, h); total != hosts*8 {
		t.Fatalf("VCPU used %d, want %d", total, hosts*8)
	}
}

func TestSelectAgainstPlacementAntiAffinity(t *testing.T) {
	const hosts = 12
	c, h := realCloud(t, hosts)
	s := New(Config{}, c, h, nil)
	ctx := context.Background()
	g := &compute.ServerGroup{ID: "g1", Policy: compute.PolicyAntiAffinity}
	for i := range hosts + 1 {
		id := fmt.Sprintf("30000000-0000-0000-0000-%012d", i)
		g.Members = append(g.Members, id)
		h.instances[id] = compute.Instance{ID: id}
	}
	// Builds of the group race each other and builds of no group (fewer
	// than fill a host, so that every host keeps room for a member).
	var wg sync.WaitGroup
	var mu sync.Mutex
	onHost := map[string]int{}
	failed := 0
	for i, id := range g.Members {
		wg.Go(func() {
			sp := spec(id)
			sp.Group = g
			sel, _, err := s.Select(ctx, sp)
			mu.Lock()
			defer mu.Unlock()
			if isNoValidHost(err) {
				failed++
				return
			}
			if err != nil {
				t.Errorf("select: %v", err)
				return
			}
			onHost[sel.Host]++
		})
		if i >= 3 {
			continue
		}
		wg.Go(func() {
			if _, _, err := s.Select(ctx, spec(fmt.Sprintf("40000000-0000-0000-0000-%012d", i))); err != nil {
				t.Errorf("ungrouped select: %v", err)
			}
		})
	}
	wg.Wait()
	if len(onHost) != hosts || failed != 1 {
		t.Fatalf("group spread over %d hosts (%v), %d refused; want %d hosts and 1 refused", len(onHost), onHost, failed, hosts)
	}
	for host, n := range onHost {
		if n != 1 {
			t.Errorf("%s holds %d members", host, n)
		}
	}
	checkCapacity(t, c, h)

	// Claim moves an instance to an alternate: after its claim is gone.
	var nvh *NoValidHost
	if err := s.Claim(ctx, g.Members[0], "p", "u", Selection{Host: "host00", Allocation: map[string]map[string]int64{
		h.nodes[0].ID: {classVCPU: 100}}}); !errors.As(err, &nvh) {
		t.Fatalf("claim beyond capacity: %v", err)
	}
}
