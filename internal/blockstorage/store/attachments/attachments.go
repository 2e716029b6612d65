// Package attachments is the SQL of attachments of volumes to servers:
// the volume_attachments table, whose rows go with their volume.
package attachments

import (
	"context"
	"database/sql"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

// Txn is the attachments part of one transaction.
type Txn struct{ tx *sql.Tx }

// New returns the part over tx.
func New(tx *sql.Tx) Txn { return Txn{tx: tx} }

const cols = `a.id, a.volume_id, a.project_id, a.instance_id, a.attached_host, a.mountpoint, a.status, a.attach_mode,
	a.connector, a.connection, a.attached_at, a.detached_at, a.created_at, a.updated_at`

// order lists oldest first; the id breaks ties of the same microsecond
// so that pages are stable.
const order = ` ORDER BY a.created_at, a.id`

func scan(sc db.Scanner) (*blockstorage.Attachment, error) {
	var a blockstorage.Attachment
	var connector, conn sql.NullString
	var attached, detached sql.NullTime
	if err := sc.Scan(&a.ID, &a.VolumeID, &a.ProjectID, &a.InstanceID, &a.Host, &a.Mountpoint, &a.Status, &a.Mode,
		&connector, &conn, &attached, &detached, &a.CreatedAt, &a.UpdatedAt); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = db.UTC(a.CreatedAt), db.UTC(a.UpdatedAt)
	if attached.Valid {
		a.AttachedAt = db.UTC(attached.Time)
	}
	if detached.Valid {
		a.DetachedAt = db.UTC(detached.Time)
	}
	if connector.Valid {
		if err := db.FromJSON(connector.String, &a.Connector); err != nil {
			return nil, err
		}
	}
	if conn.Valid {
		var c blockstorage.Connection
		if err := db.FromJSON(conn.String, &c); err != nil {
			return nil, err
		}
		if c.DriverVolumeType != "" || c.Data != nil {
			a.Connection = &c
		}
	}
	return &a, nil
}

// nullTime is NULL for the zero time.
func nullTime(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t, Valid: true}
}

// args are the column values of a, in cols' order after the id.
func args(a *blockstorage.Attachment) []any {
	return []any{a.VolumeID, a.ProjectID, a.InstanceID, a.Host, a.Mountpoint, a.Status, a.Mode,
		db.NullJSON(a.Connector, a.Connector == nil), db.NullJSON(a.Connection, a.Connection == nil),
		nullTime(a.AttachedAt), nullTime(a.DetachedAt), a.UpdatedAt}
}

// CreateAttachment inserts a new attachment.
func (t Txn) CreateAttachment(ctx context.Context, a *blockstorage.Attachment) error {
	now := db.Now()
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	a.UpdatedAt = now
	_, err := t.tx.ExecContext(ctx, `INSERT INTO volume_attachments (id, volume_id, project_id, instance_id,
		attached_host, mountpoint, status, attach_mode, connector, connection, attached_at, detached_at, updated_at,
		created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		append(append([]any{a.ID}, args(a)...), a.CreatedAt)...)
	return rows.Duplicate(err)
}

// GetAttachment reads one attachment, detached or not.
func (t Txn) GetAttachment(ctx context.Context, id string) (*blockstorage.Attachment, error) {
	a, err := scan(t.tx.QueryRowContext(ctx, `SELECT `+cols+` FROM volume_attachments a WHERE a.id = $1`, id))
	return a, db.NotFound(err)
}

// UpdateAttachment writes every column of a.
func (t Txn) UpdateAttachment(ctx context.Context, a *blockstorage.Attachment) error {
	a.UpdatedAt = db.Now()
	res, err := t.tx.ExecContext(ctx, `UPDATE volume_attachments SET volume_id = $2, project_id = $3,
		instance_id = $4, attached_host = $5, mountpoint = $6, status = $7, attach_mode = $8, connector = $9,
		connection = $10, attached_at = $11, detached_at = $12, updated_at = $13 WHERE id = $1`,
		append([]any{a.ID}, args(a)...)...)
	return rows.Affected(res, err)
}

// DeleteAttachment removes one attachment record.
func (t Txn) DeleteAttachment(ctx context.Context, id string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM volume_attachments WHERE id = $1`, id)
	return rows.Affected(res, err)
}

// DeleteAttachments removes every attachment record of a volume; none is
// not an error.
func (t Txn) DeleteAttachments(ctx context.Context, volumeID string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM volume_attachments WHERE volume_id = $1`, volumeID)
	return err
}

// ListAttachments returns the attachments of volumes that are not
// detached, oldest first.
func (t Txn) ListAttachments(ctx context.Context, volumeIDs []string) ([]*blockstorage.Attachment, error) {
	if len(volumeIDs) == 0 {
		return []*blockstorage.Attachment{}, nil
	}
	var w db.Where
	w.In("a.volume_id", volumeIDs)
	w.And("a.status <> " + w.Add(blockstorage.AttachDetached))
	return db.All(ctx, t.tx, scan, `SELECT `+cols+` FROM volume_attachments a`+w.Clause()+order, w.Vals...)
}

// FindAttachments lists what f selects; detached attachments only when
// f asks for that status.
func (t Txn) FindAttachments(ctx context.Context, f blockstorage.AttachmentFilter) ([]*blockstorage.Attachment, error) {
	var w db.Where
	if !f.AllProjects || !f.Scope.Admin {
		w.And("a.project_id = " + w.Add(f.Scope.ProjectID))
	}
	w.Eq("a.volume_id", f.VolumeID)
	w.Eq("a.instance_id", f.InstanceID)
	if f.Status != "" {
		w.Eq("a.status", f.Status)
	} else {
		w.And("a.status <> " + w.Add(blockstorage.AttachDetached))
	}
	return db.All(ctx, t.tx, scan, `SELECT `+cols+` FROM volume_attachments a`+w.Clause()+order, w.Vals...)
}

// UnsettledAttachments returns the attachments a crash may have cut
// short: those "attaching" or "detaching".
func (t Txn) UnsettledAttachments(ctx context.Context) ([]*blockstorage.Attachment, error) {
	return db.All(ctx, t.tx, scan, `SELECT `+cols+` FROM volume_attachments a WHERE a.status IN ($1, $2)`+order,
		blockstorage.AttachAttaching, blockstorage.AttachDetaching)
}
