package store_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/candidates"
	plstore "github.com/gostack/gostack/internal/placement/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

func newService(t testing.TB) *placement.Service {
	t.Helper()
	svc, err := placement.New(context.Background(), placement.Config{}, plstore.New(dbtest.Open(t)))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if e, ok := apierr.As(err); !ok || e.Code != http.StatusConflict || e.Type != code {
		t.Fatalf("err = %v, want conflict %s", err, code)
	}
}

const (
	rp1   = "11111111-1111-1111-1111-111111111111"
	rp2   = "22222222-2222-2222-2222-222222222222"
	cons1 = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
	cons2 = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
)

func TestProvidersInventoriesAllocations(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	p, err := svc.CreateProvider(ctx, rp1, "node1", "")
	if err != nil {
		t.Fatal(err)
	}
	if p.RootUUID != rp1 || p.Generation != 0 {
		t.Fatalf("provider = %+v", p)
	}
	if _, err := svc.CreateProvider(ctx, "", "node1", ""); err == nil {
		t.Fatal("duplicate name accepted")
	} else {
		wantCode(t, err, placement.CodeDuplicateName)
	}
	child, err := svc.CreateProvider(ctx, rp2, "node1-numa0", rp1)
	if err != nil || child.RootUUID != rp1 {
		t.Fatalf("child = %+v, %v", child, err)
	}
	if err := svc.DeleteProvider(ctx, rp1); err == nil {
		t.Fatal("deleted a parent")
	}

	gen, err := svc.SetInventories(ctx, rp1, 0, []placement.Inventory{
		{ResourceClass: "VCPU", Total: 4, AllocationRatio: 2},
		{ResourceClass: "MEMORY_MB", Total: 2048, Reserved: 512},
	}, true)
	if err != nil || gen != 1 {
		t.Fatalf("gen = %d, %v", gen, err)
	}
	if _, err := svc.SetInventories(ctx, rp1, 0, nil, true); err == nil {
		t.Fatal("stale generation accepted")
	} else {
		wantCode(t, err, placement.CodeConcurrentUpdate)
	}

	write := func(c string, gen *int64, vcpu, mem int64) error {
		return svc.WriteAllocations(ctx, []placement.ConsumerAllocations{{
			Consumer: placement.Consumer{UUID: c, ProjectID: "p", UserID: "u"}, Generation: gen, CheckGeneration: true,
			Allocations: []placement.Allocation{{ProviderUUID: rp1, ResourceClass: "VCPU", Used: vcpu}, {ProviderUUID: rp1, ResourceClass: "MEMORY_MB", Used: mem}},
		}})
	}
	if err := write(cons1, nil, 6, 1024); err != nil {
		t.Fatal(err)
	}
	if err := write(cons2, nil, 3, 256); err == nil {
		t.Fatal("over capacity accepted (6+3 > 8)")
	}
	if err := write(cons1, nil, 1, 1); err == nil {
		t.Fatal("null generation for an existing consumer accepted")
	} else {
		wantCode(t, err, placement.CodeConcurrentUpdate)
	}
	// A new consumer is at generation 1 once it holds allocations, as
	// in Placement; the generation it had before does not match.
	g0, g1 := int64(0), int64(1)
	if err := write(cons1, &g0, 2, 512); err == nil {
		t.Fatal("generation 0 accepted for a consumer at 1")
	} else if !strings.Contains(apierr.Message(err), "consumer generation conflict - expected 1 but got 0") {
		t.Fatalf("conflict: %v", err)
	}
	if err := write(cons1, &g1, 2, 512); err != nil {
		t.Fatal(err)
	}
	if err := write(cons2, nil, 6, 512); err != nil {
		t.Fatal(err)
	}
	u, _, err := svc.ProviderUsages(ctx, rp1)
	if err != nil || u["VCPU"] != 8 || u["MEMORY_MB"] != 1024 {
		t.Fatalf("usage = %v, %v", u, err)
	}
	pu, err := svc.Usages(ctx, "p", "", "")
	if err != nil || pu["unknown"].Usage["VCPU"] != 8 || pu["unknown"].Consumers != 2 {
		t.Fatalf("project usage = %v, %v", pu, err)
	}
	// Removing inventory in use is refused.
	_, gen, _ = svc.Inventories(ctx, rp1)
	if _, err := svc.SetInventories(ctx, rp1, gen, []placement.Inventory{{ResourceClass: "MEMORY_MB", Total: 2048}}, true); err == nil {
		t.Fatal("removed inventory in use")
	} else {
		wantCode(t, err, placement.CodeInventoryInUse)
	}
	if err := svc.DeleteProvider(ctx, rp2); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteProvider(ctx, rp1); err == nil {
		t.Fatal("deleted provider with allocations")
	} else {
		wantCode(t, err, placement.CodeProviderInUse)
	}
	if err := svc.DeleteAllocations(ctx, cons1); err != nil {
		t.Fatal(err)
	}
	if c, _, _ := svc.Consumer(ctx, cons1); c != nil {
		t.Fatalf("consumer kept: %+v", c)
	}
	cands, _, err := candidates.List(ctx, svc, candidates.Query{Groups: []candidates.Group{{Resources: map[string]int64{"VCPU": 2}}}})
	if err != nil || len(cands) != 1 {
		t.Fatalf("candidates = %v, %v", cands, err)
	}
}

