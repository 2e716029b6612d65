package blockstorage

import "context"

// Backend is how the service reaches the volume agents: each call goes
// to the agent of the host that holds the volume (Volume.Host,
// "host@backend#pool"), over the bus, so that a volume may live on
// another machine. The agents' errors come back as *apierr.Error. The
// scheduler picks the host of a new volume (Schedule) from the pools the
// agents report.
type Backend interface {
	// Schedule picks a pool for a new volume: capacity and availability
	// zone filters, capacity weigher. No pool fits: an *apierr.Error the
	// caller turns into the volume's error state and a user message.
	Schedule(ctx context.Context, req ScheduleRequest) (host string, err error)
	CreateVolume(ctx context.Context, host string, req CreateVolume) (VolumeUpdate, error)
	DeleteVolume(ctx context.Context, host string, v VolumeRef) error
	ExtendVolume(ctx context.Context, host string, v VolumeRef, newSizeGB int) error
	CreateSnapshot(ctx context.Context, host string, snap SnapshotRef) (VolumeUpdate, error)
	DeleteSnapshot(ctx context.Context, host string, snap SnapshotRef) error
	// Connect exports the volume to a connector (Nova's host) and returns
	// the connection info Nova's driver attaches.
	Connect(ctx context.Context, host string, v VolumeRef, connector map[string]any) (Connection, error)
	Disconnect(ctx context.Context, host string, v VolumeRef, connector map[string]any) error
	// Backup copies the volume (or, when Parent is set, what changed
	// since that backup) to the backup store; Restore writes a backup
	// into a volume; DeleteBackup removes its data.
	Backup(ctx context.Context, host string, req BackupRequest) (BackupResult, error)
	Restore(ctx context.Context, host string, req RestoreRequest) error
	DeleteBackup(ctx context.Context, host string, req BackupRequest) error
	// UploadImage writes the volume's data to an image of the image
	// service (the image exists, queued); CopyImage is the reverse, done
	// by CreateVolume with Source.ImageID.
	UploadImage(ctx context.Context, host string, req UploadImage) error
}

// ScheduleRequest is what the scheduler filters pools by.
type ScheduleRequest struct {
	SizeGB int
	Zone   string
	// TypeExtraSpecs are the volume type's extra specs
	// (volume_backend_name narrows the backends).
	TypeExtraSpecs map[string]string
	// SameHostAs, when set, is a host the volume must share (a clone or a
	// volume from a snapshot lives with its source).
	SameHostAs string
}

// VolumeRef names a volume on its host.
type VolumeRef struct {
	ID               string
	SizeGB           int
	ProviderLocation string
}

// SnapshotRef names a snapshot and its volume.
type SnapshotRef struct {
	ID               string
	Volume           VolumeRef
	ProviderLocation string
}

// CreateVolume is a new volume and what it starts from: at most one of
// the sources.
type CreateVolume struct {
	Volume VolumeRef
	// Snapshot, SourceVolume: a copy of the snapshot or volume, on the
	// same host.
	Snapshot     *SnapshotRef
	SourceVolume *VolumeRef
	// ImageID: the image's data, converted to the backend's format.
	ImageID string
}

// VolumeUpdate is what the backend reports of a volume or snapshot it
// made.
type VolumeUpdate struct {
	ProviderLocation string
	// ImageMetadata is the image's properties, for volume_image_metadata.
	ImageMetadata map[string]string
}

// Connection is Cinder's connection_info: a driver_volume_type and its
// data (for the file backend: {"driver_volume_type": "file", "data":
// {"device_path": ..., "format": "qcow2"}}).
type Connection struct {
	DriverVolumeType string         `json:"driver_volume_type"`
	Data             map[string]any `json:"data"`
}

// BackupRequest is one backup of a volume.
type BackupRequest struct {
	ID     string
	Volume VolumeRef
	// Snapshot, when set, is backed up instead of the volume's live data.
	Snapshot *SnapshotRef
	// Parent is the backup an incremental one builds on.
	Parent *BackupResult
	// Container is where the backup goes (a directory of the backup
	// store, or an object storage container once it exists).
	Container string
}

// BackupResult is what a backup wrote.
type BackupResult struct {
	ID        string
	Container string
	// Location is the backend's name for the backup's data.
	Location string
	SizeGB   int
	// ObjectCount is how many chunks the backup holds.
	ObjectCount int
}

// RestoreRequest writes a backup (and its parents) into a volume.
type RestoreRequest struct {
	Backup BackupResult
	// Chain are the backup's parents, oldest first.
	Chain  []BackupResult
	Volume VolumeRef
}

// UploadImage copies a volume to an image.
type UploadImage struct {
	Volume          VolumeRef
	ImageID         string
	DiskFormat      string
	ContainerFormat string
}
