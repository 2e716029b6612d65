// Package agent is the compute agent (Nova's nova-compute with its
// resource tracker): it runs the hypervisor drivers of one or more hosts,
// registers each host in Placement, tells the conductor about it, and
// serves the conductor's calls over the bus.
//
//	Start ─► per driver: Configure, Start ─► Placement: provider (uuid from the
//	         host name), traits, VCPU/MEMORY_MB/DISK_GB inventories
//	      ─► hostrpc.Serve(compute.host.<host>) ◄── conductor (hostrpc.Dial)
//	      ─► NodeReport to a conductor, retried until one has stored it
//	      ─► loops over all hosts: heartbeat (10 s), power sync (60 s),
//	         inventory refresh (60 s); driver events ─► EventReport
//
// A restarted agent finds its guests again (the drivers keep their
// state) and its first power sync, right after its NodeReport, is the
// whole truth of each host: the conductor destroys the guests of
// instances deleted while the host was away (Nova's reap of running
// deleted instances).
//
// One agent can run many hosts — the fake driver simulates thousands in
// one process — so the periodic work is one goroutine per kind of work
// that walks every host, spreading the hosts evenly over its interval,
// not a goroutine per host. Each host has its own bus subscription, so
// that a call to a host no agent serves fails at once (no responders)
// instead of waiting for its timeout.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/platform/bus"
)

// Placement is what the agent asks of Placement; *client.Client
// satisfies it.
type Placement interface {
	CreateProvider(ctx context.Context, uuid, name, parent string) (*client.Provider, error)
	Inventories(ctx context.Context, uuid string) (map[string]client.Inventory, int64, error)
	SetInventories(ctx context.Context, uuid string, gen int64, invs map[string]client.Inventory) (int64, error)
	Traits(ctx context.Context, uuid string) ([]string, int64, error)
	SetTraits(ctx context.Context, uuid string, gen int64, traits []string) (int64, error)
}

var _ Placement = (*client.Client)(nil)

// Config configures an Agent. Zero durations mean the defaults.
type Config struct {
	Bus *bus.Bus
	// Drivers are the hosts, one driver each, fresh from their New: the
	// agent calls Configure (StateDir = StateDir/<host name>, Events to
	// the conductor) and Start on each, and Close on Close. Host names
	// (driver.HostName) must be unique.
	Drivers   []driver.Driver
	Placement Placement
	// Images receives snapshots; nil makes SnapshotUpload fail with
	// driver.Unsupported.
	Images compute.Images
	// StateDir holds one directory per host: the driver's state and
	// snapshots on their way to the image service. Required.
	StateDir string
	// HostIP is the address reported for every host (Nova's my_ip).
	HostIP string
	Log    *slog.Logger
	// Allocation overrides the drivers' allocation ratios and reserved
	// amounts in what every host reports (zero fields: the driver's).
	Allocation Allocation

	HeartbeatInterval time.Duration // default 10 s (Nova's report_interval)
	PowerSyncInterval time.Duration // default 60 s (sync_power_state_interval)
	InventoryInterval time.Duration // default 60 s (update_resources_interval)
	// Workers bounds the hosts set up at once during Start and the node
	// reports in flight; default 16.
	Workers int
}

func (c *Config) defaults() {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 10 * time.Second
	}
	if c.PowerSyncInterval <= 0 {
		c.PowerSyncInterval = 60 * time.Second
	}
	if c.InventoryInterval <= 0 {
		c.InventoryInterval = 60 * time.Second
	}
	if c.Workers <= 0 {
		c.Workers = 16
	}
}

// Validate reports what is missing from c.
func (c *Config) Validate() error {
	switch {
	case c.Bus == nil:
		return errors.New("compute agent: no bus")
	case c.Placement == nil:
		return errors.New("compute agent: no placement client")
	case len(c.Drivers) == 0:
		return errors.New("compute agent: no drivers")
	case c.StateDir == "":
		return errors.New("compute agent: no state directory")
	}
	return nil
}

// Agent is the compute agent of a set of hosts.
type Agent struct {
	cfg   Config
	log   *slog.Logger
	hosts []*host
	names map[string]*host

	started  atomic.Bool
	ctx      context.Context // of the background work; Close cancels it
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	subs     []*bus.Subscription
	reported chan struct{} // closed once every host's NodeReport is stored
	closing  sync.Once
}

// host is one driver and what the agent knows of it.
type host struct {
	name       string
	drv        driver.Driver
	local      hostrpc.Host
	providerID string
	startedAt  time.Time

	mu  sync.Mutex
	res driver.Resources // as last reported to Placement and the conductor

	reported atomic.Bool // the conductor stored its NodeReport
	up       atomic.Bool // configured and started
}

