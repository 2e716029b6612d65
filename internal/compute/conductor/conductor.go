package conductor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/scheduler"
	"github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

var (
	_ compute.Conductor     = (*Conductor)(nil)
	_ hostrpc.ReportHandler = (*Conductor)(nil)
	_ Scheduler             = (*scheduler.Scheduler)(nil)
	_ Placement             = (*client.Client)(nil)
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
	Log    *slog.Logger
	Now    func() time.Time

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
}

// Conductor builds instances and runs server actions in the background.
// It is safe for concurrent use; Close stops it.
type Conductor struct {
	cfg   Config
	store compute.Store
	log   *slog.Logger
	now   func() time.Time

	ctx    context.Context // the conductor's lifetime
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	cond    *sync.Cond // signals queue changes and idleness
	closed  bool
	queue   []func()             // jobs ready to run
	keys    map[string]*keyQueue // instances with work queued or running
	builds  map[string]func()    // cancels a running build, by instance
	running int                  // jobs being run
	tries   map[string]int       // recovery attempts by instance
	started time.Time            // when this conductor started
	regDone bool                 // control-plane service rows written
	// lastHeal is when Recover last checked Placement; healNext asks the
	// next run to check again (the previous one found work).
	lastHeal time.Time
	healNext bool

	recMu sync.Mutex // one Recover at a time
}

// keyQueue holds the jobs waiting behind the one running for an instance.
type keyQueue struct{ pending []func(context.Context) }

// New returns a conductor and starts its workers.
func New(cfg Config) *Conductor {
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
	ctx, cancel := context.WithCancel(context.Background())
	c := &Conductor{
		cfg: cfg, store: cfg.Store, log: cfg.Log.With("service", "compute-conductor"), now: cfg.Now,
		ctx: ctx, cancel: cancel,
		keys: map[string]*keyQueue{}, builds: map[string]func(){}, tries: map[string]int{},
		started: cfg.Now(),
	}
	c.cond = sync.NewCond(&c.mu)
	for range cfg.Workers {
		c.wg.Add(1)
		go c.worker()
	}
	return c
}

// Close stops the workers; operations in progress are cancelled and
// queued ones dropped. What they leave unfinished, Recover repairs at the
// next start.
func (c *Conductor) Close() error {
	c.mu.Lock()
	c.closed = true
	c.cond.Broadcast()
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
	c.mu.Lock()
	c.queue, c.keys = nil, map[string]*keyQueue{}
	c.cond.Broadcast()
	c.mu.Unlock()
	return nil
}

// Wait blocks until no operation is queued or running, or ctx ends.
func (c *Conductor) Wait(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.queue) > 0 || len(c.keys) > 0 || c.running > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.cond.Wait()
	}
	return nil
}

func (c *Conductor) worker() {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closed {
			c.cond.Wait()
		}
		if c.closed {
			c.mu.Unlock()
			return
		}
		job := c.queue[0]
		c.queue[0] = nil
		c.queue = c.queue[1:]
		c.running++
		c.mu.Unlock()
		job()
		c.mu.Lock()
		c.running--
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

// push queues a job; c.mu is held.
func (c *Conductor) push(job func()) {
	c.queue = append(c.queue, job)
	c.cond.Broadcast()
}

// enqueue runs fn in the background after the work already queued for
// the instance key: one operation at a time per instance.
func (c *Conductor) enqueue(key string, fn func(context.Context)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if q, ok := c.keys[key]; ok {
		q.pending = append(q.pending, fn)
		return
	}
	c.keys[key] = &keyQueue{}
	c.push(func() { c.runKeyed(key, fn) })
}

func (c *Conductor) runKeyed(key string, fn func(context.Context)) {
	c.safely(key, fn)
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.keys[key]
	if q == nil {
		return
	}
	if len(q.pending) == 0 || c.closed {
		delete(c.keys, key)
		c.cond.Broadcast()
		return
	}
	next := q.pending[0]
	q.pending = q.pending[1:]
	c.push(func() { c.runKeyed(key, next) })
}

// safely runs fn, logging a panic instead of crashing the process: the
// instance is left for Recover.
func (c *Conductor) safely(key string, fn func(context.Context)) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("conductor: operation panicked", "instance", key, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	fn(c.ctx)
}

// busy reports whether work for the instance is queued or running here.
func (c *Conductor) busy(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.keys[id]
	return ok
}

// stopping reports whether the conductor is shutting down: an operation
// cut short then must not write a failure, Recover finishes it.
func (c *Conductor) stopping() bool { return c.ctx.Err() != nil }

// dbctx is a context for writing an outcome: it outlives the
// operation's own cancellation (a delete cancelling a build still has to
// clean up) but not the conductor.
func (c *Conductor) dbctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(c.ctx), 30*time.Second)
}

