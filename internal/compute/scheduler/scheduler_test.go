package scheduler

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/placement/client"
)

// cloud is a fake cloud of n hosts host0..host{n-1}, each with 8 VCPU,
// 8192 MiB and 100 GiB.
func cloud(n int) (*fakePlacement, *fakeHosts) {
	p, h := newFakePlacement(), newFakeHosts()
	for i := range n {
		host, id := fmt.Sprintf("host%d", i), fmt.Sprintf("rp-%d", i)
		h.addHost(host, id)
		p.add(id, map[string]int64{classVCPU: 8, classMemory: 8192, classDisk: 100})
	}
	return p, h
}

var small = compute.Flavor{ID: "1", VCPUs: 2, RAM: 2048, Disk: 10}

func spec(id string) RequestSpec {
	return RequestSpec{InstanceID: id, ProjectID: "p", UserID: "u", Flavor: small}
}

func isNoValidHost(err error) bool {
	var nvh *NoValidHost
	return errors.As(err, &nvh)
}

func TestSelectClaimsAndFills(t *testing.T) {
	ctx := context.Background()
	p, h := cloud(3)
	s := New(Config{}, p, h, nil)
	// 3 hosts × 4 instances of 2 VCPU fill the cloud; the 13th finds no room.
	perHost := map[string]int{}
	for i := range 12 {
		sel, alts, err := s.Select(ctx, spec(fmt.Sprintf("i%d", i)))
		if err != nil {
			t.Fatalf("select %d: %v", i, err)
		}
		perHost[sel.Host]++
		if sel.Allocation[sel.ProviderID][classVCPU] != 2 || sel.AZ != defaultZone || sel.Node != sel.Host {
			t.Fatalf("selection %+v", sel)
		}
		for _, a := range alts {
			if a.Host == sel.Host {
				t.Fatalf("alternate %s is the chosen host", a.Host)
			}
		}
		if len(alts) > 2 {
			t.Fatalf("%d alternates", len(alts))
		}
	}
	for host, n := range perHost {
		if n != 4 {
			t.Errorf("%s got %d instances, want 4 (RAM weigher spreads)", host, n)
		}
	}
	if _, _, err := s.Select(ctx, spec("i12")); !isNoValidHost(err) {
		t.Fatalf("full cloud: %v", err)
	}
}

