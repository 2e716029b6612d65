// Package store is the SQL implementation of image.Store, with the image
// service's migrations. It runs unchanged on SQLite and PostgreSQL; the
// tests run on both (see platform/db/dbtest).
package store

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/db"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements image.Store.
type Store struct {
	db *db.DB
}

var _ image.Store = (*Store)(nil)

// New returns a Store on d. Call Migrate before use.
func New(d *db.DB) *Store { return &Store{db: d} }

// Migrate applies the image migrations.
func (s *Store) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return s.db.Migrate(ctx, "image", sub)
}

// DB returns the underlying database.
func (s *Store) DB() *db.DB { return s.db }

// args builds a positional argument list with $N placeholders.
type args struct{ vals []any }

func (a *args) add(v any) string {
	a.vals = append(a.vals, v)
	return "$" + strconv.Itoa(len(a.vals))
}

func (a *args) list(vs []string) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = a.add(v)
	}
	return strings.Join(ps, ", ")
}

func nullInt(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

func intPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func nullStr(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

func strPtr(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	v := n.String
	return &v
}
