//go:build acceptance && linux

package acceptance

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestImageSwiftStore: the image service with Glance's swift store keeps
// image data in the cloud's own object storage, in container glance of
// the service project's account. A 20 MiB image, past the configured
// large object size, goes in as three 8 MiB-or-less segments and a DLO
// manifest; `openstack image save` brings it back byte for byte; `swift
// list glance` (admin, given a role on the service project) shows the
// manifest and its segments; deleting the image removes them all.
func TestImageSwiftStore(t *testing.T) {
	if _, err := os.Stat("/usr/bin/swift"); err != nil {
		t.Fatal("/usr/bin/swift is not installed (tools/test.sh installs python3-swiftclient)")
	}
	cfg := filepath.Join(t.TempDir(), "gostack.yaml")
	if err := os.WriteFile(cfg, []byte("image:\n  store: swift\n  swift_large_object_size: 16777216\n  swift_chunk_size: 8388608\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, rc := startCloud(t, "--config", cfg)
	home := t.TempDir()
	cl := &client{t: t, home: home}
	admin := creds(rc).with("OS_CLOUD", "")

	dir := t.TempDir()
	src := filepath.Join(dir, "disk.raw")
	sum := writeRandom(t, src, 20<<20)
	img := cl.obj(admin, "image", "create", "swifty", "--disk-format", "raw", "--container-format", "bare", "--file", src)
	id := str(img, "id")
	shown := cl.obj(admin, "image", "show", id)
	want(t, "image show", shown, "status", "active")
	want(t, "image show", shown, "checksum", sum)
	if s, _ := shown["size"].(float64); s != 20<<20 {
		t.Errorf("size %v, want %d", shown["size"], 20<<20)
	}
	if st := str(shown, "stores"); st != "swift" && !strings.Contains(cl.ok(admin, "image", "show", id, "-f", "json"), `"swift"`) {
		t.Errorf("image show names no swift store:\n%v", shown)
	}

	back := filepath.Join(dir, "back.raw")
	cl.ok(admin, "image", "save", "--file", back, id)
	if got := fileMD5(t, back); got != sum {
		t.Fatalf("image save: md5 %s, uploaded %s", got, sum)
	}

	// The data is in container glance of the service project's account.
	cl.ok(admin, "role", "add", "--user", "admin", "--project", "service", "admin")
	svc := admin.with("OS_PROJECT_NAME", "service").environ(home)
	list := func() []string {
		return strings.Fields(tool(t, svc, time.Minute, "/usr/bin/swift", "list", "glance"))
	}
	wantNames := []string{id, id + "-00001", id + "-00002", id + "-00003"}
	if got := list(); !slices.Equal(got, wantNames) {
		t.Fatalf("swift list glance = %q, want %q", got, wantNames)
	}
	stat := tool(t, svc, time.Minute, "/usr/bin/swift", "stat", "glance", id)
	if !strings.Contains(stat, "Manifest: glance/"+id+"-") {
		t.Errorf("swift stat glance %s shows no DLO manifest:\n%s", id, stat)
	}

	cl.ok(admin, "image", "delete", id)
	if got := list(); len(got) != 0 {
		t.Fatalf("swift list glance after image delete = %q, want nothing", got)
	}
}
