// Package backups holds the use cases of volume backups: create (full or
// incremental, of a volume or of one of its snapshots), read, list,
// update, delete, restore to a new or an existing volume, export and
// import of a backup's record, and the admin actions. Each is one
// transaction over the Service's store; the backup store is reached
// through the volume's backend after the transaction commits, in the
// background, and the outcome is written by a second transaction that
// re-reads the rows.
package backups

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/snapshots"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Backups are the backup use cases over a Service.
type Backups struct{ svc *blockstorage.Service }

// New returns the use cases over svc.
func New(svc *blockstorage.Service) Backups { return Backups{svc: svc} }

// CreateRequest is a new backup.
type CreateRequest struct {
	VolumeID, SnapshotID string
	Name, Description    string
	Container            string
	// Incremental backs up what changed since the volume's latest
	// backup; Force allows backing up an in-use volume.
	Incremental, Force bool
	Metadata           map[string]string
}

// Create stores a new backup as "creating", counted against the
// project's backup quotas, marks its source (the volume, or the
// snapshot) "backing-up", and copies it to the backup store in the
// background.
func (b Backups) Create(ctx context.Context, sc blockstorage.Scope, req CreateRequest) (*blockstorage.Backup, error) {
	if err := snapshots.CheckMetadata(req.Metadata); err != nil {
		return nil, err
	}
	limits, err := b.svc.Limits(ctx, sc.ProjectID)
	if err != nil {
		return nil, err
	}
	bk := &blockstorage.Backup{
		ID: uuid.NewString(), VolumeID: req.VolumeID, SnapshotID: req.SnapshotID, ProjectID: sc.ProjectID,
		UserID: sc.UserID, Name: req.Name, Description: req.Description, Status: blockstorage.BackupCreating,
		Container: req.Container, Zone: b.svc.Config().Zone, Incremental: req.Incremental, Metadata: req.Metadata,
	}
	var job backupJob
	err = b.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := visibleVolume(ctx, tx, sc, req.VolumeID)
		if err != nil {
			return err
		}
		job.vol = vol
		if req.SnapshotID != "" {
			if job.snap, err = sourceSnapshot(ctx, tx, sc, vol, req.SnapshotID); err != nil {
				return err
			}
		} else if err := sourceVolume(vol, req.Force); err != nil {
			return err
		}
		if req.Incremental {
			if job.parent, err = latest(ctx, tx, vol.ID); err != nil {
				return err
			}
			bk.ParentID = job.parent.ID
		}
		bk.SizeGB, bk.Host = vol.SizeGB, vol.Host
		bk.Volume = blockstorage.BackupVolume{Metadata: vol.Metadata, ImageMetadata: vol.ImageMetadata, Bootable: vol.Bootable}
		if job.snap != nil {
			bk.DataTimestamp = job.snap.CreatedAt
		}
		deltas := map[string]int64{"backups": 1, "backup_gigabytes": int64(vol.SizeGB)}
		if err := b.svc.CheckQuota(ctx, tx, sc.ProjectID, deltas, limits); err != nil {
			return err
		}
		if err := tx.CreateBackup(ctx, bk); err != nil {
			return err
		}
		// The source is busy until the copy ends: Cinder marks the
		// snapshot when backing one up, else the volume.
		if job.snap != nil {
			job.snap.Status = blockstorage.SnapStatusBackingUp
			return tx.UpdateSnapshot(ctx, job.snap)
		}
		vol.Status = blockstorage.StatusBackingUp
		return tx.UpdateVolume(ctx, vol)
	})
	if err != nil {
		return nil, err
	}
	b.svc.Go("create backup", bk.ID, func(ctx context.Context) error { return b.copy(ctx, bk, job) })
	return bk, nil
}

// sourceVolume checks that a volume may be backed up: available, or
// in-use with force.
func sourceVolume(vol *blockstorage.Volume, force bool) error {
	switch {
	case vol.Status == blockstorage.StatusAvailable:
	case vol.Status == blockstorage.StatusInUse && force:
	case vol.Status == blockstorage.StatusInUse:
		return blockstorage.InvalidVolume("Backing up an in-use volume must use the force flag.")
	default:
		return blockstorage.InvalidVolume("Volume to be backed up must be available or in-use, but the current status is \"%s\".", vol.Status)
	}
	return nil
}

// sourceSnapshot reads the snapshot a backup copies: the volume's, and
// available.
func sourceSnapshot(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, vol *blockstorage.Volume, id string) (*blockstorage.Snapshot, error) {
	snap, err := snapshots.Visible(ctx, tx, sc, id)
	if err != nil {
		return nil, err
	}
	if snap.VolumeID != vol.ID {
		return nil, blockstorage.InvalidVolume("Snapshot %s is not a snapshot of volume %s.", id, vol.ID)
	}
	if snap.Status != blockstorage.SnapStatusAvailable {
		return nil, apierr.BadRequest("Invalid snapshot: Snapshot to be backed up must be available, but the current status is \"%s\".", snap.Status)
	}
	return snap, nil
}

