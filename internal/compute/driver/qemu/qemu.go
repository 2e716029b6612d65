package qemu

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

var _ driver.Driver = (*Driver)(nil)

// Options are the QEMU driver's own settings. Zero values mean the defaults.
type Options struct {
	// HostName is the default host name (default os.Hostname); Config.HostName overrides it.
	HostName string
	// QEMU and QemuImg are the binaries (default qemu-system-x86_64 and
	// qemu-img from PATH); ISOTool packs config drives (default the first
	// of genisoimage, mkisofs, xorriso found).
	QEMU    string
	QemuImg string
	ISOTool string
	// Accel is "auto" (default: KVM when a probe guest really runs under
	// it, else TCG), "kvm" or "tcg".
	Accel string
	// Machine is the QEMU machine type (default "q35").
	Machine string
	// CPUModel is -cpu (default "host" under KVM, "qemu64" under TCG).
	CPUModel string
	// ImagesType is how root disks are made: "qcow2" (default, an overlay
	// on the cached image) or "raw" (a full copy). A flavor extra spec
	// "gostack:images_type" overrides it per flavor.
	ImagesType string
	// ListenAddress is where VNC servers and incoming live migrations
	// listen (default 127.0.0.1).
	ListenAddress string
	// ShutdownTimeout is how long a soft reboot or a cold migration waits
	// for the guest to power itself off before stopping it hard (default 60s).
	ShutdownTimeout time.Duration
	// Host inventory overrides; zero means what the host has.
	VCPUs    int
	MemoryMB int
	DiskGB   int
	// ReservedMemoryMB is kept for the host itself (default 512, as Nova's
	// reserved_host_memory_mb); ReservedDiskGB likewise (default 0).
	ReservedMemoryMB int
	ReservedDiskGB   int
	// Allocation ratios reported to Placement and enforced by Spawn
	// (defaults 4.0, 1.0 and 1.0, as Nova's initial_*_allocation_ratio).
	CPUAllocationRatio  float64
	RAMAllocationRatio  float64
	DiskAllocationRatio float64
}

func (o *Options) defaults() {
	if o.HostName == "" {
		o.HostName, _ = os.Hostname()
	}
	if o.QEMU == "" {
		o.QEMU = "qemu-system-x86_64"
	}
	if o.QemuImg == "" {
		o.QemuImg = "qemu-img"
	}
	if o.Accel == "" {
		o.Accel = "auto"
	}
	if o.Machine == "" {
		o.Machine = "q35"
	}
	if o.ImagesType == "" {
		o.ImagesType = "qcow2"
	}
	if o.ListenAddress == "" {
		o.ListenAddress = "127.0.0.1"
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = 60 * time.Second
	}
	if o.ReservedMemoryMB == 0 {
		o.ReservedMemoryMB = 512
	}
	if o.CPUAllocationRatio == 0 {
		o.CPUAllocationRatio = 4
	}
	if o.RAMAllocationRatio == 0 {
		o.RAMAllocationRatio = 1
	}
	if o.DiskAllocationRatio == 0 {
		o.DiskAllocationRatio = 1
	}
}

// Driver runs each instance as its own QEMU process on this host.
type Driver struct {
	opts Options

	mu       sync.Mutex
	name     string
	stateDir string
	events   func(driver.Event)
	accel    string
	version  int
	started  bool
	closed   bool
	insts    map[string]*instance // live instances, incoming live migrations included
	migSrc   map[string]*instance // source copies kept by MigrateDisk
	failNext []string             // QEMU arguments for the next boot only (tests)
	used     driver.Usage
}

// New returns a QEMU driver; Configure and Start it before use.
func New(opts Options) *Driver {
	opts.defaults()
	return &Driver{opts: opts, name: opts.HostName}
}

// Name is "qemu".
func (d *Driver) Name() string { return "qemu" }

// HostName is the name the host registers under.
func (d *Driver) HostName() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.name
}

