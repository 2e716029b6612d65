package groups

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Group snapshot statuses: Cinder's GroupSnapshotStatus.
const (
	SnapCreating      = "creating"
	SnapAvailable     = "available"
	SnapUpdating      = "updating"
	SnapDeleting      = "deleting"
	SnapError         = "error"
	SnapErrorDeleting = "error_deleting"
)

// GroupSnapshotNotFound is Cinder's GroupSnapshotNotFound (404).
func GroupSnapshotNotFound(id string) *apierr.Error {
	return apierr.NotFound("GroupSnapshot %s could not be found.", id)
}

// invalidSnapshot is Cinder's InvalidGroupSnapshot (400).
func invalidSnapshot(format string, args ...any) *apierr.Error {
	return apierr.BadRequest("Invalid GroupSnapshot: "+format, args...)
}

// VisibleSnapshot reads a group snapshot in tx, answering Cinder's 404
// for one of another project unless the caller is an admin.
func VisibleSnapshot(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.GroupSnapshot, error) {
	s, err := tx.GetGroupSnapshot(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(s.ProjectID)) {
		return nil, GroupSnapshotNotFound(id)
	}
	return s, err
}

// member is one volume of a group and its snapshot in a group snapshot.
type member struct {
	vol  *blockstorage.Volume
	snap *blockstorage.Snapshot
}

// CreateSnapshot stores a group snapshot as "creating" with a snapshot
// of each of the group's volumes (counted against the snapshot quotas),
// and has the volumes' backends take them in the background.
func (g Groups) CreateSnapshot(ctx context.Context, sc blockstorage.Scope, groupID, name, description string) (*blockstorage.GroupSnapshot, error) {
	limits, err := g.svc.Limits(ctx, sc.ProjectID)
	if err != nil {
		return nil, err
	}
	gs := &blockstorage.GroupSnapshot{ID: uuid.NewString(), GroupID: groupID, ProjectID: sc.ProjectID, UserID: sc.UserID,
		Name: name, Description: description, Status: SnapCreating}
	var members []member
	err = g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		members = nil
		grp, err := blockstorage.VisibleGroup(ctx, tx, sc, groupID)
		if err != nil {
			return err
		}
		if grp.Status != blockstorage.GroupAvailable && grp.Status != blockstorage.GroupInUse {
			return blockstorage.InvalidGroup("Group %s status must be available or in-use, but current status is: %s.", grp.ID, grp.Status)
		}
		gs.GroupTypeID = grp.GroupTypeID
		ids, err := tx.GroupVolumeIDs(ctx, groupID)
		if err != nil {
			return err
		}
		deltas := map[string]int64{}
		for _, vid := range ids {
			vol, err := tx.GetVolume(ctx, vid)
			if err != nil {
				return err
			}
			if vol.Status != blockstorage.StatusAvailable && vol.Status != blockstorage.StatusInUse {
				return blockstorage.InvalidVolume("Snapshot cannot be created because volume %s is not available, current volume status: %s.", vol.ID, vol.Status)
			}
			if m := vol.MigrationStatus; m != "" && m != "success" && m != "error" {
				return blockstorage.InvalidVolume("Volume %s is migrating.", vol.ID)
			}
			if err := addDeltas(ctx, tx, deltas, vol, map[string]int64{"snapshots": 1, "gigabytes": int64(vol.SizeGB)}); err != nil {
				return err
			}
			members = append(members, member{vol: vol, snap: &blockstorage.Snapshot{
				ID: uuid.NewString(), VolumeID: vol.ID, ProjectID: sc.ProjectID, UserID: sc.UserID, Name: name,
				Description: description, Status: blockstorage.SnapStatusCreating, Progress: "0%", SizeGB: vol.SizeGB,
				Metadata: map[string]string{},
			}})
		}
		if err := g.svc.CheckQuota(ctx, tx, sc.ProjectID, deltas, limits); err != nil {
			return err
		}
		if err := tx.CreateGroupSnapshot(ctx, gs); err != nil {
			return err
		}
		for _, m := range members {
			if err := tx.CreateSnapshot(ctx, m.snap); err != nil {
				return err
			}
			if err := tx.SetSnapshotGroup(ctx, m.snap.ID, gs.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	g.svc.Go("create group snapshot", gs.ID, func(ctx context.Context) error { return g.take(ctx, gs.ID, members) })
	return gs, nil
}

// addDeltas adds to deltas the quota deltas of one volume's share and
// their per-type counterparts (snapshots_<type>, volumes_<type>,
// gigabytes_<type>), which count only where a limit is set.
func addDeltas(ctx context.Context, tx blockstorage.Tx, deltas map[string]int64, vol *blockstorage.Volume, add map[string]int64) error {
	typeName := ""
	if vol.TypeID != "" {
		t, err := tx.GetType(ctx, vol.TypeID)
		if err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		if t != nil {
			typeName = t.Name
		}
	}
	for k, n := range add {
		deltas[k] += n
		if typeName != "" {
			deltas[k+"_"+typeName] += n
		}
	}
	return nil
}

// take has the backends take a group snapshot's snapshots; each ends
// "available" or "error", and the group snapshot "available" when they
// all are, else "error".
func (g Groups) take(ctx context.Context, id string, members []member) error {
	var failed error
	for _, m := range members {
		upd, cause := g.svc.Backend().CreateSnapshot(ctx, m.vol.Host, blockstorage.SnapshotRef{ID: m.snap.ID, Volume: m.vol.Ref()})
		err := g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
			cur, err := tx.GetSnapshot(ctx, m.snap.ID)
			if errors.Is(err, apierr.ErrNotFound) {
				return nil
			}
			// A reset or a delete won meanwhile.
			if err != nil || cur.Status != blockstorage.SnapStatusCreating {
				return err
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
		if cause != nil {
			failed = cause
		}
	}
	err := g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		cur, err := tx.GetGroupSnapshot(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		if err != nil || cur.Status != SnapCreating {
			return err
		}
		cur.Status = SnapAvailable
		if failed != nil {
			cur.Status = SnapError
		}
		return tx.UpdateGroupSnapshot(ctx, cur)
	})
	if err != nil {
		return err
	}
	return failed
}

// GetSnapshot returns a group snapshot the caller may see.
func (g Groups) GetSnapshot(ctx context.Context, sc blockstorage.Scope, id string) (*blockstorage.GroupSnapshot, error) {
	var out *blockstorage.GroupSnapshot
	err := g.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		out, err = VisibleSnapshot(ctx, tx, sc, id)
		return err
	})
	return out, err
}

