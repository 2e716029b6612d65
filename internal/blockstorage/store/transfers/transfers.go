// Package transfers is the SQL of volume transfers.
package transfers

import (
	"context"
	"database/sql"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

// Txn is the transfers part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }

const cols = `id, volume_id, project_id, name, salt, crypt_hash, no_snapshots, created_at, updated_at`

func scan(sc db.Scanner) (*blockstorage.Transfer, error) {
	var t blockstorage.Transfer
	if err := sc.Scan(&t.ID, &t.VolumeID, &t.ProjectID, &t.Name, &t.Salt, &t.CryptHash, &t.NoSnapshots,
		&t.CreatedAt, &t.UpdatedAt); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = db.UTC(t.CreatedAt), db.UTC(t.UpdatedAt)
	return &t, nil
}

// CreateTransfer inserts tr; a second transfer of the same volume is
// apierr.ErrDuplicate.
func (t Txn) CreateTransfer(ctx context.Context, tr *blockstorage.Transfer) error {
	now := db.Now()
	if tr.CreatedAt.IsZero() {
		tr.CreatedAt = now
	}
	tr.UpdatedAt = now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO transfers (`+cols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		tr.ID, tr.VolumeID, tr.ProjectID, tr.Name, tr.Salt, tr.CryptHash, tr.NoSnapshots, tr.CreatedAt, tr.UpdatedAt)
	return rows.Duplicate(err)
}

// GetTransfer reads one transfer.
func (t Txn) GetTransfer(ctx context.Context, id string) (*blockstorage.Transfer, error) {
	tr, err := scan(t.tx.QueryRowContext(ctx, `SELECT `+cols+` FROM transfers WHERE id = $1`, id))
	return tr, db.NotFound(err)
}

// ListTransfers reads the transfers f selects, newest first.
func (t Txn) ListTransfers(ctx context.Context, f blockstorage.TransferFilter) ([]*blockstorage.Transfer, error) {
	var w db.Where
	if !(f.AllProjects && f.Scope.Admin) {
		w.Eq("project_id", f.Scope.ProjectID)
	}
	w.Eq("volume_id", f.VolumeID)
	return db.All(ctx, t.tx, scan, `SELECT `+cols+` FROM transfers`+w.Clause()+` ORDER BY created_at DESC, id DESC`, w.Vals...)
}

// DeleteTransfer removes one transfer.
func (t Txn) DeleteTransfer(ctx context.Context, id string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM transfers WHERE id = $1`, id)
	return rows.Affected(res, err)
}
