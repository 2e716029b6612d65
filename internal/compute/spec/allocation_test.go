package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/compute/agent"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/driver/qemu"
	"github.com/gostack/gostack/internal/platform/config"
)

// TestAllocationWired: the [compute] allocation ratios and reserved
// amounts reach the agent (Placement's inventories) and both drivers
// (what they admit), and unset ones leave the drivers' defaults.
func TestAllocationWired(t *testing.T) {
	set := config.Default()
	set.Compute.CPUAllocationRatio, set.Compute.RAMAllocationRatio, set.Compute.DiskAllocationRatio = 16, 1.5, 2
	set.Compute.ReservedHostCPUs, set.Compute.ReservedHostMemoryMB, set.Compute.ReservedHostDiskMB = 2, 1024, 2049
	for _, tc := range []struct {
		name  string
		cfg   config.Config
		agent agent.Allocation
		fake  fake.Options
		qemu  qemu.Options
	}{
		{"unset: Nova's initial ratios, the drivers' reserved amounts", config.Default(),
			agent.Allocation{CPURatio: 4, RAMRatio: 1, DiskRatio: 1},
			fake.Options{CPUAllocationRatio: 4, RAMAllocationRatio: 1, DiskAllocationRatio: 1},
			qemu.Options{CPUAllocationRatio: 4, RAMAllocationRatio: 1, DiskAllocationRatio: 1}},
		{"set", set,
			agent.Allocation{CPURatio: 16, RAMRatio: 1.5, DiskRatio: 2, ReservedCPUs: 2, ReservedMemoryMB: 1024, ReservedDiskMB: 2049},
			fake.Options{CPUAllocationRatio: 16, RAMAllocationRatio: 1.5, DiskAllocationRatio: 2, ReservedCPUs: 2, ReservedMemoryMB: 1024, ReservedDiskGB: 3},
			qemu.Options{CPUAllocationRatio: 16, RAMAllocationRatio: 1.5, DiskAllocationRatio: 2, ReservedMemoryMB: 1024, ReservedDiskGB: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.agent, allocation(tc.cfg)); diff != "" {
				t.Errorf("agent (-want +got):\n%s", diff)
			}
			var f fake.Options
			fakeAllocation(tc.cfg, &f)
			if diff := cmp.Diff(tc.fake, f); diff != "" {
				t.Errorf("fake (-want +got):\n%s", diff)
			}
			var q qemu.Options
			qemuAllocation(tc.cfg, &q)
			if diff := cmp.Diff(tc.qemu, q, cmp.AllowUnexported(qemu.Options{})); diff != "" {
				t.Errorf("qemu (-want +got):\n%s", diff)
			}
		})
	}
}
