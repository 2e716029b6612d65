package authn

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/gostack/gostack/internal/identity/authn"
	"github.com/gostack/gostack/internal/identity/directory"
	dirstore "github.com/gostack/gostack/internal/identity/store/directory"
	"github.com/gostack/gostack/internal/identity/store/row"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// CreateAppCred inserts an application credential with its roles and
// access rules; a rule the user already has is reused.
func (s *Store) CreateAppCred(ctx context.Context, ac *authn.AppCred) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_app_creds (id, name, user_id, project_id, secret_hash, description, unrestricted, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			ac.ID, ac.Name, ac.UserID, ac.ProjectID, ac.SecretHash, ac.Description, ac.Unrestricted, db.NullTime(ac.ExpiresAt), ac.CreatedAt.UTC())
		if err != nil {
			return row.ConflictIf(err, fmt.Sprintf("Duplicate entry found with name %s.", ac.Name))
		}
		for _, r := range ac.RoleIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_app_cred_roles (app_cred_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, ac.ID, r); err != nil {
				return err
			}
		}
		for i := range ac.AccessRules {
			r := &ac.AccessRules[i]
			var id string
			err := tx.QueryRowContext(ctx, `SELECT id FROM identity_access_rules WHERE user_id = $1 AND service = $2 AND path = $3 AND method = $4`,
				ac.UserID, r.Service, r.Path, r.Method).Scan(&id)
			if err == sql.ErrNoRows {
				if r.ID == "" {
					r.ID = directory.NewID()
				}
				id = r.ID
				if _, err := tx.ExecContext(ctx, `INSERT INTO identity_access_rules (id, user_id, service, path, method) VALUES ($1, $2, $3, $4, $5)`,
					id, ac.UserID, r.Service, r.Path, r.Method); err != nil {
					return row.ConflictIf(err, "Duplicate access rule id.")
				}
			} else if err != nil {
				return err
			}
			r.ID, r.UserID = id, ac.UserID
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_app_cred_access_rules (app_cred_id, access_rule_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, ac.ID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

const appCredColumns = `id, name, user_id, COALESCE(project_id, ''), secret_hash, description, unrestricted, expires_at, created_at`

func (s *Store) scanAppCreds(ctx context.Context, q string, args ...any) ([]*authn.AppCred, error) {
	r := s.db.Reader()
	rows, err := r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []*authn.AppCred
	for rows.Next() {
		var ac authn.AppCred
		var exp sql.NullTime
		if err := rows.Scan(&ac.ID, &ac.Name, &ac.UserID, &ac.ProjectID, &ac.SecretHash, &ac.Description, &ac.Unrestricted, &exp, &ac.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		ac.ExpiresAt = db.TimePtr(exp)
		ac.CreatedAt = ac.CreatedAt.UTC()
		out = append(out, &ac)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, ac := range out {
		if ac.RoleIDs, err = db.Strings(ctx, s.db.Reader(), `SELECT role_id FROM identity_app_cred_roles WHERE app_cred_id = $1 ORDER BY role_id`, ac.ID); err != nil {
			return nil, err
		}
		if ac.RoleIDs == nil {
			ac.RoleIDs = []string{}
		}
		rr, err := r.QueryContext(ctx, `SELECT r.id, r.user_id, r.service, r.path, r.method FROM identity_access_rules r
			JOIN identity_app_cred_access_rules x ON x.access_rule_id = r.id WHERE x.app_cred_id = $1 ORDER BY r.id`, ac.ID)
		if err != nil {
			return nil, err
		}
		for rr.Next() {
			var a authn.AccessRule
			if err := rr.Scan(&a.ID, &a.UserID, &a.Service, &a.Path, &a.Method); err != nil {
				rr.Close()
				return nil, err
			}
			ac.AccessRules = append(ac.AccessRules, a)
		}
		rr.Close()
	}
	return out, nil
}

// GetAppCred returns an application credential by id.
func (s *Store) GetAppCred(ctx context.Context, id string) (*authn.AppCred, error) {
	l, err := s.scanAppCreds(ctx, `SELECT `+appCredColumns+` FROM identity_app_creds WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, directory.NotFound("application credential", id)
	}
	return l[0], nil
}

// ListAppCreds lists a user's application credentials, by name if given.
func (s *Store) ListAppCreds(ctx context.Context, userID, name string) ([]*authn.AppCred, error) {
	if name != "" {
		return s.scanAppCreds(ctx, `SELECT `+appCredColumns+` FROM identity_app_creds WHERE user_id = $1 AND name = $2 ORDER BY name, id`, userID, name)
	}
	return s.scanAppCreds(ctx, `SELECT `+appCredColumns+` FROM identity_app_creds WHERE user_id = $1 ORDER BY name, id`, userID)
}

// DeleteAppCred deletes an application credential (its rules stay).
func (s *Store) DeleteAppCred(ctx context.Context, id string) error {
	res, err := s.db.Writer().ExecContext(ctx, `DELETE FROM identity_app_creds WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return directory.NotFound("application credential", id)
	}
	return nil
}

// ListAccessRules lists a user's access rules.
func (s *Store) ListAccessRules(ctx context.Context, userID string) ([]authn.AccessRule, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, user_id, service, path, method FROM identity_access_rules WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []authn.AccessRule
	for rows.Next() {
		var a authn.AccessRule
		if err := rows.Scan(&a.ID, &a.UserID, &a.Service, &a.Path, &a.Method); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// DeleteAccessRule deletes an access rule unless an application
// credential uses it (403, as Keystone).
func (s *Store) DeleteAccessRule(ctx context.Context, userID, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM identity_app_cred_access_rules WHERE access_rule_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apierr.Forbidden("Cannot delete access rule %s: an application credential uses it.", id)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_access_rules WHERE id = $1 AND user_id = $2`, id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("access rule", id)
		}
		return nil
	})
}

// CreateTrust inserts a trust with its roles.
func (s *Store) CreateTrust(ctx context.Context, t *authn.Trust) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var uses sql.NullInt64
		if t.RemainingUses != nil {
			uses = sql.NullInt64{Int64: int64(*t.RemainingUses), Valid: true}
		}
		var project sql.NullString
		if t.ProjectID != "" {
			project = sql.NullString{String: t.ProjectID, Valid: true}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_trusts (id, trustor_user_id, trustee_user_id, project_id, impersonation, expires_at,
			remaining_uses, allow_redelegation, redelegation_count, redelegated_trust_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			t.ID, t.TrustorUserID, t.TrusteeUserID, project, t.Impersonation, db.NullTime(t.ExpiresAt), uses,
			t.AllowRedelegation, t.RedelegationCount, t.RedelegatedTrustID, t.CreatedAt.UTC())
		if err != nil {
			if db.IsForeignKey(err) {
				return directory.NotFound("user or project", t.TrusteeUserID)
			}
			return err
		}
		for _, r := range t.RoleIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_trust_roles (trust_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, t.ID, r); err != nil {
				return err
			}
		}
		return nil
	})
}

const trustColumns = `id, trustor_user_id, trustee_user_id, COALESCE(project_id, ''), impersonation, expires_at, remaining_uses,
	allow_redelegation, redelegation_count, redelegated_trust_id, created_at`

func (s *Store) scanTrusts(ctx context.Context, q string, args ...any) ([]*authn.Trust, error) {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []*authn.Trust
	for rows.Next() {
		var t authn.Trust
		var exp sql.NullTime
		var uses sql.NullInt64
		if err := rows.Scan(&t.ID, &t.TrustorUserID, &t.TrusteeUserID, &t.ProjectID, &t.Impersonation, &exp, &uses,
			&t.AllowRedelegation, &t.RedelegationCount, &t.RedelegatedTrustID, &t.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		t.ExpiresAt = db.TimePtr(exp)
		if uses.Valid {
			n := int(uses.Int64)
			t.RemainingUses = &n
		}
		out = append(out, &t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range out {
		if t.RoleIDs, err = db.Strings(ctx, s.db.Reader(), `SELECT role_id FROM identity_trust_roles WHERE trust_id = $1 ORDER BY role_id`, t.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetTrust returns a trust by id.
func (s *Store) GetTrust(ctx context.Context, id string) (*authn.Trust, error) {
	l, err := s.scanTrusts(ctx, `SELECT `+trustColumns+` FROM identity_trusts WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, directory.NotFound("trust", id)
	}
	return l[0], nil
}

// ListTrusts lists trusts, filtered by trustor and trustee when given.
func (s *Store) ListTrusts(ctx context.Context, trustorID, trusteeID string) ([]*authn.Trust, error) {
	return s.scanTrusts(ctx, `SELECT `+trustColumns+` FROM identity_trusts
		WHERE ($1 = '' OR trustor_user_id = $1) AND ($2 = '' OR trustee_user_id = $2) ORDER BY created_at, id`, trustorID, trusteeID)
}

// DeleteTrust deletes a trust and stores the revocation of its tokens.
func (s *Store) DeleteTrust(ctx context.Context, id string, ev directory.RevokeEvent) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE identity_trusts SET redelegated_trust_id = '' WHERE redelegated_trust_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_trusts WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("trust", id)
		}
		return dirstore.InsertRevokeEvent(ctx, tx, ev)
	})
}

// ConsumeTrust takes one use of a limited trust with a compare-and-swap.
func (s *Store) ConsumeTrust(ctx context.Context, id string) error {
	res, err := s.db.Writer().ExecContext(ctx, `UPDATE identity_trusts SET remaining_uses = remaining_uses - 1
		WHERE id = $1 AND remaining_uses IS NOT NULL AND remaining_uses > 0`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apierr.Forbidden("Trust %s has no uses left.", id)
	}
	return nil
}

// RevokeEventsSince returns the events revoked at or after t.
func (s *Store) RevokeEventsSince(ctx context.Context, t time.Time) ([]authn.StoredRevokeEvent, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, user_id, project_id, domain_id, role_id, trust_id, consumer_id, audit_id, audit_chain_id, expires_at, issued_before, revoked_at
		FROM identity_revocation_events WHERE revoked_at >= $1 ORDER BY revoked_at`, t.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []authn.StoredRevokeEvent
	for rows.Next() {
		var e authn.StoredRevokeEvent
		var exp sql.NullTime
		if err := rows.Scan(&e.ID, &e.UserID, &e.ProjectID, &e.DomainID, &e.RoleID, &e.TrustID, &e.ConsumerID, &e.AuditID, &e.AuditChainID, &exp, &e.IssuedBefore, &e.RevokedAt); err != nil {
			return nil, err
		}
		e.ExpiresAt = db.TimePtr(exp)
		e.IssuedBefore, e.RevokedAt = e.IssuedBefore.UTC(), e.RevokedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// Revoke stores a revocation event on its own.
func (s *Store) Revoke(ctx context.Context, ev directory.RevokeEvent) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error { return dirstore.InsertRevokeEvent(ctx, tx, ev) })
}
