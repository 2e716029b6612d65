// Package lease keeps cluster-wide leases in the database every replica
// already shares, so that one process at a time does a named piece of
// background work (a reconciler, an expirer, a heartbeat sweep) for the
// whole cluster, and another takes it over when that process dies. It is
// no consensus of its own: the database's transactions decide who holds a
// lease.
//
//	replica A                leases (one row per name)               replica B
//	Acquire("x", ttl) ──►  holder=A fence=7 expires=now+ttl  ◄── Acquire: held by A
//	Acquire (renew)   ──►  expires=now+ttl                         …
//	   (A dies: no renew)                                      ◄── Acquire after expiry:
//	                       holder=B fence=8 expires=now+ttl        taken, fence 8
//
// # Clocks
//
// Every time in the table is the database's clock, in milliseconds since
// the Unix epoch, read by the statement that uses it: PostgreSQL's
// clock_timestamp() on the database server, SQLite's julianday('now') on
// the one host whose processes share the SQLite file. Replicas on
// different hosts therefore never compare their own wall clocks with each
// other's: whether a lease has expired is decided on one clock. A holder
// knows its lease's end without reading a clock of the database: it takes
// its monotonic clock's reading before sending Acquire, and the lease
// cannot end earlier than ttl after that instant, because the database
// read its clock later. So a holder that stops acting ttl after it sent
// its last successful Acquire has stopped before anyone else can take the
// lease, as long as the two clocks run at the same rate (drift over a
// lease's few seconds is negligible; a step of the database server's
// clock is not, and shortens or lengthens every lease by the step).
//
// # Fencing
//
// Each holding term has a fence: a counter that grows every time the
// lease changes hands or is taken again after it expired, and never goes
// back (rows are not deleted; Release only makes the lease expire). Work
// that must not be done by a stale holder can carry the fence and be
// refused when a greater one was seen.
//
// # Runs
//
// Started and Finished record, on the database's clock, when the holder
// began and ended a run of its periodic work. The next holder reads them
// in its Grant, so that a hand-over keeps the period: the new holder
// waits for what is left of the period after the last finished run, and
// reruns at once a run that its previous holder began and never finished.
package lease

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gostack/gostack/internal/platform/db"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the lease table. `gostack admin db upgrade`
// runs it, and Open does.
func Migrate(ctx context.Context, d *db.DB) error {
	return d.MigrateEmbedded(ctx, "lease", migrations)
}

// ErrLost is returned by Started, Finished and Release when this process
// no longer holds the lease's term it named.
var ErrLost = errors.New("lease: not held")

// Store is one process's handle on the lease table. Its holder id is
// random and new for every Store, so a process keeps one Store: two
// Stores are two contenders (as two replicas are), even in one process.
type Store struct {
	db     *db.DB
	holder string
	host   string
}

// Open migrates the lease table and returns a Store on d.
func Open(ctx context.Context, d *db.DB) (*Store, error) {
	if err := Migrate(ctx, d); err != nil {
		return nil, err
	}
	return New(d), nil
}

// New returns a Store on d with a fresh holder id; the table must exist
// (Migrate).
func New(d *db.DB) *Store {
	var b [8]byte
	rand.Read(b[:]) // crypto/rand.Read never fails (it panics instead)
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return &Store{db: d, holder: hex.EncodeToString(b[:]), host: host}
}

// Holder is this Store's holder id, which identifies the process in the
// lease table and in logs.
func (s *Store) Holder() string { return s.holder }

// Host is the host name recorded beside the holder id, for people reading
// logs and the table.
func (s *Store) Host() string { return s.host }

// Grant is what Acquire found.
type Grant struct {
	// Held reports whether this Store holds the lease now.
	Held bool
	// Fence is the current term's fencing counter (this Store's term when
	// Held; 0 when the lease was never taken).
	Fence int64
	// Holder and Host name the current or last holder.
	Holder, Host string
	// Ran reports whether a run was ever started under the lease (in any
	// term); Interrupted, that the last one started never finished
	// (its holder died or lost the lease during it).
	Ran, Interrupted bool
	// SinceEnd is the time since the last run finished, on the
	// database's clock, when Ran and not Interrupted.
	SinceEnd time.Duration
}

// now is the database's clock in milliseconds since the Unix epoch, as
// an SQL expression of the engine (see the package doc).
func (s *Store) now() string {
	if s.db.Dialect == db.Postgres {
		return `CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)`
	}
	return `CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)`
}

