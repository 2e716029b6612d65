// Package file is the volume driver that keeps volumes as sparse qcow2
// files under one directory (DATA_DIR/volumes), for hosts without a
// volume group. A volume from an image is a copy-on-write overlay of a
// base file cached once per image (_base/<image id>.qcow2 or .raw);
// snapshots and clones are standalone copies that share only that base,
// so a snapshot stays valid when its volume is written or deleted. The
// qemu compute driver opens the files directly: the connection is
// {"driver_volume_type": "file", "data": {"device_path": ..., "format":
// "qcow2"}}.
//
//	DATA_DIR/volumes/
//	  volume-<id>.qcow2     ─backing─► _base/<image id>.{qcow2,raw}
//	  snapshot-<id>.qcow2   ─backing─► (same base, or none)
//	  _tmp/                 conversions in progress
package file

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/driver"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Config is the driver's configuration.
type Config struct {
	// Dir holds the volumes (DATA_DIR/volumes).
	Dir string
	// CapacityGB is the capacity reported to the scheduler; 0 means the
	// size of Dir's file system.
	CapacityGB int64
}

// Driver is the file driver. It is safe for concurrent use.
type Driver struct {
	dir, base, tmp string
	capacityGB     int64

	// fetches are the base images being fetched, by image id: a second
	// create from the same image waits for the first one's fetch
	// instead of fetching again.
	mu      sync.Mutex
	fetches map[string]*fetch
}

type fetch struct {
	done chan struct{}
	path string
	err  error
}

var _ driver.Driver = (*Driver)(nil)

// New returns the driver over cfg.Dir, creating its directories.
func New(cfg Config) (*Driver, error) {
	if cfg.Dir == "" {
		return nil, fmt.Errorf("file volume driver: no directory")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	d := &Driver{dir: dir, base: filepath.Join(dir, "_base"), tmp: filepath.Join(dir, "_tmp"),
		capacityGB: cfg.CapacityGB, fetches: map[string]*fetch{}}
	for _, p := range []string{d.dir, d.base, d.tmp} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			return nil, err
		}
	}
	// What a crash left in _tmp is garbage: conversions write there and
	// rename into place only when complete.
	if ents, err := os.ReadDir(d.tmp); err == nil {
		for _, e := range ents {
			os.RemoveAll(filepath.Join(d.tmp, e.Name()))
		}
	}
	return d, nil
}

// Name is the backend's name.
func (d *Driver) Name() string { return "file" }

func (d *Driver) volumePath(id string) (string, error) {
	if err := driver.CheckID("volume", id); err != nil {
		return "", err
	}
	return filepath.Join(d.dir, "volume-"+id+".qcow2"), nil
}

func (d *Driver) snapshotPath(id string) (string, error) {
	if err := driver.CheckID("snapshot", id); err != nil {
		return "", err
	}
	return filepath.Join(d.dir, "snapshot-"+id+".qcow2"), nil
}

// tempFile is a new name in _tmp for a file a conversion writes.
func (d *Driver) tempFile(pattern string) (string, error) {
	f, err := os.CreateTemp(d.tmp, pattern)
	if err != nil {
		return "", err
	}
	name := f.Name()
	f.Close()
	return name, nil
}

func sizeArg(gb int) string { return fmt.Sprintf("%d", int64(gb)*driver.GB) }

