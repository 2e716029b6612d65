package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/gostack/gostack/internal/image/imports"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const taskColumns = `id, type, status, owner, user_id, request_id, image_id, input, result, message, created_at, updated_at, expires_at`

func scanTask(sc db.Scanner) (*imports.Task, error) {
	var t imports.Task
	var status, input string
	var result sql.NullString
	var expires sql.NullTime
	if err := sc.Scan(&t.ID, &t.Type, &status, &t.Owner, &t.UserID, &t.RequestID, &t.ImageID,
		&input, &result, &t.Message, &t.CreatedAt, &t.UpdatedAt, &expires); err != nil {
		return nil, err
	}
	t.Status = imports.TaskStatus(status)
	t.Input = json.RawMessage(input)
	if result.Valid {
		t.Result = json.RawMessage(result.String)
	}
	t.ExpiresAt = db.TimePtr(expires)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return &t, nil
}

func taskArgs(t *imports.Task) (input string, result sql.NullString, expires sql.NullTime) {
	input = string(t.Input)
	if input == "" {
		input = "{}"
	}
	if len(t.Result) > 0 {
		result = sql.NullString{String: string(t.Result), Valid: true}
	}
	return input, result, db.NullTime(t.ExpiresAt)
}

// CreateTask implements imports.Store.
func (s *Store) CreateTask(ctx context.Context, t *imports.Task) error {
	input, result, expires := taskArgs(t)
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO image_tasks (`+taskColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		t.ID, t.Type, string(t.Status), t.Owner, t.UserID, t.RequestID, t.ImageID,
		input, result, t.Message, t.CreatedAt, t.UpdatedAt, expires)
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

// GetTask implements imports.Store.
func (s *Store) GetTask(ctx context.Context, id string) (*imports.Task, error) {
	return getTask(ctx, s.db.Reader(), id)
}

func getTask(ctx context.Context, q db.Querier, id string) (*imports.Task, error) {
	t, err := scanTask(q.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM image_tasks WHERE id = $1`, id))
	return t, db.NotFound(err)
}

// ListTasks implements imports.Store.
func (s *Store) ListTasks(ctx context.Context, f imports.TaskFilter) ([]*imports.Task, error) {
	var w db.Where
	w.Eq("image_id", f.ImageID)
	w.Eq("owner", f.Owner)
	w.Eq("type", f.Type)
	ss := make([]string, len(f.Statuses))
	for i, st := range f.Statuses {
		ss[i] = string(st)
	}
	w.In("status", ss)
	if f.Marker != "" {
		m, err := getTask(ctx, s.db.Reader(), f.Marker)
		if err != nil {
			return nil, err
		}
		w.And("(created_at < " + w.Add(m.CreatedAt) + " OR (created_at = " + w.Add(m.CreatedAt) + " AND id < " + w.Add(m.ID) + "))")
	}
	q := `SELECT ` + taskColumns + ` FROM image_tasks` + w.Clause() + " ORDER BY created_at DESC, id DESC"
	if f.Limit > 0 {
		q += " LIMIT " + w.Add(f.Limit)
	}
	return db.All(ctx, s.db.Reader(), scanTask, q, w.Vals...)
}

// UpdateTask implements imports.Store.
func (s *Store) UpdateTask(ctx context.Context, id string, fn func(*imports.Task) error) (*imports.Task, error) {
	var out *imports.Task
	err := s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		t, err := getTask(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		t.ID = id
		input, result, expires := taskArgs(t)
		_, err = tx.ExecContext(ctx, `UPDATE image_tasks SET status = $1, input = $2, result = $3,
			message = $4, updated_at = $5, expires_at = $6, image_id = $7 WHERE id = $8`,
			string(t.Status), input, result, t.Message, t.UpdatedAt, expires, t.ImageID, id)
		out = t
		return err
	})
	return out, err
}

// DeleteExpiredTasks implements imports.Store.
func (s *Store) DeleteExpiredTasks(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.Writer().ExecContext(ctx, `DELETE FROM image_tasks WHERE expires_at IS NOT NULL AND expires_at < $1`, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
