// Package drivertest is the suite every volume driver passes: volumes
// empty, from images, clones and snapshots keep the right data through
// writes and deletes of their sources; extend, connect, raw export and
// import, image export; and the refusals (bad names, an image that does
// not fit or fails verification).
package drivertest

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/driver"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Options tell the suite what the driver under test promises beyond the
// interface.
type Options struct {
	// CachesImages: concurrent creates from one image fetch it once.
	CachesImages bool
	// ConnectionType is the driver_volume_type of Connect.
	ConnectionType string
}

// marks are where the suite writes its patterns in a volume.
var marks = []int64{0, 512 << 20, driver.GB - 4096}

func pattern(tag byte) []byte { return bytes.Repeat([]byte{tag, 0x5a, tag ^ 0xff, 0x01}, 1024) }

// rawWith writes a sparse raw file of sizeGB with pattern(tag) at marks.
func rawWith(t *testing.T, sizeGB int, tag byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "data.raw")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(int64(sizeGB) * driver.GB); err != nil {
		t.Fatal(err)
	}
	for _, m := range marks {
		if _, err := f.WriteAt(pattern(tag), m); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// checkData reads the volume's (or snapshot's) raw data and compares the
// marks with pattern(tag), or zeros when tag is 0; and its size.
func checkData(t *testing.T, d driver.Driver, v blockstorage.VolumeRef, snap *blockstorage.SnapshotRef, sizeGB int, tag byte) {
	t.Helper()
	ctx := context.Background()
	p, release, err := d.ReadRaw(ctx, v, snap)
	if err != nil {
		t.Fatalf("ReadRaw(%s): %v", v.ID, err)
	}
	defer release()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(sizeGB) * driver.GB; size != want {
		t.Errorf("ReadRaw(%s) has %d bytes, want %d", v.ID, size, want)
	}
	want := make([]byte, 4096)
	if tag != 0 {
		want = pattern(tag)
	}
	got := make([]byte, 4096)
	for _, m := range marks {
		if _, err := f.ReadAt(got, m); err != nil {
			t.Fatalf("read at %d: %v", m, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s (snapshot %v) at %d: got % x..., want % x...", v.ID, snap != nil, m, got[:8], want[:8])
		}
	}
}

func vol(id string, gb int) blockstorage.VolumeRef { return blockstorage.VolumeRef{ID: id, SizeGB: gb} }

// Image is a test image: its file and a driver.Image over it that counts
// its downloads.
type Image struct {
	driver.Image
	Opens *atomic.Int32
}

// NewImage makes a qcow2 (or raw) image of sizeGB holding pattern(tag).
func NewImage(t *testing.T, id, format string, sizeGB int, tag byte) Image {
	t.Helper()
	raw := rawWith(t, sizeGB, tag)
	p := raw
	if format != "raw" {
		p = filepath.Join(t.TempDir(), "image."+format)
		if out, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", format, raw, p).CombinedOutput(); err != nil {
			t.Fatalf("qemu-img convert: %v: %s", err, out)
		}
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha512.New()
	size, err := io.Copy(h, f)
	if err != nil {
		t.Fatal(err)
	}
	opens := &atomic.Int32{}
	return Image{Opens: opens, Image: driver.Image{ID: id, DiskFormat: format, HashAlgo: "sha512",
		HashValue: hex.EncodeToString(h.Sum(nil)), Size: size,
		Open: func(ctx context.Context) (io.ReadCloser, error) {
			opens.Add(1)
			return os.Open(p)
		}}}
}

// Run runs the suite on the drivers newDriver returns (a fresh one per
// subtest).
func Run(t *testing.T, newDriver func(t *testing.T) driver.Driver, o Options) {
	ctx := context.Background()

	t.Run("EmptyVolumeConnectExtendDelete", func(t *testing.T) {
		d := newDriver(t)
		v := vol("v-empty", 1)
		if _, err := d.CreateVolume(ctx, v); err != nil {
			t.Fatal(err)
		}
		checkData(t, d, v, nil, 1, 0)
		c, err := d.Connect(ctx, v, map[string]any{"host": "h"})
		if err != nil {
			t.Fatal(err)
		}
		if c.DriverVolumeType != o.ConnectionType {
			t.Errorf("driver_volume_type %q, want %q", c.DriverVolumeType, o.ConnectionType)
		}
		if p, _ := c.Data["device_path"].(string); p == "" {
			t.Errorf("connection %v has no device_path", c.Data)
		} else if _, err := os.Stat(p); err != nil {
			t.Errorf("device_path: %v", err)
		}
		if err := d.Disconnect(ctx, v, nil); err != nil {
			t.Error(err)
		}
		st, err := d.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.TotalGB <= 0 || st.FreeGB < 0 || st.AllocatedGB < 1 {
			t.Errorf("stats %+v: want total > 0, allocated ≥ 1", st)
		}
		if err := d.ExtendVolume(ctx, v, 2); err != nil {
			t.Fatal(err)
		}
		checkData(t, d, v, nil, 2, 0)
		for range 2 { // a second delete finds nothing and is no error
			if err := d.DeleteVolume(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.Connect(ctx, v, nil); !apierr.IsNotFound(err) {
			t.Errorf("Connect of a deleted volume: %v, want 404", err)
		}
	})

	t.Run("SnapshotSurvivesWritesAndDelete", func(t *testing.T) {
		d := newDriver(t)
		v := vol("v-src", 1)
		if _, err := d.CreateVolume(ctx, v); err != nil {
			t.Fatal(err)
		}
		if err := d.WriteRaw(ctx, v, rawWith(t, 1, 'a')); err != nil {
			t.Fatal(err)
		}
		checkData(t, d, v, nil, 1, 'a')
		snap := blockstorage.SnapshotRef{ID: "s-1", Volume: v}
		if _, err := d.CreateSnapshot(ctx, snap); err != nil {
			t.Fatal(err)
		}
		clone := vol("v-clone", 2)
		if _, err := d.CloneVolume(ctx, clone, v); err != nil {
			t.Fatal(err)
		}
		if err := d.WriteRaw(ctx, v, rawWith(t, 1, 'b')); err != nil {
			t.Fatal(err)
		}
		checkData(t, d, v, nil, 1, 'b')
		checkData(t, d, v, &snap, 1, 'a')
		checkData(t, d, clone, nil, 2, 'a')
		if err := d.DeleteVolume(ctx, v); err != nil {
			t.Fatal(err)
		}
		from := vol("v-from-snap", 2)
		if _, err := d.CreateFromSnapshot(ctx, from, snap); err != nil {
			t.Fatal(err)
		}
		checkData(t, d, from, nil, 2, 'a')
		if err := d.DeleteSnapshot(ctx, snap); err != nil {
			t.Fatal(err)
		}
		if err := d.DeleteSnapshot(ctx, snap); err != nil {
			t.Fatalf("second delete: %v", err)
		}
		checkData(t, d, from, nil, 2, 'a')
		for _, x := range []blockstorage.VolumeRef{clone, from} {
			if err := d.DeleteVolume(ctx, x); err != nil {
				t.Error(err)
			}
		}
	})

	t.Run("FromImage", func(t *testing.T) {
		d := newDriver(t)
		img := NewImage(t, "img-qcow2", "qcow2", 1, 'i')
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = d.CreateFromImage(ctx, vol("v-img-"+string(rune('0'+i)), 2), img.Image)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("create %d: %v", i, err)
			}
		}
		if o.CachesImages && img.Opens.Load() != 1 {
			t.Errorf("%d concurrent creates downloaded the image %d times, want once", n, img.Opens.Load())
		}
		checkData(t, d, vol("v-img-0", 2), nil, 2, 'i')
		// A write to one overlay is not seen by the others.
		if err := d.WriteRaw(ctx, vol("v-img-1", 2), rawWith(t, 1, 'w')); err != nil {
			t.Fatal(err)
		}
		checkData(t, d, vol("v-img-1", 2), nil, 2, 'w')
		checkData(t, d, vol("v-img-2", 2), nil, 2, 'i')

		raw := NewImage(t, "img-raw", "raw", 1, 'r')
		if _, err := d.CreateFromImage(ctx, vol("v-raw", 1), raw.Image); err != nil {
			t.Fatal(err)
		}
		checkData(t, d, vol("v-raw", 1), nil, 1, 'r')

		big := NewImage(t, "img-big", "qcow2", 2, 'x')
		if _, err := d.CreateFromImage(ctx, vol("v-small", 1), big.Image); !apierr.IsBadRequest(err) {
			t.Errorf("a 2 GB image in a 1 GB volume: %v, want 400", err)
		}
		bad := NewImage(t, "img-bad", "qcow2", 1, 'y')
		bad.HashValue = hex.EncodeToString(make([]byte, 64))
		if _, err := d.CreateFromImage(ctx, vol("v-bad", 1), bad.Image); !apierr.IsBadRequest(err) {
			t.Errorf("an image failing verification: %v, want 400", err)
		}
		for i := range n {
			d.DeleteVolume(ctx, vol("v-img-"+string(rune('0'+i)), 2))
		}
		d.DeleteVolume(ctx, vol("v-raw", 1))
	})

	t.Run("ExportImage", func(t *testing.T) {
		d := newDriver(t)
		v := vol("v-export", 1)
		if _, err := d.CreateVolume(ctx, v); err != nil {
			t.Fatal(err)
		}
		defer d.DeleteVolume(ctx, v)
		for _, f := range []string{"qcow2", "raw", "vmdk"} {
			p, release, err := d.ExportImage(ctx, v, f)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			in, err := driver.ImageInfo(ctx, p, "")
			release()
			if err != nil {
				t.Fatal(err)
			}
			if in.Format != f || in.VirtualSize != driver.GB {
				t.Errorf("export as %s: got %s of %d bytes", f, in.Format, in.VirtualSize)
			}
		}
		if _, _, err := d.ExportImage(ctx, v, "ploop"); !apierr.IsBadRequest(err) {
			t.Errorf("export as ploop: %v, want 400", err)
		}
	})

	t.Run("RefusesPaths", func(t *testing.T) {
		d := newDriver(t)
		for _, id := range []string{"../escape", "a/b", "..", ""} {
			if _, err := d.CreateVolume(ctx, vol(id, 1)); !apierr.IsBadRequest(err) {
				t.Errorf("CreateVolume(%q): %v, want 400", id, err)
			}
			if err := d.DeleteVolume(ctx, vol(id, 1)); !apierr.IsBadRequest(err) {
				t.Errorf("DeleteVolume(%q): %v, want 400", id, err)
			}
		}
	})
}
