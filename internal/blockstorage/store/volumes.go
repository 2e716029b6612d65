package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

const volumeCols = `id, project_id, user_id, name, description, size_gb, status, attach_status, migration_status,
	availability_zone, type_id, bootable, multiattach, encrypted, snapshot_id, source_volid, backup_id, image_id,
	group_id, host, provider_location, metadata, admin_metadata, image_metadata, consumes_quota, created_at,
	updated_at, launched_at`

func scanVolume(sc db.Scanner) (*blockstorage.Volume, error) {
	var v blockstorage.Volume
	var meta, admin, image string
	var launched sql.NullTime
	if err := sc.Scan(&v.ID, &v.ProjectID, &v.UserID, &v.Name, &v.Description, &v.SizeGB, &v.Status, &v.AttachStatus,
		&v.MigrationStatus, &v.AvailabilityZone, &v.TypeID, &v.Bootable, &v.Multiattach, &v.Encrypted, &v.SnapshotID,
		&v.SourceVolID, &v.BackupID, &v.ImageID, &v.GroupID, &v.Host, &v.ProviderLocation, &meta, &admin, &image,
		&v.ConsumesQuota, &v.CreatedAt, &v.UpdatedAt, &launched); err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt = db.UTC(v.CreatedAt), db.UTC(v.UpdatedAt)
	if launched.Valid {
		v.LaunchedAt = db.UTC(launched.Time)
	}
	for _, m := range []struct {
		raw string
		dst *map[string]string
	}{{meta, &v.Metadata}, {admin, &v.AdminMetadata}, {image, &v.ImageMetadata}} {
		*m.dst = map[string]string{}
		if err := db.FromJSON(m.raw, m.dst); err != nil {
			return nil, err
		}
	}
	return &v, nil
}

func launched(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t, Valid: true}
}

func (t *txn) CreateVolume(ctx context.Context, v *blockstorage.Volume) error {
	now := db.Now()
	if v.CreatedAt.IsZero() {
		v.CreatedAt = now
	}
	v.UpdatedAt = now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO volumes (`+volumeCols+`) VALUES
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)`,
		v.ID, v.ProjectID, v.UserID, v.Name, v.Description, v.SizeGB, v.Status, v.AttachStatus, v.MigrationStatus,
		v.AvailabilityZone, v.TypeID, v.Bootable, v.Multiattach, v.Encrypted, v.SnapshotID, v.SourceVolID, v.BackupID,
		v.ImageID, v.GroupID, v.Host, v.ProviderLocation, rows.Meta(v.Metadata), rows.Meta(v.AdminMetadata),
		rows.Meta(v.ImageMetadata), v.ConsumesQuota, v.CreatedAt, v.UpdatedAt, launched(v.LaunchedAt))
	return rows.Duplicate(err)
}

func (t *txn) GetVolume(ctx context.Context, id string) (*blockstorage.Volume, error) {
	v, err := scanVolume(t.tx.QueryRowContext(ctx, `SELECT `+volumeCols+` FROM volumes WHERE id = $1`, id))
	return v, db.NotFound(err)
}

func (t *txn) UpdateVolume(ctx context.Context, v *blockstorage.Volume) error {
	v.UpdatedAt = db.Now()
	res, err := t.tx.ExecContext(ctx, `UPDATE volumes SET project_id = $2, user_id = $3, name = $4, description = $5,
		size_gb = $6, status = $7, attach_status = $8, migration_status = $9, availability_zone = $10, type_id = $11,
		bootable = $12, multiattach = $13, encrypted = $14, snapshot_id = $15, source_volid = $16, backup_id = $17,
		image_id = $18, group_id = $19, host = $20, provider_location = $21, metadata = $22, admin_metadata = $23,
		image_metadata = $24, consumes_quota = $25, updated_at = $26, launched_at = $27 WHERE id = $1`,
		v.ID, v.ProjectID, v.UserID, v.Name, v.Description, v.SizeGB, v.Status, v.AttachStatus, v.MigrationStatus,
		v.AvailabilityZone, v.TypeID, v.Bootable, v.Multiattach, v.Encrypted, v.SnapshotID, v.SourceVolID, v.BackupID,
		v.ImageID, v.GroupID, v.Host, v.ProviderLocation, rows.Meta(v.Metadata), rows.Meta(v.AdminMetadata),
		rows.Meta(v.ImageMetadata), v.ConsumesQuota, v.UpdatedAt, launched(v.LaunchedAt))
	return rows.Affected(res, err)
}

func (t *txn) DeleteVolume(ctx context.Context, id string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM volumes WHERE id = $1`, id)
	return rows.Affected(res, err)
}

func (t *txn) ListVolumes(ctx context.Context, f blockstorage.VolumeFilter) ([]*blockstorage.Volume, error) {
	var w db.Where
	switch {
	case f.AllProjects && f.Scope.Admin:
		if f.ProjectID != "" {
			w.Eq("project_id", f.ProjectID)
		}
	default:
		w.Eq("project_id", f.Scope.ProjectID)
	}
	if len(f.IDs) > 0 {
		w.In("id", f.IDs)
	}
	return db.All(ctx, t.tx, scanVolume, `SELECT `+volumeCols+` FROM volumes`+w.Clause()+` ORDER BY created_at DESC, id DESC`, w.Vals...)
}
