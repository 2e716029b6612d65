package drivertest

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/compute/driver"
)

func testLifecycle(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	if h.Name() == "" {
		t.Error("Name is empty")
	}
	if got := h.HostName(); got != "drivertest-a" {
		t.Errorf("HostName = %q, want the configured drivertest-a", got)
	}
	r, err := h.Resources(t.Context())
	wantOK(t, "Resources", err)
	if r.VCPU.Total <= 0 || r.MemoryMB.Total <= 0 || r.DiskGB.Total <= 0 {
		t.Errorf("Resources totals = %+v, want all positive", r)
	}
	wantUsed(t, h)
	list, err := h.ListInstances(t.Context())
	wantOK(t, "ListInstances", err)
	if len(list) != 0 {
		t.Errorf("ListInstances on a new host = %v, want none", list)
	}
	wantOK(t, "Close", h.Close())
}

func testSpawnDestroy(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	ctx := t.Context()
	spec := s.spawn(t, h)
	info := wantState(t, h, spec.UUID, driver.Running)
	if info.StartedAt.IsZero() {
		t.Error("StartedAt of a running instance is zero")
	}
	if info.Flavor.VCPUs != spec.Flavor.VCPUs || info.Flavor.MemoryMB != spec.Flavor.MemoryMB {
		t.Errorf("Info flavor = %+v, want %+v", info.Flavor, spec.Flavor)
	}
	if !h.saw(driver.EventStarted, spec.UUID) {
		t.Error("no EventStarted after Spawn")
	}
	wantUsed(t, h, spec.Flavor)
	list, err := h.ListInstances(ctx)
	wantOK(t, "ListInstances", err)
	if len(list) != 1 || list[0].UUID != spec.UUID {
		t.Fatalf("ListInstances = %+v, want only %s", list, spec.UUID)
	}
	wantErr(t, "Spawn twice", h.Spawn(ctx, spec), driver.IsExists, "Exists")
	wantUsed(t, h, spec.Flavor)

	wantOK(t, "Destroy", h.Destroy(ctx, spec.UUID))
	_, err = h.Info(ctx, spec.UUID)
	wantErr(t, "Info after Destroy", err, driver.IsNotFound, "NotFound")
	wantErr(t, "Destroy twice", h.Destroy(ctx, spec.UUID), driver.IsNotFound, "NotFound")
	wantUsed(t, h)
}

func testNotFound(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	ctx := t.Context()
	const id = "00000000-0000-4000-8000-ffffffffffff"
	caps := h.Capabilities()
	calls := map[string]func() error{
		"Info":     func() error { _, err := h.Info(ctx, id); return err },
		"Destroy":  func() error { return h.Destroy(ctx, id) },
		"PowerOff": func() error { return h.PowerOff(ctx, id, 0) },
		"PowerOn":  func() error { return h.PowerOn(ctx, id) },
		"Reboot":   func() error { return h.Reboot(ctx, id, driver.Hard) },
	}
	if caps.Pause {
		calls["Pause"] = func() error { return h.Pause(ctx, id) }
		calls["Unpause"] = func() error { return h.Unpause(ctx, id) }
	}
	if caps.Suspend {
		calls["Suspend"] = func() error { return h.Suspend(ctx, id) }
		calls["Resume"] = func() error { return h.Resume(ctx, id) }
	}
	if caps.Rescue {
		calls["Rescue"] = func() error { return h.Rescue(ctx, id, driver.RescueSpec{}) }
		calls["Unrescue"] = func() error { return h.Unrescue(ctx, id) }
	}
	if caps.Snapshot {
		calls["Snapshot"] = func() error { _, err := h.Snapshot(ctx, id, t.TempDir()); return err }
	}
	if caps.ConsoleOutput {
		calls["ConsoleOutput"] = func() error { _, err := h.ConsoleOutput(ctx, id, 0); return err }
	}
	if caps.VNCConsole {
		calls["VNCConsole"] = func() error { _, err := h.VNCConsole(ctx, id); return err }
	}
	if caps.Diagnostics {
		calls["Diagnostics"] = func() error { _, err := h.Diagnostics(ctx, id); return err }
	}
	if caps.VolumeHotPlug {
		calls["AttachVolume"] = func() error { return h.AttachVolume(ctx, id, driver.BlockDevice{VolumeID: "v"}) }
		calls["ExtendVolume"] = func() error { return h.ExtendVolume(ctx, id, "v", 1<<30) }
	}
	if caps.ColdMigration {
		calls["MigrateDisk"] = func() error {
			return h.MigrateDisk(ctx, &driver.Migration{Instance: id, Source: "drivertest-a", Dest: "drivertest-b"})
		}
		calls["ConfirmMigration"] = func() error { return h.ConfirmMigration(ctx, driver.Migration{Instance: id}) }
	}
	for name, call := range calls {
		if err := call(); !driver.IsNotFound(err) {
			t.Errorf("%s of an unknown instance: error %v, want NotFound", name, err)
		}
	}
}

