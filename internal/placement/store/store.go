// Package store is the SQL implementation of placement.Store, with the
// placement migrations. It runs unchanged on SQLite and PostgreSQL.
//
// Writes that depend on what they read (capacity, generations) bump the
// generation of the providers they touch with a compare-and-swap UPDATE:
// a concurrent writer that read the same generation updates no row and
// the transaction is retried (or, for a generation the client sent,
// answered with a 409). Every write logs the providers it changed, so
// that the snapshot behind CandidateProviders reloads only those.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"strings"

	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store implements placement.Store.
type Store struct {
	db   *db.DB
	snap snapshot
}

var _ placement.Store = (*Store)(nil)

// New returns a Store on d; placement.New runs its migrations.
func New(d *db.DB) *Store { return &Store{db: d} }

// Migrate applies the placement migrations.
func (s *Store) Migrate(ctx context.Context) error {
	return s.db.MigrateEmbedded(ctx, "placement", migrations)
}

// errRace means a compare-and-swap lost to a concurrent writer on a
// generation the store read itself: the transaction is run again.
var errRace = errors.New("placement store: concurrent update, retry")

// wtx is a write transaction that remembers the providers it changed,
// for the change log (see migrations/00002_changes.sql).
type wtx struct {
	*sql.Tx
	touched map[string]bool
	all     bool // every provider may have changed
}

// touch notes that the providers changed.
func (w *wtx) touch(uuids ...string) {
	if w.touched == nil {
		w.touched = map[string]bool{}
	}
	for _, u := range uuids {
		w.touched[u] = true
	}
}

// touchAll notes that any provider may have changed.
func (w *wtx) touchAll() { w.all = true }

// Change log pruning: every pruneEvery numbers, entries more than
// keepChanges numbers old are removed (a reader further behind reloads
// every provider's generation instead).
const (
	pruneEvery  = 256
	keepChanges = 4096
)

// logChanges bumps the change number and logs the touched providers;
// it is the transaction's last statement, so that the row lock it takes
// is held only until the commit (and no writer waits on another while
// holding it).
func (w *wtx) logChanges(ctx context.Context) error {
	if !w.all && len(w.touched) == 0 {
		return nil
	}
	if _, err := w.ExecContext(ctx, `UPDATE placement_seq SET seq = seq + 1 WHERE id = 1`); err != nil {
		return err
	}
	var seq int64
	if err := w.QueryRowContext(ctx, `SELECT seq FROM placement_seq WHERE id = 1`).Scan(&seq); err != nil {
		return err
	}
	uuids := make([]string, 0, len(w.touched))
	if w.all {
		uuids = append(uuids, "*")
	} else {
		for u := range w.touched {
			uuids = append(uuids, u)
		}
	}
	for len(uuids) > 0 {
		n := min(len(uuids), 200)
		var a db.Args
		s := a.Add(seq)
		vals := make([]string, n)
		for i, u := range uuids[:n] {
			vals[i] = "(" + s + ", " + a.Add(u) + ")"
		}
		if _, err := w.ExecContext(ctx, `INSERT INTO placement_changes (seq, provider_uuid) VALUES `+strings.Join(vals, ", "), a.Vals...); err != nil {
			return err
		}
		uuids = uuids[n:]
	}
	if seq%pruneEvery == 0 && seq > keepChanges {
		if _, err := w.ExecContext(ctx, `DELETE FROM placement_changes WHERE seq <= $1`, seq-keepChanges); err != nil {
			return err
		}
		if _, err := w.ExecContext(ctx, `UPDATE placement_seq SET pruned = $1 WHERE id = 1`, seq-keepChanges); err != nil {
			return err
		}
	}
	return nil
}

// tx runs fn in a transaction, again when it lost a race it can retry,
// and logs the providers it changed.
func (s *Store) tx(ctx context.Context, fn func(ctx context.Context, tx *wtx) error) error {
	var err error
	for range 8 {
		err = s.db.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			w := &wtx{Tx: tx}
			if err := fn(ctx, w); err != nil {
				return err
			}
			return w.logChanges(ctx)
		})
		if !errors.Is(err, errRace) {
			return err
		}
	}
	return apierr.Conflict("Unable to write allocations: resource providers were updated concurrently. Please try again.").WithType(placement.CodeConcurrentUpdate)
}

// bump increments a provider's generation if it is still gen; it returns
// the new generation, or ok false when the row moved or is gone.
func bump(ctx context.Context, q db.Querier, uuid string, gen int64) (int64, bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE placement_providers SET generation = generation + 1, updated_at = $1 WHERE uuid = $2 AND generation = $3`, db.Now(), uuid, gen)
	if err != nil {
		return 0, false, err
	}
	if w, ok := q.(*wtx); ok {
		w.touch(uuid)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, false, err
	}
	return gen + 1, n == 1, nil
}

// generation returns a provider's generation or its 404.
func generation(ctx context.Context, q db.Querier, uuid string) (int64, error) {
	var g int64
	err := q.QueryRowContext(ctx, `SELECT generation FROM placement_providers WHERE uuid = $1`, uuid).Scan(&g)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, placement.ErrProviderNotFound(uuid)
	}
	return g, err
}

// casGeneration bumps the generation a client sent, answering 404 or 409.
func casGeneration(ctx context.Context, q db.Querier, uuid string, gen int64) (int64, error) {
	ng, ok, err := bump(ctx, q, uuid, gen)
	if err != nil {
		return 0, err
	}
	if !ok {
		actual, err := generation(ctx, q, uuid)
		if err != nil {
			return 0, err
		}
		return 0, placement.ErrGenerationMismatch(uuid, actual, gen)
	}
	return ng, nil
}
