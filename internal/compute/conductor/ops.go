package conductor

import (
	"context"
	"errors"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Run carries out op in the background, after the operations already
// queued for the same instance. A delete also cancels a build in
// progress, which then cleans up what it had made.
func (c *Conductor) Run(_ context.Context, op compute.Op) {
	if op.Kind == compute.OpDelete {
		c.cancelBuild(op.InstanceID)
	}
	c.enqueue(op.InstanceID, func(ctx context.Context) { c.run(ctx, op) })
}

func (c *Conductor) run(ctx context.Context, op compute.Op) {
	inst, err := c.store.GetInstance(ctx, op.InstanceID)
	if err != nil {
		if !errors.Is(err, apierr.ErrNotFound) {
			c.log.Error("conductor: read instance", "instance", op.InstanceID, "op", op.Kind, "err", err)
		}
		return
	}
	if inst.Deleted {
		return
	}
	if op.Kind != compute.OpDelete && compute.Gone(inst) {
		return // a delete is queued behind us
	}
	switch op.Kind {
	case compute.OpDelete:
		c.opDelete(ctx, op, inst)
	case compute.OpStop, compute.OpStart, compute.OpReboot, compute.OpPause, compute.OpUnpause,
		compute.OpSuspend, compute.OpResume, compute.OpRescue, compute.OpUnrescue:
		c.opPower(ctx, op, inst)
	case compute.OpRebuild:
		c.opRebuild(ctx, op, inst)
	case compute.OpResize, compute.OpMigrate:
		c.opResize(ctx, op, inst)
	case compute.OpConfirmResize:
		c.opConfirm(ctx, op, inst)
	case compute.OpRevertResize:
		c.opRevert(ctx, op, inst)
	case compute.OpLiveMigrate:
		c.opLiveMigrate(ctx, op, inst)
	case compute.OpEvacuate:
		c.opEvacuate(ctx, op, inst)
	case compute.OpShelve:
		c.opShelve(ctx, op, inst)
	case compute.OpShelveOffload:
		c.opShelveOffload(ctx, op, inst)
	case compute.OpUnshelve:
		c.opUnshelve(ctx, op, inst)
	case compute.OpSnapshot, compute.OpBackup:
		c.opSnapshot(ctx, op, inst)
	case compute.OpChangePassword:
		c.opChangePassword(ctx, op, inst)
	case compute.OpCrashDump:
		c.opCrashDump(ctx, op, inst)
	default:
		c.failOp(inst.ID, "", apierr.NotImplemented("The %s action is not implemented.", op.Kind))
	}
}

// finish ends the operation on instance id with o (compute.Finish), in
// a context that outlives the operation's cancellation. A failure to
// write it is logged; a delete that won (ErrGone) or a state that moved
// on (ErrStale) is not a failure.
func (c *Conductor) finish(id string, o compute.Outcome) (*compute.Instance, error) {
	ctx, cancel := c.dbctx()
	defer cancel()
	inst, err := compute.Finish(ctx, c.store, id, o)
	if err != nil && !errors.Is(err, compute.ErrGone) && !errors.Is(err, compute.ErrStale) {
		c.log.Error("conductor: record outcome", "instance", id, "err", err)
	}
	return inst, err
}

// upOrStopped is the outcome of an operation that leaves the guest
// running (ACTIVE), or stopped (SHUTOFF) when stopped is set.
func upOrStopped(stopped bool) compute.Outcome {
	if stopped {
		return compute.Outcome{VMState: compute.VMStopped, Power: compute.Power(driver.Shutdown)}
	}
	return compute.Outcome{VMState: compute.VMActive, Power: compute.Power(driver.Running)}
}

// fail ends a failed operation and its event: the event's error, then
// the instance's fault (failOp). While the conductor stops it writes
// neither: Recover finishes the operation.
func (c *Conductor) fail(finish func(error), id, vmState string, err error) {
	if c.stopping() {
		return
	}
	finish(err)
	c.failOp(id, vmState, err)
}

// failOp ends a failed operation: task_state cleared, a fault set, and
// vm_state set to vmState ("" keeps it).
func (c *Conductor) failOp(id, vmState string, cause error) {
	if c.stopping() {
		return
	}
	c.finish(id, compute.Outcome{VMState: vmState, Fault: c.fault(cause)})
}

// powerOp is one simple action: its event, the host call, and the end
// state.
type powerOp struct {
	event string
	call  func(h hostrpc.Host, ctx context.Context, uuid string) error
	vm    string
	power driver.PowerState
}

func (c *Conductor) powerOps(op compute.Op, inst *compute.Instance) powerOp {
	switch op.Kind {
	case compute.OpStop:
		return powerOp{"compute_stop_instance", func(h hostrpc.Host, ctx context.Context, id string) error {
			return h.PowerOff(ctx, id, c.cfg.ShutdownTimeout)
		}, compute.VMStopped, driver.Shutdown}
	case compute.OpStart:
		return powerOp{"compute_start_instance", hostrpc.Host.PowerOn, compute.VMActive, driver.Running}
	case compute.OpReboot:
		kind := op.RebootKind
		if kind == "" {
			kind = driver.Soft
		}
		return powerOp{"compute_reboot_instance", func(h hostrpc.Host, ctx context.Context, id string) error {
			return h.Reboot(ctx, id, kind)
		}, compute.VMActive, driver.Running}
	case compute.OpPause:
		return powerOp{"compute_pause_instance", hostrpc.Host.Pause, compute.VMPaused, driver.Paused}
	case compute.OpUnpause:
		return powerOp{"compute_unpause_instance", hostrpc.Host.Unpause, compute.VMActive, driver.Running}
	case compute.OpSuspend:
		return powerOp{"compute_suspend_instance", hostrpc.Host.Suspend, compute.VMSuspended, driver.Suspended}
	case compute.OpResume:
		return powerOp{"compute_resume_instance", hostrpc.Host.Resume, compute.VMActive, driver.Running}
	case compute.OpRescue:
		r := driver.RescueSpec{Image: driverImage(inst.ImageRef, op.Image), AdminPassword: op.AdminPassword}
		return powerOp{"compute_rescue_instance", func(h hostrpc.Host, ctx context.Context, id string) error {
			return h.Rescue(ctx, id, r)
		}, compute.VMRescued, driver.Running}
	default: // OpUnrescue
		return powerOp{"compute_unrescue_instance", hostrpc.Host.Unrescue, compute.VMActive, driver.Running}
	}
}

// opPower runs stop, start, reboot, pause, unpause, suspend, resume,
// rescue and unrescue. A failure keeps vm_state (Nova's
// reverts_task_state) with a fault, except a failed reboot that left the
// guest down, which is ERROR as in Nova.
func (c *Conductor) opPower(ctx context.Context, op compute.Op, inst *compute.Instance) {
	p := c.powerOps(op, inst)
	finish := c.event(ctx, inst, op.Caller.RequestID, p.event, inst.Host)
	h, err := c.host(inst.Host)
	if err == nil {
		err = p.call(h, ctx, inst.ID)
	}
	if err != nil {
		if c.stopping() {
			return
		}
		finish(err)
		vm := ""
		if op.Kind == compute.OpReboot {
			vm = compute.VMError
			if info, ierr := h.Info(ctx, inst.ID); ierr == nil && info.PowerState == driver.Running {
				vm = compute.VMActive
			}
		}
		c.failOp(inst.ID, vm, err)
		return
	}
	_, err = c.finish(inst.ID, compute.Outcome{VMState: p.vm, Power: &p.power,
		ClearFault: op.Kind == compute.OpStart || op.Kind == compute.OpReboot})
	finish(err)
}

// opDelete destroys the instance wherever it has a copy (its host, and
// both ends of an unfinished migration), frees its allocations and the
// migrations', and marks it deleted (Nova's terminate_instance). A host
// that cannot destroy it leaves the instance in ERROR, as in Nova.
func (c *Conductor) opDelete(ctx context.Context, op compute.Op, inst *compute.Instance) {
	finish := c.event(ctx, inst, op.Caller.RequestID, "compute_terminate_instance", inst.Host)
	hosts := []string{}
	if inst.Host != "" {
		hosts = append(hosts, inst.Host)
	}
	consumers := []string{inst.ID}
	migs, _ := c.store.ListMigrations(ctx, compute.MigrationFilter{InstanceID: inst.ID})
	for _, m := range migs {
		if !migrationOpen(m.Status) {
			continue
		}
		consumers = append(consumers, m.UUID)
		for _, hn := range []string{m.SourceCompute, m.DestCompute} {
			if hn != "" && !contains(hosts, hn) {
				hosts = append(hosts, hn)
			}
		}
	}
	var derr error
	for _, hn := range hosts {
		if err := c.destroyEverywhere(ctx, hn, inst.ID); err != nil {
			derr = err
		}
	}
	if derr != nil {
		if c.stopping() {
			return
		}
		finish(derr)
		c.finish(inst.ID, compute.Outcome{Deleting: true, VMState: compute.VMError, Fault: c.fault(derr)})
		return
	}
	for _, cons := range consumers {
		c.freeAllocations(cons)
	}
	now := c.now().UTC()
	_, err := c.finish(inst.ID, compute.Outcome{Deleted: &now,
		VMState: compute.VMDeleted, Power: compute.Power(driver.NoState)})
	for _, m := range migs {
		if migrationOpen(m.Status) {
			c.setMigration(m.UUID, "error", nil)
		}
	}
	finish(err)
}

// destroyEverywhere destroys every copy of an instance on a host: the
// instance and, during a resize to the same host, the source copy.
func (c *Conductor) destroyEverywhere(ctx context.Context, hostName, id string) error {
	h, err := c.host(hostName)
	if err != nil {
		// No agent for the host (it was removed): Nova's local delete.
		c.log.Warn("conductor: no agent to destroy on; deleting locally", "instance", id, "host", hostName, "err", err)
		return nil
	}
	return c.destroy(ctx, h, id)
}

// busyRetry is how long a destroy waits for an operation still running
// on the host (a spawn the delete cancelled here may not have seen the
// cancellation yet on a remote agent) before it gives up.
const busyRetry = 2 * time.Minute

// destroy destroys the instance on h; one already gone is success. While
// the host says the instance is busy with another operation, it tries
// again with a growing pause: a delete must win over a build or an action
// still finishing on the host, as Nova's terminate waits for the instance
// lock.
func (c *Conductor) destroy(ctx context.Context, h interface {
	Destroy(context.Context, string) error
}, id string) error {
	deadline := c.now().Add(busyRetry)
	pause := 10 * time.Millisecond
	for {
		err := h.Destroy(ctx, id)
		if err == nil || driver.IsNotFound(err) {
			return nil
		}
		if !driver.IsBusy(err) || !c.now().Before(deadline) {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-c.ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		pause = min(2*pause, time.Second)
	}
}

// opRebuild recreates the root disk from the new image on the same host;
// a stopped instance is stopped again afterwards. A failure is ERROR, as
// in Nova.
func (c *Conductor) opRebuild(ctx context.Context, op compute.Op, inst *compute.Instance) {
	finish := c.event(ctx, inst, op.Caller.RequestID, "compute_rebuild_instance", inst.Host)
	wasStopped := inst.VMState == compute.VMStopped
	img := op.Image
	imageRef := inst.ImageRef
	if img != nil {
		imageRef = img.ID
	}
	h, err := c.host(inst.Host)
	if err == nil {
		_, err = compute.Step(ctx, c.store, inst.ID, func(i *compute.Instance) error {
			i.TaskState = compute.TaskRebuildSpawning
			return nil
		})
	}
	if err == nil {
		cp := *inst
		cp.ImageRef = imageRef
		err = h.Rebuild(ctx, c.spec(&cp, img, op.AdminPassword))
	}
	if err == nil && wasStopped {
		err = h.PowerOff(ctx, inst.ID, 0)
	}
	if err != nil {
		if c.stopping() || errors.Is(err, compute.ErrGone) {
			return
		}
		finish(err)
		c.failOp(inst.ID, compute.VMError, err)
		return
	}
	now := c.now().UTC()
	o := upOrStopped(wasStopped)
	o.LaunchedAt, o.ClearFault = &now, true
	o.Apply = func(i *compute.Instance) { i.ImageRef = imageRef }
	_, err = c.finish(inst.ID, o)
	finish(err)
}

// opChangePassword sets the admin password. No driver sets passwords in
// a guest (Nova's fake driver accepts and ignores it), so it succeeds for
// a running guest and is a fault otherwise.
func (c *Conductor) opChangePassword(ctx context.Context, op compute.Op, inst *compute.Instance) {
	finish := c.event(ctx, inst, op.Caller.RequestID, "compute_set_admin_password", inst.Host)
	err := c.requireRunning(ctx, inst, "set the admin password of")
	finish(err)
	if err != nil {
		c.failOp(inst.ID, "", err)
		return
	}
	c.finish(inst.ID, compute.Outcome{})
}

// opCrashDump injects an NMI. The drivers have no such operation; as
// Nova's fake driver it succeeds for a running guest.
func (c *Conductor) opCrashDump(ctx context.Context, op compute.Op, inst *compute.Instance) {
	finish := c.event(ctx, inst, op.Caller.RequestID, "compute_trigger_crash_dump", inst.Host)
	err := c.requireRunning(ctx, inst, "trigger a crash dump of")
	finish(err)
	if err != nil {
		c.failOp(inst.ID, "", err)
		return
	}
	c.finish(inst.ID, compute.Outcome{})
}

// requireRunning checks that the instance's guest is running.
func (c *Conductor) requireRunning(ctx context.Context, inst *compute.Instance, what string) error {
	h, err := c.host(inst.Host)
	if err != nil {
		return err
	}
	info, err := h.Info(ctx, inst.ID)
	if err != nil {
		return err
	}
	if info.PowerState != driver.Running {
		return driver.InvalidState(inst.ID, what, info.PowerState.String())
	}
	return nil
}

// migrationOpen reports whether a migration still holds resources.
func migrationOpen(status string) bool {
	switch status {
	case "confirmed", "reverted", "error", "failed", "done", "completed", "cancelled":
		return false
	}
	return true
}

// setMigration writes a migration's status and applies fn.
func (c *Conductor) setMigration(uuid, status string, fn func(*compute.Migration)) {
	if uuid == "" {
		return
	}
	ctx, cancel := c.dbctx()
	defer cancel()
	if _, err := c.store.UpdateMigration(ctx, uuid, func(m *compute.Migration) error {
		if status != "" {
			m.Status = status
		}
		if fn != nil {
			fn(m)
		}
		return nil
	}); err != nil {
		c.log.Warn("conductor: update migration", "migration", uuid, "err", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
