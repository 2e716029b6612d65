package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Where builds the WHERE clause of a list query whose filters are mostly
// optional: an unset filter (an empty string or list) adds no condition,
// so a store states each filter on one line instead of an if block. Its
// Args hands out the placeholders of the conditions and of the rest of
// the query (LIMIT, a marker), in the order they are added.
type Where struct {
	Args
	conds []string
}

// And adds the condition c, written with placeholders from w.Add.
func (w *Where) And(c string) { w.conds = append(w.conds, c) }

// Eq adds col = v unless v is empty.
func (w *Where) Eq(col, v string) {
	if v != "" {
		w.And(col + " = " + w.Add(v))
	}
}

// In adds col IN (vs...) unless vs is empty.
func (w *Where) In(col string, vs []string) {
	if len(vs) > 0 {
		w.And(col + " IN (" + List(&w.Args, vs) + ")")
	}
}

// Clause is " WHERE c1 AND c2 ..." over the conditions added, or "" when
// there are none, ready to append to a SELECT.
func (w *Where) Clause() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// All runs a query and reads every row with scan; no rows is an empty,
// non-nil list (a list API renders [] for it, never null).
func All[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// NotFound maps the sql.ErrNoRows of a one-row read to the store sentinel
// apierr.ErrNotFound, which the services turn into their own 404; any
// other error, or nil, is returned as it is.
func NotFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apierr.ErrNotFound
	}
	return err
}

// InsertDistinct runs the INSERT stmt with ($1 = key, $2 = v) once for
// each distinct value v of vs, in order: the tag-like child rows of a
// record, where a value a request repeats is stored once.
func InsertDistinct(ctx context.Context, tx *sql.Tx, stmt, key string, vs []string) error {
	seen := make(map[string]bool, len(vs))
	for _, v := range vs {
		if seen[v] {
			continue
		}
		seen[v] = true
		if _, err := tx.ExecContext(ctx, stmt, key, v); err != nil {
			return err
		}
	}
	return nil
}

// TxStore is a service's persistence as its use cases see it: Update runs
// fn in one read-write transaction, View in one read-only snapshot, over
// T, the service's own view of a transaction (its Tx interface); Pool
// reads outside a transaction (quota limits).
type TxStore[T any] interface {
	Update(ctx context.Context, fn func(ctx context.Context, tx T) error) error
	View(ctx context.Context, fn func(ctx context.Context, tx T) error) error
	Pool() Querier
}
