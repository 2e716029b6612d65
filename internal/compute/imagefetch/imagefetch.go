// Package imagefetch puts the images a guest boots from on its host
// before the hypervisor driver needs them, as Nova's compute manager does
// with its image cache: the compute service hands a driver.Spec naming an
// image by id, and Wrap downloads it (once per host, checksum verified,
// converted when needed) and fills in the local path, the kernel and
// ramdisk of images with kernel_id/ramdisk_id, and the kernel command
// line.
//
//	conductor ──Spawn(spec{Image.ID})──► Wrap ──Cache.Fetch──► driver.Spawn(spec{Image.Path})
package imagefetch

import (
	"context"
	"fmt"
	"io"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Image is what the source says about an image.
type Image struct {
	ID         string
	DiskFormat string
	// Checksum is "<algo>:<hex>" (sha512, sha256, md5) or "" to skip the check.
	Checksum   string
	Properties map[string]string
}

// Source reads images from the image service.
type Source interface {
	Get(ctx context.Context, id string) (*Image, error)
	Open(ctx context.Context, id string) (io.ReadCloser, error)
}

// Cache keeps images on the host (the qemu driver's ImageCache).
type Cache interface {
	Fetch(ctx context.Context, id, diskFormat, checksum string, open func() (io.ReadCloser, error)) (path, format string, err error)
}

// Wrap returns d with every operation that boots from an image preceded
// by fetching that image into c.
func Wrap(d driver.Driver, c Cache, src Source) driver.Driver {
	return &fetching{Driver: d, cache: c, src: src}
}

type fetching struct {
	driver.Driver
	cache Cache
	src   Source
}

// fetch fills in img's local files.
func (f *fetching) fetch(ctx context.Context, img *driver.Image) error {
	if img.ID == "" || img.Path != "" {
		return nil
	}
	meta, err := f.src.Get(ctx, img.ID)
	if err != nil {
		return fmt.Errorf("image %s: %w", img.ID, err)
	}
	if img.Properties == nil {
		img.Properties = meta.Properties
	}
	get := func(id, format, sum string) (string, string, error) {
		return f.cache.Fetch(ctx, id, format, sum, func() (io.ReadCloser, error) { return f.src.Open(ctx, id) })
	}
	img.Path, img.Format, err = get(meta.ID, meta.DiskFormat, meta.Checksum)
	if err != nil {
		return fmt.Errorf("image %s: %w", img.ID, err)
	}
	for _, part := range []struct {
		prop string
		dst  *string
	}{{"kernel_id", &img.KernelPath}, {"ramdisk_id", &img.RamdiskPath}} {
		id := img.Properties[part.prop]
		if id == "" || *part.dst != "" {
			continue
		}
		m, err := f.src.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("%s %s of image %s: %w", part.prop, id, img.ID, err)
		}
		// Kernels and ramdisks are used as they are (aki/ari are raw).
		if *part.dst, _, err = get(m.ID, "raw", m.Checksum); err != nil {
			return fmt.Errorf("%s %s of image %s: %w", part.prop, id, img.ID, err)
		}
	}
	if img.KernelArgs == "" {
		img.KernelArgs = img.Properties["os_command_line"]
	}
	return nil
}

func (f *fetching) Spawn(ctx context.Context, spec driver.Spec) error {
	if err := f.fetch(ctx, &spec.Image); err != nil {
		return err
	}
	return f.Driver.Spawn(ctx, spec)
}

func (f *fetching) Rebuild(ctx context.Context, spec driver.Spec) error {
	if err := f.fetch(ctx, &spec.Image); err != nil {
		return err
	}
	return f.Driver.Rebuild(ctx, spec)
}

func (f *fetching) Rescue(ctx context.Context, uuid string, r driver.RescueSpec) error {
	if err := f.fetch(ctx, &r.Image); err != nil {
		return err
	}
	return f.Driver.Rescue(ctx, uuid, r)
}

func (f *fetching) FinishMigration(ctx context.Context, spec driver.Spec, m driver.Migration, powerOn bool) error {
	if err := f.fetch(ctx, &spec.Image); err != nil {
		return err
	}
	return f.Driver.FinishMigration(ctx, spec, m, powerOn)
}

func (f *fetching) PrepareLiveMigration(ctx context.Context, spec driver.Spec, m *driver.Migration) error {
	if err := f.fetch(ctx, &spec.Image); err != nil {
		return err
	}
	return f.Driver.PrepareLiveMigration(ctx, spec, m)
}
