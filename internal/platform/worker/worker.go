// Package worker runs a process's background workers — periodic
// reconcilers, heartbeats, event loops — started in one place and stopped
// by one context.
//
//	g := worker.NewGroup(log)
//	g.Add("heartbeat", 10*time.Second, hb.Beat)       // now, then every 10 s
//	g.Add("events", 0, consumer.Run)                   // runs until ctx ends
//	g.Start(ctx)
//	…
//	cancel(); g.Wait()
//
// A periodic worker runs at once and then interval after each run ends, so
// runs of one worker never overlap. Errors and panics are logged with the
// worker's name and do not stop the worker: the next run may succeed.
//
// A cluster-wide worker (AddOnce) runs once per period across every
// process whose Group shares a lease store (WithLeases): see once.go. In a
// Group without one it is an ordinary periodic worker.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Func is a worker's body. It should return soon after ctx ends.
type Func func(ctx context.Context) error

// Restart backoff bounds for long-running (interval 0) workers.
const (
	minBackoff = time.Second
	maxBackoff = time.Minute
)

type entry struct {
	name     string
	interval time.Duration
	fn       Func
	// once marks a cluster-wide worker (AddOnce).
	once bool
}

// Group is a set of named workers. Add them, Start the group, cancel its
// context to stop them and Wait for them to return.
type Group struct {
	log    *slog.Logger
	leases Leases // nil: every worker runs in this process

	mu      sync.Mutex
	entries []entry
	ctx     context.Context // set by Start
	wg      sync.WaitGroup
}

// Option configures a Group.
type Option func(*Group)

// NewGroup returns an empty group logging to log (slog.Default when nil).
func NewGroup(log *slog.Logger, opts ...Option) *Group {
	if log == nil {
		log = slog.Default()
	}
	g := &Group{log: log}
	for _, o := range opts {
		o(g)
	}
	return g
}

// Add registers a worker. With interval > 0, fn runs at once and then
// interval after each run ends. With interval 0, fn is long-running: it
// runs once, and if it returns an error (or panics) before the group's
// context ends it is restarted after a backoff of 1 s doubling up to 1 min.
// Adding to a started group starts the worker at once.
func (g *Group) Add(name string, interval time.Duration, fn Func) {
	if interval < 0 {
		panic(fmt.Sprintf("worker %s: negative interval %s", name, interval))
	}
	g.add(entry{name: name, interval: interval, fn: fn})
}

func (g *Group) add(e entry) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.entries = append(g.entries, e)
	if g.ctx != nil {
		g.launch(g.ctx, e)
	}
}

// Names lists the registered workers in the order added.
func (g *Group) Names() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, len(g.entries))
	for i, e := range g.entries {
		out[i] = e.name
	}
	return out
}

// Start starts every worker; they stop when ctx ends. Start may be called
// once.
func (g *Group) Start(ctx context.Context) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ctx != nil {
		panic("worker: group started twice")
	}
	g.ctx = ctx
	for _, e := range g.entries {
		g.launch(ctx, e)
	}
}

// Wait waits until every started worker has returned.
func (g *Group) Wait() { g.wg.Wait() }

// Run starts the group and waits until ctx ends and every worker returned.
func (g *Group) Run(ctx context.Context) {
	g.Start(ctx)
	g.Wait()
}

func (g *Group) launch(ctx context.Context, e entry) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if e.once && g.leases != nil {
			g.clusterOnce(ctx, e)
		} else if e.interval > 0 {
			g.periodic(ctx, e)
		} else {
			g.longRunning(ctx, e)
		}
	}()
}

func (g *Group) periodic(ctx context.Context, e entry) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		g.runOnce(ctx, e)
		t.Reset(e.interval)
	}
}

func (g *Group) longRunning(ctx context.Context, e entry) {
	backoff := minBackoff
	for {
		if err := g.runOnce(ctx, e); err == nil || ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// runOnce runs fn, turning a panic into an error, and logs the error
// unless it is just the context ending.
func (g *Group) runOnce(ctx context.Context, e entry) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
			g.log.Error("worker panicked", "worker", e.name, "panic", p, "stack", string(debug.Stack()))
			return
		}
		if err != nil && !(ctx.Err() != nil && errors.Is(err, ctx.Err())) {
			g.log.Error("worker failed", "worker", e.name, "err", err)
		}
	}()
	return e.fn(ctx)
}
