package blockstorage

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Group statuses: Cinder's GroupStatus.
const (
	GroupCreating      = "creating"
	GroupAvailable     = "available"
	GroupUpdating      = "updating"
	GroupInUse         = "in-use"
	GroupDeleting      = "deleting"
	GroupError         = "error"
	GroupErrorDeleting = "error_deleting"
)

// Group is a generic volume group (Cinder's groups, 3.13): volumes of
// the group's volume types that are snapshotted together. A generic
// group needs nothing on a backend: the group is a record, its volumes
// point at it (Volume.GroupID), and a group snapshot is a snapshot of
// each volume.
type Group struct {
	ID          string
	ProjectID   string
	UserID      string
	Name        string
	Description string
	Status      string
	Zone        string
	GroupTypeID string
	// VolumeTypeIDs are the volume types the group's volumes may have,
	// in the order the group was given them.
	VolumeTypeIDs []string
	// GroupSnapshotID or SourceGroupID is what the group was created
	// from (3.14), "" for neither.
	GroupSnapshotID string
	SourceGroupID   string
	// ReplicationStatus is Cinder's group replication_status: always
	// "disabled", group replication is not built.
	ReplicationStatus string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// GroupSnapshot is a snapshot of every volume of a group taken together
// (Cinder's group snapshots, 3.14); its snapshots are rows of the
// snapshots table that name it.
type GroupSnapshot struct {
	ID          string
	GroupID     string
	GroupTypeID string
	ProjectID   string
	UserID      string
	Name        string
	Description string
	Status      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// GroupFilter narrows a group or group snapshot list in the store.
type GroupFilter struct {
	// Scope limits the list to the caller's project unless AllProjects
	// (an admin's all_tenants) is set.
	Scope       Scope
	AllProjects bool
	// ProjectID, when set with AllProjects, is one project's.
	ProjectID string
	// GroupID, for group snapshots, is one group's.
	GroupID string
}

// GroupTx is what a transaction does with groups and group snapshots.
// Reads of an unknown id return apierr.ErrNotFound.
type GroupTx interface {
	CreateGroup(ctx context.Context, g *Group) error
	GetGroup(ctx context.Context, id string) (*Group, error)
	ListGroups(ctx context.Context, f GroupFilter) ([]*Group, error)
	// UpdateGroup writes every column and the volume types.
	UpdateGroup(ctx context.Context, g *Group) error
	// DeleteGroup removes the group with its volume types.
	DeleteGroup(ctx context.Context, id string) error
	// GroupVolumeIDs lists the volumes in a group.
	GroupVolumeIDs(ctx context.Context, groupID string) ([]string, error)
	// CreatingFrom reports whether a group is being created ("creating")
	// from the group or group snapshot id.
	CreatingFrom(ctx context.Context, id string) (bool, error)

	CreateGroupSnapshot(ctx context.Context, s *GroupSnapshot) error
	GetGroupSnapshot(ctx context.Context, id string) (*GroupSnapshot, error)
	ListGroupSnapshots(ctx context.Context, f GroupFilter) ([]*GroupSnapshot, error)
	UpdateGroupSnapshot(ctx context.Context, s *GroupSnapshot) error
	DeleteGroupSnapshot(ctx context.Context, id string) error
	// SetSnapshotGroup makes a snapshot one of a group snapshot's
	// (group_snapshot_id, a column SnapshotTx leaves alone).
	SetSnapshotGroup(ctx context.Context, snapshotID, groupSnapshotID string) error
	// GroupSnapshotMembers lists the snapshots of a group snapshot.
	GroupSnapshotMembers(ctx context.Context, groupSnapshotID string) ([]string, error)
	// SnapshotGroup is the group snapshot a snapshot belongs to, "" for
	// none (or an unknown snapshot).
	SnapshotGroup(ctx context.Context, snapshotID string) (string, error)
}

// GroupNotFound is Cinder's GroupNotFound (404).
func GroupNotFound(id string) *apierr.Error {
	return apierr.NotFound("Group %s could not be found.", id)
}

// InvalidGroup is Cinder's InvalidGroup (400): "Invalid Group: <msg>".
func InvalidGroup(format string, args ...any) *apierr.Error {
	return apierr.BadRequest("Invalid Group: "+format, args...)
}

// VisibleGroup reads a group in tx, answering Cinder's 404 for one of
// another project unless the caller is an admin.
func VisibleGroup(ctx context.Context, tx Tx, sc Scope, id string) (*Group, error) {
	g, err := tx.GetGroup(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(g.ProjectID)) {
		return nil, GroupNotFound(id)
	}
	return g, err
}

// VolumeGroup checks that a new volume of the volume type typeID may be
// created in the group id (POST /volumes with group_id, 3.13): the group
// is the caller's, available, and has the type among its volume types.
func VolumeGroup(ctx context.Context, tx Tx, sc Scope, id, typeID string) (*Group, error) {
	g, err := VisibleGroup(ctx, tx, sc, id)
	if err != nil {
		return nil, err
	}
	if g.Status != GroupAvailable && g.Status != GroupInUse {
		return nil, InvalidGroup("Group %s status must be available or in-use, but current status is: %s.", g.ID, g.Status)
	}
	if !slices.Contains(g.VolumeTypeIDs, typeID) {
		return nil, BadRequest("Invalid input received: Invalid volume_type provided: %s (requested type is not supported by this group).", typeID)
	}
	return g, nil
}
