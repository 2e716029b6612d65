// Package build builds instances for the conductor: it schedules each
// one (Placement's candidates, the scheduler's filters and weighers),
// spawns it on the claimed host and tries the alternates when a host
// fails, as Nova's conductor and compute manager do together; a delete
// cancels a build in progress, which then cleans up what it had made.
// Recover finishes a build a crash interrupted.
//
//	Build ─► Select (claim) ─► Step: host, spawning ─► host.Spawn
//	            └── on failure: free, Claim the next alternate, again
//	         ─► Finish: ACTIVE, or ERROR with a fault and no host
package build

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/core"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/nwinfo"
	"github.com/gostack/gostack/internal/compute/scheduler"
	"github.com/gostack/gostack/internal/compute/sysmeta"
	"github.com/gostack/gostack/internal/compute/volinfo"
	"github.com/gostack/gostack/internal/platform/reqid"
)

// Builder builds instances on a conductor's Base.
type Builder struct {
	*core.Base

	mu     sync.Mutex
	builds map[string]func() // cancels a running build, by instance
}

// New returns a Builder running on b.
func New(b *core.Base) *Builder { return &Builder{Base: b, builds: map[string]func(){}} }

// Nova's action event names for a build.
const (
	evSchedule = "conductor_schedule_and_build_instances"
	evBuild    = "compute_build_and_run_instance"
)

// Build schedules and spawns the instances in the background. Instances
// of one request that share a server group are scheduled one after the
// other, so that each sees where the previous one went (affinity and
// anti-affinity); the others are built in parallel.
func (c *Builder) Build(req context.Context, b compute.BuildRequest) {
	ids := b.InstanceIDs
	done := make([]chan struct{}, len(ids))
	for i := range done {
		done[i] = make(chan struct{})
	}
	for i, id := range ids {
		var prev chan struct{}
		if i > 0 {
			prev = done[i-1]
		}
		c.Enqueue(id, func(ctx context.Context) {
			defer close(done[i])
			// On the worker's context, under the request's ids.
			c.build(reqid.Carry(req, ctx), b, id, prev)
		})
	}
	// Claimed before the API answers, in one write (see Conductor.Run).
	c.Cfg.Claims.Hold(ids...)
}

// build builds one instance; prev, when not nil, is closed once the
// previous instance of the request is done, which a group member waits
// for.
func (c *Builder) build(ctx context.Context, b compute.BuildRequest, id string, prev chan struct{}) {
	inst, err := c.Store.GetInstance(ctx, id)
	if err != nil || compute.Gone(inst) || inst.VMState != compute.VMBuilding {
		return
	}
	if inst.ServerGroup != "" && prev != nil {
		select {
		case <-prev:
		case <-ctx.Done():
			return
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.mu.Lock()
	c.builds[id] = cancel
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.builds, id)
		c.mu.Unlock()
	}()
	// A build sent the moment the cloud answers must not be scheduled
	// before this process's own agents have reported their hosts: their
	// providers are then in Placement without a compute node to match,
	// and every candidate would be refused (No valid host). The recovery
	// waits the same way; without agents of its own (serve) there is no
	// wait.
	c.AwaitAgents(ctx)
	c.schedule(ctx, b, inst)
}

