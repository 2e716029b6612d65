// Package lvm is the volume driver over an LVM volume group: volumes are
// thin logical volumes of one thin pool ("<vg>-pool", made at start when
// missing, as Cinder's LVM driver does with lvm_type=thin), snapshots and
// clones are thin snapshots (which stay valid when their origin is
// written or removed), image data is written with qemu-img. The
// connection is the local block device: {"driver_volume_type": "local",
// "data": {"device_path": "/dev/<vg>/<lv>", "format": "raw"}}.
//
//	<vg>/<vg>-pool            the thin pool
//	<vg>/volume-<id>          a volume
//	<vg>/_snapshot-<id>       a snapshot (thin snapshot of its volume)
//
// It needs lvm2 and root.
package lvm

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/driver"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Config is the driver's configuration.
type Config struct {
	VolumeGroup string
	// ThinPool is the thin pool's name (default "<vg>-pool").
	ThinPool string
	// TempDir holds image downloads and conversions.
	TempDir string
}

// Driver is the lvm driver. It is safe for concurrent use.
type Driver struct {
	vg, pool, tmp string
	// mu serialises the LVM commands that change metadata: lvm takes a
	// lock of its own, but its commands fail rather than wait when
	// another holds it on some setups.
	mu sync.Mutex
}

var _ driver.Driver = (*Driver)(nil)

// New returns the driver over cfg.VolumeGroup, creating its thin pool
// (95% of the group's free space) when missing.
func New(cfg Config) (*Driver, error) {
	if cfg.VolumeGroup == "" {
		return nil, fmt.Errorf("lvm volume driver: no volume group")
	}
	if err := driver.CheckID("volume group", cfg.VolumeGroup); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("lvcreate"); err != nil {
		return nil, fmt.Errorf("lvm volume driver: lvm2 is not installed: %w", err)
	}
	d := &Driver{vg: cfg.VolumeGroup, pool: cfg.ThinPool, tmp: cfg.TempDir}
	if d.pool == "" {
		d.pool = d.vg + "-pool"
	}
	if d.tmp == "" {
		d.tmp = os.TempDir()
	}
	if err := os.MkdirAll(d.tmp, 0o700); err != nil {
		return nil, err
	}
	ctx := context.Background()
	if _, err := driver.Run(ctx, "vgs", "--noheadings", d.vg); err != nil {
		return nil, fmt.Errorf("lvm volume driver: volume group %s: %w", d.vg, err)
	}
	if !d.exists(ctx, d.pool) {
		if _, err := driver.Run(ctx, "lvcreate", "-q", "-T", "-l", "95%FREE", d.vg+"/"+d.pool); err != nil {
			return nil, fmt.Errorf("lvm volume driver: thin pool: %w", err)
		}
	}
	return d, nil
}

// Name is the backend's name.
func (d *Driver) Name() string { return "lvm" }

func (d *Driver) exists(ctx context.Context, lv string) bool {
	_, err := driver.Run(ctx, "lvs", "--noheadings", d.vg+"/"+lv)
	return err == nil
}

func volumeLV(id string) (string, error) {
	if err := driver.CheckID("volume", id); err != nil {
		return "", err
	}
	return "volume-" + id, nil
}

func snapshotLV(id string) (string, error) {
	if err := driver.CheckID("snapshot", id); err != nil {
		return "", err
	}
	return "_snapshot-" + id, nil
}

// device is the block device of an LV.
func (d *Driver) device(lv string) string { return filepath.Join("/dev", d.vg, lv) }

func (d *Driver) lvm(ctx context.Context, name string, args ...string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, err := driver.Run(ctx, name, args...)
	return err
}

func gib(n int) string { return strconv.Itoa(n) + "g" }

// CreateVolume makes a thin volume.
func (d *Driver) CreateVolume(ctx context.Context, v blockstorage.VolumeRef) (string, error) {
	lv, err := volumeLV(v.ID)
	if err != nil {
		return "", err
	}
	if err := d.lvm(ctx, "lvcreate", "-q", "-T", "-V", gib(v.SizeGB), "-n", lv, d.vg+"/"+d.pool); err != nil {
		return "", err
	}
	return d.device(lv), nil
}

