package conductor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/claim"
	"github.com/gostack/gostack/internal/compute/conductor/heal"
	"github.com/gostack/gostack/internal/compute/driver"
)

// taskStates are every task_state an operation sets.
var taskStates = []string{
	compute.TaskScheduling, compute.TaskBlockDeviceMapping, compute.TaskNetworking, compute.TaskSpawning,
	compute.TaskImageSnapshot, compute.TaskImageSnapshotPend, compute.TaskImagePendingUpload, compute.TaskImageUploading,
	compute.TaskImageBackup, compute.TaskUpdatingPassword, compute.TaskResizePrep, compute.TaskResizeMigrating,
	compute.TaskResizeMigrated, compute.TaskResizeFinish, compute.TaskResizeReverting, compute.TaskResizeConfirming,
	compute.TaskRebooting, compute.TaskRebootPending, compute.TaskRebootStarted, compute.TaskRebootingHard,
	compute.TaskRebootPendingHard, compute.TaskRebootStartedHard, compute.TaskPausing, compute.TaskUnpausing,
	compute.TaskSuspending, compute.TaskResuming, compute.TaskPoweringOff, compute.TaskPoweringOn,
	compute.TaskRescuing, compute.TaskUnrescuing, compute.TaskRebuilding, compute.TaskRebuildBDM,
	compute.TaskRebuildSpawning, compute.TaskMigrating, compute.TaskDeleting, compute.TaskSoftDeleting,
	compute.TaskRestoring, compute.TaskShelving, compute.TaskShelvingImagePend, compute.TaskShelvingImageUpload,
	compute.TaskShelvingOffloading, compute.TaskUnshelving,
}

// Nova's control-plane service binaries, registered by Recover.
const (
	binConductor = "nova-conductor"
	binScheduler = "nova-scheduler"
)

// healEvery bounds how long Placement may drift when nothing else
// prompts a check.
const healEvery = 10 * time.Minute

