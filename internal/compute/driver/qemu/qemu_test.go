package qemu

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/drivertest"
	"github.com/gostack/gostack/internal/compute/driver/qemu/disk"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/probe"
	"github.com/gostack/gostack/internal/compute/driver/qemu/proc"
	"github.com/gostack/gostack/internal/compute/driver/qemu/vm"
)

const bootMarker = "GOSTACK-TEST: booted"

// requireQEMU skips the test when QEMU or qemu-img is not installed.
func requireQEMU(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"qemu-system-x86_64", "qemu-img"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed", bin)
		}
	}
}

// testImage is a 1 MiB raw disk whose boot sector prints bootMarker on
// the serial port and halts: enough for QMP, consoles and the lifecycle.
func testImage(t *testing.T) driver.Image {
	p := filepath.Join(t.TempDir(), "image.raw")
	data := make([]byte, 1<<20)
	copy(data, probe.BootSector(bootMarker+"\r\n", ""))
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return driver.Image{ID: "11111111-2222-3333-4444-555555555555", Path: p, Format: "raw"}
}

func testOptions() Options {
	return Options{
		HostName: "qemu-test", Accel: "tcg", ShutdownTimeout: 300 * time.Millisecond,
		VCPUs: 4, MemoryMB: 4096, DiskGB: 100,
	}
}

// newTestDriver returns a driver whose QEMU processes are killed when
// the test ends.
func newTestDriver(t *testing.T, opts Options) *Driver {
	d := New(opts)
	t.Cleanup(func() { killAll(d) })
	return d
}

// killAll kills every QEMU under d's state directory.
func killAll(d *Driver) {
	d.mu.Lock()
	dir := d.stateDir
	d.mu.Unlock()
	if dir == "" {
		return
	}
	for _, sub := range []string{"instances", "migrating"} {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range ents {
			proc.Kill(vm.PID(filepath.Join(dir, sub, e.Name())), e.Name())
		}
	}
}

func harness() drivertest.Harness {
	return drivertest.Harness{
		New:   func(t *testing.T) driver.Driver { return newTestDriver(t, testOptions()) },
		Image: testImage,
		Crash: func(dr driver.Driver, uuid string) error {
			d := dr.(*Driver)
			d.mu.Lock()
			in := d.insts[uuid]
			pid := 0
			if in != nil && in.proc != nil {
				pid = in.proc.PID
			}
			d.mu.Unlock()
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				return err
			}
			proc.WaitGone(pid, uuid, 10*time.Second)
			return nil
		},
		FailNextSpawn: func(dr driver.Driver) {
			d := dr.(*Driver)
			d.mu.Lock()
			d.failNext = []string{"-device", "gostack-no-such-device"}
			d.mu.Unlock()
		},
		PowerOffTimeout: 200 * time.Millisecond,
	}
}

// TestSuite runs the shared driver suite against real QEMU under TCG.
func TestSuite(t *testing.T) {
	requireQEMU(t)
	drivertest.RunHarness(t, harness())
}