// Cancel stops the build of an instance being deleted.
func (c *Builder) Cancel(id string) {
	c.mu.Lock()
	cancel := c.builds[id]
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// schedule picks hosts for inst and spawns it on the first that works.
func (c *Builder) schedule(ctx context.Context, b compute.BuildRequest, inst *compute.Instance) {
	reqID := b.Caller.RequestID
	finish := c.Event(ctx, inst, reqID, evSchedule, "")
	spec := scheduler.RequestSpec{
		InstanceID: inst.ID, ProjectID: inst.ProjectID, UserID: inst.UserID,
		Flavor: inst.Flavor, Image: b.Image, AZ: inst.RequestedAZ,
		ForceHost: inst.RequestedHost, ForceNode: inst.RequestedNode,
		Hints: inst.SchedulerHints, NumInstances: len(b.InstanceIDs),
		BootFromVolume: volinfo.Backed(inst.BlockDevices),
	}
	if inst.ServerGroup != "" {
		if g, err := c.Store.GetServerGroup(ctx, inst.ServerGroup); err == nil {
			spec.Group = g
		}
	}
	sel, alts, err := c.Cfg.Scheduler.Select(ctx, spec)
	if err != nil {
		if c.Stopping() {
			return
		}
		finish(err)
		if ctx.Err() != nil { // deleted meanwhile
			c.FreeAllocations(inst.ID)
			return
		}
		c.failed(inst.ID, err)
		return
	}
	finish(nil)
	tries := append([]scheduler.Selection{sel}, alts...)
	if len(tries) > c.Cfg.MaxAttempts {
		tries = tries[:c.Cfg.MaxAttempts]
	}
	var lastErr error
	attempts := 0
	for i, s := range tries {
		if i > 0 {
			if err := c.Cfg.Scheduler.Claim(ctx, inst.ID, inst.ProjectID, inst.UserID, s); err != nil {
				lastErr = err
				continue
			}
		}
		attempts++
		err := c.spawnOn(ctx, b, inst, s, reqID)
		if err == nil || errors.Is(err, compute.ErrGone) || c.Stopping() {
			return
		}
		lastErr = err
	}
	if attempts > 1 {
		lastErr = fmt.Errorf("Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance %s.: %w", inst.ID, lastErr)
	}
	c.failed(inst.ID, lastErr)
}

// spawnOn spawns inst on the claimed selection s. It returns ErrGone when
// the instance was deleted meanwhile (after cleaning up), or the spawn's
// error after freeing the claim.
func (c *Builder) spawnOn(ctx context.Context, b compute.BuildRequest, inst *compute.Instance, s scheduler.Selection, reqID string) error {
	at := c.Place(s)
	cur, err := compute.Step(ctx, c.Store, inst.ID, func(i *compute.Instance) error {
		if !building(i) {
			return compute.ErrStale
		}
		at.Put(i)
		i.TaskState = compute.TaskSpawning
		return nil
	})
	if err != nil {
		c.FreeAllocations(inst.ID)
		if errors.Is(err, compute.ErrGone) || errors.Is(err, compute.ErrStale) || ctx.Err() != nil {
			return compute.ErrGone
		}
		return err
	}
	finish := c.Event(ctx, cur, reqID, evBuild, s.Host)
	// The ports are made (or moved to this host) before the spawn, which
	// plugs them: a port already made for the instance by an attempt on
	// another host is re-bound here.
	plugged, err := c.Plug(ctx, cur, s.Host, building)
	if err == nil {
		cur = plugged
	}
	// Then the volumes: made (from an image, a snapshot, blank) with the
	// user's token, and exported to this host.
	if err == nil {
		var connected *compute.Instance
		if connected, err = c.ConnectVolumes(ctx, cur, s.Host, b.Caller.Token); err == nil {
			cur = connected
		}
	}
	var h hostrpc.Host
	if err == nil {
		h, err = c.Host(s.Host)
	}
	if err == nil {
		err = h.Spawn(ctx, core.Spec(cur, b.Image, b.AdminPassword))
	}
	if c.Stopping() {
		return err
	}
	if ctx.Err() != nil || errors.Is(err, compute.ErrGone) || errors.Is(err, compute.ErrStale) { // a delete cancelled the build
		if h != nil {
			c.DestroyAndFree(h, inst.ID)
		} else {
			c.FreeAllocations(inst.ID)
		}
		c.UnplugID(ctx, inst.ID)
		finish(compute.ErrGone)
		return compute.ErrGone
	}
	if err != nil {
		finish(err)
		c.FreeAllocations(inst.ID)
		return err
	}
	now := c.Now().UTC()
	if _, err := c.Finish(inst.ID, compute.Outcome{Expect: building,
		VMState: compute.VMActive, Power: compute.Power(driver.Running), LaunchedAt: &now, ClearFault: true}); err != nil {
		// Deleted while spawning: the delete owns the cleanup, but do it
		// here too in case it already ran.
		c.DestroyAndFree(h, inst.ID)
		finish(compute.ErrGone)
		return compute.ErrGone
	}
	finish(nil)
	return nil
}

// failed puts a build that found no host, or failed on every host,
// in ERROR with a fault, without a host or allocations, as Nova does.
func (c *Builder) failed(id string, cause error) {
	c.FreeAllocations(id)
	// Nova deallocates the networks of a build that failed for good.
	c.UnplugID(context.Background(), id)
	c.Finish(id, compute.Outcome{VMState: compute.VMError, Power: compute.Power(driver.NoState),
		Place: &compute.Place{}, Fault: c.Fault(cause), Apply: func(i *compute.Instance) { i.SystemMetadata = nwinfo.Info(nil).Store(i.SystemMetadata) }})
}

// building is what a build's outcome expects: an instance still building.
func building(i *compute.Instance) bool { return i.VMState == compute.VMBuilding }

// Recover finishes an interrupted build: scheduled again without a
// host; with one, ACTIVE if the guest runs there, else spawned again.
func (c *Builder) Recover(ctx context.Context, inst *compute.Instance) {
	reqID := c.RequestID(ctx, inst.ID, "create")
	if inst.Host == "" {
		c.Forget(inst.ID)
		c.FreeAllocations(inst.ID) // a claim made before the crash blocks a new one
		// The image's properties come from the instance's system
		// metadata, so that the image filters see what the first
		// attempt saw.
		c.build(ctx, compute.BuildRequest{InstanceIDs: []string{inst.ID}, Caller: compute.Caller{RequestID: reqID},
			Image: sysmeta.Image(inst)}, inst.ID, nil)
		return
	}
	h, err := c.Host(inst.Host)
	var info driver.InstanceInfo
	if err == nil {
		info, err = h.Info(ctx, inst.ID)
	}
	switch {
	case err == nil && info.PowerState == driver.Running:
		c.Forget(inst.ID)
		now := c.Now().UTC()
		c.Finish(inst.ID, compute.Outcome{Expect: building, VMState: compute.VMActive, Power: compute.Power(driver.Running),
			Apply: func(i *compute.Instance) {
				if i.LaunchedAt == nil {
					i.LaunchedAt = &now
				}
			}})
		return
	case err == nil || driver.IsNotFound(err):
		c.Forget(inst.ID)
		if err == nil { // a guest that is not running: start over
			if derr := h.Destroy(ctx, inst.ID); derr != nil && !driver.IsNotFound(derr) {
				c.failed(inst.ID, derr)
				return
			}
		}
		if node, nerr := c.NodeID(ctx, inst.Host, inst.Node); nerr == nil {
			if _, cerr := c.ClaimFlavor(ctx, inst, node); cerr != nil {
				c.Log.Warn("conductor: reclaim for an interrupted build", "instance", inst.ID, "err", cerr)
			}
		}
		plugged, err := c.Plug(ctx, inst, inst.Host, building)
		if err == nil {
			plugged, err = c.ConnectVolumes(ctx, plugged, inst.Host, "")
		}
		if err == nil {
			inst = plugged
			err = h.Spawn(ctx, core.Spec(inst, sysmeta.Image(inst), ""))
		}
		if c.Stopping() {
			return
		}
		if driver.IsExists(err) {
			// The agent finished the spawn it had under way.
			if info, ierr := h.Info(ctx, inst.ID); ierr == nil && info.PowerState == driver.Running {
				err = nil
			}
		}
		if err != nil {
			c.failed(inst.ID, err)
			return
		}
		now := c.Now().UTC()
		if _, err := c.Finish(inst.ID, compute.Outcome{Expect: building,
			VMState: compute.VMActive, Power: compute.Power(driver.Running), LaunchedAt: &now}); err != nil {
			c.DestroyAndFree(h, inst.ID)
		}
	default:
		if c.Tried(inst.ID) {
			c.failed(inst.ID, fmt.Errorf("build interrupted and host %s does not answer: %w", inst.Host, err))
		}
	}
}
