package driver

import (
	"fmt"
	"time"
)

// PowerState is an instance's power state, numbered as Nova's
// nova.compute.power_state so that it can be stored and shown unchanged.
type PowerState int

const (
	NoState   PowerState = 0
	Running   PowerState = 1
	Paused    PowerState = 3
	Shutdown  PowerState = 4
	Crashed   PowerState = 6
	Suspended PowerState = 7
)

func (p PowerState) String() string {
	switch p {
	case NoState:
		return "pending"
	case Running:
		return "running"
	case Paused:
		return "paused"
	case Shutdown:
		return "shutdown"
	case Crashed:
		return "crashed"
	case Suspended:
		return "suspended"
	}
	return fmt.Sprintf("PowerState(%d)", int(p))
}

// RebootKind is Nova's reboot type.
type RebootKind string

const (
	Soft RebootKind = "SOFT"
	Hard RebootKind = "HARD"
)

// Spec is everything a driver needs to create an instance on its host.
// Images and volumes are already on the host or reachable from it: the
// compute agent downloads and caches images before it calls Spawn.
type Spec struct {
	UUID      string
	Name      string // the libvirt-style domain name, e.g. instance-0000002a
	Hostname  string // the guest's host name
	ProjectID string
	UserID    string

	Flavor Flavor
	Image  Image
	// BlockDevices are volumes attached at boot; one with BootIndex 0
	// makes the instance boot from volume and Image is then unused.
	BlockDevices []BlockDevice
	NICs         []NIC

	Metadata map[string]string
	UserData []byte
	KeyData  string // the public key of key_name, also in the config drive
	// AdminPassword is set by rebuild and create when asked; most guests
	// read it from the config drive.
	AdminPassword string
	// ConfigDrive is the config drive's file tree (path → contents, e.g.
	// "openstack/latest/meta_data.json"); nil means no config drive. The
	// compute service builds the tree, the driver packs it (ISO 9660, label
	// config-2) and attaches it.
	ConfigDrive map[string][]byte
}

// Flavor is the part of a Nova flavor the hypervisor applies.
type Flavor struct {
	ID          string
	Name        string
	VCPUs       int
	MemoryMB    int
	RootGB      int
	EphemeralGB int
	SwapMB      int
	ExtraSpecs  map[string]string // hw:cpu_policy, hw:disk_bus, …
}

// DiskGB is what the flavor claims of DISK_GB: root, ephemeral and swap
// rounded up to whole GiB.
func (f Flavor) DiskGB() int {
	return f.RootGB + f.EphemeralGB + (f.SwapMB+1023)/1024
}

// Image is a Glance image already in the host's cache.
type Image struct {
	ID     string
	Path   string // the cached file
	Format string // disk_format: qcow2, raw, …
	// KernelPath and RamdiskPath are the cached kernel_id and ramdisk_id
	// images; when set the guest boots them directly.
	KernelPath  string
	RamdiskPath string
	KernelArgs  string            // os_command_line
	Properties  map[string]string // hw_disk_bus, hw_vif_model, hw_rescue_device, …
	MinDiskGB   int
}

// BlockDevice is a volume the block-storage service exported to this host.
type BlockDevice struct {
	VolumeID  string
	Path      string // the host path or the export the driver opens
	Format    string // raw, qcow2
	Bus       string // virtio (default), scsi, ide
	Device    string // the device name the user asked for, e.g. /dev/vdb; "" = next free
	BootIndex int    // 0 boots from this device; -1 = not bootable
	ReadOnly  bool
}

// NIC is a port the network service created for the instance. The network
// agent owns the tap device; the driver only plugs the guest into it.
type NIC struct {
	PortID string
	MAC    string
	Tap    string // the tap device to use, e.g. tap1234abcd-12
	MTU    int
	Model  string // virtio (default), e1000
}

// RescueSpec is the image a rescued instance boots from.
type RescueSpec struct {
	Image         Image
	AdminPassword string
}

// InstanceInfo is what the driver knows of one instance.
type InstanceInfo struct {
	UUID       string
	Name       string
	PowerState PowerState
	Rescued    bool
	// Migrating is set on the source copy kept by MigrateDisk until it is
	// confirmed or reverted, and on an incoming live-migration guest.
	Migrating bool
	Flavor    Flavor
	// StartedAt is when the guest last booted (zero when it is off).
	StartedAt time.Time
	Volumes   []string // attached volume IDs
	Ports     []string // plugged port IDs
}

