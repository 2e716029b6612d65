package qemu

import (
	"context"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
)

// rootType is how a root disk of flavor f is made: qcow2 or raw.
func (d *Driver) rootType(f driver.Flavor) string {
	if t := f.ExtraSpecs["gostack:images_type"]; t == "raw" || t == "qcow2" {
		return t
	}
	return d.opts.ImagesType
}

// makeDisks creates the instance's disks in its directory: root,
// ephemeral, swap and the config drive.
func (d *Driver) makeDisks(ctx context.Context, in *instance, spec driver.Spec) error {
	f := spec.Flavor
	bootVolume := false
	for _, bd := range spec.BlockDevices {
		bootVolume = bootVolume || bd.BootIndex == 0
	}
	in.rec.RootFormat = ""
	if !bootVolume {
		in.rec.RootFormat = d.rootType(f)
		if err := d.tools.Root(ctx, in.path(instdir.RootDisk), in.rec.RootFormat, spec.Image, f.RootGB); err != nil {
			return err
		}
	}
	if f.EphemeralGB > 0 {
		if err := d.tools.Ephemeral(ctx, in.path(instdir.EphDisk), f.EphemeralGB); err != nil {
			return err
		}
	}
	if f.SwapMB > 0 {
		if err := d.tools.Swap(ctx, in.path(instdir.SwapDisk), f.SwapMB); err != nil {
			return err
		}
	}
	return d.makeConfigDrive(ctx, in, spec.ConfigDrive)
}

// makeConfigDrive writes in's config drive from tree and records whether
// it has one; a nil tree removes it.
func (d *Driver) makeConfigDrive(ctx context.Context, in *instance, tree map[string][]byte) error {
	in.rec.HasConfig = tree != nil
	return d.tools.ConfigDrive(ctx, in.dir, in.path(instdir.ConfigISO), tree)
}
