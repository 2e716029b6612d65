// Package fake is a compute driver that simulates a hypervisor in memory.
// It behaves like a real one — operations take simulated time, the power
// state machine is enforced, resources are claimed against the host's
// totals, faults can be injected — so that everything above it can be
// tested fast and at scale. A Driver is a mutex and a few maps: it starts
// no goroutine, so NewHosts(10000) is cheap.
//
// Delays use time.Timer and the context, so inside a testing/synctest
// bubble they take no real time.
package fake

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

var _ driver.Driver = (*Driver)(nil)

// Instant is the Options.Delay that makes every operation immediate.
const Instant time.Duration = -1

// Options are the fake's own settings. Zero values mean the defaults,
// which are those of Nova's fake driver: a host so large that Tempest's
// and the benchmarks' servers never run out of it (1,000 vCPUs, 800,000 MB
// of RAM, 600,000 GB of disk).
type Options struct {
	HostName string // default "fake-host"
	VCPUs    int    // default 1000
	MemoryMB int    // default 800000
	DiskGB   int    // default 600000
	// Reserved amounts are kept for the host itself (Nova's
	// reserved_host_cpus, reserved_host_memory_mb and reserved_host_disk_mb
	// in GB); default none.
	ReservedCPUs     int
	ReservedMemoryMB int
	ReservedDiskGB   int
	// Allocation ratios the fake admits, reported to Placement; default 1
	// (a cloud's compute service passes the configured ratios, whose
	// defaults are Nova's: 4.0 for CPU).
	CPUAllocationRatio  float64
	RAMAllocationRatio  float64
	DiskAllocationRatio float64
	// Delay is the time one simulated step takes (an operation takes a few
	// steps); default 5ms, Instant for none.
	Delay time.Duration
}

func (o *Options) defaults() {
	o.HostName = cmp.Or(o.HostName, "fake-host")
	o.VCPUs = cmp.Or(o.VCPUs, 1000)
	o.MemoryMB = cmp.Or(o.MemoryMB, 800000)
	o.DiskGB = cmp.Or(o.DiskGB, 600000)
	o.CPUAllocationRatio = cmp.Or(o.CPUAllocationRatio, 1)
	o.RAMAllocationRatio = cmp.Or(o.RAMAllocationRatio, 1)
	o.DiskAllocationRatio = cmp.Or(o.DiskAllocationRatio, 1)
	o.Delay = cmp.Or(o.Delay, 5*time.Millisecond)
}

// Driver is one simulated hypervisor.
type Driver struct {
	opts Options

	mu        sync.Mutex
	name      string
	events    func(driver.Event)
	stateFile string
	started   bool
	closed    bool
	insts     map[string]*instance // live instances, incoming live migrations included
	migSrc    map[string]*instance // source copies kept by MigrateDisk
	faults    map[string][]error   // op → errors the next calls return
	used      driver.Usage
	nextVNC   int
}

// instance is the simulated guest; exported fields are its persisted state.
type instance struct {
	UUID      string
	Name      string
	Hostname  string
	Power     driver.PowerState
	Rescued   bool
	Incoming  bool
	Migrating bool
	Flavor    driver.Flavor
	ImageID   string
	ImagePath string
	ImageFmt  string
	StartedAt time.Time
	Volumes   []string
	// VolumeSizes are the sizes in bytes ExtendVolume gave volumes.
	VolumeSizes map[string]int64 `json:",omitempty"`
	Ports       []string
	MACs        []string
	ConfigDrv   bool
	VNCPort     int
	Console     []byte

	busy string // the operation in progress
}

// New returns a fake hypervisor; Configure and Start it before use.
func New(opts Options) *Driver {
	opts.defaults()
	return &Driver{opts: opts, name: opts.HostName}
}

// NewHosts returns n fake hypervisors named <HostName>-00001 … (HostName
// defaults to "fake"), each with its own inventory from opts.
func NewHosts(n int, opts Options) []*Driver {
	prefix := opts.HostName
	if prefix == "" {
		prefix = "fake"
	}
	hosts := make([]*Driver, n)
	for i := range hosts {
		o := opts
		o.HostName = fmt.Sprintf("%s-%05d", prefix, i+1)
		hosts[i] = New(o)
	}
	return hosts
}

func (d *Driver) Name() string { return "fake" }

func (d *Driver) HostName() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.name
}

func (d *Driver) Capabilities() driver.Capabilities {
	return driver.Capabilities{
		Pause: true, Suspend: true, Rescue: true, Rebuild: true, Snapshot: true,
		ColdMigration: true, SameHostResize: true, LiveMigration: true,
		VolumeHotPlug: true, InterfaceHotPlug: true, ConfigDrive: true,
		ConsoleOutput: true, VNCConsole: true, Diagnostics: true,
	}
}

