package conductor

import (
	"context"
	"errors"
	"slices"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/core"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/volumes"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// run carries out op on its instance as the store has it now: nothing
// for an instance deleted meanwhile, nor, but for the delete itself, for
// one whose delete has started.
func (c *ops) run(ctx context.Context, op compute.Op) {
	inst, err := c.Store.GetInstance(ctx, op.InstanceID)
	if err != nil {
		if !errors.Is(err, apierr.ErrNotFound) {
			c.Log.Error("conductor: read instance", "instance", op.InstanceID, "op", op.Kind, "err", err)
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
		c.moves.Resize(ctx, op, inst)
	case compute.OpConfirmResize:
		c.moves.Confirm(ctx, op, inst)
	case compute.OpRevertResize:
		c.moves.Revert(ctx, op, inst)
	case compute.OpLiveMigrate:
		c.moves.LiveMigrate(ctx, op, inst)
	case compute.OpEvacuate:
		c.moves.Evacuate(ctx, op, inst)
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
	case compute.OpAttachVolume:
		c.opAttachVolume(ctx, op, inst)
	case compute.OpDetachVolume:
		c.opDetachVolume(ctx, op, inst)
	case volumes.OpExtend:
		c.opExtendVolume(ctx, op, inst)
	case compute.OpRefreshNetwork:
		if err := c.RefreshNetwork(ctx, inst.ID); err != nil {
			c.Log.Warn("conductor: refresh the network info", "instance", inst.ID, "err", err)
		}
	default:
		c.FailOp(inst.ID, "", apierr.NotImplemented("The %s action is not implemented.", op.Kind))
	}
}

// powerOp is one simple action: its event, the host call, and the end
// state.
type powerOp struct {
	event string
	call  func(h hostrpc.Host, ctx context.Context, uuid string) error
	vm    string
	power driver.PowerState
}

func (c *ops) powerOps(op compute.Op, inst *compute.Instance) powerOp {
	switch op.Kind {
	case compute.OpStop:
		return powerOp{"compute_stop_instance", func(h hostrpc.Host, ctx context.Context, id string) error {
			return h.PowerOff(ctx, id, c.Cfg.ShutdownTimeout)
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
		r := driver.RescueSpec{Image: core.DriverImage(inst.ImageRef, op.Image), AdminPassword: op.AdminPassword}
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
func (c *ops) opPower(ctx context.Context, op compute.Op, inst *compute.Instance) {
	p := c.powerOps(op, inst)
	finish := c.Event(ctx, inst, op.Caller.RequestID, p.event, inst.Host)
	h, err := c.Host(inst.Host)
	if err == nil {
		err = p.call(h, ctx, inst.ID)
	}
	if err != nil {
		if c.Stopping() {
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
		c.FailOp(inst.ID, vm, err)
		return
	}
	_, err = c.Finish(inst.ID, compute.Outcome{VMState: p.vm, Power: &p.power,
		ClearFault: op.Kind == compute.OpStart || op.Kind == compute.OpReboot})
	finish(err)
}

// opDelete destroys the instance wherever it has a copy (its host, and
// both ends of an unfinished migration), frees its allocations and the
// migrations', and marks it deleted (Nova's terminate_instance). A host
// that cannot destroy it leaves the instance in ERROR, as in Nova. A host
// whose agent does not answer, after the wait for it, gets Nova's local
// delete: the instance is deleted and its allocations freed without it,
// and the guest is destroyed when the host reports again (Power reaps the
// guests of deleted instances). An accepted delete is never left undone
// because a host is away.
func (c *ops) opDelete(ctx context.Context, op compute.Op, inst *compute.Instance) {
	finish := c.Event(ctx, inst, op.Caller.RequestID, "compute_terminate_instance", inst.Host)
	hosts := []string{}
	if inst.Host != "" {
		hosts = append(hosts, inst.Host)
	}
	consumers := []string{inst.ID}
	migs, _ := c.Store.ListMigrations(ctx, compute.MigrationFilter{InstanceID: inst.ID})
	for _, m := range migs {
		if !core.MigrationOpen(m.Status) {
			continue
		}
		consumers = append(consumers, m.UUID)
		for _, hn := range []string{m.SourceCompute, m.DestCompute} {
			if hn != "" && !slices.Contains(hosts, hn) {
				hosts = append(hosts, hn)
			}
		}
	}
	var derr error
	for _, hn := range hosts {
		err := c.DestroyEverywhere(ctx, hn, inst.ID)
		if hostrpc.IsHostUnavailable(err) && !c.Stopping() {
			c.Log.Warn("conductor: the host's agent does not answer; deleting locally, the guest is destroyed when the host reports again",
				"instance", inst.ID, "host", hn, "err", err)
			continue
		}
		if err != nil {
			derr = err
		}
	}
	if derr != nil {
		if c.Stopping() {
			return
		}
		finish(derr)
		c.Finish(inst.ID, compute.Outcome{Deleting: true, VMState: compute.VMError, Fault: c.Fault(derr)})
		return
	}
	for _, cons := range consumers {
		c.FreeAllocations(cons)
	}
	// The ports go after the guest: compute's are deleted, the user's
	// unbound. What fails here the heal removes later.
	c.Unplug(ctx, inst)
	// Then the volumes: their attachments end, and those marked
	// delete_on_termination go.
	c.ReleaseVolumes(ctx, inst)
	now := c.Now().UTC()
	_, err := c.Finish(inst.ID, compute.Outcome{Deleted: &now,
		VMState: compute.VMDeleted, Power: compute.Power(driver.NoState)})
	for _, m := range migs {
		if core.MigrationOpen(m.Status) {
			c.SetMigration(m.UUID, "error", nil)
		}
	}
	finish(err)
}

// opRebuild recreates the root disk from the new image on the same host;
// a stopped instance is stopped again afterwards. A failure is ERROR, as
// in Nova.
func (c *ops) opRebuild(ctx context.Context, op compute.Op, inst *compute.Instance) {
	finish := c.Event(ctx, inst, op.Caller.RequestID, "compute_rebuild_instance", inst.Host)
	wasStopped := inst.VMState == compute.VMStopped
	img := op.Image
	imageRef := inst.ImageRef
	if img != nil {
		imageRef = img.ID
	}
	h, err := c.Host(inst.Host)
	if err == nil {
		_, err = compute.Step(ctx, c.Store, inst.ID, func(i *compute.Instance) error {
			i.TaskState = compute.TaskRebuildSpawning
			return nil
		})
	}
	if err == nil {
		cp := *inst
		cp.ImageRef = imageRef
		err = h.Rebuild(ctx, core.Spec(&cp, img, op.AdminPassword))
	}
	if err == nil && wasStopped {
		err = h.PowerOff(ctx, inst.ID, 0)
	}
	if err != nil {
		if c.Stopping() || errors.Is(err, compute.ErrGone) {
			return
		}
		finish(err)
		c.FailOp(inst.ID, compute.VMError, err)
		return
	}
	now := c.Now().UTC()
	o := core.UpOrStopped(wasStopped)
	o.LaunchedAt, o.ClearFault = &now, true
	o.Apply = func(i *compute.Instance) { i.ImageRef = imageRef }
	_, err = c.Finish(inst.ID, o)
	finish(err)
}

// opChangePassword sets the admin password. No driver sets passwords in
// a guest (Nova's fake driver accepts and ignores it), so it succeeds for
// a running guest and is a fault otherwise.
func (c *ops) opChangePassword(ctx context.Context, op compute.Op, inst *compute.Instance) {
	finish := c.Event(ctx, inst, op.Caller.RequestID, "compute_set_admin_password", inst.Host)
	err := c.requireRunning(ctx, inst, "set the admin password of")
	finish(err)
	if err != nil {
		c.FailOp(inst.ID, "", err)
		return
	}
	c.Finish(inst.ID, compute.Outcome{})
}

// opCrashDump injects an NMI. The drivers have no such operation; as
// Nova's fake driver it succeeds for a running guest.
func (c *ops) opCrashDump(ctx context.Context, op compute.Op, inst *compute.Instance) {
	finish := c.Event(ctx, inst, op.Caller.RequestID, "compute_trigger_crash_dump", inst.Host)
	err := c.requireRunning(ctx, inst, "trigger a crash dump of")
	finish(err)
	if err != nil {
		c.FailOp(inst.ID, "", err)
		return
	}
	c.Finish(inst.ID, compute.Outcome{})
}

// requireRunning checks that the instance's guest is running.
func (c *ops) requireRunning(ctx context.Context, inst *compute.Instance, what string) error {
	h, err := c.Host(inst.Host)
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