// CreateFromImage makes a volume and writes the image into it.
func (d *Driver) CreateFromImage(ctx context.Context, v blockstorage.VolumeRef, img driver.Image) (string, error) {
	qfmt := driver.QemuFormat(img.DiskFormat)
	if qfmt == "" {
		return "", apierr.BadRequest("Image %s is unacceptable: disk format %q is not supported.", img.ID, img.DiskFormat)
	}
	f, err := os.CreateTemp(d.tmp, "image-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	if err := driver.Fetch(ctx, img, tmp); err != nil {
		return "", err
	}
	in, err := driver.ImageInfo(ctx, tmp, qfmt)
	if err != nil {
		return "", apierr.BadRequest("Image %s is unacceptable: its data is not a valid %s image.", img.ID, img.DiskFormat)
	}
	if in.BackingFile != "" {
		return "", apierr.BadRequest("Image %s is unacceptable: it has a backing file.", img.ID)
	}
	if in.VirtualSize > int64(v.SizeGB)*driver.GB {
		return "", apierr.BadRequest("Image %s is unacceptable: Image virtual size is %dGB and doesn't fit in a volume of size %dGB.",
			img.ID, (in.VirtualSize+driver.GB-1)/driver.GB, v.SizeGB)
	}
	dev, err := d.CreateVolume(ctx, v)
	if err != nil {
		return "", err
	}
	if _, err := driver.QemuImg(ctx, "convert", "-n", "-f", qfmt, "-O", "raw", tmp, dev); err != nil {
		d.DeleteVolume(context.WithoutCancel(ctx), v)
		return "", err
	}
	return dev, nil
}

// snapshotOf makes lv a thin snapshot of origin, active (thin snapshots
// skip activation by default), grown to sizeGB when that is larger.
func (d *Driver) snapshotOf(ctx context.Context, lv, origin string, sizeGB int) error {
	if err := d.lvm(ctx, "lvcreate", "-q", "-s", "-kn", "-n", lv, d.vg+"/"+origin); err != nil {
		return err
	}
	if sizeGB > 0 {
		size, err := d.sizeGB(ctx, lv)
		if err != nil {
			return err
		}
		if float64(sizeGB) > size {
			return d.lvm(ctx, "lvextend", "-q", "-L", gib(sizeGB), d.vg+"/"+lv)
		}
	}
	return nil
}

func (d *Driver) sizeGB(ctx context.Context, lv string) (float64, error) {
	out, err := driver.Run(ctx, "lvs", "--noheadings", "--units", "g", "--nosuffix", "-o", "lv_size", d.vg+"/"+lv)
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
}

// CloneVolume makes a thin snapshot of src.
func (d *Driver) CloneVolume(ctx context.Context, v, src blockstorage.VolumeRef) (string, error) {
	lv, err := volumeLV(v.ID)
	if err != nil {
		return "", err
	}
	from, err := volumeLV(src.ID)
	if err != nil {
		return "", err
	}
	return d.device(lv), d.snapshotOf(ctx, lv, from, v.SizeGB)
}

// CreateFromSnapshot makes a thin snapshot of the snapshot.
func (d *Driver) CreateFromSnapshot(ctx context.Context, v blockstorage.VolumeRef, snap blockstorage.SnapshotRef) (string, error) {
	lv, err := volumeLV(v.ID)
	if err != nil {
		return "", err
	}
	from, err := snapshotLV(snap.ID)
	if err != nil {
		return "", err
	}
	return d.device(lv), d.snapshotOf(ctx, lv, from, v.SizeGB)
}

func (d *Driver) remove(ctx context.Context, lv string) error {
	if !d.exists(ctx, lv) {
		return nil
	}
	return d.lvm(ctx, "lvremove", "-q", "-f", d.vg+"/"+lv)
}

// DeleteVolume removes the volume's LV.
func (d *Driver) DeleteVolume(ctx context.Context, v blockstorage.VolumeRef) error {
	lv, err := volumeLV(v.ID)
	if err != nil {
		return err
	}
	return d.remove(ctx, lv)
}

// ExtendVolume grows the LV.
func (d *Driver) ExtendVolume(ctx context.Context, v blockstorage.VolumeRef, newSizeGB int) error {
	lv, err := volumeLV(v.ID)
	if err != nil {
		return err
	}
	return d.lvm(ctx, "lvextend", "-q", "-L", gib(newSizeGB), d.vg+"/"+lv)
}

// CreateSnapshot makes a thin snapshot of the volume.
func (d *Driver) CreateSnapshot(ctx context.Context, snap blockstorage.SnapshotRef) (string, error) {
	lv, err := snapshotLV(snap.ID)
	if err != nil {
		return "", err
	}
	from, err := volumeLV(snap.Volume.ID)
	if err != nil {
		return "", err
	}
	return d.device(lv), d.snapshotOf(ctx, lv, from, 0)
}

