// Package actions holds what changes a server's state: the actions of
// POST /servers/{id}/action (reboot, stop, resize, migrate, rebuild,
// shelve, snapshot, ...) and the delete. Each action checks the lock and
// the states Nova's decorators allow, records the instance action, sets
// the task_state in one write that re-checks them (of two concurrent
// actions only one passes) and hands the operation to the conductor;
// the few that need no host (lock, reset-state) finish here.
package actions

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/flavors"
	"github.com/gostack/gostack/internal/compute/hosts"
	"github.com/gostack/gostack/internal/compute/quotas"
	"github.com/gostack/gostack/internal/compute/sysmeta"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Service runs server actions.
type Service struct {
	store   compute.Store
	deps    compute.Deps
	quotas  *quotas.Service
	flavors *flavors.Service
	hosts   *hosts.Service
}

// New returns the actions on the servers of store; deps carries the
// conductor that carries them out on the hosts.
func New(store compute.Store, deps compute.Deps, q *quotas.Service, f *flavors.Service, h *hosts.Service) *Service {
	return &Service{store: store, deps: deps, quotas: q, flavors: f, hosts: h}
}

// Nova's task_states.ALLOW_REBOOT: the task states a hard reboot may
// interrupt.
var allowReboot = []string{"", compute.TaskRebooting, compute.TaskRebootPending, compute.TaskRebootStarted, compute.TaskResuming,
	compute.TaskRebootingHard, compute.TaskUnpausing, compute.TaskPausing, compute.TaskSuspending}

// transition is one state-changing action: the checks Nova's decorators
// make, the task_state it moves to and the instance action it records.
type transition struct {
	api      string // the action as the API names it in messages
	record   string // os-instance-actions name; "" records none
	lock     bool   // @check_instance_lock
	needHost bool   // @check_instance_host
	state    compute.StateCheck
	task     string                  // new task_state; "" keeps it
	apply    func(*compute.Instance) // more changes in the same write
	recheck  func(*compute.Instance) error
	op       *compute.Op // handed to the conductor after the write
	undo     func()      // cleanup when the write is refused
}

// precheck runs the checks on an instance read outside the write.
func (t *transition) precheck(c compute.Caller, inst *compute.Instance) error {
	if t.lock {
		if err := compute.LockError(c, inst); err != nil {
			return err
		}
	}
	if t.needHost && inst.Host == "" {
		return apierr.Conflict("Instance %s is not ready", inst.ID)
	}
	if err := t.state.Check(t.api, inst); err != nil {
		return err
	}
	if t.recheck != nil {
		return t.recheck(inst)
	}
	return nil
}

// run checks again inside one UpdateInstance write, so that of two
// concurrent actions only one passes, sets the task_state, records the
// action and hands the op to the conductor.
func (s *Service) run(ctx context.Context, c compute.Caller, id string, t *transition) (*compute.Instance, error) {
	inst, err := compute.UpdateInstance(ctx, s.store, id, func(i *compute.Instance) error {
		if err := t.precheck(c, i); err != nil {
			return err
		}
		if t.task != "" {
			i.TaskState = t.task
		}
		if t.apply != nil {
			t.apply(i)
		}
		return nil
	})
	if err != nil {
		if t.undo != nil {
			t.undo()
		}
		return nil, err
	}
	if t.record != "" {
		if err := compute.RecordAction(ctx, s.store, c, id, t.record, s.deps.Clock()); err != nil {
			return nil, err
		}
	}
	if t.op != nil {
		t.op.InstanceID, t.op.Caller = id, c
		s.deps.Conductor.Run(context.WithoutCancel(ctx), *t.op)
	}
	return inst, nil
}

// Act runs a server action: checks lock, state (409 "Cannot
// '<action>' instance <id> while it is in vm_state <x>" as Nova words it),
// records the instance action, sets the task_state and hands it to the
// conductor; DB-only actions (lock, unlock, resetState) finish here.
func (s *Service) Act(ctx context.Context, c compute.Caller, id string, a Action) (*Result, error) {
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return nil, err
	}
	switch a.Kind {
	case "lock":
		return nil, s.lock(ctx, c, inst, a.LockedReason)
	case "unlock":
		return nil, s.unlock(ctx, c, inst)
	case "os-resetState":
		return nil, s.resetState(ctx, c, inst, a.State)
	case "restore":
		return nil, compute.StateError("restore", id, "vm_state", inst.VMState)
	case "forceDelete":
		// Nova's force_delete deletes in any vm_state and task_state.
		return nil, s.deleteServer(ctx, c, id, "forceDelete")
	case "addSecurityGroup", "removeSecurityGroup":
		return nil, securityGroupAction(inst, a)
	}
	if _, err := s.deps.NeedConductor(); err != nil {
		return nil, err
	}
	t, res, err := s.plan(ctx, c, inst, a)
	if err != nil {
		return nil, err
	}
	if err := t.precheck(c, inst); err != nil {
		if t.undo != nil {
			t.undo()
		}
		return nil, err
	}
	up, err := s.run(ctx, c, id, t)
	if err != nil {
		return nil, err
	}
	if a.Kind == "rebuild" {
		res.Instance = up
	}
	return res, nil
}

