package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/store/row"
	"github.com/gostack/gostack/internal/platform/db"
)

// Bootstrap implements identity.Store.Bootstrap in one transaction.
func (s *Store) Bootstrap(ctx context.Context, spec identity.BootstrapSpec, passwordHash string) (*identity.BootstrapResult, error) {
	var res identity.BootstrapResult
	err := s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res = identity.BootstrapResult{}
		now := db.Now()
		// The Default domain.
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_projects
			(id, name, name_key, description, enabled, is_domain, domain_id, parent_id, created_at, updated_at)
			VALUES ($1, 'Default', 'default', 'The default domain', TRUE, TRUE, $2, NULL, $3, $3)
			ON CONFLICT DO NOTHING`, directory.DefaultDomainID, directory.RootDomainID, now); err != nil {
			return err
		}
		projectID := func(name string) (string, error) {
			var id string
			err := tx.QueryRowContext(ctx, `SELECT id FROM identity_projects WHERE domain_id = $1 AND name_key = $2`,
				directory.DefaultDomainID, strings.ToLower(name)).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				id = directory.NewID()
				_, err = tx.ExecContext(ctx, `INSERT INTO identity_projects
					(id, name, name_key, description, enabled, is_domain, domain_id, parent_id, created_at, updated_at)
					VALUES ($1, $2, $3, $4, TRUE, FALSE, $5, $5, $6, $6)`,
					id, name, strings.ToLower(name), "Bootstrap project "+name, directory.DefaultDomainID, now)
			}
			return id, err
		}
		var err error
		if res.AdminProjectID, err = projectID(spec.AdminProject); err != nil {
			return err
		}
		if res.ServiceProjectID, err = projectID(spec.ServiceProject); err != nil {
			return err
		}

		// Roles, each implying the next.
		roleIDs := make([]string, len(spec.Roles))
		for i, name := range spec.Roles {
			err := tx.QueryRowContext(ctx, `SELECT id FROM identity_roles WHERE domain_id = '' AND name_key = $1`, strings.ToLower(name)).Scan(&roleIDs[i])
			if errors.Is(err, sql.ErrNoRows) {
				roleIDs[i] = directory.NewID()
				_, err = tx.ExecContext(ctx, `INSERT INTO identity_roles (id, name, name_key, domain_id, created_at) VALUES ($1, $2, $3, '', $4)`,
					roleIDs[i], name, strings.ToLower(name), now)
			}
			if err != nil {
				return err
			}
			if i > 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO identity_implied_roles (prior_role_id, implied_role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
					roleIDs[i-1], roleIDs[i]); err != nil {
					return err
				}
			}
		}

		// The services' own roles, on their own.
		for _, name := range spec.ServiceRoles {
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_roles (id, name, name_key, domain_id, created_at)
				SELECT $1, $2, $3, '', $4 WHERE NOT EXISTS (SELECT 1 FROM identity_roles WHERE domain_id = '' AND name_key = $3)`,
				directory.NewID(), name, strings.ToLower(name), now); err != nil {
				return err
			}
		}

		// The admin user.
		err = tx.QueryRowContext(ctx, `SELECT id FROM identity_users WHERE domain_id = $1 AND name_key = $2`,
			directory.DefaultDomainID, strings.ToLower(spec.AdminUser)).Scan(&res.AdminUserID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res.AdminUserID = directory.NewID()
			res.CreatedAdmin = true
			_, err = tx.ExecContext(ctx, `INSERT INTO identity_users
				(id, name, name_key, domain_id, enabled, password_hash, password_created_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, TRUE, $5, $6, $6, $6)`,
				res.AdminUserID, spec.AdminUser, strings.ToLower(spec.AdminUser), directory.DefaultDomainID, passwordHash, now)
		case err == nil && spec.ResetPassword:
			_, err = tx.ExecContext(ctx, `UPDATE identity_users SET password_hash = $1, password_created_at = $2, updated_at = $2,
				enabled = TRUE, failed_auth_count = 0 WHERE id = $3`, passwordHash, now, res.AdminUserID)
		}
		if err != nil {
			return err
		}
		if len(roleIDs) > 0 {
			for _, a := range []struct{ typ, target string }{{"UserProject", res.AdminProjectID}, {"UserSystem", "system"}} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO identity_assignments (type, actor_id, target_id, role_id, inherited)
					VALUES ($1, $2, $3, $4, FALSE) ON CONFLICT DO NOTHING`, a.typ, res.AdminUserID, a.target, roleIDs[0]); err != nil {
					return err
				}
			}
		}

		if err := bootstrapServiceUsers(ctx, tx, spec, &res, now); err != nil {
			return err
		}

		// Region and catalog.
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_regions (id, description) VALUES ($1, '') ON CONFLICT DO NOTHING`, spec.Region); err != nil {
			return err
		}
		for _, sv := range spec.Services {
			var sid string
			err := tx.QueryRowContext(ctx, `SELECT id FROM identity_services WHERE type = $1 ORDER BY id LIMIT 1`, sv.Type).Scan(&sid)
			if errors.Is(err, sql.ErrNoRows) {
				sid = directory.NewID()
				_, err = tx.ExecContext(ctx, `INSERT INTO identity_services (id, type, name, description, enabled) VALUES ($1, $2, $3, $4, TRUE)`,
					sid, sv.Type, sv.Name, sv.Description)
			}
			if err != nil {
				return err
			}
			for iface, url := range map[string]string{"public": sv.PublicURL, "internal": sv.InternalURL, "admin": sv.AdminURL} {
				if url == "" {
					continue
				}
				var eid string
				err := tx.QueryRowContext(ctx, `SELECT id FROM identity_endpoints WHERE service_id = $1 AND interface = $2 AND region_id = $3`,
					sid, iface, spec.Region).Scan(&eid)
				switch {
				case errors.Is(err, sql.ErrNoRows):
					_, err = tx.ExecContext(ctx, `INSERT INTO identity_endpoints (id, service_id, interface, region_id, url, enabled)
						VALUES ($1, $2, $3, $4, $5, TRUE)`, directory.NewID(), sid, iface, spec.Region, url)
				case err == nil:
					// Addresses follow the configuration on every start.
					_, err = tx.ExecContext(ctx, `UPDATE identity_endpoints SET url = $1 WHERE id = $2`, url, eid)
				}
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// serviceUserOptions exempt the service users from the password rules
// meant for people (Keystone's user options): an expired password or a
// lockout after failed logins would stop a host's agent, and anyone could
// lock an agent out by failing its logins on purpose.
func serviceUserOptions() map[string]any {
	return map[string]any{
		"ignore_change_password_upon_first_use": true,
		"ignore_password_expiry":                true,
		"ignore_lockout_failure_attempts":       true,
	}
}

// bootstrapServiceUsers makes the service role and the spec's service
// users, each with that role on the service project; an existing user's
// password changes only when Reset is asked.
func bootstrapServiceUsers(ctx context.Context, tx *sql.Tx, spec identity.BootstrapSpec, res *identity.BootstrapResult, now time.Time) error {
	if len(spec.ServiceUsers) == 0 {
		return nil
	}
	roleKey := strings.ToLower(identity.ServiceRole)
	var roleID string
	err := tx.QueryRowContext(ctx, `SELECT id FROM identity_roles WHERE domain_id = '' AND name_key = $1`, roleKey).Scan(&roleID)
	if errors.Is(err, sql.ErrNoRows) {
		roleID = directory.NewID()
		_, err = tx.ExecContext(ctx, `INSERT INTO identity_roles (id, name, name_key, domain_id, created_at) VALUES ($1, $2, $3, '', $4)`,
			roleID, identity.ServiceRole, roleKey, now)
	}
	if err != nil {
		return err
	}
	for _, u := range spec.ServiceUsers {
		r := identity.ServiceUserResult{Name: u.Name}
		err := tx.QueryRowContext(ctx, `SELECT id FROM identity_users WHERE domain_id = $1 AND name_key = $2`,
			directory.DefaultDomainID, strings.ToLower(u.Name)).Scan(&r.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			r.ID, r.PasswordSet = directory.NewID(), true
			_, err = tx.ExecContext(ctx, `INSERT INTO identity_users
				(id, name, name_key, domain_id, enabled, default_project_id, description, options, password_hash, password_created_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, TRUE, $5, $6, $7, $8, $9, $9, $9)`,
				r.ID, u.Name, strings.ToLower(u.Name), directory.DefaultDomainID, res.ServiceProjectID,
				"gostack service user", row.EncodeMap(serviceUserOptions()), u.Hash, now)
		case err == nil && u.Reset:
			r.PasswordSet = true
			_, err = tx.ExecContext(ctx, `UPDATE identity_users SET password_hash = $1, password_created_at = $2, updated_at = $2,
				enabled = TRUE, failed_auth_count = 0 WHERE id = $3`, u.Hash, now, r.ID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_assignments (type, actor_id, target_id, role_id, inherited)
			VALUES ('UserProject', $1, $2, $3, FALSE) ON CONFLICT DO NOTHING`, r.ID, res.ServiceProjectID, roleID); err != nil {
			return err
		}
		res.ServiceUsers = append(res.ServiceUsers, r)
	}
	return nil
}
