package volumes

import (
	"context"

	"github.com/gostack/gostack/internal/blockstorage"
)

// Repair ends what a stop of the service cut short, at start-up: a
// volume left "creating" is "error" (and a backup it was restoring from
// is available again), one left "extending" by volactions' Extend is
// "error_extending", one left "uploading" by its Upload is "available",
// and one left "deleting" is deleted again (with the snapshots a
// cascade was deleting). Other volumes are untouched. It returns how
// many volumes it changed.
func (v Volumes) Repair(ctx context.Context) (int, error) {
	type pending struct {
		vol   *blockstorage.Volume
		snaps []*blockstorage.Snapshot
	}
	var deletes []pending
	changed := 0
	admin := blockstorage.Scope{Admin: true}
	err := v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		deletes, changed = nil, 0
		vols, err := tx.ListVolumes(ctx, blockstorage.VolumeFilter{Scope: admin, AllProjects: true})
		if err != nil {
			return err
		}
		for _, vol := range vols {
			switch vol.Status {
			case blockstorage.StatusCreating:
				vol.Status = blockstorage.StatusError
				if vol.BackupID != "" {
					if err := releaseBackup(ctx, tx, vol.BackupID, nil); err != nil {
						return err
					}
				}
			case blockstorage.StatusExtending:
				vol.Status = blockstorage.StatusErrorExtending
				delete(vol.AdminMetadata, "extend_new_size")
			case blockstorage.StatusUploading:
				vol.Status = blockstorage.StatusAvailable
			case blockstorage.StatusDeleting:
				snaps, err := tx.ListSnapshots(ctx, blockstorage.SnapshotFilter{Scope: admin, AllProjects: true, VolumeID: vol.ID})
				if err != nil {
					return err
				}
				var doomed []*blockstorage.Snapshot
				for _, s := range snaps {
					if s.Status == blockstorage.SnapStatusDeleting {
						doomed = append(doomed, s)
					}
				}
				deletes = append(deletes, pending{vol, doomed})
				changed++
				continue
			default:
				continue
			}
			changed++
			if err := tx.UpdateVolume(ctx, vol); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, d := range deletes {
		if d.vol.Host == "" {
			err := v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
				return tx.DeleteVolume(ctx, d.vol.ID)
			})
			if err != nil {
				return changed, err
			}
			continue
		}
		v.svc.Go("delete volume", d.vol.ID, func(ctx context.Context) error { return v.destroy(ctx, d.vol, d.snaps) })
	}
	return changed, nil
}