// plan turns an action into its transition; actions that need an image
// or a migration record create them here (undo removes them again).
func (s *Service) plan(ctx context.Context, c compute.Caller, inst *compute.Instance, a Action) (*transition, *Result, error) {
	res := &Result{}
	switch a.Kind {
	case "reboot":
		kind := strings.ToUpper(a.RebootType)
		t := &transition{api: "reboot", record: "reboot", lock: true, op: &compute.Op{Kind: compute.OpReboot}}
		switch kind {
		case "SOFT":
			t.state = compute.StateCheck{VM: []string{compute.VMActive}}
			t.task = compute.TaskRebooting
			t.op.RebootKind = driver.Soft
		case "HARD":
			t.state = compute.StateCheck{VM: []string{compute.VMActive, compute.VMStopped, compute.VMPaused, compute.VMSuspended, compute.VMError}, Task: allowReboot}
			t.task = compute.TaskRebootingHard
			t.op.RebootKind = driver.Hard
		default:
			return nil, nil, apierr.BadRequest("Argument 'type' for reboot must be a string with value 'SOFT' or 'HARD'")
		}
		return t, res, nil
	case "os-stop":
		return &transition{api: "stop", record: "stop", lock: true, needHost: true,
			state: compute.StateCheck{VM: []string{compute.VMActive, compute.VMError}}, task: compute.TaskPoweringOff,
			apply: func(i *compute.Instance) { i.Progress = 0 }, op: &compute.Op{Kind: compute.OpStop}}, res, nil
	case "os-start":
		return &transition{api: "start", record: "start", lock: true, needHost: true,
			state: compute.StateCheck{VM: []string{compute.VMStopped}}, task: compute.TaskPoweringOn, op: &compute.Op{Kind: compute.OpStart}}, res, nil
	case "pause":
		return simple("pause", []string{compute.VMActive}, compute.TaskPausing, compute.OpPause), res, nil
	case "unpause":
		return simple("unpause", []string{compute.VMPaused}, compute.TaskUnpausing, compute.OpUnpause), res, nil
	case "suspend":
		return simple("suspend", []string{compute.VMActive}, compute.TaskSuspending, compute.OpSuspend), res, nil
	case "resume":
		return simple("resume", []string{compute.VMSuspended}, compute.TaskResuming, compute.OpResume), res, nil
	case "unrescue":
		return simple("unrescue", []string{compute.VMRescued}, compute.TaskUnrescuing, compute.OpUnrescue), res, nil
	case "shelveOffload":
		return simple("shelveOffload", []string{compute.VMShelved}, compute.TaskShelvingOffloading, compute.OpShelveOffload), res, nil
	case "trigger_crash_dump":
		t := simple("trigger_crash_dump", []string{compute.VMActive, compute.VMPaused, compute.VMRescued, compute.VMResized, compute.VMError}, "", compute.OpCrashDump)
		t.needHost = true
		return t, res, nil
	case "changePassword":
		t := simple("changePassword", []string{compute.VMActive}, compute.TaskUpdatingPassword, compute.OpChangePassword)
		t.op.AdminPassword = a.AdminPass
		return t, res, nil
	case "rescue":
		return s.planRescue(ctx, c, inst, a, res)
	case "rebuild":
		return s.planRebuild(ctx, c, inst, a, res)
	case "resize", "migrate":
		return s.planResize(ctx, c, inst, a, res)
	case "confirmResize", "revertResize":
		return s.planConfirm(ctx, c, inst, a.Kind, res)
	case "os-migrateLive":
		return s.planLiveMigrate(ctx, c, inst, a, res)
	case "evacuate":
		return s.planEvacuate(ctx, c, inst, a, res)
	case "createImage", "createBackup", "shelve":
		return s.planSnapshot(ctx, c, inst, a, res)
	case "unshelve":
		return s.planUnshelve(ctx, c, inst, a, res)
	}
	return nil, nil, apierr.BadRequest("There is no such action: %s", a.Kind)
}

