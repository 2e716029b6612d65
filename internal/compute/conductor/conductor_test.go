package conductor_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestBuild(t *testing.T) {
	e := newEnv(t, 2, fake.Instant)
	insts := e.active(3)
	for _, inst := range insts {
		if inst.Host == "" || inst.Node == "" || inst.AvailabilityZone != "nova" || inst.PowerState != 1 || inst.LaunchedAt == nil || inst.Fault != nil {
			t.Errorf("built instance: %+v", inst)
		}
		if a := e.place.of(inst.ID); a["rp-"+inst.Host]["MEMORY_MB"] != 512 {
			t.Errorf("allocation of %s: %v", inst.ID, a)
		}
		info, ok := e.guests(inst.Host)[inst.ID]
		if !ok || info.PowerState != driver.Running || info.Name != inst.InstanceName() {
			t.Errorf("guest of %s: %+v %v", inst.ID, info, ok)
		}
		var names []string
		for _, ev := range e.store.eventsOf(inst.ID, "req-create") {
			if ev.Result != "Success" {
				t.Errorf("event %s: %q", ev.Event, ev.Result)
			}
			names = append(names, ev.Event)
		}
		if got := strings.Join(names, ","); got != "conductor_schedule_and_build_instances,compute_build_and_run_instance" {
			t.Errorf("events %s", got)
		}
	}
}

func TestBuildRetriesOnAlternate(t *testing.T) {
	e := newEnv(t, 2, fake.Instant)
	e.hosts[hostName(1)].FailNext("Spawn", errors.New("disk on fire"))
	inst := e.active(1)[0]
	if inst.Host != hostName(2) {
		t.Fatalf("built on %s, want the alternate %s", inst.Host, hostName(2))
	}
	if got := e.place.consumers(); len(got) != 1 || e.place.of(inst.ID)["rp-"+hostName(2)] == nil || e.place.of(inst.ID)["rp-"+hostName(1)] != nil {
		t.Fatalf("allocations %v: %v", got, e.place.of(inst.ID))
	}
	if len(e.guests(hostName(1))) != 0 {
		t.Fatal("failed spawn left a guest")
	}
}

func TestBuildFailures(t *testing.T) {
	t.Run("no valid host", func(t *testing.T) {
		e := newEnv(t, 0, fake.Instant)
		insts := e.newInstances(1)
		e.build(insts...)
		inst := e.get(insts[0].ID)
		if inst.VMState != compute.VMError || inst.TaskState != "" || inst.Host != "" || inst.Fault == nil ||
			inst.Fault.Code != 500 || !strings.HasPrefix(inst.Fault.Message, "No valid host was found.") {
			t.Fatalf("got %+v fault %+v", inst, inst.Fault)
		}
		if evs := e.store.eventsOf(inst.ID, "req-create"); len(evs) != 1 || evs[0].Result != "Error" {
			t.Fatalf("events %+v", evs)
		}
	})
	t.Run("every host fails", func(t *testing.T) {
		e := newEnv(t, 2, fake.Instant)
		e.hosts[hostName(1)].FailNext("Spawn", errors.New("disk on fire"))
		e.hosts[hostName(2)].FailNext("Spawn", errors.New("out of cheese"))
		insts := e.newInstances(1)
		e.build(insts...)
		inst := e.get(insts[0].ID)
		if inst.VMState != compute.VMError || inst.Host != "" || inst.Fault == nil ||
			!strings.Contains(inst.Fault.Message, "Exceeded maximum number of retries") || !strings.Contains(inst.Fault.Message, "out of cheese") {
			t.Fatalf("got %+v fault %+v", inst, inst.Fault)
		}
		if got := e.place.consumers(); len(got) != 0 {
			t.Fatalf("allocations left: %v", got)
		}
	})
}

