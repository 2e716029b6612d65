// Package move carries out the moves of an instance for the conductor:
// resize and cold migration (with confirm and revert), live migration and
// evacuation, and settles a move a crash interrupted.
//
// Moves follow Nova's allocation dance: the instance's claim on the
// source is first moved to the migration's consumer, then the scheduler
// claims the destination for the instance. Confirm frees the
// migration's; revert moves it back onto the instance.
//
//	Resize:  claimDest ─► source.MigrateDisk ─► dest.FinishMigration ─► VERIFY_RESIZE
//	           └─► Confirm (source copy gone) | Revert (back to the source)
//	Live:    claimDest ─► dest.Prepare ─► source.LiveMigrate ─► dest.Finish
//	Evacuate: claimDest ─► dest.Spawn (the failed host's copy is reaped later)
package move

import (
	"context"
	"fmt"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/core"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/scheduler"
	"github.com/gostack/gostack/internal/compute/sysmeta"
)

// migrationConsumer is the consumer type of a migration's allocations.
const migrationConsumer = "MIGRATION"

// Mover moves instances on a conductor's Base.
type Mover struct{ *core.Base }

// claimDest holds the source claim on the migration and claims a
// destination for the instance.
func (c *Mover) claimDest(ctx context.Context, inst *compute.Instance, mig *compute.Migration, spec scheduler.RequestSpec) (scheduler.Selection, error) {
	if err := c.MoveAllocations(ctx, inst.ID, mig.UUID, migrationConsumer); err != nil {
		return scheduler.Selection{}, err
	}
	sel, _, err := c.Cfg.Scheduler.Select(ctx, spec)
	if err != nil {
		c.Unclaim(inst.ID, mig.UUID)
		return scheduler.Selection{}, err
	}
	return sel, nil
}

