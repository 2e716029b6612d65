package store

import (
	"context"
	"database/sql"
	"errors"
	"net/netip"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/store/rows"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const poolCols = `id, project_id, name, description, ip_version, prefixes, default_prefixlen, min_prefixlen,
	max_prefixlen, default_quota, shared, is_default, address_scope_id, created_at, updated_at, revision_number`

func scanPool(sc db.Scanner) (*network.SubnetPool, error) {
	var p network.SubnetPool
	var prefixes string
	var quota sql.NullInt64
	var scope sql.NullString
	if err := sc.Scan(&p.ID, &p.ProjectID, &p.Name, &p.Description, &p.IPVersion, &prefixes, &p.DefaultPrefixLen,
		&p.MinPrefixLen, &p.MaxPrefixLen, &quota, &p.Shared, &p.IsDefault, &scope, &p.CreatedAt, &p.UpdatedAt,
		&p.Revision); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = db.UTC(p.CreatedAt), db.UTC(p.UpdatedAt)
	p.DefaultQuota, p.AddressScopeID = db.IntPtr(quota), db.StringPtr(scope)
	var ss []string
	if err := db.FromJSON(prefixes, &ss); err != nil {
		return nil, err
	}
	for _, s := range ss {
		pr, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, err
		}
		p.Prefixes = append(p.Prefixes, pr)
	}
	return &p, nil
}

func poolPrefixes(p *network.SubnetPool) string {
	ss := make([]string, len(p.Prefixes))
	for i, pr := range p.Prefixes {
		ss[i] = pr.String()
	}
	return db.JSON(ss)
}

func (t *txn) InsertSubnetPool(ctx context.Context, p *network.SubnetPool) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO subnetpools (`+poolCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
		$9, $10, $11, $12, $13, $14, $15, $16)`, p.ID, p.ProjectID, p.Name, p.Description, p.IPVersion, poolPrefixes(p),
		p.DefaultPrefixLen, p.MinPrefixLen, p.MaxPrefixLen, db.NullInt(p.DefaultQuota), p.Shared, p.IsDefault,
		db.NullString(p.AddressScopeID), p.CreatedAt, p.UpdatedAt, p.Revision)
	return err
}

func (t *txn) GetSubnetPool(ctx context.Context, id string) (*network.SubnetPool, error) {
	p, err := scanPool(t.tx.QueryRowContext(ctx, `SELECT `+poolCols+` FROM subnetpools WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.ErrNotFound
	}
	return p, err
}

// ListSubnetPools lists the scope's pools and the shared ones.
func (t *txn) ListSubnetPools(ctx context.Context, f network.Filter) ([]*network.SubnetPool, error) {
	var a db.Args
	where := []string{rows.Scope(&a, f.Scope.ProjectID, f.Scope.Admin, "shared")}
	where = rows.Eq(&a, where, "id", f.IDs)
	where = rows.Eq(&a, where, "id", f.Only("id"))
	where = rows.Eq(&a, where, "project_id", f.Only("project_id"))
	where = rows.Eq(&a, where, "project_id", f.Only("tenant_id"))
	where = rows.Eq(&a, where, "name", f.Only("name"))
	where = rows.Eq(&a, where, "address_scope_id", f.Only("address_scope_id"))
	return db.All(ctx, t.tx, scanPool, `SELECT `+poolCols+` FROM subnetpools WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, a.Vals...)
}

func (t *txn) UpdateSubnetPool(ctx context.Context, p *network.SubnetPool) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE subnetpools SET name = $2, description = $3, prefixes = $4,
		default_prefixlen = $5, min_prefixlen = $6, max_prefixlen = $7, default_quota = $8, is_default = $9,
		address_scope_id = $10, updated_at = $11, revision_number = $12 WHERE id = $1`,
		p.ID, p.Name, p.Description, poolPrefixes(p), p.DefaultPrefixLen, p.MinPrefixLen, p.MaxPrefixLen,
		db.NullInt(p.DefaultQuota), p.IsDefault, db.NullString(p.AddressScopeID), p.UpdatedAt, p.Revision)
	return err
}

func (t *txn) DeleteSubnetPool(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM subnetpools WHERE id = $1`, id)
	return err
}

func (t *txn) LockSubnetPool(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE subnetpools SET revision_number = revision_number WHERE id = $1`, id)
	return err
}

func (t *txn) PoolCIDRs(ctx context.Context, pool string) ([]netip.Prefix, error) {
	ss, err := db.Strings(ctx, t.tx, `SELECT cidr FROM subnets WHERE subnetpool_id = $1 ORDER BY cidr`, pool)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Prefix, 0, len(ss))
	for _, s := range ss {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
