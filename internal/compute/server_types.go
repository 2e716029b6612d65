package compute

import (
	"fmt"
	"time"

	"github.com/gostack/gostack/internal/compute/volinfo"
)

// Nova's vm_state values (nova.compute.vm_states).
const (
	VMActive    = "active"
	VMBuilding  = "building"
	VMPaused    = "paused"
	VMSuspended = "suspended"
	VMStopped   = "stopped"
	VMRescued   = "rescued"
	VMResized   = "resized"
	VMSoftDel   = "soft-delete"
	VMDeleted   = "deleted"
	VMError     = "error"
	VMShelved   = "shelved"
	VMShelvedOf = "shelved_offloaded"
)

// Nova's task_state values (nova.compute.task_states); "" is none.
const (
	TaskScheduling          = "scheduling"
	TaskBlockDeviceMapping  = "block_device_mapping"
	TaskNetworking          = "networking"
	TaskSpawning            = "spawning"
	TaskImageSnapshot       = "image_snapshot"
	TaskImageSnapshotPend   = "image_snapshot_pending"
	TaskImagePendingUpload  = "image_pending_upload"
	TaskImageUploading      = "image_uploading"
	TaskImageBackup         = "image_backup"
	TaskUpdatingPassword    = "updating_password"
	TaskResizePrep          = "resize_prep"
	TaskResizeMigrating     = "resize_migrating"
	TaskResizeMigrated      = "resize_migrated"
	TaskResizeFinish        = "resize_finish"
	TaskResizeReverting     = "resize_reverting"
	TaskResizeConfirming    = "resize_confirming"
	TaskRebooting           = "rebooting"
	TaskRebootPending       = "reboot_pending"
	TaskRebootStarted       = "reboot_started"
	TaskRebootingHard       = "rebooting_hard"
	TaskRebootPendingHard   = "reboot_pending_hard"
	TaskRebootStartedHard   = "reboot_started_hard"
	TaskPausing             = "pausing"
	TaskUnpausing           = "unpausing"
	TaskSuspending          = "suspending"
	TaskResuming            = "resuming"
	TaskPoweringOff         = "powering-off"
	TaskPoweringOn          = "powering-on"
	TaskRescuing            = "rescuing"
	TaskUnrescuing          = "unrescuing"
	TaskRebuilding          = "rebuilding"
	TaskRebuildBDM          = "rebuild_block_device_mapping"
	TaskRebuildSpawning     = "rebuild_spawning"
	TaskMigrating           = "migrating"
	TaskDeleting            = "deleting"
	TaskSoftDeleting        = "soft-deleting"
	TaskRestoring           = "restoring"
	TaskShelving            = "shelving"
	TaskShelvingImagePend   = "shelving_image_pending_upload"
	TaskShelvingImageUpload = "shelving_image_uploading"
	TaskShelvingOffloading  = "shelving_offloading"
	TaskUnshelving          = "unshelving"
)

