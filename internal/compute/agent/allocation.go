package agent

import (
	"context"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Allocation is the operator's overcommit and reservation for every host
// of the agent, named after Nova's options: cpu_allocation_ratio,
// ram_allocation_ratio, disk_allocation_ratio, reserved_host_cpus,
// reserved_host_memory_mb and reserved_host_disk_mb. Zero leaves the
// driver's own value.
type Allocation struct {
	CPURatio, RAMRatio, DiskRatio float64
	ReservedCPUs                  int64
	ReservedMemoryMB              int64
	ReservedDiskMB                int64
}

// apply returns res with the settings of al in place of the driver's.
// It is applied where a host's resources are read, so that Placement's
// inventories and the hypervisor the conductor records agree, whatever
// the driver.
func (al Allocation) apply(res driver.Resources) driver.Resources {
	set := func(a *driver.Amount, ratio float64, reserved int64) {
		if ratio > 0 {
			a.AllocationRatio = ratio
		}
		if reserved > 0 {
			a.Reserved = reserved
		}
	}
	set(&res.VCPU, al.CPURatio, al.ReservedCPUs)
	set(&res.MemoryMB, al.RAMRatio, al.ReservedMemoryMB)
	set(&res.DiskGB, al.DiskRatio, DiskGB(al.ReservedDiskMB))
	return res
}

// DiskGB is reserved_host_disk_mb in the GB of the DISK_GB class, rounded
// up as Nova's convert_mb_to_ceil_gb does.
func DiskGB(mb int64) int64 {
	if mb <= 0 {
		return 0
	}
	return (mb + 1023) / 1024
}

// resources reads h's resources from its driver with the operator's
// allocation settings applied.
func (a *Agent) resources(ctx context.Context, h *host) (driver.Resources, error) {
	res, err := h.drv.Resources(ctx)
	if err != nil {
		return res, err
	}
	return a.cfg.Allocation.apply(res), nil
}