// simple is an action with a lock check, a vm_state list, no task and
// one new task_state; the record and conductor op share the name.
func simple(name string, vm []string, task string, kind compute.OpKind) *transition {
	return &transition{api: name, record: name, lock: true, state: compute.StateCheck{VM: vm}, task: task, op: &compute.Op{Kind: kind}}
}

func (s *Service) lock(ctx context.Context, c compute.Caller, inst *compute.Instance, reason string) error {
	owner := inst.ProjectID == c.ProjectID
	if inst.Locked && owner {
		return nil
	}
	if err := compute.RecordAction(ctx, s.store, c, inst.ID, "lock", s.deps.Clock()); err != nil {
		return err
	}
	_, err := compute.UpdateInstance(ctx, s.store, inst.ID, func(i *compute.Instance) error {
		i.Locked = true
		i.LockedBy = "admin"
		if owner {
			i.LockedBy = "owner"
		}
		if reason != "" {
			i.LockedReason = reason
		}
		return nil
	})
	return err
}

func (s *Service) unlock(ctx context.Context, c compute.Caller, inst *compute.Instance) error {
	// Unlocking what someone else locked needs
	// os_compute_api:os-lock-server:unlock:unlock_override on the
	// instance, which the API checks before it comes here (as Nova's API
	// does).
	if err := compute.RecordAction(ctx, s.store, c, inst.ID, "unlock", s.deps.Clock()); err != nil {
		return err
	}
	_, err := compute.UpdateInstance(ctx, s.store, inst.ID, func(i *compute.Instance) error {
		i.Locked, i.LockedBy, i.LockedReason = false, "", ""
		return nil
	})
	return err
}

func (s *Service) resetState(ctx context.Context, c compute.Caller, inst *compute.Instance, state string) error {
	vm := map[string]string{"active": compute.VMActive, "error": compute.VMError}[state]
	if vm == "" {
		return apierr.BadRequest("Invalid input for field/attribute state. Value: %s. '%s' is not one of ['active', 'error']", state, state)
	}
	if err := compute.RecordAction(ctx, s.store, c, inst.ID, "resetState", s.deps.Clock()); err != nil {
		return err
	}
	_, err := compute.UpdateInstance(ctx, s.store, inst.ID, func(i *compute.Instance) error {
		i.VMState, i.TaskState = vm, ""
		return nil
	})
	return err
}

// securityGroupAction answers add/removeSecurityGroup: without a network
// service only the implicit "default" group exists.
func securityGroupAction(inst *compute.Instance, a Action) error {
	if a.SecurityGroup != "default" {
		return apierr.NotFound("Security group %s not found.", a.SecurityGroup)
	}
	if a.Kind == "addSecurityGroup" {
		return apierr.BadRequest("Security group default is already associated with the instance %s", inst.ID)
	}
	return apierr.BadRequest("Security group default not associated with the instance %s", inst.ID)
}

func (s *Service) planRescue(ctx context.Context, c compute.Caller, inst *compute.Instance, a Action, res *Result) (*transition, *Result, error) {
	t := &transition{api: "rescue", record: "rescue", lock: true,
		state: compute.StateCheck{VM: []string{compute.VMActive, compute.VMStopped, compute.VMError}}, task: compute.TaskRescuing, op: &compute.Op{Kind: compute.OpRescue}}
	if a.ImageRef != "" {
		img, err := s.getImage(ctx, c, a.ImageRef)
		if err != nil {
			return nil, nil, err
		}
		t.op.Image = img
	}
	res.AdminPass = a.AdminPass
	if res.AdminPass == "" {
		res.AdminPass = compute.GeneratePassword()
	}
	t.op.AdminPassword = res.AdminPass
	return t, res, nil
}

// getImage reads an image for an action (400 when it cannot be found).
func (s *Service) getImage(ctx context.Context, c compute.Caller, id string) (*compute.ImageMeta, error) {
	imgs, err := s.deps.NeedImages()
	if err != nil {
		return nil, err
	}
	img, err := imgs.Get(ctx, c.Token, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, apierr.BadRequest("Image %s could not be found.", id)
	}
	return img, err
}

