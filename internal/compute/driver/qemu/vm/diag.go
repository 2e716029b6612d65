package vm

import (
	"context"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/proc"
)

// Diagnostics reports the instance of rec, run by q (nil when no QEMU
// runs), from query-cpus-fast (per-vCPU thread times from /proc),
// query-blockstats (the config drive left out, as Nova does) and the QEMU
// process's resident memory.
func Diagnostics(ctx context.Context, rec instdir.Record, q *QEMU) (driver.Diagnostics, error) {
	f := rec.Spec.Flavor
	dg := driver.Diagnostics{
		State: rec.Power, Driver: "qemu", Hypervisor: "qemu", HypervisorOS: "linux",
		ConfigDrive: rec.HasConfig, NumCPUs: f.VCPUs, NumNICs: len(rec.Spec.NICs),
		MemoryMaxMB: f.MemoryMB, CPUTimeNS: make([]int64, f.VCPUs),
	}
	if !rec.StartedAt.IsZero() {
		dg.Uptime = time.Since(rec.StartedAt)
	}
	for _, n := range rec.Spec.NICs {
		dg.NICs = append(dg.NICs, driver.NICDiagnostics{MAC: n.MAC})
	}
	disks := 0
	if rec.RootFormat != "" {
		disks++
	}
	if f.EphemeralGB > 0 {
		disks++
	}
	if f.SwapMB > 0 {
		disks++
	}
	disks += len(rec.Spec.BlockDevices)
	dg.NumDisks = disks
	dg.Disks = make([]driver.DiskDiagnostics, 0, disks)
	if q == nil {
		for range disks {
			dg.Disks = append(dg.Disks, driver.DiskDiagnostics{})
		}
		return dg, nil
	}
	if cpus, err := q.QMP.CPUs(ctx); err == nil {
		for _, c := range cpus {
			if c.Index >= 0 && c.Index < len(dg.CPUTimeNS) {
				dg.CPUTimeNS[c.Index] = int64(proc.ThreadCPUTime(q.PID, c.ThreadID))
			}
		}
	}
	stats, err := q.QMP.BlockStats(ctx)
	if err != nil {
		return dg, err
	}
	for _, s := range stats {
		if s.Device == "drive-config" || s.QDev == "config" {
			continue
		}
		dg.Disks = append(dg.Disks, driver.DiskDiagnostics{
			ReadBytes: s.Stats.RdBytes, WriteBytes: s.Stats.WrBytes,
			ReadRequests: s.Stats.RdOps, WriteRequests: s.Stats.WrOps,
			ErrorsCount: s.Stats.FailedRd + s.Stats.FailedWr,
		})
	}
	dg.NumDisks = len(dg.Disks)
	if rss := proc.RSSMB(q.PID); rss > 0 {
		dg.MemoryUsedMB = min(rss, f.MemoryMB)
	}
	return dg, nil
}
