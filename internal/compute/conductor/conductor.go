package conductor

import (
	"context"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/build"
	"github.com/gostack/gostack/internal/compute/conductor/core"
	"github.com/gostack/gostack/internal/compute/conductor/move"
	"github.com/gostack/gostack/internal/compute/conductor/reports"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/platform/reqid"
)

var (
	_ compute.Conductor     = (*Conductor)(nil)
	_ hostrpc.ReportHandler = (*Conductor)(nil)
)

// Config is the conductor's configuration (see core.Config).
type Config = core.Config

// Network is the networking service as the conductor uses it (see
// core.Network).
type Network = core.Network

// Scheduler chooses hosts and claims their resources (see
// core.Scheduler).
type Scheduler = core.Scheduler

// Placement is what the conductor asks of Placement besides what the
// scheduler does (see core.Placement).
type Placement = core.Placement

// Conductor builds instances and runs server actions in the background.
// It is safe for concurrent use; Close stops it.
type Conductor struct{ o *ops }

// ops carries out the actions on one host and the shelve family, and
// dispatches Run and Recover, on the Base it shares with the builds, the
// moves and the reports.
type ops struct {
	*core.Base
	builds  *build.Builder
	moves   move.Mover
	reports reports.Handler

	mu      sync.Mutex
	regDone bool // control-plane service rows written
	// lastHeal is when Recover last checked Placement; healNext asks the
	// next run to check again (the previous one found work).
	lastHeal time.Time
	healNext bool

	recMu sync.Mutex // one Recover at a time
}

// New returns a conductor and starts its workers.
func New(cfg Config) *Conductor {
	b := core.New(cfg)
	return &Conductor{&ops{Base: b, builds: build.New(b), moves: move.Mover{Base: b}, reports: reports.Handler{Base: b}}}
}

// Close stops the workers; operations in progress are cancelled and
// queued ones dropped. What they leave unfinished, Recover repairs at the
// next start.
func (c *Conductor) Close() error { return c.o.Close() }

// Wait blocks until no operation is queued or running, or ctx ends.
func (c *Conductor) Wait(ctx context.Context) error { return c.o.Wait(ctx) }

// Build schedules and spawns the instances in the background (see
// build.Builder.Build).
func (c *Conductor) Build(ctx context.Context, b compute.BuildRequest) { c.o.builds.Build(ctx, b) }

// Run carries out op in the background, after the operations already
// queued for the same instance. A delete also cancels a build in
// progress, which then cleans up what it had made.
func (c *Conductor) Run(ctx context.Context, op compute.Op) {
	if op.Kind == compute.OpDelete {
		c.o.builds.Cancel(op.InstanceID)
	}
	// The operation runs on a worker's context, logged under the
	// request's ids and sending them on (reqid).
	req := ctx
	c.o.Enqueue(op.InstanceID, func(ctx context.Context) { c.o.run(reqid.Carry(req, ctx), op) })
	// Claimed before the API answers: if this process dies, another
	// replica finishes the operation. A refresh of the network cache sets
	// no task_state, leaves nothing to finish and needs no claim.
	if op.Kind != compute.OpRefreshNetwork {
		c.o.Cfg.Claims.Hold(op.InstanceID)
	}
}

// Recover repairs what a crash (or a lost message) left unfinished: an
// instance building without a host is scheduled again; one building on a
// host is made ACTIVE if its guest runs there, spawned again otherwise;
// an instance left with a task_state is settled from what its host
// reports (a delete is finished, a resize is rolled back). Then Placement
// is healed: every live instance with a host has its allocation, and
// allocations of deleted instances and finished migrations are removed.
//
// The cloud calls it at start and then periodically (a worker.Group
// periodic worker: it matches worker.Func). The first run re-runs the
// interrupted operations once Ready is closed. Instances with work queued
// or running in this conductor, or changed within RecoverGrace since this
// conductor started, are left alone. With Claims (replicas sharing the
// database), an instance claimed by a live conductor is left alone too,
// one claimed by a dead conductor or by this one's earlier process is
// taken over at once, an unclaimed one after RecoverGrace, and a take-over
// is exclusive (see package claim). When nothing is stuck it costs two
// indexed queries (three with Claims); the Placement check runs at start,
// after a run that found work, and every ten minutes.
func (c *Conductor) Recover(ctx context.Context) error { return c.o.recover(ctx) }

// Nodes records a compute host's service row and its compute nodes.
func (c *Conductor) Nodes(ctx context.Context, r hostrpc.NodeReport) error {
	return c.o.reports.Nodes(ctx, r)
}

// Power is the power-state sync of one host.
func (c *Conductor) Power(ctx context.Context, r hostrpc.PowerReport) error {
	return c.o.reports.Power(ctx, r)
}

// Event applies a lifecycle event to the instance's power state.
func (c *Conductor) Event(ctx context.Context, r hostrpc.EventReport) error {
	return c.o.reports.Event(ctx, r)
}

// ConsoleOutput returns the last lines of the instance's serial console:
// all of it when lines < 0, nothing when 0.
func (c *Conductor) ConsoleOutput(ctx context.Context, inst *compute.Instance, lines int) (string, error) {
	return c.o.consoleOutput(ctx, inst, lines)
}

// VNCConsole returns a noVNC URL for the instance. Without a configured
// proxy (NoVNCBase) VNC consoles are unavailable.
func (c *Conductor) VNCConsole(ctx context.Context, inst *compute.Instance) (compute.ConsoleURL, error) {
	return c.o.vncConsole(ctx, inst)
}

// Diagnostics asks the instance's host for its diagnostics.
func (c *Conductor) Diagnostics(ctx context.Context, inst *compute.Instance) (driver.Diagnostics, error) {
	return c.o.diagnostics(ctx, inst)
}