// Instance is a server: what Nova keeps in its instances table, with the
// flavor it was built with embedded (as Nova's instance_extra does).
type Instance struct {
	ID  string // uuid
	Seq int64  // database sequence, for InstanceName; set by the store

	Name        string
	Hostname    string // the guest's host name (OS-EXT-SRV-ATTR:hostname)
	Description *string
	ProjectID   string
	UserID      string

	ImageRef string // "" when booted from volume
	Flavor   Flavor // as built; ExtraSpecs included
	// OldFlavor and NewFlavor are set during a resize until it is
	// confirmed or reverted.
	OldFlavor *Flavor
	NewFlavor *Flavor

	KeyName     string
	KeyData     string // the public key of KeyName at create time
	UserData    string // base64, as given
	ConfigDrive bool
	Metadata    map[string]string
	Tags        []string

	// AvailabilityZone is the zone asked for at create ("" = any) until the
	// instance is scheduled, then the zone of its host.
	AvailabilityZone string
	// RequestedAZ is the zone the server asked for at create or at an
	// unshelve that named one ("" = none), Nova's
	// RequestSpec.availability_zone: its moves stay in it. A server that
	// asked for none may move to any zone, wherever it landed.
	RequestedAZ   string
	Host          string // compute host (OS-EXT-SRV-ATTR:host)
	Node          string // hypervisor hostname
	RequestedHost string // 2.74 host/hypervisor_hostname at create, admin only
	RequestedNode string

	LaunchIndex   int
	ReservationID string

	VMState    string
	TaskState  string // "" = none
	PowerState int    // driver.PowerState numbers
	Progress   int

	Locked       bool
	LockedBy     string // "owner" or "admin"
	LockedReason string

	AccessIPv4 string
	AccessIPv6 string

	// SchedulerHints as given (each value a list, as Nova stores them).
	SchedulerHints map[string][]string
	ServerGroup    string // the group of scheduler hint "group", if any

	KernelID       string
	RamdiskID      string
	RootDeviceName string // e.g. /dev/vda

	// BlockDevices are the block_device_mapping_v2 entries as accepted.
	BlockDevices []BlockDeviceMapping
	// Networks is what was asked: "auto", "none" or explicit entries.
	Networks NetworkRequest
	// TrustedCerts are trusted_image_certificates (2.63).
	TrustedCerts []string
	// SecurityGroups are the names asked for (default: "default").
	SecurityGroups []string
	// DiskConfig is OS-DCF:diskConfig: "MANUAL" (default) or "AUTO".
	DiskConfig string
	// SystemMetadata is Nova's instance system_metadata: what compute
	// keeps about an instance for itself (shelved_image_id,
	// old_vm_state, image_* of the image it was built from, ...).
	SystemMetadata map[string]string

	// Fault is the last fault, shown while the instance is in ERROR (or
	// for an action that failed without changing vm_state).
	Fault *Fault

	LaunchedAt   *time.Time
	TerminatedAt *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Deleted instances are kept (Nova soft-deletes rows) so that
	// changes-since and the deleted filter can show them.
	Deleted   bool
	DeletedAt *time.Time
}

// InstanceName is the hypervisor's name for the instance, Nova's
// instance_name_template "instance-%08x".
func (i *Instance) InstanceName() string { return fmt.Sprintf("instance-%08x", i.Seq) }

// Fault is an instance fault as Nova shows it.
type Fault struct {
	Code    int    // 500 for internal errors, 404 and so on
	Message string // the exception's message
	Details string // the traceback; shown to admins only
	Created time.Time
}

// BlockDeviceMapping is one block_device_mapping_v2 entry (see
// volinfo.BlockDevice).
type BlockDeviceMapping = volinfo.BlockDevice

// Volumes is the block-storage service (see volinfo.Service).
type Volumes = volinfo.Service

// NetworkRequest is the networks field of a create request.
type NetworkRequest struct {
	Auto bool `json:"auto,omitempty"` // "auto"
	None bool `json:"none,omitempty"` // "none"
	// Explicit entries: at least one of UUID or Port is set.
	Entries []NetworkEntry `json:"entries,omitempty"`
}

// NetworkEntry is one entry of an explicit networks list.
type NetworkEntry struct {
	UUID    string `json:"uuid,omitempty"`
	Port    string `json:"port,omitempty"`
	FixedIP string `json:"fixed_ip,omitempty"`
	Tag     string `json:"tag,omitempty"`
}

// InstanceFilter selects instances for listing. Empty fields do not
// filter. The Service builds it from the query; the store applies it.
type InstanceFilter struct {
	ProjectID string // "" = every project (all_tenants, admin only)
	UserID    string
	IDs       []string // uuid filter
	// Name is a regular expression (Nova matches names with re.search);
	// the store may filter it in Go.
	Name          string
	Hostname      string
	VMStates      []string
	TaskStates    []string
	PowerStates   []int
	Host          string
	Node          string
	ImageRef      string
	FlavorID      string
	ReservationID string
	KeyName       string
	AZ            string
	Locked        *bool
	Description   string
	IP            string // matches no instance until networking exists
	ChangesSince  *time.Time
	ChangesBefore *time.Time
	// Deleted: nil = only live instances unless ChangesSince/ChangesBefore
	// is set (then deleted ones are included); true = only deleted ones;
	// false = only live ones.
	Deleted *bool
	// Tags (all), TagsAny, NotTags (not all), NotTagsAny.
	Tags, TagsAny, NotTags, NotTagsAny []string

	// SortKeys and SortDirs are parallel ("asc"/"desc"); the default is
	// created_at desc, id desc. Keys are Nova's column names: created_at,
	// updated_at, display_name, uuid, vm_state, task_state, power_state,
	// host, node, launched_at, terminated_at, hostname, project_id, user_id,
	// availability_zone, locked, key_name, image_ref, instance_type_id
	// (flavor), launch_index, reservation_id, display_description...
	SortKeys []string
	SortDirs []string
	// Marker is the uuid of the last instance of the previous page; an
	// unknown marker is apierr.ErrNotFound.
	Marker string
	Limit  int // 0 = no limit
}

