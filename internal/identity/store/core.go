package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/db"
)

const projectColumns = `id, name, description, enabled, is_domain, domain_id, COALESCE(parent_id, ''), options, extra, created_at, updated_at`

func scanProject(row interface{ Scan(...any) error }) (*identity.Project, error) {
	var p identity.Project
	var opts, extra []byte
	if err := row.Scan(&p.ID, &p.Name, &p.Description, &p.Enabled, &p.IsDomain, &p.DomainID, &p.ParentID, &opts, &extra, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.Options, p.Extra = decodeJSON(opts), decodeJSON(extra)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

// projectTags loads the tags of a project, sorted.
func projectTags(ctx context.Context, q db.Querier, id string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM identity_project_tags WHERE project_id = $1 ORDER BY name`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tags []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}
	return tags, rows.Err()
}

// GetProject returns a project or domain by id.
func (s *Store) GetProject(ctx context.Context, id string) (*identity.Project, error) {
	q := s.db.Reader()
	p, err := scanProject(q.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM identity_projects WHERE id = $1`, id))
	if err != nil {
		return nil, notFoundIf(err, "project", id)
	}
	if p.Tags, err = projectTags(ctx, q, id); err != nil {
		return nil, err
	}
	return p, nil
}

// GetProjectByName returns the project (or, with domainID ==
// identity.RootDomainID, the domain) with that name, case-insensitively.
func (s *Store) GetProjectByName(ctx context.Context, domainID, name string) (*identity.Project, error) {
	q := s.db.Reader()
	p, err := scanProject(q.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM identity_projects WHERE domain_id = $1 AND name_key = $2`, domainID, strings.ToLower(name)))
	if err != nil {
		return nil, notFoundIf(err, "project", name)
	}
	if p.Tags, err = projectTags(ctx, q, p.ID); err != nil {
		return nil, err
	}
	return p, nil
}

const userColumns = `id, name, domain_id, enabled, default_project_id, description, options, extra, password_hash,
	password_expires_at, password_created_at, failed_auth_count, failed_auth_at, last_active_at, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*identity.User, error) {
	var u identity.User
	var opts, extra []byte
	var exp, pwc, fa, la sql.NullTime
	if err := row.Scan(&u.ID, &u.Name, &u.DomainID, &u.Enabled, &u.DefaultProjectID, &u.Description, &opts, &extra, &u.PasswordHash,
		&exp, &pwc, &u.FailedAuthCount, &fa, &la, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	u.Options, u.Extra = decodeJSON(opts), decodeJSON(extra)
	u.PasswordExpiresAt, u.PasswordCreatedAt, u.FailedAuthAt, u.LastActiveAt = timePtr(exp), timePtr(pwc), timePtr(fa), timePtr(la)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// GetUser returns a user by id.
func (s *Store) GetUser(ctx context.Context, id string) (*identity.User, error) {
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, `SELECT `+userColumns+` FROM identity_users WHERE id = $1`, id))
	return u, notFoundIf(err, "user", id)
}

// GetUserByName returns a user by domain and name, case-insensitively.
func (s *Store) GetUserByName(ctx context.Context, domainID, name string) (*identity.User, error) {
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, `SELECT `+userColumns+` FROM identity_users WHERE domain_id = $1 AND name_key = $2`, domainID, strings.ToLower(name)))
	return u, notFoundIf(err, "user", name)
}

// UserGroupIDs returns the ids of the groups the user is a member of.
func (s *Store) UserGroupIDs(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT group_id FROM identity_group_members WHERE user_id = $1`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Catalog returns every enabled service with its enabled endpoints.
func (s *Store) Catalog(ctx context.Context) ([]identity.CatalogEntry, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `
		SELECT s.id, s.type, s.name, s.description, s.enabled, e.id, e.interface, e.region_id, e.url, e.enabled
		FROM identity_services s JOIN identity_endpoints e ON e.service_id = s.id
		WHERE s.enabled = TRUE AND e.enabled = TRUE
		ORDER BY s.type, s.id, e.interface, e.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.CatalogEntry
	for rows.Next() {
		var sv identity.CatalogService
		var ep identity.Endpoint
		if err := rows.Scan(&sv.ID, &sv.Type, &sv.Name, &sv.Description, &sv.Enabled, &ep.ID, &ep.Interface, &ep.RegionID, &ep.URL, &ep.Enabled); err != nil {
			return nil, err
		}
		ep.ServiceID = sv.ID
		if n := len(out); n == 0 || out[n-1].Service.ID != sv.ID {
			out = append(out, identity.CatalogEntry{Service: sv})
		}
		out[len(out)-1].Endpoints = append(out[len(out)-1].Endpoints, ep)
	}
	return out, rows.Err()
}

// InsertRevokeEvent stores a revocation event in q (a transaction of the
// change that causes it, or the database).
func InsertRevokeEvent(ctx context.Context, q db.Querier, ev identity.RevokeEvent) error {
	if ev.IssuedBefore.IsZero() {
		ev.IssuedBefore = db.Now()
	}
	if ev.RevokedAt.IsZero() {
		ev.RevokedAt = db.Now()
	}
	_, err := q.ExecContext(ctx, `INSERT INTO identity_revocation_events
		(id, user_id, project_id, domain_id, role_id, trust_id, consumer_id, audit_id, audit_chain_id, expires_at, issued_before, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		uuid.NewString(), ev.UserID, ev.ProjectID, ev.DomainID, ev.RoleID, ev.TrustID, ev.ConsumerID, ev.AuditID, ev.AuditChainID,
		nullTime(ev.ExpiresAt), ev.IssuedBefore.UTC(), ev.RevokedAt.UTC())
	return err
}

// Revoke stores a revocation event on its own.
func (s *Store) Revoke(ctx context.Context, ev identity.RevokeEvent) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return InsertRevokeEvent(ctx, tx, ev) })
}
