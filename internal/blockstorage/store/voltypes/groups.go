package voltypes

import (
	"context"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

const groupTypeCols = `id, name, description, is_public, created_at, updated_at`

func scanGroupType(sc db.Scanner) (*blockstorage.GroupType, error) {
	var g blockstorage.GroupType
	if err := sc.Scan(&g.ID, &g.Name, &g.Description, &g.IsPublic, &g.CreatedAt, &g.UpdatedAt); err != nil {
		return nil, err
	}
	g.CreatedAt, g.UpdatedAt = db.UTC(g.CreatedAt), db.UTC(g.UpdatedAt)
	g.GroupSpecs = map[string]string{}
	return &g, nil
}

// GetGroupType returns a group type with its specs.
func (t Txn) GetGroupType(ctx context.Context, id string) (*blockstorage.GroupType, error) {
	return t.getGroupType(ctx, `id`, id)
}

// GetGroupTypeByName returns the group type named name.
func (t Txn) GetGroupTypeByName(ctx context.Context, name string) (*blockstorage.GroupType, error) {
	return t.getGroupType(ctx, `name`, name)
}

func (t Txn) getGroupType(ctx context.Context, col, v string) (*blockstorage.GroupType, error) {
	g, err := scanGroupType(t.tx.QueryRowContext(ctx, `SELECT `+groupTypeCols+` FROM group_types WHERE `+col+` = $1`, v))
	if err != nil {
		return nil, db.NotFound(err)
	}
	return g, t.fillGroupSpecs(ctx, []*blockstorage.GroupType{g})
}

func (t Txn) fillGroupSpecs(ctx context.Context, gs []*blockstorage.GroupType) error {
	if len(gs) == 0 {
		return nil
	}
	byID := make(map[string]*blockstorage.GroupType, len(gs))
	ids := make([]string, len(gs))
	for i, g := range gs {
		byID[g.ID], ids[i] = g, g.ID
	}
	var a db.Args
	return specRows(ctx, t.tx, `SELECT group_type_id, spec_key, value FROM group_type_specs WHERE group_type_id IN (`+db.List(&a, ids)+`)`,
		a.Vals, func(id, k, v string) { byID[id].GroupSpecs[k] = v })
}

// ListGroupTypes lists group types by name. Group types have no access
// lists: a non-admin sees the public ones.
func (t Txn) ListGroupTypes(ctx context.Context, f blockstorage.TypeFilter) ([]*blockstorage.GroupType, error) {
	var w db.Where
	if f.IsPublic != nil {
		w.And(`is_public = ` + w.Add(*f.IsPublic))
	}
	if f.Project != "" {
		w.And(`is_public`)
	}
	gs, err := db.All(ctx, t.tx, scanGroupType, `SELECT `+groupTypeCols+` FROM group_types`+w.Clause()+` ORDER BY name, id`, w.Vals...)
	if err != nil {
		return nil, err
	}
	return gs, t.fillGroupSpecs(ctx, gs)
}

// CreateGroupType inserts a group type and its specs.
func (t Txn) CreateGroupType(ctx context.Context, g *blockstorage.GroupType) error {
	now := db.Now()
	g.CreatedAt, g.UpdatedAt = now, now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO group_types (`+groupTypeCols+`) VALUES ($1, $2, $3, $4, $5, $5)`,
		g.ID, g.Name, g.Description, g.IsPublic, now)
	if err != nil {
		return rows.Duplicate(err)
	}
	return t.SetGroupSpecs(ctx, g.ID, g.GroupSpecs)
}

// UpdateGroupType writes the name, description and is_public.
func (t Txn) UpdateGroupType(ctx context.Context, g *blockstorage.GroupType) error {
	g.UpdatedAt = db.Now()
	res, err := t.tx.ExecContext(ctx, `UPDATE group_types SET name = $2, description = $3, is_public = $4, updated_at = $5
		WHERE id = $1`, g.ID, g.Name, g.Description, g.IsPublic, g.UpdatedAt)
	return rows.Affected(res, rows.Duplicate(err))
}

// DeleteGroupType removes a group type and its specs.
func (t Txn) DeleteGroupType(ctx context.Context, id string) error {
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM volume_groups WHERE group_type_id = $1`, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return blockstorage.BadRequest("Group Type %s deletion is not allowed with groups present with the type.", id)
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM group_types WHERE id = $1`, id)
	return rows.Affected(res, err)
}

// SetGroupSpecs adds or replaces keys.
func (t Txn) SetGroupSpecs(ctx context.Context, groupTypeID string, specs map[string]string) error {
	return setSpecs(ctx, t.tx, `INSERT INTO group_type_specs (group_type_id, spec_key, value) VALUES ($1, $2, $3)
		ON CONFLICT (group_type_id, spec_key) DO UPDATE SET value = excluded.value`, groupTypeID, specs)
}

// DeleteGroupSpec removes one key.
func (t Txn) DeleteGroupSpec(ctx context.Context, groupTypeID, key string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM group_type_specs WHERE group_type_id = $1 AND spec_key = $2`, groupTypeID, key)
	return rows.Affected(res, err)
}
