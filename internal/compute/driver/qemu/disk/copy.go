package disk

import (
	"context"
	"os"
	"path/filepath"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
)

// Migrate makes the disks of the instance directory dst, arriving by a
// cold migration, from src, the source copy's directory (same file
// system): the root disk of rootFormat ("" when the instance boots from a
// volume) is copied, a qcow2 overlay pointed at img (this host's cached
// copy of its image), and grown to flavor f; the ephemeral disk is copied
// and grown, or created; swap is made anew; the console log is kept. The
// config drive is rebuilt from configDrive when it is not nil, else
// copied. It says whether the instance has a config drive.
func (t Tools) Migrate(ctx context.Context, src, dst, rootFormat string, img driver.Image, f driver.Flavor, configDrive map[string][]byte) (hasConfig bool, err error) {
	from := func(name string) string { return filepath.Join(src, name) }
	to := func(name string) string { return filepath.Join(dst, name) }
	exists := func(name string) bool {
		_, err := os.Stat(from(name))
		return err == nil
	}
	if rootFormat != "" {
		if err := Copy(from(instdir.RootDisk), to(instdir.RootDisk)); err != nil {
			return false, err
		}
		if rootFormat == "qcow2" && img.Path != "" {
			if err := t.Rebase(ctx, to(instdir.RootDisk), img); err != nil {
				return false, err
			}
		}
		if err := t.Grow(ctx, to(instdir.RootDisk), rootFormat, f.RootGB); err != nil {
			return false, err
		}
	}
	if f.EphemeralGB > 0 {
		if exists(instdir.EphDisk) {
			if err := Copy(from(instdir.EphDisk), to(instdir.EphDisk)); err != nil {
				return false, err
			}
			if err := t.Grow(ctx, to(instdir.EphDisk), "qcow2", f.EphemeralGB); err != nil {
				return false, err
			}
		} else if err := t.Ephemeral(ctx, to(instdir.EphDisk), f.EphemeralGB); err != nil {
			return false, err
		}
	}
	if f.SwapMB > 0 {
		if err := t.Swap(ctx, to(instdir.SwapDisk), f.SwapMB); err != nil {
			return false, err
		}
	}
	if exists(instdir.ConsoleLog) {
		// The console history is a convenience; losing it fails nothing.
		Copy(from(instdir.ConsoleLog), to(instdir.ConsoleLog))
	}
	switch {
	case configDrive != nil:
		return true, t.ConfigDrive(ctx, dst, to(instdir.ConfigISO), configDrive)
	case exists(instdir.ConfigISO):
		return true, Copy(from(instdir.ConfigISO), to(instdir.ConfigISO))
	}
	return false, nil
}

// Snapshot writes file, a disk of format, flattened (without its backing
// image) as a new qcow2 file in dir whose name starts with name. -U lets
// it read a disk a paused QEMU holds open.
func (t Tools) Snapshot(ctx context.Context, file, format, dir, name string) (driver.SnapshotFile, error) {
	f, err := os.CreateTemp(dir, name+"-*.qcow2")
	if err != nil {
		return driver.SnapshotFile{}, err
	}
	f.Close()
	if _, err := t.Img(ctx, "convert", "-U", "-f", format, "-O", "qcow2", file, f.Name()); err != nil {
		os.Remove(f.Name())
		return driver.SnapshotFile{}, err
	}
	fi, err := os.Stat(f.Name())
	if err != nil {
		return driver.SnapshotFile{}, err
	}
	return driver.SnapshotFile{Path: f.Name(), Format: "qcow2", Size: fi.Size()}, nil
}
