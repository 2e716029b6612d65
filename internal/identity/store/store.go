// Package store is the SQL implementation of identity.Store, with the
// identity service's migrations. It runs unchanged on SQLite and
// PostgreSQL; store_test.go runs on both (see platform/db/dbtest).
package store

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"time"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/db"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements identity.Store.
type Store struct {
	db *db.DB
}

var _ identity.Store = (*Store)(nil)

// New returns a Store on d. Call Migrate before use.
func New(d *db.DB) *Store { return &Store{db: d} }

// Migrate applies the identity migrations.
func (s *Store) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return s.db.Migrate(ctx, "identity", sub)
}

// DB returns the underlying database.
func (s *Store) DB() *db.DB { return s.db }

// encodeJSON renders a map for a JSONB column; nil becomes {}.
func encodeJSON(m map[string]any) string {
	if len(m) == 0 {
		return "{}"
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// decodeJSON parses a JSONB column value; bad or empty text gives nil.
func decodeJSON(s []byte) map[string]any {
	if len(s) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(s, &m) != nil || len(m) == 0 {
		return nil
	}
	return m
}

// timePtr turns a nullable column into a *time.Time in UTC.
func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// nullTime is the reverse of timePtr.
func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

// notFoundIf maps sql.ErrNoRows to an identity.NotFoundError.
func notFoundIf(err error, kind, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &identity.NotFoundError{Kind: kind, ID: id}
	}
	return err
}

// conflictIf maps unique violations to an identity.ConflictError.
func conflictIf(err error, msg string) error {
	if db.IsUnique(err) {
		return &identity.ConflictError{Msg: msg}
	}
	return err
}
