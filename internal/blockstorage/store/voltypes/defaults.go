package voltypes

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// DefaultTypeID is the project's default type, else the service-wide one
// (project ”), else "".
func (t Txn) DefaultTypeID(ctx context.Context, project string) (string, error) {
	var id string
	err := t.tx.QueryRowContext(ctx, `SELECT type_id FROM default_types WHERE project_id IN ($1, '')
		ORDER BY project_id DESC LIMIT 1`, project).Scan(&id)
	if errors.Is(db.NotFound(err), apierr.ErrNotFound) {
		return "", nil
	}
	return id, err
}

// SetDefaultType sets a project's default type.
func (t Txn) SetDefaultType(ctx context.Context, project, typeID string) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO default_types (project_id, type_id) VALUES ($1, $2)
		ON CONFLICT (project_id) DO UPDATE SET type_id = excluded.type_id`, project, typeID)
	return err
}

// DeleteDefaultType unsets a project's default type.
func (t Txn) DeleteDefaultType(ctx context.Context, project string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM default_types WHERE project_id = $1`, project)
	return rows.Affected(res, err)
}

// ListDefaultTypes maps the projects with a default of their own to it.
func (t Txn) ListDefaultTypes(ctx context.Context) (map[string]string, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT project_id, type_id FROM default_types WHERE project_id <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, id string
		if err := rows.Scan(&p, &id); err != nil {
			return nil, err
		}
		out[p] = id
	}
	return out, rows.Err()
}