// Resize is resize and cold migration: prep (schedule), MigrateDisk on
// the source, FinishMigration on the destination; the instance waits in
// VERIFY_RESIZE for confirm or revert. No host is a fault with vm_state
// kept; a failure on a host is ERROR, as in Nova.
func (c *Mover) Resize(ctx context.Context, op compute.Op, inst *compute.Instance) {
	reqID := op.Caller.RequestID
	finish := c.Event(ctx, inst, reqID, "conductor_migrate_server", "")
	oldFlavor, newFlavor := inst.Flavor, inst.Flavor
	if op.Flavor != nil {
		newFlavor = *op.Flavor
	}
	mig, err := c.Migration(ctx, op, inst, "pre-migrating", "accepted")
	if err != nil {
		finish(err)
		c.FailOp(inst.ID, "", err)
		return
	}
	source, sourceNode := inst.Host, inst.Node
	// Nova keeps the vm_state before the move in system metadata: the
	// destination powers on unless it was stopped, and a revert restores
	// it.
	oldVMState := inst.VMState
	powerOn := oldVMState != compute.VMStopped
	var ignore []string
	if op.Kind == compute.OpMigrate || newFlavor.ID == oldFlavor.ID || c.Cfg.NoSameHostResize {
		ignore = []string{source}
	}
	sel, err := c.claimDest(ctx, inst, mig, c.MoveSpec(ctx, inst, newFlavor, op.Host, ignore))
	if err != nil {
		if c.Stopping() {
			return
		}
		finish(err)
		c.SetMigration(mig.UUID, "error", nil)
		c.FailOp(inst.ID, "", err)
		return
	}
	finish(nil)
	c.SetMigration(mig.UUID, "migrating", func(m *compute.Migration) {
		m.DestCompute, m.DestNode, m.DestHost = sel.Host, sel.Node, sel.Host
		m.SourceCompute, m.SourceNode = source, sourceNode
		m.OldFlavorID, m.NewFlavorID = oldFlavor.ID, newFlavor.ID
	})
	fail := func(finish func(error), err error) {
		if c.Stopping() {
			return
		}
		finish(err)
		c.FreeAllocations(inst.ID)
		c.Unclaim(inst.ID, mig.UUID)
		c.SetMigration(mig.UUID, "error", nil)
		c.FailOp(inst.ID, compute.VMError, err)
	}

	if _, err := compute.Step(ctx, c.Store, inst.ID, func(i *compute.Instance) error {
		i.TaskState = compute.TaskResizeMigrating
		if i.SystemMetadata == nil {
			i.SystemMetadata = map[string]string{}
		}
		i.SystemMetadata[sysmeta.OldVMState] = oldVMState
		return nil
	}); err != nil {
		c.FreeAllocations(inst.ID)
		c.Unclaim(inst.ID, mig.UUID)
		c.SetMigration(mig.UUID, "error", nil)
		return
	}
	finishSrc := c.Event(ctx, inst, reqID, "compute_resize_instance", source)
	dm := driver.Migration{ID: mig.UUID, Instance: inst.ID, Source: source, Dest: sel.Host, NewFlavor: core.DriverFlavor(newFlavor)}
	src, err := c.Host(source)
	if err == nil {
		err = src.MigrateDisk(ctx, &dm)
	}
	if err != nil {
		fail(finishSrc, err)
		return
	}
	finishSrc(nil)
	c.SetMigration(mig.UUID, "post-migrating", func(m *compute.Migration) { m.DriverDataJSON = dm.Data })
	if _, err := compute.Step(ctx, c.Store, inst.ID, func(i *compute.Instance) error {
		i.TaskState = compute.TaskResizeFinish
		return nil
	}); err != nil {
		return // deleted: the delete destroys both copies and frees both claims
	}

	finishDest := c.Event(ctx, inst, reqID, "compute_finish_resize", sel.Host)
	// The ports are bound to the destination before the guest is
	// plugged there (Nova's migrate_instance_finish in finish_resize).
	cur, err := c.Rebind(ctx, inst, sel.Host)
	var dest hostrpc.Host
	if err == nil {
		dest, err = c.Host(sel.Host)
	}
	if err == nil {
		// The instance as this operation knows it, with the network
		// cache the rebind wrote: the row re-read by Rebind carries what
		// the host reported during the move (a power state of the copy
		// the source stopped), which must not reach the destination.
		cp := *inst
		cp.SystemMetadata = cur.SystemMetadata
		cp.Flavor = newFlavor
		err = dest.FinishMigration(ctx, core.Spec(&cp, nil, ""), dm, powerOn)
	}
	if err != nil {
		if !c.Stopping() {
			// Bring the source copy back so that the instance is whole
			// where its row says it is, its ports with it.
			src.RevertMigration(context.WithoutCancel(ctx), dm, false)
			c.RebindOrLog(context.WithoutCancel(ctx), inst, source)
		}
		fail(finishDest, err)
		return
	}
	at := c.Place(sel)
	p := driver.Shutdown
	if powerOn {
		p = driver.Running
	}
	// The migration is finished before the instance shows VERIFY_RESIZE,
	// as Nova's finish_resize saves them in that order: a client that
	// confirms or reverts the moment it sees the state finds the
	// migration those actions look for.
	c.SetMigration(mig.UUID, "finished", nil)
	_, err = c.Finish(inst.ID, compute.Outcome{VMState: compute.VMResized, Power: &p,
		Place: at,
		Apply: func(i *compute.Instance) {
			old, nf := oldFlavor, newFlavor
			i.Flavor, i.OldFlavor, i.NewFlavor = newFlavor, &old, &nf
		}})
	finishDest(err)
}

// Confirm removes the source copy and frees the migration's claim.
func (c *Mover) Confirm(ctx context.Context, op compute.Op, inst *compute.Instance) {
	mig, err := c.Migration(ctx, op, inst, "confirming", "finished")
	if err != nil {
		c.FailOp(inst.ID, "", err)
		return
	}
	finish := c.Event(ctx, inst, op.Caller.RequestID, "compute_confirm_resize", mig.SourceCompute)
	dm := c.DriverMigration(mig, inst)
	src, err := c.Host(mig.SourceCompute)
	if err == nil {
		err = src.ConfirmMigration(ctx, dm)
		if driver.IsNotFound(err) {
			err = nil
		}
	}
	if err != nil {
		c.Fail(finish, inst.ID, compute.VMError, err)
		return
	}
	c.FreeAllocations(mig.UUID)
	c.SetMigration(mig.UUID, "confirmed", nil)
	_, err = c.Finish(inst.ID, compute.Outcome{Apply: func(i *compute.Instance) {
		i.OldFlavor, i.NewFlavor = nil, nil
		delete(i.SystemMetadata, sysmeta.OldVMState)
		// The guest stays as it is on the destination: vm_state
		// follows its power state.
		i.VMState = compute.VMActive
		if i.PowerState != int(driver.Running) {
			i.VMState = compute.VMStopped
		}
	}})
	finish(err)
}

