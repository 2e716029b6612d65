package blockstorage

import (
	"context"
	"time"
)

// Backup statuses.
const (
	BackupCreating  = "creating"
	BackupAvailable = "available"
	BackupDeleting  = "deleting"
	BackupError     = "error"
	BackupRestoring = "restoring"
)

// Backup is a copy of a volume (or of one of its snapshots) in the
// backup store, outside the volume's backend. An incremental backup
// holds what changed since its parent.
type Backup struct {
	ID          string
	VolumeID    string
	SnapshotID  string
	ProjectID   string
	UserID      string
	Name        string
	Description string
	Status      string
	Container   string
	// ParentID is the backup an incremental one builds on.
	ParentID string
	// Location is the backup store's name for the backup's data.
	Location string
	// DataID is the id under which the backup's data was written, when
	// it is not the backup's own: a backup imported from another's
	// exported record shares that backup's data.
	DataID     string
	FailReason string
	Zone       string
	// Host is the volume's host that made the backup, and that restores
	// and deletes it.
	Host          string
	SizeGB        int
	ObjectCount   int
	Incremental   bool
	HasDependents bool
	Metadata      map[string]string
	// DataTimestamp is when the backed-up data was taken: the
	// snapshot's creation for a backup of a snapshot, else the backup's.
	DataTimestamp time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// RestoreVolumeID is the volume a running restore writes.
	RestoreVolumeID string
	// Volume is what the backup keeps of its volume besides the data, to
	// give it back to the volume a restore writes.
	Volume BackupVolume
}

// BackupVolume is the state of a backed-up volume that a restore gives
// back: Cinder keeps it with the backup's data.
type BackupVolume struct {
	Metadata      map[string]string `json:"metadata,omitempty"`
	ImageMetadata map[string]string `json:"image_metadata,omitempty"`
	Bootable      bool              `json:"bootable,omitempty"`
}

// BackupFilter narrows a backup list in the store.
type BackupFilter struct {
	// Scope limits the list to the caller's project unless AllProjects
	// (an admin's all_tenants) is set.
	Scope       Scope
	AllProjects bool
	ProjectID   string
	// VolumeID, when set, is one volume's backups.
	VolumeID string
	// ParentID, when set, is the backups built on one backup.
	ParentID string
}

// BackupTx is what a transaction does with backups.
type BackupTx interface {
	CreateBackup(ctx context.Context, b *Backup) error
	// GetBackup returns apierr.ErrNotFound for an unknown id.
	GetBackup(ctx context.Context, id string) (*Backup, error)
	ListBackups(ctx context.Context, f BackupFilter) ([]*Backup, error)
	// UpdateBackup writes every column and the metadata.
	UpdateBackup(ctx context.Context, b *Backup) error
	DeleteBackup(ctx context.Context, id string) error
}