func TestDeleteDuringBuild(t *testing.T) {
	e := newEnv(t, 1, 50*time.Millisecond)
	insts := e.newInstances(2)
	e.c.Build(context.Background(), compute.BuildRequest{InstanceIDs: []string{insts[0].ID, insts[1].ID}, Caller: compute.Caller{RequestID: "req-create"}})
	// Wait until the first build is spawning, then delete it.
	deadline := time.Now().Add(10 * time.Second)
	for e.get(insts[0].ID).TaskState != compute.TaskSpawning {
		if time.Now().After(deadline) {
			t.Fatal("build never reached spawning")
		}
		time.Sleep(time.Millisecond)
	}
	e.act(compute.Op{Kind: compute.OpDelete, InstanceID: insts[0].ID}, compute.TaskDeleting)
	inst := e.get(insts[0].ID)
	if !inst.Deleted || inst.VMState != compute.VMDeleted || inst.DeletedAt == nil || inst.TerminatedAt == nil {
		t.Fatalf("deleted during build: %+v", inst)
	}
	if e.place.of(insts[0].ID) != nil {
		t.Fatal("allocation left")
	}
	if _, ok := e.guests(hostName(1))[insts[0].ID]; ok {
		t.Fatal("guest left")
	}
	if other := e.get(insts[1].ID); other.VMState != compute.VMActive {
		t.Fatalf("the other instance is %s", other.VMState)
	}
}