// Revert destroys the destination copy, gives the source claim back to
// the instance and brings the source copy back with the old flavor.
func (c *Mover) Revert(ctx context.Context, op compute.Op, inst *compute.Instance) {
	mig, err := c.Migration(ctx, op, inst, "reverting", "finished")
	if err != nil {
		c.FailOp(inst.ID, "", err)
		return
	}
	reqID := op.Caller.RequestID
	finish := c.Event(ctx, inst, reqID, "compute_revert_resize", mig.DestCompute)
	// Nova's finish_revert_resize: the source comes back as it was
	// before the resize (old_vm_state), running unless it was stopped.
	// Without the key (a resize begun before it was kept) the current
	// power state decides.
	powerOn := inst.PowerState == int(driver.Running)
	if old, ok := inst.SystemMetadata[sysmeta.OldVMState]; ok {
		powerOn = old != compute.VMStopped
	}
	dm := c.DriverMigration(mig, inst)
	fail := func(finish func(error), err error) {
		if c.Stopping() {
			return
		}
		finish(err)
		c.SetMigration(mig.UUID, "error", nil)
		c.FailOp(inst.ID, compute.VMError, err)
	}
	dest, err := c.Host(mig.DestCompute)
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
	finishSrc := c.Event(ctx, inst, reqID, "compute_finish_revert_resize", mig.SourceCompute)
	if err := c.MoveAllocations(ctx, mig.UUID, inst.ID, ""); err != nil {
		fail(finishSrc, err)
		return
	}
	// The ports go back to the source before its guest is powered on
	// again (Nova's finish_revert_resize).
	_, err = c.Rebind(ctx, inst, mig.SourceCompute)
	var src hostrpc.Host
	if err == nil {
		src, err = c.Host(mig.SourceCompute)
	}
	if err == nil {
		err = src.RevertMigration(ctx, dm, powerOn)
	}
	if err != nil {
		fail(finishSrc, err)
		return
	}
	c.SetMigration(mig.UUID, "reverted", nil)
	o := core.UpOrStopped(!powerOn)
	o.Place = &compute.Place{Host: mig.SourceCompute, Node: mig.SourceNode}
	o.Apply = func(i *compute.Instance) {
		if i.OldFlavor != nil {
			i.Flavor = *i.OldFlavor
		}
		i.OldFlavor, i.NewFlavor = nil, nil
		delete(i.SystemMetadata, sysmeta.OldVMState)
	}
	_, err = c.Finish(inst.ID, o)
	finishSrc(err)
}

// claimMoveDest claims a destination other than inst's host for a live
// migration or an evacuation (same flavor), finishes the conductor's event
// and records source and destination in the migration, which moves to
// status. On failure the migration is in error, the instance has its fault,
// and ok is false.
func (c *Mover) claimMoveDest(ctx context.Context, op compute.Op, inst *compute.Instance, mig *compute.Migration,
	finish func(error), status string) (sel scheduler.Selection, ok bool) {
	source, sourceNode := inst.Host, inst.Node
	sel, err := c.claimDest(ctx, inst, mig, c.MoveSpec(ctx, inst, inst.Flavor, op.Host, []string{source}))
	if err != nil {
		if c.Stopping() {
			return sel, false
		}
		finish(err)
		c.SetMigration(mig.UUID, "error", nil)
		c.FailOp(inst.ID, "", err)
		return sel, false
	}
	finish(nil)
	c.SetMigration(mig.UUID, status, func(m *compute.Migration) {
		m.SourceCompute, m.SourceNode = source, sourceNode
		m.DestCompute, m.DestNode, m.DestHost = sel.Host, sel.Node, sel.Host
		m.OldFlavorID, m.NewFlavorID = inst.Flavor.ID, inst.Flavor.ID
	})
	return sel, true
}

