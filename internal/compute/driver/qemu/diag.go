package qemu

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Diagnostics reports the instance from query-status, query-cpus-fast
// (per-vCPU thread times from /proc), query-blockstats and the QEMU
// process's resident memory.
func (d *Driver) Diagnostics(ctx context.Context, uuid string) (driver.Diagnostics, error) {
	d.mu.Lock()
	in, err := d.get(uuid)
	if err != nil {
		d.mu.Unlock()
		return driver.Diagnostics{}, err
	}
	evs := d.refresh(in)
	rec := in.rec
	var q *qmpConn
	pid := 0
	if in.proc != nil {
		q, pid = in.proc.qmp, in.proc.pid
	}
	d.mu.Unlock()
	d.emit(evs...)

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
	var cpus []struct {
		Index    int `json:"cpu-index"`
		ThreadID int `json:"thread-id"`
	}
	if err := q.run(ctx, "query-cpus-fast", nil, &cpus); err == nil {
		for _, c := range cpus {
			if c.Index >= 0 && c.Index < len(dg.CPUTimeNS) {
				dg.CPUTimeNS[c.Index] = threadCPUTimeNS(pid, c.ThreadID)
			}
		}
	}
	var stats []struct {
		Device string `json:"device"`
		Node   string `json:"node-name"`
		QDev   string `json:"qdev"`
		Stats  struct {
			RdBytes  int64 `json:"rd_bytes"`
			WrBytes  int64 `json:"wr_bytes"`
			RdOps    int64 `json:"rd_operations"`
			WrOps    int64 `json:"wr_operations"`
			FailedRd int64 `json:"failed_rd_operations"`
			FailedWr int64 `json:"failed_wr_operations"`
		} `json:"stats"`
	}
	if err := q.run(ctx, "query-blockstats", nil, &stats); err != nil {
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
	if rss := processRSSMB(pid); rss > 0 {
		dg.MemoryUsedMB = min(rss, f.MemoryMB)
	}
	return dg, nil
}

// threadCPUTimeNS is a thread's user+system time from /proc/<pid>/task/<tid>/stat.
func threadCPUTimeNS(pid, tid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(data[i+1:]))
	// After the command: state is field 3 of stat, utime 14 and stime 15.
	if len(fields) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	const clkTck = 100 // USER_HZ on Linux
	return (ut + st) * int64(time.Second) / clkTck
}

// processRSSMB is VmRSS of pid in MiB.
func processRSSMB(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb >> 10
		}
	}
	return 0
}
