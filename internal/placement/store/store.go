// Package store is the SQL implementation of placement.Store, with the
// placement migrations. It runs unchanged on SQLite and PostgreSQL.
//
// Writes that depend on what they read (capacity, generations) bump the
// generation of the providers they touch with a compare-and-swap UPDATE:
// a concurrent writer that read the same generation updates no row and
// the transaction is retried (or, for a generation the client sent,
// answered with a 409).
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/placement"
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
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return s.db.Migrate(ctx, "placement", sub)
}

// errRace means a compare-and-swap lost to a concurrent writer on a
// generation the store read itself: the transaction is run again.
var errRace = errors.New("placement store: concurrent update, retry")

// tx runs fn in a transaction, again when it lost a race it can retry.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for range 8 {
		err = s.db.Tx(ctx, fn)
		if !errors.Is(err, errRace) {
			return err
		}
	}
	return placement.Conflict(placement.CodeConcurrentUpdate, "Unable to write allocations: resource providers were updated concurrently. Please try again.")
}

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

// bump increments a provider's generation if it is still gen; it returns
// the new generation, or ok false when the row moved or is gone.
func bump(ctx context.Context, q db.Querier, uuid string, gen int64) (int64, bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE placement_providers SET generation = generation + 1, updated_at = $1 WHERE uuid = $2 AND generation = $3`, db.Now(), uuid, gen)
	if err != nil {
		return 0, false, err
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

func strings1(ctx context.Context, q db.Querier, query string, a ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
