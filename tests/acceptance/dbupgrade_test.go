//go:build acceptance

package acceptance

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/tests/acceptance/launch"
)

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

// The data dirs of earlier releases are kept in testdata/upgrade, one
// archive each (TestMakeUpgradeFixture writes them), so that the upgrade
// is tested from a clone without history too. Kept: 08c563a, the tree
// before every service owned its spec, whose `admin db upgrade` migrated
// the identity schema only (issue #10), after its own `admin db upgrade`
// and after its `up`; and the release before this one, with one of every
// kind of resource.
const fixtureDir = "testdata/upgrade"

// fixtureManifest is manifest.json at the root of an archive: the release,
// what made the data dir, and what it holds.
type fixtureManifest struct {
	Commit string `json:"commit"`
	// Made is "db upgrade" (only the release's `admin db upgrade` ran)
	// or "up" (a cloud of the release ran with Args and was given Holds).
	Made          string       `json:"made"`
	AdminPassword string       `json:"admin_password,omitempty"`
	Args          []string     `json:"args,omitempty"`
	Holds         fixtureHolds `json:"holds"`
}

// fixtureHolds names the resources an "up" fixture was given ("" = none
// of that kind: the release had no such service).
type fixtureHolds struct {
	Flavor    string `json:"flavor,omitempty"`
	Image     string `json:"image,omitempty"`
	Network   string `json:"network,omitempty"`
	Server    string `json:"server,omitempty"`
	Volume    string `json:"volume,omitempty"`
	Container string `json:"container,omitempty"`
	Object    string `json:"object,omitempty"`
}

// fixtureImage is the image data an "up" fixture holds.
var fixtureImage = bytes.Repeat([]byte("gostack upgrade fixture\n"), 64)

// TestDBUpgradeFromPreviousRelease: `gostack admin db upgrade` of this
// release brings the data dir of every kept earlier release to the latest
// schema of every service, and a cloud of this release started on a data
// dir a cloud of an earlier release ran on serves what it held and acts on
// it.
func TestDBUpgradeFromPreviousRelease(t *testing.T) {
	root, err := launch.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	archives, _ := filepath.Glob(filepath.Join(root, "tests/acceptance", fixtureDir, "*.tar.gz"))
	if len(archives) < 3 {
		t.Fatalf("found %d release data dirs in %s, want at least 3", len(archives), fixtureDir)
	}
	cur := gostackBin(t)
	want := latestSchemas(t, root)
	if len(want) < 5 {
		t.Fatalf("found the migrations of only %v", want)
	}
	for _, a := range archives {
		t.Run(strings.TrimSuffix(filepath.Base(a), ".tar.gz"), func(t *testing.T) {
			dir := t.TempDir()
			if out, err := exec.Command("tar", "-xzf", a, "-C", dir).CombinedOutput(); err != nil {
				t.Fatalf("tar: %v\n%s", err, out)
			}
			b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			var m fixtureManifest
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("manifest.json: %v", err)
			}
			runBin(t, cur, "admin", "db", "upgrade", "--data-dir", dir)
			for s, v := range schemaVersions(t, dir, want) {
				if v != want[s] {
					t.Errorf("%s schema at %d after db upgrade, want %d", s, v, want[s])
				}
			}
			if m.Made == "up" {
				checkUpgradedCloud(t, cur, dir, m)
			}
		})
	}
}

// checkUpgradedCloud starts this release on dir, an earlier release's
// upgraded data dir, and checks that what m says it holds is there and
// works.
func checkUpgradedCloud(t *testing.T, bin, dir string, m fixtureManifest) {
	c, err := launch.Start(launch.Options{Bin: bin, DataDir: dir, AdminPassword: m.AdminPassword, Args: m.Args})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatalf("%v\n%s", err, c.LogTail(40))
	}
	env, err := c.Openrc()
	if err != nil {
		t.Fatal(err)
	}
	cl := &client{t: t, home: t.TempDir()}
	as := creds(env)
	h := m.Holds
	if out := cl.ok(as, "flavor", "show", h.Flavor, "-f", "value", "-c", "name"); strings.TrimSpace(out) != h.Flavor {
		t.Errorf("the old release's flavor: %q", out)
	}
	if h.Image != "" {
		want(t, "image show", cl.obj(as, "image", "show", h.Image), "status", "active")
		f := filepath.Join(t.TempDir(), "image")
		cl.ok(as, "image", "save", "--file", f, h.Image)
		if got, _ := os.ReadFile(f); !bytes.Equal(got, fixtureImage) {
			t.Errorf("the old release's image data: %d bytes, want %d", len(got), len(fixtureImage))
		}
	}
	if h.Network != "" {
		want(t, "network show", cl.obj(as, "network", "show", h.Network), "status", "ACTIVE")
	}
	if h.Server != "" {
		want(t, "server show", cl.obj(as, "server", "show", h.Server), "status", "ACTIVE")
		cl.ok(as, "server", "stop", h.Server)
		waitUntil(t, "the old release's server stopped", 60*time.Second, time.Second, func() bool {
			return str(cl.obj(as, "server", "show", h.Server), "status") == "SHUTOFF"
		})
		cl.ok(as, "server", "start", h.Server)
		waitUntil(t, "the old release's server started", 60*time.Second, time.Second, func() bool {
			return str(cl.obj(as, "server", "show", h.Server), "status") == "ACTIVE"
		})
	}
	if h.Volume != "" {
		want(t, "volume show", cl.obj(as, "volume", "show", h.Volume), "status", "in-use")
	}
	if h.Object != "" {
		f := filepath.Join(t.TempDir(), "object")
		cl.ok(as, "object", "save", "--file", f, h.Container, h.Object)
		if got, _ := os.ReadFile(f); !bytes.Equal(got, fixtureImage) {
			t.Errorf("the old release's object: %d bytes, want %d", len(got), len(fixtureImage))
		}
	}
	cl.ok(as, "server", "list")
}

