package qemu

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/drivertest"
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
	copy(data, bootSector(bootMarker+"\r\n", nil))
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
			killPID(readPID(filepath.Join(dir, sub, e.Name())), e.Name())
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
				pid = in.proc.pid
			}
			d.mu.Unlock()
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				return err
			}
			waitGone(pid, uuid, 10*time.Second)
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
	d := newTestDriver(t, opts)
	if err := d.Configure(t.Context(), driver.Config{StateDir: t.TempDir()}); err != nil {
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
	for file, size := range map[string]int64{fileRoot: 1 << 30, fileEph: 1 << 30, fileSwap: 16 << 20} {
		info, err := imgInfo(t.Context(), "qemu-img", filepath.Join(dir, file), "")
		if err != nil {
			t.Fatal(err)
		}
		if info.VirtualSize != size {
			t.Errorf("%s is %d bytes, want %d", file, info.VirtualSize, size)
		}
	}
	if iso, err := os.ReadFile(filepath.Join(dir, fileConfig)); err != nil || !bytes.Contains(iso, []byte("config-2")) {
		t.Errorf("config drive: %v, label config-2 found: %v", err, bytes.Contains(iso, []byte("config-2")))
	}
	if rec, _ := os.ReadFile(filepath.Join(dir, fileRecord)); bytes.Contains(rec, []byte("secret")) {
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

// TestProbe checks the accelerator probe's guest under TCG, and reports
// what auto-detection decides on this host.
func TestProbe(t *testing.T) {
	requireQEMU(t)
	if err := probeAccel(t.Context(), "qemu-system-x86_64", "tcg", "", ""); err != nil {
		t.Fatalf("probe guest under TCG: %v", err)
	}
	t.Logf("KVM usable here: %v", kvmWorks(t.Context(), "qemu-system-x86_64"))
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]int{
		"QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n": 7002022,
		"QEMU emulator version 8.2.0":                                      8002000,
		"QEMU emulator version 9.1":                                        9001000,
	} {
		if got, err := parseVersion(in); err != nil || got != want {
			t.Errorf("parseVersion(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestImageCache(t *testing.T) {
	requireQEMU(t)
	data := bootSector("x", nil)
	sum := sha256.Sum256(data)
	c := &ImageCache{Dir: t.TempDir()}
	opens := 0
	open := func() (io.ReadCloser, error) {
		opens++
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	if _, _, err := c.Fetch(t.Context(), "img", "raw", "sha256:"+strings.Repeat("0", 64), open); err == nil {
		t.Fatal("a bad checksum was accepted")
	}
	for range 2 {
		p, f, err := c.Fetch(t.Context(), "img", "raw", hex.EncodeToString(sum[:]), open)
		if err != nil {
			t.Fatal(err)
		}
		if f != "raw" || filepath.Base(p) != "img.raw" {
			t.Errorf("Fetch = %s, %s; want img.raw, raw", p, f)
		}
	}
	if opens != 2 {
		t.Errorf("downloaded %d times, want 2 (the failed one and one)", opens)
	}
	// A vmdk is converted to qcow2.
	vmdk := filepath.Join(t.TempDir(), "x.vmdk")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "vmdk", vmdk, "1M").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	p, f, err := c.Fetch(t.Context(), "vm", "vmdk", "", func() (io.ReadCloser, error) { return os.Open(vmdk) })
	if err != nil || f != "qcow2" {
		t.Fatalf("Fetch vmdk = %s, %s, %v; want a qcow2", p, f, err)
	}
	if info, err := imgInfo(t.Context(), "qemu-img", p, "qcow2"); err != nil || info.VirtualSize != 1<<20 {
		t.Errorf("converted image: %+v, %v", info, err)
	}
	// A qcow2 with a backing file is refused.
	bad := filepath.Join(t.TempDir(), "bad.qcow2")
	exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", "/etc/passwd", bad, "1M").Run()
	if _, _, err := c.Fetch(t.Context(), "bad", "qcow2", "", func() (io.ReadCloser, error) { return os.Open(bad) }); err == nil {
		t.Error("a qcow2 with a backing file was accepted")
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
	copy(data, bootSector("bye\r\n", poweroffCode))
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
