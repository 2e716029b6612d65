// Package snapshots holds the use cases of volume snapshots: create (and
// the asynchronous work on the volume's backend that follows), read,
// list, update, metadata, delete and the admin actions (reset status,
// force delete, the status updates a driver reports). Each is one
// transaction over the Service's store; the backend is reached after the
// transaction commits, in the background, and the outcome is written by
// a second transaction that re-reads the snapshot.
package snapshots

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Snapshots are the snapshot use cases over a Service.
type Snapshots struct{ svc *blockstorage.Service }

// New returns the use cases over svc.
func New(svc *blockstorage.Service) Snapshots { return Snapshots{svc: svc} }

// CreateRequest is a new snapshot of a volume.
type CreateRequest struct {
	VolumeID          string
	Name, Description string
	// Force allows a snapshot of an in-use volume.
	Force    bool
	Metadata map[string]string
}

// Create stores a new snapshot as "creating", counted against the
// project's quotas, and has the volume's backend take it in the
// background.
func (s Snapshots) Create(ctx context.Context, sc blockstorage.Scope, req CreateRequest) (*blockstorage.Snapshot, error) {
	if err := CheckMetadata(req.Metadata); err != nil {
		return nil, err
	}
	limits, err := s.svc.Limits(ctx, sc.ProjectID)
	if err != nil {
		return nil, err
	}
	snap := &blockstorage.Snapshot{
		ID: uuid.NewString(), VolumeID: req.VolumeID, ProjectID: sc.ProjectID, UserID: sc.UserID, Name: req.Name,
		Description: req.Description, Status: blockstorage.SnapStatusCreating, Progress: "0%", Metadata: req.Metadata,
	}
	var vol *blockstorage.Volume
	err = s.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if vol, err = visibleVolume(ctx, tx, sc, req.VolumeID); err != nil {
			return err
		}
		switch {
		case vol.MigrationStatus != "" && vol.MigrationStatus != "success" && vol.MigrationStatus != "error":
			return blockstorage.InvalidVolume("Volume %s is migrating.", vol.ID)
		case vol.Status == blockstorage.StatusAvailable:
		case vol.Status == blockstorage.StatusInUse && req.Force:
		case req.Force:
			return blockstorage.InvalidVolume("Volume %s status must be available or in-use, but current status is: %s.", vol.ID, vol.Status)
		default:
			return blockstorage.InvalidVolume("Volume %s status must be available, but current status is: %s.", vol.ID, vol.Status)
		}
		snap.SizeGB = vol.SizeGB
		deltas, err := quotaDeltas(ctx, tx, vol, 1, int64(vol.SizeGB))
		if err != nil {
			return err
		}
		if err := s.svc.CheckQuota(ctx, tx, sc.ProjectID, deltas, limits); err != nil {
			return err
		}
		return tx.CreateSnapshot(ctx, snap)
	})
	if err != nil {
		return nil, err
	}
	s.svc.Go("create snapshot", snap.ID, func(ctx context.Context) error { return s.build(ctx, vol, snap) })
	return snap, nil
}

// quotaDeltas are what n snapshots of gb gigabytes of vol take: the
// snapshots and gigabytes quotas and their per-type counterparts
// (snapshots_<type>, gigabytes_<type>), which only count when a limit
// is set for them.
func quotaDeltas(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume, n, gb int64) (map[string]int64, error) {
	deltas := map[string]int64{"snapshots": n, "gigabytes": gb}
	if vol.TypeID == "" {
		return deltas, nil
	}
	t, err := tx.GetType(ctx, vol.TypeID)
	if errors.Is(err, apierr.ErrNotFound) {
		return deltas, nil
	}
	if err != nil {
		return nil, err
	}
	deltas["snapshots_"+t.Name], deltas["gigabytes_"+t.Name] = n, gb
	return deltas, nil
}

