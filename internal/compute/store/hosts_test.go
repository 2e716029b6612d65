package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

func TestServices(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	hs, err := s.UpsertService(ctx, &compute.HostService{Host: "h1", Binary: "nova-compute", Zone: "nova"})
	if err != nil {
		t.Fatal(err)
	}
	if hs.ID == "" || hs.IntID == 0 || hs.CreatedAt.IsZero() {
		t.Errorf("new service = %+v", hs)
	}
	again, err := s.UpsertService(ctx, &compute.HostService{Host: "h1", Binary: "nova-compute", Zone: "other", Disabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(hs, again); diff != "" {
		t.Errorf("upsert of an existing service changed it (-first +second):\n%s", diff)
	}
	sched, err := s.UpsertService(ctx, &compute.HostService{ID: "fixed-uuid", Host: "h1", Binary: "nova-scheduler", Zone: "internal"})
	if err != nil {
		t.Fatal(err)
	}
	if sched.ID != "fixed-uuid" || sched.IntID == hs.IntID {
		t.Errorf("scheduler = %+v", sched)
	}
	if _, err := s.UpsertService(ctx, &compute.HostService{ID: "fixed-uuid", Host: "h2", Binary: "nova-compute"}); !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("taken uuid: %v", err)
	}
	got, err := s.GetService(ctx, hs.ID)
	if err != nil || !cmp.Equal(got, hs) {
		t.Errorf("GetService = %+v, %v", got, err)
	}
	if _, err := s.GetService(ctx, "nope"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("GetService(nope): %v", err)
	}
	for _, tt := range []struct {
		host, binary string
		want         int
	}{{"", "", 2}, {"h1", "", 2}, {"", "nova-compute", 1}, {"h1", "nova-scheduler", 1}, {"h2", "", 0}} {
		l, err := s.ListServices(ctx, tt.host, tt.binary)
		if err != nil || len(l) != tt.want {
			t.Errorf("ListServices(%q, %q) = %d services, %v; want %d", tt.host, tt.binary, len(l), err, tt.want)
		}
	}
	boom := errors.New("boom")
	if _, err := s.UpdateService(ctx, hs.ID, func(h *compute.HostService) error { h.Disabled = true; return boom }); !errors.Is(err, boom) {
		t.Errorf("fn error: %v", err)
	}
	up, err := s.UpdateService(ctx, hs.ID, func(h *compute.HostService) error {
		h.Disabled, h.DisabledReason, h.ForcedDown, h.Host = true, "maintenance", true, "ignored"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetService(ctx, hs.ID); !cmp.Equal(got, up) || !got.Disabled || got.Host != "h1" {
		t.Errorf("after update = %+v", got)
	}
	if _, err := s.UpdateService(ctx, "nope", func(*compute.HostService) error { return nil }); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("update missing: %v", err)
	}

	if err := s.UpsertNodes(ctx, []compute.ComputeNode{{ID: "n1", Host: "h1", HypervisorHostname: "h1.example"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteService(ctx, sched.ID); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.ListNodes(ctx, "h1", ""); len(l) != 1 {
		t.Errorf("deleting the scheduler took the nodes: %v", l)
	}
	if err := s.DeleteService(ctx, hs.ID); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.ListNodes(ctx, "h1", ""); len(l) != 0 {
		t.Errorf("nodes survive their compute service: %v", l)
	}
	if err := s.DeleteService(ctx, hs.ID); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("delete again: %v", err)
	}
}

func TestConcurrentUpsertService(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	var wg sync.WaitGroup
	got := make([]*compute.HostService, 8)
	errs := make([]error, 8)
	for i := range 8 {
		wg.Go(func() {
			got[i], errs[i] = s.UpsertService(ctx, &compute.HostService{Host: fmt.Sprintf("h%d", i%2), Binary: "nova-compute"})
		})
	}
	wg.Wait()
	for i := range 8 {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if got[i].ID != got[i%2].ID {
			t.Errorf("upsert %d made another service: %s vs %s", i, got[i].ID, got[i%2].ID)
		}
	}
	if l, _ := s.ListServices(ctx, "", ""); len(l) != 2 {
		t.Errorf("%d services, want 2", len(l))
	}
}

func node(id, host, hostname string) compute.ComputeNode {
	return compute.ComputeNode{ID: id, Host: host, HypervisorHostname: hostname, HypervisorType: "fake", HypervisorVersion: 1000,
		HostIP: "10.0.0.1", VCPUs: 8, MemoryMB: 16384, LocalGB: 100, CPUInfo: "{}", CPUAllocationRatio: 16,
		RAMAllocationRatio: 1.5, DiskAllocationRatio: 1, StartedAt: db.Now().Add(-time.Hour)}
}

func TestNodes(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	a, b := node("na", "h1", "h1.example.org"), node("nb", "h2", "H2.example.org")
	if err := s.UpsertNodes(ctx, []compute.ComputeNode{a, b}); err != nil {
		t.Fatal(err)
	}
	ga, err := s.GetNode(ctx, "na")
	if err != nil {
		t.Fatal(err)
	}
	if ga.IntID == 0 || ga.CreatedAt.IsZero() || ga.UpdatedAt.IsZero() {
		t.Errorf("store-set fields: %+v", ga)
	}
	want := a
	want.IntID, want.CreatedAt, want.UpdatedAt = ga.IntID, ga.CreatedAt, ga.UpdatedAt
	if diff := cmp.Diff(&want, ga); diff != "" {
		t.Errorf("GetNode (-want +got):\n%s", diff)
	}

	// Update one, add one, in one call; the first keeps its id and
	// creation time.
	a.VCPUsUsed, a.RunningVMs, a.UpdatedAt = 2, 1, nowAfter(ga.UpdatedAt)
	c := node("nc", "h1", "h1-b.example.org")
	if err := s.UpsertNodes(ctx, []compute.ComputeNode{a, c}); err != nil {
		t.Fatal(err)
	}
	ga2, _ := s.GetNode(ctx, "na")
	if ga2.IntID != ga.IntID || !ga2.CreatedAt.Equal(ga.CreatedAt) || ga2.VCPUsUsed != 2 || !ga2.UpdatedAt.Equal(a.UpdatedAt) {
		t.Errorf("updated node = %+v (was %+v)", ga2, ga)
	}
	all, err := s.ListNodes(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for i, n := range all {
		order = append(order, n.ID)
		if i > 0 && all[i-1].IntID >= n.IntID {
			t.Errorf("not ordered by IntID: %v", all)
		}
	}
	if !cmp.Equal(order, []string{"na", "nb", "nc"}) {
		t.Errorf("ListNodes = %v", order)
	}
	for _, tt := range []struct {
		host, pattern string
		want          int
	}{{"h1", "", 2}, {"h2", "", 1}, {"", "%h2%", 1}, {"", "h1%", 2}, {"h1", "%-b%", 1}, {"h3", "", 0}} {
		l, err := s.ListNodes(ctx, tt.host, tt.pattern)
		if err != nil || len(l) != tt.want {
			t.Errorf("ListNodes(%q, %q) = %d, %v; want %d", tt.host, tt.pattern, len(l), err, tt.want)
		}
	}
	if _, err := s.GetNode(ctx, "nope"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("GetNode(nope): %v", err)
	}
	// A repeated ID: the last entry wins.
	x, y := node("nd", "h4", "x"), node("nd", "h4", "y")
	if err := s.UpsertNodes(ctx, []compute.ComputeNode{x, y}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.GetNode(ctx, "nd"); n.HypervisorHostname != "y" {
		t.Errorf("repeated id: %+v", n)
	}
}

func TestUpsertManyNodes(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	nodes := make([]compute.ComputeNode, 10000)
	for i := range nodes {
		nodes[i] = node(fmt.Sprintf("node-%05d", i), fmt.Sprintf("host-%05d", i), fmt.Sprintf("host-%05d.example", i))
	}
	start := time.Now()
	if err := s.UpsertNodes(ctx, nodes); err != nil {
		t.Fatal(err)
	}
	created := time.Since(start)
	for i := range nodes {
		nodes[i].VCPUsUsed = int64(i % 8)
	}
	start = time.Now()
	if err := s.UpsertNodes(ctx, nodes); err != nil {
		t.Fatal(err)
	}
	t.Logf("10000 nodes: insert %v, update %v", created, time.Since(start))
	all, err := s.ListNodes(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 10000 || all[9999].VCPUsUsed != 9999%8 || all[0].IntID != 1 || all[9999].IntID != 10000 {
		t.Errorf("got %d nodes, last %+v", len(all), all[len(all)-1])
	}
}

func TestAggregates(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	a := compute.Aggregate{Name: "rack1", AZ: "az1", Hosts: []string{"h2", "h1"}, Metadata: map[string]string{"ssd": "true"}}
	if err := s.CreateAggregate(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.UUID == "" || a.CreatedAt.IsZero() || a.UpdatedAt != nil || a.Metadata["availability_zone"] != "az1" {
		t.Errorf("created = %+v", a)
	}
	got, err := s.GetAggregate(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&a, got); diff != "" {
		t.Errorf("GetAggregate (-want +got):\n%s", diff)
	}
	if err := s.CreateAggregate(ctx, &compute.Aggregate{Name: "rack1"}); !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("taken name: %v", err)
	}
	b := compute.Aggregate{Name: "rack2", Metadata: map[string]string{"availability_zone": "az2"}}
	if err := s.CreateAggregate(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if b.AZ != "az2" || b.ID == a.ID {
		t.Errorf("AZ from metadata: %+v", b)
	}
	boom := errors.New("boom")
	if _, err := s.UpdateAggregate(ctx, a.ID, func(x *compute.Aggregate) error { x.Name = "zzz"; return boom }); !errors.Is(err, boom) {
		t.Errorf("fn error: %v", err)
	}
	if _, err := s.UpdateAggregate(ctx, a.ID, func(x *compute.Aggregate) error { x.Name = "rack2"; return nil }); !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("rename to a taken name: %v", err)
	}
	up, err := s.UpdateAggregate(ctx, a.ID, func(x *compute.Aggregate) error {
		x.Name = "rack1b"
		x.Hosts = append(x.Hosts, "h3")
		x.Metadata["availability_zone"] = "az9"
		delete(x.Metadata, "ssd")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.AZ != "az9" || up.UpdatedAt == nil || !cmp.Equal(up.Hosts, []string{"h2", "h1", "h3"}) {
		t.Errorf("updated = %+v", up)
	}
	up, err = s.UpdateAggregate(ctx, a.ID, func(x *compute.Aggregate) error { x.AZ = ""; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := up.Metadata["availability_zone"]; ok || up.AZ != "" {
		t.Errorf("AZ cleared: %+v", up)
	}
	got, _ = s.GetAggregate(ctx, a.ID)
	if diff := cmp.Diff(up, got); diff != "" {
		t.Errorf("after update (-returned +stored):\n%s", diff)
	}
	all, err := s.ListAggregates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ID != a.ID || all[1].AZ != "az2" || !cmp.Equal(all[0].Hosts, []string{"h2", "h1", "h3"}) {
		t.Errorf("ListAggregates = %+v", all)
	}
	if err := s.DeleteAggregate(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAggregate(ctx, a.ID); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("deleted: %v", err)
	}
	if err := s.DeleteAggregate(ctx, a.ID); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("delete again: %v", err)
	}
	if _, err := s.UpdateAggregate(ctx, a.ID, func(*compute.Aggregate) error { return nil }); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("update deleted: %v", err)
	}
	// The name is free again.
	if err := s.CreateAggregate(ctx, &compute.Aggregate{Name: "rack1b"}); err != nil {
		t.Errorf("reuse name: %v", err)
	}
}
