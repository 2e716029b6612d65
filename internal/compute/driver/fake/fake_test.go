package fake_test

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/drivertest"
	"github.com/gostack/gostack/internal/compute/driver/fake"
)

func harness(opts fake.Options) drivertest.Harness {
	return drivertest.Harness{
		New: func(t *testing.T) driver.Driver { return fake.New(opts) },
		Crash: func(d driver.Driver, uuid string) error {
			return d.(*fake.Driver).Crash(uuid)
		},
		FailNextSpawn: func(d driver.Driver) {
			d.(*fake.Driver).FailNext("Spawn", errors.New("injected: qemu died at start"))
		},
		PowerOffTimeout: time.Minute,
	}
}

// TestSuiteInstant runs the shared suite with no delays.
func TestSuiteInstant(t *testing.T) {
	drivertest.RunHarness(t, harness(fake.Options{Delay: fake.Instant, MemoryMB: 8192, VCPUs: 8, DiskGB: 100}))
}

// TestSuiteSimulatedTime runs it with the default delays inside synctest
// bubbles, where they take no real time.
func TestSuiteSimulatedTime(t *testing.T) {
	h := harness(fake.Options{})
	h.Bubble = synctest.Test
	drivertest.RunHarness(t, h)
}

func TestRunDefaults(t *testing.T) {
	drivertest.Run(t, func(t *testing.T) driver.Driver { return fake.New(fake.Options{Delay: fake.Instant}) })
}

func started(t *testing.T, d *fake.Driver, cfg driver.Config) *fake.Driver {
	t.Helper()
	if err := d.Configure(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDelaysAreSimulated(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := started(t, fake.New(fake.Options{Delay: 10 * time.Millisecond}), driver.Config{})
		var progress []int
		d2 := started(t, fake.New(fake.Options{Delay: 10 * time.Millisecond}), driver.Config{Events: func(e driver.Event) {
			if e.Kind == driver.EventProgress {
				progress = append(progress, e.Percent)
			}
		}})
		spec := driver.Spec{UUID: "u1", Flavor: driver.Flavor{VCPUs: 1, MemoryMB: 64, RootGB: 1}}
		start := time.Now()
		if err := d.Spawn(t.Context(), spec); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got != 40*time.Millisecond {
			t.Errorf("Spawn took %v of simulated time, want 40ms (4 steps)", got)
		}
		if err := d2.Spawn(t.Context(), spec); err != nil {
			t.Fatal(err)
		}
		if want := []int{25, 50, 75, 100}; len(progress) != len(want) || progress[3] != 100 {
			t.Errorf("progress = %v, want %v", progress, want)
		}
		// The guest's uptime follows the clock.
		time.Sleep(time.Hour)
		dg, err := d.Diagnostics(t.Context(), "u1")
		if err != nil {
			t.Fatal(err)
		}
		if dg.Uptime != time.Hour+40*time.Millisecond { // d2's Spawn took 40ms after d booted
			t.Errorf("uptime = %v, want 1h40ms", dg.Uptime)
		}
	})
}

func TestGuestShutdownAndFaults(t *testing.T) {
	d := started(t, fake.New(fake.Options{Delay: fake.Instant}), driver.Config{})
	ctx := t.Context()
	spec := driver.Spec{UUID: "u1", Flavor: driver.Flavor{VCPUs: 1, MemoryMB: 64, RootGB: 1}}
	if err := d.Spawn(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if err := d.GuestShutdown("u1"); err != nil {
		t.Fatal(err)
	}
	if info, _ := d.Info(ctx, "u1"); info.PowerState != driver.Shutdown {
		t.Fatalf("after a guest shutdown: %v, want shutdown", info.PowerState)
	}
	boom := errors.New("boom")
	d.FailNext("PowerOn", boom)
	if err := d.PowerOn(ctx, "u1"); !errors.Is(err, boom) {
		t.Fatalf("PowerOn with an injected fault: %v", err)
	}
	if info, _ := d.Info(ctx, "u1"); info.PowerState != driver.Shutdown {
		t.Fatalf("a failed PowerOn changed the state to %v", info.PowerState)
	}
	if err := d.PowerOn(ctx, "u1"); err != nil {
		t.Fatalf("the fault fired twice: %v", err)
	}
}

func TestNotStarted(t *testing.T) {
	d := fake.New(fake.Options{})
	if _, err := d.ListInstances(t.Context()); err == nil {
		t.Error("ListInstances before Start succeeded")
	}
}

func TestNewHosts(t *testing.T) {
	hosts := fake.NewHosts(10000, fake.Options{VCPUs: 4, MemoryMB: 4096, DiskGB: 40})
	seen := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		started(t, h, driver.Config{})
		seen[h.HostName()] = true
	}
	if len(seen) != 10000 || !seen["fake-00001"] || !seen["fake-10000"] {
		t.Fatalf("host names are not unique fake-00001…fake-10000 (%d distinct)", len(seen))
	}
	// Each host has its own inventory: filling one leaves the others free.
	ctx := t.Context()
	full := driver.Flavor{VCPUs: 4, MemoryMB: 4096, RootGB: 40}
	if err := hosts[0].Spawn(ctx, driver.Spec{UUID: "a", Flavor: full}); err != nil {
		t.Fatal(err)
	}
	err := hosts[0].Spawn(ctx, driver.Spec{UUID: "b", Flavor: driver.Flavor{VCPUs: 1, MemoryMB: 1}})
	if diff := cmp.Diff(driver.NoResources("VCPU", 1, 0), err); diff != "" {
		t.Fatalf("Spawn on a full host (-want +got):\n%s", diff)
	}
	if err := hosts[1].Spawn(ctx, driver.Spec{UUID: "b", Flavor: full}); err != nil {
		t.Fatalf("Spawn on another host: %v", err)
	}
}