func (s *Service) planRebuild(ctx context.Context, c compute.Caller, inst *compute.Instance, a Action, res *Result) (*transition, *Result, error) {
	img, err := s.getImage(ctx, c, a.ImageRef)
	if err != nil {
		if apierr.IsBadRequest(err) {
			return nil, nil, apierr.BadRequest("Cannot find image for rebuild")
		}
		return nil, nil, err
	}
	if err := compute.CheckFlavorImage(&inst.Flavor, img, true); err != nil {
		return nil, nil, err
	}
	if a.MetadataSet {
		if err := s.quotas.CheckMetadata(ctx, inst.ProjectID, a.Metadata); err != nil {
			return nil, nil, err
		}
	}
	if a.Name != "" {
		if err := compute.ValidName("name", a.Name); err != nil {
			return nil, nil, err
		}
	}
	var keyData *string
	if a.KeyName != nil {
		kd := ""
		if *a.KeyName != "" {
			k, err := s.store.GetKeypair(ctx, inst.UserID, *a.KeyName)
			if errors.Is(err, apierr.ErrNotFound) {
				return nil, nil, apierr.BadRequest("Invalid key_name provided.")
			}
			if err != nil {
				return nil, nil, err
			}
			kd = k.PublicKey
		}
		keyData = &kd
	}
	res.AdminPass = a.AdminPass
	if res.AdminPass == "" {
		res.AdminPass = compute.GeneratePassword()
	}
	t := &transition{api: "rebuild", record: "rebuild", lock: true,
		state: compute.StateCheck{VM: []string{compute.VMActive, compute.VMStopped, compute.VMError}}, task: compute.TaskRebuilding,
		op: &compute.Op{Kind: compute.OpRebuild, Image: img, AdminPassword: res.AdminPass}}
	t.apply = func(i *compute.Instance) {
		i.ImageRef = img.ID
		i.KernelID = img.Properties["kernel_id"]
		i.RamdiskID = img.Properties["ramdisk_id"]
		i.DiskConfig = compute.DiskConfigOr(a.DiskConfig, i.DiskConfig)
		i.SystemMetadata = sysmeta.FromImage(i.SystemMetadata, img, &i.Flavor)
		if a.Name != "" {
			i.Name = a.Name
		}
		if a.MetadataSet {
			i.Metadata = cloneMetadata(a.Metadata)
		}
		if a.Description != nil {
			if *a.Description == "" {
				i.Description = nil
			} else {
				d := *a.Description
				i.Description = &d
			}
		}
		if keyData != nil {
			i.KeyName, i.KeyData = *a.KeyName, *keyData
		}
		if a.UserData != nil {
			i.UserData = *a.UserData
		}
		if a.Hostname != nil {
			i.Hostname = *a.Hostname
		}
		if a.AccessIPv4 != nil {
			i.AccessIPv4 = compute.NormalizeIP(*a.AccessIPv4)
		}
		if a.AccessIPv6 != nil {
			i.AccessIPv6 = compute.NormalizeIP(*a.AccessIPv6)
		}
		if a.TrustedCerts != nil {
			i.TrustedCerts = slices.Clone(a.TrustedCerts)
		}
	}
	return t, res, nil
}

// newMigration stores a migration record of inst and returns an undo
// that marks it failed.
func (s *Service) newMigration(ctx context.Context, c compute.Caller, inst *compute.Instance, typ, status, dest string, newFlavor *compute.Flavor) (*compute.Migration, func(), error) {
	m := &compute.Migration{
		UUID: uuid.NewString(), InstanceID: inst.ID, Type: typ, Status: status,
		SourceCompute: inst.Host, SourceNode: inst.Node, DestCompute: dest,
		OldFlavorID: inst.Flavor.ID, NewFlavorID: inst.Flavor.ID,
		ProjectID: inst.ProjectID, UserID: inst.UserID,
	}
	if newFlavor != nil {
		m.NewFlavorID = newFlavor.ID
	}
	if err := s.store.CreateMigration(ctx, m); err != nil {
		return nil, nil, err
	}
	undo := func() {
		_, _ = s.store.UpdateMigration(context.WithoutCancel(ctx), m.UUID, func(m *compute.Migration) error {
			m.Status = "error"
			return nil
		})
	}
	return m, undo, nil
}