// latest is the newest available backup of a volume, the parent of an
// incremental one.
func latest(ctx context.Context, tx blockstorage.Tx, volumeID string) (*blockstorage.Backup, error) {
	all, err := tx.ListBackups(ctx, blockstorage.BackupFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, VolumeID: volumeID})
	if err != nil {
		return nil, err
	}
	var best *blockstorage.Backup
	for _, bk := range all {
		if bk.Status == blockstorage.BackupAvailable && (best == nil || bk.DataTimestamp.After(best.DataTimestamp)) {
			best = bk
		}
	}
	if best == nil {
		return nil, apierr.BadRequest("Invalid backup: No backups available to do an incremental backup.")
	}
	return best, nil
}

// backupJob is what the background half of a create needs.
type backupJob struct {
	vol    *blockstorage.Volume
	snap   *blockstorage.Snapshot
	parent *blockstorage.Backup
}

// copy has the volume's backend write the backup; the end state is
// "available", or "error" with the reason. The source goes back to its
// status before the backup either way.
func (b Backups) copy(ctx context.Context, bk *blockstorage.Backup, job backupJob) error {
	req := blockstorage.BackupRequest{ID: bk.ID, Volume: job.vol.Ref(), Container: bk.Container}
	if job.snap != nil {
		req.Snapshot = &blockstorage.SnapshotRef{ID: job.snap.ID, Volume: req.Volume, ProviderLocation: job.snap.ProviderLocation}
	}
	if job.parent != nil {
		p := result(job.parent)
		req.Parent = &p
	}
	res, cause := b.svc.Backend().Backup(ctx, job.vol.Host, req)
	err := b.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if err := release(ctx, tx, job.vol.ID, job.snap); err != nil {
			return err
		}
		cur, err := tx.GetBackup(ctx, bk.ID)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		// A reset or a force delete won meanwhile.
		if cur.Status != blockstorage.BackupCreating {
			return nil
		}
		if cause != nil {
			cur.Status, cur.FailReason = blockstorage.BackupError, reason(cause)
		} else {
			cur.Status, cur.Location, cur.ObjectCount = blockstorage.BackupAvailable, res.Location, res.ObjectCount
			if res.Container != "" {
				cur.Container = res.Container
			}
			if res.SizeGB > 0 {
				cur.SizeGB = res.SizeGB
			}
		}
		return tx.UpdateBackup(ctx, cur)
	})
	if err != nil {
		return err
	}
	return cause
}

// release gives a backup's source its status back: a snapshot
// "available", a volume "in-use" when attached, else "available" —
// unless something else changed it meanwhile.
func release(ctx context.Context, tx blockstorage.Tx, volumeID string, snap *blockstorage.Snapshot) error {
	if snap != nil {
		cur, err := tx.GetSnapshot(ctx, snap.ID)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		if err != nil || cur.Status != blockstorage.SnapStatusBackingUp {
			return err
		}
		cur.Status = blockstorage.SnapStatusAvailable
		return tx.UpdateSnapshot(ctx, cur)
	}
	vol, err := tx.GetVolume(ctx, volumeID)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil || vol.Status != blockstorage.StatusBackingUp {
		return err
	}
	vol.Status = blockstorage.StatusAvailable
	if vol.AttachStatus == blockstorage.AttachAttached {
		vol.Status = blockstorage.StatusInUse
	}
	return tx.UpdateVolume(ctx, vol)
}

// reason is what a backup's fail_reason says of a backend error.
func reason(err error) string {
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	return err.Error()
}

// result is what the backup store knows of a stored backup: its data's
// id, which is an imported backup's original's.
func result(bk *blockstorage.Backup) blockstorage.BackupResult {
	return blockstorage.BackupResult{ID: dataID(bk), Container: bk.Container, Location: bk.Location, SizeGB: bk.SizeGB, ObjectCount: bk.ObjectCount}
}

// dataID is the id under which a backup's data was written.
func dataID(bk *blockstorage.Backup) string {
	if bk.DataID != "" {
		return bk.DataID
	}
	return bk.ID
}

// visibleVolume reads a volume, answering 404 for one of another project
// unless the caller is an admin.
func visibleVolume(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.Volume, error) {
	vol, err := tx.GetVolume(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(vol.ProjectID)) {
		return nil, blockstorage.NotFound("Volume", id)
	}
	return vol, err
}

// visible reads a backup, answering Cinder's 404 for one of another
// project unless the caller is an admin.
func visible(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.Backup, error) {
	bk, err := tx.GetBackup(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(bk.ProjectID)) {
		return nil, apierr.NotFound("Backup %s could not be found.", id)
	}
	return bk, err
}

// Get returns a backup the caller may see.
func (b Backups) Get(ctx context.Context, sc blockstorage.Scope, id string) (*blockstorage.Backup, error) {
	var bk *blockstorage.Backup
	err := b.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		bk, err = visible(ctx, tx, sc, id)
		return err
	})
	return bk, err
}

