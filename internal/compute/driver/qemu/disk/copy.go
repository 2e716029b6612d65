package disk

import (
	"context"
	"os"
	"path/filepath"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
)

// Source is where a cold migration's destination takes the source
// copy's files from (nbd.Source, over the network).
type Source interface {
	// Has says whether the source copy has the file name.
	Has(name string) bool
	// Pull copies the file name to path, byte for byte.
	Pull(ctx context.Context, name, path string) error
	// PullFlat copies the root disk, its backing image folded in, to
	// path as a qcow2 file of its own.
	PullFlat(ctx context.Context, path string) error
}

// Migrated are the files of an instance directory a cold migration
// takes along; the others are made anew (swap) or belong to the source
// (the record, the monitor, the pid file).
func Migrated() []string {
	return []string{instdir.RootDisk, instdir.EphDisk, instdir.ConfigISO, instdir.ConsoleLog, instdir.ConsoleOld}
}

// Migrate makes the disks of the instance directory dst, arriving by a
// cold migration, from src, the source copy: the root disk of
// rootFormat ("" when the instance boots from a volume) is copied as it
// is, a qcow2 overlay pointed at img (this host's cached copy of its
// image), or, when this host has no copy of the image, pulled with the
// image folded in; it is grown to flavor f. The ephemeral disk is copied
// and grown, or created; swap is made anew; the console log is kept.
// The config drive is rebuilt from configDrive when it is not nil, else
// copied. It says whether the instance has a config drive.
func (t Tools) Migrate(ctx context.Context, src Source, dst, rootFormat string, img driver.Image, f driver.Flavor, configDrive map[string][]byte) (hasConfig bool, err error) {
	to := func(name string) string { return filepath.Join(dst, name) }
	if rootFormat != "" {
		root := to(instdir.RootDisk)
		switch {
		case rootFormat != "qcow2":
			err = src.Pull(ctx, instdir.RootDisk, root)
		case img.Path != "":
			// The overlay's own clusters; the image under it is the same.
			if err = src.Pull(ctx, instdir.RootDisk, root); err == nil {
				err = t.Rebase(ctx, root, img)
			}
		default:
			err = src.PullFlat(ctx, root)
		}
		if err != nil {
			return false, err
		}
		if err := t.Grow(ctx, root, rootFormat, f.RootGB); err != nil {
			return false, err
		}
	}
	if f.EphemeralGB > 0 {
		if src.Has(instdir.EphDisk) {
			if err := src.Pull(ctx, instdir.EphDisk, to(instdir.EphDisk)); err != nil {
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
	for _, name := range []string{instdir.ConsoleLog, instdir.ConsoleOld} {
		if src.Has(name) {
			// The console history is a convenience; losing it fails nothing.
			src.Pull(ctx, name, to(name))
		}
	}
	switch {
	case configDrive != nil:
		return true, t.ConfigDrive(ctx, dst, to(instdir.ConfigISO), configDrive)
	case src.Has(instdir.ConfigISO):
		return true, src.Pull(ctx, instdir.ConfigISO, to(instdir.ConfigISO))
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
