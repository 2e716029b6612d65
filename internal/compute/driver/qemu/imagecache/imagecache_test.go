package imagecache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/compute/driver/qemu/disk"
	"github.com/gostack/gostack/internal/compute/driver/qemu/probe"
)

func TestCache(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img not installed")
	}
	data := probe.BootSector("x", "")
	sum := sha256.Sum256(data)
	c := &Cache{Dir: t.TempDir()}
	opens := 0
	open := func() (io.ReadCloser, error) {
		opens++
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	if _, _, err := c.Fetch(t.Context(), "img", "raw", "sha256:"+strings.Repeat("0", 64), open); err == nil {
		t.Fatal("a bad checksum was accepted")
	}
	for range 2 {
		p, f, err := c.Fetch(t.Context(), "img", "raw", hex.EncodeToString(sum[:]), open)
		if err != nil {
			t.Fatal(err)
		}
		if f != "raw" || filepath.Base(p) != "img.raw" {
			t.Errorf("Fetch = %s, %s; want img.raw, raw", p, f)
		}
	}
	if opens != 2 {
		t.Errorf("downloaded %d times, want 2 (the failed one and one)", opens)
	}
	// A vmdk is converted to qcow2.
	vmdk := filepath.Join(t.TempDir(), "x.vmdk")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "vmdk", vmdk, "1M").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	p, f, err := c.Fetch(t.Context(), "vm", "vmdk", "", func() (io.ReadCloser, error) { return os.Open(vmdk) })
	if err != nil || f != "qcow2" {
		t.Fatalf("Fetch vmdk = %s, %s, %v; want a qcow2", p, f, err)
	}
	if info, err := (disk.Tools{}).Info(t.Context(), p, "qcow2"); err != nil || info.VirtualSize != 1<<20 {
		t.Errorf("converted image: %+v, %v", info, err)
	}
	// A qcow2 with a backing file is refused.
	bad := filepath.Join(t.TempDir(), "bad.qcow2")
	exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", "/etc/passwd", bad, "1M").Run()
	if _, _, err := c.Fetch(t.Context(), "bad", "qcow2", "", func() (io.ReadCloser, error) { return os.Open(bad) }); err == nil {
		t.Error("a qcow2 with a backing file was accepted")
	}
	// Remove forgets the image: the next Fetch downloads it again.
	if err := c.Remove("img"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Fetch(t.Context(), "img", "raw", "", open); err != nil || opens != 3 {
		t.Errorf("Fetch after Remove: %v, %d downloads; want 3", err, opens)
	}
}
