package secgroups

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/store/rows"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// FillGroups reads the security groups of ps (a port read fills them
// in), by their ids.
func (t *Txn) FillGroups(ctx context.Context, ps []*network.Port) error {
	byID := groupsByID(ps)
	ids := make([]string, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	// The ids go in IN lists of at most 500, well under both engines'
	// parameter limits.
	for chunk := range slices.Chunk(ids, 500) {
		var a db.Args
		if err := t.fillGroups(ctx, byID, db.List(&a, chunk), a.Vals); err != nil {
			return err
		}
	}
	return nil
}

// FillGroupsOf reads the security groups of ps, the ports that sub (a
// query of port ids, with its arguments args; empty for every port)
// selects: a list of many ports reads their groups in one query without
// a parameter per port.
func (t *Txn) FillGroupsOf(ctx context.Context, ps []*network.Port, sub string, args []any) error {
	if len(ps) == 0 {
		return nil
	}
	return t.fillGroups(ctx, groupsByID(ps), sub, args)
}

// groupsByID empties the groups of ps and returns them by id.
func groupsByID(ps []*network.Port) map[string]*network.Port {
	byID := make(map[string]*network.Port, len(ps))
	for _, p := range ps {
		p.SecurityGroups = []string{}
		byID[p.ID] = p
	}
	return byID
}

// fillGroups adds the groups of the ports whose id is IN (in) to byID's;
// an empty in reads every port's.
func (t *Txn) fillGroups(ctx context.Context, byID map[string]*network.Port, in string, args []any) error {
	q := `SELECT port_id, security_group_id FROM port_security_groups`
	if in != "" {
		q += ` WHERE port_id IN (` + in + `)`
	}
	rows, err := t.tx.QueryContext(ctx, q+` ORDER BY port_id, security_group_id`, args...)
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
func (t *Txn) SetPortGroups(ctx context.Context, port string, groups []string) error {
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

const groupCols = `id, project_id, name, description, stateful, default_project_id IS NOT NULL, created_at, updated_at,
	revision_number`

func scanGroup(sc db.Scanner) (*network.SecurityGroup, error) {
	var g network.SecurityGroup
	if err := sc.Scan(&g.ID, &g.ProjectID, &g.Name, &g.Description, &g.Stateful, &g.Default, &g.CreatedAt,
		&g.UpdatedAt, &g.Revision); err != nil {
		return nil, err
	}
	g.CreatedAt, g.UpdatedAt = db.UTC(g.CreatedAt), db.UTC(g.UpdatedAt)
	g.Rules = []*network.Rule{}
	return &g, nil
}

func (t *Txn) InsertSecurityGroup(ctx context.Context, g *network.SecurityGroup) (bool, error) {
	var def sql.NullString
	if g.Default {
		def = sql.NullString{String: g.ProjectID, Valid: true}
	}
	// A default group that loses the race to another transaction writes
	// nothing (PostgreSQL waits for that one to end, then skips the row).
	res, err := t.tx.ExecContext(ctx, `INSERT INTO security_groups (`+strings.Replace(groupCols, "default_project_id IS NOT NULL", "default_project_id", 1)+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (default_project_id) DO NOTHING`,
		g.ID, g.ProjectID, g.Name, g.Description, g.Stateful, def, g.CreatedAt, g.UpdatedAt, g.Revision)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *Txn) GetSecurityGroup(ctx context.Context, id string) (*network.SecurityGroup, error) {
	g, err := scanGroup(t.tx.QueryRowContext(ctx, `SELECT `+groupCols+` FROM security_groups WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return g, t.fillRules(ctx, []*network.SecurityGroup{g})
}

func (t *Txn) DefaultSecurityGroup(ctx context.Context, project string) (string, error) {
	var id string
	err := t.tx.QueryRowContext(ctx, `SELECT id FROM security_groups WHERE default_project_id = $1`, project).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apierr.ErrNotFound
	}
	return id, err
}

// ListSecurityGroups lists the scope's groups (all for an admin),
// narrowed in SQL by id, project and name.
func (t *Txn) ListSecurityGroups(ctx context.Context, f network.Filter) ([]*network.SecurityGroup, error) {
	var a db.Args
	where := []string{rows.Scope(&a, f.Scope.ProjectID, f.Scope.Admin, "")}
	where = rows.Eq(&a, where, "id", f.IDs)
	where = rows.Eq(&a, where, "id", f.Only("id"))
	where = rows.Eq(&a, where, "project_id", f.Only("project_id"))
	where = rows.Eq(&a, where, "project_id", f.Only("tenant_id"))
	where = rows.Eq(&a, where, "name", f.Only("name"))
	gs, err := db.All(ctx, t.tx, scanGroup, `SELECT `+groupCols+` FROM security_groups WHERE `+
		strings.Join(where, " AND ")+` ORDER BY id`, a.Vals...)
	if err != nil {
		return nil, err
	}
	return gs, t.fillRules(ctx, gs)
}

// fillRules reads the rules of gs.
func (t *Txn) fillRules(ctx context.Context, gs []*network.SecurityGroup) error {
	if len(gs) == 0 {
		return nil
	}
	byID := make(map[string]*network.SecurityGroup, len(gs))
	ids := make([]string, 0, len(gs))
	for _, g := range gs {
		byID[g.ID] = g
		ids = append(ids, g.ID)
	}
	var a db.Args
	q := `SELECT ` + ruleCols + ` FROM security_group_rules r JOIN security_groups g ON g.id = r.security_group_id`
	if len(ids) <= 500 {
		q += ` WHERE r.security_group_id IN (` + db.List(&a, ids) + `)`
	}
	rs, err := db.All(ctx, t.tx, scanRule, q+` ORDER BY r.security_group_id, r.created_at, r.id`, a.Vals...)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if g := byID[r.GroupID]; g != nil {
			g.Rules = append(g.Rules, r)
		}
	}
	return nil
}

func (t *Txn) UpdateSecurityGroup(ctx context.Context, g *network.SecurityGroup) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE security_groups SET name = $2, description = $3, stateful = $4,
		updated_at = $5, revision_number = $6 WHERE id = $1`,
		g.ID, g.Name, g.Description, g.Stateful, g.UpdatedAt, g.Revision)
	return err
}

func (t *Txn) DeleteSecurityGroup(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM security_groups WHERE id = $1`, id)
	return err
}

