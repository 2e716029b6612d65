package agent_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute/agent"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/placement/client"
)

// TestAllocation checks that the operator's allocation ratios and
// reserved amounts reach Placement's inventories of every host, over what
// the driver reports, and that unset ones leave the driver's.
func TestAllocation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		alloc agent.Allocation
		want  map[string]client.Inventory
	}{
		{"driver's own", agent.Allocation{}, map[string]client.Inventory{
			"VCPU":      {Total: 8, MinUnit: 1, MaxUnit: 8, StepSize: 1, AllocationRatio: 1},
			"MEMORY_MB": {Total: 16384, MinUnit: 1, MaxUnit: 16384, StepSize: 1, AllocationRatio: 1},
			"DISK_GB":   {Total: 200, Reserved: 3, MinUnit: 1, MaxUnit: 200, StepSize: 1, AllocationRatio: 1},
		}},
		{"configured", agent.Allocation{CPURatio: 16, RAMRatio: 1.5, DiskRatio: 2, ReservedCPUs: 1, ReservedMemoryMB: 512, ReservedDiskMB: 1500},
			map[string]client.Inventory{
				"VCPU":      {Total: 8, Reserved: 1, MinUnit: 1, MaxUnit: 8, StepSize: 1, AllocationRatio: 16},
				"MEMORY_MB": {Total: 16384, Reserved: 512, MinUnit: 1, MaxUnit: 16384, StepSize: 1, AllocationRatio: 1.5},
				// 1500 MB is 2 GB rounded up, as Nova's convert_mb_to_ceil_gb.
				"DISK_GB": {Total: 200, Reserved: 2, MinUnit: 1, MaxUnit: 200, StepSize: 1, AllocationRatio: 2},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.cond.serve(t, e.bus)
			var drivers []driver.Driver
			for _, d := range fake.NewHosts(2, fake.Options{Delay: fake.Instant, VCPUs: 8, MemoryMB: 16384, DiskGB: 200, ReservedDiskGB: 3}) {
				drivers = append(drivers, d)
			}
			a, err := agent.New(agent.Config{Bus: e.bus, Drivers: drivers, Placement: e.pl, StateDir: e.stateDir, Log: quiet, Allocation: tc.alloc})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			for _, h := range a.Hosts() {
				got, _, err := e.pl.Inventories(t.Context(), agent.ProviderID(h))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("%s inventories (-want +got):\n%s", h, diff)
				}
			}
		})
	}
}

func TestDiskGB(t *testing.T) {
	for mb, want := range map[int64]int64{0: 0, -5: 0, 1: 1, 1024: 1, 1025: 2, 2048: 2} {
		if got := agent.DiskGB(mb); got != want {
			t.Errorf("DiskGB(%d) = %d, want %d", mb, got, want)
		}
	}
}
