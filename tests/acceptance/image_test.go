//go:build acceptance && linux

package acceptance

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeQCOW2 writes a small, empty qcow2 image (qemu-img's when it is
// installed, else a version 3 header written by hand) padded to size
// bytes, so that uploads take long enough for a progress bar.
func writeQCOW2(t *testing.T, path string, virtual, size int64) {
	t.Helper()
	if q, err := exec.LookPath("qemu-img"); err == nil {
		if out, err := exec.Command(q, "create", "-q", "-f", "qcow2", path, "64M").CombinedOutput(); err != nil {
			t.Fatalf("qemu-img create: %v\n%s", err, out)
		}
	} else {
		h := make([]byte, 3*65536)
		copy(h, "QFI\xfb")
		binary.BigEndian.PutUint32(h[4:], 3)
		binary.BigEndian.PutUint32(h[20:], 16)
		binary.BigEndian.PutUint64(h[24:], uint64(virtual))
		binary.BigEndian.PutUint32(h[96:], 4)
		binary.BigEndian.PutUint32(h[100:], 104)
		if err := os.WriteFile(path, h, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Padding after the clusters qemu-img wrote is ignored by readers.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if pad := size - st.Size(); pad > 0 {
		if _, err := f.Write(bytes.Repeat([]byte{0}, int(pad))); err != nil {
			t.Fatal(err)
		}
	}
}

// TestImageLifecycle drives the image service with the openstack CLI:
// upload with a progress bar, download, properties, sharing with another
// project, listing shared images, delete; and glanceclient's upload.
func TestImageLifecycle(t *testing.T) {
	if _, err := os.Stat(cli()); err != nil {
		t.Fatalf("no openstack CLI at %s: %v", cli(), err)
	}
	_, rc := startCloud(t)
	admin := creds(rc).with("OS_CLOUD", "")
	cl := &client{t: t, home: t.TempDir()}
	if !strings.Contains(cl.ok(admin, "catalog", "list", "-f", "value", "-c", "Type"), "image") {
		t.Skip("the cloud runs no image service yet")
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "cirros.qcow2")
	writeQCOW2(t, img, 64<<20, 8<<20)

	t.Run("image create --progress", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli(), "image", "create", "cirros", "--disk-format", "qcow2",
			"--container-format", "bare", "--file", img, "--public", "--progress", "-f", "json")
		cmd.Env = admin.environ(cl.home)
		out, err := runOnTTY(ctx, cmd, nil)
		if err != nil {
			t.Fatalf("image create: %v\n%s", err, out)
		}
		if !strings.Contains(out, "[") || !strings.Contains(out, "100%") {
			t.Errorf("image create --progress drew no progress bar:\n%q", out)
		}
	})
	shown := cl.obj(admin, "image", "show", "cirros")
	want(t, "image show", shown, "status", "active")
	want(t, "image show", shown, "disk_format", "qcow2")
	want(t, "image show", shown, "visibility", "public")
	if v, _ := shown["virtual_size"].(float64); v != 64<<20 {
		t.Errorf("virtual_size %v, want %d (from the qcow2 header)", shown["virtual_size"], 64<<20)
	}
	if s, _ := shown["size"].(float64); s != 8<<20 {
		t.Errorf("size %v, want %d", shown["size"], 8<<20)
	}

	t.Run("image save", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		out := filepath.Join(dir, "saved")
		cl.ok(admin, "image", "save", "--file", out, "cirros")
		a, _ := os.ReadFile(img)
		b, err := os.ReadFile(out)
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("image save: %d bytes back (err %v), want the %d uploaded", len(b), err, len(a))
		}
	})

	t.Run("image set --property", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		cl.ok(admin, "image", "set", "--property", "os_distro=cirros", "--property", "k=v", "cirros")
		props, _ := cl.obj(admin, "image", "show", "cirros")["properties"].(map[string]any)
		if props["k"] != "v" || props["os_distro"] != "cirros" {
			t.Errorf("properties after image set: %v", props)
		}
		// os_glance_* belong to the service
		if r := cl.run(admin, "image", "set", "--property", "os_glance_import_task=x", "cirros"); r.code == 0 || !strings.Contains(r.stderr, "403") {
			t.Errorf("setting a reserved property: exit %d, %s", r.code, r.stderr)
		}
	})

	// Share an image with another project, whose user accepts it.
	proj := cl.obj(admin, "project", "create", "--domain", "default", "img-partner")
	cl.ok(admin, "user", "create", "--domain", "default", "--project", "img-partner", "--password", "Partner-pw-1", "partner")
	cl.ok(admin, "role", "add", "--user", "partner", "--project", "img-partner", "member")
	partner := admin.with("OS_USERNAME", "partner", "OS_PASSWORD", "Partner-pw-1", "OS_PROJECT_NAME", "img-partner")
	// qcow2 data declared raw is refused (and leaves no active image)
	if r := cl.run(admin, "image", "create", "not-raw", "--disk-format", "raw", "--container-format", "bare", "--file", img); r.code == 0 || !strings.Contains(r.stderr, "400") {
		t.Errorf("qcow2 data uploaded as raw: exit %d, %s", r.code, r.stderr)
	}
	// (the CLI deletes the image it created when the upload fails)
	for _, r := range cl.rows(admin, "image", "list") {
		if str(r, "Name") == "not-raw" && str(r, "Status") == "active" {
			t.Errorf("image of refused data is active")
		}
	}
	sharedID := str(cl.obj(admin, "image", "create", "shared-img", "--disk-format", "qcow2", "--container-format", "bare", "--file", img), "id")

	t.Run("image add project", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		m := cl.obj(admin, "image", "add", "project", "shared-img", "img-partner")
		want(t, "image add project", m, "status", "pending")
	})
	t.Run("image member list", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		rows := cl.rows(admin, "image", "member", "list", "shared-img")
		if len(rows) != 1 || rows[0]["Member ID"] != str(proj, "id") || rows[0]["Status"] != "pending" {
			t.Errorf("image member list: %v", rows)
		}
	})
	t.Run("image list --shared", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		names := func(as creds) string {
			var ns []string
			for _, r := range cl.rows(as, "image", "list", "--shared") {
				ns = append(ns, str(r, "Name"))
			}
			return strings.Join(ns, ",")
		}
		if got := names(admin); got != "shared-img" {
			t.Errorf("owner's image list --shared = %q", got)
		}
		if got := names(partner); got != "" {
			t.Errorf("partner sees %q before accepting", got)
		}
		// a pending image is not listed to the member: accept it by id
		cl.ok(partner, "image", "set", "--accept", sharedID)
		if got := names(partner); got != "shared-img" {
			t.Errorf("partner's image list --shared after accepting = %q", got)
		}
	})

	t.Run("glance image-create --progress", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		glance, err := exec.LookPath("glance")
		if err != nil {
			t.Skip("no glance CLI (apt-get install python3-glanceclient)")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, glance, "image-create", "--name", "via-glance", "--disk-format", "qcow2",
			"--container-format", "bare", "--file", img, "--progress")
		cmd.Env = admin.environ(cl.home)
		out, err := runOnTTY(ctx, cmd, nil)
		if err != nil {
			t.Fatalf("glance image-create: %v\n%s", err, out)
		}
		if !strings.Contains(out, "100%") || !strings.Contains(out, "active") {
			t.Errorf("glance image-create --progress:\n%s", out)
		}
		cl.ok(admin, "image", "delete", "via-glance")
	})

	t.Run("image delete", func(t *testing.T) {
		cl := &client{t: t, home: cl.home}
		cl.ok(admin, "image", "delete", "cirros", "shared-img")
		for _, r := range cl.rows(admin, "image", "list") {
			if n := str(r, "Name"); n == "cirros" || n == "shared-img" {
				t.Errorf("image list still shows %s", n)
			}
		}
	})
}