func TestTraitsAggregatesClasses(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	if _, err := svc.CreateProvider(ctx, rp1, "node1", ""); err != nil {
		t.Fatal(err)
	}
	if created, err := svc.PutTrait(ctx, "CUSTOM_GOLD"); err != nil || !created {
		t.Fatalf("put trait: %v %v", created, err)
	}
	if created, _ := svc.PutTrait(ctx, "CUSTOM_GOLD"); created {
		t.Fatal("created twice")
	}
	gen, err := svc.SetProviderTraits(ctx, rp1, 0, []string{"CUSTOM_GOLD", "HW_CPU_X86_AVX2"})
	if err != nil || gen != 1 {
		t.Fatal(gen, err)
	}
	if _, err := svc.SetProviderTraits(ctx, rp1, 1, []string{"CUSTOM_NOPE"}); err == nil {
		t.Fatal("unknown trait accepted")
	}
	if err := svc.DeleteTrait(ctx, "CUSTOM_GOLD"); err == nil {
		t.Fatal("deleted a trait in use")
	}
	yes := true
	ts, err := svc.Traits(ctx, placement.TraitFilter{Associated: &yes})
	if err != nil || len(ts) != 2 {
		t.Fatalf("associated = %v %v", ts, err)
	}
	agg := "33333333-3333-3333-3333-333333333333"
	if _, err := svc.SetProviderAggregates(ctx, rp1, 1, []string{agg}); err != nil {
		t.Fatal(err)
	}
	ps, err := svc.Providers(ctx, placement.ProviderFilter{MemberOf: [][]string{{agg}}, Required: [][]string{{"CUSTOM_GOLD"}}})
	if err != nil || len(ps) != 1 {
		t.Fatalf("providers = %v %v", ps, err)
	}
	if err := svc.CreateResourceClass(ctx, "CUSTOM_FOO"); err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateResourceClass(ctx, "CUSTOM_FOO"); err == nil {
		t.Fatal("duplicate class")
	}
	if _, err := svc.SetInventories(ctx, rp1, 2, []placement.Inventory{{ResourceClass: "CUSTOM_FOO", Total: 1}}, true); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteResourceClass(ctx, "CUSTOM_FOO"); err == nil {
		t.Fatal("deleted class in use")
	}
}