func TestPowerOps(t *testing.T) {
	e := newEnv(t, 1, fake.Instant)
	inst := e.active(1)[0]
	id := inst.ID
	for _, step := range []struct {
		op    compute.Op
		task  string
		vm    string
		power driver.PowerState
	}{
		{compute.Op{Kind: compute.OpStop}, compute.TaskPoweringOff, compute.VMStopped, driver.Shutdown},
		{compute.Op{Kind: compute.OpStart}, compute.TaskPoweringOn, compute.VMActive, driver.Running},
		{compute.Op{Kind: compute.OpReboot, RebootKind: driver.Soft}, compute.TaskRebooting, compute.VMActive, driver.Running},
		{compute.Op{Kind: compute.OpReboot, RebootKind: driver.Hard}, compute.TaskRebootingHard, compute.VMActive, driver.Running},
		{compute.Op{Kind: compute.OpPause}, compute.TaskPausing, compute.VMPaused, driver.Paused},
		{compute.Op{Kind: compute.OpUnpause}, compute.TaskUnpausing, compute.VMActive, driver.Running},
		{compute.Op{Kind: compute.OpSuspend}, compute.TaskSuspending, compute.VMSuspended, driver.Suspended},
		{compute.Op{Kind: compute.OpResume}, compute.TaskResuming, compute.VMActive, driver.Running},
		{compute.Op{Kind: compute.OpRescue, AdminPassword: "pw"}, compute.TaskRescuing, compute.VMRescued, driver.Running},
		{compute.Op{Kind: compute.OpUnrescue}, compute.TaskUnrescuing, compute.VMActive, driver.Running},
		{compute.Op{Kind: compute.OpChangePassword, AdminPassword: "pw"}, compute.TaskUpdatingPassword, compute.VMActive, driver.Running},
		{compute.Op{Kind: compute.OpCrashDump}, "", compute.VMActive, driver.Running},
		{compute.Op{Kind: compute.OpRebuild, Image: &compute.ImageMeta{ID: "fedora"}}, compute.TaskRebuilding, compute.VMActive, driver.Running},
		{compute.Op{Kind: compute.OpStop}, compute.TaskPoweringOff, compute.VMStopped, driver.Shutdown},
		{compute.Op{Kind: compute.OpRebuild, Image: &compute.ImageMeta{ID: "cirros"}}, compute.TaskRebuilding, compute.VMStopped, driver.Shutdown},
	} {
		step.op.InstanceID = id
		got := e.act(step.op, step.task)
		if got.VMState != step.vm || got.PowerState != int(step.power) {
			t.Fatalf("%s: vm_state %s power %d, want %s %d (fault %+v)", step.op.Kind, got.VMState, got.PowerState, step.vm, step.power, got.Fault)
		}
		if info := e.guests(inst.Host)[id]; info.PowerState != step.power {
			t.Fatalf("%s: guest is %v, want %v", step.op.Kind, info.PowerState, step.power)
		}
		evs := e.store.eventsOf(id, "req-"+string(step.op.Kind))
		if len(evs) == 0 || evs[len(evs)-1].Result != "Success" || !strings.HasPrefix(evs[len(evs)-1].Event, "compute_") {
			t.Fatalf("%s: events %+v", step.op.Kind, evs)
		}
	}
	if got := e.get(id); got.ImageRef != "cirros" {
		t.Errorf("image after rebuild: %s", got.ImageRef)
	}

	// A failed pause keeps vm_state, clears task_state, records a fault.
	e.act(compute.Op{Kind: compute.OpStart, InstanceID: id}, compute.TaskPoweringOn)
	e.hosts[inst.Host].FailNext("Pause", errors.New("no pause today"))
	got := e.act(compute.Op{Kind: compute.OpPause, InstanceID: id}, compute.TaskPausing)
	if got.VMState != compute.VMActive || got.Fault == nil || !strings.Contains(got.Fault.Message, "no pause today") {
		t.Fatalf("failed pause: %s %+v", got.VMState, got.Fault)
	}
	if evs := e.store.eventsOf(id, "req-pause"); evs[len(evs)-1].Result != "Error" {
		t.Fatalf("failed pause events: %+v", evs)
	}
	// A password change on a stopped guest is a fault.
	e.act(compute.Op{Kind: compute.OpStop, InstanceID: id}, compute.TaskPoweringOff)
	got = e.act(compute.Op{Kind: compute.OpChangePassword, InstanceID: id}, compute.TaskUpdatingPassword)
	if got.VMState != compute.VMStopped || got.Fault == nil {
		t.Fatalf("password of a stopped guest: %s %+v", got.VMState, got.Fault)
	}
	// The driver's invalid state is a 409 fault whose message is the
	// driver's, without the status its error text starts with.
	wantMsg := "cannot set the admin password of instance " + id + " while it is shutdown"
	if got.Fault.Code != 409 || got.Fault.Message != wantMsg || got.Fault.Details != wantMsg {
		t.Errorf("password fault = %+v, want 409 %q", got.Fault, wantMsg)
	}

	got = e.act(compute.Op{Kind: compute.OpDelete, InstanceID: id}, compute.TaskDeleting)
	if !got.Deleted || got.VMState != compute.VMDeleted || got.PowerState != 0 {
		t.Fatalf("delete: %+v", got)
	}
	if len(e.guests(inst.Host)) != 0 || len(e.place.consumers()) != 0 {
		t.Fatalf("delete left guests %v allocations %v", e.guests(inst.Host), e.place.consumers())
	}
}

