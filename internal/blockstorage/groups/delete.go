package groups

import (
	"context"
	"errors"
	"slices"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// deletable are the volume statuses a group delete takes its volumes
// in: none that an operation in flight would change under it.
var deletable = []string{blockstorage.StatusAvailable, blockstorage.StatusError, blockstorage.StatusErrorRestoring,
	blockstorage.StatusErrorExtending, blockstorage.StatusErrorDeleting}

// admin reads every project's rows: a group's volumes and snapshots are
// checked whoever asks.
var admin = blockstorage.Scope{Admin: true}

// Delete deletes a group (Cinder's delete action): an empty one at once;
// one with volumes only with deleteVolumes, which marks them and the
// group "deleting" and removes the volumes from their backends in the
// background, then the group. A group with group snapshots, or that a
// group is being created from, stays.
func (g Groups) Delete(ctx context.Context, sc blockstorage.Scope, id string, deleteVolumes bool) error {
	var vols []*blockstorage.Volume
	err := g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vols = nil
		grp, err := blockstorage.VisibleGroup(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if !deleteVolumes && grp.Status != blockstorage.GroupAvailable && grp.Status != blockstorage.GroupError {
			return blockstorage.InvalidGroup("Group status must be available or error, but current status is: %s", grp.Status)
		}
		snaps, err := tx.ListGroupSnapshots(ctx, blockstorage.GroupFilter{Scope: admin, AllProjects: true, GroupID: id})
		if err != nil {
			return err
		}
		if len(snaps) > 0 {
			return blockstorage.InvalidGroup("Group has existing snapshots.")
		}
		if busy, err := tx.CreatingFrom(ctx, id); err != nil || busy {
			if err != nil {
				return err
			}
			return blockstorage.InvalidGroup("Cannot delete group %s: it is the source for an ongoing group creation.", id)
		}
		ids, err := tx.GroupVolumeIDs(ctx, id)
		if err != nil {
			return err
		}
		if len(ids) > 0 && !deleteVolumes {
			return blockstorage.InvalidGroup("Group %s still contains volumes. The delete-volumes flag is required to delete it.", id)
		}
		for _, vid := range ids {
			vol, err := tx.GetVolume(ctx, vid)
			if err != nil {
				return err
			}
			if vol.AttachStatus == blockstorage.AttachAttached {
				return blockstorage.InvalidGroup("Volume in group %s is attached. Need to detach first.", id)
			}
			vs, err := tx.ListSnapshots(ctx, blockstorage.SnapshotFilter{Scope: admin, AllProjects: true, VolumeID: vid})
			if err != nil {
				return err
			}
			if len(vs) > 0 {
				return blockstorage.InvalidGroup("Volume in group still has dependent snapshots.")
			}
			if !slices.Contains(deletable, vol.Status) {
				return blockstorage.InvalidGroup("Volume %s in group %s is %s: it can be deleted once the operation in progress ends.", vid, id, vol.Status)
			}
			vol.Status = blockstorage.StatusDeleting
			if err := tx.UpdateVolume(ctx, vol); err != nil {
				return err
			}
			vols = append(vols, vol)
		}
		if len(vols) == 0 {
			return tx.DeleteGroup(ctx, id)
		}
		grp.Status = blockstorage.GroupDeleting
		return tx.UpdateGroup(ctx, grp)
	})
	if err != nil || len(vols) == 0 {
		return err
	}
	g.svc.Go("delete group", id, func(ctx context.Context) error { return g.destroy(ctx, id, vols) })
	return nil
}

// destroy removes a group's volumes from their backends and their rows,
// then the group's row. A volume the backend fails to delete is left
// "error_deleting", and so is the group.
func (g Groups) destroy(ctx context.Context, id string, vols []*blockstorage.Volume) error {
	var failed error
	for _, vol := range vols {
		var cause error
		if vol.Host != "" {
			cause = g.svc.Backend().DeleteVolume(ctx, vol.Host, vol.Ref())
		}
		err := g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
			if cause == nil {
				if err := tx.DeleteAttachments(ctx, vol.ID); err != nil {
					return err
				}
				if err := tx.DeleteVolume(ctx, vol.ID); err != nil && !errors.Is(err, apierr.ErrNotFound) {
					return err
				}
				return nil
			}
			cur, err := tx.GetVolume(ctx, vol.ID)
			if errors.Is(err, apierr.ErrNotFound) {
				return nil
			}
			if err != nil || cur.Status != blockstorage.StatusDeleting {
				return err
			}
			cur.Status = blockstorage.StatusErrorDeleting
			return tx.UpdateVolume(ctx, cur)
		})
		if err != nil {
			return err
		}
		if cause != nil {
			failed = cause
		}
	}
	err := g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		cur, err := tx.GetGroup(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		// A reset won meanwhile: the group stays as the admin left it.
		if err != nil || cur.Status != blockstorage.GroupDeleting {
			return err
		}
		if failed != nil {
			cur.Status = blockstorage.GroupErrorDeleting
			return tx.UpdateGroup(ctx, cur)
		}
		left, err := tx.GroupVolumeIDs(ctx, id)
		if err != nil {
			return err
		}
		if len(left) > 0 {
			cur.Status = blockstorage.GroupErrorDeleting
			return tx.UpdateGroup(ctx, cur)
		}
		return tx.DeleteGroup(ctx, id)
	})
	if err != nil {
		return err
	}
	return failed
}
