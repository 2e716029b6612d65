package spec

import (
	"cmp"

	"github.com/gostack/gostack/internal/compute/agent"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/driver/qemu"
	"github.com/gostack/gostack/internal/platform/config"
)

// allocation is the operator's allocation ratios and reserved amounts
// (Nova's cpu_allocation_ratio … reserved_host_disk_mb) for the compute
// agent, which puts them in every host's Placement inventories. Unset
// ratios are Nova's initial_*_allocation_ratio defaults (4.0, 1.0, 1.0);
// unset reserved amounts leave the driver's (none for the fake, 512 MB
// of memory for a qemu host, as Nova's reserved_host_memory_mb).
func allocation(cfg config.Config) agent.Allocation {
	c := cfg.Compute
	return agent.Allocation{
		CPURatio:     cmp.Or(c.CPUAllocationRatio, 4),
		RAMRatio:     cmp.Or(c.RAMAllocationRatio, 1),
		DiskRatio:    cmp.Or(c.DiskAllocationRatio, 1),
		ReservedCPUs: c.ReservedHostCPUs, ReservedMemoryMB: c.ReservedHostMemoryMB, ReservedDiskMB: c.ReservedHostDiskMB,
	}
}

// The drivers get the same settings as the agent: each refuses a spawn
// that its own ratios and reserved amounts do not admit, so they must
// admit what Placement does.

// fakeAllocation puts the operator's settings in the fake's options.
func fakeAllocation(cfg config.Config, o *fake.Options) {
	al := allocation(cfg)
	o.CPUAllocationRatio, o.RAMAllocationRatio, o.DiskAllocationRatio = al.CPURatio, al.RAMRatio, al.DiskRatio
	o.ReservedCPUs, o.ReservedMemoryMB, o.ReservedDiskGB = int(al.ReservedCPUs), int(al.ReservedMemoryMB), int(agent.DiskGB(al.ReservedDiskMB))
}

// qemuAllocation puts the operator's settings in a qemu host's options.
// The driver has no reserved vCPUs of its own: the agent alone keeps them
// out of Placement's inventory, which only makes Placement the stricter.
func qemuAllocation(cfg config.Config, o *qemu.Options) {
	al := allocation(cfg)
	o.CPUAllocationRatio, o.RAMAllocationRatio, o.DiskAllocationRatio = al.CPURatio, al.RAMRatio, al.DiskRatio
	if al.ReservedMemoryMB > 0 {
		o.ReservedMemoryMB = int(al.ReservedMemoryMB)
	}
	if al.ReservedDiskMB > 0 {
		o.ReservedDiskGB = int(agent.DiskGB(al.ReservedDiskMB))
	}
}