func (s *Service) planResize(ctx context.Context, c compute.Caller, inst *compute.Instance, a Action, res *Result) (*transition, *Result, error) {
	t := &transition{api: a.Kind, record: a.Kind, lock: true, needHost: true,
		state: compute.StateCheck{VM: []string{compute.VMActive, compute.VMStopped}}, task: compute.TaskResizePrep}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	if up, err := s.hosts.Up(ctx, inst.Host); err != nil {
		return nil, nil, err
	} else if !up {
		return nil, nil, apierr.Unavailable("Service is unavailable at this time.")
	}
	newFlavor := &inst.Flavor
	typ := "migration"
	if a.Kind == "resize" {
		f, err := s.flavors.Visible(ctx, a.FlavorRef, inst.ProjectID, c.Admin)
		if apierr.IsNotFound(err) || err == nil && f.Disabled {
			return nil, nil, apierr.BadRequest("Unable to locate requested flavor.")
		}
		if err != nil {
			return nil, nil, err
		}
		if f.ID == inst.Flavor.ID {
			return nil, nil, apierr.BadRequest("When resizing, instances must change flavor!")
		}
		if inst.ImageRef != "" && s.deps.Images != nil {
			if img, err := s.deps.Images.Get(ctx, c.Token, inst.ImageRef); err == nil {
				if f.RAM < img.MinRAM {
					return nil, nil, apierr.BadRequest("Flavor's memory is too small for requested image.")
				}
				if f.Disk != 0 && img.MinDisk > f.Disk {
					return nil, nil, apierr.BadRequest("Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is %d bytes, minimum size is %d bytes.", f.Disk<<30, img.MinDisk<<30)
				}
			}
		}
		if err := s.quotas.CheckResize(ctx, inst, f); err != nil {
			return nil, nil, err
		}
		newFlavor, typ = f, "resize"
	} else if a.Host != "" {
		ok, err := s.hosts.Exists(ctx, a.Host)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, apierr.BadRequest("Compute host %s could not be found.", a.Host)
		}
	}
	m, undo, err := s.newMigration(ctx, c, inst, typ, "pre-migrating", a.Host, newFlavor)
	if err != nil {
		return nil, nil, err
	}
	t.undo = undo
	kind := compute.OpResize
	if typ == "migration" {
		kind = compute.OpMigrate
	}
	nf := *newFlavor
	t.op = &compute.Op{Kind: kind, Flavor: &nf, Host: a.Host, MigrationUUID: m.UUID}
	t.apply = func(i *compute.Instance) {
		i.Progress = 0
		// Nova's resize takes OS-DCF:diskConfig too (a migrate has none).
		i.DiskConfig = compute.DiskConfigOr(a.DiskConfig, i.DiskConfig)
	}
	return t, res, nil
}

func (s *Service) planConfirm(ctx context.Context, c compute.Caller, inst *compute.Instance, kind string, res *Result) (*transition, *Result, error) {
	t := &transition{api: kind, record: kind, lock: true, state: compute.StateCheck{VM: []string{compute.VMResized}}}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	ms, err := s.store.ListMigrations(ctx, compute.MigrationFilter{InstanceID: inst.ID, Status: "finished"})
	if err != nil {
		return nil, nil, err
	}
	if len(ms) == 0 {
		return nil, nil, apierr.BadRequest("Migration not found for instance %s with status finished.", inst.ID)
	}
	m := ms[0]
	next, task, op := "confirming", compute.TaskResizeConfirming, compute.OpConfirmResize
	if kind == "revertResize" {
		next, task, op = "reverting", compute.TaskResizeReverting, compute.OpRevertResize
		if inst.OldFlavor != nil {
			if err := s.quotas.CheckResize(ctx, inst, inst.OldFlavor); err != nil {
				return nil, nil, err
			}
		}
	}
	if _, err := s.store.UpdateMigration(ctx, m.UUID, func(m *compute.Migration) error {
		if m.Status != "finished" {
			return apierr.BadRequest("Migration not found for instance %s with status finished.", inst.ID)
		}
		m.Status = next
		return nil
	}); err != nil {
		return nil, nil, err
	}
	t.task = task
	t.op = &compute.Op{Kind: op, MigrationUUID: m.UUID}
	t.undo = func() {
		_, _ = s.store.UpdateMigration(context.WithoutCancel(ctx), m.UUID, func(m *compute.Migration) error {
			m.Status = "finished"
			return nil
		})
	}
	return t, res, nil
}