// DeleteSnapshot removes the snapshot's LV.
func (d *Driver) DeleteSnapshot(ctx context.Context, snap blockstorage.SnapshotRef) error {
	lv, err := snapshotLV(snap.ID)
	if err != nil {
		return err
	}
	return d.remove(ctx, lv)
}

// Connect returns the LV's block device.
func (d *Driver) Connect(ctx context.Context, v blockstorage.VolumeRef, connector map[string]any) (blockstorage.Connection, error) {
	lv, err := volumeLV(v.ID)
	if err != nil {
		return blockstorage.Connection{}, err
	}
	if !d.exists(ctx, lv) {
		return blockstorage.Connection{}, apierr.NotFound("Volume %s has no data on this backend.", v.ID)
	}
	return blockstorage.Connection{DriverVolumeType: "local", Data: map[string]any{"device_path": d.device(lv), "format": "raw"}}, nil
}

// Disconnect has nothing to undo: the device is local.
func (d *Driver) Disconnect(ctx context.Context, v blockstorage.VolumeRef, connector map[string]any) error {
	_, err := volumeLV(v.ID)
	return err
}

// ReadRaw gives the LV's device itself.
func (d *Driver) ReadRaw(ctx context.Context, v blockstorage.VolumeRef, snap *blockstorage.SnapshotRef) (string, func(), error) {
	lv, err := volumeLV(v.ID)
	if snap != nil && err == nil {
		lv, err = snapshotLV(snap.ID)
	}
	if err != nil {
		return "", nil, err
	}
	return d.device(lv), func() {}, nil
}

// WriteRaw copies the raw file onto the LV.
func (d *Driver) WriteRaw(ctx context.Context, v blockstorage.VolumeRef, path string) error {
	lv, err := volumeLV(v.ID)
	if err != nil {
		return err
	}
	_, err = driver.QemuImg(ctx, "convert", "-n", "-f", "raw", "-O", "raw", path, d.device(lv))
	return err
}

// ExportImage converts the LV's data to diskFormat in TempDir.
func (d *Driver) ExportImage(ctx context.Context, v blockstorage.VolumeRef, diskFormat string) (string, func(), error) {
	lv, err := volumeLV(v.ID)
	if err != nil {
		return "", nil, err
	}
	qfmt := driver.QemuFormat(diskFormat)
	if qfmt == "" {
		return "", nil, apierr.BadRequest("Invalid disk_format %q: the volume cannot be written in it.", diskFormat)
	}
	f, err := os.CreateTemp(d.tmp, "out-*")
	if err != nil {
		return "", nil, err
	}
	tmp := f.Name()
	f.Close()
	release := func() { os.Remove(tmp) }
	if _, err := driver.QemuImg(ctx, "convert", "-f", "raw", "-O", qfmt, d.device(lv), tmp); err != nil {
		release()
		return "", nil, err
	}
	return tmp, release, nil
}

// Stats reports the thin pool: its size, what its data does not use
// yet, and the sizes given to the volumes.
func (d *Driver) Stats(ctx context.Context) (driver.Stats, error) {
	out, err := driver.Run(ctx, "lvs", "--noheadings", "--units", "g", "--nosuffix", "--separator", ",",
		"-o", "lv_name,lv_size,data_percent", d.vg)
	if err != nil {
		return driver.Stats{}, err
	}
	st := driver.Stats{Capabilities: map[string]any{
		"storage_protocol":            "local",
		"vendor_name":                 "Open Source",
		"driver_version":              "1.0.0",
		"thin_provisioning_support":   true,
		"thick_provisioning_support":  false,
		"multiattach":                 false,
		"QoS_support":                 false,
		"reserved_percentage":         0,
		"max_over_subscription_ratio": "1.0",
	}}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(strings.TrimSpace(line), ",")
		if len(f) < 2 {
			continue
		}
		size, _ := strconv.ParseFloat(f[1], 64)
		switch {
		case f[0] == d.pool:
			used := 0.0
			if len(f) > 2 {
				used, _ = strconv.ParseFloat(f[2], 64)
			}
			st.TotalGB = size
			st.FreeGB = size * (100 - used) / 100
		case strings.HasPrefix(f[0], "volume-"):
			st.AllocatedGB += size
		}
	}
	return st, nil
}
