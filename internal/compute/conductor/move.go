package conductor

import (
	"context"
	"fmt"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/scheduler"
)

// Moves follow Nova's allocation dance: the instance's claim on the
// source is first moved to the migration's consumer, then the scheduler
// claims the destination for the instance. Confirm frees the
// migration's; revert moves it back onto the instance.

const migrationConsumer = "MIGRATION"

// migration returns the migration op names, or the instance's newest one
// with one of the statuses.
func (c *Conductor) migration(ctx context.Context, op compute.Op, inst *compute.Instance, statuses ...string) (*compute.Migration, error) {
	if op.MigrationUUID != "" {
		return c.store.GetMigration(ctx, op.MigrationUUID)
	}
	migs, err := c.store.ListMigrations(ctx, compute.MigrationFilter{InstanceID: inst.ID})
	if err != nil {
		return nil, err
	}
	for _, m := range migs {
		if len(statuses) == 0 || contains(statuses, m.Status) {
			return &m, nil
		}
	}
	return nil, fmt.Errorf("instance %s has no migration in progress", inst.ID)
}

// moveSpec is the request for a move's destination.
func (c *Conductor) moveSpec(ctx context.Context, inst *compute.Instance, f compute.Flavor, force string, ignore []string) scheduler.RequestSpec {
	spec := scheduler.RequestSpec{
		InstanceID: inst.ID, ProjectID: inst.ProjectID, UserID: inst.UserID, Flavor: f,
		ForceHost: force, IgnoreHosts: ignore, Hints: inst.SchedulerHints, NumInstances: 1,
		Image: compute.ImageFromSystemMetadata(inst),
	}
	if inst.AvailabilityZone != "" && inst.AvailabilityZone != c.cfg.DefaultAZ {
		spec.AZ = inst.AvailabilityZone
	}
	if inst.ServerGroup != "" {
		if g, err := c.store.GetServerGroup(ctx, inst.ServerGroup); err == nil {
			spec.Group = g
		}
	}
	return spec
}

// unclaim gives a failed move's source claim back to the instance.
func (c *Conductor) unclaim(instID, migUUID string) {
	ctx, cancel := c.dbctx()
	defer cancel()
	if err := c.moveAllocations(ctx, migUUID, instID, ""); err != nil {
		c.log.Warn("conductor: give the source claim back", "instance", instID, "migration", migUUID, "err", err)
	}
}

// claimDest holds the source claim on the migration and claims a
// destination for the instance.
func (c *Conductor) claimDest(ctx context.Context, inst *compute.Instance, mig *compute.Migration, spec scheduler.RequestSpec) (scheduler.Selection, error) {
	if err := c.moveAllocations(ctx, inst.ID, mig.UUID, migrationConsumer); err != nil {
		return scheduler.Selection{}, err
	}
	sel, _, err := c.cfg.Scheduler.Select(ctx, spec)
	if err != nil {
		c.unclaim(inst.ID, mig.UUID)
		return scheduler.Selection{}, err
	}
	return sel, nil
}