// New checks cfg and returns an agent; Start starts it.
func New(cfg Config) (*Agent, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.defaults()
	a := &Agent{cfg: cfg, log: cfg.Log.With("service", "compute-agent"), names: make(map[string]*host, len(cfg.Drivers)), reported: make(chan struct{})}
	for _, d := range cfg.Drivers {
		name := d.HostName()
		if name == "" {
			return nil, errors.New("compute agent: a driver has no host name")
		}
		if _, dup := a.names[name]; dup {
			return nil, fmt.Errorf("compute agent: two drivers for host %s", name)
		}
		dir := filepath.Join(cfg.StateDir, name)
		var images hostrpc.Uploader
		if cfg.Images != nil {
			images = cfg.Images
		}
		h := &host{name: name, drv: d, providerID: ProviderID(name),
			local: hostrpc.Local(d, images, filepath.Join(dir, "snapshots"))}
		a.hosts = append(a.hosts, h)
		a.names[name] = h
	}
	return a, nil
}

// Hosts returns the names of the agent's hosts, in the order of the drivers.
func (a *Agent) Hosts() []string {
	out := make([]string, len(a.hosts))
	for i, h := range a.hosts {
		out[i] = h.name
	}
	return out
}

// Start sets every host up — driver, Placement provider and inventories,
// bus service — and starts the background work; it returns an error,
// having undone what it did, when any host fails. The node reports go on
// in the background until a conductor has stored them all (Reported).
// The background work runs until Close; ctx bounds only Start itself.
func (a *Agent) Start(ctx context.Context) error {
	if !a.started.CompareAndSwap(false, true) {
		return errors.New("compute agent: started twice")
	}
	begin := time.Now()
	a.ctx, a.cancel = context.WithCancel(context.WithoutCancel(ctx))
	err := each(ctx, a.cfg.Workers, a.hosts, func(h *host) error { return a.setUp(ctx, h) })
	if err != nil {
		a.Close()
		return err
	}
	for _, h := range a.hosts {
		sub, err := hostrpc.Serve(a.cfg.Bus, h.name, h.local)
		if err != nil {
			a.Close()
			return fmt.Errorf("compute agent: serve host %s: %w", h.name, err)
		}
		a.subs = append(a.subs, sub)
	}
	a.run("node reports", a.reportNodes)
	a.run("heartbeat", a.heartbeats)
	a.run("power sync", a.powerSync)
	a.run("inventory", a.refreshInventories)
	a.log.Info("compute agent started", "hosts", len(a.hosts), "took", time.Since(begin).Round(time.Millisecond))
	return nil
}

// setUp configures and starts h's driver and registers it in Placement.
func (a *Agent) setUp(ctx context.Context, h *host) error {
	err := h.drv.Configure(ctx, driver.Config{
		StateDir: filepath.Join(a.cfg.StateDir, h.name),
		Events:   func(e driver.Event) { a.event(h, e) },
	})
	if err != nil {
		return fmt.Errorf("compute agent: configure host %s: %w", h.name, err)
	}
	if err := h.drv.Start(ctx); err != nil {
		return fmt.Errorf("compute agent: start host %s: %w", h.name, err)
	}
	h.up.Store(true)
	h.startedAt = time.Now().UTC()
	res, err := a.resources(ctx, h)
	if err != nil {
		return fmt.Errorf("compute agent: resources of host %s: %w", h.name, err)
	}
	if err := a.register(ctx, h, res); err != nil {
		return fmt.Errorf("compute agent: register host %s in placement: %w", h.name, err)
	}
	h.mu.Lock()
	h.res = res
	h.mu.Unlock()
	return nil
}

// event forwards a driver event to the conductors. The driver calls it
// synchronously; publishing only queues the message.
func (a *Agent) event(h *host, e driver.Event) {
	ctx := a.ctx
	if ctx == nil {
		return
	}
	if err := hostrpc.PublishEvent(ctx, a.cfg.Bus, hostrpc.EventReport{Host: h.name, Event: e}); err != nil && ctx.Err() == nil {
		a.log.Warn("forwarding driver event failed", "host", h.name, "instance", e.Instance, "err", err)
	}
}

// Reported is closed once a conductor has stored the NodeReport of every
// host.
func (a *Agent) Reported() <-chan struct{} { return a.reported }

// Close stops the agent: its bus services, its background work and its
// drivers. Guests keep running; a new agent on the same StateDir finds
// them again. Calls in flight may fail as their driver closes.
func (a *Agent) Close() error {
	var errs []error
	a.closing.Do(func() {
		for _, s := range a.subs {
			if err := s.Unsubscribe(); err != nil {
				errs = append(errs, err)
			}
		}
		if a.cancel != nil {
			a.cancel()
		}
		a.wg.Wait()
		for _, h := range a.hosts {
			if h.up.Load() {
				if err := h.drv.Close(); err != nil {
					errs = append(errs, fmt.Errorf("close host %s: %w", h.name, err))
				}
			}
		}
	})
	return errors.Join(errs...)
}

// run runs fn in the background until Close.
func (a *Agent) run(name string, fn func(ctx context.Context)) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		fn(a.ctx)
	}()
}

// each runs fn on every host, workers at a time, and returns the first
// error; after an error it starts no more.
func each(ctx context.Context, workers int, hosts []*host, fn func(*host) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan *host)
	var wg sync.WaitGroup
	for range min(workers, len(hosts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range work {
				if err := fn(h); err != nil {
					cancel(err)
				}
			}
		}()
	}
feed:
	for _, h := range hosts {
		select {
		case work <- h:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}