// InstanceAction is one user action on an instance (os-instance-actions).
type InstanceAction struct {
	InstanceID string
	Action     string // create, delete, reboot, stop, resize, ...
	RequestID  string
	UserID     string
	ProjectID  string
	StartTime  time.Time
	UpdatedAt  time.Time
	Message    string // "Error" when an event failed
	Events     []ActionEvent
}

// ActionEvent is one step of an action (compute_reboot_instance, ...).
type ActionEvent struct {
	Event      string
	StartTime  time.Time
	FinishTime *time.Time
	Result     string // "Success" or "Error"; "" while running
	Traceback  string
	Host       string
	HostID     string
	Details    string
}

// Migration is a cold migration, resize, live migration or evacuation.
type Migration struct {
	ID             int64  // integer id shown by os-migrations; set by the store
	UUID           string // Placement consumer of the source allocation
	InstanceID     string
	Type           string // migration, resize, live-migration, evacuation
	Status         string // pre-migrating, migrating, post-migrating, finished, confirmed, reverted, error, done, completed, running, queued, preparing, cancelled, failed
	SourceCompute  string
	SourceNode     string
	DestCompute    string
	DestNode       string
	DestHost       string // address, for live migration
	OldFlavorID    string
	NewFlavorID    string
	ProjectID      string
	UserID         string
	MemoryTotal    int64
	MemoryRemain   int64
	MemoryProc     int64
	DiskTotal      int64
	DiskRemain     int64
	DiskProc       int64
	CrossCellMove  bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DriverDataJSON []byte // driver.Migration.Data between steps
}

// MigrationFilter selects migrations for os-migrations.
type MigrationFilter struct {
	InstanceID    string
	Host          string // source or dest compute
	Status        string
	Type          string
	SourceNode    string
	ProjectID     string
	UserID        string
	ChangesSince  *time.Time
	ChangesBefore *time.Time
	Marker        string // uuid
	Limit         int
}

// HostService is a row of os-services: a compute (or scheduler,
// conductor) service on a host. Up/down comes from the bus heartbeats,
// not from here.
type HostService struct {
	ID             string // uuid (2.53+ shows it)
	IntID          int64  // integer id (before 2.53)
	Host           string
	Binary         string // nova-compute, nova-scheduler, nova-conductor
	Zone           string // internal for non-compute services
	Disabled       bool
	DisabledReason string
	ForcedDown     bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ComputeNode is a hypervisor: one node of a compute host, with what it
// has and what its instances use. Its ID is also its Placement resource
// provider uuid.
type ComputeNode struct {
	ID                  string // uuid, = resource provider uuid
	IntID               int64  // integer id shown before 2.53
	Host                string // service host
	HypervisorHostname  string
	HypervisorType      string
	HypervisorVersion   int
	HostIP              string
	VCPUs               int64
	VCPUsUsed           int64
	MemoryMB            int64
	MemoryMBUsed        int64
	LocalGB             int64
	LocalGBUsed         int64
	RunningVMs          int64
	CPUInfo             string
	CPUAllocationRatio  float64
	RAMAllocationRatio  float64
	DiskAllocationRatio float64
	StartedAt           time.Time // for os-hypervisors uptime
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Aggregate is a host aggregate; one with the availability_zone metadata
// key makes an availability zone.
type Aggregate struct {
	ID        int64
	UUID      string
	Name      string
	AZ        string // metadata availability_zone, mirrored
	Hosts     []string
	Metadata  map[string]string
	CreatedAt time.Time
	UpdatedAt *time.Time
}