// List returns the backups the filter selects.
func (b Backups) List(ctx context.Context, f blockstorage.BackupFilter) ([]*blockstorage.Backup, error) {
	var out []*blockstorage.Backup
	err := b.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		out, err = tx.ListBackups(ctx, f)
		return err
	})
	return out, err
}

// UpdateRequest changes a backup's name, description or metadata; nil
// leaves one as it is.
type UpdateRequest struct {
	Name, Description *string
	Metadata          map[string]string
}

// Update changes a backup's name, description and metadata (3.9, 3.43).
func (b Backups) Update(ctx context.Context, sc blockstorage.Scope, id string, req UpdateRequest) (*blockstorage.Backup, error) {
	if err := snapshots.CheckMetadata(req.Metadata); err != nil {
		return nil, err
	}
	return b.change(ctx, sc, id, func(bk *blockstorage.Backup) error {
		if req.Name != nil {
			bk.Name = *req.Name
		}
		if req.Description != nil {
			bk.Description = *req.Description
		}
		if req.Metadata != nil {
			bk.Metadata = req.Metadata
		}
		return nil
	})
}

// change applies fn to a visible backup and writes it, in one
// transaction.
func (b Backups) change(ctx context.Context, sc blockstorage.Scope, id string, fn func(*blockstorage.Backup) error) (*blockstorage.Backup, error) {
	var bk *blockstorage.Backup
	err := b.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if bk, err = visible(ctx, tx, sc, id); err != nil {
			return err
		}
		if err := fn(bk); err != nil {
			return err
		}
		return tx.UpdateBackup(ctx, bk)
	})
	return bk, err
}

// ResetStatus sets a backup's status to available or error (an admin's
// os-reset_status), with no work on the backup store.
func (b Backups) ResetStatus(ctx context.Context, sc blockstorage.Scope, id, status string) error {
	if !slices.Contains([]string{blockstorage.BackupAvailable, blockstorage.BackupError}, status) {
		return apierr.BadRequest("Invalid input received: Backup status must be available or error, not %q.", status)
	}
	_, err := b.change(ctx, sc, id, func(bk *blockstorage.Backup) error {
		bk.Status = status
		return nil
	})
	return err
}

// Delete marks a backup "deleting" and removes its data in the
// background; force (an admin's os-force_delete) skips the status rule.
// A backup that incremental ones build on stays.
func (b Backups) Delete(ctx context.Context, sc blockstorage.Scope, id string, force bool) error {
	var bk *blockstorage.Backup
	err := b.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if bk, err = visible(ctx, tx, sc, id); err != nil {
			return err
		}
		if !force && bk.Status != blockstorage.BackupAvailable && bk.Status != blockstorage.BackupError {
			return apierr.BadRequest("Invalid backup: Backup status must be available or error")
		}
		if bk.HasDependents {
			return apierr.BadRequest("Invalid backup: Incremental backups exist for this backup.")
		}
		bk.Status = blockstorage.BackupDeleting
		return tx.UpdateBackup(ctx, bk)
	})
	if err != nil {
		return err
	}
	b.svc.Go("delete backup", id, func(ctx context.Context) error { return b.destroy(ctx, bk) })
	return nil
}

// destroy removes a backup's data, then its row; a failure leaves it
// "error" with the reason, as Cinder does. The data stays while another
// backup row names it (an imported copy of the record).
func (b Backups) destroy(ctx context.Context, bk *blockstorage.Backup) error {
	var shared bool
	err := b.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		shared, err = sharesData(ctx, tx, bk)
		return err
	})
	if err != nil {
		return err
	}
	var cause error
	if !shared && bk.Location != "" && bk.Host != "" {
		req := blockstorage.BackupRequest{ID: dataID(bk), Volume: blockstorage.VolumeRef{ID: bk.VolumeID, SizeGB: bk.SizeGB}, Container: bk.Container}
		cause = b.svc.Backend().DeleteBackup(ctx, bk.Host, req)
	}
	err = b.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if cause == nil {
			if err := tx.DeleteBackup(ctx, bk.ID); err != nil && !errors.Is(err, apierr.ErrNotFound) {
				return err
			}
			return nil
		}
		cur, err := tx.GetBackup(ctx, bk.ID)
		if err != nil {
			return err
		}
		cur.Status, cur.FailReason = blockstorage.BackupError, reason(cause)
		return tx.UpdateBackup(ctx, cur)
	})
	if err != nil {
		return err
	}
	return cause
}

// sharesData reports whether another backup row names the same data
// (an import of the backup's record, or the original of an import).
func sharesData(ctx context.Context, tx blockstorage.Tx, bk *blockstorage.Backup) (bool, error) {
	all, err := tx.ListBackups(ctx, blockstorage.BackupFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, VolumeID: bk.VolumeID})
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(all, func(o *blockstorage.Backup) bool { return o.ID != bk.ID && dataID(o) == dataID(bk) }), nil
}
