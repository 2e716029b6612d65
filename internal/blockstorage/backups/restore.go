package backups

import (
	"context"
	"errors"
	"maps"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// RestoreRequest names where a backup goes: an existing volume
// (VolumeID), or a new one (Name, the default "restore_backup_<id>").
type RestoreRequest struct {
	VolumeID string
	Name     string
}

// Restored is what a restore answers.
type Restored struct {
	BackupID, VolumeID, VolumeName string
}

// Restore writes a backup into a volume in the background: the backup
// is "restoring" and the volume "restoring-backup" until it is done. A
// new volume is created here, counted against the volume quotas, and
// placed on a backend first.
func (b Backups) Restore(ctx context.Context, sc blockstorage.Scope, id string, req RestoreRequest) (Restored, error) {
	limits, err := b.svc.Limits(ctx, sc.ProjectID)
	if err != nil {
		return Restored{}, err
	}
	var bk *blockstorage.Backup
	var vol *blockstorage.Volume
	var chain []blockstorage.BackupResult
	fresh := req.VolumeID == ""
	err = b.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if bk, err = visible(ctx, tx, sc, id); err != nil {
			return err
		}
		if bk.Status != blockstorage.BackupAvailable {
			return apierr.BadRequest("Invalid backup: Backup status must be available")
		}
		if chain, err = parents(ctx, tx, bk); err != nil {
			return err
		}
		if fresh {
			vol, err = b.newVolume(ctx, tx, sc, bk, req.Name, limits)
		} else {
			vol, err = target(ctx, tx, sc, bk, req.VolumeID)
		}
		if err != nil {
			return err
		}
		bk.Status, bk.RestoreVolumeID = blockstorage.BackupRestoring, vol.ID
		return tx.UpdateBackup(ctx, bk)
	})
	if err != nil {
		return Restored{}, err
	}
	b.svc.Go("restore backup", bk.ID, func(ctx context.Context) error { return b.restore(ctx, bk, vol, chain, fresh) })
	return Restored{BackupID: bk.ID, VolumeID: vol.ID, VolumeName: vol.Name}, nil
}

// parents are the backups an incremental one builds on, oldest first.
func parents(ctx context.Context, tx blockstorage.Tx, bk *blockstorage.Backup) ([]blockstorage.BackupResult, error) {
	var chain []blockstorage.BackupResult
	for p := bk.ParentID; p != ""; {
		parent, err := tx.GetBackup(ctx, p)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil, apierr.BadRequest("Invalid backup: the parent backup %s of backup %s is gone.", p, bk.ID)
		}
		if err != nil {
			return nil, err
		}
		chain = append([]blockstorage.BackupResult{result(parent)}, chain...)
		p = parent.ParentID
	}
	return chain, nil
}

// newVolume stores the volume a restore creates, "restoring-backup"
// from the start, with the backed-up volume's metadata and bootable
// flag; it is placed on a backend in the background.
func (b Backups) newVolume(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, bk *blockstorage.Backup, name string, limits map[string]int64) (*blockstorage.Volume, error) {
	if name == "" {
		name = "restore_backup_" + bk.ID
	}
	vol := &blockstorage.Volume{
		ID: uuid.NewString(), ProjectID: sc.ProjectID, UserID: sc.UserID, Name: name, SizeGB: bk.SizeGB,
		Status: blockstorage.StatusRestoringBackup, AttachStatus: blockstorage.AttachDetached,
		AvailabilityZone: b.svc.Config().Zone, Metadata: maps.Clone(bk.Volume.Metadata),
		ImageMetadata: maps.Clone(bk.Volume.ImageMetadata), Bootable: bk.Volume.Bootable, ConsumesQuota: true,
	}
	deltas := map[string]int64{"volumes": 1, "gigabytes": int64(bk.SizeGB)}
	t, err := blockstorage.ResolveType(ctx, tx, sc, "")
	var ae *apierr.Error
	switch {
	case err == nil:
		vol.TypeID = t.ID
		deltas["volumes_"+t.Name], deltas["gigabytes_"+t.Name] = 1, int64(bk.SizeGB)
	case errors.As(err, &ae) && ae.Code == 404:
		// A cloud without a default type makes untyped volumes, as a
		// volume create does.
	default:
		return nil, err
	}
	if err := b.svc.CheckQuota(ctx, tx, sc.ProjectID, deltas, limits); err != nil {
		return nil, err
	}
	return vol, tx.CreateVolume(ctx, vol)
}

// target reads the existing volume a restore overwrites: the caller's,
// available, and large enough.
func target(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, bk *blockstorage.Backup, id string) (*blockstorage.Volume, error) {
	vol, err := visibleVolume(ctx, tx, sc, id)
	if err != nil {
		return nil, err
	}
	if vol.Status != blockstorage.StatusAvailable {
		return nil, blockstorage.InvalidVolume("Volume to be restored to must be available")
	}
	if vol.SizeGB < bk.SizeGB {
		return nil, blockstorage.InvalidVolume("volume size %d is too small to restore backup of size %d.", vol.SizeGB, bk.SizeGB)
	}
	vol.Status = blockstorage.StatusRestoringBackup
	return vol, tx.UpdateVolume(ctx, vol)
}

// restore places a new volume on a backend, then has the volume's
// backend write the backup into it. The volume ends "available" with
// the backed-up volume's metadata, or "error_restoring"; the backup
// "available" either way.
func (b Backups) restore(ctx context.Context, bk *blockstorage.Backup, vol *blockstorage.Volume, chain []blockstorage.BackupResult, fresh bool) error {
	be := b.svc.Backend()
	var upd blockstorage.VolumeUpdate
	var cause error
	host := vol.Host
	if fresh {
		host, cause = be.Schedule(ctx, blockstorage.ScheduleRequest{SizeGB: vol.SizeGB, Zone: vol.AvailabilityZone})
		if cause == nil {
			upd, cause = be.CreateVolume(ctx, host, blockstorage.CreateVolume{Volume: vol.Ref()})
			if cause == nil {
				vol.ProviderLocation = upd.ProviderLocation
			} else {
				host = ""
			}
		}
	}
	if cause == nil {
		cause = be.Restore(ctx, host, blockstorage.RestoreRequest{Backup: result(bk), Chain: chain, Volume: vol.Ref()})
	}
	err := b.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		cur, err := tx.GetBackup(ctx, bk.ID)
		if err == nil && cur.Status == blockstorage.BackupRestoring {
			cur.Status, cur.RestoreVolumeID = blockstorage.BackupAvailable, ""
			if err := tx.UpdateBackup(ctx, cur); err != nil {
				return err
			}
		} else if err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		v, err := tx.GetVolume(ctx, vol.ID)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if v.Status != blockstorage.StatusRestoringBackup {
			return nil
		}
		if fresh {
			v.Host, v.ProviderLocation = host, vol.ProviderLocation
		}
		if cause != nil {
			v.Status = blockstorage.StatusErrorRestoring
		} else {
			v.Status = blockstorage.StatusAvailable
			v.Bootable = v.Bootable || bk.Volume.Bootable
			if v.Metadata == nil {
				v.Metadata = map[string]string{}
			}
			maps.Copy(v.Metadata, bk.Volume.Metadata)
			if len(bk.Volume.ImageMetadata) > 0 {
				v.ImageMetadata = maps.Clone(bk.Volume.ImageMetadata)
			}
			if v.LaunchedAt.IsZero() {
				v.LaunchedAt = v.UpdatedAt
			}
		}
		return tx.UpdateVolume(ctx, v)
	})
	if err != nil {
		return err
	}
	return cause
}
