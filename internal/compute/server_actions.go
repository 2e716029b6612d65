package compute

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/platform/db"
)

// Nova's task_states.ALLOW_REBOOT: the task states a hard reboot may
// interrupt.
var allowReboot = []string{"", TaskRebooting, TaskRebootPending, TaskRebootStarted, TaskResuming,
	TaskRebootingHard, TaskUnpausing, TaskPausing, TaskSuspending}

// transition is one state-changing action: the checks Nova's decorators
// make, the task_state it moves to and the instance action it records.
type transition struct {
	api      string // the action as the API names it in messages
	record   string // os-instance-actions name; "" records none
	lock     bool   // @check_instance_lock
	needHost bool   // @check_instance_host
	state    stateCheck
	task     string          // new task_state; "" keeps it
	apply    func(*Instance) // more changes in the same write
	recheck  func(*Instance) error
	op       *Op    // handed to the conductor after the write
	undo     func() // cleanup when the write is refused
}

// precheck runs the checks on an instance read outside the write.
func (t *transition) precheck(c Caller, inst *Instance) error {
	if t.lock {
		if err := lockError(c, inst); err != nil {
			return err
		}
	}
	if t.needHost && inst.Host == "" {
		return conflict("Instance %s is not ready", inst.ID)
	}
	if err := t.state.check(t.api, inst); err != nil {
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
func (s *Service) run(ctx context.Context, c Caller, id string, t *transition) (*Instance, error) {
	inst, err := s.updateInstance(ctx, id, func(i *Instance) error {
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
		if err := s.recordAction(ctx, c, id, t.record); err != nil {
			return nil, err
		}
	}
	if t.op != nil {
		t.op.InstanceID, t.op.Caller = id, c
		s.deps.Conductor.Run(context.WithoutCancel(ctx), *t.op)
	}
	return inst, nil
}

// Act runs a server action: checks lock, state (ConflictError "Cannot
// '<action>' instance <id> while it is in vm_state <x>" as Nova words it),
// records the instance action, sets the task_state and hands it to the
// conductor; DB-only actions (lock, unlock, resetState) finish here.
func (s *Service) Act(ctx context.Context, c Caller, id string, a ServerAction) (*ActionResult, error) {
	inst, err := s.visibleInstance(ctx, c, id, false)
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
		return nil, stateError("restore", id, "vm_state", inst.VMState)
	case "forceDelete":
		// Nova's force_delete deletes in any vm_state and task_state.
		return nil, s.deleteServer(ctx, c, id, "forceDelete")
	case "addSecurityGroup", "removeSecurityGroup":
		return nil, securityGroupAction(inst, a)
	}
	if _, err := s.conductor(); err != nil {
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
func (s *Service) plan(ctx context.Context, c Caller, inst *Instance, a ServerAction) (*transition, *ActionResult, error) {
	res := &ActionResult{}
	switch a.Kind {
	case "reboot":
		kind := strings.ToUpper(a.RebootType)
		t := &transition{api: "reboot", record: "reboot", lock: true, op: &Op{Kind: OpReboot}}
		switch kind {
		case "SOFT":
			t.state = stateCheck{vm: []string{VMActive}}
			t.task = TaskRebooting
			t.op.RebootKind = driver.Soft
		case "HARD":
			t.state = stateCheck{vm: []string{VMActive, VMStopped, VMPaused, VMSuspended, VMError}, task: allowReboot}
			t.task = TaskRebootingHard
			t.op.RebootKind = driver.Hard
		default:
			return nil, nil, invalid("Argument 'type' for reboot must be a string with value 'SOFT' or 'HARD'")
		}
		return t, res, nil
	case "os-stop":
		return &transition{api: "stop", record: "stop", lock: true, needHost: true,
			state: stateCheck{vm: []string{VMActive, VMError}}, task: TaskPoweringOff,
			apply: func(i *Instance) { i.Progress = 0 }, op: &Op{Kind: OpStop}}, res, nil
	case "os-start":
		return &transition{api: "start", record: "start", lock: true, needHost: true,
			state: stateCheck{vm: []string{VMStopped}}, task: TaskPoweringOn, op: &Op{Kind: OpStart}}, res, nil
	case "pause":
		return simple("pause", []string{VMActive}, TaskPausing, OpPause), res, nil
	case "unpause":
		return simple("unpause", []string{VMPaused}, TaskUnpausing, OpUnpause), res, nil
	case "suspend":
		return simple("suspend", []string{VMActive}, TaskSuspending, OpSuspend), res, nil
	case "resume":
		return simple("resume", []string{VMSuspended}, TaskResuming, OpResume), res, nil
	case "unrescue":
		return simple("unrescue", []string{VMRescued}, TaskUnrescuing, OpUnrescue), res, nil
	case "shelveOffload":
		return simple("shelveOffload", []string{VMShelved}, TaskShelvingOffloading, OpShelveOffload), res, nil
	case "trigger_crash_dump":
		t := simple("trigger_crash_dump", []string{VMActive, VMPaused, VMRescued, VMResized, VMError}, "", OpCrashDump)
		t.needHost = true
		return t, res, nil
	case "changePassword":
		t := simple("changePassword", []string{VMActive}, TaskUpdatingPassword, OpChangePassword)
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
	return nil, nil, invalid("There is no such action: %s", a.Kind)
}

// simple is an action with a lock check, a vm_state list, no task and
// one new task_state; the record and conductor op share the name.
func simple(name string, vm []string, task string, kind OpKind) *transition {
	return &transition{api: name, record: name, lock: true, state: stateCheck{vm: vm}, task: task, op: &Op{Kind: kind}}
}

func (s *Service) lock(ctx context.Context, c Caller, inst *Instance, reason string) error {
	owner := inst.ProjectID == c.ProjectID
	if inst.Locked && owner {
		return nil
	}
	if err := s.recordAction(ctx, c, inst.ID, "lock"); err != nil {
		return err
	}
	_, err := s.updateInstance(ctx, inst.ID, func(i *Instance) error {
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

func (s *Service) unlock(ctx context.Context, c Caller, inst *Instance) error {
	want := "admin"
	if inst.ProjectID == c.ProjectID {
		want = "owner"
	}
	if inst.LockedBy != "" && inst.LockedBy != want && !c.Admin {
		return forbidden("Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed.")
	}
	if err := s.recordAction(ctx, c, inst.ID, "unlock"); err != nil {
		return err
	}
	_, err := s.updateInstance(ctx, inst.ID, func(i *Instance) error {
		i.Locked, i.LockedBy, i.LockedReason = false, "", ""
		return nil
	})
	return err
}

func (s *Service) resetState(ctx context.Context, c Caller, inst *Instance, state string) error {
	vm := map[string]string{"active": VMActive, "error": VMError}[state]
	if vm == "" {
		return invalid("Invalid input for field/attribute state. Value: %s. '%s' is not one of ['active', 'error']", state, state)
	}
	if err := s.recordAction(ctx, c, inst.ID, "resetState"); err != nil {
		return err
	}
	_, err := s.updateInstance(ctx, inst.ID, func(i *Instance) error {
		i.VMState, i.TaskState = vm, ""
		return nil
	})
	return err
}

// securityGroupAction answers add/removeSecurityGroup: without a network
// service only the implicit "default" group exists.
func securityGroupAction(inst *Instance, a ServerAction) error {
	if a.SecurityGroup != "default" {
		return notFound("Security group %s not found.", a.SecurityGroup)
	}
	if a.Kind == "addSecurityGroup" {
		return invalid("Security group default is already associated with the instance %s", inst.ID)
	}
	return invalid("Security group default not associated with the instance %s", inst.ID)
}

func (s *Service) planRescue(ctx context.Context, c Caller, inst *Instance, a ServerAction, res *ActionResult) (*transition, *ActionResult, error) {
	t := &transition{api: "rescue", record: "rescue", lock: true,
		state: stateCheck{vm: []string{VMActive, VMStopped, VMError}}, task: TaskRescuing, op: &Op{Kind: OpRescue}}
	if a.ImageRef != "" {
		img, err := s.getImage(ctx, c, a.ImageRef)
		if err != nil {
			return nil, nil, err
		}
		t.op.Image = img
	}
	res.AdminPass = a.AdminPass
	if res.AdminPass == "" {
		res.AdminPass = generatePassword()
	}
	t.op.AdminPassword = res.AdminPass
	return t, res, nil
}

// getImage reads an image for an action (400 when it cannot be found).
func (s *Service) getImage(ctx context.Context, c Caller, id string) (*ImageMeta, error) {
	imgs, err := s.images()
	if err != nil {
		return nil, err
	}
	img, err := imgs.Get(ctx, c.Token, id)
	if errors.Is(err, ErrNotFound) {
		return nil, invalid("Image %s could not be found.", id)
	}
	return img, err
}

func (s *Service) planRebuild(ctx context.Context, c Caller, inst *Instance, a ServerAction, res *ActionResult) (*transition, *ActionResult, error) {
	img, err := s.getImage(ctx, c, a.ImageRef)
	if err != nil {
		var v *ValidationError
		if errors.As(err, &v) {
			return nil, nil, invalid("Cannot find image for rebuild")
		}
		return nil, nil, err
	}
	if err := checkFlavorImage(Caller{Admin: true}, &inst.Flavor, img); err != nil {
		return nil, nil, err
	}
	if a.MetadataSet {
		if err := s.checkMetadata(ctx, inst.ProjectID, a.Metadata); err != nil {
			return nil, nil, err
		}
	}
	if a.Name != "" {
		if err := validName("name", a.Name); err != nil {
			return nil, nil, err
		}
	}
	var keyData *string
	if a.KeyName != nil {
		kd := ""
		if *a.KeyName != "" {
			k, err := s.store.GetKeypair(ctx, inst.UserID, *a.KeyName)
			if errors.Is(err, ErrNotFound) {
				return nil, nil, invalid("Invalid key_name provided.")
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
		res.AdminPass = generatePassword()
	}
	t := &transition{api: "rebuild", record: "rebuild", lock: true,
		state: stateCheck{vm: []string{VMActive, VMStopped, VMError}}, task: TaskRebuilding,
		op: &Op{Kind: OpRebuild, Image: img, AdminPassword: res.AdminPass}}
	t.apply = func(i *Instance) {
		i.ImageRef = img.ID
		i.KernelID = img.Properties["kernel_id"]
		i.RamdiskID = img.Properties["ramdisk_id"]
		i.DiskConfig = diskConfigOr(a.DiskConfig, i.DiskConfig)
		i.SystemMetadata = imageSystemMetadata(i.SystemMetadata, img, &i.Flavor)
		if a.Name != "" {
			i.Name = a.Name
		}
		if a.MetadataSet {
			i.Metadata = copyMap(a.Metadata)
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
			i.AccessIPv4 = normalizeIP(*a.AccessIPv4)
		}
		if a.AccessIPv6 != nil {
			i.AccessIPv6 = normalizeIP(*a.AccessIPv6)
		}
		if a.TrustedCerts != nil {
			i.TrustedCerts = slices.Clone(a.TrustedCerts)
		}
	}
	return t, res, nil
}

// hostUp says whether a host's nova-compute service is up: a recent
// heartbeat and not forced down.
func (s *Service) hostUp(ctx context.Context, host string) (bool, error) {
	svcs, err := s.store.ListServices(ctx, host, "nova-compute")
	if err != nil {
		return false, err
	}
	if len(svcs) > 0 && svcs[0].ForcedDown {
		return false, nil
	}
	if s.deps.Liveness == nil {
		return false, nil
	}
	st, ok := s.deps.Liveness.Status(HeartbeatService, host)
	return ok && st.Up, nil
}

// computeHostExists says whether host runs a nova-compute service.
func (s *Service) computeHostExists(ctx context.Context, host string) (bool, error) {
	svcs, err := s.store.ListServices(ctx, host, "nova-compute")
	return len(svcs) > 0, err
}

// newMigration stores a migration record of inst and returns an undo
// that marks it failed.
func (s *Service) newMigration(ctx context.Context, c Caller, inst *Instance, typ, status, dest string, newFlavor *Flavor) (*Migration, func(), error) {
	m := &Migration{
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
		_, _ = s.store.UpdateMigration(context.WithoutCancel(ctx), m.UUID, func(m *Migration) error {
			m.Status = "error"
			return nil
		})
	}
	return m, undo, nil
}

func (s *Service) planResize(ctx context.Context, c Caller, inst *Instance, a ServerAction, res *ActionResult) (*transition, *ActionResult, error) {
	t := &transition{api: a.Kind, record: a.Kind, lock: true, needHost: true,
		state: stateCheck{vm: []string{VMActive, VMStopped}}, task: TaskResizePrep}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	if up, err := s.hostUp(ctx, inst.Host); err != nil {
		return nil, nil, err
	} else if !up {
		return nil, nil, &UnavailableError{Msg: "Service is unavailable at this time."}
	}
	newFlavor := &inst.Flavor
	typ := "migration"
	if a.Kind == "resize" {
		f, err := s.VisibleFlavor(ctx, a.FlavorRef, inst.ProjectID, c.Admin)
		var nf *NotFoundError
		if errors.As(err, &nf) || err == nil && f.Disabled {
			return nil, nil, invalid("Unable to locate requested flavor.")
		}
		if err != nil {
			return nil, nil, err
		}
		if f.ID == inst.Flavor.ID {
			return nil, nil, invalid("When resizing, instances must change flavor!")
		}
		if inst.ImageRef != "" && s.deps.Images != nil {
			if img, err := s.deps.Images.Get(ctx, c.Token, inst.ImageRef); err == nil {
				if f.RAM < img.MinRAM {
					return nil, nil, invalid("Flavor's memory is too small for requested image.")
				}
				if f.Disk != 0 && img.MinDisk > f.Disk {
					return nil, nil, invalid("Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is %d bytes, minimum size is %d bytes.", f.Disk<<30, img.MinDisk<<30)
				}
			}
		}
		if err := s.checkResizeQuota(ctx, inst, f); err != nil {
			return nil, nil, err
		}
		newFlavor, typ = f, "resize"
	} else if a.Host != "" {
		ok, err := s.computeHostExists(ctx, a.Host)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, invalid("Compute host %s could not be found.", a.Host)
		}
	}
	m, undo, err := s.newMigration(ctx, c, inst, typ, "pre-migrating", a.Host, newFlavor)
	if err != nil {
		return nil, nil, err
	}
	t.undo = undo
	kind := OpResize
	if typ == "migration" {
		kind = OpMigrate
	}
	nf := *newFlavor
	t.op = &Op{Kind: kind, Flavor: &nf, Host: a.Host, MigrationUUID: m.UUID}
	t.apply = func(i *Instance) {
		i.Progress = 0
		// Nova's resize takes OS-DCF:diskConfig too (a migrate has none).
		i.DiskConfig = diskConfigOr(a.DiskConfig, i.DiskConfig)
	}
	return t, res, nil
}

// checkResizeQuota checks the cores and ram a bigger flavor adds.
func (s *Service) checkResizeQuota(ctx context.Context, inst *Instance, f *Flavor) error {
	dc, dr := f.VCPUs-inst.Flavor.VCPUs, f.RAM-inst.Flavor.RAM
	if dc <= 0 && dr <= 0 {
		return nil
	}
	u, err := s.store.CountInstanceUsage(ctx, inst.ProjectID, inst.UserID)
	if err != nil {
		return err
	}
	c := Caller{ProjectID: inst.ProjectID, UserID: inst.UserID}
	delta := &Flavor{VCPUs: max(dc, 0), RAM: max(dr, 0)}
	return s.store.InTx(ctx, func(q db.Querier) error {
		// Instances do not change: only cores and ram are checked.
		u.Instances, u.UserInstances = 0, 0
		return s.checkInstanceQuotaNoInstances(ctx, q, c, delta, u)
	})
}

// checkInstanceQuotaNoInstances checks cores and ram of delta only.
func (s *Service) checkInstanceQuotaNoInstances(ctx context.Context, q db.Querier, c Caller, delta *Flavor, u InstanceUsage) error {
	project, user, err := s.instanceLimits(ctx, q, c)
	if err != nil {
		return err
	}
	delete(project, "instances")
	delete(user, "instances")
	for _, lim := range []struct {
		limits map[string]int64
		used   [2]int64
	}{{user, [2]int64{u.UserCores, u.UserRAM}}, {project, [2]int64{u.Cores, u.RAM}}} {
		var names, reqs, used, limits []string
		for k, r := range []string{"cores", "ram"} {
			l, ok := lim.limits[r]
			d := []int64{delta.VCPUs, delta.RAM}[k]
			if !ok || l < 0 || d <= 0 || lim.used[k]+d <= l {
				continue
			}
			names = append(names, r)
			reqs = append(reqs, fmt.Sprint(d))
			used = append(used, fmt.Sprint(lim.used[k]))
			limits = append(limits, fmt.Sprint(l))
		}
		if len(names) > 0 {
			n := strings.Join(names, ", ")
			return forbidden("Quota exceeded for %s: Requested %s, but already used %s of %s %s", n,
				strings.Join(reqs, ", "), strings.Join(used, ", "), strings.Join(limits, ", "), n)
		}
	}
	return nil
}

func (s *Service) planConfirm(ctx context.Context, c Caller, inst *Instance, kind string, res *ActionResult) (*transition, *ActionResult, error) {
	t := &transition{api: kind, record: kind, lock: true, state: stateCheck{vm: []string{VMResized}}}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	ms, err := s.store.ListMigrations(ctx, MigrationFilter{InstanceID: inst.ID, Status: "finished"})
	if err != nil {
		return nil, nil, err
	}
	if len(ms) == 0 {
		return nil, nil, invalid("Migration not found for instance %s with status finished.", inst.ID)
	}
	m := ms[0]
	next, task, op := "confirming", TaskResizeConfirming, OpConfirmResize
	if kind == "revertResize" {
		next, task, op = "reverting", TaskResizeReverting, OpRevertResize
		if inst.OldFlavor != nil {
			if err := s.checkResizeQuota(ctx, inst, inst.OldFlavor); err != nil {
				return nil, nil, err
			}
		}
	}
	if _, err := s.store.UpdateMigration(ctx, m.UUID, func(m *Migration) error {
		if m.Status != "finished" {
			return invalid("Migration not found for instance %s with status finished.", inst.ID)
		}
		m.Status = next
		return nil
	}); err != nil {
		return nil, nil, err
	}
	t.task = task
	t.op = &Op{Kind: op, MigrationUUID: m.UUID}
	t.undo = func() {
		_, _ = s.store.UpdateMigration(context.WithoutCancel(ctx), m.UUID, func(m *Migration) error {
			m.Status = "finished"
			return nil
		})
	}
	return t, res, nil
}

func (s *Service) planLiveMigrate(ctx context.Context, c Caller, inst *Instance, a ServerAction, res *ActionResult) (*transition, *ActionResult, error) {
	t := &transition{api: "os-migrateLive", record: "live-migration", lock: true,
		state: stateCheck{vm: []string{VMActive, VMPaused}}, task: TaskMigrating}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	if a.Host != "" {
		ok, err := s.computeHostExists(ctx, a.Host)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, invalid("Compute host %s could not be found.", a.Host)
		}
		if a.Host == inst.Host {
			return nil, nil, invalid("Unable to migrate instance (%s) to current host (%s).", inst.ID, inst.Host)
		}
	}
	m, undo, err := s.newMigration(ctx, c, inst, "live-migration", "accepted", a.Host, nil)
	if err != nil {
		return nil, nil, err
	}
	t.undo = undo
	block := a.BlockMigration != nil && *a.BlockMigration
	t.op = &Op{Kind: OpLiveMigrate, Host: a.Host, BlockMigration: block, MigrationUUID: m.UUID}
	return t, res, nil
}

func (s *Service) planEvacuate(ctx context.Context, c Caller, inst *Instance, a ServerAction, res *ActionResult) (*transition, *ActionResult, error) {
	t := &transition{api: "evacuate", record: "evacuate",
		state: stateCheck{vm: []string{VMActive, VMStopped, VMError}, anyTask: true}, task: TaskRebuilding}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	if a.Host != "" {
		ok, err := s.computeHostExists(ctx, a.Host)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, notFound("Compute host %s not found.", a.Host)
		}
		if a.Host == inst.Host {
			return nil, nil, invalid("The target host can't be the same one.")
		}
	}
	if inst.Host == "" {
		return nil, nil, conflict("Instance %s is not ready", inst.ID)
	}
	up, err := s.hostUp(ctx, inst.Host)
	if err != nil {
		return nil, nil, err
	}
	if up {
		return nil, nil, invalid("Compute service of %s is still in use.", inst.Host)
	}
	m, undo, err := s.newMigration(ctx, c, inst, "evacuation", "accepted", a.Host, nil)
	if err != nil {
		return nil, nil, err
	}
	t.undo = undo
	res.AdminPass = a.AdminPass
	if res.AdminPass == "" {
		res.AdminPass = generatePassword()
	}
	t.op = &Op{Kind: OpEvacuate, Host: a.Host, AdminPassword: res.AdminPass, MigrationUUID: m.UUID}
	return t, res, nil
}

// planSnapshot is createImage, createBackup and shelve: a queued image
// is registered first (as Nova's compute_utils.create_image) and removed
// again when the instance refuses the task.
func (s *Service) planSnapshot(ctx context.Context, c Caller, inst *Instance, a ServerAction, res *ActionResult) (*transition, *ActionResult, error) {
	states := []string{VMActive, VMStopped, VMPaused, VMSuspended}
	var t *transition
	imageType, name := "snapshot", a.Name
	switch a.Kind {
	case "createImage":
		t = &transition{api: "createImage", record: "createImage", state: stateCheck{vm: states},
			task: TaskImageSnapshotPend, op: &Op{Kind: OpSnapshot}}
	case "createBackup":
		t = &transition{api: "createBackup", record: "createBackup", state: stateCheck{vm: states},
			task: TaskImageBackup, op: &Op{Kind: OpBackup, BackupType: a.BackupType, Rotation: a.Rotation}}
		imageType = "backup"
	default:
		t = &transition{api: "shelve", record: "shelve", lock: true, state: stateCheck{vm: states},
			task: TaskShelving, op: &Op{Kind: OpShelve}}
		name = inst.Name + "-shelved"
	}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	imgs, err := s.images()
	if err != nil {
		return nil, nil, err
	}
	meta := ImageMeta{Name: name, DiskFormat: "qcow2", ContainerFormat: "bare", Visibility: "private", Properties: map[string]string{}}
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

func (s *Service) planUnshelve(ctx context.Context, c Caller, inst *Instance, a ServerAction, res *ActionResult) (*transition, *ActionResult, error) {
	t := &transition{api: "unshelve", record: "unshelve", lock: true,
		state: stateCheck{vm: []string{VMShelved, VMShelvedOf}}, task: TaskUnshelving, op: &Op{Kind: OpUnshelve}}
	if err := t.precheck(c, inst); err != nil {
		return nil, nil, err
	}
	if (a.AZ != nil || a.Host != "") && inst.VMState != VMShelvedOf {
		return nil, nil, conflict("The unshelve action on a server with availability_zone or host given is only allowed for a shelved offloaded server (vm_state %s).", inst.VMState)
	}
	if a.AZ != nil && *a.AZ != "" {
		ok, err := s.zoneExists(ctx, *a.AZ)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, invalid("The requested availability zone is not available")
		}
		t.op.AZ = *a.AZ
	}
	if a.Host != "" {
		ok, err := s.computeHostExists(ctx, a.Host)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, invalid("Compute host %s could not be found.", a.Host)
		}
		t.op.Host = a.Host
	}
	if a.AZ != nil {
		az := *a.AZ
		t.apply = func(i *Instance) { i.AvailabilityZone = az }
	}
	return t, res, nil
}

// runningStates are the states a console or diagnostics is read in:
// not deleting, not migrating (Nova's reject_instance_state).
func consoleReady(inst *Instance) error {
	if inst.Host == "" || inst.VMState == VMBuilding {
		return conflict("Instance %s is not ready", inst.ID)
	}
	if inst.TaskState == TaskDeleting || inst.TaskState == TaskMigrating {
		return conflict("Instance %s is in an invalid state for 'get console'", inst.ID)
	}
	return nil
}

// ConsoleOutput returns the last lines of the console (all when lines <= 0).
func (s *Service) ConsoleOutput(ctx context.Context, c Caller, id string, lines int) (string, error) {
	cond, err := s.conductor()
	if err != nil {
		return "", err
	}
	inst, err := s.visibleInstance(ctx, c, id, false)
	if err != nil {
		return "", err
	}
	if inst.Host == "" {
		return "", conflict("Instance %s is not ready", id)
	}
	return cond.ConsoleOutput(ctx, inst, lines)
}

// RemoteConsole returns a console URL; protocol vnc, spice, rdp, serial,
// mks and types novnc, xvpvnc, spice-html5, ... as Nova accepts them.
// What this cloud cannot serve is a BadRequest-class error as Nova answers
// for an unavailable console type.
func (s *Service) RemoteConsole(ctx context.Context, c Caller, id, protocol, typ string) (*ConsoleURL, error) {
	cond, err := s.conductor()
	if err != nil {
		return nil, err
	}
	inst, err := s.visibleInstance(ctx, c, id, false)
	if err != nil {
		return nil, err
	}
	if protocol != "vnc" || typ != "novnc" {
		return nil, invalid("Unavailable console type %s.", typ)
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
func (s *Service) Diagnostics(ctx context.Context, c Caller, id string) (*driver.Diagnostics, error) {
	cond, err := s.conductor()
	if err != nil {
		return nil, err
	}
	inst, err := s.visibleInstance(ctx, c, id, false)
	if err != nil {
		return nil, err
	}
	if inst.Host == "" {
		return nil, conflict("Instance %s is not ready", id)
	}
	d, err := cond.Diagnostics(ctx, inst)
	if err != nil {
		return nil, err
	}
	return &d, nil
}