// LiveMigrate moves a running guest: PrepareLiveMigration on the
// destination, LiveMigrate on the source, FinishLiveMigration on the
// destination. The migration goes queued → preparing → running →
// completed, or error; a failure before the guest moved rolls back and
// keeps the instance as it was.
func (c *Mover) LiveMigrate(ctx context.Context, op compute.Op, inst *compute.Instance) {
	reqID := op.Caller.RequestID
	finish := c.Event(ctx, inst, reqID, "conductor_live_migrate_instance", "")
	mig, err := c.Migration(ctx, op, inst, "accepted", "queued")
	if err != nil {
		finish(err)
		c.FailOp(inst.ID, "", err)
		return
	}
	source := inst.Host
	c.SetMigration(mig.UUID, "queued", nil)
	sel, ok := c.claimMoveDest(ctx, op, inst, mig, finish, "preparing")
	if !ok {
		return
	}
	rollback := func(finish func(error), err error) {
		if c.Stopping() {
			return
		}
		finish(err)
		c.FreeAllocations(inst.ID)
		c.Unclaim(inst.ID, mig.UUID)
		c.SetMigration(mig.UUID, "error", nil)
		c.FailOp(inst.ID, "", err)
	}
	dm := driver.Migration{ID: mig.UUID, Instance: inst.ID, Source: source, Dest: sel.Host, NewFlavor: core.DriverFlavor(inst.Flavor)}
	finishPre := c.Event(ctx, inst, reqID, "compute_pre_live_migration", sel.Host)
	dest, err := c.Host(sel.Host)
	if err == nil {
		err = dest.PrepareLiveMigration(ctx, core.Spec(inst, nil, ""), &dm)
	}
	if err != nil {
		rollback(finishPre, err)
		return
	}
	finishPre(nil)
	c.SetMigration(mig.UUID, "running", func(m *compute.Migration) { m.DestHost = dm.DestAddr })
	finishLive := c.Event(ctx, inst, reqID, "compute_live_migration", source)
	src, err := c.Host(source)
	if err == nil {
		err = src.LiveMigrate(ctx, &dm)
	}
	if err != nil {
		if !c.Stopping() {
			dest.AbortLiveMigration(context.WithoutCancel(ctx), dm)
		}
		rollback(finishLive, err)
		return
	}
	finishLive(nil)
	// The guest runs on the destination now: its ports follow it (Nova
	// activates the destination's port bindings in post_live_migration).
	// A failure cannot bring the guest back; it is logged.
	c.RebindOrLog(ctx, inst, sel.Host)
	finishPost := c.Event(ctx, inst, reqID, "compute_post_live_migration_at_destination", sel.Host)
	if err := dest.FinishLiveMigration(ctx, dm); err != nil {
		if c.Stopping() {
			return
		}
		// The guest has left the source: it is the destination's now,
		// whatever state it is in.
		finishPost(err)
		c.FreeAllocations(mig.UUID)
		c.SetMigration(mig.UUID, "error", nil)
		c.Finish(inst.ID, compute.Outcome{VMState: compute.VMError, Fault: c.Fault(err),
			Place: &compute.Place{Host: sel.Host, Node: sel.Node}})
		return
	}
	c.FreeAllocations(mig.UUID)
	c.SetMigration(mig.UUID, "completed", func(m *compute.Migration) {
		m.MemoryTotal, m.MemoryProc, m.MemoryRemain = inst.Flavor.RAM<<20, inst.Flavor.RAM<<20, 0
	})
	at := c.Place(sel)
	_, err = c.Finish(inst.ID, compute.Outcome{Place: at})
	finishPost(err)
}

// Evacuate rebuilds an instance of a failed host on another one. The
// copy left on the failed host is destroyed when that host reports again
// (the power sync reaps guests whose instance lives elsewhere).
func (c *Mover) Evacuate(ctx context.Context, op compute.Op, inst *compute.Instance) {
	reqID := op.Caller.RequestID
	finish := c.Event(ctx, inst, reqID, "conductor_rebuild_server", "")
	mig, err := c.Migration(ctx, op, inst, "accepted", "pre-migrating")
	if err != nil {
		finish(err)
		c.FailOp(inst.ID, "", err)
		return
	}
	sel, ok := c.claimMoveDest(ctx, op, inst, mig, finish, "pre-migrating")
	if !ok {
		return
	}
	wasStopped := inst.VMState == compute.VMStopped
	at := c.Place(sel)
	cur, err := compute.Step(ctx, c.Store, inst.ID, func(i *compute.Instance) error {
		at.Put(i)
		i.TaskState = compute.TaskRebuildSpawning
		return nil
	})
	if err != nil {
		c.FreeAllocations(inst.ID)
		c.FreeAllocations(mig.UUID)
		return
	}
	finishDest := c.Event(ctx, cur, reqID, "compute_rebuild_instance", sel.Host)
	// The failed host's bindings move to the destination before the
	// guest is spawned there with them.
	cur, err = c.Rebind(ctx, cur, sel.Host)
	var dest hostrpc.Host
	if err == nil {
		dest, err = c.Host(sel.Host)
	}
	if err == nil {
		err = dest.Spawn(ctx, core.Spec(cur, nil, op.AdminPassword))
	}
	if err == nil && wasStopped {
		err = dest.PowerOff(ctx, inst.ID, 0)
	}
	if err != nil {
		if c.Stopping() {
			return
		}
		finishDest(err)
		c.FreeAllocations(mig.UUID)
		c.SetMigration(mig.UUID, "failed", nil)
		c.FailOp(inst.ID, compute.VMError, err)
		return
	}
	c.FreeAllocations(mig.UUID)
	c.SetMigration(mig.UUID, "done", nil)
	now := c.Now().UTC()
	o := core.UpOrStopped(wasStopped)
	o.LaunchedAt, o.ClearFault = &now, true
	_, err = c.Finish(inst.ID, o)
	finishDest(err)
}