// build has the volume's backend take the snapshot; the end state is
// "available", or "error" when the backend fails.
func (s Snapshots) build(ctx context.Context, vol *blockstorage.Volume, snap *blockstorage.Snapshot) error {
	upd, cause := s.svc.Backend().CreateSnapshot(ctx, vol.Host, blockstorage.SnapshotRef{ID: snap.ID, Volume: vol.Ref()})
	err := s.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		cur, err := tx.GetSnapshot(ctx, snap.ID)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		// A reset, a delete or a driver's status update won meanwhile.
		if cur.Status != blockstorage.SnapStatusCreating {
			return nil
		}
		if cause != nil {
			cur.Status = blockstorage.SnapStatusError
		} else {
			cur.Status, cur.Progress, cur.ProviderLocation = blockstorage.SnapStatusAvailable, "100%", upd.ProviderLocation
		}
		return tx.UpdateSnapshot(ctx, cur)
	})
	if err != nil {
		return err
	}
	return cause
}

// visibleVolume reads a volume, answering 404 for one of another project
// unless the caller is an admin.
func visibleVolume(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.Volume, error) {
	if id == "" {
		return nil, blockstorage.NotFound("Volume", "None")
	}
	vol, err := tx.GetVolume(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(vol.ProjectID)) {
		return nil, blockstorage.NotFound("Volume", id)
	}
	return vol, err
}

// Visible reads a snapshot in tx, answering Cinder's 404 for one of
// another project unless the caller is an admin. Other areas (backups,
// volumes created from a snapshot) use it to reach a snapshot as its
// owner would.
func Visible(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.Snapshot, error) {
	snap, err := tx.GetSnapshot(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(snap.ProjectID)) {
		return nil, apierr.NotFound("Snapshot %s could not be found.", id)
	}
	return snap, err
}

// Get returns a snapshot the caller may see.
func (s Snapshots) Get(ctx context.Context, sc blockstorage.Scope, id string) (*blockstorage.Snapshot, error) {
	var snap *blockstorage.Snapshot
	err := s.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		snap, err = Visible(ctx, tx, sc, id)
		return err
	})
	return snap, err
}

// List returns the snapshots the filter selects.
func (s Snapshots) List(ctx context.Context, f blockstorage.SnapshotFilter) ([]*blockstorage.Snapshot, error) {
	var out []*blockstorage.Snapshot
	err := s.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		out, err = tx.ListSnapshots(ctx, f)
		return err
	})
	return out, err
}

// UpdateRequest changes a snapshot's name and description; nil leaves
// one as it is.
type UpdateRequest struct {
	Name, Description *string
}

// Update renames or redescribes a snapshot.
func (s Snapshots) Update(ctx context.Context, sc blockstorage.Scope, id string, req UpdateRequest) (*blockstorage.Snapshot, error) {
	return s.change(ctx, sc, id, func(snap *blockstorage.Snapshot) error {
		if req.Name != nil {
			snap.Name = *req.Name
		}
		if req.Description != nil {
			snap.Description = *req.Description
		}
		return nil
	})
}

// change applies fn to a visible snapshot and writes it, in one
// transaction.
func (s Snapshots) change(ctx context.Context, sc blockstorage.Scope, id string, fn func(*blockstorage.Snapshot) error) (*blockstorage.Snapshot, error) {
	var snap *blockstorage.Snapshot
	err := s.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if snap, err = Visible(ctx, tx, sc, id); err != nil {
			return err
		}
		if err := fn(snap); err != nil {
			return err
		}
		return tx.UpdateSnapshot(ctx, snap)
	})
	return snap, err
}

