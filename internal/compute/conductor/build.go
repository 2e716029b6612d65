package conductor

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/metadata"
	"github.com/gostack/gostack/internal/compute/scheduler"
)

// Nova's action event names for a build.
const (
	evSchedule = "conductor_schedule_and_build_instances"
	evBuild    = "compute_build_and_run_instance"
)

// Build schedules and spawns the instances in the background. Instances
// of one request that share a server group are scheduled one after the
// other, so that each sees where the previous one went (affinity and
// anti-affinity); the others are built in parallel.
func (c *Conductor) Build(_ context.Context, b compute.BuildRequest) {
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
		c.enqueue(id, func(ctx context.Context) {
			defer close(done[i])
			c.build(ctx, b, id, prev)
		})
	}
}

// build builds one instance; prev, when not nil, is closed once the
// previous instance of the request is done, which a group member waits
// for.
func (c *Conductor) build(ctx context.Context, b compute.BuildRequest, id string, prev chan struct{}) {
	inst, err := c.store.GetInstance(ctx, id)
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
	c.schedule(ctx, b, inst)
}

// cancelBuild stops the build of an instance being deleted.
func (c *Conductor) cancelBuild(id string) {
	c.mu.Lock()
	cancel := c.builds[id]
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// schedule picks hosts for inst and spawns it on the first that works.
func (c *Conductor) schedule(ctx context.Context, b compute.BuildRequest, inst *compute.Instance) {
	reqID := b.Caller.RequestID
	finish := c.event(ctx, inst, reqID, evSchedule, "")
	spec := scheduler.RequestSpec{
		InstanceID: inst.ID, ProjectID: inst.ProjectID, UserID: inst.UserID,
		Flavor: inst.Flavor, Image: b.Image, AZ: inst.AvailabilityZone,
		ForceHost: inst.RequestedHost, ForceNode: inst.RequestedNode,
		Hints: inst.SchedulerHints, NumInstances: len(b.InstanceIDs),
	}
	if inst.ServerGroup != "" {
		if g, err := c.store.GetServerGroup(ctx, inst.ServerGroup); err == nil {
			spec.Group = g
		}
	}
	sel, alts, err := c.cfg.Scheduler.Select(ctx, spec)
	if err != nil {
		if c.stopping() {
			return
		}
		finish(err)
		if ctx.Err() != nil { // deleted meanwhile
			c.freeAllocations(inst.ID)
			return
		}
		c.buildFailed(inst.ID, err)
		return
	}
	finish(nil)
	tries := append([]scheduler.Selection{sel}, alts...)
	if len(tries) > c.cfg.MaxAttempts {
		tries = tries[:c.cfg.MaxAttempts]
	}
	var lastErr error
	attempts := 0
	for i, s := range tries {
		if i > 0 {
			if err := c.cfg.Scheduler.Claim(ctx, inst.ID, inst.ProjectID, inst.UserID, s); err != nil {
				lastErr = err
				continue
			}
		}
		attempts++
		err := c.spawnOn(ctx, b, inst, s, reqID)
		if err == nil || errors.Is(err, compute.ErrGone) || c.stopping() {
			return
		}
		lastErr = err
	}
	if attempts > 1 {
		lastErr = fmt.Errorf("Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance %s.: %w", inst.ID, lastErr)
	}
	c.buildFailed(inst.ID, lastErr)
}

// spawnOn spawns inst on the claimed selection s. It returns ErrGone when
// the instance was deleted meanwhile (after cleaning up), or the spawn's
// error after freeing the claim.
func (c *Conductor) spawnOn(ctx context.Context, b compute.BuildRequest, inst *compute.Instance, s scheduler.Selection, reqID string) error {
	at := c.place(s)
	cur, err := compute.Step(ctx, c.store, inst.ID, func(i *compute.Instance) error {
		if !building(i) {
			return compute.ErrStale
		}
		at.Put(i)
		i.TaskState = compute.TaskSpawning
		return nil
	})
	if err != nil {
		c.freeAllocations(inst.ID)
		if errors.Is(err, compute.ErrGone) || errors.Is(err, compute.ErrStale) || ctx.Err() != nil {
			return compute.ErrGone
		}
		return err
	}
	finish := c.event(ctx, cur, reqID, evBuild, s.Host)
	h, err := c.host(s.Host)
	if err == nil {
		err = h.Spawn(ctx, c.spec(cur, b.Image, b.AdminPassword))
	}
	if c.stopping() {
		return err
	}
	if ctx.Err() != nil { // a delete cancelled the build
		c.destroyAndFree(h, inst.ID)
		finish(compute.ErrGone)
		return compute.ErrGone
	}
	if err != nil {
		finish(err)
		c.freeAllocations(inst.ID)
		return err
	}
	now := c.now().UTC()
	if _, err := c.finish(inst.ID, compute.Outcome{Expect: building,
		VMState: compute.VMActive, Power: compute.Power(driver.Running), LaunchedAt: &now, ClearFault: true}); err != nil {
		// Deleted while spawning: the delete owns the cleanup, but do it
		// here too in case it already ran.
		c.destroyAndFree(h, inst.ID)
		finish(compute.ErrGone)
		return compute.ErrGone
	}
	finish(nil)
	return nil
}

// buildFailed puts a build that found no host, or failed on every host,
// in ERROR with a fault, without a host or allocations, as Nova does.
func (c *Conductor) buildFailed(id string, cause error) {
	c.freeAllocations(id)
	c.finish(id, compute.Outcome{VMState: compute.VMError, Power: compute.Power(driver.NoState),
		Place: &compute.Place{}, Fault: c.fault(cause)})
}

// building is what a build's outcome expects: an instance still building.
func building(i *compute.Instance) bool { return i.VMState == compute.VMBuilding }

// destroyAndFree removes what a build left on its host and its claim.
func (c *Conductor) destroyAndFree(h interface {
	Destroy(context.Context, string) error
}, id string) {
	ctx, cancel := c.dbctx()
	defer cancel()
	if h != nil {
		if err := c.destroy(ctx, h, id); err != nil {
			c.log.Warn("conductor: destroy after cancelled build", "instance", id, "err", err)
		}
	}
	c.freeAllocations(id)
}

// spec is the driver's view of inst, booting img (nil: inst's own image,
// known only by id).
func (c *Conductor) spec(inst *compute.Instance, img *compute.ImageMeta, adminPass string) driver.Spec {
	s := driver.Spec{
		UUID: inst.ID, Name: inst.InstanceName(), Hostname: inst.Hostname,
		ProjectID: inst.ProjectID, UserID: inst.UserID,
		Flavor: driverFlavor(inst.Flavor), Image: driverImage(inst.ImageRef, img),
		Metadata: inst.Metadata, KeyData: inst.KeyData, AdminPassword: adminPass,
	}
	if inst.UserData != "" {
		if b, err := base64.StdEncoding.DecodeString(inst.UserData); err == nil {
			s.UserData = b
		} else {
			s.UserData = []byte(inst.UserData)
		}
	}
	if inst.ConfigDrive {
		s.ConfigDrive = configDrive(inst, adminPass)
	}
	return s
}

func driverFlavor(f compute.Flavor) driver.Flavor {
	return driver.Flavor{
		ID: f.ID, Name: f.Name, VCPUs: int(f.VCPUs), MemoryMB: int(f.RAM),
		RootGB: int(f.Disk), EphemeralGB: int(f.Ephemeral), SwapMB: int(f.Swap), ExtraSpecs: f.ExtraSpecs,
	}
}

func driverImage(id string, img *compute.ImageMeta) driver.Image {
	if img == nil {
		return driver.Image{ID: id}
	}
	return driver.Image{ID: img.ID, Format: img.DiskFormat, Properties: img.Properties, MinDiskGB: int(img.MinDisk)}
}

// configDrive is the config drive's file tree, as Nova's
// nova.api.metadata writes the "openstack" flavour of it.
func configDrive(inst *compute.Instance, adminPass string) map[string][]byte {
	// The same tree the metadata API serves (every OpenStack version, the
	// EC2 tree, user data), plus the admin password, which only the config
	// drive carries.
	return metadata.Build(metadata.Input{Instance: *inst, AdminPass: adminPass, DHCPDomain: metadata.DefaultDHCPDomain})
}
