// Package store is the networking service's SQL: networks, segments,
// subnets, ports and their addresses, routers, floating IPs, security
// groups and the smaller extensions, in the subset of SQL both SQLite and
// PostgreSQL accept. Every use case runs in one transaction (Update or
// View) over a txn, which implements network.Tx; ipam's tables are
// reached through the same transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/quota"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the networking service's database.
type Store struct{ db *db.DB }

// New returns the store over d.
func New(d *db.DB) *Store { return &Store{db: d} }

// Migrate creates or upgrades the service's tables, its quota tables and
// ipam's.
func (s *Store) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	if err := s.db.Migrate(ctx, "network", sub); err != nil {
		return err
	}
	return quota.Migrate(ctx, s.db)
}

// Update runs fn in a read-write transaction.
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx network.Tx) error) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return fn(ctx, &txn{tx: tx, dialect: s.db.Dialect})
	})
}

// View runs fn in a read-only snapshot.
func (s *Store) View(ctx context.Context, fn func(ctx context.Context, tx network.Tx) error) error {
	return s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return fn(ctx, &txn{tx: tx, dialect: s.db.Dialect})
	})
}

// txn is one transaction; its methods are spread over a file per area.
type txn struct {
	tx      *sql.Tx
	dialect db.Dialect
}

var _ network.Tx = (*txn)(nil)

func (t *txn) Querier() db.Querier { return t.tx }

// Pool is the read pool, for reads outside a transaction.
func (s *Store) Pool() db.Querier { return s.db.Reader() }