// ListSnapshots returns the group snapshots the filter selects.
func (g Groups) ListSnapshots(ctx context.Context, f blockstorage.GroupFilter) ([]*blockstorage.GroupSnapshot, error) {
	var out []*blockstorage.GroupSnapshot
	err := g.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		out, err = tx.ListGroupSnapshots(ctx, f)
		return err
	})
	return out, err
}

// DeleteSnapshot marks a group snapshot and its snapshots "deleting"
// and removes the snapshots from their backends in the background, then
// the group snapshot. It must be available or in error, and no group may
// be in creation from it.
func (g Groups) DeleteSnapshot(ctx context.Context, sc blockstorage.Scope, id string) error {
	var members []member
	err := g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		members = nil
		gs, err := VisibleSnapshot(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		busy, err := tx.CreatingFrom(ctx, id)
		if err != nil {
			return err
		}
		if busy || (gs.Status != SnapAvailable && gs.Status != SnapError) {
			return invalidSnapshot("GroupSnapshot status must be available or error, and no Group can be currently using it as source for its creation.")
		}
		ids, err := tx.GroupSnapshotMembers(ctx, id)
		if err != nil {
			return err
		}
		for _, sid := range ids {
			snap, err := tx.GetSnapshot(ctx, sid)
			if err != nil {
				return err
			}
			vol, err := tx.GetVolume(ctx, snap.VolumeID)
			if errors.Is(err, apierr.ErrNotFound) {
				vol, err = nil, nil
			}
			if err != nil {
				return err
			}
			snap.Status = blockstorage.SnapStatusDeleting
			if err := tx.UpdateSnapshot(ctx, snap); err != nil {
				return err
			}
			members = append(members, member{vol: vol, snap: snap})
		}
		if len(members) == 0 {
			return tx.DeleteGroupSnapshot(ctx, id)
		}
		gs.Status = SnapDeleting
		return tx.UpdateGroupSnapshot(ctx, gs)
	})
	if err != nil || len(members) == 0 {
		return err
	}
	g.svc.Go("delete group snapshot", id, func(ctx context.Context) error { return g.drop(ctx, id, members) })
	return nil
}

// drop removes a group snapshot's snapshots from their backends and
// their rows, then the group snapshot's row; a snapshot the backend
// fails to delete is left "error_deleting", and so is the group
// snapshot. A snapshot whose volume is gone or was never placed has
// nothing on a backend.
func (g Groups) drop(ctx context.Context, id string, members []member) error {
	var failed error
	for _, m := range members {
		var cause error
		if m.vol != nil && m.vol.Host != "" {
			cause = g.svc.Backend().DeleteSnapshot(ctx, m.vol.Host, blockstorage.SnapshotRef{
				ID: m.snap.ID, Volume: m.vol.Ref(), ProviderLocation: m.snap.ProviderLocation})
		}
		err := g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
			if cause == nil {
				if err := tx.DeleteSnapshot(ctx, m.snap.ID); err != nil && !errors.Is(err, apierr.ErrNotFound) {
					return err
				}
				return nil
			}
			cur, err := tx.GetSnapshot(ctx, m.snap.ID)
			if errors.Is(err, apierr.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			cur.Status = blockstorage.SnapStatusErrorDeleting
			return tx.UpdateSnapshot(ctx, cur)
		})
		if err != nil {
			return err
		}
		if cause != nil {
			failed = cause
		}
	}
	err := g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		cur, err := tx.GetGroupSnapshot(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		if err != nil || cur.Status != SnapDeleting {
			return err
		}
		if failed != nil {
			cur.Status = SnapErrorDeleting
			return tx.UpdateGroupSnapshot(ctx, cur)
		}
		return tx.DeleteGroupSnapshot(ctx, id)
	})
	if err != nil {
		return err
	}
	return failed
}

// snapshotStatuses are the statuses an admin may reset a group snapshot
// to (Cinder's GroupSnapshotStatus, less "deleted").
var snapshotStatuses = []string{SnapCreating, SnapAvailable, SnapUpdating, SnapDeleting, SnapError, SnapErrorDeleting}

// ResetSnapshotStatus sets a group snapshot's status (an admin's
// reset_status, 3.19), with no work on a backend.
func (g Groups) ResetSnapshotStatus(ctx context.Context, sc blockstorage.Scope, id, status string) error {
	if !slices.Contains(snapshotStatuses, status) {
		return blockstorage.BadRequest("Invalid input received: Group snapshot status %q is not one of %s.", status, strings.Join(snapshotStatuses, ", "))
	}
	return g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		gs, err := VisibleSnapshot(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		gs.Status = status
		return tx.UpdateGroupSnapshot(ctx, gs)
	})
}
