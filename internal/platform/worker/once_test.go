package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gostack/gostack/internal/platform/db/dbtest"
	"github.com/gostack/gostack/internal/platform/lease"
	"github.com/gostack/gostack/internal/platform/logtest"
)

// These tests run two Groups — two replicas — on one database, SQLite or
// PostgreSQL (GOSTACK_TEST_POSTGRES), in real time: the leases expire on
// the database's clock, which synctest cannot fake.

// crashable is a replica's lease store that can die: after crash every
// call fails, so the replica neither renews nor releases its lease, as
// a process killed with -9.
type crashable struct {
	Leases
	dead atomic.Bool
}

var errDead = errors.New("replica is dead")

func (c *crashable) Acquire(ctx context.Context, name string, ttl time.Duration) (lease.Grant, error) {
	if c.dead.Load() {
		return lease.Grant{}, errDead
	}
	return c.Leases.Acquire(ctx, name, ttl)
}

func (c *crashable) Started(ctx context.Context, name string, fence int64, ttl time.Duration) error {
	if c.dead.Load() {
		return errDead
	}
	return c.Leases.Started(ctx, name, fence, ttl)
}

func (c *crashable) Finished(ctx context.Context, name string, fence int64) error {
	if c.dead.Load() {
		return errDead
	}
	return c.Leases.Finished(ctx, name, fence)
}

func (c *crashable) Release(ctx context.Context, name string, fence int64) error {
	if c.dead.Load() {
		return errDead
	}
	return c.Leases.Release(ctx, name, fence)
}

// run is one run of the cluster-wide worker: which replica, when.
type run struct {
	replica int
	at      time.Time
}

// cluster is n replicas of a cluster-wide worker named "sweep".
type cluster struct {
	t        *testing.T
	store    *lease.Store // for reading the lease row
	replicas []*replica
	mu       sync.Mutex
	runs     []run
}

type replica struct {
	g      *Group
	leases *crashable
	cancel context.CancelFunc
}

// newCluster starts n replicas whose worker body is body (nil: record
// the run and return).
func newCluster(t *testing.T, n int, interval time.Duration, body func(ctx context.Context, i int) error) *cluster {
	t.Helper()
	d := dbtest.Open(t)
	st, err := lease.Open(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, store: st}
	for i := range n {
		r := &replica{leases: &crashable{Leases: lease.New(d)}}
		lb := &logtest.Buffer{}
		r.g = NewGroup(slog.New(slog.NewTextHandler(lb, nil)), WithLeases(r.leases))
		r.g.AddOnce("sweep", interval, func(ctx context.Context) error {
			if _, ok := Fence(ctx); !ok {
				t.Error("a cluster-wide run's context has no fence")
			}
			c.mu.Lock()
			c.runs = append(c.runs, run{i, time.Now()})
			c.mu.Unlock()
			if body != nil {
				return body(ctx, i)
			}
			return nil
		})
		c.replicas = append(c.replicas, r)
		t.Cleanup(func() {
			r.cancel()
			r.g.Wait()
			if t.Failed() {
				t.Logf("replica %d log:\n%s", i, lb.String())
			}
		})
	}
	for _, r := range c.replicas {
		ctx, cancel := context.WithCancel(context.Background())
		r.cancel = cancel
		r.g.Start(ctx)
	}
	return c
}

func (c *cluster) snapshot() []run {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]run(nil), c.runs...)
}