// Amount is one resource class of the host, as Placement's inventory wants it.
type Amount struct {
	Total           int64
	Reserved        int64
	Used            int64
	AllocationRatio float64 // what the driver itself admits; 1 when zero
}

// Free is what is left to claim: (Total-Reserved)*AllocationRatio - Used.
func (a Amount) Free() int64 {
	r := a.AllocationRatio
	if r == 0 {
		r = 1
	}
	return int64(float64(a.Total-a.Reserved)*r) - a.Used
}

// Resources is the host's inventory.
type Resources struct {
	VCPU     Amount
	MemoryMB Amount
	DiskGB   Amount
	// Hypervisor facts for `openstack hypervisor show`.
	HypervisorType    string // "QEMU", "fake"
	HypervisorVersion int    // e.g. 8002000 for 8.2.0, as Nova encodes it
	CPUInfo           string // JSON, as Nova's cpu_info
}

// Fit checks that an instance of flavor f fits in what r has free; the
// NoResources error it returns names the first resource short (VCPU,
// MEMORY_MB, DISK_GB).
func (r Resources) Fit(f Flavor) error {
	for _, c := range []struct {
		name string
		a    Amount
		n    int64
	}{{"VCPU", r.VCPU, int64(f.VCPUs)}, {"MEMORY_MB", r.MemoryMB, int64(f.MemoryMB)}, {"DISK_GB", r.DiskGB, int64(f.DiskGB())}} {
		if c.n > c.a.Free() {
			return NoResources(c.name, c.n, c.a.Free())
		}
	}
	return nil
}

// Usage is what a host's instances use of its resources, as a driver
// counts them for its Resources.
type Usage struct {
	VCPU, MemoryMB, DiskGB int64
}

// Add counts an instance of flavor f.
func (u *Usage) Add(f Flavor) {
	u.VCPU += int64(f.VCPUs)
	u.MemoryMB += int64(f.MemoryMB)
	u.DiskGB += int64(f.DiskGB())
}

// Remove stops counting an instance of flavor f.
func (u *Usage) Remove(f Flavor) {
	u.VCPU -= int64(f.VCPUs)
	u.MemoryMB -= int64(f.MemoryMB)
	u.DiskGB -= int64(f.DiskGB())
}

// Migration carries a migration between its steps, over the bus: the
// compute service stores it and passes it from source to destination.
type Migration struct {
	ID       string // the migration's uuid
	Instance string // the instance uuid
	Source   string // host names
	Dest     string
	// NewFlavor is the flavor after a resize (the current one for a migration).
	NewFlavor Flavor
	// DestAddr is where an incoming live migration listens (host:port).
	DestAddr string
	// Data is driver-specific hand-over from one step to the next (disk
	// locations, saved state); opaque to the compute service.
	Data []byte
}

// SnapshotFile is a flattened disk image the caller uploads to Glance.
type SnapshotFile struct {
	Path   string
	Format string // disk_format of the file: qcow2 or raw
	Size   int64
}

// VNCConsole is where an instance's VNC server listens.
type VNCConsole struct {
	Host     string
	Port     int
	Password string // "" when none
}

// Diagnostics is Nova's standard diagnostics model (microversion 2.48).
type Diagnostics struct {
	State        PowerState
	Driver       string
	Hypervisor   string
	HypervisorOS string
	Uptime       time.Duration
	ConfigDrive  bool
	NumCPUs      int
	NumNICs      int
	NumDisks     int
	MemoryMaxMB  int
	MemoryUsedMB int
	CPUTimeNS    []int64 // per vCPU
	NICs         []NICDiagnostics
	Disks        []DiskDiagnostics
}

type NICDiagnostics struct {
	MAC                  string
	RxOctets, TxOctets   int64
	RxPackets, TxPackets int64
}

type DiskDiagnostics struct {
	ReadBytes, WriteBytes int64
	ReadRequests          int64
	WriteRequests         int64
	ErrorsCount           int64
}

// EventKind says what an Event reports.
type EventKind int

const (
	// Lifecycle events, as Nova's virt events: the power-state sync acts
	// on them at once instead of waiting for its next pass.
	EventStarted EventKind = iota + 1
	EventStopped
	EventPaused
	EventResumed
	EventSuspended
	EventCrashed
	// EventProgress reports the progress of a long operation.
	EventProgress
)

// Event is a lifecycle change or the progress of a long operation.
type Event struct {
	Kind     EventKind
	Instance string
	// Op and Percent are set for EventProgress: "spawn", "snapshot",
	// "migrate", "live-migrate", and 0..100.
	Op      string
	Percent int
	Time    time.Time
}