// opResize is resize and cold migration: prep (schedule), MigrateDisk on
// the source, FinishMigration on the destination; the instance waits in
// VERIFY_RESIZE for confirm or revert. No host is a fault with vm_state
// kept; a failure on a host is ERROR, as in Nova.
func (c *Conductor) opResize(ctx context.Context, op compute.Op, inst *compute.Instance) {
	reqID := op.Caller.RequestID
	finish := c.event(ctx, inst, reqID, "conductor_migrate_server", "")
	oldFlavor, newFlavor := inst.Flavor, inst.Flavor
	if op.Flavor != nil {
		newFlavor = *op.Flavor
	}
	mig, err := c.migration(ctx, op, inst, "pre-migrating", "accepted")
	if err != nil {
		finish(err)
		c.failOp(inst.ID, "", err)
		return
	}
	source, sourceNode := inst.Host, inst.Node
	// Nova keeps the vm_state before the move in system metadata: the
	// destination powers on unless it was stopped, and a revert restores
	// it.
	oldVMState := inst.VMState
	powerOn := oldVMState != compute.VMStopped
	var ignore []string
	if op.Kind == compute.OpMigrate || newFlavor.ID == oldFlavor.ID || c.cfg.NoSameHostResize {
		ignore = []string{source}
	}
	sel, err := c.claimDest(ctx, inst, mig, c.moveSpec(ctx, inst, newFlavor, op.Host, ignore))
	if err != nil {
		if c.stopping() {
			return
		}
		finish(err)
		c.setMigration(mig.UUID, "error", nil)
		c.failOp(inst.ID, "", err)
		return
	}
	finish(nil)
	c.setMigration(mig.UUID, "migrating", func(m *compute.Migration) {
		m.DestCompute, m.DestNode, m.DestHost = sel.Host, sel.Node, sel.Host
		m.SourceCompute, m.SourceNode = source, sourceNode
		m.OldFlavorID, m.NewFlavorID = oldFlavor.ID, newFlavor.ID
	})
	fail := func(finish func(error), err error) {
		if c.stopping() {
			return
		}
		finish(err)
		c.freeAllocations(inst.ID)
		c.unclaim(inst.ID, mig.UUID)
		c.setMigration(mig.UUID, "error", nil)
		c.failOp(inst.ID, compute.VMError, err)
	}

	if _, err := compute.Step(ctx, c.store, inst.ID, func(i *compute.Instance) error {
		i.TaskState = compute.TaskResizeMigrating
		if i.SystemMetadata == nil {
			i.SystemMetadata = map[string]string{}
		}
		i.SystemMetadata[compute.SysMetaOldVMState] = oldVMState
		return nil
	}); err != nil {
		c.freeAllocations(inst.ID)
		c.unclaim(inst.ID, mig.UUID)
		c.setMigration(mig.UUID, "error", nil)
		return
	}
	finishSrc := c.event(ctx, inst, reqID, "compute_resize_instance", source)
	dm := driver.Migration{ID: mig.UUID, Instance: inst.ID, Source: source, Dest: sel.Host, NewFlavor: driverFlavor(newFlavor)}
	src, err := c.host(source)
	if err == nil {
		err = src.MigrateDisk(ctx, &dm)
	}
	if err != nil {
		fail(finishSrc, err)
		return
	}
	finishSrc(nil)
	c.setMigration(mig.UUID, "post-migrating", func(m *compute.Migration) { m.DriverDataJSON = dm.Data })
	if _, err := compute.Step(ctx, c.store, inst.ID, func(i *compute.Instance) error {
		i.TaskState = compute.TaskResizeFinish
		return nil
	}); err != nil {
		return // deleted: the delete destroys both copies and frees both claims
	}

	finishDest := c.event(ctx, inst, reqID, "compute_finish_resize", sel.Host)
	dest, err := c.host(sel.Host)
	if err == nil {
		cp := *inst
		cp.Flavor = newFlavor
		err = dest.FinishMigration(ctx, c.spec(&cp, nil, ""), dm, powerOn)
	}
	if err != nil {
		if !c.stopping() {
			// Bring the source copy back so that the instance is whole
			// where its row says it is.
			src.RevertMigration(context.WithoutCancel(ctx), dm, false)
		}
		fail(finishDest, err)
		return
	}
	at := c.place(sel)
	p := driver.Shutdown
	if powerOn {
		p = driver.Running
	}
	_, err = c.finish(inst.ID, compute.Outcome{VMState: compute.VMResized, Power: &p,
		Place: at,
		Apply: func(i *compute.Instance) {
			old, nf := oldFlavor, newFlavor
			i.Flavor, i.OldFlavor, i.NewFlavor = newFlavor, &old, &nf
		}})
	c.setMigration(mig.UUID, "finished", nil)
	finishDest(err)
}

// opConfirm removes the source copy and frees the migration's claim.
func (c *Conductor) opConfirm(ctx context.Context, op compute.Op, inst *compute.Instance) {
	mig, err := c.migration(ctx, op, inst, "confirming", "finished")
	if err != nil {
		c.failOp(inst.ID, "", err)
		return
	}
	finish := c.event(ctx, inst, op.Caller.RequestID, "compute_confirm_resize", mig.SourceCompute)
	dm := c.driverMigration(mig, inst)
	src, err := c.host(mig.SourceCompute)
	if err == nil {
		err = src.ConfirmMigration(ctx, dm)
		if driver.IsNotFound(err) {
			err = nil
		}
	}
	if err != nil {
		c.fail(finish, inst.ID, compute.VMError, err)
		return
	}
	c.freeAllocations(mig.UUID)
	c.setMigration(mig.UUID, "confirmed", nil)
	_, err = c.finish(inst.ID, compute.Outcome{Apply: func(i *compute.Instance) {
		i.OldFlavor, i.NewFlavor = nil, nil
		delete(i.SystemMetadata, compute.SysMetaOldVMState)
		// The guest stays as it is on the destination: vm_state
		// follows its power state.
		i.VMState = compute.VMActive
		if i.PowerState != int(driver.Running) {
			i.VMState = compute.VMStopped
		}
	}})
	finish(err)
}

