package db

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestWhere(t *testing.T) {
	tests := []struct {
		name     string
		build    func(w *Where)
		want     string
		wantArgs []any
	}{
		{"none", func(w *Where) {}, "", nil},
		{"unset filters add nothing", func(w *Where) {
			w.Eq("a", "")
			w.In("b", nil)
		}, "", nil},
		{"eq and in", func(w *Where) {
			w.Eq("a", "x")
			w.In("b", []string{"y", "z"})
		}, " WHERE a = $1 AND b IN ($2, $3)", []any{"x", "y", "z"}},
		{"and shares the placeholders", func(w *Where) {
			w.Eq("a", "x")
			w.And("n >= " + w.Add(3))
		}, " WHERE a = $1 AND n >= $2", []any{"x", 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w Where
			tt.build(&w)
			if got := w.Clause(); got != tt.want {
				t.Errorf("Clause() = %q, want %q", got, tt.want)
			}
			if diff := cmp.Diff(tt.wantArgs, w.Vals); diff != "" {
				t.Errorf("Vals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAll(t *testing.T) {
	d := openTest(t)
	ctx := context.Background()
	if _, err := d.Writer().ExecContext(ctx, `CREATE TABLE kv (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	scan := func(sc Scanner) (string, error) {
		var s string
		err := sc.Scan(&s)
		return s, err
	}
	got, err := All(ctx, d.Reader(), scan, `SELECT k FROM kv ORDER BY k`)
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("no rows: got %#v, %v; want an empty non-nil list", got, err)
	}
	if _, err := d.Writer().ExecContext(ctx, `INSERT INTO kv (k) VALUES ('b'), ('a')`); err != nil {
		t.Fatal(err)
	}
	got, err = All(ctx, d.Reader(), scan, `SELECT k FROM kv WHERE k <> $1 ORDER BY k`, "c")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, got); diff != "" {
		t.Errorf("All (-want +got):\n%s", diff)
	}
	bad := errors.New("bad row")
	if _, err := All(ctx, d.Reader(), func(Scanner) (string, error) { return "", bad }, `SELECT k FROM kv`); !errors.Is(err, bad) {
		t.Errorf("scan error: got %v, want %v", err, bad)
	}
}

func TestNotFound(t *testing.T) {
	other := errors.New("other")
	tests := []struct {
		in, want error
	}{
		{nil, nil},
		{sql.ErrNoRows, apierr.ErrNotFound},
		{other, other},
	}
	for _, tt := range tests {
		if got := NotFound(tt.in); got != tt.want {
			t.Errorf("NotFound(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