// step is one operation of a state-machine walk and what it must give.
type step struct {
	name    string
	do      func(context.Context, *host, string) error
	invalid bool // the operation must fail with InvalidState
	want    driver.PowerState
}

// hardOff powers off without waiting for the guest.
func hardOff(ctx context.Context, h *host, id string) error { return h.PowerOff(ctx, id, 0) }

var (
	opPowerOn    = func(ctx context.Context, h *host, id string) error { return h.PowerOn(ctx, id) }
	opSoftReboot = func(ctx context.Context, h *host, id string) error { return h.Reboot(ctx, id, driver.Soft) }
	opHardReboot = func(ctx context.Context, h *host, id string) error { return h.Reboot(ctx, id, driver.Hard) }
	opPause      = func(ctx context.Context, h *host, id string) error { return h.Pause(ctx, id) }
	opUnpause    = func(ctx context.Context, h *host, id string) error { return h.Unpause(ctx, id) }
	opSuspend    = func(ctx context.Context, h *host, id string) error { return h.Suspend(ctx, id) }
	opResume     = func(ctx context.Context, h *host, id string) error { return h.Resume(ctx, id) }
	opRescue     = func(ctx context.Context, h *host, id string) error {
		return h.Rescue(ctx, id, driver.RescueSpec{Image: driver.Image{ID: "rescue"}})
	}
	opUnrescue = func(ctx context.Context, h *host, id string) error { return h.Unrescue(ctx, id) }
)

func (s *suite) walk(t *testing.T, h *host, id string, steps []step) {
	t.Helper()
	for i, st := range steps {
		err := st.do(t.Context(), h, id)
		if st.invalid {
			if !driver.IsInvalidState(err) {
				t.Fatalf("step %d %s: error %v, want InvalidState", i, st.name, err)
			}
		} else if err != nil {
			t.Fatalf("step %d %s: %v", i, st.name, err)
		}
		info, err := h.Info(t.Context(), id)
		wantOK(t, "Info", err)
		if info.PowerState != st.want {
			t.Fatalf("after step %d %s: power state %v, want %v", i, st.name, info.PowerState, st.want)
		}
	}
}

func testPowerStates(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	spec := s.spawn(t, h)
	off := func(ctx context.Context, h *host, id string) error { return h.PowerOff(ctx, id, s.h.PowerOffTimeout) }
	steps := []step{
		{"PowerOff", off, false, driver.Shutdown},
		{"PowerOff again", off, false, driver.Shutdown},
		{"soft Reboot while off", opSoftReboot, true, driver.Shutdown},
		{"PowerOn", opPowerOn, false, driver.Running},
		{"PowerOn again", opPowerOn, false, driver.Running},
		{"soft Reboot", opSoftReboot, false, driver.Running},
		{"hard Reboot", opHardReboot, false, driver.Running},
		{"hard PowerOff", hardOff, false, driver.Shutdown},
		{"hard Reboot while off", opHardReboot, false, driver.Running},
	}
	caps := h.Capabilities()
	if caps.Pause {
		steps = append(steps,
			step{"Unpause while running", opUnpause, true, driver.Running},
			step{"Pause", opPause, false, driver.Paused},
			step{"Pause again", opPause, true, driver.Paused},
			step{"PowerOn while paused", opPowerOn, true, driver.Paused},
			step{"Unpause", opUnpause, false, driver.Running},
			step{"PowerOff", hardOff, false, driver.Shutdown},
			step{"Pause while off", opPause, true, driver.Shutdown},
			step{"Unpause while off", opUnpause, true, driver.Shutdown},
			step{"PowerOn", opPowerOn, false, driver.Running},
			step{"Pause", opPause, false, driver.Paused},
			step{"PowerOff while paused", hardOff, false, driver.Shutdown},
			step{"PowerOn", opPowerOn, false, driver.Running},
		)
	}
	if caps.Suspend {
		steps = append(steps,
			step{"Resume while running", opResume, true, driver.Running},
			step{"Suspend", opSuspend, false, driver.Suspended},
			step{"Suspend again", opSuspend, true, driver.Suspended},
			step{"soft Reboot while suspended", opSoftReboot, true, driver.Suspended},
			step{"PowerOn while suspended", opPowerOn, true, driver.Suspended},
			step{"Resume", opResume, false, driver.Running},
			step{"PowerOff", hardOff, false, driver.Shutdown},
			step{"Suspend while off", opSuspend, true, driver.Shutdown},
			step{"PowerOn", opPowerOn, false, driver.Running},
		)
		if caps.Pause {
			steps = append(steps, step{"Pause", opPause, false, driver.Paused},
				step{"Resume while paused", opResume, true, driver.Paused},
				step{"Unpause", opUnpause, false, driver.Running})
		}
	}
	s.walk(t, h, spec.UUID, steps)
	if !h.saw(driver.EventStopped, spec.UUID) {
		t.Error("no EventStopped after PowerOff")
	}
	if caps.Pause && !h.saw(driver.EventPaused, spec.UUID) {
		t.Error("no EventPaused after Pause")
	}
	wantUsed(t, h, spec.Flavor) // power state never changes what is claimed
}