// RecoverResize rolls an interrupted resize or cold migration back to the
// source, or puts the instance in ERROR when that is not possible.
func (c *Mover) RecoverResize(ctx context.Context, inst *compute.Instance) {
	mig, err := c.Migration(ctx, compute.Op{}, inst, "pre-migrating", "accepted", "migrating", "post-migrating")
	if err != nil {
		c.FailOp(inst.ID, compute.VMError, fmt.Errorf("interrupted %s", inst.TaskState))
		return
	}
	source := mig.SourceCompute
	if source == "" {
		source = inst.Host
	}
	if mig.DestCompute != "" && mig.DestCompute != source {
		if h, err := c.Host(mig.DestCompute); err == nil {
			h.Destroy(ctx, inst.ID)
		}
	}
	c.FreeAllocations(inst.ID)
	c.Unclaim(inst.ID, mig.UUID)
	c.SetMigration(mig.UUID, "error", nil)
	// The ports may have been bound to the destination already.
	c.RebindOrLog(ctx, inst, source)
	h, err := c.Host(source)
	var info driver.InstanceInfo
	if err == nil {
		if dm := c.DriverMigration(mig, inst); len(dm.Data) > 0 {
			h.RevertMigration(ctx, dm, inst.VMState != compute.VMStopped)
		}
		info, err = h.Info(ctx, inst.ID)
	}
	cause := fmt.Errorf("resize interrupted during %s and rolled back", inst.TaskState)
	if err != nil {
		c.FailOp(inst.ID, compute.VMError, cause)
		return
	}
	c.Finish(inst.ID, compute.Outcome{Observed: &info, Fault: c.Fault(cause), Apply: func(i *compute.Instance) {
		i.Host = source
		if mig.SourceNode != "" {
			i.Node = mig.SourceNode
		}
		i.NewFlavor = nil
	}})
}

// RecoverLiveMigration settles an interrupted live migration where the
// guest is: still on the source (rolled back) or arrived at the
// destination (finished).
func (c *Mover) RecoverLiveMigration(ctx context.Context, inst *compute.Instance) {
	mig, err := c.Migration(ctx, compute.Op{}, inst, "queued", "accepted", "preparing", "running")
	if err != nil {
		c.RecoverObserved(ctx, inst)
		return
	}
	dm := c.DriverMigration(mig, inst)
	if mig.DestCompute != "" {
		if dest, err := c.Host(mig.DestCompute); err == nil {
			if info, err := dest.Info(ctx, inst.ID); err == nil && !info.Migrating {
				// The guest arrived: the move is done, its ports with it.
				c.RebindOrLog(ctx, inst, mig.DestCompute)
				c.FreeAllocations(mig.UUID)
				c.SetMigration(mig.UUID, "completed", nil)
				c.Finish(inst.ID, compute.Outcome{Observed: &info,
					Place: &compute.Place{Host: mig.DestCompute, Node: mig.DestNode}})
				return
			} else if err == nil {
				if err := dest.FinishLiveMigration(ctx, dm); err == nil {
					c.RebindOrLog(ctx, inst, mig.DestCompute)
					c.FreeAllocations(mig.UUID)
					c.SetMigration(mig.UUID, "completed", nil)
					c.Finish(inst.ID, compute.Outcome{Place: &compute.Place{Host: mig.DestCompute, Node: mig.DestNode}})
					return
				}
				dest.AbortLiveMigration(ctx, dm)
			}
		}
	}
	c.FreeAllocations(inst.ID)
	c.Unclaim(inst.ID, mig.UUID)
	c.SetMigration(mig.UUID, "error", nil)
	c.RebindOrLog(ctx, inst, inst.Host)
	c.RecoverObserved(ctx, inst)
}