// Accel is the accelerator guests run with ("kvm" or "tcg"), known after Start.
func (d *Driver) Accel() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.accel
}

// Capabilities: everything but interface hot-plug, whose PCI unplug needs
// the guest's cooperation (see doc.go).
func (d *Driver) Capabilities() driver.Capabilities {
	return driver.Capabilities{
		Pause: true, Suspend: true, Rescue: true, Rebuild: true, Snapshot: true,
		ColdMigration: true, SameHostResize: true, LiveMigration: true,
		VolumeHotPlug: true, ConfigDrive: true,
		ConsoleOutput: true, VNCConsole: true, Diagnostics: true,
	}
}

// Configure applies cfg; StateDir is required.
func (d *Driver) Configure(ctx context.Context, cfg driver.Config) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started {
		return errors.New("qemu: Configure after Start")
	}
	if cfg.StateDir == "" {
		return errors.New("qemu: Config.StateDir is required")
	}
	if cfg.HostName != "" {
		d.name = cfg.HostName
	}
	abs, err := filepath.Abs(cfg.StateDir)
	if err != nil {
		return err
	}
	d.stateDir = abs
	d.events = cfg.Events
	return nil
}

// Start checks the binaries, picks the accelerator and re-attaches to the
// instances under StateDir.
func (d *Driver) Start(ctx context.Context) error {
	d.mu.Lock()
	if d.started {
		d.mu.Unlock()
		return errors.New("qemu: started twice")
	}
	if d.stateDir == "" {
		d.mu.Unlock()
		return errors.New("qemu: Start before Configure")
	}
	d.mu.Unlock()

	v, err := qemuVersion(ctx, d.opts.QEMU)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath(d.opts.QemuImg); err != nil {
		return fmt.Errorf("qemu: %w", err)
	}
	accel := d.opts.Accel
	switch accel {
	case "auto":
		accel = "tcg"
		if kvmWorks(ctx, d.opts.QEMU) {
			accel = "kvm"
		}
	case "kvm", "tcg":
	default:
		return fmt.Errorf("qemu: unknown accelerator %q", accel)
	}
	for _, sub := range []string{"instances", "migrating"} {
		if err := os.MkdirAll(filepath.Join(d.stateDir, sub), 0o700); err != nil {
			return err
		}
	}
	insts, err := d.reattach(ctx, "instances")
	if err != nil {
		return err
	}
	src, err := d.reattach(ctx, "migrating")
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.version, d.accel = v, accel
	d.insts, d.migSrc = insts, src
	for _, m := range []map[string]*instance{insts, src} {
		for _, in := range m {
			d.used.Add(in.rec.Spec.Flavor)
		}
	}
	d.started = true
	return nil
}

// Close drops the monitor connections. The guests keep running.
func (d *Driver) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	var conns []*qmpConn
	for _, m := range []map[string]*instance{d.insts, d.migSrc} {
		for _, in := range m {
			if in.proc != nil && in.proc.qmp != nil {
				in.proc.detached = true
				conns = append(conns, in.proc.qmp)
			}
		}
	}
	d.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	return nil
}

func (d *Driver) ready() error {
	switch {
	case d.closed:
		return errors.New("qemu: driver closed")
	case !d.started:
		return errors.New("qemu: driver not started")
	}
	return nil
}

func (d *Driver) emit(evs ...driver.Event) {
	if d.events == nil {
		return
	}
	for _, e := range evs {
		if e.Time.IsZero() {
			e.Time = time.Now()
		}
		d.events(e)
	}
}

// Resources reports the host's CPUs, memory and the file system of StateDir.
func (d *Driver) Resources(ctx context.Context) (driver.Resources, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ready(); err != nil {
		return driver.Resources{}, err
	}
	return d.resources()
}

