package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// mustRefuse runs fn and wants it to panic with ErrPoolInTx, as a test
// binary does when code holding a transaction asks a pool for another
// connection.
func mustRefuse(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		p := recover()
		err, _ := p.(error)
		if !errors.Is(err, db.ErrPoolInTx) {
			t.Errorf("%s under a transaction: recovered %v, want ErrPoolInTx", what, p)
		}
	}()
	fn()
}

// Under Tx or ReadTx, the pools, Tx and ReadTx refuse the context they
// handed their function; after the transaction the same context is
// served again.
func TestPoolRefusesUnderTx(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	if _, err := d.Writer().ExecContext(ctx, `CREATE TABLE t (n BIGINT)`); err != nil {
		t.Fatal(err)
	}
	var kept context.Context
	unmarked := context.Background()
	for _, run := range []struct {
		name string
		tx   func(context.Context, func(context.Context, *sql.Tx) error) error
	}{{"Tx", d.Tx}, {"ReadTx", d.ReadTx}} {
		err := run.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if !d.InTx(ctx) {
				t.Errorf("%s: context not marked", run.name)
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
				return err
			}
			mustRefuse(t, run.name+": Reader().QueryRowContext", func() { d.Reader().QueryRowContext(ctx, `SELECT 1`) })
			mustRefuse(t, run.name+": Reader().QueryContext", func() { d.Reader().QueryContext(ctx, `SELECT 1`) })
			mustRefuse(t, run.name+": Writer().ExecContext", func() { d.Writer().ExecContext(ctx, `INSERT INTO t VALUES (1)`) })
			mustRefuse(t, run.name+": Writer().BeginTx", func() { d.Writer().BeginTx(ctx, nil) })
			mustRefuse(t, run.name+": Reader().Conn", func() { d.Reader().Conn(ctx) })
			mustRefuse(t, run.name+": nested Tx", func() { d.Tx(ctx, func(context.Context, *sql.Tx) error { return nil }) })
			mustRefuse(t, run.name+": nested ReadTx", func() { d.ReadTx(ctx, func(context.Context, *sql.Tx) error { return nil }) })
			// A callback closing over a context of its own passes an
			// unmarked one; in a test binary the goroutine gives it away.
			mustRefuse(t, run.name+": unmarked context", func() { d.Reader().QueryRowContext(unmarked, `SELECT 1`) })
			kept = ctx
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", run.name, err)
		}
		if d.InTx(kept) {
			t.Errorf("%s: context still marked after the transaction", run.name)
		}
		var n int
		if err := d.Reader().QueryRowContext(kept, `SELECT count(*) FROM t`).Scan(&n); err != nil {
			t.Errorf("%s: a context kept past its transaction: %v", run.name, err)
		}
	}
	// Another database's transaction does not bind this one's pools.
	other := dbtest.Open(t)
	err := other.Tx(ctx, func(ctx context.Context, _ *sql.Tx) error {
		var n int
		return d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n)
	})
	if err != nil {
		t.Errorf("pool of another database under a transaction: %v", err)
	}
}

// A migration named NNNNN_x.<engine>.sql runs on that engine only; its
// twin for the other engine shares the version.
func TestMigrateDialectFiles(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	fsys := fstest.MapFS{
		"00001_init.sql":           {Data: []byte("-- +goose Up\nCREATE TABLE engines (name TEXT NOT NULL);\n")},
		"00002_which.sqlite.sql":   {Data: []byte("-- +goose Up\nINSERT INTO engines (name) VALUES ('sqlite');\n")},
		"00002_which.postgres.sql": {Data: []byte("-- +goose Up\nINSERT INTO engines (name) VALUES ('postgres');\n")},
		"00003_after.sql":          {Data: []byte("-- +goose Up\nINSERT INTO engines (name) VALUES ('both');\n")},
	}
	if err := d.Migrate(ctx, "dialects", fsys); err != nil {
		t.Fatal(err)
	}
	got, err := db.Strings(ctx, d.Reader(), `SELECT name FROM engines ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"both", string(d.Dialect)}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("migrations ran %v, want %v", got, want)
	}
}
