//go:build acceptance && linux

package acceptance

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"

	"github.com/gostack/gostack/tests/acceptance/launch"
	"github.com/gostack/gostack/tests/acceptance/storm"
)

// createBar is the bar of issue #19: 64 concurrent POST /servers in one
// project on PostgreSQL are all answered 202 within it.
const createBar = 5 * time.Second

// TestConcurrentCreatesPostgres is the acceptance check of issue #19 on
// the built binary: 64 concurrent POST /servers in one project on
// PostgreSQL are all answered 202 within createBar, and all servers go
// ACTIVE with Placement's allocations matching them. Before the fix, a
// create held a connection in its transaction while the holder of the
// project's row lock waited for another, so that past 32 concurrent
// creates none was answered. It needs GOSTACK_TEST_POSTGRES (tools/test.sh
// sets it), on which it makes a database of its own.
func TestConcurrentCreatesPostgres(t *testing.T) {
	base := os.Getenv("GOSTACK_TEST_POSTGRES")
	if base == "" {
		t.Skip("GOSTACK_TEST_POSTGRES is not set")
	}
	dbURL := postgresDatabase(t, base)
	bin := gostackBin(t)
	dir := t.TempDir()
	c, err := launch.Start(launch.Options{Bin: bin, DataDir: filepath.Join(dir, "data"), LogFile: filepath.Join(dir, "gostack.log"),
		Args: []string{"--database-url", dbURL, "--compute-driver", "fake", "--fake-hypervisors", "8", "--bcrypt-cost", "4"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gostack output (last lines):\n%s", c.LogTail(60))
		}
		c.Stop()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := launch.Login(ctx, c.AuthURL, "admin", c.AdminPassword, "admin")
	if err != nil {
		t.Fatal(err)
	}
	setup, err := storm.Prepare(ctx, a, "pg")
	if err != nil {
		t.Fatal(err)
	}

	const n = 64
	// The clients give up where a user would, long after the bar, so that
	// a hang shows as errors rather than as a stuck test.
	bctx, bcancel := context.WithTimeout(ctx, 90*time.Second)
	r := storm.Boot(bctx, a, setup, "pg", n, n)
	bcancel()
	slowest := time.Duration(0)
	if len(r.CreateLat) > 0 {
		slowest = r.CreateLat[len(r.CreateLat)-1]
	}
	t.Logf("%d concurrent POST /servers: %d answered 202, %d failed; all answered in %v (slowest %v, median %v)",
		n, len(r.IDs), r.Errors, r.Elapsed.Round(time.Millisecond), slowest.Round(time.Millisecond), median(r.CreateLat).Round(time.Millisecond))
	if r.Errors > 0 || len(r.IDs) != n {
		t.Fatalf("%d of %d creates failed; first: %v", r.Errors, n, r.FirstError)
	}
	if r.Elapsed >= createBar {
		t.Errorf("issue #19 bar missed: %d concurrent POST /servers in one project on PostgreSQL took %v to be answered, want < %v",
			n, r.Elapsed.Round(time.Millisecond), createBar)
	}

	wctx, wcancel := context.WithTimeout(ctx, 2*time.Minute)
	defer wcancel()
	settled := time.Now()
	ss, err := storm.WaitSettled(wctx, a, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, s := range ss {
		counts[s.Status]++
	}
	t.Logf("servers settled %v after the last answer: %v", time.Since(settled).Round(time.Millisecond), counts)
	if counts["ACTIVE"] != n || len(ss) != n {
		faults := map[string]int{}
		for _, s := range ss {
			if s.Fault != nil {
				faults[fmt.Sprintf("%d %s", s.Fault.Code, s.Fault.Message)]++
			}
		}
		t.Fatalf("servers: %v, want %d ACTIVE; faults: %v", counts, n, faults)
	}
	if err := storm.CheckAllocations(ctx, a, ss); err != nil {
		t.Fatal(err)
	}
}

// postgresDatabase makes an empty database on the server of base and
// returns its URL; the database is dropped when the test ends.
func postgresDatabase(t *testing.T, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name := "gostack_accept_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`, name)); err != nil {
		admin.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// median is the middle of sorted durations.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[len(ds)/2]
}
