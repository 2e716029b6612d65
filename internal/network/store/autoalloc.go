package store

import (
	"context"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

func (t *txn) InsertTopology(ctx context.Context, tp *network.Topology) error {
	var router *string
	if tp.RouterID != "" {
		router = &tp.RouterID
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO auto_allocated_topologies (project_id, network_id, router_id)
		VALUES ($1, $2, $3)`, tp.ProjectID, tp.NetworkID, db.NullString(router))
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

func (t *txn) GetTopology(ctx context.Context, project string) (*network.Topology, error) {
	tp := network.Topology{ProjectID: project}
	var router *string
	err := t.tx.QueryRowContext(ctx, `SELECT network_id, router_id FROM auto_allocated_topologies WHERE project_id = $1`,
		project).Scan(&tp.NetworkID, &router)
	if err != nil {
		return nil, db.NotFound(err)
	}
	if router != nil {
		tp.RouterID = *router
	}
	return &tp, nil
}

func (t *txn) SetTopologyRouter(ctx context.Context, project, router string) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE auto_allocated_topologies SET router_id = $1 WHERE project_id = $2`, router, project)
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

func (t *txn) DeleteTopology(ctx context.Context, project string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM auto_allocated_topologies WHERE project_id = $1`, project)
	return err
}

func (t *txn) DefaultExternalNetworks(ctx context.Context) ([]string, error) {
	return db.All(ctx, t.tx, func(sc db.Scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	}, `SELECT id FROM networks WHERE external AND is_default ORDER BY created_at, id`)
}

func (t *txn) DefaultSubnetPools(ctx context.Context) ([]*network.SubnetPool, error) {
	return db.All(ctx, t.tx, scanPool, `SELECT `+poolCols+` FROM subnetpools WHERE is_default
		ORDER BY ip_version, created_at, id`)
}
