package claim_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/claim"
	cstore "github.com/gostack/gostack/internal/compute/store"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/lease"
)

func TestLoadID(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "compute", "conductor-id")
	a, err := claim.LoadID(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := claim.LoadID(path)
	if err != nil {
		t.Fatal(err)
	}
	other, err := claim.LoadID(filepath.Join(t.TempDir(), "conductor-id"))
	if err != nil {
		t.Fatal(err)
	}
	if a != again || a == other || len(a) != 32 || strings.Contains(a, "/") {
		t.Fatalf("ids %q %q %q", a, again, other)
	}
}

type cloud struct {
	t     *testing.T
	db    *db.DB
	store *cstore.Store
}

func newCloud(t *testing.T) *cloud {
	d := dbtest.Open(t)
	s := cstore.New(d)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &cloud{t: t, db: d, store: s}
}

// process is a conductor process with conductor id id.
func (c *cloud) process(id string, ttl time.Duration) (*claim.Claims, *lease.Store) {
	c.t.Helper()
	leases, err := lease.Open(context.Background(), c.db)
	if err != nil {
		c.t.Fatal(err)
	}
	cl, err := claim.New(context.Background(), claim.Config{Store: c.store, Leases: leases, ID: id, TTL: ttl, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		c.t.Fatal(err)
	}
	return cl, leases
}

func (c *cloud) owners() string {
	c.t.Helper()
	claims, err := c.store.Claims(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	var out []string
	for _, cl := range claims {
		out = append(out, cl.InstanceID+"="+strings.Split(cl.Owner, "/")[0])
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestTakeAndSweep(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	me, _ := c.process("me", time.Minute)
	earlier, _ := c.process("me", time.Minute) // this data dir's previous process
	live, _ := c.process("live", time.Minute)
	dead, _ := c.process("dead", time.Minute)
	if err := dead.Close(); err != nil { // released: expired at once
		t.Fatal(err)
	}
	// Unfinished: u-*; settled: s-*.
	me.Hold("u-mine", "s-mine", "s-mine-busy")
	earlier.Hold("u-earlier", "s-earlier")
	live.Hold("u-live", "s-live")
	dead.Hold("u-dead", "s-dead")

	v, err := me.View(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inst := func(id string) *compute.Instance { return &compute.Instance{ID: id} }
	for _, tc := range []struct {
		id    string
		stale bool
		want  bool
	}{
		{"u-mine", false, false},   // mine, recent: its work may have just ended
		{"u-none", false, false},   // unclaimed, recent: maybe just accepted
		{"u-live", true, false},    // a live conductor's, however old
		{"u-earlier", false, true}, // this data dir's earlier process: at once
		{"u-dead", false, true},    // a dead conductor's: at once
		{"u-none2", true, true},    // unclaimed and old
	} {
		if got := v.Take(ctx, inst(tc.id), tc.stale); got != tc.want {
			t.Errorf("Take(%s, stale %v) = %v, want %v", tc.id, tc.stale, got, tc.want)
		}
	}
	// A second look at the same claims (another survivor's) takes nothing.
	if v.Take(ctx, inst("u-dead"), true) || v.Take(ctx, inst("u-earlier"), true) {
		t.Error("a claim taken twice")
	}

	unfinished := map[string]bool{}
	for _, id := range []string{"u-mine", "u-none", "u-live", "u-earlier", "u-dead", "u-none2"} {
		unfinished[id] = true
	}
	v, err = me.View(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v.Sweep(ctx, unfinished, func(id string) bool { return id == "s-mine-busy" })
	want := "s-live=live s-mine-busy=me u-dead=me u-earlier=me u-live=live u-mine=me u-none2=me"
	if got := c.owners(); got != want {
		t.Errorf("after sweep\n got %s\nwant %s", got, want)
	}
}

// A conductor whose lease lapses is dead to the others until it renews.
func TestLiveness(t *testing.T) {
	ctx := context.Background()
	c := newCloud(t)
	me, _ := c.process("me", time.Minute)
	other, leases := c.process("other", 200*time.Millisecond)
	other.Hold("i1")
	v, _ := me.View(ctx)
	if v.Take(ctx, &compute.Instance{ID: "i1"}, true) {
		t.Fatal("a live conductor's claim taken")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, err := leases.Get(ctx, "compute-conductor/"+other.Owner())
		if err != nil {
			t.Fatal(err)
		}
		if l.Left <= 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("lease never expired")
		}
		time.Sleep(10 * time.Millisecond)
	}
	v, _ = me.View(ctx)
	if !v.Take(ctx, &compute.Instance{ID: "i1"}, false) {
		t.Fatal("a dead conductor's claim not taken")
	}
	if got := c.owners(); got != "i1=me" {
		t.Fatalf("claims %s", got)
	}
}

// A nil Claims (a conductor alone) does nothing.
func TestNil(t *testing.T) {
	var c *claim.Claims
	c.Hold("x")
	v, err := c.View(context.Background())
	if v != nil || err != nil {
		t.Fatal(v, err)
	}
	v.Sweep(context.Background(), nil, nil)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}
