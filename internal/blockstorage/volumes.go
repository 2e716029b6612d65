package blockstorage

import (
	"context"
	"time"
)

// Volume statuses: Cinder's state machine.
const (
	StatusCreating         = "creating"
	StatusAvailable        = "available"
	StatusReserved         = "reserved"
	StatusAttaching        = "attaching"
	StatusInUse            = "in-use"
	StatusDetaching        = "detaching"
	StatusExtending        = "extending"
	StatusDeleting         = "deleting"
	StatusError            = "error"
	StatusErrorDeleting    = "error_deleting"
	StatusErrorExtending   = "error_extending"
	StatusMaintenance      = "maintenance"
	StatusBackingUp        = "backing-up"
	StatusRestoringBackup  = "restoring-backup"
	StatusRetyping         = "retyping"
	StatusUploading        = "uploading"
	StatusDownloading      = "downloading"
	StatusErrorRestoring   = "error_restoring"
	StatusAwaitingTransfer = "awaiting-transfer"
	StatusReverting        = "reverting"
)

// Attach statuses.
const (
	AttachDetached  = "detached"
	AttachAttaching = "attaching"
	AttachAttached  = "attached"
	AttachDetaching = "detaching"
	AttachReserved  = "reserved"
	AttachError     = "error_attaching"
)

// Volume is one block device of a project.
type Volume struct {
	ID          string
	ProjectID   string
	UserID      string
	Name        string
	Description string
	SizeGB      int
	Status      string
	// AttachStatus is the attachment side of the state machine.
	AttachStatus     string
	MigrationStatus  string
	AvailabilityZone string
	TypeID           string
	Bootable         bool
	Multiattach      bool
	Encrypted        bool
	// Source: at most one of these is set.
	SnapshotID  string
	SourceVolID string
	BackupID    string
	ImageID     string
	GroupID     string
	// Host is where the volume lives: "host@backend#pool", empty until
	// scheduled.
	Host string
	// ProviderLocation is the backend's name for the volume (a path).
	ProviderLocation string
	// Metadata is the user's; AdminMetadata is the service's (readonly,
	// attached_mode); ImageMetadata is volume_image_metadata.
	Metadata      map[string]string
	AdminMetadata map[string]string
	ImageMetadata map[string]string
	ConsumesQuota bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	LaunchedAt    time.Time
}

// Ref is how the backend names the volume.
func (v *Volume) Ref() VolumeRef {
	return VolumeRef{ID: v.ID, SizeGB: v.SizeGB, ProviderLocation: v.ProviderLocation}
}

// VolumeFilter narrows a volume list in the store; the API applies the
// rest of the query.
type VolumeFilter struct {
	// Scope limits the list to the caller's project unless AllProjects
	// (an admin's all_tenants) is set.
	Scope       Scope
	AllProjects bool
	// ProjectID, when set with AllProjects, is one project's volumes.
	ProjectID string
	IDs       []string
}

// VolumeTx is what a transaction does with volume rows.
type VolumeTx interface {
	CreateVolume(ctx context.Context, v *Volume) error
	// GetVolume returns apierr.ErrNotFound for an unknown id.
	GetVolume(ctx context.Context, id string) (*Volume, error)
	// UpdateVolume writes every column and the three metadata maps.
	UpdateVolume(ctx context.Context, v *Volume) error
	DeleteVolume(ctx context.Context, id string) error
	ListVolumes(ctx context.Context, f VolumeFilter) ([]*Volume, error)
}

// Image is what volumes use of an image of the image service: a volume
// is created from one, or uploaded to a new one.
type Image struct {
	ID              string
	Name            string
	Status          string
	DiskFormat      string
	ContainerFormat string
	Checksum        string
	Visibility      string
	Protected       bool
	// SizeBytes is the image data's size, 0 while it has none.
	SizeBytes int64
	MinDisk   int
	MinRAM    int
	// Properties are the image's extra properties.
	Properties map[string]string
}

// Images is the image service as volumes use it, on behalf of the caller
// whose token is given.
type Images interface {
	// Get returns an image; an unknown or invisible one is an error
	// wrapping apierr.ErrNotFound.
	Get(ctx context.Context, token, id string) (*Image, error)
	// Create registers a queued image (Glance's POST /v2/images) with
	// img's name, formats, visibility, protection and properties.
	Create(ctx context.Context, token string, img *Image) (*Image, error)
	// Delete removes an image (one whose upload failed).
	Delete(ctx context.Context, token, id string) error
}

// Reverter is what a Backend that can revert a volume to its latest
// snapshot in place also implements (Cinder's revert, 3.40).
type Reverter interface {
	RevertToSnapshot(ctx context.Context, host string, v VolumeRef, snap SnapshotRef) error
}
