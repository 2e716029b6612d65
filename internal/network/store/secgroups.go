package store

import (
	"context"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/db"
)

// fillGroups reads the security groups of ps.
func (t *txn) fillGroups(ctx context.Context, ps []*network.Port) error {
	if len(ps) == 0 {
		return nil
	}
	byID := make(map[string]*network.Port, len(ps))
	ids := make([]string, 0, len(ps))
	for _, p := range ps {
		p.SecurityGroups = []string{}
		byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	var a db.Args
	q := `SELECT port_id, security_group_id FROM port_security_groups`
	if len(ids) <= 500 {
		q += ` WHERE port_id IN (` + db.List(&a, ids) + `)`
	}
	rows, err := t.tx.QueryContext(ctx, q+` ORDER BY port_id, security_group_id`, a.Vals...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid, gid string
		if err := rows.Scan(&pid, &gid); err != nil {
			return err
		}
		if p := byID[pid]; p != nil {
			p.SecurityGroups = append(p.SecurityGroups, gid)
		}
	}
	return rows.Err()
}

// SetPortGroups replaces the security groups of a port.
func (t *txn) SetPortGroups(ctx context.Context, port string, groups []string) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM port_security_groups WHERE port_id = $1`, port); err != nil {
		return err
	}
	for _, g := range groups {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO port_security_groups (port_id, security_group_id) VALUES ($1, $2)`, port, g); err != nil {
			return err
		}
	}
	return nil
}
