package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/db"
)

const roleColumns = `id, name, domain_id, description, options, extra`

func scanRole(row interface{ Scan(...any) error }) (*identity.Role, error) {
	var r identity.Role
	var opts, extra []byte
	if err := row.Scan(&r.ID, &r.Name, &r.DomainID, &r.Description, &opts, &extra); err != nil {
		return nil, err
	}
	r.Options, r.Extra = decodeJSON(opts), decodeJSON(extra)
	return &r, nil
}

func roleConflict(r *identity.Role) string {
	return fmt.Sprintf("Duplicate entry found with name %s.", r.Name)
}

// CreateRole inserts a role.
func (s *Store) CreateRole(ctx context.Context, r *identity.Role) error {
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO identity_roles (id, name, name_key, domain_id, description, options, extra, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, r.Name, strings.ToLower(r.Name), r.DomainID, r.Description, encodeJSON(r.Options), encodeJSON(r.Extra), db.Now())
	return conflictIf(err, roleConflict(r))
}

// GetRole returns a role by id.
func (s *Store) GetRole(ctx context.Context, id string) (*identity.Role, error) {
	r, err := scanRole(s.db.Reader().QueryRowContext(ctx, `SELECT `+roleColumns+` FROM identity_roles WHERE id = $1`, id))
	return r, notFoundIf(err, "role", id)
}

// UpdateRole writes a role's mutable attributes.
func (s *Store) UpdateRole(ctx context.Context, r *identity.Role) error {
	res, err := s.db.Writer().ExecContext(ctx, `UPDATE identity_roles SET name = $2, name_key = $3, description = $4, options = $5, extra = $6 WHERE id = $1`,
		r.ID, r.Name, strings.ToLower(r.Name), r.Description, encodeJSON(r.Options), encodeJSON(r.Extra))
	if err != nil {
		return conflictIf(err, roleConflict(r))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &identity.NotFoundError{Kind: "role", ID: r.ID}
	}
	return nil
}

// DeleteRole deletes a role; assignments, inference rules, trust and
// application credential roles go with it (foreign keys cascade).
func (s *Store) DeleteRole(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_roles WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &identity.NotFoundError{Kind: "role", ID: id}
		}
		return nil
	})
}

// ListRoles returns every role, ordered by name.
func (s *Store) ListRoles(ctx context.Context) ([]*identity.Role, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+roleColumns+` FROM identity_roles ORDER BY name_key, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.Role
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
func (s *Store) ListImpliedRoles(ctx context.Context) ([]identity.ImpliedRole, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT prior_role_id, implied_role_id FROM identity_implied_roles ORDER BY prior_role_id, implied_role_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.ImpliedRole
	for rows.Next() {
		var r identity.ImpliedRole
		if err := rows.Scan(&r.PriorID, &r.ImpliedID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddImpliedRole stores a rule; an existing rule is kept.
func (s *Store) AddImpliedRole(ctx context.Context, r identity.ImpliedRole) error {
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO identity_implied_roles (prior_role_id, implied_role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, r.PriorID, r.ImpliedID)
	if db.IsForeignKey(err) {
		return &identity.NotFoundError{Kind: "role", ID: r.ImpliedID}
	}
	return err
}

// RemoveImpliedRole deletes a rule.
func (s *Store) RemoveImpliedRole(ctx context.Context, r identity.ImpliedRole) error {
	res, err := s.db.Writer().ExecContext(ctx, `DELETE FROM identity_implied_roles WHERE prior_role_id = $1 AND implied_role_id = $2`, r.PriorID, r.ImpliedID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &identity.NotFoundError{Kind: "implied role", ID: r.PriorID + " implies " + r.ImpliedID}
	}
	return nil
}

// AddAssignment stores a grant; granting twice is not an error.
func (s *Store) AddAssignment(ctx context.Context, a identity.Assignment) error {
	_, err := s.db.Writer().ExecContext(ctx, `INSERT INTO identity_assignments (type, actor_id, target_id, role_id, inherited)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, a.Type, a.ActorID, a.TargetID, a.RoleID, a.Inherited)
	if db.IsForeignKey(err) {
		return &identity.NotFoundError{Kind: "role", ID: a.RoleID}
	}
	return err
}

