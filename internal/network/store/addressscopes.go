package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/store/rows"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const scopeCols = `id, project_id, name, description, ip_version, shared, created_at, updated_at, revision_number`

func scanScope(sc db.Scanner) (*network.AddressScope, error) {
	var a network.AddressScope
	if err := sc.Scan(&a.ID, &a.ProjectID, &a.Name, &a.Description, &a.IPVersion, &a.Shared, &a.CreatedAt,
		&a.UpdatedAt, &a.Revision); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = db.UTC(a.CreatedAt), db.UTC(a.UpdatedAt)
	return &a, nil
}

func (t *txn) InsertAddressScope(ctx context.Context, a *network.AddressScope) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO address_scopes (`+scopeCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		a.ID, a.ProjectID, a.Name, a.Description, a.IPVersion, a.Shared, a.CreatedAt, a.UpdatedAt, a.Revision)
	return err
}

func (t *txn) GetAddressScope(ctx context.Context, id string) (*network.AddressScope, error) {
	a, err := scanScope(t.tx.QueryRowContext(ctx, `SELECT `+scopeCols+` FROM address_scopes WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.ErrNotFound
	}
	return a, err
}

// ListAddressScopes lists the scope's address scopes and the shared ones.
func (t *txn) ListAddressScopes(ctx context.Context, f network.Filter) ([]*network.AddressScope, error) {
	var a db.Args
	where := []string{rows.Scope(&a, f.Scope.ProjectID, f.Scope.Admin, "shared")}
	where = rows.Eq(&a, where, "id", f.IDs)
	where = rows.Eq(&a, where, "id", f.Only("id"))
	where = rows.Eq(&a, where, "project_id", f.Only("project_id"))
	where = rows.Eq(&a, where, "project_id", f.Only("tenant_id"))
	where = rows.Eq(&a, where, "name", f.Only("name"))
	return db.All(ctx, t.tx, scanScope, `SELECT `+scopeCols+` FROM address_scopes WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, a.Vals...)
}

func (t *txn) UpdateAddressScope(ctx context.Context, a *network.AddressScope) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE address_scopes SET name = $2, shared = $3, updated_at = $4,
		revision_number = $5 WHERE id = $1`, a.ID, a.Name, a.Shared, a.UpdatedAt, a.Revision)
	return err
}

func (t *txn) DeleteAddressScope(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM address_scopes WHERE id = $1`, id)
	return err
}

func (t *txn) CountScopePools(ctx context.Context, id string) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM subnetpools WHERE address_scope_id = $1`, id).Scan(&n)
	return n, err
}

func (t *txn) NetworkScopes(ctx context.Context, networks []string) (map[string]map[int]string, error) {
	out := map[string]map[int]string{}
	if len(networks) == 0 {
		return out, nil
	}
	var a db.Args
	q := `SELECT DISTINCT s.network_id, p.ip_version, p.address_scope_id FROM subnets s
		JOIN subnetpools p ON p.id = s.subnetpool_id WHERE p.address_scope_id IS NOT NULL`
	if len(networks) <= 500 {
		q += ` AND s.network_id IN (` + db.List(&a, networks) + `)`
	}
	rows, err := t.tx.QueryContext(ctx, q, a.Vals...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var net, scope string
		var v int
		if err := rows.Scan(&net, &v, &scope); err != nil {
			return nil, err
		}
		if out[net] == nil {
			out[net] = map[int]string{}
		}
		out[net][v] = scope
	}
	return out, rows.Err()
}