func TestReparentAndSnapshot(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	const rp3 = "33333333-3333-3333-3333-333333333333"
	for _, p := range [][3]string{{rp1, "a", ""}, {rp2, "b", ""}, {rp3, "c", rp2}} {
		if _, err := svc.CreateProvider(ctx, p[0], p[1], p[2]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.UpdateProvider(ctx, rp2, "b", rp1, true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateProvider(ctx, rp1, "a", rp3, true); err == nil {
		t.Fatal("loop accepted")
	}
	// The candidate snapshot sees the move of the grandchild's root.
	_, states, err := candidates.List(ctx, svc, candidates.Query{Groups: []candidates.Group{{Resources: map[string]int64{"VCPU": 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range states.States() {
		if st.RootUUID != rp1 {
			t.Fatalf("%s root = %s", st.UUID, st.RootUUID)
		}
	}
	// A move changes no generation, of the moved provider or of its
	// subtree, as in Placement (resource-provider.yaml).
	for _, id := range []string{rp2, rp3} {
		if p, err := svc.Provider(ctx, id); err != nil || p.Generation != 0 {
			t.Fatalf("%s after the move: %+v %v", id, p, err)
		}
	}
	if _, err := svc.SetInventories(ctx, rp3, 0, []placement.Inventory{{ResourceClass: "VCPU", Total: 2}}, true); err != nil {
		t.Fatal(err)
	}
	cands, _, err := candidates.List(ctx, svc, candidates.Query{Groups: []candidates.Group{{Resources: map[string]int64{"VCPU": 1}}}})
	if err != nil || len(cands) != 1 || cands[0].Allocations[rp3]["VCPU"] != 1 {
		t.Fatalf("candidates after inventory change: %+v %v", cands, err)
	}
}

// TestSnapshotFollowsChanges checks that a store's candidate snapshot,
// refreshed step by step while another store (another process) writes,
// always equals what a fresh store loads.
func TestSnapshotFollowsChanges(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	writer, err := placement.New(ctx, placement.Config{}, plstore.New(d))
	if err != nil {
		t.Fatal(err)
	}
	reader := plstore.New(d)
	id := func(i int) string { return fmt.Sprintf("00000000-0000-0000-0000-%012d", i) }
	check := func(step string) {
		t.Helper()
		got, err := reader.CandidateProviders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want, err := plstore.New(d).CandidateProviders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.States(), got.States()); diff != "" {
			t.Fatalf("%s: snapshot differs (-fresh +cached):\n%s", step, diff)
		}
	}
	for i := range 6 {
		if _, err := writer.CreateProvider(ctx, id(i), fmt.Sprintf("h%d", i), ""); err != nil {
			t.Fatal(err)
		}
		if _, err := writer.SetInventories(ctx, id(i), 0, []placement.Inventory{{ResourceClass: "VCPU", Total: 8}}, true); err != nil {
			t.Fatal(err)
		}
	}
	check("created")
	check("unchanged")
	alloc := func(cons string, rp int, n int64) {
		t.Helper()
		if err := writer.WriteAllocations(ctx, []placement.ConsumerAllocations{{
			Consumer:    placement.Consumer{UUID: cons, ProjectID: "p", UserID: "u"},
			Allocations: []placement.Allocation{{ProviderUUID: id(rp), ResourceClass: "VCPU", Used: n}},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	alloc(cons1, 2, 3)
	check("one allocation")
	alloc(cons2, 4, 1)
	if _, err := writer.SetProviderTraits(ctx, id(5), 1, []string{"HW_CPU_X86_AVX"}); err != nil {
		t.Fatal(err)
	}
	check("allocation and traits")
	if err := writer.DeleteAllocations(ctx, cons1); err != nil {
		t.Fatal(err)
	}
	if err := writer.DeleteProvider(ctx, id(0)); err != nil {
		t.Fatal(err)
	}
	check("provider deleted")
	if _, err := writer.CreateProvider(ctx, id(9), "h9", id(3)); err != nil {
		t.Fatal(err)
	}
	check("child created")
	if _, err := writer.UpdateProvider(ctx, id(9), "h9", id(4), true); err != nil {
		t.Fatal(err)
	}
	check("child moved to another tree")
	if _, err := writer.SetProviderAggregates(ctx, id(4), -1, []string{"11111111-1111-1111-1111-111111111111"}); err != nil {
		t.Fatal(err)
	}
	check("aggregates")
	st := writer.Store()
	if err := st.CreateCustomClass(ctx, "CUSTOM_A"); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.SetInventories(ctx, id(1), 1, []placement.Inventory{{ResourceClass: "CUSTOM_A", Total: 4}}, true); err != nil {
		t.Fatal(err)
	}
	check("custom class inventory")
	if err := st.RenameCustomClass(ctx, "CUSTOM_A", "CUSTOM_B"); err != nil {
		t.Fatal(err)
	}
	check("custom class renamed")
	for i := 10; i < 20; i++ {
		if _, err := writer.CreateProvider(ctx, id(i), fmt.Sprintf("h%d", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := 10; i < 20; i += 2 {
		if err := writer.DeleteProvider(ctx, id(i)); err != nil {
			t.Fatal(err)
		}
	}
	check("many created and deleted")
}

// TestAllocationWritesAndGenerations pins how a consumer's removal moves
// its providers' generations, and the project and user a consumer
// written without them gets, as Placement's allocations.yaml and
// ensure-consumer.yaml expect.
func TestAllocationWritesAndGenerations(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		project, user         string
		remove                func(svc *placement.Service, ctx context.Context) error
		wantGen               int64 // the provider's generation after the removal
		wantProject, wantUser string
	}{
		{
			name: "delete keeps the generation", project: "p", user: "u", wantGen: 2, wantProject: "p", wantUser: "u",
			remove: func(svc *placement.Service, ctx context.Context) error { return svc.DeleteAllocations(ctx, cons1) },
		},
		{
			name: "writing no allocations moves it", project: "p", user: "u", wantGen: 3, wantProject: "p", wantUser: "u",
			remove: func(svc *placement.Service, ctx context.Context) error {
				return svc.WriteAllocations(ctx, []placement.ConsumerAllocations{{Consumer: placement.Consumer{UUID: cons1, ProjectID: "p", UserID: "u"}}})
			},
		},
		{
			name: "no project or user before 1.8", wantGen: 2, wantProject: placement.IncompleteConsumerID, wantUser: placement.IncompleteConsumerID,
			remove: func(svc *placement.Service, ctx context.Context) error { return svc.DeleteAllocations(ctx, cons1) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			svc := newService(t)
			if _, err := svc.CreateProvider(ctx, rp1, "node1", ""); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SetInventories(ctx, rp1, 0, []placement.Inventory{{ResourceClass: "VCPU", Total: 4, AllocationRatio: 1}}, true); err != nil {
				t.Fatal(err)
			}
			if err := svc.WriteAllocations(ctx, []placement.ConsumerAllocations{{
				Consumer:    placement.Consumer{UUID: cons1, ProjectID: tc.project, UserID: tc.user},
				Allocations: []placement.Allocation{{ProviderUUID: rp1, ResourceClass: "VCPU", Used: 1}},
			}}); err != nil {
				t.Fatal(err)
			}
			c, _, err := svc.Consumer(ctx, cons1)
			if err != nil || c.ProjectID != tc.wantProject || c.UserID != tc.wantUser {
				t.Fatalf("consumer = %+v, %v; want project %s user %s", c, err, tc.wantProject, tc.wantUser)
			}
			if err := tc.remove(svc, ctx); err != nil {
				t.Fatal(err)
			}
			if _, gen, err := svc.Inventories(ctx, rp1); err != nil || gen != tc.wantGen {
				t.Fatalf("generation = %d, %v; want %d", gen, err, tc.wantGen)
			}
			if u, _, _ := svc.ProviderUsages(ctx, rp1); u["VCPU"] != 0 {
				t.Fatalf("usage after removal = %v", u)
			}
			if err := svc.DeleteAllocations(ctx, cons1); !apierr.IsNotFound(err) {
				t.Fatalf("second delete = %v, want 404", err)
			}
		})
	}
}