func TestResize(t *testing.T) {
	big := compute.Flavor{ID: "2", Name: "small", RAM: 2048, VCPUs: 2, Disk: 5, ExtraSpecs: map[string]string{}}
	for _, tc := range []struct {
		name    string
		hosts   int
		confirm bool
	}{
		{"other host confirm", 2, true},
		{"other host revert", 2, false},
		{"same host confirm", 1, true},
		{"same host revert", 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.hosts, fake.Instant)
			e.sched.hosts = e.sched.hosts[:1] // build on the first host
			inst := e.active(1)[0]
			e.sched.hosts = nil
			for i := range tc.hosts {
				e.sched.hosts = append(e.sched.hosts, fakeHost{name: hostName(tc.hosts - i), node: hostName(tc.hosts - i), provider: "rp-" + hostName(tc.hosts-i)})
			}
			src := inst.Host
			mig := e.migration(inst, "resize", "pre-migrating")
			got := e.act(compute.Op{Kind: compute.OpResize, InstanceID: inst.ID, Flavor: &big, MigrationUUID: mig}, compute.TaskResizePrep)
			dest := hostName(tc.hosts)
			if got.VMState != compute.VMResized || got.Host != dest || got.Flavor.ID != "2" || got.OldFlavor == nil || got.OldFlavor.ID != "1" {
				t.Fatalf("resized: %s on %s flavor %s old %+v fault %+v\n%s", got.VMState, got.Host, got.Flavor.ID, got.OldFlavor, got.Fault, e.log)
			}
			if m := e.mig(mig); m.Status != "finished" || m.DestCompute != dest {
				t.Fatalf("migration %+v", m)
			}
			if a := e.place.of(inst.ID); a["rp-"+dest]["MEMORY_MB"] != 2048 {
				t.Fatalf("instance allocation %v", a)
			}
			if a := e.place.of(mig); a["rp-"+src]["MEMORY_MB"] != 512 {
				t.Fatalf("migration allocation %v", a)
			}
			if tc.confirm {
				got = e.act(compute.Op{Kind: compute.OpConfirmResize, InstanceID: inst.ID, MigrationUUID: mig}, compute.TaskResizeConfirming)
				if got.VMState != compute.VMActive || got.OldFlavor != nil || got.Flavor.ID != "2" || got.Host != dest {
					t.Fatalf("confirmed: %+v", got)
				}
				if e.mig(mig).Status != "confirmed" || e.place.of(mig) != nil {
					t.Fatalf("confirm left %s %v", e.mig(mig).Status, e.place.of(mig))
				}
			} else {
				got = e.act(compute.Op{Kind: compute.OpRevertResize, InstanceID: inst.ID, MigrationUUID: mig}, compute.TaskResizeReverting)
				if got.VMState != compute.VMActive || got.Flavor.ID != "1" || got.Host != src || got.OldFlavor != nil {
					t.Fatalf("reverted: %+v fault %+v\n%s", got, got.Fault, e.log)
				}
				if e.mig(mig).Status != "reverted" || e.place.of(mig) != nil || e.place.of(inst.ID)["rp-"+src]["MEMORY_MB"] != 512 {
					t.Fatalf("revert left %s %v %v", e.mig(mig).Status, e.place.of(mig), e.place.of(inst.ID))
				}
				if tc.hosts == 2 && len(e.guests(dest)) != 0 {
					t.Fatal("revert left the destination copy")
				}
			}
			if g := e.guests(got.Host)[inst.ID]; g.PowerState != driver.Running || g.Migrating {
				t.Fatalf("guest after: %+v", g)
			}
			if len(e.place.consumers()) != 1 {
				t.Fatalf("allocations %v", e.place.consumers())
			}
		})
	}
}

func TestMigrateWithoutHost(t *testing.T) {
	e := newEnv(t, 1, fake.Instant)
	inst := e.active(1)[0]
	mig := e.migration(inst, "migration", "pre-migrating")
	got := e.act(compute.Op{Kind: compute.OpMigrate, InstanceID: inst.ID, Flavor: &inst.Flavor, MigrationUUID: mig}, compute.TaskResizePrep)
	if got.VMState != compute.VMActive || got.Fault == nil || !strings.HasPrefix(got.Fault.Message, "No valid host") {
		t.Fatalf("migrate with one host: %s %+v", got.VMState, got.Fault)
	}
	if e.mig(mig).Status != "error" || e.place.of(mig) != nil || e.place.of(inst.ID) == nil {
		t.Fatalf("migration %s, allocations %v / %v", e.mig(mig).Status, e.place.of(mig), e.place.of(inst.ID))
	}
}

