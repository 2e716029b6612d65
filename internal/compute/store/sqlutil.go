package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// errRace marks a transaction that lost to a concurrent writer: an integer
// id taken as MAX + 1 by another transaction too, or a compare-and-swap
// update whose version moved. The transaction is run again from the start.
var errRace = errors.New("compute store: concurrent write")

// maxRaceRetries bounds how often a transaction that lost a race is run
// again; each round has a winner, so losing this often means heavy
// contention.
const maxRaceRetries = 200

// tx runs fn in s.db.Tx, running it again while it reports errRace.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := range maxRaceRetries {
		if err = s.db.Tx(ctx, fn); !errors.Is(err, errRace) {
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

// nextID returns MAX(col) + 1 of table, as seen by q.
func nextID(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, table, col string) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(`+col+`), 0) + 1 FROM `+table).Scan(&n)
	return n, err
}

// args collects query parameters, returning their $N placeholders.
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

// toJSON encodes v for a JSON text column; the values stored here always
// encode.
func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// fromJSON decodes a JSON text column into v; "" and "null" leave v as it is.
func fromJSON(s string, v any) error {
	if s == "" || s == "null" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

// nullJSON encodes v, or NULL when isNil.
func nullJSON(v any, isNil bool) sql.NullString {
	if isNil {
		return sql.NullString{}
	}
	return sql.NullString{String: toJSON(v), Valid: true}
}

func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: utc(*t), Valid: true}
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func nullString(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

func stringPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	v := s.String
	return &v
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// utc returns t in UTC at the store's microsecond precision.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
