package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/store/row"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

const projectColumns = `id, name, description, enabled, is_domain, domain_id, COALESCE(parent_id, ''), options, extra, created_at, updated_at`

func scanProject(sc db.Scanner) (*directory.Project, error) {
	var p directory.Project
	var opts, extra []byte
	if err := sc.Scan(&p.ID, &p.Name, &p.Description, &p.Enabled, &p.IsDomain, &p.DomainID, &p.ParentID, &opts, &extra, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.Options, p.Extra = row.DecodeMap(opts), row.DecodeMap(extra)
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
func (s *Store) GetProject(ctx context.Context, id string) (*directory.Project, error) {
	q := s.db.Reader()
	p, err := scanProject(q.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM identity_projects WHERE id = $1`, id))
	if err != nil {
		return nil, row.NotFoundIf(err, "project", id)
	}
	if p.Tags, err = projectTags(ctx, q, id); err != nil {
		return nil, err
	}
	return p, nil
}

// GetProjectByName returns the project (or, with domainID ==
// directory.RootDomainID, the domain) with that name, case-insensitively.
func (s *Store) GetProjectByName(ctx context.Context, domainID, name string) (*directory.Project, error) {
	q := s.db.Reader()
	p, err := scanProject(q.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM identity_projects WHERE domain_id = $1 AND name_key = $2`, domainID, strings.ToLower(name)))
	if err != nil {
		return nil, row.NotFoundIf(err, "project", name)
	}
	if p.Tags, err = projectTags(ctx, q, p.ID); err != nil {
		return nil, err
	}
	return p, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func insertTags(ctx context.Context, tx *sql.Tx, id string, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM identity_project_tags WHERE project_id = $1`, id); err != nil {
		return err
	}
	return db.InsertDistinct(ctx, tx, `INSERT INTO identity_project_tags (project_id, name) VALUES ($1, $2)`, id, tags)
}

// CreateProject inserts a project or domain with its tags.
func (s *Store) CreateProject(ctx context.Context, p *directory.Project) error {
	now := db.Now()
	p.CreatedAt, p.UpdatedAt = now, now
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_projects
			(id, name, name_key, description, enabled, is_domain, domain_id, parent_id, options, extra, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
			p.ID, p.Name, strings.ToLower(p.Name), p.Description, p.Enabled, p.IsDomain, p.DomainID, nullString(p.ParentID),
			row.EncodeMap(p.Options), row.EncodeMap(p.Extra), now)
		if err != nil {
			kind := "project"
			if p.IsDomain {
				kind = "domain"
			}
			return row.ConflictIf(err, "Conflict occurred attempting to store "+kind+" - Duplicate entry found with name "+p.Name+".")
		}
		return insertTags(ctx, tx, p.ID, p.Tags)
	})
}

// UpdateProject writes every mutable attribute of p and its tags.
func (s *Store) UpdateProject(ctx context.Context, p *directory.Project, revoke *directory.RevokeEvent) error {
	p.UpdatedAt = db.Now()
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE identity_projects SET name = $2, name_key = $3, description = $4, enabled = $5,
			options = $6, extra = $7, updated_at = $8 WHERE id = $1`,
			p.ID, p.Name, strings.ToLower(p.Name), p.Description, p.Enabled, row.EncodeMap(p.Options), row.EncodeMap(p.Extra), p.UpdatedAt)
		if err != nil {
			return row.ConflictIf(err, "Conflict occurred attempting to store project - Duplicate entry found with name "+p.Name+".")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("project", p.ID)
		}
		if err := insertTags(ctx, tx, p.ID, p.Tags); err != nil {
			return err
		}
		if revoke != nil {
			return InsertRevokeEvent(ctx, tx, *revoke)
		}
		return nil
	})
}

// SetProjectTags replaces a project's tags.
func (s *Store) SetProjectTags(ctx context.Context, id string, tags []string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE identity_projects SET updated_at = $2 WHERE id = $1`, id, db.Now()); err != nil {
			return err
		}
		return insertTags(ctx, tx, id, tags)
	})
}

// deleteProjectRows removes a project and everything that names it, in tx.
func deleteProjectRows(ctx context.Context, tx *sql.Tx, id string) error {
	for _, q := range []string{
		`DELETE FROM identity_assignments WHERE target_id = $1`,
		`DELETE FROM identity_project_tags WHERE project_id = $1`,
		`DELETE FROM identity_project_endpoints WHERE project_id = $1`,
		`DELETE FROM identity_endpoint_group_projects WHERE project_id = $1`,
		`DELETE FROM identity_limits WHERE project_id = $1`,
		`UPDATE identity_users SET default_project_id = '' WHERE default_project_id = $1`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return err
		}
	}
	return InsertRevokeEvent(ctx, tx, directory.RevokeEvent{ProjectID: id})
}

// DeleteProject deletes a project that has no children, with its
// assignments, tags, endpoint associations and limits, and records a
// revocation event for it.
func (s *Store) DeleteProject(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := deleteProjectRows(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_projects WHERE id = $1`, id)
		if err != nil {
			if db.IsForeignKey(err) {
				return apierr.Forbidden("Cannot delete the project %s since it is not a leaf in the hierarchy.", id)
			}
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("project", id)
		}
		return nil
	})
}