func TestLiveMigrateAndEvacuate(t *testing.T) {
	e := newEnv(t, 2, fake.Instant)
	e.sched.hosts = e.sched.hosts[:1]
	inst := e.active(1)[0]
	e.sched.hosts = []fakeHost{{hostName(1), hostName(1), "rp-" + hostName(1)}, {hostName(2), hostName(2), "rp-" + hostName(2)}}

	mig := e.migration(inst, "live-migration", "accepted")
	got := e.act(compute.Op{Kind: compute.OpLiveMigrate, InstanceID: inst.ID, MigrationUUID: mig}, compute.TaskMigrating)
	if got.VMState != compute.VMActive || got.Host != hostName(2) {
		t.Fatalf("live migrated: %s on %s (%+v)", got.VMState, got.Host, got.Fault)
	}
	if e.mig(mig).Status != "completed" || e.place.of(mig) != nil || e.place.of(inst.ID)["rp-"+hostName(2)] == nil {
		t.Fatalf("migration %s allocations %v", e.mig(mig).Status, e.place.consumers())
	}
	if len(e.guests(hostName(1))) != 0 || e.guests(hostName(2))[inst.ID].PowerState != driver.Running {
		t.Fatal("guest did not move")
	}

	// Evacuate back to host 1 as if host 2 had failed: its copy stays
	// until host 2 reports again, then it is reaped.
	ev := e.migration(got, "evacuation", "accepted")
	got = e.act(compute.Op{Kind: compute.OpEvacuate, InstanceID: inst.ID, MigrationUUID: ev}, compute.TaskRebuilding)
	if got.VMState != compute.VMActive || got.Host != hostName(1) || e.mig(ev).Status != "done" {
		t.Fatalf("evacuated: %s on %s, migration %s (%+v)", got.VMState, got.Host, e.mig(ev).Status, got.Fault)
	}
	if cs := e.place.consumers(); len(cs) != 1 || e.place.of(inst.ID)["rp-"+hostName(1)] == nil {
		t.Fatalf("allocations %v", cs)
	}
	list, _ := e.hosts[hostName(2)].ListInstances(context.Background())
	if err := e.c.Power(context.Background(), hostrpc.PowerReport{Host: hostName(2), Full: true, Instances: list}); err != nil {
		t.Fatal(err)
	}
	e.wait()
	if len(e.guests(hostName(2))) != 0 {
		t.Fatal("evacuated guest not reaped")
	}
}

func TestShelveUnshelve(t *testing.T) {
	e := newEnv(t, 1, fake.Instant)
	inst := e.active(1)[0]
	img, _ := e.images.Create(context.Background(), "tok", compute.ImageMeta{Name: inst.Name + "-shelved",
		Properties: map[string]string{"instance_uuid": inst.ID, "image_type": "snapshot"}})
	got := e.act(compute.Op{Kind: compute.OpShelve, InstanceID: inst.ID, ImageID: img.ID}, compute.TaskShelving)
	if got.VMState != compute.VMShelvedOf || got.Host != "" || got.Node != "" {
		t.Fatalf("shelved: %s host %q (%+v)", got.VMState, got.Host, got.Fault)
	}
	if snap, _ := e.images.Get(context.Background(), "tok", img.ID); snap.Status != "active" {
		t.Fatalf("shelved image %+v", snap)
	}
	if len(e.place.consumers()) != 0 || len(e.guests(hostName(1))) != 0 {
		t.Fatal("offload left allocations or a guest")
	}
	got = e.act(compute.Op{Kind: compute.OpUnshelve, InstanceID: inst.ID}, compute.TaskUnshelving)
	if got.VMState != compute.VMActive || got.Host != hostName(1) || got.PowerState != 1 || got.ImageRef != "cirros" {
		t.Fatalf("unshelved: %+v (%+v)", got, got.Fault)
	}
	if e.place.of(inst.ID) == nil || e.guests(hostName(1))[inst.ID].PowerState != driver.Running {
		t.Fatal("unshelve did not claim or spawn")
	}
	if _, err := e.images.Get(context.Background(), "tok", img.ID); err == nil {
		t.Fatal("shelved image not deleted")
	}
}

