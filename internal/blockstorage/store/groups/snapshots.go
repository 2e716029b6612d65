package groups

import (
	"context"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

const snapCols = `id, group_id, group_type_id, project_id, user_id, name, description, status, created_at, updated_at`

func scanSnapshot(sc db.Scanner) (*blockstorage.GroupSnapshot, error) {
	var s blockstorage.GroupSnapshot
	if err := sc.Scan(&s.ID, &s.GroupID, &s.GroupTypeID, &s.ProjectID, &s.UserID, &s.Name, &s.Description, &s.Status,
		&s.CreatedAt, &s.UpdatedAt); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt = db.UTC(s.CreatedAt), db.UTC(s.UpdatedAt)
	return &s, nil
}

// CreateGroupSnapshot inserts s, setting its times.
func (t Txn) CreateGroupSnapshot(ctx context.Context, s *blockstorage.GroupSnapshot) error {
	now := db.Now()
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	s.UpdatedAt = now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO group_snapshots (`+snapCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.GroupID, s.GroupTypeID, s.ProjectID, s.UserID, s.Name, s.Description, s.Status, s.CreatedAt, s.UpdatedAt)
	return rows.Duplicate(err)
}

// GetGroupSnapshot reads one group snapshot.
func (t Txn) GetGroupSnapshot(ctx context.Context, id string) (*blockstorage.GroupSnapshot, error) {
	s, err := scanSnapshot(t.tx.QueryRowContext(ctx, `SELECT `+snapCols+` FROM group_snapshots WHERE id = $1`, id))
	return s, db.NotFound(err)
}

// ListGroupSnapshots reads the group snapshots f selects, newest first.
func (t Txn) ListGroupSnapshots(ctx context.Context, f blockstorage.GroupFilter) ([]*blockstorage.GroupSnapshot, error) {
	var w db.Where
	scope(&w, f)
	w.Eq("group_id", f.GroupID)
	return db.All(ctx, t.tx, scanSnapshot, `SELECT `+snapCols+` FROM group_snapshots`+w.Clause()+` ORDER BY created_at DESC, id DESC`, w.Vals...)
}

// UpdateGroupSnapshot writes every column of s.
func (t Txn) UpdateGroupSnapshot(ctx context.Context, s *blockstorage.GroupSnapshot) error {
	s.UpdatedAt = db.Now()
	res, err := t.tx.ExecContext(ctx, `UPDATE group_snapshots SET group_id = $2, group_type_id = $3, project_id = $4,
		user_id = $5, name = $6, description = $7, status = $8, updated_at = $9 WHERE id = $1`,
		s.ID, s.GroupID, s.GroupTypeID, s.ProjectID, s.UserID, s.Name, s.Description, s.Status, s.UpdatedAt)
	return rows.Affected(res, err)
}

// DeleteGroupSnapshot removes a group snapshot's row (its snapshots are
// deleted one by one through SnapshotTx).
func (t Txn) DeleteGroupSnapshot(ctx context.Context, id string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM group_snapshots WHERE id = $1`, id)
	return rows.Affected(res, err)
}

// SetSnapshotGroup sets a snapshot's group_snapshot_id.
func (t Txn) SetSnapshotGroup(ctx context.Context, snapshotID, groupSnapshotID string) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE snapshots SET group_snapshot_id = $2 WHERE id = $1`, snapshotID, groupSnapshotID)
	return rows.Affected(res, err)
}

// GroupSnapshotMembers lists the snapshots of a group snapshot, oldest
// first.
func (t Txn) GroupSnapshotMembers(ctx context.Context, groupSnapshotID string) ([]string, error) {
	if groupSnapshotID == "" {
		return []string{}, nil
	}
	return db.Strings(ctx, t.tx, `SELECT id FROM snapshots WHERE group_snapshot_id = $1 ORDER BY created_at, id`, groupSnapshotID)
}

// SnapshotGroup reads a snapshot's group_snapshot_id.
func (t Txn) SnapshotGroup(ctx context.Context, snapshotID string) (string, error) {
	ids, err := db.Strings(ctx, t.tx, `SELECT group_snapshot_id FROM snapshots WHERE id = $1`, snapshotID)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}
