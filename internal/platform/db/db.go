// Package db opens gostack's one SQL database — embedded SQLite (pure Go,
// WAL) by default, PostgreSQL for scale-out — runs each service's embedded
// migrations, and runs transactions with retries on the errors a concurrent
// writer can meet (SQLITE_BUSY, serialization failures).
//
// SQL is written once, in the subset both engines accept: $N placeholders,
// TEXT UUID keys, BOOLEAN, TIMESTAMP (always UTC, set from Go), JSONB read
// only with ->>, ON CONFLICT, RETURNING; no SELECT ... FOR UPDATE (use
// compare-and-swap updates), no LIKE for case-insensitive matching.
// Integer ids come from the engine (an identity column on PostgreSQL,
// INTEGER PRIMARY KEY AUTOINCREMENT on SQLite): an INSERT leaves the
// column out and reads it back with RETURNING. Where the DDL of the two
// engines cannot be one text, a migration comes as two files,
// NNNNN_name.sqlite.sql and NNNNN_name.postgres.sql, and Migrate runs the
// one of its engine.
//
// A transaction holds a connection until it ends, so code running inside
// one must not ask a pool for another: with every connection held by
// transactions whose goroutines wait for a second one, none ever comes
// back. Tx and ReadTx hand their function a context that says so, and the
// pools (Reader, Writer) and Tx and ReadTx themselves refuse that context
// — with a panic in test binaries, so that a test finds the mistake, and
// with ErrPoolInTx otherwise. Test binaries also refuse the goroutine that
// holds a transaction whatever context it passes, which catches a
// callback closing over its caller's context. Everything a transaction
// needs goes through its *sql.Tx.
//
// The stores share small helpers for the SQL they all write: Args and
// Where hand out placeholders and assemble a list query's optional
// filters, All reads every row of a query, InsertDistinct writes tag-like
// child rows, NotFound turns a missing row into apierr.ErrNotFound, and
// the Null*/JSON functions convert columns.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3/lock"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the database. On SQLite writes go through one connection (SQLite
// has one writer; BEGIN IMMEDIATE avoids lock upgrades that fail with BUSY)
// and reads through a pool; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	writer  *Pool
	reader  *Pool
	// holders are the goroutines holding a transaction of the database,
	// tracked in test binaries only (see hold).
	holders sync.Map
}

// Open opens url: "postgres://..." or "postgresql://..." for PostgreSQL,
// anything else is a SQLite file path (created if missing), with an
// optional "sqlite://" prefix.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		pool.SetMaxOpenConns(32)
		pool.SetMaxIdleConns(16)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		if err := pool.PingContext(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		return newDB(Postgres, pool, pool), nil
	}
	path := strings.TrimPrefix(dsn, "sqlite://")
	if path == "" {
		return nil, errors.New("db: empty database path")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath()
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", base+"?_pragma=journal_mode(WAL)&"+common+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return newDB(SQLite, w, r), nil
}

func newDB(dialect Dialect, write, read *sql.DB) *DB {
	d := &DB{Dialect: dialect, write: write, read: read}
	d.writer = &Pool{DB: write, owner: d}
	d.reader = &Pool{DB: read, owner: d}
	return d
}

// Close closes the database.
func (d *DB) Close() error {
	err := d.write.Close()
	if d.read != d.write {
		if e := d.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Reader returns the pool for queries outside a transaction.
func (d *DB) Reader() *Pool { return d.reader }

// Writer returns the write pool, for single statements outside a
// transaction; prefer Tx.
func (d *DB) Writer() *Pool { return d.writer }

// Querier is what both *sql.DB and *sql.Tx offer.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx runs fn in a read-write transaction, committing if fn returns nil.
// It retries the whole of fn when the engine reports a transient conflict,
// so fn must not have effects outside the transaction. fn gets a context
// marked as holding the transaction (see the package doc): it must use
// that one, and reach the database only through tx.
func (d *DB) Tx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if err := d.refuse(ctx, "BEGIN"); err != nil {
		return err
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = d.tx1(ctx, fn)
		if err == nil || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return err
}

// Exec runs one statement in a read-write transaction (Tx, retried on a
// transient conflict) and returns how many rows it changed: the shape of
// a compare-and-swap whose caller needs to know whether it won.
func (d *DB) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := d.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

func (d *DB) tx1(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) (err error) {
	tx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	ctx, end := d.mark(ctx)
	defer end()
	defer d.hold()()
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// ErrRace is what a transaction returns when it lost a race that a
// second run would win: an id it chose as free was taken meanwhile by a
// concurrent transaction (a unique violation on a value it computed, not
// one the caller asked for). Tx runs fn again, as for a serialization
// failure.
var ErrRace = errors.New("db: a concurrent transaction took the value chosen; try again")

func retryable(err error) bool {
	if errors.Is(err, ErrRace) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// IsUnique reports whether err is a unique-constraint violation.
func IsUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// IsForeignKey reports whether err is a foreign-key violation.
func IsForeignKey(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	return false
}

// Migrate applies the migrations in fsys (goose .sql files at its root)
// for one service, tracked in the table goose_<service>. A file named
// NNNNN_name.sqlite.sql or NNNNN_name.postgres.sql is run on that engine
// only; its twin for the other engine has the same version.
func (d *DB) Migrate(ctx context.Context, service string, fsys fs.FS) error {
	dialect, other := goose.DialectSQLite3, Postgres
	if d.Dialect == Postgres {
		dialect, other = goose.DialectPostgres, SQLite
	}
	others, err := fs.Glob(fsys, "*."+string(other)+".sql")
	if err != nil {
		return fmt.Errorf("migrations of %s: %w", service, err)
	}
	opts := []goose.ProviderOption{
		goose.WithExcludeNames(others),
		goose.WithTableName("goose_" + service),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(slog.New(slog.DiscardHandler)),
	}
	if d.Dialect == Postgres {
		// Replicas starting together, or one starting during `gostack
		// admin db upgrade`, take turns: a session advisory lock per
		// service's migrations, asked for every second for five minutes.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID(service)), lock.WithLockTimeout(1, 300))
		if err != nil {
			return fmt.Errorf("migrations of %s: %w", service, err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, d.write, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations of %s: %w", service, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", service, err)
	}
	return nil
}

// migrationLockID is the advisory lock key of a service's migrations:
// a hash (FNV-1a) of the service's name.
func migrationLockID(service string) int64 {
	h := fnv.New64a()
	h.Write([]byte("gostack-migrate:" + service))
	return int64(h.Sum64() &^ (1 << 63))
}

// MigrateEmbedded is Migrate over the "migrations" directory of fsys,
// where every store keeps its files (//go:embed migrations/*.sql).
func (d *DB) MigrateEmbedded(ctx context.Context, service string, fsys fs.FS) error {
	sub, err := fs.Sub(fsys, "migrations")
	if err != nil {
		return fmt.Errorf("migrations of %s: %w", service, err)
	}
	return d.Migrate(ctx, service, sub)
}

// Now returns the current time as stored: UTC, microsecond precision (what
// PostgreSQL keeps), so that values read back compare equal.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// ReadTx runs fn in a read-only transaction that sees one snapshot of the
// database, for reads that take several queries (a row and its child
// rows): without it, PostgreSQL's READ COMMITTED lets a writer commit
// between the queries, and the reader sees half of a change. On SQLite
// a read transaction is already a snapshot (WAL). fn gets a marked
// context, as with Tx.
func (d *DB) ReadTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if err := d.refuse(ctx, "BEGIN"); err != nil {
		return err
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if d.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := d.read.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ctx, end := d.mark(ctx)
	defer end()
	defer d.hold()()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}
