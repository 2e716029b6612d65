// Package dbtest gives tests a fresh, empty database: SQLite in a temp dir
// by default, or PostgreSQL when GOSTACK_TEST_POSTGRES holds a server URL
// (each test gets its own database, dropped afterwards). Store tests call
// Open so that the same tests run on both engines.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/db"
)

// EnvPostgres names the variable holding a PostgreSQL URL for tests.
const EnvPostgres = "GOSTACK_TEST_POSTGRES"

// Open returns an empty database for t, closed and removed at cleanup.
func Open(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		d, err := db.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name := "gostack_test_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`, name)); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	d, err := db.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close()
		admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		admin.Close()
	})
	return d
}
