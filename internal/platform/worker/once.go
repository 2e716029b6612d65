package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gostack/gostack/internal/platform/lease"
)

// Leases is the cluster-wide lease store that cluster-wide workers
// coordinate through; *lease.Store is the implementation, on the database
// every replica shares. Each process has its own (its holder id).
type Leases interface {
	Acquire(ctx context.Context, name string, ttl time.Duration) (lease.Grant, error)
	Started(ctx context.Context, name string, fence int64, ttl time.Duration) error
	Finished(ctx context.Context, name string, fence int64) error
	Release(ctx context.Context, name string, fence int64) error
}

var _ Leases = (*lease.Store)(nil)

// WithLeases makes the Group's cluster-wide workers (AddOnce) run once
// per period across every process whose Group uses the same lease table.
func WithLeases(l Leases) Option { return func(g *Group) { g.leases = l } }

// Lease timing bounds: a lease lasts half the worker's interval, at most
// maxTTL, and its holder renews it (and a standby asks for it) every
// third of that. A dead holder's lease is thus taken within ttl + ttl/3,
// at most two thirds of the interval, before its next run is due: the
// period is kept across a hand-over. maxTTL bounds the hand-over of
// workers with long intervals and minTTL the load of short ones.
const (
	maxTTL = 15 * time.Second
	minTTL = 150 * time.Millisecond
)

func leaseTimes(interval time.Duration) (ttl, tick time.Duration) {
	ttl = min(max(interval/2, minTTL), maxTTL)
	return ttl, ttl / 3
}

// releaseTimeout bounds the Release a stopping Group sends.
const releaseTimeout = 5 * time.Second

// AddOnce registers a cluster-wide periodic worker: among the processes
// whose Groups share a lease store, the one holding the lease
// "worker/<name>" runs fn at once, then interval after each run ends, and
// keeps the lease while it lives; when it dies another process takes the
// lease within two thirds of an interval (at most 20 s) and runs fn when
// the period that began with the last finished run is over — or at once if
// the dead holder's last run never finished. A Group stopped cleanly
// releases its leases, so another takes over at its next poll. fn's
// context ends if the lease is lost during the run; Fence tells fn its
// term. In a Group without a lease store, AddOnce is Add.
func (g *Group) AddOnce(name string, interval time.Duration, fn Func) {
	if interval <= 0 {
		panic(fmt.Sprintf("worker %s: cluster-wide worker needs a positive interval, not %s", name, interval))
	}
	g.add(entry{name: name, interval: interval, fn: fn, once: true})
}

type fenceKey struct{}

// Fence returns the lease term under which a cluster-wide worker's run
// holds its lease (a counter that grows with every change of holder), for
// work that a stale holder must not do; ok is false outside such a run.
func Fence(ctx context.Context) (fence int64, ok bool) {
	fence, ok = ctx.Value(fenceKey{}).(int64)
	return fence, ok
}

// term is what a process knows of its hold on a worker's lease.
type term struct {
	held     bool
	fence    int64
	deadline time.Time // monotonic: ttl after the last successful Acquire was sent
	due      time.Time // the next run
}

// clusterOnce is a cluster-wide worker's loop in one process: as a
// standby it asks for the lease every tick; as the holder it renews the
// lease every tick and runs e when due.
func (g *Group) clusterOnce(ctx context.Context, e entry) {
	name := "worker/" + e.name
	ttl, tick := leaseTimes(e.interval)
	var t term
	defer func() {
		if !t.held {
			return
		}
		// Stopping cleanly hands the work over now rather than when the
		// lease would expire. The group's context has ended, so the
		// release gets its own, bounded, one.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if err := g.leases.Release(rctx, name, t.fence); err != nil && !errors.Is(err, lease.ErrLost) {
			g.log.Warn("worker lease not released", "worker", e.name, "fence", t.fence, "err", err)
		}
	}()
	failing, first := false, true
	for {
		wait := tick
		if first {
			wait, first = 0, false
		} else if t.held {
			wait = min(tick, time.Until(t.due))
		}
		if !sleep(ctx, wait) {
			return
		}
		if !t.held || time.Now().Before(t.due) {
			sent := time.Now()
			gr, err := g.leases.Acquire(ctx, name, ttl)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				// Log the first failure of a run of them only: a
				// database outage would otherwise log every tick.
				if !failing {
					g.log.Error("worker lease", "worker", e.name, "err", err)
				}
				failing = true
				if t.held && time.Now().After(t.deadline) {
					g.log.Warn("worker lease lapsed", "worker", e.name, "fence", t.fence)
					t.held = false
				}
				continue
			}
			failing = false
			switch {
			case !gr.Held:
				if t.held {
					g.log.Warn("worker lease lost", "worker", e.name, "fence", t.fence, "holder", gr.Holder+"@"+gr.Host)
				}
				t.held = false
				continue
			case !t.held || gr.Fence != t.fence:
				t = term{held: true, fence: gr.Fence, due: sent.Add(firstWait(gr, e.interval))}
				g.log.Info("worker lease taken", "worker", e.name, "fence", gr.Fence, "first_run_in", time.Until(t.due).Round(time.Millisecond))
			}
			t.deadline = sent.Add(ttl)
			if time.Now().Before(t.due) {
				continue
			}
		}
		g.runLeased(ctx, e, name, ttl, tick, &t)
	}
}