// waitRuns waits until ok holds of the runs, for at most d.
func (c *cluster) waitRuns(d time.Duration, what string, ok func([]run) bool) []run {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for {
		runs := c.snapshot()
		if ok(runs) {
			return runs
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: not within %s; runs: %v", what, d, runs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkGaps fails unless consecutive runs are at least min apart (never
// twice in one period) and at most max (every period).
func checkGaps(t *testing.T, runs []run, minGap, maxGap time.Duration) {
	t.Helper()
	for k := 1; k < len(runs); k++ {
		if gap := runs[k].at.Sub(runs[k-1].at); gap < minGap || gap > maxGap {
			t.Errorf("run %d (replica %d) came %s after run %d (replica %d); want %s..%s",
				k, runs[k].replica, gap, k-1, runs[k-1].replica, minGap, maxGap)
		}
	}
}

// Two replicas: over N periods the worker ran N (+1) times in total, not
// 2N, once in each period.
func TestOnceAcrossReplicasRunsOncePerPeriod(t *testing.T) {
	const interval, periods = 400 * time.Millisecond, 8
	c := newCluster(t, 2, interval, nil)
	start := time.Now()
	time.Sleep(periods*interval + interval/2)
	for _, r := range c.replicas {
		r.cancel()
		r.g.Wait()
	}
	runs := c.snapshot()
	elapsed := time.Since(start)
	if n := len(runs); n < periods || n > periods+1 {
		t.Fatalf("%d runs in %s (%d periods of %s) across 2 replicas, want %d or %d",
			n, elapsed.Round(time.Millisecond), periods, interval, periods, periods+1)
	}
	checkGaps(t, runs, interval, interval+interval/2)
	for _, r := range runs {
		if r.replica != runs[0].replica {
			t.Errorf("the lease changed hands without a failure: runs %v", runs)
			break
		}
	}
}

// The holder dies (no renewal, no release) right after a run: the other
// replica takes the lease and runs when that run's period ends — neither
// earlier (twice in a period) nor a period later.
func TestOnceHolderCrashHandsOverWithinPeriod(t *testing.T) {
	const interval = 600 * time.Millisecond
	c := newCluster(t, 2, interval, nil)
	first := c.waitRuns(5*time.Second, "first run", func(r []run) bool { return len(r) >= 1 })[0]
	dead := c.replicas[first.replica]
	dead.leases.dead.Store(true)
	dead.cancel()
	crashed := time.Now()
	runs := c.waitRuns(interval+time.Second, "hand-over",
		func(r []run) bool { return len(r) >= 2 && r[len(r)-1].replica != first.replica })
	next := runs[len(runs)-1]
	if took := next.at.Sub(crashed); took > interval+200*time.Millisecond {
		t.Errorf("the survivor ran %s after the crash; want within one interval (%s) and a little", took, interval)
	}
	checkGaps(t, runs, interval-50*time.Millisecond, interval+300*time.Millisecond)
	// The dead replica ran nothing after its crash.
	for _, r := range runs[1:] {
		if r.replica == first.replica && r.at.After(crashed) {
			t.Errorf("the dead replica ran at %s", r.at.Sub(crashed))
		}
	}
}

// The holder dies during a run: its run never finished, so the survivor
// runs again as soon as the dead holder's lease expires.
func TestOnceHolderCrashMidRunRerunsAtOnce(t *testing.T) {
	const interval = 900 * time.Millisecond
	ttl, tick := leaseTimes(interval)
	started := make(chan int, 4)
	c := newCluster(t, 2, interval, func(ctx context.Context, i int) error {
		started <- i
		<-ctx.Done() // a long run; the crash cuts it short
		return ctx.Err()
	})
	holder := <-started
	dead := c.replicas[holder]
	dead.leases.dead.Store(true)
	dead.cancel()
	crashed := time.Now()
	select {
	case i := <-started:
		if i == holder {
			t.Fatalf("the dead replica ran again")
		}
		// The lease was renewed at most a tick before the crash, so it
		// expires within ttl, and the survivor asks every tick.
		if took := time.Since(crashed); took > ttl+tick+200*time.Millisecond {
			t.Errorf("rerun %s after the crash, want within ttl+tick (%s)", took, ttl+tick)
		}
	case <-time.After(interval + time.Second):
		t.Fatal("the survivor did not rerun the interrupted run")
	}
}

// A replica stopped cleanly releases its lease at once: the other takes
// it at its next poll, long before the lease would have expired.
func TestOnceCleanStopReleases(t *testing.T) {
	const interval = 6 * time.Second
	ttl, tick := leaseTimes(interval)
	c := newCluster(t, 2, interval, nil)
	first := c.waitRuns(5*time.Second, "first run", func(r []run) bool { return len(r) >= 1 })[0]
	l, err := c.store.Get(context.Background(), "worker/sweep")
	if err != nil {
		t.Fatal(err)
	}
	r := c.replicas[first.replica]
	r.cancel()
	r.g.Wait()
	stopped := time.Now()
	for {
		got, err := c.store.Get(context.Background(), "worker/sweep")
		if err != nil {
			t.Fatal(err)
		}
		if got.Holder != l.Holder && got.Left > 0 {
			if got.Fence != l.Fence+1 {
				t.Errorf("fence after hand-over = %d, want %d", got.Fence, l.Fence+1)
			}
			break
		}
		// Without the release the lease would last until ttl after its
		// last renewal, which was at most a tick before the stop.
		if time.Since(stopped) > ttl-tick {
			t.Fatalf("the other replica had not taken the lease %s after a clean stop (ttl %s): %+v", time.Since(stopped), ttl, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// It keeps the period of the released holder's run rather than
	// running again at once.
	if runs := c.snapshot(); len(runs) != 1 {
		t.Errorf("runs = %v, want only the first before its period ends", runs)
	}
}

// Without a lease store, AddOnce is a periodic worker of this process.
func TestAddOnceWithoutLeasesIsAdd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, _ := newGroup()
		var runs []time.Duration
		start := time.Now()
		g.AddOnce("sweep", 10*time.Second, func(ctx context.Context) error {
			if _, ok := Fence(ctx); ok {
				return fmt.Errorf("a fence without a lease store")
			}
			runs = append(runs, time.Since(start))
			return nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		g.Start(ctx)
		time.Sleep(25 * time.Second)
		cancel()
		g.Wait()
		if len(runs) != 3 || runs[2] != 20*time.Second {
			t.Errorf("runs at %v, want 0s 10s 20s", runs)
		}
	})
}

func TestLeaseTimes(t *testing.T) {
	for _, tt := range []struct{ interval, ttl time.Duration }{
		{100 * time.Millisecond, minTTL},
		{10 * time.Second, 5 * time.Second},
		{time.Hour, maxTTL},
	} {
		ttl, tick := leaseTimes(tt.interval)
		if ttl != tt.ttl || tick != ttl/3 {
			t.Errorf("leaseTimes(%s) = %s, %s; want %s, %s", tt.interval, ttl, tick, tt.ttl, tt.ttl/3)
		}
		// A dead holder's lease is taken before its next run is due.
		if tt.interval >= 3*minTTL && ttl+tick > tt.interval {
			t.Errorf("interval %s: hand-over bound %s exceeds it", tt.interval, ttl+tick)
		}
	}
}
