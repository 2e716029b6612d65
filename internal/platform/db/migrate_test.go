package db_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// Replicas that start together on one PostgreSQL database migrate it in
// turns: each of four processes' handles runs the same slow migration at
// once, every one succeeds, and the table is made once.
func TestMigrateConcurrentPostgres(t *testing.T) {
	base := os.Getenv(dbtest.EnvPostgres)
	if base == "" {
		t.Skip(dbtest.EnvPostgres + " is not set")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "gostack_test_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	fsys := fstest.MapFS{
		"00001_slow.sql": {Data: []byte("-- +goose Up\nCREATE TABLE slow (id INT);\nSELECT pg_sleep(0.3);\nINSERT INTO slow VALUES (1);\n")},
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		d, err := db.Open(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.Migrate(ctx, "svc", fsys)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	var n int
	check, err := db.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	if err := check.Reader().QueryRowContext(ctx, "SELECT count(*) FROM slow").Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows %d (%v), want the migration run once", n, err)
	}
}
