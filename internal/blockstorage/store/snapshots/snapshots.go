// Package snapshots is the SQL of snapshots and their metadata.
package snapshots

import (
	"context"
	"database/sql"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

// Txn is the snapshots part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }

const cols = `id, volume_id, project_id, user_id, name, description, status, progress, size_gb, provider_location,
	metadata, created_at, updated_at`

func scan(sc db.Scanner) (*blockstorage.Snapshot, error) {
	var s blockstorage.Snapshot
	var meta string
	if err := sc.Scan(&s.ID, &s.VolumeID, &s.ProjectID, &s.UserID, &s.Name, &s.Description, &s.Status, &s.Progress,
		&s.SizeGB, &s.ProviderLocation, &meta, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt = db.UTC(s.CreatedAt), db.UTC(s.UpdatedAt)
	var err error
	if s.Metadata, err = rows.ReadMeta(meta); err != nil {
		return nil, err
	}
	return &s, nil
}

// CreateSnapshot inserts s, setting its times.
func (t Txn) CreateSnapshot(ctx context.Context, s *blockstorage.Snapshot) error {
	now := db.Now()
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	s.UpdatedAt = now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO snapshots (`+cols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		s.ID, s.VolumeID, s.ProjectID, s.UserID, s.Name, s.Description, s.Status, s.Progress, s.SizeGB,
		s.ProviderLocation, rows.Meta(s.Metadata), s.CreatedAt, s.UpdatedAt)
	return rows.Duplicate(err)
}

// GetSnapshot reads one snapshot.
func (t Txn) GetSnapshot(ctx context.Context, id string) (*blockstorage.Snapshot, error) {
	s, err := scan(t.tx.QueryRowContext(ctx, `SELECT `+cols+` FROM snapshots WHERE id = $1`, id))
	return s, db.NotFound(err)
}

// ListSnapshots reads the snapshots f selects, newest first.
func (t Txn) ListSnapshots(ctx context.Context, f blockstorage.SnapshotFilter) ([]*blockstorage.Snapshot, error) {
	var w db.Where
	if f.AllProjects && f.Scope.Admin {
		w.Eq("project_id", f.ProjectID)
	} else {
		w.Eq("project_id", f.Scope.ProjectID)
	}
	w.Eq("volume_id", f.VolumeID)
	return db.All(ctx, t.tx, scan, `SELECT `+cols+` FROM snapshots`+w.Clause()+` ORDER BY created_at DESC, id DESC`, w.Vals...)
}

// UpdateSnapshot writes every column of s and its metadata.
func (t Txn) UpdateSnapshot(ctx context.Context, s *blockstorage.Snapshot) error {
	s.UpdatedAt = db.Now()
	res, err := t.tx.ExecContext(ctx, `UPDATE snapshots SET volume_id = $2, project_id = $3, user_id = $4, name = $5,
		description = $6, status = $7, progress = $8, size_gb = $9, provider_location = $10, metadata = $11,
		updated_at = $12 WHERE id = $1`,
		s.ID, s.VolumeID, s.ProjectID, s.UserID, s.Name, s.Description, s.Status, s.Progress, s.SizeGB,
		s.ProviderLocation, rows.Meta(s.Metadata), s.UpdatedAt)
	return rows.Affected(res, err)
}

// DeleteSnapshot removes one snapshot's row.
func (t Txn) DeleteSnapshot(ctx context.Context, id string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM snapshots WHERE id = $1`, id)
	return rows.Affected(res, err)
}
