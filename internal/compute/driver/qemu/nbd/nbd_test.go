package nbd

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/compute/driver/qemu/disk"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/proc"
)

func requireTools(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"qemu-img", "qemu-storage-daemon"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed", bin)
		}
	}
}

// TestServePull serves an instance directory and pulls every file from
// another directory, as the two hosts of a cold migration do: the copies
// are the same bytes, of the same lengths, and the root disk comes also
// flattened; Stop ends the server.
func TestServePull(t *testing.T) {
	requireTools(t)
	ctx := t.Context()
	var tools disk.Tools
	uuid := "00000000-0000-4000-8000-0000000000aa"
	src := filepath.Join(t.TempDir(), uuid)
	dst := t.TempDir()
	os.Mkdir(src, 0o700)
	base := filepath.Join(t.TempDir(), "base.raw")
	os.WriteFile(base, bytes.Repeat([]byte("base"), 1<<18), 0o600)
	root := filepath.Join(src, instdir.RootDisk)
	if _, err := tools.Img(ctx, "create", "-q", "-f", "qcow2", "-F", "raw", "-b", base, root, "64M"); err != nil {
		t.Fatal(err)
	}
	// Data of the overlay's own at 1 MiB, as the guest wrote it.
	if qio, err := exec.LookPath("qemu-io"); err == nil {
		if out, err := exec.Command(qio, "-f", "qcow2", "-c", "write -P 0x61 1M 64k", root).CombinedOutput(); err != nil {
			t.Fatalf("qemu-io: %v: %s", err, out)
		}
	}
	os.WriteFile(filepath.Join(src, instdir.ConsoleLog), []byte("ten bytes\n"), 0o600)
	os.WriteFile(filepath.Join(src, instdir.ConfigISO), nil, 0o600)

	s := Server{Listen: "127.0.0.1"}
	exp, err := s.Serve(ctx, src, uuid, []string{instdir.RootDisk, instdir.EphDisk, instdir.ConsoleLog, instdir.ConfigISO}, "qcow2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Stop(src, uuid) })
	if strings.Contains(string(instdir.Handover{Export: exp}.Encode()), src) {
		t.Errorf("the hand-over names the source directory: %+v", exp)
	}
	if _, ok := exp.Files[instdir.EphDisk]; ok {
		t.Error("a file the source does not have is served")
	}

	// The destination sees the source directory nowhere: it is moved away.
	moved := src + ".moved"
	if err := os.Rename(src, moved); err != nil {
		t.Fatal(err)
	}
	pull := Source{Export: *exp, Img: tools.Img}
	for _, name := range []string{instdir.RootDisk, instdir.ConsoleLog, instdir.ConfigISO} {
		if err := pull.Pull(ctx, name, filepath.Join(dst, name)); err != nil {
			t.Fatalf("Pull %s: %v", name, err)
		}
		want, _ := os.ReadFile(filepath.Join(moved, name))
		got, _ := os.ReadFile(filepath.Join(dst, name))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: pulled %d bytes that differ from the source's %d", name, len(got), len(want))
		}
	}
	flat := filepath.Join(dst, "flat")
	if err := pull.PullFlat(ctx, flat); err != nil {
		t.Fatal(err)
	}
	if info, err := tools.Info(ctx, flat, "qcow2"); err != nil || info.Backing != "" || info.VirtualSize != 64<<20 {
		t.Errorf("flattened root: %+v, %v; want a 64 MiB qcow2 of its own", info, err)
	}
	raw := filepath.Join(dst, "flat.raw")
	tools.Img(ctx, "convert", "-f", "qcow2", "-O", "raw", flat, raw)
	got, _ := os.ReadFile(raw)
	if !bytes.HasPrefix(got, bytes.Repeat([]byte("base"), 1<<18)[:1<<20]) {
		t.Error("the flattened root disk lost the image's data")
	}
	if _, err := exec.LookPath("qemu-io"); err == nil && !bytes.Equal(got[1<<20:1<<20+64<<10], bytes.Repeat([]byte("a"), 64<<10)) {
		t.Error("the flattened root disk lost the overlay's data")
	}

	os.Rename(moved, src)
	pid := proc.ReadPID(filepath.Join(src, PIDFile))
	Stop(src, uuid)
	if proc.Alive(pid, uuid) {
		t.Error("Stop left the server running")
	}
	if err := pull.Pull(context.WithoutCancel(ctx), instdir.ConsoleLog, filepath.Join(dst, "again")); err == nil {
		t.Error("pulled from a stopped server")
	}
}
