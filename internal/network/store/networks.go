package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/store/rows"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const networkCols = `id, project_id, name, description, admin_state_up, status, shared, external, is_default,
	mtu, port_security_enabled, network_type, physical_network, segmentation_id, dns_domain, az_hints,
	qos_policy_id, created_at, updated_at, revision_number`

func scanNetwork(sc db.Scanner) (*network.Network, error) {
	var n network.Network
	var physnet, qos sql.NullString
	var seg sql.NullInt64
	var az string
	if err := sc.Scan(&n.ID, &n.ProjectID, &n.Name, &n.Description, &n.AdminStateUp, &n.Status, &n.Shared,
		&n.External, &n.IsDefault, &n.MTU, &n.PortSecurity, &n.NetworkType, &physnet, &seg, &n.DNSDomain, &az,
		&qos, &n.CreatedAt, &n.UpdatedAt, &n.Revision); err != nil {
		return nil, err
	}
	n.Physnet, n.SegmentID, n.QoSPolicyID = db.StringPtr(physnet), db.IntPtr(seg), db.StringPtr(qos)
	n.CreatedAt, n.UpdatedAt = db.UTC(n.CreatedAt), db.UTC(n.UpdatedAt)
	if err := db.FromJSON(az, &n.AZHints); err != nil {
		return nil, err
	}
	return &n, nil
}

func (t *txn) InsertNetwork(ctx context.Context, n *network.Network) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO networks (`+networkCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		n.ID, n.ProjectID, n.Name, n.Description, n.AdminStateUp, n.Status, n.Shared, n.External, n.IsDefault,
		n.MTU, n.PortSecurity, n.NetworkType, db.NullString(n.Physnet), db.NullInt(n.SegmentID), n.DNSDomain,
		db.JSON(n.AZHints), db.NullString(n.QoSPolicyID), n.CreatedAt, n.UpdatedAt, n.Revision)
	return err
}

func (t *txn) GetNetwork(ctx context.Context, id string) (*network.Network, error) {
	n, err := scanNetwork(t.tx.QueryRowContext(ctx, `SELECT `+networkCols+` FROM networks WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return n, t.fillSubnets(ctx, []*network.Network{n})
}

func (t *txn) ListNetworks(ctx context.Context, f network.Filter) ([]*network.Network, error) {
	var a db.Args
	// Besides its own: the shared and external networks, and those an
	// RBAC policy shares with the project.
	// (An admin's list has no such condition: no parameter may be left
	// unused, PostgreSQL could not type it.)
	where := []string{"TRUE"}
	if !f.Scope.Admin {
		also := "shared OR external OR " + rows.RBACVisible(&a, "network", f.Scope.ProjectID)
		where[0] = rows.Scope(&a, f.Scope.ProjectID, false, also)
	}
	where = rows.Eq(&a, where, "id", f.IDs)
	where = rows.Eq(&a, where, "id", f.Only("id"))
	where = rows.Eq(&a, where, "project_id", f.Only("project_id"))
	where = rows.Eq(&a, where, "project_id", f.Only("tenant_id"))
	where = rows.Eq(&a, where, "name", f.Only("name"))
	rows, err := t.tx.QueryContext(ctx, `SELECT `+networkCols+` FROM networks WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, a.Vals...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*network.Network
	for rows.Next() {
		n, err := scanNetwork(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, t.fillSubnets(ctx, out)
}

// fillSubnets sets the Subnets ids of ns.
func (t *txn) fillSubnets(ctx context.Context, ns []*network.Network) error {
	if len(ns) == 0 {
		return nil
	}
	byID := make(map[string]*network.Network, len(ns))
	ids := make([]string, 0, len(ns))
	for _, n := range ns {
		n.Subnets = []string{}
		byID[n.ID] = n
		ids = append(ids, n.ID)
	}
	var a db.Args
	q := `SELECT id, network_id FROM subnets`
	if len(ids) <= 500 {
		q += ` WHERE network_id IN (` + db.List(&a, ids) + `)`
	}
	rows, err := t.tx.QueryContext(ctx, q+` ORDER BY created_at, id`, a.Vals...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, net string
		if err := rows.Scan(&id, &net); err != nil {
			return err
		}
		if n := byID[net]; n != nil {
			n.Subnets = append(n.Subnets, id)
		}
	}
	return rows.Err()
}

func (t *txn) UpdateNetwork(ctx context.Context, n *network.Network) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE networks SET name = $2, description = $3, admin_state_up = $4, status = $5,
		shared = $6, external = $7, is_default = $8, mtu = $9, port_security_enabled = $10, dns_domain = $11,
		qos_policy_id = $12, updated_at = $13, revision_number = $14 WHERE id = $1`,
		n.ID, n.Name, n.Description, n.AdminStateUp, n.Status, n.Shared, n.External, n.IsDefault, n.MTU,
		n.PortSecurity, n.DNSDomain, db.NullString(n.QoSPolicyID), n.UpdatedAt, n.Revision)
	return err
}

func (t *txn) DeleteNetwork(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM networks WHERE id = $1`, id)
	return err
}

func (t *txn) AllocateSegment(ctx context.Context, typ, physnet string, want *int64, lo, hi int64, net string) (int64, error) {
	insert := func(id int64) error {
		_, err := t.tx.ExecContext(ctx, `INSERT INTO segment_allocations (network_type, physical_network, segmentation_id, network_id)
			VALUES ($1, $2, $3, $4)`, typ, physnet, id, net)
		if db.IsUnique(err) {
			return apierr.ErrDuplicate
		}
		return err
	}
	if want != nil {
		return *want, insert(*want)
	}
	// The lowest free id: lo itself, or the first id after a taken one
	// whose successor is free — one indexed pass over the taken ids.
	var id sql.NullInt64
	err := t.tx.QueryRowContext(ctx, `SELECT CASE WHEN NOT EXISTS (
			SELECT 1 FROM segment_allocations WHERE network_type = $1 AND physical_network = $2 AND segmentation_id = $3)
		THEN $3 ELSE (
			SELECT min(a.segmentation_id) + 1 FROM segment_allocations a
			WHERE a.network_type = $1 AND a.physical_network = $2 AND a.segmentation_id >= $3 AND a.segmentation_id < $4
			AND NOT EXISTS (SELECT 1 FROM segment_allocations b WHERE b.network_type = $1 AND b.physical_network = $2
				AND b.segmentation_id = a.segmentation_id + 1)) END`, typ, physnet, lo, hi).Scan(&id)
	if err != nil {
		return 0, err
	}
	if !id.Valid || id.Int64 > hi {
		return 0, apierr.ErrNotFound
	}
	// Two transactions may find the same id free (on PostgreSQL neither
	// sees the other's insert): the loser's insert fails and the whole
	// transaction runs again, finding the next id.
	if err := insert(id.Int64); errors.Is(err, apierr.ErrDuplicate) {
		return 0, fmt.Errorf("segment %d of %s: %w", id.Int64, typ, db.ErrRace)
	} else if err != nil {
		return 0, err
	}
	return id.Int64, nil
}

func (t *txn) ReleaseSegments(ctx context.Context, net string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM segment_allocations WHERE network_id = $1`, net)
	return err
}
