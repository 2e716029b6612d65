// Package extras is the SQL of user messages and of quota usage: the
// counts of what a project uses, read from every area's tables.
package extras

import (
	"context"
	"database/sql"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

// Txn is the extras part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }

const msgCols = `id, project_id, request_id, resource_type, resource_uuid, event_id, message_level, user_message,
	created_at, expires_at`

func scanMessage(sc db.Scanner) (*blockstorage.Message, error) {
	var m blockstorage.Message
	if err := sc.Scan(&m.ID, &m.ProjectID, &m.RequestID, &m.ResourceType, &m.ResourceUUID, &m.EventID, &m.Level,
		&m.UserMessage, &m.CreatedAt, &m.ExpiresAt); err != nil {
		return nil, err
	}
	m.CreatedAt, m.ExpiresAt = db.UTC(m.CreatedAt), db.UTC(m.ExpiresAt)
	return &m, nil
}

// CreateMessage inserts a message.
func (t Txn) CreateMessage(ctx context.Context, m *blockstorage.Message) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO messages (`+msgCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		m.ID, m.ProjectID, m.RequestID, m.ResourceType, m.ResourceUUID, m.EventID, m.Level, m.UserMessage,
		db.UTC(m.CreatedAt), db.UTC(m.ExpiresAt))
	return rows.Duplicate(err)
}

// GetMessage returns an unexpired message.
func (t Txn) GetMessage(ctx context.Context, id string) (*blockstorage.Message, error) {
	m, err := scanMessage(t.tx.QueryRowContext(ctx, `SELECT `+msgCols+` FROM messages WHERE id = $1 AND expires_at > $2`, id, db.Now()))
	return m, db.NotFound(err)
}

// ListMessages lists unexpired messages, newest first.
func (t Txn) ListMessages(ctx context.Context, f blockstorage.MessageFilter) ([]*blockstorage.Message, error) {
	var w db.Where
	w.And(`expires_at > ` + w.Add(db.Now()))
	w.Eq("project_id", f.Project)
	return db.All(ctx, t.tx, scanMessage, `SELECT `+msgCols+` FROM messages`+w.Clause()+` ORDER BY created_at DESC, id DESC`, w.Vals...)
}

// DeleteMessage removes a message.
func (t Txn) DeleteMessage(ctx context.Context, id string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM messages WHERE id = $1`, id)
	return rows.Affected(res, err)
}

// DeleteExpiredMessages removes the messages expired at now.
func (t Txn) DeleteExpiredMessages(ctx context.Context, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM messages WHERE expires_at <= $1`, db.UTC(now))
	return err
}

// QuotaClass returns the limits stored for a quota class.
func (t Txn) QuotaClass(ctx context.Context, name string) (map[string]int64, error) {
	return db.Int64Map(ctx, t.tx, `SELECT resource, hard_limit FROM quota_classes WHERE class_name = $1`, name)
}

// SetQuotaClass stores one limit of a quota class.
func (t Txn) SetQuotaClass(ctx context.Context, name, resource string, limit int64) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO quota_classes (class_name, resource, hard_limit) VALUES ($1, $2, $3)
		ON CONFLICT (class_name, resource) DO UPDATE SET hard_limit = excluded.hard_limit`, name, resource, limit)
	return err
}
