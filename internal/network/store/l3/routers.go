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

const routerCols = `id, project_id, name, description, admin_state_up, status, gw_network_id, gw_port_id, enable_snat,
	distributed, ha, az_hints, routes, flavor_id, created_at, updated_at, revision_number`

func scanRouter(sc db.Scanner) (*network.Router, error) {
	var r network.Router
	var gwNet, gwPort, flavor sql.NullString
	var snat bool
	var az, routes string
	if err := sc.Scan(&r.ID, &r.ProjectID, &r.Name, &r.Description, &r.AdminStateUp, &r.Status, &gwNet, &gwPort, &snat,
		&r.Distributed, &r.HA, &az, &routes, &flavor, &r.CreatedAt, &r.UpdatedAt, &r.Revision); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = db.UTC(r.CreatedAt), db.UTC(r.UpdatedAt)
	r.FlavorID = db.StringPtr(flavor)
	if gwNet.Valid {
		r.Gateway = &network.Gateway{NetworkID: gwNet.String, PortID: gwPort.String, EnableSNAT: snat}
	}
	var rs []rows.Route
	if err := errors.Join(db.FromJSON(az, &r.AZHints), db.FromJSON(routes, &rs)); err != nil {
		return nil, err
	}
	if r.AZHints == nil {
		r.AZHints = []string{}
	}
	r.Routes = make([]network.Route, 0, len(rs))
	for _, x := range rs {
		d, err1 := netip.ParsePrefix(x.Destination)
		h, err2 := netip.ParseAddr(x.NextHop)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		r.Routes = append(r.Routes, network.Route{Destination: d, NextHop: h})
	}
	return &r, nil
}

// routerValues are r's stored values, in routerCols order.
func routerValues(r *network.Router) []any {
	var gwNet, gwPort sql.NullString
	snat := true
	if g := r.Gateway; g != nil {
		gwNet = sql.NullString{String: g.NetworkID, Valid: true}
		gwPort = sql.NullString{String: g.PortID, Valid: true}
		snat = g.EnableSNAT
	}
	routes := make([]rows.Route, len(r.Routes))
	for i, x := range r.Routes {
		routes[i] = rows.Route{Destination: x.Destination.String(), NextHop: x.NextHop.String()}
	}
	az := r.AZHints
	if az == nil {
		az = []string{}
	}
	return []any{r.ID, r.ProjectID, r.Name, r.Description, r.AdminStateUp, r.Status, gwNet, gwPort, snat,
		r.Distributed, r.HA, db.JSON(az), db.JSON(routes), db.NullString(r.FlavorID), r.CreatedAt, r.UpdatedAt, r.Revision}
}

func (t *Txn) InsertRouter(ctx context.Context, r *network.Router) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO routers (`+routerCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
		$10, $11, $12, $13, $14, $15, $16, $17)`, routerValues(r)...)
	return err
}

func (t *Txn) GetRouter(ctx context.Context, id string) (*network.Router, error) {
	r, err := scanRouter(t.tx.QueryRowContext(ctx, `SELECT `+routerCols+` FROM routers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.ErrNotFound
	}
	return r, err
}

func (t *Txn) LockRouter(ctx context.Context, id string) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE routers SET revision_number = revision_number + 1, updated_at = $2 WHERE id = $1`, id, db.Now())
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return apierr.ErrNotFound
	}
	return nil
}

func (t *Txn) ListRouters(ctx context.Context, f network.Filter) ([]*network.Router, error) {
	var a db.Args
	where := []string{rows.Scope(&a, f.Scope.ProjectID, f.Scope.Admin, "")}
	where = rows.Eq(&a, where, "id", f.IDs)
	where = rows.Eq(&a, where, "id", f.Only("id"))
	where = rows.Eq(&a, where, "project_id", f.Only("project_id"))
	where = rows.Eq(&a, where, "project_id", f.Only("tenant_id"))
	where = rows.Eq(&a, where, "name", f.Only("name"))
	return db.All(ctx, t.tx, scanRouter, `SELECT `+routerCols+` FROM routers WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, a.Vals...)
}

func (t *Txn) UpdateRouter(ctx context.Context, r *network.Router) error {
	v := routerValues(r)
	_, err := t.tx.ExecContext(ctx, `UPDATE routers SET name = $2, description = $3, admin_state_up = $4, status = $5,
		gw_network_id = $6, gw_port_id = $7, enable_snat = $8, distributed = $9, ha = $10, az_hints = $11, routes = $12,
		updated_at = $13, revision_number = $14 WHERE id = $1`,
		v[0], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[15], v[16])
	return err
}

func (t *Txn) DeleteRouter(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM routers WHERE id = $1`, id)
	return err
}

func (t *Txn) CountFloatingIPsOn(ctx context.Context, net string) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM floatingips WHERE floating_network_id = $1`, net).Scan(&n)
	return n, err
}
