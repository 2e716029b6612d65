package qemu

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/disk"
	"github.com/gostack/gostack/internal/compute/driver/qemu/hotplug"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/inventory"
	"github.com/gostack/gostack/internal/compute/driver/qemu/probe"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
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
	// HotplugPorts is how many empty PCIe root ports a q35 guest gets
	// for NICs plugged while it runs (default 4; see instdir.Record).
	HotplugPorts int
	// CPUModel is -cpu (default "host" under KVM, "qemu64" under TCG).
	CPUModel string
	// ImagesType is how root disks are made: "qcow2" (default, an overlay
	// on the cached image) or "raw" (a full copy). A flavor extra spec
	// "gostack:images_type" overrides it per flavor.
	ImagesType string
	// ListenAddress is where VNC servers and incoming live migrations
	// listen (default 127.0.0.1).
	ListenAddress string
	// ShutdownTimeout is how long a soft reboot, a resize or a cold
	// migration waits for the guest to power off before stopping it
	// (default 60s, Nova's shutdown_timeout); a stop has its own.
	ShutdownTimeout time.Duration
	// Log receives what an operator should know of: a guest that ignores
	// the ACPI power button and is cut. Default slog.Default().
	Log *slog.Logger
	// Host inventory overrides; zero means what the host has.
	VCPUs    int
	MemoryMB int
	DiskGB   int
	// Share is this host's part of the machine when several hosts of one
	// process run on it (--qemu-hosts): the machine's CPUs, memory and
	// disk are split between them rather than each reporting all of it.
	Share inventory.Share
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
	o.QEMU = cmp.Or(o.QEMU, "qemu-system-x86_64")
	o.QemuImg = cmp.Or(o.QemuImg, "qemu-img")
	o.Accel = cmp.Or(o.Accel, "auto")
	o.Machine = cmp.Or(o.Machine, "q35")
	o.HotplugPorts = cmp.Or(o.HotplugPorts, 4)
	o.ImagesType = cmp.Or(o.ImagesType, "qcow2")
	o.ListenAddress = cmp.Or(o.ListenAddress, "127.0.0.1")
	o.ShutdownTimeout = cmp.Or(o.ShutdownTimeout, 60*time.Second)
	if o.Log == nil {
		o.Log = slog.Default()
	}
	o.ReservedMemoryMB = cmp.Or(o.ReservedMemoryMB, 512)
	o.CPUAllocationRatio = cmp.Or(o.CPUAllocationRatio, 4)
	o.RAMAllocationRatio = cmp.Or(o.RAMAllocationRatio, 1)
	o.DiskAllocationRatio = cmp.Or(o.DiskAllocationRatio, 1)
}

// Driver runs each instance as its own QEMU process on this host. Its
// device operations (AttachVolume … DetachInterface) are hotplug's.
type Driver struct {
	hotplug.Devices
	opts  Options
	tools disk.Tools

	mu       sync.Mutex
	name     string
	stateDir string
	events   func(driver.Event)
	accel    string
	inv      inventory.Host // resources; its Dir is stateDir
	started  bool
	closed   bool
	insts    map[string]*instance // live instances, incoming live migrations included
	migSrc   map[string]*instance // source copies kept by MigrateDisk
	failNext []string             // QEMU arguments for the next boot only (tests)
	trim     time.Duration        // how often the console logs are trimmed (tests shorten it)
	closing  chan struct{}        // closed by Close: the console trimming ends
	trimDone chan struct{}        // closed when it has
}

// New returns a QEMU driver; Configure and Start it before use.
func New(opts Options) *Driver {
	opts.defaults()
	inv := inventory.Config{
		VCPUs: opts.VCPUs, MemoryMB: opts.MemoryMB, DiskGB: opts.DiskGB,
		ReservedMemoryMB: opts.ReservedMemoryMB, ReservedDiskGB: opts.ReservedDiskGB,
		CPURatio: opts.CPUAllocationRatio, RAMRatio: opts.RAMAllocationRatio, DiskRatio: opts.DiskAllocationRatio,
		Share: opts.Share,
	}
	d := &Driver{opts: opts, tools: disk.Tools{QemuImg: opts.QemuImg, ISO: opts.ISOTool}, name: opts.HostName,
		inv: inventory.Host{Config: inv}, trim: time.Second, closing: make(chan struct{}), trimDone: make(chan struct{})}
	d.Devices = hotplug.Devices{Host: plugger{d}, Machine: opts.Machine, Tools: d.tools, Unplug: 30 * time.Second}
	return d
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

// Capabilities: every optional operation.
func (d *Driver) Capabilities() driver.Capabilities {
	return driver.Capabilities{
		Pause: true, Suspend: true, Rescue: true, Rebuild: true, Snapshot: true,
		ColdMigration: true, SameHostResize: true, LiveMigration: true,
		VolumeHotPlug: true, InterfaceHotPlug: true, ConfigDrive: true,
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
	d.stateDir, d.inv.Dir = abs, abs
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

	v, err := probe.Version(ctx, d.opts.QEMU)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath(d.opts.QemuImg); err != nil {
		return fmt.Errorf("qemu: %w", err)
	}
	accel, err := probe.Choose(ctx, d.opts.QEMU, d.opts.Accel)
	if err != nil {
		return err
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
	d.inv.Version, d.accel = v, accel
	d.insts, d.migSrc = insts, src
	for _, m := range []map[string]*instance{insts, src} {
		for _, in := range m {
			d.inv.Count(in.rec.Spec.Flavor)
		}
	}
	d.started = true
	go func() {
		defer close(d.trimDone)
		instdir.Trimmer{Dirs: d.dirs, Every: d.trim, Log: d.opts.Log}.Run(d.closing)
	}()
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
	close(d.closing)
	var conns []*qmp.Conn
	for _, m := range []map[string]*instance{d.insts, d.migSrc} {
		for _, in := range m {
			if in.proc != nil && in.proc.QMP != nil {
				in.proc.detached = true
				conns = append(conns, in.proc.QMP)
			}
		}
	}
	started := d.started
	d.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	if started {
		<-d.trimDone
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
	return d.inv.Resources()
}

// get returns a live instance; d.mu is held.
func (d *Driver) get(uuid string) (*instance, error) {
	if err := d.ready(); err != nil {
		return nil, err
	}
	in, ok := d.insts[uuid]
	if !ok {
		return nil, driver.NotFound("instance", uuid)
	}
	return in, nil
}

// find returns instance uuid and the map that holds it: the live
// instances, or the source copies of cold migrations; d.mu is held.
func (d *Driver) find(uuid string) (*instance, map[string]*instance, error) {
	if err := d.ready(); err != nil {
		return nil, nil, err
	}
	for _, m := range []map[string]*instance{d.insts, d.migSrc} {
		if in, ok := m[uuid]; ok {
			return in, m, nil
		}
	}
	return nil, nil, driver.NotFound("instance", uuid)
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
	in, _, err := d.find(uuid)
	if err != nil {
		d.mu.Unlock()
		return driver.InstanceInfo{}, err
	}
	evs := d.refresh(in)
	info := in.info()
	d.mu.Unlock()
	d.emit(evs...)
	return info, nil
}