// recover is Conductor.Recover.
func (c *ops) recover(ctx context.Context) error {
	if !c.recMu.TryLock() {
		return nil
	}
	defer c.recMu.Unlock()
	if err := c.registerServices(ctx); err != nil {
		return err
	}
	// Interrupted operations are re-run once the agents of this process
	// serve their hosts: at start-up they subscribe a moment after the
	// conductor, and an operation should not spend that moment waiting.
	c.AwaitAgents(ctx)
	found, err := c.settleStuck(ctx)
	if err != nil {
		return err
	}
	if err := c.offloadShelved(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	due := c.lastHeal.IsZero() || c.healNext || c.Now().Sub(c.lastHeal) > healEvery
	c.healNext = found > 0
	c.mu.Unlock()
	if !due || c.Cfg.Placement == nil {
		return nil
	}
	if err := heal.Run(ctx, c.Base); err != nil {
		return err
	}
	// Ports left by a crash between a port's creation and its instance's
	// delete, or by a delete that could not reach the network service.
	if err := c.HealPorts(ctx); err != nil {
		c.Log.Warn("conductor: heal ports", "err", err)
	}
	c.mu.Lock()
	c.lastHeal = c.Now()
	c.mu.Unlock()
	return nil
}

// registerServices writes the control plane's service rows once.
func (c *ops) registerServices(ctx context.Context) error {
	c.mu.Lock()
	done := c.regDone
	c.mu.Unlock()
	if done || c.Cfg.HostName == "" {
		return nil
	}
	for _, bin := range []string{binConductor, binScheduler} {
		if _, err := c.Store.UpsertService(ctx, &compute.HostService{Host: c.Cfg.HostName, Binary: bin, Zone: "internal"}); err != nil {
			return fmt.Errorf("register %s: %w", bin, err)
		}
	}
	c.mu.Lock()
	c.regDone = true
	c.mu.Unlock()
	return nil
}

// settleStuck queues the repair of every orphaned unfinished instance and
// returns how many it found.
func (c *ops) settleStuck(ctx context.Context) (int, error) {
	building, err := c.Store.ListInstances(ctx, compute.InstanceFilter{VMStates: []string{compute.VMBuilding}})
	if err != nil {
		return 0, err
	}
	tasked, err := c.Store.ListInstances(ctx, compute.InstanceFilter{TaskStates: taskStates})
	if err != nil {
		return 0, err
	}
	// The claims are read after the instances: an instance accepted
	// meanwhile is claimed already, or new enough to be left alone.
	view, err := c.Cfg.Claims.View(ctx)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	n := 0
	for _, list := range [][]compute.Instance{building, tasked} {
		for i := range list {
			inst := list[i]
			if seen[inst.ID] || inst.Deleted {
				continue
			}
			seen[inst.ID] = true
			if !c.orphan(ctx, view, &inst) {
				continue
			}
			n++
			c.Enqueue(inst.ID, func(ctx context.Context) { c.settle(ctx, &inst) })
		}
	}
	view.Sweep(ctx, seen, c.Busy)
	return n, nil
}

// orphan reports whether an unfinished instance is to be repaired here:
// core.Orphan's rule for a conductor alone; with claims, the instance
// is also claimed here, unless a live conductor has it (claim.View.Take).
func (c *ops) orphan(ctx context.Context, view *claim.View, inst *compute.Instance) bool {
	if view == nil {
		return c.Orphan(inst)
	}
	return !c.Busy(inst.ID) && view.Take(ctx, inst, c.Now().Sub(inst.UpdatedAt) > c.Cfg.RecoverGrace)
}

// settle repairs one instance, unless it changed since Recover saw it.
func (c *ops) settle(ctx context.Context, seen *compute.Instance) {
	inst, err := c.Store.GetInstance(ctx, seen.ID)
	if err != nil || inst.Deleted || !inst.UpdatedAt.Equal(seen.UpdatedAt) {
		return
	}
	c.Log.Info("conductor: recovering an unfinished instance", "instance", inst.ID,
		"vm_state", inst.VMState, "task_state", inst.TaskState, "host", inst.Host)
	switch {
	case inst.TaskState == compute.TaskDeleting || inst.TaskState == compute.TaskSoftDeleting:
		c.opDelete(ctx, compute.Op{Kind: compute.OpDelete, InstanceID: inst.ID}, inst)
	case inst.VMState == compute.VMBuilding:
		c.builds.Recover(ctx, inst)
	case inst.TaskState == compute.TaskResizeConfirming:
		if m, err := c.Migration(ctx, compute.Op{}, inst, "confirming", "finished"); err == nil {
			c.moves.Confirm(ctx, compute.Op{Kind: compute.OpConfirmResize, InstanceID: inst.ID, MigrationUUID: m.UUID}, inst)
		} else {
			c.FailOp(inst.ID, compute.VMError, err)
		}
	case inst.TaskState == compute.TaskResizeReverting:
		if m, err := c.Migration(ctx, compute.Op{}, inst, "reverting", "finished"); err == nil {
			c.moves.Revert(ctx, compute.Op{Kind: compute.OpRevertResize, InstanceID: inst.ID, MigrationUUID: m.UUID}, inst)
		} else {
			c.FailOp(inst.ID, compute.VMError, err)
		}
	case inst.TaskState == compute.TaskResizePrep || inst.TaskState == compute.TaskResizeMigrating ||
		inst.TaskState == compute.TaskResizeMigrated || inst.TaskState == compute.TaskResizeFinish:
		c.moves.RecoverResize(ctx, inst)
	case inst.TaskState == compute.TaskMigrating:
		c.moves.RecoverLiveMigration(ctx, inst)
	case inst.TaskState == compute.TaskShelvingOffloading:
		c.offload(ctx, compute.Op{Kind: compute.OpShelveOffload, InstanceID: inst.ID}, inst)
	case inst.TaskState == compute.TaskUnshelving || inst.TaskState == compute.TaskSpawning:
		c.recoverUnshelve(ctx, inst)
	default:
		c.RecoverObserved(ctx, inst)
	}
}

// recoverUnshelve settles an interrupted unshelve: ACTIVE if the guest
// runs on the chosen host, else back to SHELVED_OFFLOADED.
func (c *ops) recoverUnshelve(ctx context.Context, inst *compute.Instance) {
	if inst.Host != "" {
		h, err := c.Host(inst.Host)
		var info driver.InstanceInfo
		if err == nil {
			info, err = h.Info(ctx, inst.ID)
		}
		if err == nil && info.PowerState == driver.Running {
			c.Finish(inst.ID, compute.Outcome{VMState: compute.VMActive, Power: compute.Power(driver.Running)})
			return
		}
		if err != nil && !driver.IsNotFound(err) && !c.Tried(inst.ID) {
			return
		}
		if h != nil {
			h.Destroy(ctx, inst.ID)
		}
	}
	c.Forget(inst.ID)
	c.FreeAllocations(inst.ID)
	c.Finish(inst.ID, compute.Outcome{VMState: compute.VMShelvedOf, Power: compute.Power(driver.Shutdown),
		Place: &compute.Place{}, Fault: c.Fault(errors.New("unshelve interrupted"))})
}

// offloadShelved offloads instances shelved longer than
// ShelvedOffloadTime (Nova's _poll_shelved_instances).
func (c *ops) offloadShelved(ctx context.Context) error {
	if c.Cfg.ShelvedOffloadTime <= 0 {
		return nil
	}
	insts, err := c.Store.ListInstances(ctx, compute.InstanceFilter{VMStates: []string{compute.VMShelved}})
	if err != nil {
		return err
	}
	for i := range insts {
		inst := insts[i]
		if inst.TaskState != "" || c.Busy(inst.ID) || c.Now().Sub(inst.UpdatedAt) < c.Cfg.ShelvedOffloadTime {
			continue
		}
		c.Enqueue(inst.ID, func(ctx context.Context) {
			cur, err := c.Store.GetInstance(ctx, inst.ID)
			if err != nil || compute.Gone(cur) || cur.VMState != compute.VMShelved || cur.TaskState != "" {
				return
			}
			c.offload(ctx, compute.Op{Kind: compute.OpShelveOffload, InstanceID: cur.ID}, cur)
		})
	}
	return nil
}