func (s *Service) planLiveMigrate(ctx context.Context, c compute.Caller, inst *compute.Instance, a Action, res *Result) (*transition, *Result, error) {
	t := &transition{api: "os-migrateLive", record: "live-migration", lock: true,
		state: compute.StateCheck{VM: []string{compute.VMActive, compute.VMPaused}}, task: compute.TaskMigrating}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	if a.Host != "" {
		ok, err := s.hosts.Exists(ctx, a.Host)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, apierr.BadRequest("Compute host %s could not be found.", a.Host)
		}
		if a.Host == inst.Host {
			return nil, nil, apierr.BadRequest("Unable to migrate instance (%s) to current host (%s).", inst.ID, inst.Host)
		}
	}
	m, undo, err := s.newMigration(ctx, c, inst, "live-migration", "accepted", a.Host, nil)
	if err != nil {
		return nil, nil, err
	}
	t.undo = undo
	block := a.BlockMigration != nil && *a.BlockMigration
	t.op = &compute.Op{Kind: compute.OpLiveMigrate, Host: a.Host, BlockMigration: block, MigrationUUID: m.UUID}
	return t, res, nil
}

func (s *Service) planEvacuate(ctx context.Context, c compute.Caller, inst *compute.Instance, a Action, res *Result) (*transition, *Result, error) {
	t := &transition{api: "evacuate", record: "evacuate",
		state: compute.StateCheck{VM: []string{compute.VMActive, compute.VMStopped, compute.VMError}, AnyTask: true}, task: compute.TaskRebuilding}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	if a.Host != "" {
		ok, err := s.hosts.Exists(ctx, a.Host)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, apierr.NotFound("Compute host %s not found.", a.Host)
		}
		if a.Host == inst.Host {
			return nil, nil, apierr.BadRequest("The target host can't be the same one.")
		}
	}
	if inst.Host == "" {
		return nil, nil, apierr.Conflict("Instance %s is not ready", inst.ID)
	}
	up, err := s.hosts.Up(ctx, inst.Host)
	if err != nil {
		return nil, nil, err
	}
	if up {
		return nil, nil, apierr.BadRequest("Compute service of %s is still in use.", inst.Host)
	}
	m, undo, err := s.newMigration(ctx, c, inst, "evacuation", "accepted", a.Host, nil)
	if err != nil {
		return nil, nil, err
	}
	t.undo = undo
	res.AdminPass = a.AdminPass
	if res.AdminPass == "" {
		res.AdminPass = compute.GeneratePassword()
	}
	t.op = &compute.Op{Kind: compute.OpEvacuate, Host: a.Host, AdminPassword: res.AdminPass, MigrationUUID: m.UUID}
	return t, res, nil
}

// planSnapshot is createImage, createBackup and shelve: a queued image
// is registered first (as Nova's compute_utils.create_image) and removed
// again when the instance refuses the task.
func (s *Service) planSnapshot(ctx context.Context, c compute.Caller, inst *compute.Instance, a Action, res *Result) (*transition, *Result, error) {
	states := []string{compute.VMActive, compute.VMStopped, compute.VMPaused, compute.VMSuspended}
	var t *transition
	imageType, name := "snapshot", a.Name
	switch a.Kind {
	case "createImage":
		t = &transition{api: "createImage", record: "createImage", state: compute.StateCheck{VM: states},
			task: compute.TaskImageSnapshotPend, op: &compute.Op{Kind: compute.OpSnapshot}}
	case "createBackup":
		t = &transition{api: "createBackup", record: "createBackup", state: compute.StateCheck{VM: states},
			task: compute.TaskImageBackup, op: &compute.Op{Kind: compute.OpBackup, BackupType: a.BackupType, Rotation: a.Rotation}}
		imageType = "backup"
	default:
		t = &transition{api: "shelve", record: "shelve", lock: true, state: compute.StateCheck{VM: states},
			task: compute.TaskShelving, op: &compute.Op{Kind: compute.OpShelve}}
		name = inst.Name + "-shelved"
	}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	imgs, err := s.deps.NeedImages()
	if err != nil {
		return nil, nil, err
	}
	meta := compute.ImageMeta{Name: name, DiskFormat: "qcow2", ContainerFormat: "bare", Visibility: "private", Properties: map[string]string{}}
	if inst.ImageRef != "" {
		if base, err := imgs.Get(ctx, c.Token, inst.ImageRef); err == nil {
			if base.DiskFormat != "" {
				meta.DiskFormat = base.DiskFormat
			}
			if base.ContainerFormat != "" {
				meta.ContainerFormat = base.ContainerFormat
			}
			meta.MinRAM, meta.MinDisk = base.MinRAM, base.MinDisk
			for k, v := range base.Properties {
				if !nonInheritable(k) {
					meta.Properties[k] = v
				}
			}
		}
		meta.Properties["base_image_ref"] = inst.ImageRef
	}
	// As Nova's image system metadata: min_disk is at least the root
	// disk; min_ram stays the base image's.
	meta.MinDisk = max(meta.MinDisk, inst.Flavor.Disk)
	meta.Owner = inst.ProjectID
	if c.ProjectID != inst.ProjectID {
		meta.Visibility = "shared"
		meta.Properties["instance_owner"] = inst.ProjectID
	}
	meta.Properties["instance_uuid"] = inst.ID
	meta.Properties["user_id"] = c.UserID
	meta.Properties["image_type"] = imageType
	meta.Properties["owner_project_name"] = inst.ProjectID
	if imageType == "backup" {
		meta.Properties["backup_type"] = a.BackupType
	}
	for k, v := range a.Metadata {
		meta.Properties[k] = v
	}
	img, err := imgs.Create(ctx, c.Token, meta)
	if err != nil {
		return nil, nil, err
	}
	t.op.ImageID = img.ID
	res.ImageID = img.ID
	t.undo = func() { _ = imgs.Delete(context.WithoutCancel(ctx), c.Token, img.ID) }
	return t, res, nil
}

