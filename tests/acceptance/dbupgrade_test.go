//go:build acceptance

package acceptance

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/tests/acceptance/launch"
)

// previousRelease is the tree before every service owned its spec: its
// `admin db upgrade` migrated the identity schema only.
const previousRelease = "08c563a"

// buildRelease builds ./cmd/gostack of an older commit of this repository
// into a temp dir (git archive: no worktree left behind).
func buildRelease(t *testing.T, root, ref string) string {
	t.Helper()
	if err := exec.Command("git", "-C", root, "cat-file", "-e", ref+"^{commit}").Run(); err != nil {
		t.Skipf("commit %s is not in this clone's history (shallow clone?)", ref)
	}
	src := t.TempDir()
	archive := exec.Command("sh", "-c", "git -C \"$1\" archive \"$2\" | tar -x -C \"$3\"", "sh", root, ref, src)
	if b, err := archive.CombinedOutput(); err != nil {
		t.Fatalf("git archive %s: %v\n%s", ref, err, b)
	}
	bin := filepath.Join(t.TempDir(), "gostack-"+ref)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := launch.Build(ctx, src, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// latestSchemas are the newest migration of every schema of the current
// tree, by goose table suffix, read from the migration files.
func latestSchemas(t *testing.T, root string) map[string]int64 {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "internal/*/store/migrations/*.sql"))
	quota, _ := filepath.Glob(filepath.Join(root, "internal/platform/quota/migrations/*.sql"))
	out := map[string]int64{}
	for _, f := range append(files, quota...) {
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
	return out
}

// schemaVersions reads the applied version of each schema in want from
// the data dir's database (-1: the schema does not exist).
func schemaVersions(t *testing.T, dir string, want map[string]int64) map[string]int64 {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(dir, "gostack.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got := map[string]int64{}
	for s := range want {
		var v int64
		if err := d.Reader().QueryRow(`SELECT COALESCE(MAX(version_id), 0) FROM goose_` + s + ` WHERE is_applied`).Scan(&v); err != nil {
			v = -1
		}
		got[s] = v
	}
	return got
}

func runBin(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(bin), args, err, out)
	}
	return string(out)
}

// TestDBUpgradeFromPreviousRelease: `gostack admin db upgrade` of this
// release brings a data dir written by the previous release to the latest
// schema of every service — one that the previous release's own `admin db
// upgrade` created (identity only), and one that its `up` ran on, which
// then starts and serves with its data.
func TestDBUpgradeFromPreviousRelease(t *testing.T) {
	root, err := launch.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	old := buildRelease(t, root, previousRelease)
	cur := gostackBin(t)
	want := latestSchemas(t, root)
	if len(want) < 5 {
		t.Fatalf("found the migrations of only %v", want)
	}

	t.Run("after the old db upgrade", func(t *testing.T) {
		dir := t.TempDir()
		runBin(t, old, "admin", "db", "upgrade", "--data-dir", dir)
		if got := schemaVersions(t, dir, want); got["compute"] != -1 {
			t.Logf("the previous release created compute's schema itself (%v)", got)
		}
		runBin(t, cur, "admin", "db", "upgrade", "--data-dir", dir)
		for s, v := range schemaVersions(t, dir, want) {
			if v != want[s] {
				t.Errorf("%s schema at %d after db upgrade, want %d", s, v, want[s])
			}
		}
	})

	t.Run("after the old up", func(t *testing.T) {
		dir := t.TempDir()
		c, err := launch.Start(launch.Options{Bin: old, DataDir: dir, Args: []string{"--compute-driver", "fake"}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := c.WaitReady(ctx); err != nil {
			c.Stop()
			t.Fatal(err)
		}
		env, err := c.Openrc()
		if err != nil {
			t.Fatal(err)
		}
		cl := &client{t: t, home: t.TempDir()}
		as := creds(env)
		cl.ok(as, "flavor", "create", "--ram", "64", "--vcpus", "1", "--disk", "1", "old-flavor")
		if err := c.Stop(); err != nil {
			t.Fatal(err)
		}

		runBin(t, cur, "admin", "db", "upgrade", "--data-dir", dir)
		for s, v := range schemaVersions(t, dir, want) {
			if v != want[s] {
				t.Errorf("%s schema at %d after db upgrade, want %d", s, v, want[s])
			}
		}
		c2, err := launch.Start(launch.Options{Bin: cur, DataDir: dir, AdminPassword: c.AdminPassword, Args: []string{"--compute-driver", "fake"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Stop()
		ctx2, cancel2 := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel2()
		if err := c2.WaitReady(ctx2); err != nil {
			t.Fatalf("%v\n%s", err, c2.LogTail(40))
		}
		env2, err := c2.Openrc()
		if err != nil {
			t.Fatal(err)
		}
		if out := cl.ok(creds(env2), "flavor", "show", "old-flavor", "-f", "value", "-c", "name"); strings.TrimSpace(out) != "old-flavor" {
			t.Errorf("the old release's flavor: %q", out)
		}
		cl.ok(creds(env2), "server", "list")
	})
}
