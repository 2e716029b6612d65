package extras

import (
	"context"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/store/rows"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const rbacCols = `id, project_id, object_type, object_id, action, target_tenant`

func scanRBAC(sc db.Scanner) (*network.RBACPolicy, error) {
	var p network.RBACPolicy
	if err := sc.Scan(&p.ID, &p.ProjectID, &p.ObjectType, &p.ObjectID, &p.Action, &p.Target); err != nil {
		return nil, err
	}
	return &p, nil
}

func (t *Txn) InsertRBAC(ctx context.Context, p *network.RBACPolicy) error {
	now := db.Now()
	_, err := t.tx.ExecContext(ctx, `INSERT INTO rbac_policies (`+rbacCols+`, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, p.ID, p.ProjectID, p.ObjectType, p.ObjectID, p.Action, p.Target, now)
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

func (t *Txn) GetRBAC(ctx context.Context, id string) (*network.RBACPolicy, error) {
	p, err := scanRBAC(t.tx.QueryRowContext(ctx, `SELECT `+rbacCols+` FROM rbac_policies WHERE id = $1`, id))
	return p, db.NotFound(err)
}

// ListRBAC shows a non-admin the policies of its own project only, as
// Neutron does: the projects a policy targets do not see it.
func (t *Txn) ListRBAC(ctx context.Context, f network.Filter) ([]*network.RBACPolicy, error) {
	var a db.Args
	where := []string{rows.Scope(&a, f.Scope.ProjectID, f.Scope.Admin, "")}
	where = rows.Eq(&a, where, "id", f.IDs)
	for _, c := range []string{"id", "project_id", "object_type", "object_id", "action", "target_tenant"} {
		where = rows.Eq(&a, where, c, f.Only(c))
	}
	where = rows.Eq(&a, where, "project_id", f.Only("tenant_id"))
	return db.All(ctx, t.tx, scanRBAC, `SELECT `+rbacCols+` FROM rbac_policies WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, a.Vals...)
}

func (t *Txn) UpdateRBAC(ctx context.Context, p *network.RBACPolicy) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE rbac_policies SET target_tenant = $2, updated_at = $3,
		revision_number = revision_number + 1 WHERE id = $1`, p.ID, p.Target, db.Now())
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

func (t *Txn) DeleteRBAC(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM rbac_policies WHERE id = $1`, id)
	return err
}

func (t *Txn) DeleteRBACFor(ctx context.Context, objectType, objectID string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM rbac_policies WHERE object_type = $1 AND object_id = $2`, objectType, objectID)
	return err
}

func (t *Txn) RBACActions(ctx context.Context, objectType, objectID, project string) ([]string, error) {
	return db.Strings(ctx, t.tx, `SELECT DISTINCT action FROM rbac_policies
		WHERE object_type = $1 AND object_id = $2 AND target_tenant IN ('*', $3) ORDER BY action`, objectType, objectID, project)
}
