package conductor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/platform/apierr"
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

// healEvery bounds how long Placement may drift when nothing else
// prompts a check.
const healEvery = 10 * time.Minute

// maxRecoverTries is how many times Recover retries an instance whose
// host does not answer before giving up on it (ERROR).
const maxRecoverTries = 3

// Recover repairs what a crash (or a lost message) left unfinished: an
// instance building without a host is scheduled again; one building on a
// host is made ACTIVE if its guest runs there, spawned again otherwise;
// an instance left with a task_state is settled from what its host
// reports (a delete is finished, a resize is rolled back). Then Placement
// is healed: every live instance with a host has its allocation, and
// allocations of deleted instances and finished migrations are removed.
//
// The cloud calls it at start and then periodically (a worker.Group
// periodic worker: it matches worker.Func). Instances with work queued
// or running in this conductor, or changed within RecoverGrace since this
// conductor started, are left alone. When nothing is stuck it costs two
// indexed queries; the Placement check runs at start, after a run that
// found work, and every ten minutes.
func (c *Conductor) Recover(ctx context.Context) error {
	if !c.recMu.TryLock() {
		return nil
	}
	defer c.recMu.Unlock()
	if err := c.registerServices(ctx); err != nil {
		return err
	}
	found, err := c.settleStuck(ctx)
	if err != nil {
		return err
	}
	if err := c.offloadShelved(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	heal := c.lastHeal.IsZero() || c.healNext || c.now().Sub(c.lastHeal) > healEvery
	c.healNext = found > 0
	c.mu.Unlock()
	if !heal || c.cfg.Placement == nil {
		return nil
	}
	if err := c.heal(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	c.lastHeal = c.now()
	c.mu.Unlock()
	return nil
}

// registerServices writes the control plane's service rows once.
func (c *Conductor) registerServices(ctx context.Context) error {
	c.mu.Lock()
	done := c.regDone
	c.mu.Unlock()
	if done || c.cfg.HostName == "" {
		return nil
	}
	for _, bin := range []string{binConductor, binScheduler} {
		if _, err := c.store.UpsertService(ctx, &compute.HostService{Host: c.cfg.HostName, Binary: bin, Zone: "internal"}); err != nil {
			return fmt.Errorf("register %s: %w", bin, err)
		}
	}
	c.mu.Lock()
	c.regDone = true
	c.mu.Unlock()
	return nil
}

// orphan reports whether an unfinished instance is nobody's work: not
// queued here, and unchanged since before this conductor started or for
// RecoverGrace (an operation just accepted may not have reached Run yet).
func (c *Conductor) orphan(inst *compute.Instance) bool {
	if c.busy(inst.ID) {
		return false
	}
	return inst.UpdatedAt.Before(c.started) || c.now().Sub(inst.UpdatedAt) > c.cfg.RecoverGrace
}

// settleStuck queues the repair of every orphaned unfinished instance and
// returns how many it found.
func (c *Conductor) settleStuck(ctx context.Context) (int, error) {
	building, err := c.store.ListInstances(ctx, compute.InstanceFilter{VMStates: []string{compute.VMBuilding}})
	if err != nil {
		return 0, err
	}
	tasked, err := c.store.ListInstances(ctx, compute.InstanceFilter{TaskStates: taskStates})
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	n := 0
	for _, list := range [][]compute.Instance{building, tasked} {
		for i := range list {
			inst := list[i]
			if seen[inst.ID] || inst.Deleted || !c.orphan(&inst) {
				continue
			}
			seen[inst.ID] = true
			n++
			c.enqueue(inst.ID, func(ctx context.Context) { c.settle(ctx, &inst) })
		}
	}
	return n, nil
}

// settle repairs one instance, unless it changed since Recover saw it.
func (c *Conductor) settle(ctx context.Context, seen *compute.Instance) {
	inst, err := c.store.GetInstance(ctx, seen.ID)
	if err != nil || inst.Deleted || !inst.UpdatedAt.Equal(seen.UpdatedAt) {
		return
	}
	c.log.Info("conductor: recovering an unfinished instance", "instance", inst.ID,
		"vm_state", inst.VMState, "task_state", inst.TaskState, "host", inst.Host)
	switch {
	case inst.TaskState == compute.TaskDeleting || inst.TaskState == compute.TaskSoftDeleting:
		c.opDelete(ctx, compute.Op{Kind: compute.OpDelete, InstanceID: inst.ID}, inst)
	case inst.VMState == compute.VMBuilding:
		c.recoverBuild(ctx, inst)
	case inst.TaskState == compute.TaskResizeConfirming:
		if m, err := c.migration(ctx, compute.Op{}, inst, "confirming", "finished"); err == nil {
			c.opConfirm(ctx, compute.Op{Kind: compute.OpConfirmResize, InstanceID: inst.ID, MigrationUUID: m.UUID}, inst)
		} else {
			c.failOp(inst.ID, compute.VMError, err)
		}
	case inst.TaskState == compute.TaskResizeReverting:
		if m, err := c.migration(ctx, compute.Op{}, inst, "reverting", "finished"); err == nil {
			c.opRevert(ctx, compute.Op{Kind: compute.OpRevertResize, InstanceID: inst.ID, MigrationUUID: m.UUID}, inst)
		} else {
			c.failOp(inst.ID, compute.VMError, err)
		}
	case inst.TaskState == compute.TaskResizePrep || inst.TaskState == compute.TaskResizeMigrating ||
		inst.TaskState == compute.TaskResizeMigrated || inst.TaskState == compute.TaskResizeFinish:
		c.recoverResize(ctx, inst)
	case inst.TaskState == compute.TaskMigrating:
		c.recoverLiveMigration(ctx, inst)
	case inst.TaskState == compute.TaskShelvingOffloading:
		c.offload(ctx, compute.Op{Kind: compute.OpShelveOffload, InstanceID: inst.ID}, inst)
	case inst.TaskState == compute.TaskUnshelving || inst.TaskState == compute.TaskSpawning:
		c.recoverUnshelve(ctx, inst)
	default:
		c.recoverObserved(ctx, inst)
	}
}

// tried counts a recovery attempt that could not reach the host and
// reports whether Recover should give up.
func (c *Conductor) tried(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tries[id]++
	if c.tries[id] >= maxRecoverTries {
		delete(c.tries, id)
		return true
	}
	return false
}

func (c *Conductor) forget(id string) {
	c.mu.Lock()
	delete(c.tries, id)
	c.mu.Unlock()
}

// recoverBuild finishes an interrupted build: scheduled again without a
// host; with one, ACTIVE if the guest runs there, else spawned again.
func (c *Conductor) recoverBuild(ctx context.Context, inst *compute.Instance) {
	reqID := c.requestID(ctx, inst.ID, "create")
	if inst.Host == "" {
		c.forget(inst.ID)
		c.freeAllocations(inst.ID) // a claim made before the crash blocks a new one
		// The image's properties come from the instance's system
		// metadata, so that the image filters see what the first
		// attempt saw.
		c.build(ctx, compute.BuildRequest{InstanceIDs: []string{inst.ID}, Caller: compute.Caller{RequestID: reqID},
			Image: compute.ImageFromSystemMetadata(inst)}, inst.ID, nil)
		return
	}
	h, err := c.host(inst.Host)
	var info driver.InstanceInfo
	if err == nil {
		info, err = h.Info(ctx, inst.ID)
	}
	switch {
	case err == nil && info.PowerState == driver.Running:
		c.forget(inst.ID)
		now := c.now().UTC()
		c.finish(inst.ID, compute.Outcome{Expect: building, VMState: compute.VMActive, Power: compute.Power(driver.Running),
			Apply: func(i *compute.Instance) {
				if i.LaunchedAt == nil {
					i.LaunchedAt = &now
				}
			}})
		return
	case err == nil || driver.IsNotFound(err):
		c.forget(inst.ID)
		if err == nil { // a guest that is not running: start over
			if derr := h.Destroy(ctx, inst.ID); derr != nil && !driver.IsNotFound(derr) {
				c.buildFailed(inst.ID, derr)
				return
			}
		}
		if node, nerr := c.nodeID(ctx, inst.Host, inst.Node); nerr == nil {
			if cerr := c.claimFlavor(ctx, inst, node); cerr != nil {
				c.log.Warn("conductor: reclaim for an interrupted build", "instance", inst.ID, "err", cerr)
			}
		}
		err := h.Spawn(ctx, c.spec(inst, compute.ImageFromSystemMetadata(inst), ""))
		if c.stopping() {
			return
		}
		if driver.IsExists(err) {
			// The agent finished the spawn it had under way.
			if info, ierr := h.Info(ctx, inst.ID); ierr == nil && info.PowerState == driver.Running {
				err = nil
			}
		}
		if err != nil {
			c.buildFailed(inst.ID, err)
			return
		}
		now := c.now().UTC()
		if _, err := c.finish(inst.ID, compute.Outcome{Expect: building,
			VMState: compute.VMActive, Power: compute.Power(driver.Running), LaunchedAt: &now}); err != nil {
			c.destroyAndFree(h, inst.ID)
		}
	default:
		if c.tried(inst.ID) {
			c.buildFailed(inst.ID, fmt.Errorf("build interrupted and host %s does not answer: %w", inst.Host, err))
		}
	}
}

// nodeID returns the provider uuid of a host's node.
func (c *Conductor) nodeID(ctx context.Context, host, node string) (string, error) {
	nodes, err := c.store.ListNodes(ctx, host, "")
	if err != nil {
		return "", err
	}
	for _, n := range nodes {
		if n.HypervisorHostname == node || node == "" {
			return n.ID, nil
		}
	}
	return "", apierr.ErrNotFound
}

// requestID finds the request id of the instance's newest action of a
// kind, for the events of a resumed operation.
func (c *Conductor) requestID(ctx context.Context, id, action string) string {
	acts, err := c.store.ListActions(ctx, id, compute.ActionFilter{})
	if err != nil {
		return ""
	}
	for _, a := range acts {
		if a.Action == action {
			return a.RequestID
		}
	}
	return ""
}

// recoverObserved settles an interrupted simple action from what the host
// reports: a stop or start is driven to its end, the others take the
// state the guest is in.
func (c *Conductor) recoverObserved(ctx context.Context, inst *compute.Instance) {
	h, err := c.host(inst.Host)
	var info driver.InstanceInfo
	if err == nil {
		info, err = h.Info(ctx, inst.ID)
	}
	if err == nil {
		switch {
		case inst.TaskState == compute.TaskPoweringOff && info.PowerState == driver.Running:
			if err = h.PowerOff(ctx, inst.ID, 0); err == nil {
				info.PowerState = driver.Shutdown
			}
		case inst.TaskState == compute.TaskPoweringOn && info.PowerState != driver.Running:
			if err = h.PowerOn(ctx, inst.ID); err == nil {
				info.PowerState = driver.Running
			}
		}
	}
	switch {
	case err == nil:
		c.forget(inst.ID)
		c.settleMigrations(ctx, inst)
		c.finish(inst.ID, compute.Outcome{Observed: &info})
	case driver.IsNotFound(err) || c.tried(inst.ID):
		c.forget(inst.ID)
		c.settleMigrations(ctx, inst)
		c.failOp(inst.ID, compute.VMError, fmt.Errorf("interrupted %s: %w", inst.TaskState, err))
	}
}

// settleMigrations closes the instance's open migrations after an
// interrupted move: the instance keeps its own claim (or gets the
// migration's back when it has none) and the migration's is freed.
func (c *Conductor) settleMigrations(ctx context.Context, inst *compute.Instance) {
	migs, err := c.store.ListMigrations(ctx, compute.MigrationFilter{InstanceID: inst.ID})
	if err != nil {
		return
	}
	for _, m := range migs {
		if !migrationOpen(m.Status) || m.Status == "finished" {
			continue
		}
		own, err := c.cfg.Placement.Allocations(ctx, inst.ID)
		if err == nil && len(own.Resources) == 0 {
			c.unclaim(inst.ID, m.UUID)
		}
		c.freeAllocations(m.UUID)
		c.setMigration(m.UUID, "error", nil)
	}
}

// recoverResize rolls an interrupted resize or cold migration back to the
// source, or puts the instance in ERROR when that is not possible.
func (c *Conductor) recoverResize(ctx context.Context, inst *compute.Instance) {
	mig, err := c.migration(ctx, compute.Op{}, inst, "pre-migrating", "accepted", "migrating", "post-migrating")
	if err != nil {
		c.failOp(inst.ID, compute.VMError, fmt.Errorf("interrupted %s", inst.TaskState))
		return
	}
	source := mig.SourceCompute
	if source == "" {
		source = inst.Host
	}
	if mig.DestCompute != "" && mig.DestCompute != source {
		if h, err := c.host(mig.DestCompute); err == nil {
			h.Destroy(ctx, inst.ID)
		}
	}
	c.freeAllocations(inst.ID)
	c.unclaim(inst.ID, mig.UUID)
	c.setMigration(mig.UUID, "error", nil)
	h, err := c.host(source)
	var info driver.InstanceInfo
	if err == nil {
		if dm := c.driverMigration(mig, inst); len(dm.Data) > 0 {
			h.RevertMigration(ctx, dm, inst.VMState != compute.VMStopped)
		}
		info, err = h.Info(ctx, inst.ID)
	}
	cause := fmt.Errorf("resize interrupted during %s and rolled back", inst.TaskState)
	if err != nil {
		c.failOp(inst.ID, compute.VMError, cause)
		return
	}
	c.finish(inst.ID, compute.Outcome{Observed: &info, Fault: c.fault(cause), Apply: func(i *compute.Instance) {
		i.Host = source
		if mig.SourceNode != "" {
			i.Node = mig.SourceNode
		}
		i.NewFlavor = nil
	}})
}

// recoverLiveMigration settles an interrupted live migration where the
// guest is: still on the source (rolled back) or arrived at the
// destination (finished).
func (c *Conductor) recoverLiveMigration(ctx context.Context, inst *compute.Instance) {
	mig, err := c.migration(ctx, compute.Op{}, inst, "queued", "accepted", "preparing", "running")
	if err != nil {
		c.recoverObserved(ctx, inst)
		return
	}
	dm := c.driverMigration(mig, inst)
	if mig.DestCompute != "" {
		if dest, err := c.host(mig.DestCompute); err == nil {
			if info, err := dest.Info(ctx, inst.ID); err == nil && !info.Migrating {
				// The guest arrived: the move is done.
				c.freeAllocations(mig.UUID)
				c.setMigration(mig.UUID, "completed", nil)
				c.finish(inst.ID, compute.Outcome{Observed: &info,
					Place: &compute.Place{Host: mig.DestCompute, Node: mig.DestNode}})
				return
			} else if err == nil {
				if err := dest.FinishLiveMigration(ctx, dm); err == nil {
					c.freeAllocations(mig.UUID)
					c.setMigration(mig.UUID, "completed", nil)
					c.finish(inst.ID, compute.Outcome{Place: &compute.Place{Host: mig.DestCompute, Node: mig.DestNode}})
					return
				}
				dest.AbortLiveMigration(ctx, dm)
			}
		}
	}
	c.freeAllocations(inst.ID)
	c.unclaim(inst.ID, mig.UUID)
	c.setMigration(mig.UUID, "error", nil)
	c.recoverObserved(ctx, inst)
}

// recoverUnshelve settles an interrupted unshelve: ACTIVE if the guest
// runs on the chosen host, else back to SHELVED_OFFLOADED.
func (c *Conductor) recoverUnshelve(ctx context.Context, inst *compute.Instance) {
	if inst.Host != "" {
		h, err := c.host(inst.Host)
		var info driver.InstanceInfo
		if err == nil {
			info, err = h.Info(ctx, inst.ID)
		}
		if err == nil && info.PowerState == driver.Running {
			c.finish(inst.ID, compute.Outcome{VMState: compute.VMActive, Power: compute.Power(driver.Running)})
			return
		}
		if err != nil && !driver.IsNotFound(err) && !c.tried(inst.ID) {
			return
		}
		if h != nil {
			h.Destroy(ctx, inst.ID)
		}
	}
	c.forget(inst.ID)
	c.freeAllocations(inst.ID)
	c.finish(inst.ID, compute.Outcome{VMState: compute.VMShelvedOf, Power: compute.Power(driver.Shutdown),
		Place: &compute.Place{}, Fault: c.fault(errors.New("unshelve interrupted"))})
}

// offloadShelved offloads instances shelved longer than
// ShelvedOffloadTime (Nova's _poll_shelved_instances).
func (c *Conductor) offloadShelved(ctx context.Context) error {
	if c.cfg.ShelvedOffloadTime <= 0 {
		return nil
	}
	insts, err := c.store.ListInstances(ctx, compute.InstanceFilter{VMStates: []string{compute.VMShelved}})
	if err != nil {
		return err
	}
	for i := range insts {
		inst := insts[i]
		if inst.TaskState != "" || c.busy(inst.ID) || c.now().Sub(inst.UpdatedAt) < c.cfg.ShelvedOffloadTime {
			continue
		}
		c.enqueue(inst.ID, func(ctx context.Context) {
			cur, err := c.store.GetInstance(ctx, inst.ID)
			if err != nil || compute.Gone(cur) || cur.VMState != compute.VMShelved || cur.TaskState != "" {
				return
			}
			c.offload(ctx, compute.Op{Kind: compute.OpShelveOffload, InstanceID: cur.ID}, cur)
		})
	}
	return nil
}

// heal makes Placement match the instances: a live instance with a host
// and no allocation gets one from its flavor on its node; an allocation
// on a compute node whose consumer is neither a live instance nor an
// open migration is deleted.
func (c *Conductor) heal(ctx context.Context) error {
	nodes, err := c.store.ListNodes(ctx, "", "")
	if err != nil {
		return err
	}
	live := false
	insts, err := c.store.ListInstances(ctx, compute.InstanceFilter{Deleted: &live})
	if err != nil {
		return err
	}
	byNode := map[string][]*compute.Instance{}
	liveIDs, hostless := map[string]bool{}, map[string]bool{}
	for i := range insts {
		inst := &insts[i]
		// A settled instance without a host (shelved offloaded, failed
		// build) holds no resources: its consumer counts as an orphan.
		if inst.Host == "" && inst.TaskState == "" && inst.VMState != compute.VMBuilding && c.orphan(inst) {
			hostless[inst.ID] = true
			continue
		}
		liveIDs[inst.ID] = true
		if inst.Host != "" {
			byNode[inst.Host+"\x00"+inst.Node] = append(byNode[inst.Host+"\x00"+inst.Node], inst)
		}
	}
	for _, n := range nodes {
		allocs, _, err := c.cfg.Placement.ProviderAllocations(ctx, n.ID)
		if client.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		for consumer := range allocs {
			if liveIDs[consumer] || c.busy(consumer) || (!hostless[consumer] && c.consumerLive(ctx, consumer)) {
				continue
			}
			c.log.Info("conductor: deleting orphaned allocations", "consumer", consumer, "provider", n.ID)
			if err := c.cfg.Placement.DeleteAllocations(ctx, consumer); err != nil && !client.IsNotFound(err) {
				c.log.Warn("conductor: delete orphaned allocations", "consumer", consumer, "err", err)
			}
		}
		for _, inst := range byNode[n.Host+"\x00"+n.HypervisorHostname] {
			if _, ok := allocs[inst.ID]; ok || inst.TaskState != "" || inst.VMState == compute.VMBuilding ||
				inst.VMState == compute.VMShelvedOf || !c.orphan(inst) {
				continue
			}
			if err := c.claimFlavor(ctx, inst, n.ID); err != nil {
				c.log.Warn("conductor: heal allocation", "instance", inst.ID, "err", err)
			}
		}
	}
	return nil
}

// consumerLive reports whether a consumer is a live instance (created
// after the listing) or an open migration.
func (c *Conductor) consumerLive(ctx context.Context, consumer string) bool {
	inst, err := c.store.GetInstance(ctx, consumer)
	if err == nil {
		return !inst.Deleted
	}
	if !errors.Is(err, apierr.ErrNotFound) {
		return true // unsure: keep
	}
	m, err := c.store.GetMigration(ctx, consumer)
	if err == nil {
		return migrationOpen(m.Status)
	}
	return !errors.Is(err, apierr.ErrNotFound)
}
