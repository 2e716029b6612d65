package volumes

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// DeleteRequest is how a volume is deleted: with its snapshots
// (Cascade), or whatever its status (Force, an admin's).
type DeleteRequest struct {
	Cascade, Force bool
}

// Delete marks a volume "deleting" (and, with Cascade, its snapshots)
// and removes it from its backend in the background; the row goes once
// the backend let go of it. A volume no backend holds (its scheduling
// failed) goes at once.
func (v Volumes) Delete(ctx context.Context, sc blockstorage.Scope, id string, req DeleteRequest) error {
	var vol *blockstorage.Volume
	var snaps []*blockstorage.Snapshot
	err := v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if vol, err = Visible(ctx, tx, sc, id); err != nil {
			return err
		}
		if vol.Host == "" {
			vol = nil
			return tx.DeleteVolume(ctx, id)
		}
		if snaps, err = v.deletable(ctx, tx, sc, vol, req, "deleting"); err != nil {
			return err
		}
		for _, s := range snaps {
			s.Status = blockstorage.SnapStatusDeleting
			if err := tx.UpdateSnapshot(ctx, s); err != nil {
				return err
			}
		}
		return tx.UpdateVolume(ctx, vol)
	})
	if err != nil || vol == nil {
		return err
	}
	v.svc.Go("delete volume", id, func(ctx context.Context) error { return v.destroy(ctx, vol, snaps) })
	return nil
}

// deletable checks Cinder's conditions for deleting (or unmanaging) a
// volume and sets its status to status; it returns the snapshots a
// cascade deletes with it.
func (v Volumes) deletable(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, vol *blockstorage.Volume, req DeleteRequest, status string) ([]*blockstorage.Snapshot, error) {
	ok := vol.AttachStatus != blockstorage.AttachAttached && vol.GroupID == ""
	switch vol.MigrationStatus {
	case "", blockstorage.StatusDeleting, blockstorage.StatusError, "success":
	default:
		ok = false
	}
	if !req.Force {
		switch vol.Status {
		case blockstorage.StatusAvailable, blockstorage.StatusError, blockstorage.StatusErrorRestoring,
			blockstorage.StatusErrorExtending, "error_managing":
		default:
			ok = false
		}
	}
	snaps, err := tx.ListSnapshots(ctx, blockstorage.SnapshotFilter{Scope: sc, AllProjects: true, VolumeID: vol.ID})
	if err != nil {
		return nil, err
	}
	if len(snaps) > 0 {
		if !req.Cascade {
			ok = false
		}
		for _, s := range snaps {
			busy := s.Status != blockstorage.SnapStatusAvailable && s.Status != blockstorage.SnapStatusError &&
				s.Status != blockstorage.SnapStatusDeleting
			if (busy && !req.Force) || (!sc.Admin && s.ProjectID != sc.ProjectID) {
				ok = false
			}
		}
	}
	if !ok {
		cond := ""
		if !req.Force {
			cond = "status must be available or error or error_restoring or error_extending or error_managing and"
		}
		return nil, blockstorage.InvalidVolume("Volume %s must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.", cond)
	}
	vol.Status = status
	return snaps, nil
}

// destroy removes a volume's snapshots and then the volume from its
// backend, then their rows; a backend failure leaves the volume
// "error_deleting" (and the snapshot that failed "error_deleting").
func (v Volumes) destroy(ctx context.Context, vol *blockstorage.Volume, snaps []*blockstorage.Snapshot) error {
	be := v.svc.Backend()
	for _, s := range snaps {
		cause := be.DeleteSnapshot(ctx, vol.Host, blockstorage.SnapshotRef{ID: s.ID, Volume: vol.Ref(), ProviderLocation: s.ProviderLocation})
		err := v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
			if cause == nil {
				if err := tx.DeleteSnapshot(ctx, s.ID); err != nil && !errors.Is(err, apierr.ErrNotFound) {
					return err
				}
				return nil
			}
			if cur, err := tx.GetSnapshot(ctx, s.ID); err == nil {
				cur.Status = blockstorage.SnapStatusErrorDeleting
				if err := tx.UpdateSnapshot(ctx, cur); err != nil {
					return err
				}
			}
			return v.failDelete(ctx, tx, vol)
		})
		if err != nil {
			return err
		}
		if cause != nil {
			return cause
		}
	}
	cause := be.DeleteVolume(ctx, vol.Host, vol.Ref())
	// The failure is written and committed, then reported: returning it
	// from the transaction would roll the error status back.
	err := v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if cause != nil {
			return v.failDelete(ctx, tx, vol)
		}
		if err := tx.DeleteAttachments(ctx, vol.ID); err != nil {
			return err
		}
		if err := tx.DeleteVolume(ctx, vol.ID); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return cause
}

// failDelete leaves a volume whose delete failed "error_deleting",
// unless it is gone or was reset meanwhile.
func (v Volumes) failDelete(ctx context.Context, tx blockstorage.Tx, vol *blockstorage.Volume) error {
	cur, err := tx.GetVolume(ctx, vol.ID)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if cur.Status != blockstorage.StatusDeleting {
		return nil
	}
	cur.Status = blockstorage.StatusErrorDeleting
	return tx.UpdateVolume(ctx, cur)
}

// Unmanage forgets a volume (an admin's os-unmanage): its row goes, its
// data stays on the backend, under the same conditions as a delete.
func (v Volumes) Unmanage(ctx context.Context, sc blockstorage.Scope, id string) error {
	return v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := Visible(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if vol.Encrypted {
			return blockstorage.BadRequest("Unmanaging encrypted volumes is not supported.")
		}
		if _, err := v.deletable(ctx, tx, sc, vol, DeleteRequest{}, "unmanaging"); err != nil {
			return err
		}
		if err := tx.DeleteAttachments(ctx, vol.ID); err != nil {
			return err
		}
		return tx.DeleteVolume(ctx, vol.ID)
	})
}