// fault makes an instance fault from err: 404 and 409 for the driver's
// not-found and invalid-state errors, 500 for anything else, as Nova
// records an exception.
func (c *Conductor) fault(err error) *compute.Fault {
	code := 500
	switch {
	case driver.IsNotFound(err):
		code = 404
	case driver.IsInvalidState(err):
		code = 409
	}
	msg := text(err)
	var nvh *scheduler.NoValidHost
	if errors.As(err, &nvh) {
		msg = nvh.Error()
	}
	return &compute.Fault{Code: code, Message: msg, Details: text(err), Created: c.now().UTC()}
}

// text is err as a fault or an action event records it: its text, with
// each *apierr.Error in it written as its public message (and cause)
// without the status its Error method puts first — a fault has its own
// code, and an event its own result.
func text(err error) string {
	e, ok := apierr.As(err)
	if !ok {
		return err.Error()
	}
	msg := e.Message
	if e.Err != nil {
		msg += ": " + text(e.Err)
	}
	return strings.Replace(err.Error(), e.Error(), msg, 1)
}

// place is where selection s puts an instance: its host and node, and
// the host's zone (DefaultAZ for a host in none).
func (c *Conductor) place(s scheduler.Selection) *compute.Place {
	az := s.AZ
	if az == "" {
		az = c.cfg.DefaultAZ
	}
	return &compute.Place{Host: s.Host, Node: s.Node, AZ: az}
}

// hostID is Nova's hostId: sha224(project_id + host), hex.
func hostID(projectID, host string) string {
	if host == "" {
		return ""
	}
	h := sha256.Sum224([]byte(projectID + host))
	return hex.EncodeToString(h[:])
}

// event starts an instance action event and returns the function that
// finishes it with err's outcome. Without a request id there is no
// action to attach it to and nothing is recorded.
func (c *Conductor) event(ctx context.Context, inst *compute.Instance, requestID, name, host string) func(error) {
	if requestID == "" || inst == nil {
		return func(error) {}
	}
	ev := compute.ActionEvent{Event: name, StartTime: c.now().UTC(), Host: host, HostID: hostID(inst.ProjectID, host)}
	if err := c.store.StartEvent(ctx, inst.ID, requestID, ev); err != nil {
		c.log.Warn("conductor: start action event", "instance", inst.ID, "event", name, "err", err)
		return func(error) {}
	}
	id := inst.ID
	return func(opErr error) {
		ctx, cancel := c.dbctx()
		defer cancel()
		t := c.now().UTC()
		ev.FinishTime = &t
		ev.Result = "Success"
		if opErr != nil {
			ev.Result = "Error"
			ev.Traceback = text(opErr)
			ev.Details = text(opErr)
		}
		if err := c.store.FinishEvent(ctx, id, requestID, ev); err != nil {
			c.log.Warn("conductor: finish action event", "instance", id, "event", name, "err", err)
		}
	}
}

// host returns the agent of a compute host.
func (c *Conductor) host(name string) (hostrpc.Host, error) {
	if name == "" {
		return nil, apierr.Unavailable("The instance has no host.")
	}
	if c.cfg.Dial == nil {
		return nil, apierr.Unavailable("No compute host is reachable.")
	}
	h := c.cfg.Dial(name)
	if h == nil {
		return nil, apierr.Unavailable("Compute host %s is not reachable.", name)
	}
	return h, nil
}