// opRevert destroys the destination copy, gives the source claim back to
// the instance and brings the source copy back with the old flavor.
func (c *Conductor) opRevert(ctx context.Context, op compute.Op, inst *compute.Instance) {
	mig, err := c.migration(ctx, op, inst, "reverting", "finished")
	if err != nil {
		c.failOp(inst.ID, "", err)
		return
	}
	reqID := op.Caller.RequestID
	finish := c.event(ctx, inst, reqID, "compute_revert_resize", mig.DestCompute)
	// Nova's finish_revert_resize: the source comes back as it was
	// before the resize (old_vm_state), running unless it was stopped.
	// Without the key (a resize begun before it was kept) the current
	// power state decides.
	powerOn := inst.PowerState == int(driver.Running)
	if old, ok := inst.SystemMetadata[compute.SysMetaOldVMState]; ok {
		powerOn = old != compute.VMStopped
	}
	dm := c.driverMigration(mig, inst)
	fail := func(finish func(error), err error) {
		if c.stopping() {
			return
		}
		finish(err)
		c.setMigration(mig.UUID, "error", nil)
		c.failOp(inst.ID, compute.VMError, err)
	}
	dest, err := c.host(mig.DestCompute)
	if err == nil {
		if err = dest.Destroy(ctx, inst.ID); driver.IsNotFound(err) {
			err = nil
		}
	}
	if err != nil {
		fail(finish, err)
		return
	}
	finish(nil)
	finishSrc := c.event(ctx, inst, reqID, "compute_finish_revert_resize", mig.SourceCompute)
	if err := c.moveAllocations(ctx, mig.UUID, inst.ID, ""); err != nil {
		fail(finishSrc, err)
		return
	}
	src, err := c.host(mig.SourceCompute)
	if err == nil {
		err = src.RevertMigration(ctx, dm, powerOn)
	}
	if err != nil {
		fail(finishSrc, err)
		return
	}
	c.setMigration(mig.UUID, "reverted", nil)
	o := upOrStopped(!powerOn)
	o.Place = &compute.Place{Host: mig.SourceCompute, Node: mig.SourceNode}
	o.Apply = func(i *compute.Instance) {
		if i.OldFlavor != nil {
			i.Flavor = *i.OldFlavor
		}
		i.OldFlavor, i.NewFlavor = nil, nil
		delete(i.SystemMetadata, compute.SysMetaOldVMState)
	}
	_, err = c.finish(inst.ID, o)
	finishSrc(err)
}

func (c *Conductor) driverMigration(m *compute.Migration, inst *compute.Instance) driver.Migration {
	nf := inst.Flavor
	if inst.NewFlavor != nil {
		nf = *inst.NewFlavor
	}
	return driver.Migration{ID: m.UUID, Instance: inst.ID, Source: m.SourceCompute, Dest: m.DestCompute,
		NewFlavor: driverFlavor(nf), DestAddr: m.DestHost, Data: m.DriverDataJSON}
}

// claimMoveDest claims a destination other than inst's host for a live
// migration or an evacuation (same flavor), finishes the conductor's event
// and records source and destination in the migration, which moves to
// status. On failure the migration is in error, the instance has its fault,
// and ok is false.
func (c *Conductor) claimMoveDest(ctx context.Context, op compute.Op, inst *compute.Instance, mig *compute.Migration,
	finish func(error), status string) (sel scheduler.Selection, ok bool) {
	source, sourceNode := inst.Host, inst.Node
	sel, err := c.claimDest(ctx, inst, mig, c.moveSpec(ctx, inst, inst.Flavor, op.Host, []string{source}))
	if err != nil {
		if c.stopping() {
			return sel, false
		}
		finish(err)
		c.setMigration(mig.UUID, "error", nil)
		c.failOp(inst.ID, "", err)
		return sel, false
	}
	finish(nil)
	c.setMigration(mig.UUID, status, func(m *compute.Migration) {
		m.SourceCompute, m.SourceNode = source, sourceNode
		m.DestCompute, m.DestNode, m.DestHost = sel.Host, sel.Node, sel.Host
		m.OldFlavorID, m.NewFlavorID = inst.Flavor.ID, inst.Flavor.ID
	})
	return sel, true
}