// firstWait is how long a new holder waits before its first run: what
// is left of the period after the last finished run, or nothing when no
// run ever finished or the last one was cut short.
func firstWait(gr lease.Grant, interval time.Duration) time.Duration {
	if !gr.Ran || gr.Interrupted {
		return 0
	}
	return max(interval-gr.SinceEnd, 0)
}

// runLeased runs e under the lease term t: it records the start (which
// fails if the term is over), keeps renewing the lease during the run and
// cancels the run if the lease is lost, then records the end.
func (g *Group) runLeased(ctx context.Context, e entry, name string, ttl, tick time.Duration, t *term) {
	sent := time.Now()
	if err := g.leases.Started(ctx, name, t.fence, ttl); err != nil {
		if errors.Is(err, lease.ErrLost) {
			g.log.Warn("worker lease lost", "worker", e.name, "fence", t.fence)
			t.held = false
		} else if ctx.Err() == nil {
			g.log.Error("worker lease", "worker", e.name, "err", err)
			t.due = time.Now().Add(tick) // try again soon
		}
		return
	}
	t.deadline = sent.Add(ttl)
	runCtx, cancel := context.WithCancelCause(context.WithValue(ctx, fenceKey{}, t.fence))
	done := make(chan struct{})
	kept := make(chan bool, 1)
	go func() { kept <- g.keep(ctx, cancel, done, e, name, ttl, tick, t) }()
	err := g.runOnce(runCtx, e)
	close(done)
	stillHeld := <-kept
	cut := err != nil && runCtx.Err() != nil
	cancel(nil)
	t.due = time.Now().Add(e.interval)
	if !stillHeld {
		t.held = false
		return
	}
	if cut {
		// A run that ended with its context is unfinished: no end is
		// recorded, and the next holder runs again at once.
		return
	}
	// A run that ended as the group stops still records its end, lest
	// the next holder repeat it within the period.
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer fcancel()
	if err := g.leases.Finished(fctx, name, t.fence); err != nil {
		if errors.Is(err, lease.ErrLost) {
			g.log.Warn("worker lease lost", "worker", e.name, "fence", t.fence)
			t.held = false
		} else {
			// The next holder will see the run unfinished and run again
			// at once: a repeat, never a missed period.
			g.log.Error("worker lease", "worker", e.name, "err", err)
		}
	}
}

// errLeaseLost is the cause of a run's context ending because its lease
// was lost.
var errLeaseLost = errors.New("worker lease lost during the run")

// keep renews the lease of a running worker every tick until done is
// closed; if the lease is lost, or not renewed before its deadline, it
// cancels the run and reports false. It updates t.deadline; the caller
// reads t only after keep returned.
func (g *Group) keep(ctx context.Context, cancel context.CancelCauseFunc, done <-chan struct{}, e entry, name string, ttl, tick time.Duration, t *term) bool {
	timer := time.NewTimer(min(tick, time.Until(t.deadline)))
	defer timer.Stop()
	for {
		select {
		case <-done:
			return true
		case <-ctx.Done():
			return true // stopping: the release follows
		case <-timer.C:
		}
		if !time.Now().Before(t.deadline) {
			g.log.Warn("worker lease lapsed during a run", "worker", e.name, "fence", t.fence)
			cancel(errLeaseLost)
			return false
		}
		sent := time.Now()
		gr, err := g.leases.Acquire(ctx, name, ttl)
		switch {
		case err != nil:
			// Try again at the next tick, until the deadline.
		case !gr.Held || gr.Fence != t.fence:
			g.log.Warn("worker lease lost during a run", "worker", e.name, "fence", t.fence, "holder", gr.Holder+"@"+gr.Host)
			cancel(errLeaseLost)
			return false
		default:
			t.deadline = sent.Add(ttl)
		}
		timer.Reset(max(min(tick, time.Until(t.deadline)), 0))
	}
}

// sleep waits d or until ctx ends, reporting whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
