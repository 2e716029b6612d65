// Package imagefetch puts the images a guest boots from on its host
// before the hypervisor driver needs them, as Nova's compute manager does
// with its image cache: the conductor hands a driver.Spec naming an image
// by id, with the format and properties the server's create read of it,
// and Wrap finds it in the host's cache or downloads it (once per host,
// checksum verified, converted when needed), then fills in the local
// path, the kernel and ramdisk of images with kernel_id/ramdisk_id, and
// the kernel command line. The image service is read only for an image
// the host does not hold yet.
//
//	conductor ──Spawn(spec{Image.ID})──► Wrap ──Cache.Fetch──► driver.Spawn(spec{Image.Path})
package imagefetch

import (
	"context"
	"errors"
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

// Cache keeps images on the host (the qemu driver's ImageCache). Fetch
// returns an image it already holds without calling open; otherwise it
// downloads it through open, checks checksum ("" checks nothing) and
// converts it from diskFormat as needed.
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

// errNotCached ends a cache lookup that would have to download.
var errNotCached = errors.New("imagefetch: not in the cache")

// cached looks id up in the cache without downloading it: a miss ends at
// open, which a cached image never reaches.
func (f *fetching) cached(ctx context.Context, id, format string) (path, cachedFormat string, ok bool) {
	path, cachedFormat, err := f.cache.Fetch(ctx, id, format, "", func() (io.ReadCloser, error) { return nil, errNotCached })
	return path, cachedFormat, err == nil
}

// download reads what the source says of image id (its checksum above
// all) and fetches it into the cache as format (its own when "").
func (f *fetching) download(ctx context.Context, id, format string) (path, cachedFormat string, meta *Image, err error) {
	meta, err = f.src.Get(ctx, id)
	if err != nil {
		return "", "", nil, err
	}
	if format == "" {
		format = meta.DiskFormat
	}
	path, cachedFormat, err = f.cache.Fetch(ctx, meta.ID, format, meta.Checksum, func() (io.ReadCloser, error) { return f.src.Open(ctx, meta.ID) })
	return path, cachedFormat, meta, err
}

// fetch fills in img's local files. A spec that carries what the
// server's create read of the image (its format and properties) needs
// the image service only when this host does not hold the image yet: the
// boot reads the image's metadata once, and a host downloads its data
// once.
func (f *fetching) fetch(ctx context.Context, img *driver.Image) error {
	if img.ID == "" || img.Path != "" {
		return nil
	}
	var ok bool
	if img.Format != "" && img.Properties != nil {
		img.Path, img.Format, ok = f.cached(ctx, img.ID, img.Format)
	}
	if !ok {
		path, format, meta, err := f.download(ctx, img.ID, "")
		if err != nil {
			return fmt.Errorf("image %s: %w", img.ID, err)
		}
		img.Path, img.Format = path, format
		if img.Properties == nil {
			img.Properties = meta.Properties
		}
	}
	for _, part := range []struct {
		prop string
		dst  *string
	}{{"kernel_id", &img.KernelPath}, {"ramdisk_id", &img.RamdiskPath}} {
		id := img.Properties[part.prop]
		if id == "" || *part.dst != "" {
			continue
		}
		// Kernels and ramdisks are used as they are (aki/ari are raw).
		if path, _, ok := f.cached(ctx, id, "raw"); ok {
			*part.dst = path
			continue
		}
		path, _, _, err := f.download(ctx, id, "raw")
		if err != nil {
			return fmt.Errorf("%s %s of image %s: %w", part.prop, id, img.ID, err)
		}
		*part.dst = path
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
