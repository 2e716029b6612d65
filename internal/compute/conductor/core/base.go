// Package core is what every operation of the conductor stands on: its
// configuration, the worker pool that runs one operation at a time per
// instance, the hosts' agents (with the wait for one that does not
// answer yet), how an operation records its events, fault and outcome
// (through compute.Step and compute.Finish), and the Placement and
// migration bookkeeping the builds, actions, moves and recovery share.
//
//	conductor (actions, recovery) ─┬─► build (schedule, spawn)
//	                               ├─► move (resize, migrations, evacuate)
//	                               ├─► reports (nodes, power sync)
//	                               └─► heal (Placement against instances)
//	                                     all on core.Base
package core

import (
	"context"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/claim"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/scheduler"
	"github.com/gostack/gostack/internal/placement/client"
)

var (
	_ Scheduler = (*scheduler.Scheduler)(nil)
	_ Placement = (*client.Client)(nil)
)

// Scheduler chooses hosts and claims their resources
// (*scheduler.Scheduler implements it).
type Scheduler interface {
	// Select picks a host for spec and claims spec.InstanceID's allocation
	// on it; alternates are not claimed.
	Select(ctx context.Context, spec scheduler.RequestSpec) (scheduler.Selection, []scheduler.Selection, error)
	// Claim claims alt for consumer.
	Claim(ctx context.Context, consumer, projectID, userID string, alt scheduler.Selection) error
}

// Placement is what the conductor asks of Placement besides what the
// scheduler does: reading, moving and freeing allocations
// (*client.Client implements it).
type Placement interface {
	Allocations(ctx context.Context, consumer string) (*client.Allocations, error)
	PutAllocations(ctx context.Context, consumer string, a client.Allocations) error
	PostAllocations(ctx context.Context, byConsumer map[string]client.Allocations) error
	DeleteAllocations(ctx context.Context, consumer string) error
	ProviderAllocations(ctx context.Context, uuid string) (map[string]map[string]int64, int64, error)
}

// Config is the conductor's configuration. Store, Scheduler, Placement
// and Dial are required; zero values of the others mean the defaults.
type Config struct {
	Store     compute.Store
	Scheduler Scheduler
	Placement Placement
	// Dial returns the agent of a compute host.
	Dial func(host string) hostrpc.Host
	// Images is the image service (snapshots, backups, shelve); nil makes
	// those operations fail with a fault.
	Images compute.Images
	// Network is the networking service: ports made and bound for a
	// build, released by a delete; nil builds servers without ports.
	Network Network
	// Volumes is the block-storage service: the volumes of a build, an
	// attach, a detach and a delete; nil serves servers without volumes.
	Volumes compute.Volumes
	Log     *slog.Logger
	Now     func() time.Time

	// HostName is this control plane's host, for the nova-conductor and
	// nova-scheduler service rows.
	HostName string
	// DefaultAZ is the zone of hosts in no zone ("nova").
	DefaultAZ string
	// NoVNCBase is the noVNC proxy's vnc_lite.html URL; "" makes VNC
	// consoles unavailable.
	NoVNCBase string
	// ConsoleToken registers a console for the noVNC proxy and returns
	// its token; nil makes a random token the proxy cannot resolve.
	ConsoleToken func(ctx context.Context, inst *compute.Instance, vnc driver.VNCConsole) (string, error)

	// Workers bounds the operations running at once (32).
	Workers int
	// MaxAttempts is how many hosts a build tries (Nova's
	// scheduler.max_attempts, 3).
	MaxAttempts int
	// NoSameHostResize refuses the source host as a resize destination
	// (Nova's allow_resize_to_same_host false); by default a one-host
	// cloud can resize.
	NoSameHostResize bool
	// ShelvedOffloadTime is how long a shelved instance keeps its host
	// before it is offloaded: 0 offloads at once (Nova's default), a
	// negative value never.
	ShelvedOffloadTime time.Duration
	// ShutdownTimeout is how long a clean stop waits for the guest (60 s).
	ShutdownTimeout time.Duration
	// RecoverGrace is how old an unfinished state must be before Recover
	// takes it over from an operation that may still be starting (10 s).
	RecoverGrace time.Duration

	// Liveness tells which compute hosts' agents beat lately; nil judges
	// hosts only by their reports to this conductor. An operation waits
	// for the agent of a host that is up (see AgentWait), never for one
	// whose heartbeats stopped.
	Liveness compute.Liveness
	// AgentWait bounds how long an operation waits for its host's agent
	// when none answers (60 s, Nova's service_down_time: a host silent
	// that long is down). A delete still waiting then completes without
	// the host, whose guest is destroyed when it reports again.
	AgentWait time.Duration
	// Ready, when not nil, is closed once the compute agents of this
	// process have reported their hosts: Recover re-runs interrupted
	// operations only then (or once AgentWait has passed).
	Ready <-chan struct{}
	// Claims, when set, tells the replicas sharing the database which
	// conductor runs each instance's work: Recover takes over a dead
	// one's, never a live one's (nil: this conductor is alone).
	Claims *claim.Claims
}

