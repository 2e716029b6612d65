package hostrpc_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
)

// rawSnapshots is a driver whose snapshots are 1 MiB raw files.
type rawSnapshots struct{ driver.Driver }

func (rawSnapshots) Snapshot(_ context.Context, uuid, dir string) (driver.SnapshotFile, error) {
	p := filepath.Join(dir, uuid+".raw")
	if err := os.WriteFile(p, make([]byte, 1<<20), 0o600); err != nil {
		return driver.SnapshotFile{}, err
	}
	return driver.SnapshotFile{Path: p, Format: "raw", Size: 1 << 20}, nil
}

type keepUpload struct{ data []byte }

func (k *keepUpload) Upload(_ context.Context, _, _ string, r io.Reader, _ int64) error {
	var err error
	k.data, err = io.ReadAll(r)
	return err
}

// A snapshot is uploaded in the image's declared format.
func TestSnapshotConvertedToImageFormat(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not installed")
	}
	up := &keepUpload{}
	dir := t.TempDir()
	h := hostrpc.Local(rawSnapshots{}, up, dir)
	if err := h.SnapshotUpload(context.Background(), "u1", hostrpc.Upload{ImageID: "i", DiskFormat: "qcow2"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(up.data, []byte("QFI\xfb")) {
		t.Fatalf("uploaded %d bytes that are not qcow2", len(up.data))
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("snapshot files left: %v", left)
	}
	// The same format is uploaded as it is.
	if err := h.SnapshotUpload(context.Background(), "u1", hostrpc.Upload{ImageID: "i", DiskFormat: "raw"}); err != nil {
		t.Fatal(err)
	}
	if len(up.data) != 1<<20 {
		t.Fatalf("raw snapshot uploaded as %d bytes", len(up.data))
	}
}