// place renames a finished file into place, refusing to replace an
// existing volume (two creates of one id is a caller's bug that must not
// lose data).
func place(tmp, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		os.Remove(tmp)
		return apierr.Conflict("%s already exists.", filepath.Base(dst))
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// CreateVolume makes an empty sparse qcow2 file.
func (d *Driver) CreateVolume(ctx context.Context, v blockstorage.VolumeRef) (string, error) {
	dst, err := d.volumePath(v.ID)
	if err != nil {
		return "", err
	}
	tmp, err := d.tempFile("create-*")
	if err != nil {
		return "", err
	}
	if _, err := driver.QemuImg(ctx, "create", "-q", "-f", "qcow2", tmp, sizeArg(v.SizeGB)); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return dst, place(tmp, dst)
}

// CreateFromImage makes an overlay of the image's cached base.
func (d *Driver) CreateFromImage(ctx context.Context, v blockstorage.VolumeRef, img driver.Image) (string, error) {
	dst, err := d.volumePath(v.ID)
	if err != nil {
		return "", err
	}
	base, err := d.baseOf(ctx, img)
	if err != nil {
		return "", err
	}
	fmtName := strings.TrimPrefix(filepath.Ext(base), ".")
	in, err := driver.ImageInfo(ctx, base, fmtName)
	if err != nil {
		return "", err
	}
	if in.VirtualSize > int64(v.SizeGB)*driver.GB {
		return "", apierr.BadRequest("Image %s is unacceptable: Image virtual size is %dGB and doesn't fit in a volume of size %dGB.",
			img.ID, (in.VirtualSize+driver.GB-1)/driver.GB, v.SizeGB)
	}
	tmp, err := d.tempFile("image-*")
	if err != nil {
		return "", err
	}
	if _, err := driver.QemuImg(ctx, "create", "-q", "-f", "qcow2", "-b", base, "-F", fmtName, tmp, sizeArg(v.SizeGB)); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return dst, place(tmp, dst)
}

// baseOf returns the cached base of img, fetching and converting it the
// first time; concurrent callers for one image share one fetch.
func (d *Driver) baseOf(ctx context.Context, img driver.Image) (string, error) {
	if err := driver.CheckID("image", img.ID); err != nil {
		return "", err
	}
	for _, ext := range []string{".qcow2", ".raw"} {
		p := filepath.Join(d.base, img.ID+ext)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	d.mu.Lock()
	if f, ok := d.fetches[img.ID]; ok {
		d.mu.Unlock()
		select {
		case <-f.done:
			return f.path, f.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	f := &fetch{done: make(chan struct{})}
	d.fetches[img.ID] = f
	d.mu.Unlock()
	f.path, f.err = d.fetchBase(ctx, img)
	d.mu.Lock()
	delete(d.fetches, img.ID)
	d.mu.Unlock()
	close(f.done)
	return f.path, f.err
}

// fetchBase downloads and verifies img, and keeps it as qcow2 or raw:
// those formats are used as they are, any other is converted to qcow2.
func (d *Driver) fetchBase(ctx context.Context, img driver.Image) (string, error) {
	qfmt := driver.QemuFormat(img.DiskFormat)
	if qfmt == "" {
		return "", apierr.BadRequest("Image %s is unacceptable: disk format %q is not supported.", img.ID, img.DiskFormat)
	}
	dl, err := d.tempFile("download-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(dl)
	if err := driver.Fetch(ctx, img, dl); err != nil {
		return "", err
	}
	// The declared format is used, never a probed one: a raw image
	// whose bytes look like qcow2 must not make qemu follow a backing
	// file of the user's choosing.
	in, err := driver.ImageInfo(ctx, dl, qfmt)
	if err != nil {
		return "", apierr.BadRequest("Image %s is unacceptable: its data is not a valid %s image.", img.ID, img.DiskFormat)
	}
	if in.BackingFile != "" {
		return "", apierr.BadRequest("Image %s is unacceptable: it has a backing file.", img.ID)
	}
	ext := qfmt
	if qfmt != "raw" && qfmt != "qcow2" {
		conv, err := d.tempFile("convert-*")
		if err != nil {
			return "", err
		}
		defer os.Remove(conv)
		if _, err := driver.QemuImg(ctx, "convert", "-f", qfmt, "-O", "qcow2", dl, conv); err != nil {
			return "", err
		}
		dl, ext = conv, "qcow2"
	}
	dst := filepath.Join(d.base, img.ID+"."+ext)
	if err := os.Rename(dl, dst); err != nil {
		return "", err
	}
	return dst, nil
}

// copyImage writes a standalone copy of the qcow2 file src to dst, sized
// sizeGB (never smaller than src). A src over a base keeps that base as
// its backing file, which the cache never removes: the copy holds only
// what differs from the image.
func (d *Driver) copyImage(ctx context.Context, src, dst string, sizeGB int) error {
	in, err := driver.ImageInfo(ctx, src, "qcow2")
	if err != nil {
		return err
	}
	if sizeGB > 0 && in.VirtualSize > int64(sizeGB)*driver.GB {
		return apierr.BadRequest("Invalid input received: the new volume (%d GB) is smaller than its source (%d bytes).", sizeGB, in.VirtualSize)
	}
	tmp, err := d.tempFile("copy-*")
	if err != nil {
		return err
	}
	args := []string{"convert", "-U", "-f", "qcow2", "-O", "qcow2"}
	if in.BackingFile != "" {
		bf := in.BackingFile
		if !filepath.IsAbs(bf) {
			bf = filepath.Join(filepath.Dir(src), bf)
		}
		if filepath.Dir(bf) != d.base {
			os.Remove(tmp)
			return fmt.Errorf("file volume driver: %s has backing file %s outside %s", src, bf, d.base)
		}
		args = append(args, "-B", bf, "-F", strings.TrimPrefix(filepath.Ext(bf), "."))
	}
	if _, err := driver.QemuImg(ctx, append(args, src, tmp)...); err != nil {
		os.Remove(tmp)
		return err
	}
	if sizeGB > 0 && int64(sizeGB)*driver.GB > in.VirtualSize {
		if _, err := driver.QemuImg(ctx, "resize", "-q", "-f", "qcow2", tmp, sizeArg(sizeGB)); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	return place(tmp, dst)
}

// CloneVolume copies src.
func (d *Driver) CloneVolume(ctx context.Context, v, src blockstorage.VolumeRef) (string, error) {
	dst, err := d.volumePath(v.ID)
	if err != nil {
		return "", err
	}
	from, err := d.volumePath(src.ID)
	if err != nil {
		return "", err
	}
	return dst, d.copyImage(ctx, from, dst, v.SizeGB)
}

// CreateFromSnapshot copies the snapshot.
func (d *Driver) CreateFromSnapshot(ctx context.Context, v blockstorage.VolumeRef, snap blockstorage.SnapshotRef) (string, error) {
	dst, err := d.volumePath(v.ID)
	if err != nil {
		return "", err
	}
	from, err := d.snapshotPath(snap.ID)
	if err != nil {
		return "", err
	}
	return dst, d.copyImage(ctx, from, dst, v.SizeGB)
}

// DeleteVolume removes the volume's file.
func (d *Driver) DeleteVolume(ctx context.Context, v blockstorage.VolumeRef) error {
	p, err := d.volumePath(v.ID)
	if err != nil {
		return err
	}
	return removeFile(p)
}

func removeFile(p string) error {
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

// ExtendVolume grows the volume's file.
func (d *Driver) ExtendVolume(ctx context.Context, v blockstorage.VolumeRef, newSizeGB int) error {
	p, err := d.volumePath(v.ID)
	if err != nil {
		return err
	}
	_, err = driver.QemuImg(ctx, "resize", "-q", "-f", "qcow2", p, sizeArg(newSizeGB))
	return err
}

// CreateSnapshot copies the volume.
func (d *Driver) CreateSnapshot(ctx context.Context, snap blockstorage.SnapshotRef) (string, error) {
	dst, err := d.snapshotPath(snap.ID)
	if err != nil {
		return "", err
	}
	from, err := d.volumePath(snap.Volume.ID)
	if err != nil {
		return "", err
	}
	return dst, d.copyImage(ctx, from, dst, 0)
}

// DeleteSnapshot removes the snapshot's file.
func (d *Driver) DeleteSnapshot(ctx context.Context, snap blockstorage.SnapshotRef) error {
	p, err := d.snapshotPath(snap.ID)
	if err != nil {
		return err
	}
	return removeFile(p)
}

// Connect returns the file's path: the qemu compute driver opens it.
func (d *Driver) Connect(ctx context.Context, v blockstorage.VolumeRef, connector map[string]any) (blockstorage.Connection, error) {
	p, err := d.volumePath(v.ID)
	if err != nil {
		return blockstorage.Connection{}, err
	}
	if _, err := os.Stat(p); err != nil {
		return blockstorage.Connection{}, apierr.NotFound("Volume %s has no data on this backend.", v.ID)
	}
	return blockstorage.Connection{DriverVolumeType: "file", Data: map[string]any{"device_path": p, "format": "qcow2"}}, nil
}

// Disconnect has nothing to undo: Connect exported nothing.
func (d *Driver) Disconnect(ctx context.Context, v blockstorage.VolumeRef, connector map[string]any) error {
	_, err := d.volumePath(v.ID)
	return err
}

// ReadRaw converts the volume or snapshot to a sparse raw file in _tmp.
func (d *Driver) ReadRaw(ctx context.Context, v blockstorage.VolumeRef, snap *blockstorage.SnapshotRef) (string, func(), error) {
	src, err := d.volumePath(v.ID)
	if snap != nil && err == nil {
		src, err = d.snapshotPath(snap.ID)
	}
	if err != nil {
		return "", nil, err
	}
	return d.convertOut(ctx, src, "raw")
}

// ExportImage converts the volume to diskFormat in _tmp.
func (d *Driver) ExportImage(ctx context.Context, v blockstorage.VolumeRef, diskFormat string) (string, func(), error) {
	src, err := d.volumePath(v.ID)
	if err != nil {
		return "", nil, err
	}
	qfmt := driver.QemuFormat(diskFormat)
	if qfmt == "" {
		return "", nil, apierr.BadRequest("Invalid disk_format %q: the volume cannot be written in it.", diskFormat)
	}
	return d.convertOut(ctx, src, qfmt)
}

func (d *Driver) convertOut(ctx context.Context, src, qfmt string) (string, func(), error) {
	tmp, err := d.tempFile("out-*")
	if err != nil {
		return "", nil, err
	}
	release := func() { os.Remove(tmp) }
	if _, err := driver.QemuImg(ctx, "convert", "-U", "-f", "qcow2", "-O", qfmt, src, tmp); err != nil {
		release()
		return "", nil, err
	}
	return tmp, release, nil
}

// WriteRaw writes the raw file into the volume, in place.
func (d *Driver) WriteRaw(ctx context.Context, v blockstorage.VolumeRef, path string) error {
	dst, err := d.volumePath(v.ID)
	if err != nil {
		return err
	}
	_, err = driver.QemuImg(ctx, "convert", "-n", "-f", "raw", "-O", "qcow2", path, dst)
	return err
}

// Stats reports the pool: the configured capacity less what the volumes
// were given, or the file system's own numbers.
func (d *Driver) Stats(ctx context.Context) (driver.Stats, error) {
	alloc, err := d.allocated()
	if err != nil {
		return driver.Stats{}, err
	}
	st := driver.Stats{AllocatedGB: float64(alloc) / float64(driver.GB), Capabilities: map[string]any{
		"storage_protocol":            "file",
		"vendor_name":                 "Open Source",
		"driver_version":              "1.0.0",
		"thin_provisioning_support":   true,
		"thick_provisioning_support":  false,
		"multiattach":                 false,
		"QoS_support":                 false,
		"reserved_percentage":         0,
		"max_over_subscription_ratio": "1.0",
	}}
	if d.capacityGB > 0 {
		st.TotalGB = float64(d.capacityGB)
		st.FreeGB = max(0, st.TotalGB-st.AllocatedGB)
		return st, nil
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(d.dir, &fs); err != nil {
		return driver.Stats{}, err
	}
	st.TotalGB = float64(fs.Blocks) * float64(fs.Bsize) / float64(driver.GB)
	st.FreeGB = float64(fs.Bavail) * float64(fs.Bsize) / float64(driver.GB)
	return st, nil
}

// allocated sums the virtual sizes of the volumes, read from their qcow2
// headers (bytes 24–31, big-endian) rather than by a qemu-img per file.
func (d *Driver) allocated() (int64, error) {
	ents, err := os.ReadDir(d.dir)
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "volume-") || !strings.HasSuffix(e.Name(), ".qcow2") {
			continue
		}
		f, err := os.Open(filepath.Join(d.dir, e.Name()))
		if err != nil {
			continue // deleted meanwhile
		}
		var hdr [32]byte
		n, _ := f.ReadAt(hdr[:], 0)
		f.Close()
		if n == len(hdr) && string(hdr[:4]) == "QFI\xfb" {
			sum += int64(binary.BigEndian.Uint64(hdr[24:]))
		}
	}
	return sum, nil
}