// Delete marks a snapshot "deleting" and removes it from the volume's
// backend in the background; force (an admin's os-force_delete) skips
// the status rule.
func (s Snapshots) Delete(ctx context.Context, sc blockstorage.Scope, id string, force bool) error {
	var snap *blockstorage.Snapshot
	var vol *blockstorage.Volume
	err := s.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if snap, err = Visible(ctx, tx, sc, id); err != nil {
			return err
		}
		group, err := tx.SnapshotGroup(ctx, snap.ID)
		if err != nil {
			return err
		}
		if group != "" || (!force && snap.Status != blockstorage.SnapStatusAvailable && snap.Status != blockstorage.SnapStatusError) {
			return apierr.BadRequest("Invalid snapshot: Snapshot status must be available or error and must not be part of a group.")
		}
		vol, err = tx.GetVolume(ctx, snap.VolumeID)
		if errors.Is(err, apierr.ErrNotFound) {
			vol, err = nil, nil
		}
		if err != nil {
			return err
		}
		snap.Status = blockstorage.SnapStatusDeleting
		return tx.UpdateSnapshot(ctx, snap)
	})
	if err != nil {
		return err
	}
	s.svc.Go("delete snapshot", id, func(ctx context.Context) error { return s.destroy(ctx, vol, snap) })
	return nil
}

// destroy removes a snapshot from its volume's backend, then its row; a
// backend failure leaves it "error_deleting". A snapshot whose volume is
// gone or was never placed has nothing on a backend.
func (s Snapshots) destroy(ctx context.Context, vol *blockstorage.Volume, snap *blockstorage.Snapshot) error {
	var cause error
	if vol != nil && vol.Host != "" {
		cause = s.svc.Backend().DeleteSnapshot(ctx, vol.Host, blockstorage.SnapshotRef{
			ID: snap.ID, Volume: vol.Ref(), ProviderLocation: snap.ProviderLocation})
	}
	err := s.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		cur, err := tx.GetSnapshot(ctx, snap.ID)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if cause == nil {
			return tx.DeleteSnapshot(ctx, snap.ID)
		}
		cur.Status = blockstorage.SnapStatusErrorDeleting
		return tx.UpdateSnapshot(ctx, cur)
	})
	if err != nil {
		return err
	}
	return cause
}

// statuses are every snapshot status an admin may reset to.
var statuses = []string{
	blockstorage.SnapStatusCreating, blockstorage.SnapStatusAvailable, blockstorage.SnapStatusDeleting,
	blockstorage.SnapStatusError, blockstorage.SnapStatusErrorDeleting, blockstorage.SnapStatusBackingUp,
	blockstorage.SnapStatusRestoring, blockstorage.SnapStatusUnmanaging,
}

// ResetStatus sets a snapshot's status to any valid one (an admin's
// os-reset_status), with no work on the backend.
func (s Snapshots) ResetStatus(ctx context.Context, sc blockstorage.Scope, id, status string) error {
	if !slices.Contains(statuses, status) {
		return apierr.BadRequest("Invalid input received: Invalid snapshot status %q.", status)
	}
	_, err := s.change(ctx, sc, id, func(snap *blockstorage.Snapshot) error {
		snap.Status = status
		return nil
	})
	return err
}

// transitions are the status updates a driver may report
// (os-update_snapshot_status): a snapshot being created ends available
// or in error, one being deleted may fail.
var transitions = map[string][]string{
	blockstorage.SnapStatusCreating: {blockstorage.SnapStatusCreating, blockstorage.SnapStatusAvailable, blockstorage.SnapStatusError},
	blockstorage.SnapStatusDeleting: {blockstorage.SnapStatusDeleting, blockstorage.SnapStatusErrorDeleting},
}

// UpdateStatus records a driver's report of a snapshot's status and
// progress; only the transitions of a snapshot being created or deleted
// are allowed.
func (s Snapshots) UpdateStatus(ctx context.Context, sc blockstorage.Scope, id, status, progress string) error {
	_, err := s.change(ctx, sc, id, func(snap *blockstorage.Snapshot) error {
		allowed, ok := transitions[snap.Status]
		if !ok {
			return apierr.BadRequest("Snapshot status %s not allowed for update_snapshot_status", snap.Status)
		}
		if !slices.Contains(allowed, status) {
			return apierr.BadRequest("Provided snapshot status %s not allowed for snapshot with status %s.", status, snap.Status)
		}
		snap.Status = status
		if progress != "" {
			snap.Progress = progress
		}
		return nil
	})
	return err
}