func testRescue(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	caps := h.Capabilities()
	skipUnless(t, caps.Rescue, "Rescue")
	spec := s.spawn(t, h)
	steps := []step{
		{"Unrescue while not rescued", opUnrescue, true, driver.Running},
		{"Rescue", opRescue, false, driver.Running},
		{"Rescue again", opRescue, true, driver.Running},
		{"soft Reboot while rescued", opSoftReboot, true, driver.Running},
	}
	if caps.Pause {
		steps = append(steps, step{"Pause while rescued", opPause, true, driver.Running})
	}
	if caps.Suspend {
		steps = append(steps, step{"Suspend while rescued", opSuspend, true, driver.Running})
	}
	s.walk(t, h, spec.UUID, steps)
	if info, _ := h.Info(t.Context(), spec.UUID); !info.Rescued {
		t.Fatal("Info.Rescued is false after Rescue")
	}
	s.walk(t, h, spec.UUID, []step{
		{"Unrescue", opUnrescue, false, driver.Running},
		{"Unrescue again", opUnrescue, true, driver.Running},
		{"PowerOff", hardOff, false, driver.Shutdown},
		{"Rescue while off", opRescue, false, driver.Running},
		{"Unrescue", opUnrescue, false, driver.Running},
	})
	if info, _ := h.Info(t.Context(), spec.UUID); info.Rescued {
		t.Fatal("Info.Rescued is true after Unrescue")
	}
}

func testCrash(t *testing.T, s *suite) {
	if s.h.Crash == nil {
		t.Skip("the harness cannot crash a guest")
	}
	h := s.start(t, "drivertest-a", "")
	spec := s.spawn(t, h)
	wantOK(t, "Crash", s.h.Crash(h.Driver, spec.UUID))
	wantState(t, h, spec.UUID, driver.Crashed)
	if !h.saw(driver.EventCrashed, spec.UUID) {
		t.Error("no EventCrashed after a crash")
	}
	list, err := h.ListInstances(t.Context())
	wantOK(t, "ListInstances", err)
	if len(list) != 1 || list[0].PowerState != driver.Crashed {
		t.Errorf("ListInstances after a crash = %+v, want one Crashed", list)
	}
	if h.Capabilities().Pause {
		wantErr(t, "Pause a crashed instance", h.Pause(t.Context(), spec.UUID), driver.IsInvalidState, "InvalidState")
	}
	wantUsed(t, h, spec.Flavor)
	wantOK(t, "PowerOn", h.PowerOn(t.Context(), spec.UUID))
	wantState(t, h, spec.UUID, driver.Running)
}