// TestResources checks the fake's hosts: as large as Nova's fake driver's
// by default, and the operator's ratios and reserved amounts in what they
// report and admit.
func TestResources(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts fake.Options
		want driver.Resources
	}{
		{"defaults", fake.Options{}, driver.Resources{
			VCPU:     driver.Amount{Total: 1000, AllocationRatio: 1},
			MemoryMB: driver.Amount{Total: 800000, AllocationRatio: 1},
			DiskGB:   driver.Amount{Total: 600000, AllocationRatio: 1},
		}},
		{"configured", fake.Options{VCPUs: 8, MemoryMB: 4096, DiskGB: 40, ReservedCPUs: 2, ReservedMemoryMB: 512, ReservedDiskGB: 5,
			CPUAllocationRatio: 16, RAMAllocationRatio: 1.5, DiskAllocationRatio: 2}, driver.Resources{
			VCPU:     driver.Amount{Total: 8, Reserved: 2, AllocationRatio: 16},
			MemoryMB: driver.Amount{Total: 4096, Reserved: 512, AllocationRatio: 1.5},
			DiskGB:   driver.Amount{Total: 40, Reserved: 5, AllocationRatio: 2},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := started(t, fake.New(tc.opts), driver.Config{})
			got, err := d.Resources(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			got.HypervisorType, got.HypervisorVersion, got.CPUInfo = "", 0, ""
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Resources (-want +got):\n%s", diff)
			}
		})
	}
	// The reserved vCPUs are kept back: (8-2)*16 = 96 vCPUs fit, not 97.
	d := started(t, fake.New(fake.Options{Delay: fake.Instant, VCPUs: 8, ReservedCPUs: 2, CPUAllocationRatio: 16}), driver.Config{})
	if err := d.Spawn(t.Context(), driver.Spec{UUID: "a", Flavor: driver.Flavor{VCPUs: 96, MemoryMB: 1}}); err != nil {
		t.Fatal(err)
	}
	err := d.Spawn(t.Context(), driver.Spec{UUID: "b", Flavor: driver.Flavor{VCPUs: 1, MemoryMB: 1}})
	if diff := cmp.Diff(driver.NoResources("VCPU", 1, 0), err); diff != "" {
		t.Errorf("Spawn past the ratio (-want +got):\n%s", diff)
	}
}

func BenchmarkNewHosts(b *testing.B) {
	for b.Loop() {
		fake.NewHosts(10000, fake.Options{})
	}
}

// TestConsoleLooksLikeABoot checks that a guest's console holds a boot
// log of many lines ending at the login prompt, as clients expect.
func TestConsoleLooksLikeABoot(t *testing.T) {
	d := started(t, fake.New(fake.Options{Delay: fake.Instant}), driver.Config{})
	spec := driver.Spec{UUID: "c0ffee00-0000-4000-8000-000000000001", Name: "instance-00000001", Hostname: "web",
		Flavor: driver.Flavor{VCPUs: 1, MemoryMB: 512, RootGB: 1}, Image: driver.Image{ID: "cirros"}}
	if err := d.Spawn(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	out, err := d.ConsoleOutput(t.Context(), spec.UUID, 0)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) <= 10 || lines[len(lines)-1] != "web login:" {
		t.Fatalf("console of %d lines, last %q:\n%s", len(lines), lines[len(lines)-1], out)
	}
}