func (d *Driver) resources() (driver.Resources, error) {
	o := d.opts
	vcpus := int64(o.VCPUs)
	if vcpus == 0 {
		vcpus = int64(runtime.NumCPU())
	}
	mem := int64(o.MemoryMB)
	if mem == 0 {
		var err error
		if mem, err = memTotalMB(); err != nil {
			return driver.Resources{}, err
		}
	}
	disk := int64(o.DiskGB)
	if disk == 0 {
		var st syscall.Statfs_t
		if err := syscall.Statfs(d.stateDir, &st); err != nil {
			return driver.Resources{}, fmt.Errorf("qemu: statfs %s: %w", d.stateDir, err)
		}
		disk = int64(st.Blocks) * st.Bsize >> 30
	}
	return driver.Resources{
		VCPU:              driver.Amount{Total: vcpus, Used: d.used.VCPU, AllocationRatio: o.CPUAllocationRatio},
		MemoryMB:          driver.Amount{Total: mem, Reserved: int64(o.ReservedMemoryMB), Used: d.used.MemoryMB, AllocationRatio: o.RAMAllocationRatio},
		DiskGB:            driver.Amount{Total: disk, Reserved: int64(o.ReservedDiskGB), Used: d.used.DiskGB, AllocationRatio: o.DiskAllocationRatio},
		HypervisorType:    "QEMU",
		HypervisorVersion: d.version,
		CPUInfo:           cpuInfo(int(vcpus)),
	}, nil
}

// claim reserves f's resources or says which one is short; d.mu is held.
func (d *Driver) claim(f driver.Flavor) error {
	r, err := d.resources()
	if err != nil {
		return err
	}
	if err := r.Fit(f); err != nil {
		return err
	}
	d.used.Add(f)
	return nil
}

func (d *Driver) release(f driver.Flavor) { d.used.Remove(f) }

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

// cpuInfo is Nova's cpu_info JSON for this host.
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

var versionRE = regexp.MustCompile(`version (\d+)\.(\d+)(?:\.(\d+))?`)

// qemuVersion runs qemu --version and encodes it as Nova does:
// major*1000000 + minor*1000 + micro.
func qemuVersion(ctx context.Context, bin string) (int, error) {
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("qemu: %s --version: %w", bin, err)
	}
	return parseVersion(string(out))
}

func parseVersion(s string) (int, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("qemu: no version in %q", s)
	}
	n := 0
	for i, mul := range []int{1000000, 1000, 1} {
		v, _ := strconv.Atoi(m[i+1])
		n += v * mul
	}
	return n, nil
}

// ListInstances reports every instance under StateDir, source copies of
// cold migrations included.
func (d *Driver) ListInstances(ctx context.Context) ([]driver.InstanceInfo, error) {
	d.mu.Lock()
	if err := d.ready(); err != nil {
		d.mu.Unlock()
		return nil, err
	}
	var evs []driver.Event
	out := make([]driver.InstanceInfo, 0, len(d.insts)+len(d.migSrc))
	for _, m := range []map[string]*instance{d.insts, d.migSrc} {
		for _, in := range m {
			evs = append(evs, d.refresh(in)...)
			out = append(out, in.info())
		}
	}
	d.mu.Unlock()
	d.emit(evs...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].UUID != out[j].UUID {
			return out[i].UUID < out[j].UUID
		}
		return !out[i].Migrating
	})
	return out, nil
}

// Info reports one instance.
func (d *Driver) Info(ctx context.Context, uuid string) (driver.InstanceInfo, error) {
	d.mu.Lock()
	if err := d.ready(); err != nil {
		d.mu.Unlock()
		return driver.InstanceInfo{}, err
	}
	in, ok := d.insts[uuid]
	if !ok {
		in, ok = d.migSrc[uuid]
	}
	if !ok {
		d.mu.Unlock()
		return driver.InstanceInfo{}, driver.NotFound("instance", uuid)
	}
	evs := d.refresh(in)
	info := in.info()
	d.mu.Unlock()
	d.emit(evs...)
	return info, nil
}