// Configure applies cfg. With a StateDir the fake keeps its instances in
// StateDir/fake-<host>.json so that a restarted agent re-attaches to them.
func (d *Driver) Configure(ctx context.Context, cfg driver.Config) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started {
		return errors.New("fake: Configure after Start")
	}
	if cfg.HostName != "" {
		d.name = cfg.HostName
	}
	d.events = cfg.Events
	if cfg.StateDir != "" {
		d.stateFile = filepath.Join(cfg.StateDir, "fake-"+d.name+".json")
	}
	return nil
}

// Start loads the state file, if any.
func (d *Driver) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started {
		return errors.New("fake: started twice")
	}
	if d.stateFile != "" {
		if err := d.load(); err != nil {
			return err
		}
	}
	d.started = true
	return nil
}

func (d *Driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

func (d *Driver) Resources(ctx context.Context) (driver.Resources, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ready(); err != nil {
		return driver.Resources{}, err
	}
	return d.resources(), nil
}

func (d *Driver) resources() driver.Resources {
	o := d.opts
	return driver.Resources{
		VCPU:              driver.Amount{Total: int64(o.VCPUs), Reserved: int64(o.ReservedCPUs), Used: d.used.VCPU, AllocationRatio: o.CPUAllocationRatio},
		MemoryMB:          driver.Amount{Total: int64(o.MemoryMB), Reserved: int64(o.ReservedMemoryMB), Used: d.used.MemoryMB, AllocationRatio: o.RAMAllocationRatio},
		DiskGB:            driver.Amount{Total: int64(o.DiskGB), Reserved: int64(o.ReservedDiskGB), Used: d.used.DiskGB, AllocationRatio: o.DiskAllocationRatio},
		HypervisorType:    "fake",
		HypervisorVersion: 1000,
		CPUInfo:           `{"arch":"x86_64","model":"fake","vendor":"gostack","topology":{"sockets":1,"cores":1,"threads":1}}`,
	}
}

// claim reserves f's resources or says which one is short.
func (d *Driver) claim(f driver.Flavor) error {
	r := d.resources()
	if err := r.Fit(f); err != nil {
		return err
	}
	d.used.Add(f)
	return nil
}

func (d *Driver) release(f driver.Flavor) { d.used.Remove(f) }

func (d *Driver) ready() error {
	switch {
	case d.closed:
		return errors.New("fake: driver closed")
	case !d.started:
		return errors.New("fake: driver not started")
	}
	return nil
}

// FailNext makes the next call of op (a Driver method name, e.g. "Spawn")
// fail with err after its simulated work, as a real hypervisor fails late:
// a failed Spawn leaves nothing behind and releases its resources.
func (d *Driver) FailNext(op string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.faults == nil {
		d.faults = make(map[string][]error)
	}
	d.faults[op] = append(d.faults[op], err)
}

func (d *Driver) fault(op string) error {
	q := d.faults[op]
	if len(q) == 0 {
		return nil
	}
	d.faults[op] = q[1:]
	return q[0]
}

// Crash makes the guest die as if QEMU had crashed: the power-state sync
// then sees Crashed.
func (d *Driver) Crash(uuid string) error {
	return d.guestStop(uuid, driver.Crashed, driver.EventCrashed)
}

// GuestShutdown makes the guest power itself off (`poweroff` inside it).
func (d *Driver) GuestShutdown(uuid string) error {
	return d.guestStop(uuid, driver.Shutdown, driver.EventStopped)
}

func (d *Driver) guestStop(uuid string, p driver.PowerState, ev driver.EventKind) error {
	d.mu.Lock()
	in, ok := d.insts[uuid]
	if !ok || in.Incoming {
		d.mu.Unlock()
		return driver.NotFound("instance", uuid)
	}
	in.Power, in.StartedAt = p, time.Time{}
	d.persist()
	d.mu.Unlock()
	d.emit(driver.Event{Kind: ev, Instance: uuid})
	return nil
}

func (d *Driver) emit(e driver.Event) {
	if d.events == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	d.events(e)
}

// wait simulates steps of work, reporting progress for op.
func (d *Driver) wait(ctx context.Context, uuid, op string, steps int) error {
	for i := range steps {
		if d.opts.Delay > 0 {
			t := time.NewTimer(d.opts.Delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		} else if err := ctx.Err(); err != nil {
			return err
		}
		if steps > 1 {
			d.emit(driver.Event{Kind: driver.EventProgress, Instance: uuid, Op: op, Percent: (i + 1) * 100 / steps})
		}
	}
	return nil
}

func (in *instance) info() driver.InstanceInfo {
	return driver.InstanceInfo{
		UUID: in.UUID, Name: in.Name, PowerState: in.Power, Rescued: in.Rescued,
		Migrating: in.Migrating || in.Incoming, Flavor: in.Flavor, StartedAt: in.StartedAt,
		Volumes: append([]string(nil), in.Volumes...), Ports: append([]string(nil), in.Ports...),
	}
}

func (d *Driver) ListInstances(ctx context.Context) ([]driver.InstanceInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ready(); err != nil {
		return nil, err
	}
	out := make([]driver.InstanceInfo, 0, len(d.insts)+len(d.migSrc))
	for _, in := range d.insts {
		out = append(out, in.info())
	}
	for _, in := range d.migSrc {
		out = append(out, in.info())
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].UUID != out[j].UUID {
			return out[i].UUID < out[j].UUID
		}
		return !out[i].Migrating
	})
	return out, nil
}

