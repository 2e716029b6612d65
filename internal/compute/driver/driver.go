// Package driver defines what the compute agent asks of a hypervisor: the
// Driver interface, the instance spec it boots from, the power states and
// host resources it reports, and the kinds of errors it returns — each an
// *apierr.Error with a status and a Type ("driver.not_found", ...), so
// that it keeps its kind across the bus (package hostrpc) and callers
// test it with IsNotFound, IsInvalidState and the other predicates here.
//
// Every driver (fake, qemu) shares one lifecycle and passes one shared test
// suite (package drivertest):
//
//	New(opts) ──► Configure(ctx, Config) ──► Start(ctx) ──► … operations … ──► Close()
//	                                           │
//	                                           └─ re-attaches to the instances a previous
//	                                              agent left running (ListInstances sees them)
//
// The compute service imports this package; this package imports nothing of
// the compute service. Drivers work on one host and know nothing of Nova's
// vm_state or task_state: they report a PowerState, and the compute service
// decides what that means.
package driver

import (
	"context"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Driver is a hypervisor on one host. Methods are safe for concurrent use;
// two operations on the same instance at once make the second fail with
// InvalidState (state Busy) rather than interleave.
//
// Operations that the driver does not claim in Capabilities return
// Unsupported. Operations on an unknown instance return NotFound;
// operations in the wrong power state return InvalidState. Long
// operations honour ctx and report progress through Config.Events.
type Driver interface {
	// Configure applies the settings every driver shares. It is called once,
	// before Start.
	Configure(ctx context.Context, cfg Config) error
	// Start connects to the hypervisor and re-attaches to the instances
	// already on the host: an agent restart must neither orphan nor
	// duplicate a guest.
	Start(ctx context.Context) error
	// Close releases the driver's own resources. Guests keep running.
	Close() error

	// Name is the driver's name as chosen with --compute-driver ("fake", "qemu").
	Name() string
	// HostName is the name this host registers under (Nova's hypervisor_hostname).
	HostName() string
	// Capabilities says which optional operations this driver supports.
	Capabilities() Capabilities
	// Resources reports the host's inventory and what the instances use,
	// for Placement and `openstack hypervisor show`.
	Resources(ctx context.Context) (Resources, error)

	// ListInstances reports every instance the hypervisor knows on this host,
	// for the power-state sync and crash recovery.
	ListInstances(ctx context.Context) ([]InstanceInfo, error)
	// Info reports one instance.
	Info(ctx context.Context, uuid string) (InstanceInfo, error)

	// Spawn creates the instance's disks from the cached image and the
	// flavor, writes the config drive, plugs the NICs and boots it. On
	// success the instance is Running. On failure nothing is left behind.
	// Spawning a uuid the host already has returns Exists.
	Spawn(ctx context.Context, spec Spec) error
	// Destroy stops the instance hard and removes everything it had on the
	// host: process, disks, sockets, taps. Destroying an unknown instance
	// returns NotFound so that callers can treat it as done.
	Destroy(ctx context.Context, uuid string) error

	// PowerOff asks the guest to shut down (ACPI) and waits up to timeout,
	// then stops it hard; a timeout of 0 stops it hard at once. Powering
	// off an instance that is already off is not an error.
	PowerOff(ctx context.Context, uuid string, timeout time.Duration) error
	// PowerOn boots a stopped or crashed instance. Powering on a running
	// instance is not an error.
	PowerOn(ctx context.Context, uuid string) error
	// Reboot restarts the guest: Soft asks it (ACPI, falling back to hard
	// after the driver's timeout) and needs a running guest; Hard resets or
	// recreates it from any state and leaves it Running.
	Reboot(ctx context.Context, uuid string, kind RebootKind) error
	Pause(ctx context.Context, uuid string) error
	Unpause(ctx context.Context, uuid string) error
	// Suspend saves the guest's memory to disk and stops its process.
	Suspend(ctx context.Context, uuid string) error
	Resume(ctx context.Context, uuid string) error
	// Rescue boots the instance from the rescue image with its own root
	// disk attached as a second disk.
	Rescue(ctx context.Context, uuid string, rescue RescueSpec) error
	Unrescue(ctx context.Context, uuid string) error
	// Rebuild recreates the root disk from spec.Image (same uuid, same
	// volumes) and boots it.
	Rebuild(ctx context.Context, spec Spec) error

	// Snapshot writes the instance's root disk, flattened, as a new file
	// under dir, and returns it for the caller to upload and then remove.
	Snapshot(ctx context.Context, uuid, dir string) (SnapshotFile, error)

	// AttachVolume hot-plugs a block device; DetachVolume unplugs it.
	AttachVolume(ctx context.Context, uuid string, bd BlockDevice) error
	DetachVolume(ctx context.Context, uuid, volumeID string) error
	// ExtendVolume makes the guest see an attached volume at its new
	// size in bytes, after the block-storage service grew it (Nova's
	// extend_volume, on the volume-extended event). A volume that is a
	// file the hypervisor holds open is grown by the hypervisor itself,
	// as nothing else may resize it under a running guest. It never
	// shrinks a volume. Drivers that claim VolumeHotPlug implement it.
	ExtendVolume(ctx context.Context, uuid, volumeID string, size int64) error
	// AttachInterface hot-plugs a NIC; DetachInterface unplugs it.
	AttachInterface(ctx context.Context, uuid string, nic NIC) error
	DetachInterface(ctx context.Context, uuid, portID string) error

	// Cold migration and resize, in Nova's four steps; source and
	// destination may be the same host (resize to same host):
	//
	//	source: MigrateDisk ─► dest: FinishMigration ─┬─► source: ConfirmMigration
	//	                                              └─► dest: Destroy, source: RevertMigration
	//
	// MigrateDisk powers the instance off, makes its disks available to
	// m.Dest and fills m.Data for it; the source copy is kept, still
	// claiming its resources, until it is confirmed or reverted.
	MigrateDisk(ctx context.Context, m *Migration) error
	// FinishMigration creates the instance on the destination from spec
	// (the new flavor) and m.Data, and powers it on when powerOn is set.
	FinishMigration(ctx context.Context, spec Spec, m Migration, powerOn bool) error
	// ConfirmMigration removes the source copy.
	ConfirmMigration(ctx context.Context, m Migration) error
	// RevertMigration brings the source copy back, powered on when powerOn is set.
	RevertMigration(ctx context.Context, m Migration, powerOn bool) error

	// Live migration; the guest keeps running:
	//
	//	dest: PrepareLiveMigration ─► source: LiveMigrate ─┬─► dest: FinishLiveMigration
	//	                                                   └─► dest: AbortLiveMigration
	//
	// PrepareLiveMigration claims resources on the destination, starts an
	// incoming guest and fills m.DestAddr.
	PrepareLiveMigration(ctx context.Context, spec Spec, m *Migration) error
	// LiveMigrate moves the running guest to m.DestAddr and, on success,
	// removes it from the source. It may fill m.Data for the destination.
	LiveMigrate(ctx context.Context, m *Migration) error
	// FinishLiveMigration makes the arrived guest the instance on the destination.
	FinishLiveMigration(ctx context.Context, m Migration) error
	// AbortLiveMigration removes an incoming guest after a failed migration.
	AbortLiveMigration(ctx context.Context, m Migration) error

	// ConsoleOutput returns the last maxBytes of the serial console log
	// (all of it when maxBytes <= 0).
	ConsoleOutput(ctx context.Context, uuid string, maxBytes int) ([]byte, error)
	// VNCConsole says where the instance's VNC server listens, for the
	// websocket proxy.
	VNCConsole(ctx context.Context, uuid string) (VNCConsole, error)
	// Diagnostics reports the instance as Nova's diagnostics API (2.48) shows it.
	Diagnostics(ctx context.Context, uuid string) (Diagnostics, error)
}

// Config holds the settings every driver shares. Driver-specific settings
// (delays of the fake, the QEMU binary) are options of the driver's New.
// Zero values mean the driver's defaults.
type Config struct {
	// HostName overrides the driver's host name (default: the driver's own,
	// os.Hostname for real drivers).
	HostName string
	// StateDir is where the driver keeps instance files and state for this
	// host; a driver that needs it fails Configure when it is empty.
	StateDir string
	// Events receives lifecycle and progress events. It is called
	// synchronously from the driver and must not block; nil drops them.
	Events func(Event)
}

// Capabilities are the optional operations a driver supports. The shared
// test suite checks each claimed one and expects Unsupported from the
// others.
type Capabilities struct {
	Pause            bool
	Suspend          bool
	Rescue           bool
	Rebuild          bool
	Snapshot         bool
	ColdMigration    bool // MigrateDisk … RevertMigration, hence resize
	SameHostResize   bool // ColdMigration with Source == Dest
	LiveMigration    bool
	VolumeHotPlug    bool
	InterfaceHotPlug bool
	ConfigDrive      bool
	ConsoleOutput    bool
	VNCConsole       bool
	Diagnostics      bool
}

// The Types of the driver's errors. They are part of the wire between
// conductor and agents: keep them stable.
const (
	TypeNotFound     = "driver.not_found"
	TypeInvalidState = "driver.invalid_state"
	TypeBusy         = "driver.busy"
	TypeUnsupported  = "driver.unsupported"
	TypeExists       = "driver.exists"
	TypeNoResources  = "driver.no_resources"
)

// Busy is the state of an instance with another operation under way on
// the host. Unlike the other invalid states it passes: a caller may try
// again.
const Busy = "busy"

// NotFound says the host has no such instance, or no such volume or port
// on it (kind "instance", "volume", "port").
func NotFound(kind, id string) *apierr.Error {
	return apierr.NotFound("%s %s not found on this host", kind, id).WithType(TypeNotFound)
}

// InvalidState says op cannot run in the instance's state: a PowerState
// name, "rescued", "migrating", or Busy (which gets its own Type).
func InvalidState(instance, op, state string) *apierr.Error {
	t := TypeInvalidState
	if state == Busy {
		t = TypeBusy
	}
	return apierr.Conflict("cannot %s instance %s while it is %s", op, instance, state).WithType(t)
}

// Unsupported says the driver does not implement op.
func Unsupported(driver, op string) *apierr.Error {
	return apierr.NotImplemented("the %s driver does not support %s", driver, op).WithType(TypeUnsupported)
}

// Exists says Spawn was asked for a uuid the host already has.
func Exists(instance string) *apierr.Error {
	return apierr.Conflict("instance %s already exists on this host", instance).WithType(TypeExists)
}

// NoResources says the host lacks the resources for the operation
// (resource VCPU, MEMORY_MB, DISK_GB).
func NoResources(resource string, requested, free int64) *apierr.Error {
	return apierr.Conflict("not enough %s on this host: requested %d, free %d", resource, requested, free).WithType(TypeNoResources)
}

// IsNotFound reports a NotFound error in err's chain.
func IsNotFound(err error) bool { return apierr.IsType(err, TypeNotFound) }

// IsInvalidState reports an InvalidState error, Busy included.
func IsInvalidState(err error) bool { return apierr.IsType(err, TypeInvalidState) || IsBusy(err) }

// IsBusy reports an InvalidState error whose state is Busy.
func IsBusy(err error) bool { return apierr.IsType(err, TypeBusy) }

// IsUnsupported reports an Unsupported error.
func IsUnsupported(err error) bool { return apierr.IsType(err, TypeUnsupported) }

// IsExists reports an Exists error.
func IsExists(err error) bool { return apierr.IsType(err, TypeExists) }

// IsNoResources reports a NoResources error.
func IsNoResources(err error) bool { return apierr.IsType(err, TypeNoResources) }
