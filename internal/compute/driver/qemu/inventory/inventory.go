// Package inventory is a QEMU host's resources as the compute agent
// reports them to Placement: its CPUs, memory and disk (found on the host
// unless configured), what is reserved for the host itself, the
// allocation ratios, and what the instances use of them, which a Claim
// checks before it counts a new instance.
package inventory

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Config overrides and qualifies what the host has. Zero totals mean
// what the host has; the ratios must be set (the driver's defaults are
// Nova's initial_*_allocation_ratio: 4, 1, 1).
type Config struct {
	VCPUs, MemoryMB, DiskGB          int
	ReservedMemoryMB, ReservedDiskGB int
	CPURatio, RAMRatio, DiskRatio    float64
	// Share splits what the machine has between the compute hosts that
	// run on it in one process, so that Placement is not told about the
	// same CPUs, memory and disk once per host.
	Share Share
}

// Share is this host's part of a machine that Of compute hosts share:
// it is host Index (0-based) of them. The zero value is a machine of
// its own.
type Share struct {
	Index, Of int
}

// Split is this host's part of the machine's total: an even share, the
// remainder going to the first host. Each host gets at least 1, as
// Placement refuses an inventory whose total is 0; a machine smaller
// than its hosts is overcommitted rather than leaving a host unusable.
func (s Share) Split(total int64) int64 {
	if s.Of <= 1 || s.Index < 0 || s.Index >= s.Of {
		return total
	}
	part := total / int64(s.Of)
	if s.Index == 0 {
		part += total % int64(s.Of)
	}
	return max(part, 1)
}

// Host is the inventory of one host. It is not safe for concurrent use:
// the driver's lock guards it.
type Host struct {
	Config  Config
	Dir     string // a directory of the file system whose size is the disk
	Version int    // the hypervisor version, as Nova encodes it
	used    driver.Usage
}

// Resources reports the host's CPUs, memory and the file system of Dir
// (this host's share of them when the machine is shared, the configured
// totals as they are), and what the counted instances use of them.
func (h *Host) Resources() (driver.Resources, error) {
	c := h.Config
	vcpus := int64(c.VCPUs)
	if vcpus == 0 {
		vcpus = c.Share.Split(int64(runtime.NumCPU()))
	}
	mem := int64(c.MemoryMB)
	if mem == 0 {
		var err error
		if mem, err = memTotalMB(); err != nil {
			return driver.Resources{}, err
		}
		mem = c.Share.Split(mem)
	}
	disk := int64(c.DiskGB)
	if disk == 0 {
		var st syscall.Statfs_t
		if err := syscall.Statfs(h.Dir, &st); err != nil {
			return driver.Resources{}, fmt.Errorf("qemu: statfs %s: %w", h.Dir, err)
		}
		disk = c.Share.Split(int64(st.Blocks) * st.Bsize >> 30)
	}
	return driver.Resources{
		VCPU:              driver.Amount{Total: vcpus, Used: h.used.VCPU, AllocationRatio: c.CPURatio},
		MemoryMB:          driver.Amount{Total: mem, Reserved: int64(c.ReservedMemoryMB), Used: h.used.MemoryMB, AllocationRatio: c.RAMRatio},
		DiskGB:            driver.Amount{Total: disk, Reserved: int64(c.ReservedDiskGB), Used: h.used.DiskGB, AllocationRatio: c.DiskRatio},
		HypervisorType:    "QEMU",
		HypervisorVersion: h.Version,
		CPUInfo:           cpuInfo(int(vcpus)),
	}, nil
}

// Claim counts an instance of flavor f, or says which resource is short.
func (h *Host) Claim(f driver.Flavor) error {
	r, err := h.Resources()
	if err != nil {
		return err
	}
	if err := r.Fit(f); err != nil {
		return err
	}
	h.used.Add(f)
	return nil
}

// Count counts an instance of flavor f that already exists (found again
// at start), whether it fits or not.
func (h *Host) Count(f driver.Flavor) { h.used.Add(f) }

// Release stops counting an instance of flavor f.
func (h *Host) Release(f driver.Flavor) { h.used.Remove(f) }

// memTotalMB is the host's memory, MemTotal of /proc/meminfo, in MiB.
func memTotalMB() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, err
			}
			return kb >> 10, nil
		}
	}
	return 0, errors.New("qemu: no MemTotal in /proc/meminfo")
}

// cpuInfo is Nova's cpu_info JSON for a host of cpus CPUs: architecture,
// model, vendor and flags from /proc/cpuinfo, one socket of cpus cores.
func cpuInfo(cpus int) string {
	info := map[string]any{
		"arch": runtime.GOARCH, "model": "", "vendor": "",
		"topology": map[string]int{"sockets": 1, "cores": cpus, "threads": 1},
		"features": []string{},
	}
	if runtime.GOARCH == "amd64" {
		info["arch"] = "x86_64"
	}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "model name":
				info["model"] = strings.TrimSpace(v)
			case "vendor_id":
				info["vendor"] = strings.TrimSpace(v)
			case "flags":
				info["features"] = strings.Fields(v)
			}
		}
	}
	data, _ := json.Marshal(info)
	return string(data)
}