// nonInheritable are the image properties a snapshot does not copy
// (Nova's NON_INHERITABLE_IMAGE_PROPERTIES and the base image's
// bookkeeping).
func nonInheritable(k string) bool {
	switch k {
	case "cache_in_nova", "bittorrent", "img_signature", "img_signature_hash_method",
		"img_signature_certificate_uuid", "img_signature_key_type", "image_type",
		"instance_uuid", "base_image_ref", "backup_type", "user_id", "instance_owner",
		"owner_project_name", "owner_user_name":
		return true
	}
	return strings.HasPrefix(k, "os_glance_")
}

func (s *Service) planUnshelve(ctx context.Context, c compute.Caller, inst *compute.Instance, a Action, res *Result) (*transition, *Result, error) {
	t := &transition{api: "unshelve", record: "unshelve", lock: true,
		state: compute.StateCheck{VM: []string{compute.VMShelved, compute.VMShelvedOf}}, task: compute.TaskUnshelving, op: &compute.Op{Kind: compute.OpUnshelve}}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	if (a.AZ != nil || a.Host != "") && inst.VMState != compute.VMShelvedOf {
		return nil, nil, apierr.Conflict("The unshelve action on a server with availability_zone or host given is only allowed for a shelved offloaded server (vm_state %s).", inst.VMState)
	}
	if a.AZ != nil && *a.AZ != "" {
		ok, err := s.hosts.ZoneExists(ctx, *a.AZ)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, apierr.BadRequest("The requested availability zone is not available")
		}
		t.op.AZ = *a.AZ
	}
	if a.Host != "" {
		ok, err := s.hosts.Exists(ctx, a.Host)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, apierr.BadRequest("Compute host %s could not be found.", a.Host)
		}
		t.op.Host = a.Host
	}
	if a.AZ != nil {
		az := *a.AZ
		t.apply = func(i *compute.Instance) { i.AvailabilityZone, i.RequestedAZ = az, az }
	}
	return t, res, nil
}

// consoleReady refuses a console or diagnostics outside the states they
// are read in: on a host, not deleting, not migrating (Nova's
// reject_instance_state).
func consoleReady(inst *compute.Instance) error {
	if inst.Host == "" || inst.VMState == compute.VMBuilding {
		return apierr.Conflict("Instance %s is not ready", inst.ID)
	}
	if inst.TaskState == compute.TaskDeleting || inst.TaskState == compute.TaskMigrating {
		return apierr.Conflict("Instance %s is in an invalid state for 'get console'", inst.ID)
	}
	return nil
}

// ConsoleOutput returns the last lines of the console (all when lines <= 0).
func (s *Service) ConsoleOutput(ctx context.Context, c compute.Caller, id string, lines int) (string, error) {
	cond, err := s.deps.NeedConductor()
	if err != nil {
		return "", err
	}
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return "", err
	}
	if inst.Host == "" {
		return "", apierr.Conflict("Instance %s is not ready", id)
	}
	return cond.ConsoleOutput(ctx, inst, lines)
}