func (cfg *Config) defaults() {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultAZ == "" {
		cfg.DefaultAZ = "nova"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 60 * time.Second
	}
	if cfg.RecoverGrace == 0 {
		cfg.RecoverGrace = 10 * time.Second
	}
	if cfg.AgentWait <= 0 {
		cfg.AgentWait = 60 * time.Second
	}
}

// Base runs the conductor's operations in the background, one at a time
// per instance, and holds what they share. It is safe for concurrent
// use; Close stops it.
type Base struct {
	Cfg   Config // with the defaults filled in
	Store compute.Store
	Log   *slog.Logger
	Now   func() time.Time
	// Started is when this conductor started: an unfinished state older
	// than that is nobody's work any more.
	Started time.Time

	ctx    context.Context // the conductor's lifetime
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	cond    *sync.Cond // signals queue changes and idleness
	closed  bool
	queue   []func()             // jobs ready to run
	keys    map[string]*keyQueue // instances with work queued or running
	running int                  // jobs being run
	tries   map[string]int       // recovery attempts by instance

	agents *agents // whether a silent host's agent is expected back
}

// keyQueue holds the jobs waiting behind the one running for an instance.
type keyQueue struct{ pending []func(context.Context) }

// New returns a Base and starts its workers.
func New(cfg Config) *Base {
	cfg.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	b := &Base{
		Cfg: cfg, Store: cfg.Store, Log: cfg.Log.With("service", "compute-conductor"), Now: cfg.Now,
		Started: cfg.Now(), ctx: ctx, cancel: cancel,
		keys: map[string]*keyQueue{}, tries: map[string]int{},
		agents: newAgents(cfg.Liveness, cfg.AgentWait, ctx.Done()),
	}
	b.cond = sync.NewCond(&b.mu)
	for range cfg.Workers {
		b.wg.Add(1)
		go b.worker()
	}
	return b
}

// Close stops the workers; operations in progress are cancelled and
// queued ones dropped. What they leave unfinished, Recover repairs at the
// next start.
func (b *Base) Close() error {
	b.mu.Lock()
	b.closed = true
	b.cond.Broadcast()
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
	b.mu.Lock()
	b.queue, b.keys = nil, map[string]*keyQueue{}
	b.cond.Broadcast()
	b.mu.Unlock()
	return nil
}

// Wait blocks until no operation is queued or running, or ctx ends.
func (b *Base) Wait(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	})
	defer stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.queue) > 0 || len(b.keys) > 0 || b.running > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.cond.Wait()
	}
	return nil
}

func (b *Base) worker() {
	defer b.wg.Done()
	for {
		b.mu.Lock()
		for len(b.queue) == 0 && !b.closed {
			b.cond.Wait()
		}
		if b.closed {
			b.mu.Unlock()
			return
		}
		job := b.queue[0]
		b.queue[0] = nil
		b.queue = b.queue[1:]
		b.running++
		b.mu.Unlock()
		job()
		b.mu.Lock()
		b.running--
		b.cond.Broadcast()
		b.mu.Unlock()
	}
}

// push queues a job; b.mu is held.
func (b *Base) push(job func()) {
	b.queue = append(b.queue, job)
	b.cond.Broadcast()
}

// Enqueue runs fn in the background after the work already queued for
// the instance key: one operation at a time per instance.
func (b *Base) Enqueue(key string, fn func(context.Context)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	if q, ok := b.keys[key]; ok {
		q.pending = append(q.pending, fn)
		return
	}
	b.keys[key] = &keyQueue{}
	b.push(func() { b.runKeyed(key, fn) })
}

func (b *Base) runKeyed(key string, fn func(context.Context)) {
	b.safely(key, fn)
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.keys[key]
	if q == nil {
		return
	}
	if len(q.pending) == 0 || b.closed {
		delete(b.keys, key)
		b.cond.Broadcast()
		return
	}
	next := q.pending[0]
	q.pending = q.pending[1:]
	b.push(func() { b.runKeyed(key, next) })
}

// safely runs fn, logging a panic instead of crashing the process: the
// instance is left for Recover.
func (b *Base) safely(key string, fn func(context.Context)) {
	defer func() {
		if r := recover(); r != nil {
			b.Log.Error("conductor: operation panicked", "instance", key, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	fn(b.ctx)
}

// Busy reports whether work for the instance is queued or running here.
func (b *Base) Busy(id string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.keys[id]
	return ok
}

// Stopping reports whether the conductor is shutting down: an operation
// cut short then must not write a failure, Recover finishes it.
func (b *Base) Stopping() bool { return b.ctx.Err() != nil }

// Done is closed when the conductor stops.
func (b *Base) Done() <-chan struct{} { return b.ctx.Done() }

// DBContext is a context for writing an outcome: it outlives the
// operation's own cancellation (a delete cancelling a build still has to
// clean up) but not the conductor.
func (b *Base) DBContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(b.ctx), 30*time.Second)
}
