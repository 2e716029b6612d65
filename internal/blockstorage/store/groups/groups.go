// Package groups is the SQL of generic volume groups, the volume types
// each allows, group snapshots, and the snapshots' group_snapshot_id.
package groups

import (
	"context"
	"database/sql"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

// Txn is the groups part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }

const groupCols = `id, project_id, user_id, name, description, status, availability_zone, group_type_id,
	group_snapshot_id, source_group_id, replication_status, created_at, updated_at`

func scanGroup(sc db.Scanner) (*blockstorage.Group, error) {
	var g blockstorage.Group
	if err := sc.Scan(&g.ID, &g.ProjectID, &g.UserID, &g.Name, &g.Description, &g.Status, &g.Zone, &g.GroupTypeID,
		&g.GroupSnapshotID, &g.SourceGroupID, &g.ReplicationStatus, &g.CreatedAt, &g.UpdatedAt); err != nil {
		return nil, err
	}
	g.CreatedAt, g.UpdatedAt = db.UTC(g.CreatedAt), db.UTC(g.UpdatedAt)
	return &g, nil
}

// CreateGroup inserts g with its volume types, setting its times.
func (t Txn) CreateGroup(ctx context.Context, g *blockstorage.Group) error {
	now := db.Now()
	if g.CreatedAt.IsZero() {
		g.CreatedAt = now
	}
	g.UpdatedAt = now
	if g.ReplicationStatus == "" {
		g.ReplicationStatus = "disabled"
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO volume_groups (`+groupCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		g.ID, g.ProjectID, g.UserID, g.Name, g.Description, g.Status, g.Zone, g.GroupTypeID, g.GroupSnapshotID,
		g.SourceGroupID, g.ReplicationStatus, g.CreatedAt, g.UpdatedAt)
	if err := rows.Duplicate(err); err != nil {
		return err
	}
	return t.setTypes(ctx, g)
}

// setTypes writes a group's volume types, replacing what it had; a type
// given twice is stored once, at its first place.
func (t Txn) setTypes(ctx context.Context, g *blockstorage.Group) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM group_volume_types WHERE group_id = $1`, g.ID); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, id := range g.VolumeTypeIDs {
		if seen[id] {
			continue
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO group_volume_types (group_id, volume_type_id, position)
			VALUES ($1, $2, $3)`, g.ID, id, len(seen)); err != nil {
			return err
		}
		seen[id] = true
	}
	return nil
}

// types fills the volume types of groups.
func (t Txn) types(ctx context.Context, gs []*blockstorage.Group) error {
	if len(gs) == 0 {
		return nil
	}
	byID := make(map[string]*blockstorage.Group, len(gs))
	ids := make([]string, 0, len(gs))
	for _, g := range gs {
		g.VolumeTypeIDs = []string{}
		byID[g.ID] = g
		ids = append(ids, g.ID)
	}
	var w db.Where
	w.In("group_id", ids)
	rs, err := t.tx.QueryContext(ctx, `SELECT group_id, volume_type_id FROM group_volume_types`+w.Clause()+`
		ORDER BY group_id, position`, w.Vals...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var gid, tid string
		if err := rs.Scan(&gid, &tid); err != nil {
			return err
		}
		byID[gid].VolumeTypeIDs = append(byID[gid].VolumeTypeIDs, tid)
	}
	return rs.Err()
}

// GetGroup reads one group with its volume types.
func (t Txn) GetGroup(ctx context.Context, id string) (*blockstorage.Group, error) {
	g, err := scanGroup(t.tx.QueryRowContext(ctx, `SELECT `+groupCols+` FROM volume_groups WHERE id = $1`, id))
	if err != nil {
		return nil, db.NotFound(err)
	}
	return g, t.types(ctx, []*blockstorage.Group{g})
}

// scope adds the project condition of f to w: the caller's project, or
// with an admin's AllProjects every project (or the one f names).
func scope(w *db.Where, f blockstorage.GroupFilter) {
	if f.AllProjects && f.Scope.Admin {
		w.Eq("project_id", f.ProjectID)
	} else {
		w.And("project_id = " + w.Add(f.Scope.ProjectID))
	}
}

// ListGroups reads the groups f selects, newest first.
func (t Txn) ListGroups(ctx context.Context, f blockstorage.GroupFilter) ([]*blockstorage.Group, error) {
	var w db.Where
	scope(&w, f)
	gs, err := db.All(ctx, t.tx, scanGroup, `SELECT `+groupCols+` FROM volume_groups`+w.Clause()+` ORDER BY created_at DESC, id DESC`, w.Vals...)
	if err != nil {
		return nil, err
	}
	return gs, t.types(ctx, gs)
}

// UpdateGroup writes every column of g and its volume types.
func (t Txn) UpdateGroup(ctx context.Context, g *blockstorage.Group) error {
	g.UpdatedAt = db.Now()
	res, err := t.tx.ExecContext(ctx, `UPDATE volume_groups SET project_id = $2, user_id = $3, name = $4, description = $5,
		status = $6, availability_zone = $7, group_type_id = $8, group_snapshot_id = $9, source_group_id = $10,
		replication_status = $11, updated_at = $12 WHERE id = $1`,
		g.ID, g.ProjectID, g.UserID, g.Name, g.Description, g.Status, g.Zone, g.GroupTypeID, g.GroupSnapshotID,
		g.SourceGroupID, g.ReplicationStatus, g.UpdatedAt)
	if err := rows.Affected(res, err); err != nil {
		return err
	}
	return t.setTypes(ctx, g)
}

// DeleteGroup removes a group and its volume types.
func (t Txn) DeleteGroup(ctx context.Context, id string) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM group_volume_types WHERE group_id = $1`, id); err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM volume_groups WHERE id = $1`, id)
	return rows.Affected(res, err)
}

// GroupVolumeIDs lists the volumes whose group_id is the group, oldest
// first.
func (t Txn) GroupVolumeIDs(ctx context.Context, groupID string) ([]string, error) {
	return db.Strings(ctx, t.tx, `SELECT id FROM volumes WHERE group_id = $1 ORDER BY created_at, id`, groupID)
}

// CreatingFrom reports whether a group still "creating" names id as its
// source group or group snapshot.
func (t Txn) CreatingFrom(ctx context.Context, id string) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM volume_groups
		WHERE status = $1 AND (source_group_id = $2 OR group_snapshot_id = $2)`, blockstorage.GroupCreating, id).Scan(&n)
	return n > 0, err
}