// opLiveMigrate moves a running guest: PrepareLiveMigration on the
// destination, LiveMigrate on the source, FinishLiveMigration on the
// destination. The migration goes queued → preparing → running →
// completed, or error; a failure before the guest moved rolls back and
// keeps the instance as it was.
func (c *Conductor) opLiveMigrate(ctx context.Context, op compute.Op, inst *compute.Instance) {
	reqID := op.Caller.RequestID
	finish := c.event(ctx, inst, reqID, "conductor_live_migrate_instance", "")
	mig, err := c.migration(ctx, op, inst, "accepted", "queued")
	if err != nil {
		finish(err)
		c.failOp(inst.ID, "", err)
		return
	}
	source := inst.Host
	c.setMigration(mig.UUID, "queued", nil)
	sel, ok := c.claimMoveDest(ctx, op, inst, mig, finish, "preparing")
	if !ok {
		return
	}
	rollback := func(finish func(error), err error) {
		if c.stopping() {
			return
		}
		finish(err)
		c.freeAllocations(inst.ID)
		c.unclaim(inst.ID, mig.UUID)
		c.setMigration(mig.UUID, "error", nil)
		c.failOp(inst.ID, "", err)
	}
	dm := driver.Migration{ID: mig.UUID, Instance: inst.ID, Source: source, Dest: sel.Host, NewFlavor: driverFlavor(inst.Flavor)}
	finishPre := c.event(ctx, inst, reqID, "compute_pre_live_migration", sel.Host)
	dest, err := c.host(sel.Host)
	if err == nil {
		err = dest.PrepareLiveMigration(ctx, c.spec(inst, nil, ""), &dm)
	}
	if err != nil {
		rollback(finishPre, err)
		return
	}
	finishPre(nil)
	c.setMigration(mig.UUID, "running", func(m *compute.Migration) { m.DestHost = dm.DestAddr })
	finishLive := c.event(ctx, inst, reqID, "compute_live_migration", source)
	src, err := c.host(source)
	if err == nil {
		err = src.LiveMigrate(ctx, &dm)
	}
	if err != nil {
		if !c.stopping() {
			dest.AbortLiveMigration(context.WithoutCancel(ctx), dm)
		}
		rollback(finishLive, err)
		return
	}
	finishLive(nil)
	finishPost := c.event(ctx, inst, reqID, "compute_post_live_migration_at_destination", sel.Host)
	if err := dest.FinishLiveMigration(ctx, dm); err != nil {
		if c.stopping() {
			return
		}
		// The guest has left the source: it is the destination's now,
		// whatever state it is in.
		finishPost(err)
		c.freeAllocations(mig.UUID)
		c.setMigration(mig.UUID, "error", nil)
		c.finish(inst.ID, compute.Outcome{VMState: compute.VMError, Fault: c.fault(err),
			Place: &compute.Place{Host: sel.Host, Node: sel.Node}})
		return
	}
	c.freeAllocations(mig.UUID)
	c.setMigration(mig.UUID, "completed", func(m *compute.Migration) {
		m.MemoryTotal, m.MemoryProc, m.MemoryRemain = inst.Flavor.RAM<<20, inst.Flavor.RAM<<20, 0
	})
	at := c.place(sel)
	_, err = c.finish(inst.ID, compute.Outcome{Place: at})
	finishPost(err)
}

// opEvacuate rebuilds an instance of a failed host on another one. The
// copy left on the failed host is destroyed when that host reports again
// (the power sync reaps guests whose instance lives elsewhere).
func (c *Conductor) opEvacuate(ctx context.Context, op compute.Op, inst *compute.Instance) {
	reqID := op.Caller.RequestID
	finish := c.event(ctx, inst, reqID, "conductor_rebuild_server", "")
	mig, err := c.migration(ctx, op, inst, "accepted", "pre-migrating")
	if err != nil {
		finish(err)
		c.failOp(inst.ID, "", err)
		return
	}
	sel, ok := c.claimMoveDest(ctx, op, inst, mig, finish, "pre-migrating")
	if !ok {
		return
	}
	wasStopped := inst.VMState == compute.VMStopped
	at := c.place(sel)
	cur, err := compute.Step(ctx, c.store, inst.ID, func(i *compute.Instance) error {
		at.Put(i)
		i.TaskState = compute.TaskRebuildSpawning
		return nil
	})
	if err != nil {
		c.freeAllocations(inst.ID)
		c.freeAllocations(mig.UUID)
		return
	}
	finishDest := c.event(ctx, cur, reqID, "compute_rebuild_instance", sel.Host)
	dest, err := c.host(sel.Host)
	if err == nil {
		err = dest.Spawn(ctx, c.spec(cur, nil, op.AdminPassword))
	}
	if err == nil && wasStopped {
		err = dest.PowerOff(ctx, inst.ID, 0)
	}
	if err != nil {
		if c.stopping() {
			return
		}
		finishDest(err)
		c.freeAllocations(mig.UUID)
		c.setMigration(mig.UUID, "failed", nil)
		c.failOp(inst.ID, compute.VMError, err)
		return
	}
	c.freeAllocations(mig.UUID)
	c.setMigration(mig.UUID, "done", nil)
	now := c.now().UTC()
	o := upOrStopped(wasStopped)
	o.LaunchedAt, o.ClearFault = &now, true
	_, err = c.finish(inst.ID, o)
	finishDest(err)
}