// testConcurrent runs the same transition twice at once: exactly one wins,
// the other sees the new state (or the instance busy).
func testConcurrent(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	spec := s.spawn(t, h)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = h.Reboot(t.Context(), spec.UUID, driver.Soft) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !driver.IsInvalidState(err):
			t.Errorf("concurrent Reboot: %v, want nil or InvalidState", err)
		}
	}
	if ok == 0 {
		t.Error("no concurrent Reboot succeeded")
	}
	wantState(t, h, spec.UUID, driver.Running)

	// Two spawns of one uuid: exactly one instance.
	spec2 := s.spec(t)
	for i := range 2 {
		wg.Go(func() { errs[i] = h.Spawn(t.Context(), spec2) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two concurrent Spawns of one uuid: %v, %v; want exactly one success", errs[0], errs[1])
	}
	for _, err := range errs[:2] {
		if err != nil && !driver.IsExists(err) {
			t.Errorf("losing Spawn: %v, want Exists", err)
		}
	}
	wantUsed(t, h, spec.Flavor, spec2.Flavor)
}

func testResources(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	r, err := h.Resources(t.Context())
	wantOK(t, "Resources", err)
	spec := s.spec(t)
	spec.Flavor.MemoryMB = int(r.MemoryMB.Free()) + 1
	err = h.Spawn(t.Context(), spec)
	wantErr(t, "Spawn larger than the host", err, driver.IsNoResources, "NoResources")
	_, err = h.Info(t.Context(), spec.UUID)
	wantErr(t, "Info after a refused Spawn", err, driver.IsNotFound, "NotFound")
	wantUsed(t, h)

	// Fill the host's memory with two instances; a third does not fit.
	half := s.h.Flavor
	half.MemoryMB = int(r.MemoryMB.Free() / 2)
	a, b, c := s.spec(t), s.spec(t), s.spec(t)
	a.Flavor, b.Flavor, c.Flavor = half, half, s.h.Flavor
	if half.VCPUs*2 > int(r.VCPU.Free()) || half.DiskGB()*2 > int(r.DiskGB.Free()) {
		t.Skip("host too small for the fill test")
	}
	wantOK(t, "Spawn a", h.Spawn(t.Context(), a))
	wantOK(t, "Spawn b", h.Spawn(t.Context(), b))
	if half.MemoryMB*2+c.Flavor.MemoryMB > int(r.MemoryMB.Free()) {
		wantErr(t, "Spawn on a full host", h.Spawn(t.Context(), c), driver.IsNoResources, "NoResources")
	}
	wantUsed(t, h, half, half)
	wantOK(t, "Destroy a", h.Destroy(t.Context(), a.UUID))
	wantOK(t, "Spawn c after freeing a", h.Spawn(t.Context(), c))
	wantUsed(t, h, half, c.Flavor)
}

func testFailedSpawn(t *testing.T, s *suite) {
	if s.h.FailNextSpawn == nil {
		t.Skip("the harness cannot make Spawn fail")
	}
	h := s.start(t, "drivertest-a", "")
	spec := s.spec(t)
	s.h.FailNextSpawn(h.Driver)
	if err := h.Spawn(t.Context(), spec); err == nil {
		t.Fatal("Spawn after FailNextSpawn succeeded")
	}
	_, err := h.Info(t.Context(), spec.UUID)
	wantErr(t, "Info after a failed Spawn", err, driver.IsNotFound, "NotFound")
	wantUsed(t, h)
	wantOK(t, "Spawn again", h.Spawn(t.Context(), spec))
	wantState(t, h, spec.UUID, driver.Running)
}

func testCanceledSpawn(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	spec := s.spec(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := h.Spawn(ctx, spec); err == nil {
		t.Fatal("Spawn with a canceled context succeeded")
	}
	_, err := h.Info(t.Context(), spec.UUID)
	wantErr(t, "Info after a canceled Spawn", err, driver.IsNotFound, "NotFound")
	wantUsed(t, h)
}

// testReattach restarts the driver on the same state: the instances are
// there, in their power states, claiming what they claimed, and a Spawn of
// one of them does not duplicate it.
func testReattach(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	a, b := s.spawn(t, h), s.spawn(t, h)
	wantOK(t, "PowerOff", h.PowerOff(t.Context(), b.UUID, 0))
	wantOK(t, "Close", h.Close())

	h2 := s.start(t, "drivertest-a", h.stateDir)
	list, err := h2.ListInstances(t.Context())
	wantOK(t, "ListInstances after restart", err)
	got := map[string]driver.PowerState{}
	for _, i := range list {
		got[i.UUID] = i.PowerState
	}
	want := map[string]driver.PowerState{a.UUID: driver.Running, b.UUID: driver.Shutdown}
	if len(got) != len(want) || got[a.UUID] != want[a.UUID] || got[b.UUID] != want[b.UUID] {
		t.Fatalf("instances after restart = %v, want %v", got, want)
	}
	wantUsed(t, h2, a.Flavor, b.Flavor)
	wantErr(t, "Spawn of a re-attached instance", h2.Spawn(t.Context(), a), driver.IsExists, "Exists")
	wantOK(t, "PowerOn after restart", h2.PowerOn(t.Context(), b.UUID))
	wantOK(t, "Destroy after restart", h2.Destroy(t.Context(), a.UUID))
	wantUsed(t, h2, b.Flavor)
}

func testRebuild(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	skipUnless(t, h.Capabilities().Rebuild, "Rebuild")
	spec := s.spawn(t, h)
	spec.Image.ID = "22222222-2222-3333-4444-555555555555"
	wantOK(t, "Rebuild", h.Rebuild(t.Context(), spec))
	wantState(t, h, spec.UUID, driver.Running)
	wantOK(t, "PowerOff", h.PowerOff(t.Context(), spec.UUID, 0))
	wantOK(t, "Rebuild while off", h.Rebuild(t.Context(), spec))
	wantState(t, h, spec.UUID, driver.Running)
	if h.Capabilities().Pause {
		wantOK(t, "Pause", h.Pause(t.Context(), spec.UUID))
		wantErr(t, "Rebuild while paused", h.Rebuild(t.Context(), spec), driver.IsInvalidState, "InvalidState")
	}
	wantUsed(t, h, spec.Flavor)
}

func testSnapshot(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	skipUnless(t, h.Capabilities().Snapshot, "Snapshot")
	spec := s.spawn(t, h)
	dir := t.TempDir()
	snap, err := h.Snapshot(t.Context(), spec.UUID, dir)
	wantOK(t, "Snapshot", err)
	fi, err := os.Stat(snap.Path)
	wantOK(t, "stat snapshot", err)
	if fi.Size() == 0 || fi.Size() != snap.Size {
		t.Errorf("snapshot file is %d bytes, SnapshotFile.Size %d", fi.Size(), snap.Size)
	}
	if snap.Format == "" {
		t.Error("snapshot has no format")
	}
	wantState(t, h, spec.UUID, driver.Running) // a snapshot leaves the guest as it was
}

func testVolumes(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	skipUnless(t, h.Capabilities().VolumeHotPlug, "VolumeHotPlug")
	ctx := t.Context()
	spec := s.spawn(t, h)
	p := t.TempDir() + "/vol.raw"
	wantOK(t, "create volume file", os.WriteFile(p, make([]byte, 1<<20), 0o600))
	bd := driver.BlockDevice{VolumeID: "vol-1", Path: p, Format: "raw", BootIndex: -1}
	wantOK(t, "AttachVolume", h.AttachVolume(ctx, spec.UUID, bd))
	if info, _ := h.Info(ctx, spec.UUID); len(info.Volumes) != 1 || info.Volumes[0] != "vol-1" {
		t.Fatalf("Info.Volumes = %v, want [vol-1]", info.Volumes)
	}
	if err := h.AttachVolume(ctx, spec.UUID, bd); err == nil {
		t.Error("attaching a volume twice succeeded")
	}
	// The block-storage service grew the volume: the guest is told, and
	// a file volume is grown by the hypervisor that holds it.
	wantOK(t, "ExtendVolume", h.ExtendVolume(ctx, spec.UUID, "vol-1", 2<<20))
	if err := h.ExtendVolume(ctx, spec.UUID, "vol-1", 1<<20); err == nil {
		t.Error("ExtendVolume shrank a volume")
	}
	wantErr(t, "ExtendVolume of a volume not attached", h.ExtendVolume(ctx, spec.UUID, "vol-2", 2<<20), driver.IsNotFound, "NotFound")
	wantOK(t, "DetachVolume", h.DetachVolume(ctx, spec.UUID, "vol-1"))
	wantErr(t, "DetachVolume twice", h.DetachVolume(ctx, spec.UUID, "vol-1"), driver.IsNotFound, "NotFound")
	if info, _ := h.Info(ctx, spec.UUID); len(info.Volumes) != 0 {
		t.Fatalf("Info.Volumes after detach = %v, want none", info.Volumes)
	}
	wantState(t, h, spec.UUID, driver.Running)
}

func testInterfaces(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	skipUnless(t, h.Capabilities().InterfaceHotPlug, "InterfaceHotPlug")
	ctx := t.Context()
	spec := s.spawn(t, h)
	nic := s.h.NIC(t, 1)
	wantOK(t, "AttachInterface", h.AttachInterface(ctx, spec.UUID, nic))
	if info, _ := h.Info(ctx, spec.UUID); len(info.Ports) != 1 || info.Ports[0] != nic.PortID {
		t.Fatalf("Info.Ports = %v, want [%s]", info.Ports, nic.PortID)
	}
	if err := h.AttachInterface(ctx, spec.UUID, nic); err == nil {
		t.Error("attaching a port twice succeeded")
	}
	wantOK(t, "DetachInterface", h.DetachInterface(ctx, spec.UUID, nic.PortID))
	wantErr(t, "DetachInterface twice", h.DetachInterface(ctx, spec.UUID, nic.PortID), driver.IsNotFound, "NotFound")
}

func testConsoles(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	caps := h.Capabilities()
	if !caps.ConsoleOutput && !caps.VNCConsole {
		t.Skip("driver claims no console")
	}
	spec := s.spawn(t, h)
	if caps.ConsoleOutput {
		out, err := h.ConsoleOutput(t.Context(), spec.UUID, 0)
		wantOK(t, "ConsoleOutput", err)
		if len(out) > 8 {
			tail, err := h.ConsoleOutput(t.Context(), spec.UUID, 8)
			wantOK(t, "ConsoleOutput(8)", err)
			if string(tail) != string(out[len(out)-8:]) {
				t.Errorf("ConsoleOutput(8) = %q, want the last 8 bytes %q", tail, out[len(out)-8:])
			}
		}
	}
	if caps.VNCConsole {
		vnc, err := h.VNCConsole(t.Context(), spec.UUID)
		wantOK(t, "VNCConsole", err)
		if vnc.Host == "" || vnc.Port <= 0 {
			t.Errorf("VNCConsole = %+v, want a host and a port", vnc)
		}
	}
}

func testDiagnostics(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	skipUnless(t, h.Capabilities().Diagnostics, "Diagnostics")
	spec := s.spawn(t, h)
	dg, err := h.Diagnostics(t.Context(), spec.UUID)
	wantOK(t, "Diagnostics", err)
	if dg.State != driver.Running || dg.NumCPUs != spec.Flavor.VCPUs || dg.MemoryMaxMB != spec.Flavor.MemoryMB {
		t.Errorf("Diagnostics = %+v, want running with the flavor's CPUs and memory", dg)
	}
	if dg.NumDisks < 1 {
		t.Errorf("Diagnostics.NumDisks = %d, want at least the root disk", dg.NumDisks)
	}
}

func testResize(t *testing.T, s *suite) {
	a := s.start(t, "drivertest-a", "")
	skipUnless(t, a.Capabilities().ColdMigration, "ColdMigration")
	b := s.start(t, "drivertest-b", "")
	ctx := t.Context()

	// Resize to another host, confirmed.
	spec := s.spawn(t, a)
	m := &driver.Migration{ID: "mig-1", Instance: spec.UUID, Source: "drivertest-a", Dest: "drivertest-b", NewFlavor: bigger(spec.Flavor)}
	if a.Capabilities().Pause {
		wantOK(t, "Pause", a.Pause(ctx, spec.UUID))
		wantErr(t, "MigrateDisk while paused", a.MigrateDisk(ctx, m), driver.IsInvalidState, "InvalidState")
		wantOK(t, "Unpause", a.Unpause(ctx, spec.UUID))
	}
	wantOK(t, "MigrateDisk", a.MigrateDisk(ctx, m))
	if info := wantState(t, a, spec.UUID, driver.Shutdown); !info.Migrating {
		t.Error("the source copy is not marked Migrating")
	}
	wantErr(t, "PowerOn the source copy", a.PowerOn(ctx, spec.UUID), func(err error) bool {
		return driver.IsNotFound(err) || driver.IsInvalidState(err)
	}, "NotFound or InvalidState")
	newSpec := spec
	newSpec.Flavor = m.NewFlavor
	wantOK(t, "FinishMigration", b.FinishMigration(ctx, newSpec, *m, true))
	if info := wantState(t, b, spec.UUID, driver.Running); info.Flavor.MemoryMB != m.NewFlavor.MemoryMB {
		t.Errorf("flavor after resize = %+v, want %+v", info.Flavor, m.NewFlavor)
	}
	wantUsed(t, a, spec.Flavor) // held until confirmed
	wantUsed(t, b, m.NewFlavor)
	wantOK(t, "ConfirmMigration", a.ConfirmMigration(ctx, *m))
	wantUsed(t, a)
	if list, _ := a.ListInstances(ctx); len(list) != 0 {
		t.Errorf("source still lists %+v after confirm", list)
	}
	wantErr(t, "ConfirmMigration twice", a.ConfirmMigration(ctx, *m), driver.IsNotFound, "NotFound")

	// Resize to another host, reverted.
	spec2 := s.spawn(t, a)
	m2 := &driver.Migration{ID: "mig-2", Instance: spec2.UUID, Source: "drivertest-a", Dest: "drivertest-b", NewFlavor: bigger(spec2.Flavor)}
	wantOK(t, "MigrateDisk", a.MigrateDisk(ctx, m2))
	newSpec2 := spec2
	newSpec2.Flavor = m2.NewFlavor
	wantOK(t, "FinishMigration", b.FinishMigration(ctx, newSpec2, *m2, false))
	wantState(t, b, spec2.UUID, driver.Shutdown)
	wantOK(t, "Destroy on the destination", b.Destroy(ctx, spec2.UUID))
	wantOK(t, "RevertMigration", a.RevertMigration(ctx, *m2, true))
	if info := wantState(t, a, spec2.UUID, driver.Running); info.Flavor.MemoryMB != spec2.Flavor.MemoryMB || info.Migrating {
		t.Errorf("after revert: %+v, want the old flavor, not migrating", info)
	}
	wantUsed(t, a, spec2.Flavor)
	wantUsed(t, b, m.NewFlavor)
}

func testSameHostResize(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	skipUnless(t, h.Capabilities().SameHostResize, "SameHostResize")
	ctx := t.Context()
	spec := s.spawn(t, h)
	m := &driver.Migration{ID: "mig-1", Instance: spec.UUID, Source: "drivertest-a", Dest: "drivertest-a", NewFlavor: bigger(spec.Flavor)}
	newSpec := spec
	newSpec.Flavor = m.NewFlavor

	wantOK(t, "MigrateDisk", h.MigrateDisk(ctx, m))
	wantOK(t, "FinishMigration", h.FinishMigration(ctx, newSpec, *m, true))
	wantUsed(t, h, spec.Flavor, m.NewFlavor)
	if info := wantState(t, h, spec.UUID, driver.Running); info.Flavor.VCPUs != m.NewFlavor.VCPUs || info.Migrating {
		t.Errorf("Info after a same-host resize = %+v, want the new flavor", info)
	}
	wantErr(t, "RevertMigration before destroying the new copy", h.RevertMigration(ctx, *m, true),
		func(err error) bool { return err != nil }, "an error")
	wantOK(t, "Destroy the new copy", h.Destroy(ctx, spec.UUID))
	wantOK(t, "RevertMigration", h.RevertMigration(ctx, *m, true))
	wantUsed(t, h, spec.Flavor)
	if info := wantState(t, h, spec.UUID, driver.Running); info.Flavor.VCPUs != spec.Flavor.VCPUs {
		t.Errorf("Info after revert = %+v, want the old flavor", info)
	}

	wantOK(t, "MigrateDisk", h.MigrateDisk(ctx, m))
	wantOK(t, "FinishMigration", h.FinishMigration(ctx, newSpec, *m, true))
	wantOK(t, "ConfirmMigration", h.ConfirmMigration(ctx, *m))
	wantUsed(t, h, m.NewFlavor)
	list, err := h.ListInstances(ctx)
	wantOK(t, "ListInstances", err)
	if len(list) != 1 {
		t.Errorf("ListInstances after confirm = %+v, want one instance", list)
	}
}

func testLiveMigration(t *testing.T, s *suite) {
	a := s.start(t, "drivertest-a", "")
	skipUnless(t, a.Capabilities().LiveMigration, "LiveMigration")
	b := s.start(t, "drivertest-b", "")
	ctx := t.Context()

	spec := s.spawn(t, a)
	before := wantState(t, a, spec.UUID, driver.Running)
	m := &driver.Migration{ID: "mig-1", Instance: spec.UUID, Source: "drivertest-a", Dest: "drivertest-b", NewFlavor: spec.Flavor}
	wantOK(t, "PrepareLiveMigration", b.PrepareLiveMigration(ctx, spec, m))
	if m.DestAddr == "" {
		t.Fatal("PrepareLiveMigration set no DestAddr")
	}
	if info, err := b.Info(ctx, spec.UUID); err != nil || !info.Migrating {
		t.Errorf("incoming guest: %+v, %v; want it listed as Migrating", info, err)
	}
	wantUsed(t, b, spec.Flavor)
	wantOK(t, "LiveMigrate", a.LiveMigrate(ctx, m))
	_, err := a.Info(ctx, spec.UUID)
	wantErr(t, "Info on the source after LiveMigrate", err, driver.IsNotFound, "NotFound")
	wantUsed(t, a)
	wantOK(t, "FinishLiveMigration", b.FinishLiveMigration(ctx, *m))
	after := wantState(t, b, spec.UUID, driver.Running)
	if after.Migrating || !after.StartedAt.Equal(before.StartedAt) {
		t.Errorf("after live migration: %+v; want not migrating and the guest's boot time kept (%v): it did not reboot", after, before.StartedAt)
	}

	// A stopped guest cannot be live-migrated; an aborted migration leaves
	// nothing on the destination.
	spec2 := s.spawn(t, a)
	wantOK(t, "PowerOff", a.PowerOff(ctx, spec2.UUID, 0))
	m2 := &driver.Migration{ID: "mig-2", Instance: spec2.UUID, Source: "drivertest-a", Dest: "drivertest-b", NewFlavor: spec2.Flavor}
	wantOK(t, "PrepareLiveMigration", b.PrepareLiveMigration(ctx, spec2, m2))
	wantErr(t, "LiveMigrate a stopped guest", a.LiveMigrate(ctx, m2), driver.IsInvalidState, "InvalidState")
	wantOK(t, "AbortLiveMigration", b.AbortLiveMigration(ctx, *m2))
	_, err = b.Info(ctx, spec2.UUID)
	wantErr(t, "Info after AbortLiveMigration", err, driver.IsNotFound, "NotFound")
	wantUsed(t, b, spec.Flavor)
	wantState(t, a, spec2.UUID, driver.Shutdown)
}

// testUnsupported checks that what the driver does not claim answers
// Unsupported rather than half-working.
func testUnsupported(t *testing.T, s *suite) {
	h := s.start(t, "drivertest-a", "")
	ctx := t.Context()
	spec := s.spawn(t, h)
	id := spec.UUID
	caps := h.Capabilities()
	checks := []struct {
		claimed bool
		name    string
		call    func() error
	}{
		{caps.Pause, "Pause", func() error { return h.Pause(ctx, id) }},
		{caps.Suspend, "Suspend", func() error { return h.Suspend(ctx, id) }},
		{caps.Rescue, "Rescue", func() error { return opRescue(ctx, h, id) }},
		{caps.Rebuild, "Rebuild", func() error { return h.Rebuild(ctx, spec) }},
		{caps.Snapshot, "Snapshot", func() error { _, err := h.Snapshot(ctx, id, t.TempDir()); return err }},
		{caps.ColdMigration, "MigrateDisk", func() error {
			return h.MigrateDisk(ctx, &driver.Migration{Instance: id, Source: "drivertest-a", Dest: "drivertest-b"})
		}},
		{caps.LiveMigration, "LiveMigrate", func() error {
			return h.LiveMigrate(ctx, &driver.Migration{Instance: id, Source: "drivertest-a", Dest: "drivertest-b", DestAddr: "x"})
		}},
		{caps.VolumeHotPlug, "AttachVolume", func() error { return h.AttachVolume(ctx, id, driver.BlockDevice{VolumeID: "v"}) }},
		{caps.VolumeHotPlug, "ExtendVolume", func() error { return h.ExtendVolume(ctx, id, "v", 1<<30) }},
		{caps.InterfaceHotPlug, "AttachInterface", func() error { return h.AttachInterface(ctx, id, s.h.NIC(t, 9)) }},
		{caps.ConsoleOutput, "ConsoleOutput", func() error { _, err := h.ConsoleOutput(ctx, id, 0); return err }},
		{caps.VNCConsole, "VNCConsole", func() error { _, err := h.VNCConsole(ctx, id); return err }},
		{caps.Diagnostics, "Diagnostics", func() error { _, err := h.Diagnostics(ctx, id); return err }},
	}
	n := 0
	for _, c := range checks {
		if c.claimed {
			continue
		}
		n++
		if err := c.call(); !driver.IsUnsupported(err) {
			t.Errorf("%s is not claimed but answers %v, want Unsupported", c.name, err)
		}
	}
	if n == 0 {
		t.Log("the driver claims every capability")
	}
}
