package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	identityspec "github.com/gostack/gostack/internal/identity/spec"
	"github.com/gostack/gostack/internal/platform/db"
)

// latestVersions are the newest migration of every schema in the tree, by
// goose table suffix, read from the migration files themselves.
func latestVersions(t *testing.T) map[string]int64 {
	t.Helper()
	files, err := filepath.Glob("../*/store/migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	quota, _ := filepath.Glob("../platform/quota/migrations/*.sql")
	files = append(files, quota...)
	out := map[string]int64{}
	for _, f := range files {
		name := filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(f))))
		if strings.Contains(f, "/quota/") {
			name = "quota"
		}
		n, err := strconv.ParseInt(strings.SplitN(filepath.Base(f), "_", 2)[0], 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[name] = max(out[name], n)
	}
	if len(out) < 5 {
		t.Fatalf("found the migrations of only %v", out)
	}
	return out
}

func schemaVersion(t *testing.T, d *db.DB, service string) int64 {
	t.Helper()
	var v int64
	err := d.Reader().QueryRow(`SELECT COALESCE(MAX(version_id), 0) FROM goose_` + service + ` WHERE is_applied`).Scan(&v)
	if err != nil {
		return -1 // no table: the service's schema was never created
	}
	return v
}

// `gostack admin db upgrade` on a database that only the identity
// service's migrations ever ran on (what the previous release's command
// left) brings every service's schema to its latest version.
func TestAdminDBUpgradeMigratesEveryService(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := db.Open(ctx, filepath.Join(dir, "gostack.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := identityspec.Spec.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	want := latestVersions(t)
	if got := schemaVersion(t, d, "compute"); got != -1 {
		t.Fatalf("compute schema at %d before the upgrade", got)
	}
	d.Close()

	var out, errOut bytes.Buffer
	if err := runAdmin([]string{"db", "upgrade", "--data-dir", dir}, &out, &errOut); err != nil {
		t.Fatalf("db upgrade: %v\n%s", err, errOut.String())
	}
	d, err = db.Open(ctx, filepath.Join(dir, "gostack.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for service, v := range want {
		if got := schemaVersion(t, d, service); got != v {
			t.Errorf("after db upgrade, %s's schema is at %d, want %d", service, got, v)
		}
	}
	if !strings.Contains(out.String(), "compute: up to date") {
		t.Errorf("output does not name every service:\n%s", out.String())
	}
}