// DeleteDomain deletes a domain with its projects, users and groups and
// everything naming them, in one transaction.
func (s *Store) DeleteDomain(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var projects, users, groups []string
		for _, x := range []struct {
			q   string
			dst *[]string
		}{
			{`SELECT id FROM identity_projects WHERE domain_id = $1`, &projects},
			{`SELECT id FROM identity_users WHERE domain_id = $1`, &users},
			{`SELECT id FROM identity_groups WHERE domain_id = $1`, &groups},
		} {
			ids, err := db.Strings(ctx, tx, x.q, id)
			if err != nil {
				return err
			}
			*x.dst = ids
		}
		for _, p := range projects {
			if err := deleteProjectRows(ctx, tx, p); err != nil {
				return err
			}
		}
		for _, u := range users {
			if err := deleteUserRows(ctx, tx, u); err != nil {
				return err
			}
		}
		for _, g := range groups {
			if _, err := tx.ExecContext(ctx, `DELETE FROM identity_assignments WHERE actor_id = $1`, g); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`DELETE FROM identity_users WHERE domain_id = $1`,
			`DELETE FROM identity_groups WHERE domain_id = $1`,
			`UPDATE identity_projects SET parent_id = NULL WHERE domain_id = $1`,
			`DELETE FROM identity_projects WHERE domain_id = $1`,
			`DELETE FROM identity_assignments WHERE target_id = $1`,
			`DELETE FROM identity_roles WHERE domain_id = $1`,
			`DELETE FROM identity_limits WHERE domain_id = $1`,
			`DELETE FROM identity_domain_configs WHERE domain_id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_projects WHERE id = $1 AND is_domain = TRUE`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("domain", id)
		}
		return InsertRevokeEvent(ctx, tx, directory.RevokeEvent{DomainID: id})
	})
}

// ListProjects returns the projects matching q, ordered by name, with tags.
func (s *Store) ListProjects(ctx context.Context, pq directory.ProjectQuery) ([]*directory.Project, error) {
	var w db.Where
	w.Eq("domain_id", pq.DomainID)
	w.Eq("parent_id", pq.ParentID)
	w.Eq("name", pq.Name)
	if pq.IsDomain != nil {
		w.And("is_domain = " + w.Add(*pq.IsDomain))
	}
	if pq.Enabled != nil {
		w.And("enabled = " + w.Add(*pq.Enabled))
	}
	r := s.db.Reader()
	rows, err := r.QueryContext(ctx, `SELECT `+projectColumns+` FROM identity_projects`+w.Clause()+" ORDER BY name, id", w.Vals...)
	if err != nil {
		return nil, err
	}
	var out []*directory.Project
	byID := map[string]*directory.Project{}
	var want map[string]bool
	if pq.IDs != nil {
		want = map[string]bool{}
		for _, id := range pq.IDs {
			want[id] = true
		}
	}
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if want != nil && !want[p.ID] {
			continue
		}
		out = append(out, p)
		byID[p.ID] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	trows, err := r.QueryContext(ctx, `SELECT project_id, name FROM identity_project_tags ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer trows.Close()
	for trows.Next() {
		var pid, t string
		if err := trows.Scan(&pid, &t); err != nil {
			return nil, err
		}
		if p := byID[pid]; p != nil {
			p.Tags = append(p.Tags, t)
		}
	}
	return out, trows.Err()
}

// GetDomainConfig returns a domain's configuration (empty when none).
func (s *Store) GetDomainConfig(ctx context.Context, domainID string) (directory.DomainConfig, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT grp, opt, value FROM identity_domain_configs WHERE domain_id = $1`, domainID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cfg := directory.DomainConfig{}
	for rows.Next() {
		var g, o, v string
		if err := rows.Scan(&g, &o, &v); err != nil {
			return nil, err
		}
		var val any
		if json.Unmarshal([]byte(v), &val) != nil {
			val = v
		}
		if cfg[g] == nil {
			cfg[g] = map[string]any{}
		}
		cfg[g][o] = val
	}
	return cfg, rows.Err()
}

func putConfig(ctx context.Context, tx *sql.Tx, domainID string, cfg directory.DomainConfig) error {
	for g, opts := range cfg {
		for o, v := range opts {
			b, err := json.Marshal(v)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_domain_configs (domain_id, grp, opt, value) VALUES ($1, $2, $3, $4)
				ON CONFLICT (domain_id, grp, opt) DO UPDATE SET value = excluded.value`, domainID, g, o, string(b)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReplaceDomainConfig replaces a domain's whole configuration.
func (s *Store) ReplaceDomainConfig(ctx context.Context, domainID string, cfg directory.DomainConfig) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM identity_domain_configs WHERE domain_id = $1`, domainID); err != nil {
			return err
		}
		return putConfig(ctx, tx, domainID, cfg)
	})
}

// UpdateDomainConfig sets the given options, keeping the others.
func (s *Store) UpdateDomainConfig(ctx context.Context, domainID string, cfg directory.DomainConfig) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error { return putConfig(ctx, tx, domainID, cfg) })
}

// DeleteDomainConfig deletes the whole configuration (group ""), a group
// (option "") or one option.
func (s *Store) DeleteDomainConfig(ctx context.Context, domainID, group, option string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM identity_domain_configs WHERE domain_id = $1
			AND ($2 = '' OR grp = $2) AND ($3 = '' OR opt = $3)`, domainID, group, option)
		return err
	})
}
