package lease

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

func open(t *testing.T, n int) []*Store {
	t.Helper()
	d := dbtest.Open(t)
	if err := Migrate(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	out := make([]*Store, n)
	for i := range out {
		out[i] = New(d)
	}
	return out
}

func mustAcquire(t *testing.T, s *Store, name string, ttl time.Duration) Grant {
	t.Helper()
	g, err := s.Acquire(context.Background(), name, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestAcquireRenewReleaseAndFence(t *testing.T) {
	ctx := context.Background()
	s := open(t, 2)
	a, b := s[0], s[1]
	if a.Holder() == b.Holder() {
		t.Fatalf("two stores share holder id %s", a.Holder())
	}
	if _, err := a.Get(ctx, "x"); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("Get of a lease never taken: %v, want ErrNoRows", err)
	}

	g := mustAcquire(t, a, "x", time.Minute)
	if !g.Held || g.Fence != 1 || g.Ran {
		t.Fatalf("first acquire = %+v, want held, fence 1, never ran", g)
	}
	g = mustAcquire(t, b, "x", time.Minute)
	if g.Held || g.Holder != a.Holder() || g.Fence != 1 {
		t.Fatalf("contender's acquire = %+v, want not held, holder %s", g, a.Holder())
	}
	g = mustAcquire(t, a, "x", time.Minute)
	if !g.Held || g.Fence != 1 {
		t.Fatalf("renewal = %+v, want held with fence 1 kept", g)
	}
	// Another name is another lease.
	if g := mustAcquire(t, b, "y", time.Minute); !g.Held || g.Fence != 1 {
		t.Fatalf("b on y = %+v, want held", g)
	}

	if err := b.Release(ctx, "x", 1); !errors.Is(err, ErrLost) {
		t.Fatalf("release by a non-holder: %v, want ErrLost", err)
	}
	if err := a.Release(ctx, "x", 1); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(ctx, "x", 1); !errors.Is(err, ErrLost) {
		t.Fatalf("second release: %v, want ErrLost", err)
	}
	g = mustAcquire(t, b, "x", time.Minute)
	if !g.Held || g.Fence != 2 {
		t.Fatalf("acquire after release = %+v, want held with fence 2", g)
	}
	l, err := a.Get(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	if l.Holder != b.Holder() || l.Host == "" || l.Fence != 2 || l.Left <= 50*time.Second || l.Left > time.Minute {
		t.Fatalf("Get = %+v, want b's term 2 with about a minute left", l)
	}
	// a's term 1 is over: it may neither start a run nor renew.
	if err := a.Started(ctx, "x", 1, time.Minute); !errors.Is(err, ErrLost) {
		t.Fatalf("Started by the old holder: %v, want ErrLost", err)
	}
	if g := mustAcquire(t, a, "x", time.Minute); g.Held {
		t.Fatalf("old holder renewed b's lease: %+v", g)
	}
}

// A lease nobody renews expires on the database's clock, and taking it
// back, even by its last holder, starts a new term.
func TestExpiry(t *testing.T) {
	ctx := context.Background()
	s := open(t, 2)
	a, b := s[0], s[1]
	ttl := 300 * time.Millisecond
	sent := time.Now()
	mustAcquire(t, a, "x", ttl)
	if g := mustAcquire(t, b, "x", ttl); g.Held {
		t.Fatal("b took a live lease")
	}
	var g Grant
	for g = mustAcquire(t, b, "x", ttl); !g.Held; g = mustAcquire(t, b, "x", ttl) {
		if time.Since(sent) > 5*time.Second {
			t.Fatal("the lease did not expire within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The lease cannot have ended before ttl after a sent its Acquire:
	// the guarantee a holder relies on (see the package doc).
	if took := time.Since(sent); took < ttl {
		t.Fatalf("b took the lease %s after a's acquire, before its ttl %s", took, ttl)
	}
	if g.Fence != 2 {
		t.Fatalf("fence after expiry = %d, want 2", g.Fence)
	}
	if err := b.Release(ctx, "x", 2); err != nil {
		t.Fatal(err)
	}
	if g := mustAcquire(t, b, "x", ttl); !g.Held || g.Fence != 3 {
		t.Fatalf("retaking a released lease = %+v, want fence 3", g)
	}
}

func TestRunRecords(t *testing.T) {
	ctx := context.Background()
	s := open(t, 2)
	a, b := s[0], s[1]
	mustAcquire(t, a, "x", time.Minute)
	if err := a.Finished(ctx, "x", 1); !errors.Is(err, ErrLost) {
		t.Fatalf("Finished before any Started: %v, want ErrLost", err)
	}
	if err := a.Started(ctx, "x", 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(ctx, "x", 1); err != nil {
		t.Fatal(err)
	}
	// a stopped during its run: b sees the run interrupted.
	g := mustAcquire(t, b, "x", time.Minute)
	if !g.Held || !g.Ran || !g.Interrupted {
		t.Fatalf("grant after an unfinished run = %+v, want ran, interrupted", g)
	}
	if err := a.Finished(ctx, "x", 1); !errors.Is(err, ErrLost) {
		t.Fatalf("Finished of an old term: %v, want ErrLost", err)
	}
	if err := b.Started(ctx, "x", g.Fence, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := b.Finished(ctx, "x", g.Fence); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	g = mustAcquire(t, b, "x", time.Minute)
	if !g.Ran || g.Interrupted || g.SinceEnd < 40*time.Millisecond || g.SinceEnd > 10*time.Second {
		t.Fatalf("grant after a finished run = %+v, want ran, finished ~50 ms ago", g)
	}
}

// Many contenders at once: exactly one takes the lease.
func TestConcurrentAcquireHasOneWinner(t *testing.T) {
	s := open(t, 8)
	var mu sync.Mutex
	var held []string
	var wg sync.WaitGroup
	for _, st := range s {
		wg.Go(func() {
			g, err := st.Acquire(context.Background(), "x", time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if g.Held {
				mu.Lock()
				held = append(held, st.Holder())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(held) != 1 {
		t.Fatalf("holders = %v, want exactly one", held)
	}
}
