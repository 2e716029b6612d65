// Package txn runs the compute store's transactions: again, after a short
// pause, when one loses a race to a concurrent writer (a compare-and-swap
// update whose version moved, a unique key another transaction inserted
// first), which only PostgreSQL's concurrent writers can do.
package txn

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// ErrRace marks a transaction that lost to a concurrent writer: a
// compare-and-swap update whose version moved, or a unique key inserted
// by another transaction after this one looked. The transaction is run
// again from the start, and then sees the other's write.
var ErrRace = errors.New("compute store: concurrent write")

// maxRaceRetries bounds how often a transaction that lost a race is run
// again; each round has a winner, so losing this often means heavy
// contention.
const maxRaceRetries = 200

// CompareAndSwap checks the result of an UPDATE ... WHERE version = $n:
// no row updated means a concurrent write moved the version first, and
// the transaction is run again.
func CompareAndSwap(res sql.Result, err error) error { return changed(res, err, ErrRace) }

// Run runs fn in one transaction of d, again while it reports ErrRace.
func Run(ctx context.Context, d *db.DB, fn func(ctx context.Context, tx *sql.Tx) error) error {
	var err error
	for attempt := range maxRaceRetries {
		if err = d.Tx(ctx, fn); !errors.Is(err, ErrRace) {
			return err
		}
		// A short random pause lets the winner finish (PostgreSQL only:
		// SQLite's single writer never races).
		d := time.Duration(rand.IntN(1000*min(attempt+1, 10))) * time.Microsecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
	return err
}

// Exec1 runs a statement that must change a row: none is
// apierr.ErrNotFound.
func Exec1(ctx context.Context, q db.Querier, query string, args ...any) error {
	res, err := q.ExecContext(ctx, query, args...)
	return changed(res, err, apierr.ErrNotFound)
}

// changed is err, or none when res changed no row.
func changed(res sql.Result, err, none error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return none
	}
	return nil
}