// Acquire takes the lease name for ttl if it is free or expired, or
// renews it if this Store holds it. A renewal keeps the fence; taking the
// lease (from another holder, or back after it expired) increments it.
// Held is false, with the current holder named, when another holder's
// lease has not expired.
func (s *Store) Acquire(ctx context.Context, name string, ttl time.Duration) (Grant, error) {
	if ttl <= 0 {
		return Grant{}, fmt.Errorf("lease %s: ttl %s is not positive", name, ttl)
	}
	// A standby asks every few seconds; a read tells it, without the
	// write lock (SQLite's one writer) or a row lock (PostgreSQL), that a
	// live holder has the lease — the usual answer.
	var g Grant
	busy := false
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var left int64
		err := tx.QueryRowContext(ctx, `SELECT holder, host, fence, expires_ms - `+s.now()+` FROM leases WHERE name = $1`, name).
			Scan(&g.Holder, &g.Host, &g.Fence, &left)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		busy = err == nil && g.Holder != s.holder && left > 0
		return err
	})
	if err != nil || busy {
		return g, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		g = Grant{}
		var now int64
		if err := tx.QueryRowContext(ctx, `SELECT `+s.now()).Scan(&now); err != nil {
			return err
		}
		// The WHERE clause is the compare-and-swap: the row is updated
		// only by its holder or once it expired, and a row it does not
		// update returns nothing. On PostgreSQL a concurrent Acquire
		// waits for the row lock and re-evaluates the clause on the row
		// as committed, so two contenders cannot both take it.
		var start, end sql.NullInt64
		err := tx.QueryRowContext(ctx, `
INSERT INTO leases (name, holder, host, fence, expires_ms, acquired_ms)
VALUES ($1, $2, $3, 1, $5, $4)
ON CONFLICT (name) DO UPDATE SET
    fence = CASE WHEN leases.holder = excluded.holder AND leases.expires_ms > $4
                 THEN leases.fence ELSE leases.fence + 1 END,
    acquired_ms = CASE WHEN leases.holder = excluded.holder AND leases.expires_ms > $4
                 THEN leases.acquired_ms ELSE $4 END,
    holder = excluded.holder,
    host = excluded.host,
    expires_ms = excluded.expires_ms
WHERE leases.holder = excluded.holder OR leases.expires_ms <= $4
RETURNING fence, last_start_ms, last_end_ms`,
			name, s.holder, s.host, now, now+ttl.Milliseconds()).Scan(&g.Fence, &start, &end)
		if errors.Is(err, sql.ErrNoRows) {
			return tx.QueryRowContext(ctx, `SELECT holder, host, fence FROM leases WHERE name = $1`, name).
				Scan(&g.Holder, &g.Host, &g.Fence)
		}
		if err != nil {
			return err
		}
		g.Held, g.Holder, g.Host = true, s.holder, s.host
		g.Ran = start.Valid
		g.Interrupted = start.Valid && !end.Valid
		if end.Valid {
			g.SinceEnd = time.Duration(now-end.Int64) * time.Millisecond
		}
		return nil
	})
	if err != nil {
		return Grant{}, fmt.Errorf("lease %s: %w", name, err)
	}
	return g, nil
}

// Started records that the holder of term fence begins a run, and renews
// the lease for ttl. It returns ErrLost, and records nothing, when the
// term ended (the lease expired or changed hands): the run must not
// start.
func (s *Store) Started(ctx context.Context, name string, fence int64, ttl time.Duration) error {
	return s.update(ctx, name, `
UPDATE leases SET last_start_ms = clock.ms, last_end_ms = NULL, expires_ms = clock.ms + $4
FROM (SELECT `+s.now()+` AS ms) AS clock
WHERE name = $1 AND holder = $2 AND fence = $3 AND expires_ms > clock.ms`,
		name, s.holder, fence, ttl.Milliseconds())
}

// Finished records that the run Started in term fence ended. It returns
// ErrLost when another term began meanwhile, which then owns the record.
func (s *Store) Finished(ctx context.Context, name string, fence int64) error {
	return s.update(ctx, name, `UPDATE leases SET last_end_ms = `+s.now()+`
WHERE name = $1 AND holder = $2 AND fence = $3 AND last_start_ms IS NOT NULL`,
		name, s.holder, fence)
}

// Release ends the term fence at once, so that another process takes the
// lease at its next Acquire rather than when it would have expired. It
// returns ErrLost when the term had already ended.
func (s *Store) Release(ctx context.Context, name string, fence int64) error {
	return s.update(ctx, name, `
UPDATE leases SET expires_ms = clock.ms
FROM (SELECT `+s.now()+` AS ms) AS clock
WHERE name = $1 AND holder = $2 AND fence = $3 AND expires_ms > clock.ms`,
		name, s.holder, fence)
}

func (s *Store) update(ctx context.Context, name, query string, args ...any) error {
	n, err := s.db.Exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("lease %s: %w", name, err)
	}
	if n == 0 {
		return ErrLost
	}
	return nil
}

// Lease is a lease's row, as operators and tests see it.
type Lease struct {
	Name, Holder, Host string
	Fence              int64
	// Left is the time until the lease expires on the database's clock;
	// zero or less when it has expired or was released.
	Left time.Duration
}

// Get returns the lease name, or an error wrapping sql.ErrNoRows when it
// was never taken.
func (s *Store) Get(ctx context.Context, name string) (Lease, error) {
	l := Lease{Name: name}
	var left int64
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT holder, host, fence, expires_ms - `+s.now()+` FROM leases WHERE name = $1`, name).
			Scan(&l.Holder, &l.Host, &l.Fence, &left)
	})
	if err != nil {
		return Lease{}, fmt.Errorf("lease %s: %w", name, err)
	}
	l.Left = time.Duration(left) * time.Millisecond
	return l, nil
}
