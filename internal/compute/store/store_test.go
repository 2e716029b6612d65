package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute"
	cstore "github.com/gostack/gostack/internal/compute/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

func open(t testing.TB) *cstore.Store {
	t.Helper()
	s := cstore.New(dbtest.Open(t))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFlavors(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	now := db.Now()
	f := compute.Flavor{ID: "1", Name: "tiny", RAM: 512, VCPUs: 1, Disk: 1, RXTXFactor: 1, IsPublic: false,
		ExtraSpecs: map[string]string{"a": "b"}, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateFlavor(ctx, &f); err != nil {
		t.Fatal(err)
	}
	dup := f
	dup.Name = "other"
	if err := s.CreateFlavor(ctx, &dup); !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("duplicate id: %v", err)
	}
	dup = f
	dup.ID = "2"
	if err := s.CreateFlavor(ctx, &dup); !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("duplicate name: %v", err)
	}
	got, err := s.GetFlavor(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&f, got); diff != "" {
		t.Errorf("GetFlavor (-want +got):\n%s", diff)
	}
	if err := s.SetExtraSpecs(ctx, "1", map[string]string{"a": "c", "d": "e"}); err != nil {
		t.Fatal(err)
	}
	all, err := s.ListFlavors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || !cmp.Equal(all[0].ExtraSpecs, map[string]string{"a": "c", "d": "e"}) {
		t.Errorf("ListFlavors = %+v", all)
	}
	if err := s.DeleteExtraSpec(ctx, "1", "zz"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("delete missing spec: %v", err)
	}
	if err := s.AddFlavorAccess(ctx, "1", "p1"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddFlavorAccess(ctx, "1", "p1"); !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("duplicate access: %v", err)
	}
	if ids, _ := s.ProjectFlavors(ctx, "p1"); !cmp.Equal(ids, []string{"1"}) {
		t.Errorf("ProjectFlavors = %v", ids)
	}
	if err := s.UpdateFlavorDescription(ctx, "1", "hello"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteFlavor(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.FlavorAccess(ctx, "1"); len(ps) != 0 {
		t.Errorf("access survives its flavor: %v", ps)
	}
	if _, err := s.GetFlavor(ctx, "1"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("deleted flavor: %v", err)
	}
}

func TestKeypairsAndGroups(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	refuse := errors.New("over quota")
	k := compute.Keypair{Name: "k", UserID: "u", Type: "ssh", PublicKey: "pk", Fingerprint: "fp", CreatedAt: db.Now()}
	if err := s.CreateKeypair(ctx, &k, func(_ context.Context, _ db.Querier, n int64) error {
		if n != 0 {
			t.Errorf("count = %d", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	k2 := k
	if err := s.CreateKeypair(ctx, &k2, nil); !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("duplicate keypair: %v", err)
	}
	k2.Name = "k2"
	if err := s.CreateKeypair(ctx, &k2, func(context.Context, db.Querier, int64) error { return refuse }); !errors.Is(err, refuse) {
		t.Errorf("quota refusal: %v", err)
	}
	if n, _ := s.CountKeypairs(ctx, "u"); n != 1 {
		t.Errorf("count after refusal = %d", n)
	}
	got, err := s.GetKeypair(ctx, "u", "k")
	if err != nil || got.ID != k.ID || got.ID == 0 {
		t.Fatalf("GetKeypair = %+v, %v", got, err)
	}
	if err := s.DeleteKeypair(ctx, "u", "k"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteKeypair(ctx, "u", "k"); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("delete again: %v", err)
	}

	g := compute.ServerGroup{ID: "g1", Name: "g", ProjectID: "p", UserID: "u", Policy: "anti-affinity",
		Rules: map[string]int64{"max_server_per_host": 3}, Members: []string{}, CreatedAt: db.Now().Truncate(time.Second)}
	if err := s.CreateServerGroup(ctx, &g, nil); err != nil {
		t.Fatal(err)
	}
	gg, err := s.GetServerGroup(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&g, gg); diff != "" {
		t.Errorf("GetServerGroup (-want +got):\n%s", diff)
	}
	if gs, _ := s.ListServerGroups(ctx, "other"); len(gs) != 0 {
		t.Errorf("other project sees %v", gs)
	}
	if gs, _ := s.ListServerGroups(ctx, ""); len(gs) != 1 {
		t.Errorf("all projects = %v", gs)
	}
	if err := s.DeleteServerGroup(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
}

func TestQuotaTables(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	if err := s.SetUserQuota(ctx, "p", "u", "cores", 4); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserQuota(ctx, "p", "u", "cores", 5); err != nil {
		t.Fatal(err)
	}
	userQuotas := func() map[string]int64 {
		var out map[string]int64
		err := s.InReadTx(ctx, func(ctx context.Context, q db.Querier) error {
			var err error
			out, err = s.UserQuotas(ctx, q, "p", "u")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if q := userQuotas(); !cmp.Equal(q, map[string]int64{"cores": 5}) {
		t.Errorf("UserQuotas = %v", q)
	}
	if err := s.DeleteUserQuotas(ctx, "p", "u"); err != nil {
		t.Fatal(err)
	}
	if q := userQuotas(); len(q) != 0 {
		t.Errorf("after delete = %v", q)
	}
	if err := s.SetClassQuota(ctx, "gold", "ram", -1); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.ClassQuotas(ctx, "gold"); !cmp.Equal(q, map[string]int64{"ram": -1}) {
		t.Errorf("ClassQuotas = %v", q)
	}
}

func TestConcurrentKeypairs(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			k := compute.Keypair{Name: "k" + string(rune('a'+i)), UserID: "u", Type: "ssh", PublicKey: "pk", Fingerprint: "fp", CreatedAt: db.Now()}
			errs <- s.CreateKeypair(ctx, &k, nil)
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n, _ := s.CountKeypairs(ctx, "u"); n != 8 {
		t.Errorf("count = %d, want 8", n)
	}
}