// TestMakeUpgradeFixture writes the data dirs of release
// $GOSTACK_UPGRADE_FIXTURE (a commit of this repository) into
// testdata/upgrade: one after its `admin db upgrade`, and one after its
// `up` given a flavor and, where the release has the service, an image,
// a network, a server on it with a volume attached, and an object.
// Run it for the release before a change to a schema:
//
//	GOSTACK_UPGRADE_FIXTURE=<commit> go test -tags acceptance -run TestMakeUpgradeFixture ./tests/acceptance/
func TestMakeUpgradeFixture(t *testing.T) {
	ref := os.Getenv("GOSTACK_UPGRADE_FIXTURE")
	if ref == "" {
		t.Skip("set GOSTACK_UPGRADE_FIXTURE=<commit> to write that release's data dirs")
	}
	root, err := launch.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short=7", ref).Output()
	if err != nil {
		t.Fatalf("git rev-parse %s: %v", ref, err)
	}
	commit := strings.TrimSpace(string(out))
	bin := buildRelease(t, root, commit)

	dir := t.TempDir()
	runBin(t, bin, "admin", "db", "upgrade", "--data-dir", dir)
	writeFixture(t, root, dir, fixtureManifest{Commit: commit, Made: "db upgrade"})

	dir = t.TempDir()
	args := []string{"--compute-driver", "fake"}
	if help, _ := exec.Command(bin, "up", "--help").CombinedOutput(); bytes.Contains(help, []byte("-network-driver")) {
		args = append(args, "--network-driver", "noop")
	}
	c, err := launch.Start(launch.Options{Bin: bin, DataDir: dir, Args: args})
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
	has := map[string]bool{}
	for _, r := range cl.rows(as, "catalog", "list") {
		has[str(r, "Type")] = true
	}
	h := fixtureHolds{Flavor: "old-flavor"}
	cl.ok(as, "flavor", "create", "--ram", "64", "--vcpus", "1", "--disk", "1", h.Flavor)
	data := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(data, fixtureImage, 0o644); err != nil {
		t.Fatal(err)
	}
	if has["image"] {
		h.Image = "old-image"
		cl.ok(as, "image", "create", "--file", data, "--disk-format", "raw", "--container-format", "bare", h.Image)
	}
	var nic []string
	if has["network"] {
		h.Network = "old-net"
		cl.ok(as, "network", "create", h.Network)
		cl.ok(as, "subnet", "create", "--network", h.Network, "--subnet-range", "10.9.0.0/24", "old-subnet")
		nic = []string{"--nic", "net-id=" + h.Network}
	}
	if has["compute"] && h.Image != "" {
		h.Server = "old-server"
		cl.ok(as, append(append([]string{"server", "create", "--flavor", h.Flavor, "--image", h.Image}, nic...), "--wait", h.Server)...)
	}
	if has["volumev3"] && h.Server != "" {
		h.Volume = "old-volume"
		cl.ok(as, "volume", "create", "--size", "1", h.Volume)
		waitUntil(t, "the volume available", 60*time.Second, time.Second, func() bool {
			return str(cl.obj(as, "volume", "show", h.Volume), "status") == "available"
		})
		cl.ok(as, "server", "add", "volume", h.Server, h.Volume)
		waitUntil(t, "the volume attached", 60*time.Second, time.Second, func() bool {
			return str(cl.obj(as, "volume", "show", h.Volume), "status") == "in-use"
		})
	}
	if has["object-store"] {
		h.Container, h.Object = "old-container", "old-object"
		cl.ok(as, "container", "create", h.Container)
		cl.ok(as, "object", "create", "--name", h.Object, h.Container, data)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	writeFixture(t, root, dir, fixtureManifest{Commit: commit, Made: "up", AdminPassword: c.AdminPassword, Args: args, Holds: h})
}

// writeFixture writes m into dir and archives dir as
// testdata/upgrade/<commit>-<made>.tar.gz.
func writeFixture(t *testing.T, root, dir string, m fixtureManifest) {
	t.Helper()
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "tests/acceptance", fixtureDir, m.Commit+"-"+strings.ReplaceAll(m.Made, " ", "-")+".tar.gz")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("tar", "--sparse", "-czf", out, "-C", dir, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, b)
	}
	t.Logf("wrote %s", out)
}
