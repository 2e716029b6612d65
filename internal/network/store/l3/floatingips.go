package l3

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

const fipCols = `id, project_id, description, floating_network_id, floating_subnet_id, floating_ip_address,
	floating_port_id, fixed_port_id, fixed_ip_address, router_id, status, dns_name, dns_domain, created_at,
	updated_at, revision_number`

func scanFloatingIP(sc db.Scanner) (*network.FloatingIP, error) {
	var f network.FloatingIP
	var addr string
	var port, fixed, router sql.NullString
	if err := sc.Scan(&f.ID, &f.ProjectID, &f.Description, &f.NetworkID, &f.SubnetID, &addr, &f.FloatingPortID,
		&port, &fixed, &router, &f.Status, &f.DNSName, &f.DNSDomain, &f.CreatedAt, &f.UpdatedAt, &f.Revision); err != nil {
		return nil, err
	}
	f.CreatedAt, f.UpdatedAt = db.UTC(f.CreatedAt), db.UTC(f.UpdatedAt)
	var err error
	if f.Address, err = netip.ParseAddr(addr); err != nil {
		return nil, err
	}
	f.PortID, f.RouterID = db.StringPtr(port), db.StringPtr(router)
	if fixed.Valid {
		a, err := netip.ParseAddr(fixed.String)
		if err != nil {
			return nil, err
		}
		f.FixedIP = &a
	}
	f.PortForwardings = []network.PortForwarding{}
	return &f, nil
}

// fipValues are f's stored values, in fipCols order.
func fipValues(f *network.FloatingIP) []any {
	var fixed sql.NullString
	if f.FixedIP != nil {
		fixed = sql.NullString{String: f.FixedIP.String(), Valid: true}
	}
	return []any{f.ID, f.ProjectID, f.Description, f.NetworkID, f.SubnetID, f.Address.String(), f.FloatingPortID,
		db.NullString(f.PortID), fixed, db.NullString(f.RouterID), f.Status, f.DNSName, f.DNSDomain, f.CreatedAt,
		f.UpdatedAt, f.Revision}
}

func (t *Txn) InsertFloatingIP(ctx context.Context, f *network.FloatingIP) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO floatingips (`+fipCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
		$10, $11, $12, $13, $14, $15, $16)`, fipValues(f)...)
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

func (t *Txn) GetFloatingIP(ctx context.Context, id string) (*network.FloatingIP, error) {
	f, err := scanFloatingIP(t.tx.QueryRowContext(ctx, `SELECT `+fipCols+` FROM floatingips WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return f, t.fillForwardings(ctx, []*network.FloatingIP{f})
}

func (t *Txn) ListFloatingIPs(ctx context.Context, f network.Filter) ([]*network.FloatingIP, error) {
	var a db.Args
	where := []string{rows.Scope(&a, f.Scope.ProjectID, f.Scope.Admin, "")}
	where = rows.Eq(&a, where, "id", f.IDs)
	for _, c := range []string{"id", "project_id", "router_id", "floating_network_id", "floating_ip_address", "status"} {
		where = rows.Eq(&a, where, c, f.Only(c))
	}
	where = rows.Eq(&a, where, "project_id", f.Only("tenant_id"))
	where = rows.Eq(&a, where, "fixed_port_id", f.Only("port_id"))
	fs, err := db.All(ctx, t.tx, scanFloatingIP, `SELECT `+fipCols+` FROM floatingips WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, a.Vals...)
	if err != nil {
		return nil, err
	}
	return fs, t.fillForwardings(ctx, fs)
}

// fillForwardings reads the port forwardings of fs.
func (t *Txn) fillForwardings(ctx context.Context, fs []*network.FloatingIP) error {
	if len(fs) == 0 {
		return nil
	}
	byID := make(map[string]*network.FloatingIP, len(fs))
	ids := make([]string, 0, len(fs))
	for _, f := range fs {
		byID[f.ID] = f
		ids = append(ids, f.ID)
	}
	var a db.Args
	q := `SELECT ` + pfCols + ` FROM port_forwardings`
	// A long list reads every port forwarding instead of a huge IN list.
	if len(ids) <= 500 {
		q += ` WHERE floatingip_id IN (` + db.List(&a, ids) + `)`
	}
	pfs, err := db.All(ctx, t.tx, scanPortForwarding, q+` ORDER BY floatingip_id, id`, a.Vals...)
	if err != nil {
		return err
	}
	for _, pf := range pfs {
		if f := byID[pf.FloatingIPID]; f != nil {
			f.PortForwardings = append(f.PortForwardings, pf)
		}
	}
	return nil
}

func (t *Txn) UpdateFloatingIP(ctx context.Context, f *network.FloatingIP) error {
	v := fipValues(f)
	_, err := t.tx.ExecContext(ctx, `UPDATE floatingips SET description = $2, fixed_port_id = $3, fixed_ip_address = $4,
		router_id = $5, status = $6, dns_name = $7, dns_domain = $8, updated_at = $9, revision_number = $10 WHERE id = $1`,
		v[0], v[2], v[7], v[8], v[9], v[10], v[11], v[12], v[14], v[15])
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

func (t *Txn) DeleteFloatingIP(ctx context.Context, id string) error {
	// The port forwardings go first: a foreign key's cascade is not
	// something every SQLite connection is sure to enforce.
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM port_forwardings WHERE floatingip_id = $1`, id); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `DELETE FROM floatingips WHERE id = $1`, id)
	return err
}