func TestShelveKeptWithOffloadDelay(t *testing.T) {
	e := newEnv(t, 1, fake.Instant, func(c *conductor.Config) { c.ShelvedOffloadTime = time.Hour })
	inst := e.active(1)[0]
	got := e.act(compute.Op{Kind: compute.OpShelve, InstanceID: inst.ID}, compute.TaskShelving)
	if got.VMState != compute.VMShelved || got.Host == "" || e.place.of(inst.ID) == nil {
		t.Fatalf("shelved: %+v", got)
	}
	got = e.act(compute.Op{Kind: compute.OpUnshelve, InstanceID: inst.ID}, compute.TaskUnshelving)
	if got.VMState != compute.VMActive || got.PowerState != 1 {
		t.Fatalf("unshelved: %+v", got)
	}
	got = e.act(compute.Op{Kind: compute.OpShelve, InstanceID: inst.ID}, compute.TaskShelving)
	got = e.act(compute.Op{Kind: compute.OpShelveOffload, InstanceID: inst.ID}, compute.TaskShelvingOffloading)
	if got.VMState != compute.VMShelvedOf || e.place.of(inst.ID) != nil {
		t.Fatalf("offloaded: %+v", got)
	}
}

func TestSnapshotAndBackupRotation(t *testing.T) {
	e := newEnv(t, 1, fake.Instant)
	inst := e.active(1)[0]
	ctx := context.Background()
	img, _ := e.images.Create(ctx, "tok", compute.ImageMeta{Name: "snap"})
	got := e.act(compute.Op{Kind: compute.OpSnapshot, InstanceID: inst.ID, ImageID: img.ID}, compute.TaskImageSnapshotPend)
	if got.VMState != compute.VMActive {
		t.Fatalf("after snapshot: %s", got.VMState)
	}
	if snap, _ := e.images.Get(ctx, "tok", img.ID); snap.Status != "active" || len(e.images.data[img.ID]) == 0 {
		t.Fatalf("snapshot image %+v", snap)
	}
	var backups []string
	for range 3 {
		b, _ := e.images.Create(ctx, "tok", compute.ImageMeta{Name: "bk", Properties: map[string]string{
			"image_type": "backup", "backup_type": "daily", "instance_uuid": inst.ID}})
		backups = append(backups, b.ID)
		e.act(compute.Op{Kind: compute.OpBackup, InstanceID: inst.ID, ImageID: b.ID, BackupType: "daily", Rotation: 2}, compute.TaskImageBackup)
	}
	left, _ := e.images.List(ctx, "tok", map[string]string{"image_type": "backup"})
	if len(left) != 2 {
		t.Fatalf("%d backups left, want 2", len(left))
	}
	if _, err := e.images.Get(ctx, "tok", backups[0]); err == nil {
		t.Fatal("oldest backup kept")
	}
	// A failed upload deletes the queued image and records a fault.
	e.hosts[inst.Host].FailNext("Snapshot", errors.New("snapshot broke"))
	bad, _ := e.images.Create(ctx, "tok", compute.ImageMeta{Name: "bad"})
	got = e.act(compute.Op{Kind: compute.OpSnapshot, InstanceID: inst.ID, ImageID: bad.ID}, compute.TaskImageSnapshotPend)
	if got.VMState != compute.VMActive || got.Fault == nil {
		t.Fatalf("failed snapshot: %s %+v", got.VMState, got.Fault)
	}
	if _, err := e.images.Get(ctx, "tok", bad.ID); err == nil {
		t.Fatal("failed snapshot's image kept")
	}
}

