package directory

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/store/row"
	"github.com/gostack/gostack/internal/platform/db"
)

const userColumns = `id, name, domain_id, enabled, default_project_id, description, options, extra, password_hash,
	password_expires_at, password_created_at, failed_auth_count, failed_auth_at, last_active_at, created_at, updated_at`

func scanUser(sc db.Scanner) (*directory.User, error) {
	var u directory.User
	var opts, extra []byte
	var exp, pwc, fa, la sql.NullTime
	if err := sc.Scan(&u.ID, &u.Name, &u.DomainID, &u.Enabled, &u.DefaultProjectID, &u.Description, &opts, &extra, &u.PasswordHash,
		&exp, &pwc, &u.FailedAuthCount, &fa, &la, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	u.Options, u.Extra = row.DecodeMap(opts), row.DecodeMap(extra)
	u.PasswordExpiresAt, u.PasswordCreatedAt, u.FailedAuthAt, u.LastActiveAt = db.TimePtr(exp), db.TimePtr(pwc), db.TimePtr(fa), db.TimePtr(la)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// GetUser returns a user by id.
func (s *Store) GetUser(ctx context.Context, id string) (*directory.User, error) {
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, `SELECT `+userColumns+` FROM identity_users WHERE id = $1`, id))
	return u, row.NotFoundIf(err, "user", id)
}

// GetUserByName returns a user by domain and name, case-insensitively.
func (s *Store) GetUserByName(ctx context.Context, domainID, name string) (*directory.User, error) {
	u, err := scanUser(s.db.Reader().QueryRowContext(ctx, `SELECT `+userColumns+` FROM identity_users WHERE domain_id = $1 AND name_key = $2`, domainID, strings.ToLower(name)))
	return u, row.NotFoundIf(err, "user", name)
}

func userConflict(name string) string {
	return "Conflict occurred attempting to store user - Duplicate entry found with name " + name + "."
}

// CreateUser inserts a user.
func (s *Store) CreateUser(ctx context.Context, u *directory.User) error {
	now := db.Now()
	u.CreatedAt, u.UpdatedAt = now, now
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identity_users
			(id, name, name_key, domain_id, enabled, default_project_id, description, options, extra, password_hash,
			 password_created_at, password_expires_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
			u.ID, u.Name, strings.ToLower(u.Name), u.DomainID, u.Enabled, u.DefaultProjectID, u.Description,
			row.EncodeMap(u.Options), row.EncodeMap(u.Extra), u.PasswordHash, db.NullTime(u.PasswordCreatedAt), db.NullTime(u.PasswordExpiresAt), now)
		if db.IsForeignKey(err) {
			return directory.NotFound("domain", u.DomainID)
		}
		return row.ConflictIf(err, userConflict(u.Name))
	})
}

// UpdateUser writes every mutable attribute of u; oldHash, when set, is
// added to the password history.
func (s *Store) UpdateUser(ctx context.Context, u *directory.User, oldHash string, revoke *directory.RevokeEvent) error {
	u.UpdatedAt = db.Now()
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE identity_users SET name = $2, name_key = $3, enabled = $4, default_project_id = $5,
			description = $6, options = $7, extra = $8, password_hash = $9, password_created_at = $10, password_expires_at = $11,
			failed_auth_count = $12, failed_auth_at = $13, updated_at = $14 WHERE id = $1`,
			u.ID, u.Name, strings.ToLower(u.Name), u.Enabled, u.DefaultProjectID, u.Description, row.EncodeMap(u.Options), row.EncodeMap(u.Extra),
			u.PasswordHash, db.NullTime(u.PasswordCreatedAt), db.NullTime(u.PasswordExpiresAt), u.FailedAuthCount, db.NullTime(u.FailedAuthAt), u.UpdatedAt)
		if err != nil {
			return row.ConflictIf(err, userConflict(u.Name))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("user", u.ID)
		}
		if oldHash != "" {
			// Strictly increasing timestamps keep the history ordered
			// even for changes within one microsecond.
			if _, err := tx.ExecContext(ctx, `INSERT INTO identity_password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)`,
				u.ID, oldHash, u.UpdatedAt); err != nil {
				return err
			}
		}
		if revoke != nil {
			return InsertRevokeEvent(ctx, tx, *revoke)
		}
		return nil
	})
}

func deleteUserRows(ctx context.Context, tx *sql.Tx, id string) error {
	for _, q := range []string{
		`DELETE FROM identity_assignments WHERE actor_id = $1`,
		`DELETE FROM identity_group_members WHERE user_id = $1`,
		`DELETE FROM identity_password_history WHERE user_id = $1`,
		`DELETE FROM identity_credentials WHERE user_id = $1`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return err
		}
	}
	return InsertRevokeEvent(ctx, tx, directory.RevokeEvent{UserID: id})
}

// DeleteUser deletes a user with its assignments, memberships and
// credentials, and records a revocation event.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := deleteUserRows(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_users WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("user", id)
		}
		return nil
	})
}

// ListUsers returns the users matching q, ordered by name.
func (s *Store) ListUsers(ctx context.Context, uq directory.UserQuery) ([]*directory.User, error) {
	var w db.Where
	w.Eq("domain_id", uq.DomainID)
	w.Eq("name", uq.Name)
	if uq.Enabled != nil {
		w.And("enabled = " + w.Add(*uq.Enabled))
	}
	if uq.GroupID != "" {
		w.And("id IN (SELECT user_id FROM identity_group_members WHERE group_id = " + w.Add(uq.GroupID) + ")")
	}
	return db.All(ctx, s.db.Reader(), scanUser, `SELECT `+userColumns+` FROM identity_users`+w.Clause()+" ORDER BY name, id", w.Vals...)
}

// PasswordHistory returns up to n previous password hashes, newest first.
func (s *Store) PasswordHistory(ctx context.Context, userID string, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	return db.Strings(ctx, s.db.Reader(), `SELECT password_hash FROM identity_password_history WHERE user_id = $1
		ORDER BY created_at DESC LIMIT $2`, userID, n)
}

// SetUserAuthState records failed-authentication counters and the last
// activity time of a user.
func (s *Store) SetUserAuthState(ctx context.Context, userID string, failedCount int, failedAt, lastActive *time.Time) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE identity_users SET failed_auth_count = $2, failed_auth_at = $3,
			last_active_at = COALESCE($4, last_active_at) WHERE id = $1`,
			userID, failedCount, db.NullTime(failedAt), db.NullTime(lastActive))
		return err
	})
}