// RemoveAssignment deletes a grant.
func (s *Store) RemoveAssignment(ctx context.Context, a identity.Assignment) error {
	res, err := s.db.Writer().ExecContext(ctx, `DELETE FROM identity_assignments WHERE type = $1 AND actor_id = $2 AND target_id = $3 AND role_id = $4 AND inherited = $5`,
		a.Type, a.ActorID, a.TargetID, a.RoleID, a.Inherited)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &identity.NotFoundError{Kind: "role assignment", ID: a.RoleID}
	}
	return nil
}

// inList appends "col IN ($n, ...)" for vals to the query.
func inList(where []string, args []any, col string, vals []string) ([]string, []any) {
	ph := make([]string, len(vals))
	for i, v := range vals {
		args = append(args, v)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	return append(where, col+" IN ("+strings.Join(ph, ", ")+")"), args
}

// ListAssignments returns the stored grants matching f.
func (s *Store) ListAssignments(ctx context.Context, f identity.AssignmentFilter) ([]identity.Assignment, error) {
	var where []string
	var args []any
	if f.ActorIDs != nil {
		if len(f.ActorIDs) == 0 {
			return nil, nil
		}
		where, args = inList(where, args, "actor_id", f.ActorIDs)
	}
	if f.TargetIDs != nil {
		if len(f.TargetIDs) == 0 {
			return nil, nil
		}
		where, args = inList(where, args, "target_id", f.TargetIDs)
	}
	if len(f.Types) > 0 {
		where, args = inList(where, args, "type", f.Types)
	}
	if f.RoleID != "" {
		args = append(args, f.RoleID)
		where = append(where, fmt.Sprintf("role_id = $%d", len(args)))
	}
	q := `SELECT type, actor_id, target_id, role_id, inherited FROM identity_assignments`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY type, actor_id, target_id, role_id"
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.Assignment
	for rows.Next() {
		var a identity.Assignment
		if err := rows.Scan(&a.Type, &a.ActorID, &a.TargetID, &a.RoleID, &a.Inherited); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Store) stringColumn(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// GroupUserIDs returns the members of a group.
func (s *Store) GroupUserIDs(ctx context.Context, groupID string) ([]string, error) {
	return s.stringColumn(ctx, `SELECT user_id FROM identity_group_members WHERE group_id = $1 ORDER BY user_id`, groupID)
}

// ProjectsInDomain returns the ids of a domain's projects.
func (s *Store) ProjectsInDomain(ctx context.Context, domainID string) ([]string, error) {
	return s.stringColumn(ctx, `SELECT id FROM identity_projects WHERE domain_id = $1 AND is_domain = FALSE ORDER BY id`, domainID)
}

// ChildProjects returns the ids of a project's direct children.
func (s *Store) ChildProjects(ctx context.Context, parentID string) ([]string, error) {
	return s.stringColumn(ctx, `SELECT id FROM identity_projects WHERE parent_id = $1 AND is_domain = FALSE ORDER BY id`, parentID)
}

// RevokeEventsSince returns the events revoked at or after t.
func (s *Store) RevokeEventsSince(ctx context.Context, t time.Time) ([]identity.StoredRevokeEvent, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, user_id, project_id, domain_id, role_id, trust_id, consumer_id, audit_id, audit_chain_id, expires_at, issued_before, revoked_at
		FROM identity_revocation_events WHERE revoked_at >= $1 ORDER BY revoked_at`, t.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.StoredRevokeEvent
	for rows.Next() {
		var e identity.StoredRevokeEvent
		var exp sql.NullTime
		if err := rows.Scan(&e.ID, &e.UserID, &e.ProjectID, &e.DomainID, &e.RoleID, &e.TrustID, &e.ConsumerID, &e.AuditID, &e.AuditChainID, &exp, &e.IssuedBefore, &e.RevokedAt); err != nil {
			return nil, err
		}
		e.ExpiresAt = timePtr(exp)
		e.IssuedBefore, e.RevokedAt = e.IssuedBefore.UTC(), e.RevokedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

func newID() string { return strings.ReplaceAll(uuid.NewString(), "-", "") }
