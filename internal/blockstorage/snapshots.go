package blockstorage

import (
	"context"
	"time"
)

// Snapshot statuses: Cinder's snapshot state machine.
const (
	SnapStatusCreating      = "creating"
	SnapStatusAvailable     = "available"
	SnapStatusDeleting      = "deleting"
	SnapStatusError         = "error"
	SnapStatusErrorDeleting = "error_deleting"
	SnapStatusBackingUp     = "backing-up"
	SnapStatusRestoring     = "restoring"
	SnapStatusUnmanaging    = "unmanaging"
)

// Snapshot is a point-in-time copy of a volume, held by the volume's
// backend. Its size is the volume's when it was taken.
type Snapshot struct {
	ID          string
	VolumeID    string
	ProjectID   string
	UserID      string
	Name        string
	Description string
	Status      string
	// Progress is Cinder's percentage string ("0%" to "100%").
	Progress string
	SizeGB   int
	// ProviderLocation is the backend's name for the snapshot.
	ProviderLocation string
	Metadata         map[string]string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// SnapshotFilter narrows a snapshot list in the store; the API applies
// the rest of the query.
type SnapshotFilter struct {
	// Scope limits the list to the caller's project unless AllProjects
	// (an admin's all_tenants) is set.
	Scope       Scope
	AllProjects bool
	// VolumeID, when set, is one volume's snapshots.
	VolumeID string
	// ProjectID, when set with AllProjects, is one project's snapshots.
	ProjectID string
}

// SnapshotTx is what a transaction does with snapshots and their metadata.
type SnapshotTx interface {
	CreateSnapshot(ctx context.Context, s *Snapshot) error
	// GetSnapshot returns apierr.ErrNotFound for an unknown id.
	GetSnapshot(ctx context.Context, id string) (*Snapshot, error)
	ListSnapshots(ctx context.Context, f SnapshotFilter) ([]*Snapshot, error)
	// UpdateSnapshot writes every column and the metadata.
	UpdateSnapshot(ctx context.Context, s *Snapshot) error
	DeleteSnapshot(ctx context.Context, id string) error
}