func (d *Driver) Info(ctx context.Context, uuid string) (driver.InstanceInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ready(); err != nil {
		return driver.InstanceInfo{}, err
	}
	if in, ok := d.insts[uuid]; ok {
		return in.info(), nil
	}
	if in, ok := d.migSrc[uuid]; ok {
		return in.info(), nil
	}
	return driver.InstanceInfo{}, driver.NotFound("instance", uuid)
}

// state is the name an InvalidState error gives the instance's state.
func (in *instance) state() string {
	switch {
	case in.busy != "":
		return driver.Busy
	case in.Incoming:
		return "migrating"
	case in.Rescued:
		return "rescued"
	}
	return in.Power.String()
}

// op runs a state change on an existing instance: check under the lock,
// mark it busy, simulate steps, then commit (or fail with an injected
// fault and leave the instance as it was).
func (d *Driver) op(ctx context.Context, uuid, op string, steps int, allowed func(*instance) bool, commit func(*instance) driver.EventKind) error {
	d.mu.Lock()
	if err := d.ready(); err != nil {
		d.mu.Unlock()
		return err
	}
	in, ok := d.insts[uuid]
	if !ok {
		d.mu.Unlock()
		return driver.NotFound("instance", uuid)
	}
	if in.busy != "" || in.Incoming || !allowed(in) {
		err := driver.InvalidState(uuid, op, in.state())
		d.mu.Unlock()
		return err
	}
	in.busy = op
	d.mu.Unlock()

	err := d.wait(ctx, uuid, op, steps)

	d.mu.Lock()
	in.busy = ""
	if err == nil {
		err = d.fault(op)
	}
	var ev driver.EventKind
	if err == nil {
		ev = commit(in)
		d.persist()
	}
	d.mu.Unlock()
	if ev != 0 {
		d.emit(driver.Event{Kind: ev, Instance: uuid})
	}
	return err
}

func is(states ...driver.PowerState) func(*instance) bool {
	return func(in *instance) bool {
		if in.Rescued {
			return false
		}
		for _, s := range states {
			if in.Power == s {
				return true
			}
		}
		return false
	}
}

// boot starts the guest and writes a boot log to its console, shaped as
// a small Linux guest's (kernel, init, network, login prompt): clients
// and Tempest expect a console log of many lines.
func (in *instance) boot(what string) {
	in.Power, in.StartedAt = driver.Running, time.Now()
	f := in.Flavor
	for _, l := range []string{
		fmt.Sprintf("fake: %s booting %s (%s)", in.UUID, what, in.Hostname),
		"[    0.000000] Linux version 6.1.0-fake (gostack@fake) (gcc 12.2.0) #1 SMP",
		"[    0.000000] Command line: root=/dev/vda1 ro console=tty1 console=ttyS0",
		"[    0.000000] BIOS-provided physical RAM map:",
		fmt.Sprintf("[    0.000000] Memory: %dK/%dK available", f.MemoryMB*1024*9/10, f.MemoryMB*1024),
		fmt.Sprintf("[    0.004000] smpboot: Allowing %d CPUs, 0 hotplug CPUs", max(f.VCPUs, 1)),
		fmt.Sprintf("[    0.120000] virtio_blk virtio1: [vda] %d 512-byte logical blocks", int64(max(f.RootGB, 1))<<21),
		"[    0.350000] EXT4-fs (vda1): mounted filesystem with ordered data mode",
		"[    0.400000] Run /sbin/init as init process",
		"Starting network: udhcpc: started, sending discover",
		"udhcpc: lease obtained, lease time 86400",
		"checking http://169.254.169.254/2009-04-04/instance-id",
		fmt.Sprintf("successful after 1/20 tries: up 1.00. iid=%s", in.UUID),
		"Starting dropbear sshd: OK",
		"=== system information ===",
		"Platform: OpenStack Nova (gostack fake hypervisor)",
		fmt.Sprintf("Instance: %s", in.Name),
		"=== datasource: ec2 net ===",
		"",
		fmt.Sprintf("%s login:", in.Hostname),
	} {
		in.log(l)
	}
}

const consoleMax = 64 << 10

func (in *instance) log(line string) {
	in.Console = append(in.Console, line+"\n"...)
	if n := len(in.Console); n > consoleMax {
		in.Console = append([]byte(nil), in.Console[n-consoleMax:]...)
	}
}

func (in *instance) stop() {
	in.Power, in.StartedAt = driver.Shutdown, time.Time{}
	in.log("fake: reboot: Power down")
}