func (t *Txn) CountGroupPorts(ctx context.Context, id string) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM port_security_groups WHERE security_group_id = $1`, id).Scan(&n)
	return n, err
}

func (t *Txn) GroupsOf(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var a db.Args
	rows, err := t.tx.QueryContext(ctx, `SELECT id, project_id FROM security_groups WHERE id IN (`+db.List(&a, ids)+`)`, a.Vals...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, project string
		if err := rows.Scan(&id, &project); err != nil {
			return nil, err
		}
		out[id] = project
	}
	return out, rows.Err()
}

// ruleCols are read from security_group_rules r joined with its group g.
const ruleCols = `r.id, r.project_id, r.security_group_id, r.description, r.direction, r.ethertype, r.protocol,
	r.port_range_min, r.port_range_max, r.remote_ip_prefix, r.remote_group_id, g.default_project_id IS NOT NULL,
	r.created_at, r.updated_at, r.revision_number`

func scanRule(sc db.Scanner) (*network.Rule, error) {
	var r network.Rule
	var proto, prefix, remote sql.NullString
	var lo, hi sql.NullInt64
	if err := sc.Scan(&r.ID, &r.ProjectID, &r.GroupID, &r.Description, &r.Direction, &r.Ethertype, &proto, &lo, &hi,
		&prefix, &remote, &r.InDefault, &r.CreatedAt, &r.UpdatedAt, &r.Revision); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = db.UTC(r.CreatedAt), db.UTC(r.UpdatedAt)
	r.Protocol, r.RemoteIPPrefix, r.RemoteGroupID = db.StringPtr(proto), db.StringPtr(prefix), db.StringPtr(remote)
	r.PortMin, r.PortMax = db.IntPtr(lo), db.IntPtr(hi)
	return &r, nil
}

func (t *Txn) InsertRule(ctx context.Context, r *network.Rule) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO security_group_rules (id, project_id, security_group_id, description,
		direction, ethertype, protocol, port_range_min, port_range_max, remote_ip_prefix, remote_group_id, dedup_key,
		created_at, updated_at, revision_number) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		r.ID, r.ProjectID, r.GroupID, r.Description, r.Direction, r.Ethertype, db.NullString(r.Protocol),
		db.NullInt(r.PortMin), db.NullInt(r.PortMax), db.NullString(r.RemoteIPPrefix), db.NullString(r.RemoteGroupID),
		r.Key(), r.CreatedAt, r.UpdatedAt, r.Revision)
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

func (t *Txn) GetRule(ctx context.Context, id string) (*network.Rule, error) {
	r, err := scanRule(t.tx.QueryRowContext(ctx, `SELECT `+ruleCols+` FROM security_group_rules r
		JOIN security_groups g ON g.id = r.security_group_id WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apierr.ErrNotFound
	}
	return r, err
}

// ListRules lists the scope's rules — its own and those of its groups —
// narrowed in SQL by the indexed and cheap filters.
func (t *Txn) ListRules(ctx context.Context, f network.Filter) ([]*network.Rule, error) {
	var a db.Args
	where := []string{"TRUE"}
	if !f.Scope.Admin {
		p := a.Add(f.Scope.ProjectID)
		where = []string{"(r.project_id = " + p + " OR g.project_id = " + p + ")"}
	}
	where = rows.Eq(&a, where, "r.id", f.IDs)
	for _, c := range []string{"id", "security_group_id", "direction", "ethertype", "project_id", "remote_group_id"} {
		where = rows.Eq(&a, where, "r."+c, f.Only(c))
	}
	where = rows.Eq(&a, where, "r.project_id", f.Only("tenant_id"))
	return db.All(ctx, t.tx, scanRule, `SELECT `+ruleCols+` FROM security_group_rules r
		JOIN security_groups g ON g.id = r.security_group_id WHERE `+strings.Join(where, " AND ")+` ORDER BY r.id`, a.Vals...)
}

func (t *Txn) DeleteRule(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM security_group_rules WHERE id = $1`, id)
	return err
}

func (t *Txn) RuleByKey(ctx context.Context, group, key string) (string, error) {
	var id string
	err := t.tx.QueryRowContext(ctx, `SELECT id FROM security_group_rules WHERE security_group_id = $1 AND dedup_key = $2`,
		group, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apierr.ErrNotFound
	}
	return id, err
}
