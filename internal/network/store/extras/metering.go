package extras

import (
	"context"
	"database/sql"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/store/rows"
	"github.com/gostack/gostack/internal/platform/db"
)

const labelCols = `id, project_id, name, description, shared, created_at, updated_at, revision_number`

func scanLabel(sc db.Scanner) (*network.MeteringLabel, error) {
	var l network.MeteringLabel
	if err := sc.Scan(&l.ID, &l.ProjectID, &l.Name, &l.Description, &l.Shared, &l.CreatedAt, &l.UpdatedAt, &l.Revision); err != nil {
		return nil, err
	}
	l.CreatedAt, l.UpdatedAt = db.UTC(l.CreatedAt), db.UTC(l.UpdatedAt)
	return &l, nil
}

func (t *Txn) InsertMeteringLabel(ctx context.Context, l *network.MeteringLabel) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO metering_labels (`+labelCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		l.ID, l.ProjectID, l.Name, l.Description, l.Shared, l.CreatedAt, l.UpdatedAt, l.Revision)
	return err
}

func (t *Txn) GetMeteringLabel(ctx context.Context, id string) (*network.MeteringLabel, error) {
	l, err := scanLabel(t.tx.QueryRowContext(ctx, `SELECT `+labelCols+` FROM metering_labels WHERE id = $1`, id))
	return l, db.NotFound(err)
}

func (t *Txn) ListMeteringLabels(ctx context.Context, f network.Filter) ([]*network.MeteringLabel, error) {
	var a db.Args
	where := []string{rows.Scope(&a, f.Scope.ProjectID, f.Scope.Admin, "")}
	where = rows.Eq(&a, where, "id", f.IDs)
	where = rows.Eq(&a, where, "id", f.Only("id"))
	where = rows.Eq(&a, where, "project_id", f.Only("project_id"))
	where = rows.Eq(&a, where, "project_id", f.Only("tenant_id"))
	where = rows.Eq(&a, where, "name", f.Only("name"))
	return db.All(ctx, t.tx, scanLabel, `SELECT `+labelCols+` FROM metering_labels WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, a.Vals...)
}

// DeleteMeteringLabel deletes the rules first: SQLite enforces the
// foreign key's cascade only with foreign keys switched on.
func (t *Txn) DeleteMeteringLabel(ctx context.Context, id string) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM metering_label_rules WHERE metering_label_id = $1`, id); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `DELETE FROM metering_labels WHERE id = $1`, id)
	return err
}

const meteringRuleCols = `id, metering_label_id, direction, remote_ip_prefix, source_ip_prefix, destination_ip_prefix, excluded`

func scanMeteringRule(sc db.Scanner) (*network.MeteringRule, error) {
	var r network.MeteringRule
	var remote, src, dst sql.NullString
	if err := sc.Scan(&r.ID, &r.LabelID, &r.Direction, &remote, &src, &dst, &r.Excluded); err != nil {
		return nil, err
	}
	r.RemoteIP, r.Source, r.Dest = db.StringPtr(remote), db.StringPtr(src), db.StringPtr(dst)
	return &r, nil
}

func (t *Txn) InsertMeteringRule(ctx context.Context, r *network.MeteringRule) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO metering_label_rules (`+meteringRuleCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		r.ID, r.LabelID, r.Direction, db.NullString(r.RemoteIP), db.NullString(r.Source), db.NullString(r.Dest), r.Excluded)
	return err
}

func (t *Txn) GetMeteringRule(ctx context.Context, id string) (*network.MeteringRule, error) {
	r, err := scanMeteringRule(t.tx.QueryRowContext(ctx, `SELECT `+meteringRuleCols+` FROM metering_label_rules WHERE id = $1`, id))
	return r, db.NotFound(err)
}

func (t *Txn) ListMeteringRules(ctx context.Context, f network.Filter) ([]*network.MeteringRule, error) {
	var a db.Args
	where := []string{"TRUE"}
	where = rows.Eq(&a, where, "id", f.IDs)
	where = rows.Eq(&a, where, "id", f.Only("id"))
	where = rows.Eq(&a, where, "metering_label_id", f.Only("metering_label_id"))
	where = rows.Eq(&a, where, "direction", f.Only("direction"))
	return db.All(ctx, t.tx, scanMeteringRule, `SELECT `+meteringRuleCols+` FROM metering_label_rules WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, a.Vals...)
}

func (t *Txn) DeleteMeteringRule(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM metering_label_rules WHERE id = $1`, id)
	return err
}