func TestPowerSync(t *testing.T) {
	e := newEnv(t, 1, fake.Instant)
	insts := e.active(3)
	d := e.hosts[hostName(1)]
	ctx := context.Background()
	d.GuestShutdown(insts[0].ID)
	d.Destroy(ctx, insts[1].ID)
	// A deleted instance's guest still runs: it is reaped.
	e.act(compute.Op{Kind: compute.OpStop, InstanceID: insts[2].ID}, compute.TaskPoweringOff)
	d.PowerOn(ctx, insts[2].ID) // a stopped instance's guest runs: stopped again
	ghost := e.newInstances(1)[0]
	d.Spawn(ctx, driver.Spec{UUID: ghost.ID, Name: "ghost", Flavor: driver.Flavor{VCPUs: 1, MemoryMB: 64}})
	e.store.UpdateInstance(ctx, ghost.ID, false, func(i *compute.Instance) error {
		i.Deleted, i.VMState, i.TaskState = true, compute.VMDeleted, ""
		return nil
	})

	list, _ := d.ListInstances(ctx)
	if err := e.c.Power(ctx, hostrpc.PowerReport{Host: hostName(1), Full: true, Instances: list}); err != nil {
		t.Fatal(err)
	}
	e.wait()
	if got := e.get(insts[0].ID); got.VMState != compute.VMStopped || got.PowerState != int(driver.Shutdown) {
		t.Errorf("guest shut down: %s %d", got.VMState, got.PowerState)
	}
	if got := e.get(insts[1].ID); got.VMState != compute.VMActive || got.PowerState != int(driver.NoState) {
		t.Errorf("guest gone: %s %d", got.VMState, got.PowerState)
	}
	if got := e.get(insts[2].ID); got.VMState != compute.VMStopped || e.guests(hostName(1))[insts[2].ID].PowerState != driver.Shutdown {
		t.Errorf("stopped instance's guest: %s %v", got.VMState, e.guests(hostName(1))[insts[2].ID].PowerState)
	}
	if _, ok := e.guests(hostName(1))[ghost.ID]; ok {
		t.Error("deleted instance's guest not reaped")
	}

	// A lifecycle event: the guest crashed.
	e.act(compute.Op{Kind: compute.OpStart, InstanceID: insts[2].ID}, compute.TaskPoweringOn)
	d.Crash(insts[2].ID)
	if err := e.c.Event(ctx, hostrpc.EventReport{Host: hostName(1), Event: driver.Event{Kind: driver.EventCrashed, Instance: insts[2].ID}}); err != nil {
		t.Fatal(err)
	}
	e.wait()
	if got := e.get(insts[2].ID); got.VMState != compute.VMStopped {
		t.Errorf("crashed guest: %s %d", got.VMState, got.PowerState)
	}
}

