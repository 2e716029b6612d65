package imagefetch_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/imagefetch"
)

type source map[string]*imagefetch.Image

func (s source) Get(_ context.Context, id string) (*imagefetch.Image, error) {
	if m, ok := s[id]; ok {
		return m, nil
	}
	return nil, errors.New("no such image")
}

func (s source) Open(_ context.Context, id string) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("data of " + id)), nil
}

// cache records what it was asked for and "stores" each image at
// /cache/<id>; the images in held it has already, as qcow2.
type cache struct {
	fetched []string
	held    map[string]bool
}

func (c *cache) Fetch(_ context.Context, id, format, sum string, open func() (io.ReadCloser, error)) (string, string, error) {
	if c.held[id] {
		return "/cache/" + id, "qcow2", nil
	}
	r, err := open()
	if err != nil {
		return "", "", err
	}
	b, _ := io.ReadAll(r)
	r.Close()
	c.fetched = append(c.fetched, id+"/"+format+"/"+sum+"/"+string(b))
	return "/cache/" + id, format, nil
}

// spy is a driver that records the spec it was given.
type spy struct {
	driver.Driver
	got driver.Spec
}

func (s *spy) Spawn(_ context.Context, spec driver.Spec) error { s.got = spec; return nil }

func TestSpawnFetchesImageKernelAndRamdisk(t *testing.T) {
	src := source{
		"img": {ID: "img", DiskFormat: "qcow2", Checksum: "sha512:ab",
			Properties: map[string]string{"kernel_id": "k", "ramdisk_id": "r", "os_command_line": "console=ttyS0"}},
		"k": {ID: "k", DiskFormat: "aki", Checksum: "md5:01"},
		"r": {ID: "r", DiskFormat: "ari"},
	}
	c := &cache{}
	d := &spy{}
	if err := imagefetch.Wrap(d, c, src).Spawn(context.Background(), driver.Spec{UUID: "u", Image: driver.Image{ID: "img"}}); err != nil {
		t.Fatal(err)
	}
	im := d.got.Image
	if im.Path != "/cache/img" || im.Format != "qcow2" || im.KernelPath != "/cache/k" || im.RamdiskPath != "/cache/r" || im.KernelArgs != "console=ttyS0" {
		t.Fatalf("spec image: %+v", im)
	}
	want := []string{"img/qcow2/sha512:ab/data of img", "k/raw/md5:01/data of k", "r/raw//data of r"}
	if strings.Join(c.fetched, ",") != strings.Join(want, ",") {
		t.Fatalf("fetched %v, want %v", c.fetched, want)
	}
}

func TestSpawnWithoutImageOrWithPathFetchesNothing(t *testing.T) {
	c := &cache{}
	d := &spy{}
	w := imagefetch.Wrap(d, c, source{})
	for _, im := range []driver.Image{{}, {ID: "x", Path: "/already/here"}} {
		if err := w.Spawn(context.Background(), driver.Spec{Image: im}); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.fetched) != 0 {
		t.Fatalf("fetched %v", c.fetched)
	}
}

func TestUnknownImageFailsSpawn(t *testing.T) {
	d := &spy{}
	err := imagefetch.Wrap(d, &cache{}, source{}).Spawn(context.Background(), driver.Spec{Image: driver.Image{ID: "gone"}})
	if err == nil || !strings.Contains(err.Error(), "gone") || d.got.UUID != "" {
		t.Fatalf("err %v, driver called: %v", err, d.got.UUID != "")
	}
}

// counting is a source that counts its reads of image metadata.
type counting struct {
	source
	gets int
}

func (s *counting) Get(ctx context.Context, id string) (*imagefetch.Image, error) {
	s.gets++
	return s.source.Get(ctx, id)
}

// TestCachedImageNeedsNoImageService checks that a boot reads the image's
// metadata once: a spec that carries what the create read (format and
// properties) of an image the host already holds spawns without asking
// the image service, while an image the host lacks is read for its
// checksum and downloaded.
func TestCachedImageNeedsNoImageService(t *testing.T) {
	src := &counting{source: source{
		"img": {ID: "img", DiskFormat: "qcow2", Checksum: "sha512:ab", Properties: map[string]string{"kernel_id": "k"}},
		"k":   {ID: "k", DiskFormat: "aki", Checksum: "md5:01"},
	}}
	c := &cache{held: map[string]bool{"img": true, "k": true}}
	d := &spy{}
	w := imagefetch.Wrap(d, c, src)
	spec := driver.Spec{UUID: "u", Image: driver.Image{ID: "img", Format: "qcow2", Properties: map[string]string{"kernel_id": "k"}}}
	if err := w.Spawn(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	if im := d.got.Image; im.Path != "/cache/img" || im.KernelPath != "/cache/k" || src.gets != 0 || len(c.fetched) != 0 {
		t.Fatalf("cached image: spec %+v, %d reads of the image service, downloads %v", im, src.gets, c.fetched)
	}

	c.held = nil
	if err := w.Spawn(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	if src.gets != 2 || len(c.fetched) != 2 {
		t.Fatalf("uncached image: %d reads of the image service, downloads %v", src.gets, c.fetched)
	}
}
