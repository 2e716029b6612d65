package assignment

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/store/row"
	"github.com/gostack/gostack/internal/platform/db"
)

const roleColumns = `id, name, domain_id, description, options, extra`

func scanRole(sc db.Scanner) (*assignment.Role, error) {
	var r assignment.Role
	var opts, extra []byte
	if err := sc.Scan(&r.ID, &r.Name, &r.DomainID, &r.Description, &opts, &extra); err != nil {
		return nil, err
	}
	r.Options, r.Extra = row.DecodeMap(opts), row.DecodeMap(extra)
	return &r, nil
}

func roleConflict(r *assignment.Role) string {
	return fmt.Sprintf("Duplicate entry found with name %s.", r.Name)
}

// CreateRole inserts a role.
func (s *Store) CreateRole(ctx context.Context, r *assignment.Role) error {
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO identity_roles (id, name, name_key, domain_id, description, options, extra, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, r.Name, strings.ToLower(r.Name), r.DomainID, r.Description, row.EncodeMap(r.Options), row.EncodeMap(r.Extra), db.Now())
	return row.ConflictIf(err, roleConflict(r))
}

// GetRole returns a role by id.
func (s *Store) GetRole(ctx context.Context, id string) (*assignment.Role, error) {
	r, err := scanRole(s.db.Reader().QueryRowContext(ctx, `SELECT `+roleColumns+` FROM identity_roles WHERE id = $1`, id))
	return r, row.NotFoundIf(err, "role", id)
}

// UpdateRole writes a role's mutable attributes.
func (s *Store) UpdateRole(ctx context.Context, r *assignment.Role) error {
	res, err := s.db.Writer().ExecContext(ctx, `UPDATE identity_roles SET name = $2, name_key = $3, description = $4, options = $5, extra = $6 WHERE id = $1`,
		r.ID, r.Name, strings.ToLower(r.Name), r.Description, row.EncodeMap(r.Options), row.EncodeMap(r.Extra))
	if err != nil {
		return row.ConflictIf(err, roleConflict(r))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return directory.NotFound("role", r.ID)
	}
	return nil
}

// DeleteRole deletes a role; assignments, inference rules, trust and
// application credential roles go with it (foreign keys cascade).
func (s *Store) DeleteRole(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_roles WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("role", id)
		}
		return nil
	})
}

// ListRoles returns every role, ordered by name.
func (s *Store) ListRoles(ctx context.Context) ([]*assignment.Role, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+roleColumns+` FROM identity_roles ORDER BY name_key, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*assignment.Role
	for rows.Next() {
		r, err := scanRole(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ListImpliedRoles returns every inference rule.
func (s *Store) ListImpliedRoles(ctx context.Context) ([]assignment.ImpliedRole, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT prior_role_id, implied_role_id FROM identity_implied_roles ORDER BY prior_role_id, implied_role_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assignment.ImpliedRole
	for rows.Next() {
		var r assignment.ImpliedRole
		if err := rows.Scan(&r.PriorID, &r.ImpliedID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddImpliedRole stores a rule; an existing rule is kept.
func (s *Store) AddImpliedRole(ctx context.Context, r assignment.ImpliedRole) error {
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO identity_implied_roles (prior_role_id, implied_role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, r.PriorID, r.ImpliedID)
	if db.IsForeignKey(err) {
		return directory.NotFound("role", r.ImpliedID)
	}
	return err
}

// RemoveImpliedRole deletes a rule.
func (s *Store) RemoveImpliedRole(ctx context.Context, r assignment.ImpliedRole) error {
	res, err := s.db.Writer().ExecContext(ctx, `DELETE FROM identity_implied_roles WHERE prior_role_id = $1 AND implied_role_id = $2`, r.PriorID, r.ImpliedID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return directory.NotFound("implied role", r.PriorID+" implies "+r.ImpliedID)
	}
	return nil
}

// AddAssignment stores a grant; granting twice is not an error.
func (s *Store) AddAssignment(ctx context.Context, a assignment.Assignment) error {
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO identity_assignments (type, actor_id, target_id, role_id, inherited)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, a.Type, a.ActorID, a.TargetID, a.RoleID, a.Inherited)
	if db.IsForeignKey(err) {
		return directory.NotFound("role", a.RoleID)
	}
	return err
}

// RemoveAssignment deletes a grant.
func (s *Store) RemoveAssignment(ctx context.Context, a assignment.Assignment) error {
	res, err := s.db.Writer().ExecContext(ctx, `DELETE FROM identity_assignments WHERE type = $1 AND actor_id = $2 AND target_id = $3 AND role_id = $4 AND inherited = $5`,
		a.Type, a.ActorID, a.TargetID, a.RoleID, a.Inherited)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return directory.NotFound("role assignment", a.RoleID)
	}
	return nil
}

// ListAssignments returns the stored grants matching f.
func (s *Store) ListAssignments(ctx context.Context, f assignment.Filter) ([]assignment.Assignment, error) {
	// A non-nil empty list of actors or targets matches nothing.
	if (f.ActorIDs != nil && len(f.ActorIDs) == 0) || (f.TargetIDs != nil && len(f.TargetIDs) == 0) {
		return nil, nil
	}
	var w db.Where
	w.In("actor_id", f.ActorIDs)
	w.In("target_id", f.TargetIDs)
	w.In("type", f.Types)
	w.Eq("role_id", f.RoleID)
	scan := func(sc db.Scanner) (assignment.Assignment, error) {
		var a assignment.Assignment
		err := sc.Scan(&a.Type, &a.ActorID, &a.TargetID, &a.RoleID, &a.Inherited)
		return a, err
	}
	return db.All(ctx, s.db.Reader(), scan, `SELECT type, actor_id, target_id, role_id, inherited FROM identity_assignments`+w.Clause()+
		" ORDER BY type, actor_id, target_id, role_id", w.Vals...)
}

// GroupUserIDs returns the members of a group.
func (s *Store) GroupUserIDs(ctx context.Context, groupID string) ([]string, error) {
	return db.Strings(ctx, s.db.Reader(), `SELECT user_id FROM identity_group_members WHERE group_id = $1 ORDER BY user_id`, groupID)
}

// ProjectsInDomain returns the ids of a domain's projects.
func (s *Store) ProjectsInDomain(ctx context.Context, domainID string) ([]string, error) {
	return db.Strings(ctx, s.db.Reader(), `SELECT id FROM identity_projects WHERE domain_id = $1 AND is_domain = FALSE ORDER BY id`, domainID)
}

// ChildProjects returns the ids of a project's direct children.
func (s *Store) ChildProjects(ctx context.Context, parentID string) ([]string, error) {
	return db.Strings(ctx, s.db.Reader(), `SELECT id FROM identity_projects WHERE parent_id = $1 AND is_domain = FALSE ORDER BY id`, parentID)
}