func TestSelectSpreadsEvenly(t *testing.T) {
	// With equal weights, the chosen host is random among the ties, and
	// the RAM weigher then sends the next to the emptier hosts.
	ctx := context.Background()
	p, h := cloud(4)
	s := New(Config{}, p, h, nil)
	perHost := map[string]int{}
	for i := range 8 {
		sel, _, err := s.Select(ctx, spec(fmt.Sprintf("i%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		perHost[sel.Host]++
	}
	for host, n := range perHost {
		if n != 2 {
			t.Errorf("%s: %d instances, want 2: %v", host, n, perHost)
		}
	}
}

func TestSelectFiltersServices(t *testing.T) {
	ctx := context.Background()
	p, h := cloud(4)
	h.updateService("host0", func(s *compute.HostService) { s.Disabled = true })
	h.updateService("host1", func(s *compute.HostService) { s.ForcedDown = true })
	live := fakeLiveness{down: map[string]bool{"host2": true}}
	s := New(Config{}, p, h, live)
	for i := range 4 {
		sel, _, err := s.Select(ctx, spec(fmt.Sprintf("i%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		if sel.Host != "host3" {
			t.Fatalf("placed on %s, want host3", sel.Host)
		}
	}
	if _, _, err := s.Select(ctx, spec("i5")); !isNoValidHost(err) {
		t.Fatalf("host3 full: %v", err)
	}
	// Services are read for every Select: re-enabling host0 is seen at once.
	h.updateService("host0", func(s *compute.HostService) { s.Disabled = false })
	if sel, _, err := s.Select(ctx, spec("i6")); err != nil || sel.Host != "host0" {
		t.Fatalf("after enabling host0: %+v %v", sel, err)
	}
}

func TestSelectNewHostIsSeenAtOnce(t *testing.T) {
	ctx := context.Background()
	p, h := cloud(1)
	s := New(Config{}, p, h, nil)
	if _, _, err := s.Select(ctx, spec("a")); err != nil {
		t.Fatal(err)
	}
	lists := h.nodeLists
	h.addHost("new", "rp-new")
	p.add("rp-new", map[string]int64{classVCPU: 64, classMemory: 65536, classDisk: 1000})
	sel, _, err := s.Select(ctx, spec("b"))
	if err != nil || sel.Host != "new" {
		t.Fatalf("new host: %+v %v", sel, err)
	}
	if h.nodeLists != lists+1 {
		t.Fatalf("node lists %d → %d, want one more", lists, h.nodeLists)
	}
	// An orphan provider (no compute node) causes one more read, then none.
	p.add("rp-orphan", map[string]int64{classVCPU: 64, classMemory: 65536, classDisk: 1000})
	for _, id := range []string{"c", "d", "e"} {
		if _, _, err := s.Select(ctx, spec(id)); err != nil {
			t.Fatal(err)
		}
	}
	if h.nodeLists != lists+2 {
		t.Fatalf("node lists %d → %d, want two more", lists, h.nodeLists)
	}
}

func TestSelectRetriesConflicts(t *testing.T) {
	ctx := context.Background()
	p, h := cloud(3)
	s := New(Config{}, p, h, nil)
	// Someone else fills the first host the scheduler tries.
	stolen := ""
	p.steal = func(consumer string, a client.Allocations) {
		if stolen != "" {
			return
		}
		for rp := range a.Resources {
			stolen = rp
			p.mu.Lock()
			p.used[rp][classVCPU] = 8
			p.mu.Unlock()
		}
	}
	sel, alts, err := s.Select(ctx, spec("a"))
	if err != nil {
		t.Fatal(err)
	}
	if sel.ProviderID == stolen || p.claims != 2 {
		t.Fatalf("chose %s (stolen %s) after %d claims", sel.ProviderID, stolen, p.claims)
	}
	if len(alts) != 1 || alts[0].ProviderID == stolen || alts[0].ProviderID == sel.ProviderID {
		t.Fatalf("alternates %+v", alts)
	}
	// Claim of an alternate for another consumer.
	if err := s.Claim(ctx, "b", "p", "u", alts[0]); err != nil {
		t.Fatal(err)
	}
	// A second claim for the same consumer conflicts: NoValidHost.
	if err := s.Claim(ctx, "b", "p", "u", alts[0]); !isNoValidHost(err) {
		t.Fatalf("second claim: %v", err)
	}
}

func TestSelectAntiAffinity(t *testing.T) {
	ctx := context.Background()
	p, h := cloud(3)
	s := New(Config{}, p, h, nil)
	g := &compute.ServerGroup{ID: "g", Policy: compute.PolicyAntiAffinity, Members: []string{"a", "b", "c", "d"}}
	for _, id := range g.Members {
		// Instances exist in the store but have no host yet: the scheduler
		// remembers where it put the earlier ones.
		h.instances[id] = compute.Instance{ID: id}
	}
	used := map[string]bool{}
	for _, id := range g.Members[:3] {
		sp := spec(id)
		sp.Group = g
		sel, _, err := s.Select(ctx, sp)
		if err != nil {
			t.Fatal(err)
		}
		if used[sel.Host] {
			t.Fatalf("%s placed on %s again", id, sel.Host)
		}
		used[sel.Host] = true
	}
	sp := spec("d")
	sp.Group = g
	if _, _, err := s.Select(ctx, sp); !isNoValidHost(err) {
		t.Fatalf("fourth member of anti-affinity on 3 hosts: %v", err)
	}
	g.Rules = map[string]int64{"max_server_per_host": 2}
	if _, _, err := s.Select(ctx, sp); err != nil {
		t.Fatalf("max_server_per_host 2: %v", err)
	}
}

func TestSelectAffinityViaHint(t *testing.T) {
	ctx := context.Background()
	p, h := cloud(5)
	h.groups["g"] = &compute.ServerGroup{ID: "g", Policy: compute.PolicyAffinity, Members: []string{"a", "b", "c"}}
	for _, id := range []string{"a", "b", "c"} {
		h.instances[id] = compute.Instance{ID: id}
	}
	s := New(Config{}, p, h, nil)
	first := ""
	for _, id := range []string{"a", "b", "c"} {
		sp := spec(id)
		sp.Hints = map[string][]string{"group": {"g"}}
		sel, _, err := s.Select(ctx, sp)
		if err != nil {
			t.Fatal(err)
		}
		if first == "" {
			first = sel.Host
		} else if sel.Host != first {
			t.Fatalf("%s on %s, want %s", id, sel.Host, first)
		}
	}
}

func TestSelectForcedAndHints(t *testing.T) {
	ctx := context.Background()
	p, h := cloud(4)
	h.updateService("host2", func(s *compute.HostService) { s.Disabled = true })
	h.instances["x"] = compute.Instance{ID: "x", Host: "host1"}
	s := New(Config{}, p, h, nil)

	sp := spec("a")
	sp.ForceHost = "host2" // disabled, but forced
	sel, _, err := s.Select(ctx, sp)
	if err != nil || sel.Host != "host2" {
		t.Fatalf("forced: %+v %v", sel, err)
	}
	if got := p.requests[len(p.requests)-1].Groups[0].InTree; got != "rp-2" {
		t.Fatalf("in_tree %q, want rp-2", got)
	}
	sp = spec("b")
	sp.ForceNode = "nowhere"
	if _, _, err := s.Select(ctx, sp); !isNoValidHost(err) {
		t.Fatalf("unknown node: %v", err)
	}

	sp = spec("c")
	sp.Hints = map[string][]string{"same_host": {"x"}}
	if sel, _, err := s.Select(ctx, sp); err != nil || sel.Host != "host1" {
		t.Fatalf("same_host: %+v %v", sel, err)
	}
	for i := range 4 { // host3 has room for 4
		sp = spec(fmt.Sprintf("d%d", i))
		sp.Hints = map[string][]string{"different_host": {"x"}}
		sp.IgnoreHosts = []string{"host0"}
		sel, _, err := s.Select(ctx, sp)
		if err != nil || sel.Host != "host3" {
			t.Fatalf("different_host and ignore: %+v %v", sel, err)
		}
	}
}

func TestSelectZones(t *testing.T) {
	ctx := context.Background()
	p, h := cloud(3)
	h.aggregates = []compute.Aggregate{{ID: 1, Name: "a1", AZ: "az1", Hosts: []string{"host1"},
		Metadata: map[string]string{"availability_zone": "az1", "ssd": "true,yes"}}}
	s := New(Config{}, p, h, nil)
	sp := spec("a")
	sp.AZ = "az1"
	sel, _, err := s.Select(ctx, sp)
	if err != nil || sel.Host != "host1" || sel.AZ != "az1" {
		t.Fatalf("az1: %+v %v", sel, err)
	}
	sp = spec("b")
	sp.Flavor.ExtraSpecs = map[string]string{"aggregate_instance_extra_specs:ssd": "yes"}
	if sel, _, err := s.Select(ctx, sp); err != nil || sel.Host != "host1" {
		t.Fatalf("aggregate extra specs: %+v %v", sel, err)
	}
	sp = spec("c")
	sp.AZ = "az2"
	if _, _, err := s.Select(ctx, sp); !isNoValidHost(err) {
		t.Fatalf("az2: %v", err)
	}
	sp = spec("d")
	sp.AZ = defaultZone
	if sel, _, err := s.Select(ctx, sp); err != nil || sel.Host == "host1" || sel.AZ != defaultZone {
		t.Fatalf("nova: %+v %v", sel, err)
	}
}

func TestSelectHostSubset(t *testing.T) {
	ctx := context.Background()
	p, h := cloud(10)
	// Hosts 0..2 have the most free RAM; with a subset of 3 each of them
	// is chosen sometimes, and no other host.
	for i := 3; i < 10; i++ {
		p.used[fmt.Sprintf("rp-%d", i)][classMemory] = 4096
	}
	s := New(Config{HostSubsetSize: 3, Alternates: -1}, p, h, nil)
	chosen := map[string]bool{}
	for i := 0; i < 200 && len(chosen) < 3; i++ {
		id := fmt.Sprintf("i%d", i)
		sel, alts, err := s.Select(ctx, spec(id))
		if err != nil {
			t.Fatal(err)
		}
		if len(alts) != 0 {
			t.Fatalf("alternates %v with Alternates -1", alts)
		}
		chosen[sel.Host] = true
		if err := p.DeleteAllocations(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if len(chosen) != 3 || !chosen["host0"] || !chosen["host1"] || !chosen["host2"] {
		t.Fatalf("chosen %v, want host0..host2", chosen)
	}
}

func TestSelectImageAndTraits(t *testing.T) {
	ctx := context.Background()
	p, h := cloud(0)
	h.addHost("plain", "rp-plain")
	p.add("rp-plain", map[string]int64{classVCPU: 8, classMemory: 8192, classDisk: 100})
	h.addHost("avx", "rp-avx")
	p.add("rp-avx", map[string]int64{classVCPU: 8, classMemory: 8192, classDisk: 100}, "HW_CPU_X86_AVX2")
	s := New(Config{}, p, h, nil)

	sp := spec("a")
	sp.Image = &compute.ImageMeta{Properties: map[string]string{"trait:HW_CPU_X86_AVX2": "required", "hw_architecture": "x86_64"}}
	if sel, _, err := s.Select(ctx, sp); err != nil || sel.Host != "avx" {
		t.Fatalf("image trait: %+v %v", sel, err)
	}
	sp = spec("b")
	sp.Flavor.ExtraSpecs = map[string]string{"trait:HW_CPU_X86_AVX2": "forbidden"}
	if sel, _, err := s.Select(ctx, sp); err != nil || sel.Host != "plain" {
		t.Fatalf("forbidden trait: %+v %v", sel, err)
	}
	sp = spec("c")
	sp.Image = &compute.ImageMeta{Properties: map[string]string{"hw_architecture": "ppc64le"}}
	if _, _, err := s.Select(ctx, sp); !isNoValidHost(err) {
		t.Fatalf("ppc64le image: %v", err)
	}
}
