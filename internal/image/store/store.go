// Package store is the SQL implementation of image.Store, imports.Store
// and metadef.Store, with the image service's migrations. A missing row
// is apierr.ErrNotFound and a taken key apierr.ErrDuplicate; the services
// give them Glance's messages. It runs unchanged on SQLite and
// PostgreSQL; the tests run on both (see platform/db/dbtest).
package store

import (
	"context"
	"database/sql"
	"embed"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/imports"
	"github.com/gostack/gostack/internal/image/metadef"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements image.Store, imports.Store and metadef.Store.
type Store struct {
	db *db.DB
}

var (
	_ image.Store   = (*Store)(nil)
	_ imports.Store = (*Store)(nil)
	_ metadef.Store = (*Store)(nil)
)

// New returns a Store on d. Call Migrate before use.
func New(d *db.DB) *Store { return &Store{db: d} }

// Migrate applies the image migrations.
func (s *Store) Migrate(ctx context.Context) error {
	return s.db.MigrateEmbedded(ctx, "image", migrations)
}

// DB returns the underlying database.
func (s *Store) DB() *db.DB { return s.db }

// oneRow checks the outcome of an UPDATE or DELETE of one row: a taken
// unique key is apierr.ErrDuplicate, no row apierr.ErrNotFound.
func oneRow(res sql.Result, err error) error {
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apierr.ErrNotFound
	}
	return nil
}
