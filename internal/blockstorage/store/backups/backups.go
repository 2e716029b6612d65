// Package backups is the SQL of backups.
package backups

import (
	"context"
	"database/sql"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

// Txn is the backups part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }

const cols = `id, volume_id, snapshot_id, project_id, user_id, name, description, status, container, parent_id,
	location, data_id, fail_reason, availability_zone, host, size_gb, object_count, incremental, metadata, restore_volume_id,
	volume_info, data_timestamp, created_at, updated_at`

// selectCols reads a backup's columns and whether an incremental backup
// builds on it, which is counted rather than stored so that it can never
// disagree with the rows.
const selectCols = `SELECT ` + cols + `, EXISTS (SELECT 1 FROM backups c WHERE c.parent_id = backups.id) FROM backups`

func scan(sc db.Scanner) (*blockstorage.Backup, error) {
	var b blockstorage.Backup
	var meta, info string
	if err := sc.Scan(&b.ID, &b.VolumeID, &b.SnapshotID, &b.ProjectID, &b.UserID, &b.Name, &b.Description, &b.Status,
		&b.Container, &b.ParentID, &b.Location, &b.DataID, &b.FailReason, &b.Zone, &b.Host, &b.SizeGB, &b.ObjectCount,
		&b.Incremental, &meta, &b.RestoreVolumeID, &info, &b.DataTimestamp, &b.CreatedAt, &b.UpdatedAt,
		&b.HasDependents); err != nil {
		return nil, err
	}
	b.DataTimestamp, b.CreatedAt, b.UpdatedAt = db.UTC(b.DataTimestamp), db.UTC(b.CreatedAt), db.UTC(b.UpdatedAt)
	var err error
	if b.Metadata, err = rows.ReadMeta(meta); err != nil {
		return nil, err
	}
	if err := db.FromJSON(info, &b.Volume); err != nil {
		return nil, err
	}
	return &b, nil
}

// CreateBackup inserts b, setting its times (DataTimestamp defaults to
// the creation time).
func (t Txn) CreateBackup(ctx context.Context, b *blockstorage.Backup) error {
	now := db.Now()
	if b.CreatedAt.IsZero() {
		b.CreatedAt = now
	}
	if b.DataTimestamp.IsZero() {
		b.DataTimestamp = b.CreatedAt
	}
	b.UpdatedAt = now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO backups (`+cols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
		$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
		b.ID, b.VolumeID, b.SnapshotID, b.ProjectID, b.UserID, b.Name, b.Description, b.Status, b.Container,
		b.ParentID, b.Location, b.DataID, b.FailReason, b.Zone, b.Host, b.SizeGB, b.ObjectCount, b.Incremental,
		rows.Meta(b.Metadata), b.RestoreVolumeID, db.JSON(b.Volume), b.DataTimestamp, b.CreatedAt, b.UpdatedAt)
	return rows.Duplicate(err)
}

// GetBackup reads one backup.
func (t Txn) GetBackup(ctx context.Context, id string) (*blockstorage.Backup, error) {
	b, err := scan(t.tx.QueryRowContext(ctx, selectCols+` WHERE id = $1`, id))
	return b, db.NotFound(err)
}

// ListBackups reads the backups f selects, newest first.
func (t Txn) ListBackups(ctx context.Context, f blockstorage.BackupFilter) ([]*blockstorage.Backup, error) {
	var w db.Where
	if f.AllProjects && f.Scope.Admin {
		w.Eq("project_id", f.ProjectID)
	} else {
		w.Eq("project_id", f.Scope.ProjectID)
	}
	w.Eq("volume_id", f.VolumeID)
	w.Eq("parent_id", f.ParentID)
	return db.All(ctx, t.tx, scan, selectCols+w.Clause()+` ORDER BY created_at DESC, id DESC`, w.Vals...)
}

// UpdateBackup writes every column of b and its metadata.
func (t Txn) UpdateBackup(ctx context.Context, b *blockstorage.Backup) error {
	b.UpdatedAt = db.Now()
	res, err := t.tx.ExecContext(ctx, `UPDATE backups SET volume_id = $2, snapshot_id = $3, project_id = $4,
		user_id = $5, name = $6, description = $7, status = $8, container = $9, parent_id = $10, location = $11,
		data_id = $12, fail_reason = $13, availability_zone = $14, host = $15, size_gb = $16, object_count = $17,
		incremental = $18, metadata = $19, restore_volume_id = $20, volume_info = $21, data_timestamp = $22,
		updated_at = $23 WHERE id = $1`,
		b.ID, b.VolumeID, b.SnapshotID, b.ProjectID, b.UserID, b.Name, b.Description, b.Status, b.Container,
		b.ParentID, b.Location, b.DataID, b.FailReason, b.Zone, b.Host, b.SizeGB, b.ObjectCount, b.Incremental,
		rows.Meta(b.Metadata), b.RestoreVolumeID, db.JSON(b.Volume), b.DataTimestamp, b.UpdatedAt)
	return rows.Affected(res, err)
}

// DeleteBackup removes one backup's row.
func (t Txn) DeleteBackup(ctx context.Context, id string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM backups WHERE id = $1`, id)
	return rows.Affected(res, err)
}
