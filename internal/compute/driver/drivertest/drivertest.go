// Package drivertest is the test suite every compute driver passes, the
// fake and the real ones alike: the lifecycle, the power state machine
// with its invalid transitions, resource accounting, re-attaching after a
// restart, and every optional operation the driver claims in its
// Capabilities (the others must answer driver.Unsupported).
//
//	func TestDriver(t *testing.T) {
//		drivertest.Run(t, func(t *testing.T) driver.Driver { return mydriver.New(opts) })
//	}
package drivertest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Harness describes the driver under test. Only New is required.
type Harness struct {
	// New returns a new, unconfigured driver; the suite configures and
	// starts it. Called more than once per test for restarts and for the
	// two hosts of a migration.
	New func(t *testing.T) driver.Driver
	// Bubble runs each test body. Drivers whose time is simulated set it
	// to synctest.Test so that their delays take no real time; the
	// default calls f(t).
	Bubble func(t *testing.T, f func(t *testing.T))
	// Image is a bootable image on the host; the default is a small raw
	// file, enough for a fake driver.
	Image func(t *testing.T) driver.Image
	// Flavor is a small flavor the host can run a few of; default 1 vCPU,
	// 128 MiB, 1 GiB.
	Flavor driver.Flavor
	// NIC returns a port to hot-plug (a real driver needs a tap device);
	// the default has no tap.
	NIC func(t *testing.T, i int) driver.NIC
	// Crash, when set, makes a guest crash; the suite then checks that the
	// driver reports Crashed and can power it on again.
	Crash func(d driver.Driver, uuid string) error
	// FailNextSpawn, when set, makes the next Spawn fail late; the suite
	// then checks that nothing is left and resources are released.
	FailNextSpawn func(d driver.Driver)
	// PowerOffTimeout is the ACPI timeout the suite passes to PowerOff.
	PowerOffTimeout time.Duration
}

// Run runs the suite on the drivers newDriver returns.
func Run(t *testing.T, newDriver func(t *testing.T) driver.Driver) {
	RunHarness(t, Harness{New: newDriver})
}

// RunHarness runs the suite as h describes.
func RunHarness(t *testing.T, h Harness) {
	if h.Bubble == nil {
		h.Bubble = func(t *testing.T, f func(t *testing.T)) { f(t) }
	}
	if h.Image == nil {
		h.Image = func(t *testing.T) driver.Image {
			p := filepath.Join(t.TempDir(), "image.raw")
			if err := os.WriteFile(p, make([]byte, 64<<10), 0o600); err != nil {
				t.Fatal(err)
			}
			return driver.Image{ID: "11111111-2222-3333-4444-555555555555", Path: p, Format: "raw"}
		}
	}
	if h.Flavor.VCPUs == 0 {
		h.Flavor = driver.Flavor{ID: "1", Name: "drivertest.small", VCPUs: 1, MemoryMB: 128, RootGB: 1}
	}
	if h.NIC == nil {
		h.NIC = func(t *testing.T, i int) driver.NIC {
			return driver.NIC{PortID: fmt.Sprintf("port-%d", i), MAC: fmt.Sprintf("fa:16:3e:00:00:%02x", i)}
		}
	}
	for _, tc := range []struct {
		name string
		f    func(*testing.T, *suite)
	}{
		{"Lifecycle", testLifecycle},
		{"SpawnDestroy", testSpawnDestroy},
		{"NotFound", testNotFound},
		{"PowerStates", testPowerStates},
		{"Rescue", testRescue},
		{"Crash", testCrash},
		{"Concurrent", testConcurrent},
		{"Resources", testResources},
		{"FailedSpawn", testFailedSpawn},
		{"CanceledSpawn", testCanceledSpawn},
		{"Reattach", testReattach},
		{"Rebuild", testRebuild},
		{"Snapshot", testSnapshot},
		{"Volumes", testVolumes},
		{"Interfaces", testInterfaces},
		{"Consoles", testConsoles},
		{"Diagnostics", testDiagnostics},
		{"Resize", testResize},
		{"SameHostResize", testSameHostResize},
		{"LiveMigration", testLiveMigration},
		{"Unsupported", testUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.Bubble(t, func(t *testing.T) { tc.f(t, &suite{h: h}) })
		})
	}
}

