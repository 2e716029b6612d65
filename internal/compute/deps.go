package compute

import (
	"context"
	"io"
	"time"

	"github.com/gostack/gostack/internal/compute/nwinfo"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/db"
)

// Deps are what the use cases need beyond the store: the conductor that
// carries out builds and actions, the image service and the heartbeats.
// The compute spec fills them in; a nil Conductor makes every server
// create and action answer 503.
type Deps struct {
	Conductor Conductor
	Images    Images
	Liveness  Liveness
	// Network is the networking service; nil when the cloud has none.
	Network Network
	// Volumes is the block-storage service; nil when the cloud has none.
	Volumes Volumes
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Clock returns the time now by d.Now (time.Now when nil), in UTC at the
// database's precision.
func (d Deps) Clock() time.Time {
	n := time.Now
	if d.Now != nil {
		n = d.Now
	}
	return db.UTC(n())
}

// Liveness says which services sent a heartbeat lately (bus.Liveness).
type Liveness interface {
	Status(service, host string) (bus.ServiceStatus, bool)
}

// HeartbeatService is the bus heartbeat service name of compute agents;
// each beats with its host name.
const HeartbeatService = "compute"

// Network is the networking service. Its users assert the fuller
// interfaces they need of it (servers.Network, the conductor's
// core.Network), which package netinfo implements.
type Network interface {
	// Refresh reads the instance's ports into its network info.
	Refresh(ctx context.Context, inst *Instance) (nwinfo.Info, error)
}

// Caller is who asked for an operation, for the work done on their
// behalf later (image downloads and uploads use their token).
type Caller struct {
	UserID    string
	ProjectID string
	Token     string
	Roles     []string
	RequestID string
	// Admin is Nova's context.is_admin (the policy rule
	// context_is_admin): the caller sees every project's servers.
	Admin bool
	// Authorize evaluates a policy rule for the caller on their own
	// project, for the rules Nova checks deep in a use case (a forced
	// host, a zero-disk flavor); nil allows none. It evaluates against the
	// request it came with and does not travel (JSON leaves it out).
	Authorize func(rule string) bool `json:"-"`
}

// May reports whether the caller's policy allows rule (see Authorize).
func (c Caller) May(rule string) bool { return c.Authorize != nil && c.Authorize(rule) }

// Conductor carries out what a use case accepted, on the hosts, and
// writes the outcome to the instances. Build and Run return at once; the
// work goes on in the background and survives the request.
type Conductor interface {
	// Build schedules and spawns instances just stored in vm_state
	// building, task_state scheduling; on failure each goes to ERROR with
	// a fault.
	Build(ctx context.Context, b BuildRequest)
	// Run carries out an action. The use case has already checked the
	// state, set the action's task_state and recorded the instance action
	// (Caller.RequestID); Run moves the instance to the end state, or back
	// with a fault.
	Run(ctx context.Context, op Op)
	// ConsoleOutput returns the last lines of the serial console (all
	// with lines <= 0).
	ConsoleOutput(ctx context.Context, inst *Instance, lines int) (string, error)
	// VNCConsole returns a console URL for the instance.
	VNCConsole(ctx context.Context, inst *Instance) (ConsoleURL, error)
	// Diagnostics asks the host for the instance's diagnostics.
	Diagnostics(ctx context.Context, inst *Instance) (driver.Diagnostics, error)
}

// ConsoleURL is a remote console of a server.
type ConsoleURL struct {
	Protocol string // vnc
	Type     string // novnc
	URL      string
}

// BuildRequest asks the conductor to build instances created together.
type BuildRequest struct {
	InstanceIDs []string
	Caller      Caller
	// Image is the image booted from (nil when booting from volume).
	Image *ImageMeta
	// AdminPassword is given to the guest (config drive); not stored.
	AdminPassword string
}

// OpKind names a conductor operation.
type OpKind string

const (
	OpDelete          OpKind = "delete"
	OpStop            OpKind = "stop"
	OpStart           OpKind = "start"
	OpReboot          OpKind = "reboot"
	OpPause           OpKind = "pause"
	OpUnpause         OpKind = "unpause"
	OpSuspend         OpKind = "suspend"
	OpResume          OpKind = "resume"
	OpRescue          OpKind = "rescue"
	OpUnrescue        OpKind = "unrescue"
	OpRebuild         OpKind = "rebuild"
	OpResize          OpKind = "resize"  // also cold migrate (Flavor = current)
	OpMigrate         OpKind = "migrate" // cold migration
	OpConfirmResize   OpKind = "confirmResize"
	OpRevertResize    OpKind = "revertResize"
	OpLiveMigrate     OpKind = "live-migration"
	OpEvacuate        OpKind = "evacuate"
	OpShelve          OpKind = "shelve"
	OpShelveOffload   OpKind = "shelveOffload"
	OpUnshelve        OpKind = "unshelve"
	OpSnapshot        OpKind = "createImage"
	OpBackup          OpKind = "createBackup"
	OpChangePassword  OpKind = "changePassword"
	OpCrashDump       OpKind = "trigger_crash_dump"
	OpAttachVolume    OpKind = "attach_volume"
	OpDetachVolume    OpKind = "detach_volume"
	OpAttachInterface OpKind = "attach_interface"
	OpDetachInterface OpKind = "detach_interface"
	// OpRefreshNetwork reads the instance's ports again into its network
	// info cache (the network-changed external event).
	OpRefreshNetwork OpKind = "network-changed"
)

// Op is one action for the conductor.
type Op struct {
	Kind       OpKind
	InstanceID string
	Caller     Caller

	RebootKind    driver.RebootKind // reboot
	Flavor        *Flavor           // resize: the new flavor
	Image         *ImageMeta        // rebuild (new image), rescue (rescue image, nil = own image), unshelve
	ImageID       string            // createImage/createBackup/shelve: the queued Glance image to upload into
	AdminPassword string            // rebuild, rescue, evacuate, changePassword
	// Host is the target host of migrate, live-migrate, evacuate,
	// unshelve (2.91); "" lets the scheduler choose.
	Host           string
	AZ             string // unshelve availability_zone (2.77)
	BlockMigration bool
	// MigrationUUID is the migration record the action created for
	// resize, migrate, live-migrate and evacuate, and the one confirm and
	// revert act on.
	MigrationUUID string
	// Backup: keep the newest Rotation backups of BackupType.
	BackupType string
	Rotation   int
	// Rebuild: preserve ephemeral etc. are not modelled; Metadata replaces
	// the instance's when non-nil (done by the action).
	VolumeID string // attach/detach volume
	PortID   string // attach/detach interface
}

// ImageMeta is what compute reads and writes of a Glance image.
type ImageMeta struct {
	ID              string
	Name            string
	Status          string // queued, saving, active, ...
	DiskFormat      string
	ContainerFormat string
	Visibility      string
	Owner           string
	Size            int64
	MinDisk         int64 // GiB
	MinRAM          int64 // MiB
	Protected       bool
	// Properties are the image's extra properties (hw_*, os_*, kernel_id,
	// ramdisk_id, image_type, instance_uuid, ...) as strings.
	Properties map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Images is the image service as compute uses it, on behalf of a user
// (token). A missing or invisible image is apierr.ErrNotFound.
type Images interface {
	Get(ctx context.Context, token, id string) (*ImageMeta, error)
	// Create registers a queued image (snapshot, backup, shelve).
	Create(ctx context.Context, token string, m ImageMeta) (*ImageMeta, error)
	// Upload writes the image data; the image becomes active.
	Upload(ctx context.Context, token, id string, data io.Reader, size int64) error
	Delete(ctx context.Context, token, id string) error
	// List returns every image the token sees that matches filters, in
	// the image service's order (newest first). filters are Glance list
	// parameters: an attribute (name, status), a time condition
	// (updated_at=gte:...) or an extra property (image_type,
	// instance_uuid), the latter for backup rotation too.
	List(ctx context.Context, token string, filters map[string]string) ([]ImageMeta, error)
}