func TestConsoles(t *testing.T) {
	e := newEnv(t, 1, fake.Instant)
	inst := e.active(1)[0]
	ctx := context.Background()
	all, err := e.c.ConsoleOutput(ctx, inst, -1)
	if err != nil || len(strings.Split(all, "\n")) <= 10 {
		t.Fatalf("console (a boot log of more than 10 lines): %q %v", all, err)
	}
	// Nova's tail: the last n pieces of the log split at newlines, which
	// is what Tempest counts (a final newline makes an empty piece).
	for _, n := range []int{1, 3} {
		got, _ := e.c.ConsoleOutput(ctx, inst, n)
		if len(strings.Split(got, "\n")) != n || !strings.HasSuffix(all, got) {
			t.Errorf("last %d lines: %q of %q", n, got, all)
		}
	}
	if none, _ := e.c.ConsoleOutput(ctx, inst, 0); none != "" {
		t.Errorf("length 0: %q", none)
	}
	if _, err := e.c.VNCConsole(ctx, inst); apierr.Status(err) != http.StatusServiceUnavailable {
		t.Fatalf("vnc without a proxy: %v, want a 503", err)
	}
	if d, err := e.c.Diagnostics(ctx, inst); err != nil || d.State != driver.Running {
		t.Fatalf("diagnostics: %+v %v", d, err)
	}
	// A host's error reaches the API as a 500, whatever the driver's
	// status: the instance's guest is gone from its host.
	if err := e.hosts[inst.Host].Destroy(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.ConsoleOutput(ctx, inst, -1)
	if apierr.Status(err) != http.StatusInternalServerError || err.Error() != "instance "+inst.ID+" not found on this host" {
		t.Errorf("console of a guest gone from its host: %v (status %d), want a 500", err, apierr.Status(err))
	}
	if _, err := e.c.Diagnostics(ctx, inst); apierr.Status(err) != http.StatusInternalServerError {
		t.Errorf("diagnostics of a guest gone from its host: %v, want a 500", err)
	}
}

func TestVNCConsole(t *testing.T) {
	e := newEnv(t, 1, fake.Instant, func(c *conductor.Config) { c.NoVNCBase = "http://ctl:6080/vnc_lite.html" })
	inst := e.active(1)[0]
	u, err := e.c.VNCConsole(context.Background(), inst)
	if err != nil || u.Protocol != "vnc" || u.Type != "novnc" || !strings.HasPrefix(u.URL, "http://ctl:6080/vnc_lite.html?token=") {
		t.Fatalf("vnc: %+v %v", u, err)
	}
}

func TestLiveMigrateFailureRollsBack(t *testing.T) {
	e := newEnv(t, 2, fake.Instant)
	e.sched.hosts = e.sched.hosts[:1]
	inst := e.active(1)[0]
	e.sched.hosts = []fakeHost{{hostName(1), hostName(1), "rp-" + hostName(1)}, {hostName(2), hostName(2), "rp-" + hostName(2)}}
	e.hosts[hostName(1)].FailNext("LiveMigrate", errors.New("link down"))
	mig := e.migration(inst, "live-migration", "accepted")
	got := e.act(compute.Op{Kind: compute.OpLiveMigrate, InstanceID: inst.ID, MigrationUUID: mig}, compute.TaskMigrating)
	if got.VMState != compute.VMActive || got.Host != hostName(1) || e.mig(mig).Status != "error" {
		t.Fatalf("after a failed live migration: %s on %s, migration %s", got.VMState, got.Host, e.mig(mig).Status)
	}
	if cs := e.place.consumers(); len(cs) != 1 || e.place.of(inst.ID)["rp-"+hostName(1)] == nil || e.place.of(inst.ID)["rp-"+hostName(2)] != nil {
		t.Fatalf("allocations %v %v", cs, e.place.of(inst.ID))
	}
	if len(e.guests(hostName(2))) != 0 || e.guests(hostName(1))[inst.ID].PowerState != driver.Running {
		t.Fatal("guests not rolled back")
	}
}

// TestPowerSyncIgnoresSourceCopy: after a same-host resize is confirmed,
// a report taken before the driver dropped the stopped source copy lists
// the instance twice (the running guest and the copy, Migrating); the
// copy says nothing about the instance, which stays ACTIVE.
func TestPowerSyncIgnoresSourceCopy(t *testing.T) {
	e := newEnv(t, 1, fake.Instant)
	inst := e.active(1)[0]
	ctx := context.Background()
	for _, list := range [][]driver.InstanceInfo{
		{{UUID: inst.ID, PowerState: driver.Running}, {UUID: inst.ID, PowerState: driver.Shutdown, Migrating: true}},
		{{UUID: inst.ID, PowerState: driver.Shutdown, Migrating: true}, {UUID: inst.ID, PowerState: driver.Running}},
	} {
		if err := e.c.Power(ctx, hostrpc.PowerReport{Host: hostName(1), Full: true, Instances: list, Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
		e.wait()
		if got := e.get(inst.ID); got.VMState != compute.VMActive {
			t.Fatalf("report %v: instance %s", list, got.VMState)
		}
	}
}