// RemoteConsole returns a console URL; protocol vnc, spice, rdp, serial,
// mks and types novnc, xvpvnc, spice-html5, ... as Nova accepts them.
// What this cloud cannot serve is a BadRequest-class error as Nova answers
// for an unavailable console type.
func (s *Service) RemoteConsole(ctx context.Context, c compute.Caller, id, protocol, typ string) (*compute.ConsoleURL, error) {
	cond, err := s.deps.NeedConductor()
	if err != nil {
		return nil, err
	}
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return nil, err
	}
	if protocol != "vnc" || typ != "novnc" {
		return nil, apierr.BadRequest("Unavailable console type %s.", typ)
	}
	if err := consoleReady(inst); err != nil {
		return nil, err
	}
	u, err := cond.VNCConsole(ctx, inst)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// Diagnostics asks the host for a server's diagnostics (admin).
func (s *Service) Diagnostics(ctx context.Context, c compute.Caller, id string) (*driver.Diagnostics, error) {
	cond, err := s.deps.NeedConductor()
	if err != nil {
		return nil, err
	}
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return nil, err
	}
	if inst.Host == "" {
		return nil, apierr.Conflict("Instance %s is not ready", id)
	}
	d, err := cond.Diagnostics(ctx, inst)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// Delete deletes a server (force: forceDelete); a locked server is a
// 409 for non-admins.
func (s *Service) Delete(ctx context.Context, c compute.Caller, id string) error {
	return s.deleteServer(ctx, c, id, "delete")
}

// deleteServer is Nova's _delete: any vm_state and task_state, locked
// only for admins; the conductor tears the instance down (also one never
// scheduled).
func (s *Service) deleteServer(ctx context.Context, c compute.Caller, id, action string) error {
	cond, err := s.deps.NeedConductor()
	if err != nil {
		return err
	}
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return err
	}
	if err := compute.LockError(c, inst); err != nil {
		return err
	}
	if _, err := compute.UpdateInstance(ctx, s.store, id, func(i *compute.Instance) error {
		if err := compute.LockError(c, i); err != nil {
			return err
		}
		i.TaskState = compute.TaskDeleting
		i.Progress = 0
		return nil
	}); err != nil {
		return err
	}
	if err := compute.RecordAction(ctx, s.store, c, id, "delete", s.deps.Clock()); err != nil {
		return err
	}
	cond.Run(context.WithoutCancel(ctx), compute.Op{Kind: compute.OpDelete, InstanceID: id, Caller: c})
	return nil
}

// Action is one POST /servers/{id}/action, by its JSON key.
type Action struct {
	Kind string // reboot, os-stop, os-start, pause, unpause, suspend, resume, lock, unlock,
	// rescue, unrescue, rebuild, resize, confirmResize, revertResize, migrate,
	// os-migrateLive, evacuate, shelve, shelveOffload, unshelve, createImage,
	// createBackup, changePassword, os-resetState, trigger_crash_dump,
	// forceDelete, restore, addSecurityGroup, removeSecurityGroup

	RebootType        string // SOFT or HARD
	FlavorRef         string // resize
	ImageRef          string // rebuild; rescue's rescue_image_ref
	Name              string // rebuild (new server name), createImage, createBackup
	Metadata          map[string]string
	MetadataSet       bool // rebuild: metadata given (may be empty)
	AdminPass         string
	Host              string // migrate (2.56), os-migrateLive, evacuate, unshelve (2.91)
	BlockMigration    *bool  // nil = "auto" (2.25+)
	Force             bool   // os-migrateLive / evacuate force (≤2.67)
	OnSharedStorage   *bool  // evacuate (≤2.13)
	State             string // os-resetState: active or error
	LockedReason      string // lock (2.73)
	BackupType        string
	Rotation          int
	AZ                *string // unshelve availability_zone (2.77; null unpins at 2.91)
	Description       *string // rebuild (2.19)
	KeyName           *string // rebuild (2.54): nil = unchanged, "" = unset
	UserData          *string // rebuild (2.57)
	Hostname          *string // rebuild (2.90)
	TrustedCerts      []string
	PreserveEphemeral bool
	AccessIPv4        *string
	AccessIPv6        *string
	SecurityGroup     string // add/removeSecurityGroup name
	DiskConfig        string
}

// Result is what an action answers besides 202.
type Result struct {
	Instance  *compute.Instance // rebuild shows the server
	ImageID   string            // createImage, createBackup
	AdminPass string            // rescue, rebuild, evacuate (when generated)
}

// cloneMetadata returns a copy of md, never nil.
func cloneMetadata(md map[string]string) map[string]string {
	out := make(map[string]string, len(md))
	maps.Copy(out, md)
	return out
}