func started(t *testing.T, opts Options) *Driver {
	t.Helper()
	// The state directory first: cleanups run last-in first-out, and
	// killAll must find the instances before the directory is removed.
	dir := t.TempDir()
	d := newTestDriver(t, opts)
	if err := d.Configure(t.Context(), driver.Config{StateDir: dir}); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func testSpec(t *testing.T, n int) driver.Spec {
	return driver.Spec{
		UUID:   "00000000-0000-4000-8000-00000000000" + string(rune('0'+n)),
		Name:   "instance-test",
		Flavor: driver.Flavor{ID: "1", VCPUs: 1, MemoryMB: 64, RootGB: 1},
		Image:  testImage(t),
	}
}

// waitConsole waits until the console holds want.
func waitConsole(t *testing.T, d *Driver, uuid, want string, timeout time.Duration) []byte {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out, err := d.ConsoleOutput(t.Context(), uuid, 0)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out, []byte(want)) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("console of %s has no %q after %v:\n%s", uuid, want, timeout, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestGuestRunsAndDisks boots the test guest with every kind of disk and
// checks the serial console and the files.
func TestGuestRunsAndDisks(t *testing.T) {
	requireQEMU(t)
	d := started(t, testOptions())
	spec := testSpec(t, 1)
	spec.Flavor.EphemeralGB, spec.Flavor.SwapMB = 1, 16
	spec.ConfigDrive = map[string][]byte{"openstack/latest/meta_data.json": []byte(`{"uuid":"x"}`)}
	spec.AdminPassword = "secret"
	if err := d.Spawn(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	waitConsole(t, d, spec.UUID, bootMarker, 30*time.Second)
	dir := filepath.Join(d.stateDir, "instances", spec.UUID)
	for file, size := range map[string]int64{instdir.RootDisk: 1 << 30, instdir.EphDisk: 1 << 30, instdir.SwapDisk: 16 << 20} {
		info, err := (disk.Tools{}).Info(t.Context(), filepath.Join(dir, file), "")
		if err != nil {
			t.Fatal(err)
		}
		if info.VirtualSize != size {
			t.Errorf("%s is %d bytes, want %d", file, info.VirtualSize, size)
		}
	}
	if iso, err := os.ReadFile(filepath.Join(dir, instdir.ConfigISO)); err != nil || !bytes.Contains(iso, []byte("config-2")) {
		t.Errorf("config drive: %v, label config-2 found: %v", err, bytes.Contains(iso, []byte("config-2")))
	}
	if rec, _ := os.ReadFile(filepath.Join(dir, instdir.RecordFile)); bytes.Contains(rec, []byte("secret")) {
		t.Error("spec.json keeps the admin password")
	}
	dg, err := d.Diagnostics(t.Context(), spec.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if dg.NumDisks != 3 || !dg.ConfigDrive || dg.MemoryUsedMB <= 0 {
		t.Errorf("Diagnostics = %+v, want 3 disks, a config drive, memory used", dg)
	}
	if err := d.Destroy(t.Context(), spec.UUID); err != nil {
		t.Fatal(err)
	}
	if exists(dir) {
		t.Error("Destroy left the instance directory")
	}
}

// TestQEMUDiesAtStart: QEMU's own error reaches the caller and nothing is left.
func TestQEMUDiesAtStart(t *testing.T) {
	requireQEMU(t)
	d := started(t, testOptions())
	d.failNext = []string{"-device", "gostack-no-such-device"}
	spec := testSpec(t, 2)
	err := d.Spawn(t.Context(), spec)
	if err == nil || !strings.Contains(err.Error(), "gostack-no-such-device") {
		t.Fatalf("Spawn = %v, want QEMU's complaint about the device", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(d.stateDir, "instances")); len(ents) != 0 {
		t.Errorf("a failed Spawn left %v", ents)
	}
	// An image larger than the flavor's root disk is refused before QEMU starts.
	spec.Flavor.RootGB = 0
	spec.Image.Path = filepath.Join(t.TempDir(), "missing.raw")
	if err := d.Spawn(t.Context(), spec); err == nil {
		t.Fatal("Spawn of a missing image succeeded")
	}
}

// TestGuestImage boots the real guest image of tools/guestimage when
// GOSTACK_GUEST_IMAGE names its output directory: it must print
// "GOSTACK-GUEST: ready" and power off cleanly on ACPI.
func TestGuestImage(t *testing.T) {
	dir := os.Getenv("GOSTACK_GUEST_IMAGE")
	if dir == "" {
		t.Skip("GOSTACK_GUEST_IMAGE is not set (tools/guestimage/build.sh prints it)")
	}
	requireQEMU(t)
	d := started(t, testOptions())
	spec := testSpec(t, 3)
	spec.Flavor.MemoryMB = 256
	spec.Image = driver.Image{ID: "guest", Path: filepath.Join(dir, "disk.qcow2"), Format: "qcow2"}
	spec.ConfigDrive = map[string][]byte{"openstack/latest/meta_data.json": []byte(`{"uuid":"` + spec.UUID + `","hostname":"vm"}`)}
	if err := d.Spawn(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	waitConsole(t, d, spec.UUID, "GOSTACK-GUEST: ready", 5*time.Minute)
	start := time.Now()
	if err := d.PowerOff(t.Context(), spec.UUID, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	out := waitConsole(t, d, spec.UUID, "GOSTACK-GUEST: poweroff", time.Second)
	t.Logf("clean ACPI power-off in %v; console tail:\n%s", time.Since(start), out[max(0, len(out)-400):])
}

// TestGuestPowersOff: a guest that powers itself off (ACPI S5) is
// reported Shutdown with EventStopped, not Crashed.
func TestGuestPowersOff(t *testing.T) {
	requireQEMU(t)
	d := newTestDriver(t, testOptions())
	events := make(chan driver.Event, 16)
	if err := d.Configure(t.Context(), driver.Config{StateDir: t.TempDir(), Events: func(e driver.Event) { events <- e }}); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	spec := testSpec(t, 4)
	data := make([]byte, 1<<20)
	copy(data, probe.BootSector("bye\r\n", probe.PowerOff))
	os.WriteFile(spec.Image.Path, data, 0o600)
	if err := d.Spawn(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case e := <-events:
			if e.Kind == driver.EventCrashed {
				t.Fatal("a guest power-off was reported as a crash")
			}
			if e.Kind != driver.EventStopped {
				continue
			}
			info, err := d.Info(t.Context(), spec.UUID)
			if err != nil || info.PowerState != driver.Shutdown {
				t.Fatalf("Info after the guest powered off = %+v, %v; want Shutdown", info, err)
			}
			return
		case <-timeout:
			info, _ := d.Info(t.Context(), spec.UUID)
			t.Fatalf("no EventStopped after 30s; instance %+v", info)
		}
	}
}