// suite is one test's state.
type suite struct {
	h     Harness
	image driver.Image
	n     int
}

// host is a configured, started driver with its recorded events.
type host struct {
	driver.Driver
	stateDir string
	mu       sync.Mutex
	events   []driver.Event
}

func (h *host) record(e driver.Event) {
	h.mu.Lock()
	h.events = append(h.events, e)
	h.mu.Unlock()
}

func (h *host) saw(kind driver.EventKind, uuid string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.events {
		if e.Kind == kind && e.Instance == uuid {
			return true
		}
	}
	return false
}

// start returns a started driver named name keeping its state in dir
// ("" for a new directory); it is closed when the test ends.
func (s *suite) start(t *testing.T, name, dir string) *host {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	h := &host{Driver: s.h.New(t), stateDir: dir}
	ctx := t.Context()
	if err := h.Configure(ctx, driver.Config{HostName: name, StateDir: dir, Events: h.record}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if err := h.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func (s *suite) spec(t *testing.T) driver.Spec {
	if s.image.Path == "" {
		s.image = s.h.Image(t)
	}
	s.n++
	return driver.Spec{
		UUID:     fmt.Sprintf("00000000-0000-4000-8000-%012d", s.n),
		Name:     fmt.Sprintf("instance-%08x", s.n),
		Hostname: fmt.Sprintf("vm%d", s.n),
		Flavor:   s.h.Flavor,
		Image:    s.image,
		UserData: []byte("#!/bin/sh\necho drivertest\n"),
		ConfigDrive: map[string][]byte{
			"openstack/latest/meta_data.json": []byte(`{"uuid":"x"}`),
		},
	}
}

func (s *suite) spawn(t *testing.T, h *host) driver.Spec {
	t.Helper()
	spec := s.spec(t)
	if err := h.Spawn(t.Context(), spec); err != nil {
		t.Fatalf("Spawn: %v", err)
	}
	return spec
}

func wantState(t *testing.T, h *host, uuid string, want driver.PowerState) driver.InstanceInfo {
	t.Helper()
	info, err := h.Info(t.Context(), uuid)
	if err != nil {
		t.Fatalf("Info(%s): %v", uuid, err)
	}
	if info.PowerState != want {
		t.Fatalf("power state of %s = %v, want %v", uuid, info.PowerState, want)
	}
	return info
}

func wantErr(t *testing.T, what string, err error, is func(error) bool, kind string) {
	t.Helper()
	if !is(err) {
		t.Fatalf("%s: error %v, want %s", what, err, kind)
	}
}

func wantOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func used(t *testing.T, h *host) (vcpu, mem, disk int64) {
	t.Helper()
	r, err := h.Resources(t.Context())
	if err != nil {
		t.Fatalf("Resources: %v", err)
	}
	return r.VCPU.Used, r.MemoryMB.Used, r.DiskGB.Used
}

func wantUsed(t *testing.T, h *host, flavors ...driver.Flavor) {
	t.Helper()
	var v, m, d int64
	for _, f := range flavors {
		v, m, d = v+int64(f.VCPUs), m+int64(f.MemoryMB), d+int64(f.DiskGB())
	}
	gv, gm, gd := used(t, h)
	if gv != v || gm != m || gd != d {
		t.Fatalf("%s used VCPU/MEMORY_MB/DISK_GB = %d/%d/%d, want %d/%d/%d", h.HostName(), gv, gm, gd, v, m, d)
	}
}

func skipUnless(t *testing.T, ok bool, capability string) {
	t.Helper()
	if !ok {
		t.Skipf("driver does not claim %s", capability)
	}
}

func bigger(f driver.Flavor) driver.Flavor {
	f.ID, f.Name = f.ID+"-big", f.Name+".big"
	f.VCPUs++
	f.MemoryMB *= 2
	f.RootGB++
	return f
}
