// Package store is the block storage service's SQL, in the subset both
// SQLite and PostgreSQL accept: volumes here, each other area in a
// package of its own (voltypes, snapshots, backups, transfers,
// attachments, hosts, extras, groups) whose Txn works on the same *sql.Tx, so
// that one transaction spans areas. txn embeds them all and implements
// blockstorage.Tx.
package store

import (
	"context"
	"database/sql"
	"embed"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/attachments"
	"github.com/gostack/gostack/internal/blockstorage/store/backups"
	"github.com/gostack/gostack/internal/blockstorage/store/extras"
	"github.com/gostack/gostack/internal/blockstorage/store/groups"
	"github.com/gostack/gostack/internal/blockstorage/store/hosts"
	"github.com/gostack/gostack/internal/blockstorage/store/snapshots"
	"github.com/gostack/gostack/internal/blockstorage/store/transfers"
	"github.com/gostack/gostack/internal/blockstorage/store/voltypes"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/quota"
)

// migrations hold every area's tables, numbered by area: 00001 volumes,
// 00002 volume types and QoS, 00003 snapshots, 00004 backups, 00005
// transfers, 00006 attachments, 00007 hosts, 00008 extras, 00009 groups.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Store is the block storage service's database.
type Store struct{ db *db.DB }

// New returns the store over d.
func New(d *db.DB) *Store { return &Store{db: d} }

// Migrate creates or upgrades the service's tables and the quota tables.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.db.MigrateEmbedded(ctx, "blockstorage", migrations); err != nil {
		return err
	}
	return quota.Migrate(ctx, s.db)
}

// Update runs fn in a read-write transaction.
func (s *Store) Update(ctx context.Context, fn func(ctx context.Context, tx blockstorage.Tx) error) error {
	return s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return fn(ctx, newTxn(tx))
	})
}

// View runs fn in a read-only snapshot.
func (s *Store) View(ctx context.Context, fn func(ctx context.Context, tx blockstorage.Tx) error) error {
	return s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return fn(ctx, newTxn(tx))
	})
}

// Pool is the read pool, for reads outside a transaction.
func (s *Store) Pool() db.Querier { return s.db.Reader() }

// txn is one transaction: the volume rows here, every other area's
// embedded (an embedded field is named after its type, hence the
// aliases).
type txn struct {
	tx *sql.Tx
	typesTxn
	snapshotsTxn
	backupsTxn
	transfersTxn
	attachmentsTxn
	hostsTxn
	extrasTxn
	groupsTxn
}

type (
	typesTxn       = voltypes.Txn
	snapshotsTxn   = snapshots.Txn
	backupsTxn     = backups.Txn
	transfersTxn   = transfers.Txn
	attachmentsTxn = attachments.Txn
	hostsTxn       = hosts.Txn
	extrasTxn      = extras.Txn
	groupsTxn      = groups.Txn
)

func newTxn(tx *sql.Tx) *txn {
	return &txn{tx: tx, typesTxn: voltypes.New(tx), snapshotsTxn: snapshots.New(tx), backupsTxn: backups.New(tx),
		transfersTxn: transfers.New(tx), attachmentsTxn: attachments.New(tx), hostsTxn: hosts.New(tx), extrasTxn: extras.New(tx),
		groupsTxn: groups.New(tx)}
}

var _ blockstorage.Tx = (*txn)(nil)

func (t *txn) Querier() db.Querier { return t.tx }
