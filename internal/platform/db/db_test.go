package db

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
)

// Open returns a test database: PostgreSQL when GOSTACK_TEST_POSTGRES is a
// URL (a fresh schema per test), SQLite in a temp dir otherwise.
func openTest(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestMigrateAndConcurrentTx(t *testing.T) {
	if os.Getenv("GOSTACK_TEST_POSTGRES") != "" {
		t.Skip("covered by dbtest")
	}
	d := openTest(t)
	fsys := fstest.MapFS{"00001_init.sql": {Data: []byte(`-- +goose Up
CREATE TABLE counters (id TEXT PRIMARY KEY, n BIGINT NOT NULL);
INSERT INTO counters (id, n) VALUES ('a', 0);
`)}}
	ctx := context.Background()
	if err := d.Migrate(ctx, "test", fsys); err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(ctx, "test", fsys); err != nil {
		t.Fatal("second migrate:", err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 25; j++ {
				err := d.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					var n int
					if err := tx.QueryRowContext(ctx, `SELECT n FROM counters WHERE id = $1`, "a").Scan(&n); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `UPDATE counters SET n = $1 WHERE id = $2`, n+1, "a")
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	var n int
	if err := d.Reader().QueryRowContext(ctx, `SELECT n FROM counters`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 200 {
		t.Fatalf("n = %d, want 200", n)
	}
	err := d.Tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO counters (id, n) VALUES ('a', 1)`)
		return err
	})
	if !IsUnique(err) {
		t.Fatalf("duplicate insert: %v, want unique violation", err)
	}
}
