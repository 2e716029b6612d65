// Package oauth1 is the SQL of OS-OAUTH1's request and access tokens
// (their consumers are in store/credential).
package oauth1

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/oauth1"
	"github.com/gostack/gostack/internal/identity/store/row"
	"github.com/gostack/gostack/internal/platform/db"
)

// Store implements oauth1.Store.
type Store struct{ db *db.DB }

// New returns the store on d; the identity store's Migrate creates the
// tables.
func New(d *db.DB) *Store { return &Store{db: d} }

var _ oauth1.Store = (*Store)(nil)

// roleIDs encodes a role id list as the JSON array Keystone stores.
func roleIDs(ids []string) string {
	if ids == nil {
		ids = []string{}
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// decodeRoleIDs reads a role_ids column; bad text is no roles.
func decodeRoleIDs(s string) []string {
	var ids []string
	if json.Unmarshal([]byte(s), &ids) != nil || ids == nil {
		return []string{}
	}
	return ids
}

// CreateRequestToken inserts a request token, not yet authorized.
func (s *Store) CreateRequestToken(ctx context.Context, rt *oauth1.RequestToken) error {
	return row.Exec1(ctx, s.db, "request token", rt.ID, "Duplicate ID, "+rt.ID+".",
		`INSERT INTO identity_oauth_request_tokens (id, request_secret, requested_project_id, consumer_id, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, rt.ID, rt.Secret, rt.ProjectID, rt.ConsumerID, db.NullTime(rt.ExpiresAt))
}

// GetRequestToken returns a request token.
func (s *Store) GetRequestToken(ctx context.Context, id string) (*oauth1.RequestToken, error) {
	var rt oauth1.RequestToken
	var roles string
	var exp sql.NullTime
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id, request_secret, verifier, authorizing_user_id, requested_project_id, role_ids, consumer_id, expires_at
		FROM identity_oauth_request_tokens WHERE id = $1`, id).Scan(&rt.ID, &rt.Secret, &rt.Verifier, &rt.AuthorizingUserID, &rt.ProjectID, &roles, &rt.ConsumerID, &exp)
	if err != nil {
		return nil, row.NotFoundIf(err, "request token", id)
	}
	rt.RoleIDs, rt.ExpiresAt = decodeRoleIDs(roles), db.TimePtr(exp)
	return &rt, nil
}

// AuthorizeRequestToken records an authorization of a request token.
func (s *Store) AuthorizeRequestToken(ctx context.Context, id, userID string, ids []string, verifier string) error {
	return row.Exec1(ctx, s.db, "request token", id, "", `UPDATE identity_oauth_request_tokens
		SET authorizing_user_id = $2, role_ids = $3, verifier = $4 WHERE id = $1`, id, userID, roleIDs(ids), verifier)
}

// ExchangeRequestToken uses up a request token for an access token. The
// delete is the compare-and-swap: of two concurrent exchanges of one
// request token, only one deletes its row and stores an access token.
func (s *Store) ExchangeRequestToken(ctx context.Context, reqID string, at *oauth1.AccessToken) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM identity_oauth_request_tokens WHERE id = $1`, reqID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.NotFound("request token", reqID)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO identity_oauth_access_tokens (id, access_secret, authorizing_user_id, project_id, role_ids, consumer_id, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, at.ID, at.Secret, at.AuthorizingUserID, at.ProjectID, roleIDs(at.RoleIDs), at.ConsumerID, db.NullTime(at.ExpiresAt))
		return row.ConflictIf(err, "Duplicate ID, "+at.ID+".")
	})
}

const accessColumns = `id, access_secret, authorizing_user_id, project_id, role_ids, consumer_id, expires_at`

func (s *Store) scanAccess(ctx context.Context, q string, args ...any) ([]*oauth1.AccessToken, error) {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*oauth1.AccessToken{}
	for rows.Next() {
		var at oauth1.AccessToken
		var roles string
		var exp sql.NullTime
		if err := rows.Scan(&at.ID, &at.Secret, &at.AuthorizingUserID, &at.ProjectID, &roles, &at.ConsumerID, &exp); err != nil {
			return nil, err
		}
		at.RoleIDs, at.ExpiresAt = decodeRoleIDs(roles), db.TimePtr(exp)
		out = append(out, &at)
	}
	return out, rows.Err()
}

// GetAccessToken returns an access token.
func (s *Store) GetAccessToken(ctx context.Context, id string) (*oauth1.AccessToken, error) {
	l, err := s.scanAccess(ctx, `SELECT `+accessColumns+` FROM identity_oauth_access_tokens WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, directory.NotFound("access token", id)
	}
	return l[0], nil
}

// ListAccessTokens lists the access tokens a user authorized.
func (s *Store) ListAccessTokens(ctx context.Context, userID string) ([]*oauth1.AccessToken, error) {
	return s.scanAccess(ctx, `SELECT `+accessColumns+` FROM identity_oauth_access_tokens WHERE authorizing_user_id = $1 ORDER BY id`, userID)
}

// DeleteAccessToken deletes an access token.
func (s *Store) DeleteAccessToken(ctx context.Context, id string) error {
	return row.Exec1(ctx, s.db, "access token", id, "", `DELETE FROM identity_oauth_access_tokens WHERE id = $1`, id)
}
