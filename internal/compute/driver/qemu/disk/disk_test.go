package disk

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
)

func requireQemuImg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img not installed")
	}
}

// image writes a 1 MiB raw image and returns it as a cached image.
func image(t *testing.T) driver.Image {
	p := filepath.Join(t.TempDir(), "image.raw")
	if err := os.WriteFile(p, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	return driver.Image{ID: "img", Path: p, Format: "raw"}
}

func TestRoot(t *testing.T) {
	requireQemuImg(t)
	var tools Tools
	img := image(t)
	dir := t.TempDir()
	for _, kind := range []string{"qcow2", "raw"} {
		file := filepath.Join(dir, "disk."+kind)
		if err := tools.Root(t.Context(), file, kind, img, 1); err != nil {
			t.Fatal(err)
		}
		info, err := tools.Info(t.Context(), file, kind)
		if err != nil || info.Format != kind || info.VirtualSize != gib {
			t.Errorf("%s root: %+v, %v; want 1 GiB", kind, info, err)
		}
		if (kind == "qcow2") != (info.Backing != "") {
			t.Errorf("%s root has backing %q", kind, info.Backing)
		}
	}
	// An image larger than the flavor's root disk is refused.
	big := filepath.Join(t.TempDir(), "big.raw")
	exec.Command("qemu-img", "create", "-q", "-f", "raw", big, "2G").Run()
	if err := tools.Root(t.Context(), filepath.Join(dir, "x"), "qcow2", driver.Image{ID: "big", Path: big, Format: "raw"}, 1); err == nil {
		t.Error("a 2 GiB image fit a 1 GiB root disk")
	}
	if err := tools.Root(t.Context(), filepath.Join(dir, "y"), "qcow2", driver.Image{ID: "none"}, 1); err == nil {
		t.Error("an image with no cached file made a root disk")
	}
}

// TestMigrate makes a source instance directory and copies it, as a cold
// migration to a larger flavor does.
func TestMigrate(t *testing.T) {
	requireQemuImg(t)
	var tools Tools
	img := image(t)
	src, dst := t.TempDir(), t.TempDir()
	f := driver.Flavor{RootGB: 1, EphemeralGB: 1, SwapMB: 8}
	if err := tools.Root(t.Context(), filepath.Join(src, instdir.RootDisk), "qcow2", img, f.RootGB); err != nil {
		t.Fatal(err)
	}
	if err := tools.Ephemeral(t.Context(), filepath.Join(src, instdir.EphDisk), 1); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(src, instdir.ConsoleLog), []byte("boot log"), 0o600)
	os.WriteFile(filepath.Join(src, instdir.ConfigISO), []byte("iso"), 0o600)
	bigger := driver.Flavor{RootGB: 2, EphemeralGB: 2, SwapMB: 16}
	hasConfig, err := tools.Migrate(t.Context(), dirSource{src, tools}, dst, "qcow2", img, bigger, nil)
	if err != nil || !hasConfig {
		t.Fatalf("Migrate = %v, %v; want the config drive copied", hasConfig, err)
	}
	for file, size := range map[string]int64{instdir.RootDisk: 2 * gib, instdir.EphDisk: 2 * gib, instdir.SwapDisk: 16 << 20} {
		info, err := tools.Info(t.Context(), filepath.Join(dst, file), "")
		if err != nil || info.VirtualSize != size {
			t.Errorf("%s: %+v, %v; want %d bytes", file, info, err, size)
		}
	}
	if log, _ := os.ReadFile(filepath.Join(dst, instdir.ConsoleLog)); string(log) != "boot log" {
		t.Errorf("console log %q not kept", log)
	}
	snap, err := tools.Snapshot(t.Context(), filepath.Join(dst, instdir.RootDisk), "qcow2", t.TempDir(), "u-1")
	if err != nil {
		t.Fatal(err)
	}
	if info, err := tools.Info(t.Context(), snap.Path, "qcow2"); err != nil || info.Backing != "" || snap.Size <= 0 {
		t.Errorf("snapshot %+v: %+v, %v; want a flat qcow2", snap, info, err)
	}
}

// dirSource is a migration Source that reads a local directory.
type dirSource struct {
	dir   string
	tools Tools
}

func (s dirSource) Has(name string) bool {
	_, err := os.Stat(filepath.Join(s.dir, name))
	return err == nil
}

func (s dirSource) Pull(ctx context.Context, name, path string) error {
	return Copy(filepath.Join(s.dir, name), path)
}

func (s dirSource) PullFlat(ctx context.Context, path string) error {
	_, err := s.tools.Img(ctx, "convert", "-O", "qcow2", filepath.Join(s.dir, instdir.RootDisk), path)
	return err
}

// TestMigrateWithoutImage: a destination that holds no copy of the image
// gets the root disk with the image folded in, and the guest's data.
func TestMigrateWithoutImage(t *testing.T) {
	requireQemuImg(t)
	var tools Tools
	img := image(t)
	if err := os.WriteFile(img.Path, bytes.Repeat([]byte("base"), 1<<18), 0o600); err != nil {
		t.Fatal(err)
	}
	src, dst := t.TempDir(), t.TempDir()
	f := driver.Flavor{RootGB: 1}
	root := filepath.Join(src, instdir.RootDisk)
	if err := tools.Root(t.Context(), root, "qcow2", img, f.RootGB); err != nil {
		t.Fatal(err)
	}
	if _, err := tools.Img(t.Context(), "resize", "-q", "-f", "qcow2", root, "1G"); err != nil {
		t.Fatal(err)
	}
	if _, err := tools.Migrate(t.Context(), dirSource{src, tools}, dst, "qcow2", driver.Image{ID: img.ID}, f, nil); err != nil {
		t.Fatal(err)
	}
	info, err := tools.Info(t.Context(), filepath.Join(dst, instdir.RootDisk), "qcow2")
	if err != nil || info.Backing != "" || info.VirtualSize != gib {
		t.Fatalf("root disk without the image: %+v, %v; want a 1 GiB qcow2 of its own", info, err)
	}
	raw := filepath.Join(t.TempDir(), "raw")
	if _, err := tools.Img(t.Context(), "convert", "-f", "qcow2", "-O", "raw", filepath.Join(dst, instdir.RootDisk), raw); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(raw)
	if !bytes.HasPrefix(got, bytes.Repeat([]byte("base"), 1<<18)) {
		t.Error("the pulled root disk lost the image's data")
	}
}

func TestConfigDrive(t *testing.T) {
	var tools Tools
	if _, err := tools.isoTool(); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, instdir.ConfigISO)
	tree := map[string][]byte{"openstack/latest/meta_data.json": []byte(`{"uuid":"x"}`)}
	if err := tools.ConfigDrive(t.Context(), dir, out, tree); err != nil {
		t.Fatal(err)
	}
	if iso, err := os.ReadFile(out); err != nil || !bytes.Contains(iso, []byte("config-2")) {
		t.Errorf("config drive: %v, labelled config-2: %v", err, bytes.Contains(iso, []byte("config-2")))
	}
	if err := tools.ConfigDrive(t.Context(), dir, out, map[string][]byte{"../escape": nil}); err == nil {
		t.Error("a path leaving the drive was packed")
	}
	if err := tools.ConfigDrive(t.Context(), dir, out, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("a nil tree left the config drive")
	}
}
