// Package store is the networking service's SQL: networks, segments,
// subnets, subnet pools, address scopes, ports and their addresses, and
// tags, in the subset of SQL both SQLite and PostgreSQL accept; the
// routers and floating IPs (store/l3), security groups (store/secgroups)
// and the smaller extensions (store/extras) are in packages of their own,
// sharing the SQL fragments of store/rows. Every use case runs in one
// transaction (Update or View) over a txn, which implements network.Tx;
// ipam's tables are reached through the same transaction. Read-only
// transactions share a cache of decoded ports keyed by revision_number
// (portcache.go), which is why UpdatePort only ever moves a revision up.
package store

import (
	"context"
	"database/sql"
	"embed"

	"github.com/gostack/gostack/internal/network/ipam"

	"github.com/gostack/gostack/internal/network"
	exstore "github.com/gostack/gostack/internal/network/store/extras"
	"github.com/gostack/gostack/internal/network/store/l3"
	sgstore "github.com/gostack/gostack/internal/network/store/secgroups"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/quota"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the networking service's database, with the cache of decoded
// ports that its read-only transactions share (portCache).
type Store struct {
	db    *db.DB
	ports *portCache
}

// New returns the store over d.
func New(d *db.DB) *Store { return &Store{db: d, ports: &portCache{}} }

// Migrate creates or upgrades the service's tables, its quota tables and
// ipam's.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.db.MigrateEmbedded(ctx, "network", migrations); err != nil {
		return err
	}
	if err := quota.Migrate(ctx, s.db); err != nil {
		return err
	}
	return ipam.Migrate(ctx, s.db)
}

// Update runs fn in a read-write transaction.
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx network.Tx) error) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return fn(ctx, newTxn(tx, s.db.Dialect))
	})
}

// View runs fn in a read-only snapshot.
func (s *Store) View(ctx context.Context, fn func(ctx context.Context, tx network.Tx) error) error {
	return s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		t := newTxn(tx, s.db.Dialect)
		t.ports = s.ports
		return fn(ctx, t)
	})
}

// txn is one transaction. The core rows' methods (networks, subnets,
// subnet pools, address scopes, ports, tags) are spread over a file per
// area here; the L3, security-group and extension rows are the area
// stores', embedded over the same *sql.Tx, so that txn implements the
// whole network.Tx.
type txn struct {
	tx      *sql.Tx
	dialect db.Dialect
	// ports is the store's port cache in a read-only transaction, nil
	// in a read-write one (see portCache).
	ports *portCache
	l3Txn
	groupsTxn
	extrasTxn
}

// The area stores' transaction types, named apart so that txn can embed
// all three (an embedded field is named after its type).
type (
	l3Txn     = l3.Txn
	groupsTxn = sgstore.Txn
	extrasTxn = exstore.Txn
)

func newTxn(tx *sql.Tx, dialect db.Dialect) *txn {
	return &txn{tx: tx, dialect: dialect, l3Txn: l3.New(tx), groupsTxn: sgstore.New(tx), extrasTxn: exstore.New(tx)}
}

var _ network.Tx = (*txn)(nil)

func (t *txn) Querier() db.Querier { return t.tx }

// Pool is the read pool, for reads outside a transaction.
func (s *Store) Pool() db.Querier { return s.db.Reader() }
