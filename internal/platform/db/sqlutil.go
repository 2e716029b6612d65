package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Args collects the parameters of a query built piece by piece, handing
// out their $N placeholders (the syntax both engines accept).
type Args struct{ Vals []any }

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	a.Vals = append(a.Vals, v)
	return "$" + strconv.Itoa(len(a.Vals))
}

// List appends every value of vs and returns their placeholders, comma
// separated (for IN (...)).
func List[T any](a *Args, vs []T) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = a.Add(v)
	}
	return strings.Join(ps, ", ")
}

// Scanner is a *sql.Row or *sql.Rows.
type Scanner interface{ Scan(...any) error }

// UTC returns t in UTC at the stores' microsecond precision.
func UTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// NullString is p as a nullable column value.
func NullString(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

// StringPtr is a nullable column read back as a pointer.
func StringPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	v := s.String
	return &v
}

// NullInt is p as a nullable column value.
func NullInt(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

// IntPtr is a nullable column read back as a pointer.
func IntPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// NullTime is t (UTC, microseconds) as a nullable column value.
func NullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: UTC(*t), Valid: true}
}

// TimePtr is a nullable time column read back as a pointer, in UTC.
func TimePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// JSON encodes v for a JSON text column; a value that does not encode is
// stored as null.
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// NullJSON encodes v, or NULL when isNil.
func NullJSON(v any, isNil bool) sql.NullString {
	if isNil {
		return sql.NullString{}
	}
	return sql.NullString{String: JSON(v), Valid: true}
}

// FromJSON decodes a JSON text column into v; "" and "null" leave v as it
// is.
func FromJSON(s string, v any) error {
	if s == "" || s == "null" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

// Strings runs a query whose rows are one text column.
func Strings(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
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

// Int64Map runs a query whose rows are (text key, integer value), such
// as (resource, hard_limit), and returns them as a map.
func Int64Map(ctx context.Context, q Querier, query string, args ...any) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}
