package spec

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/images"
	imgclient "github.com/gostack/gostack/internal/image/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// imageService is the image service as compute uses it (compute.Images),
// through the image client with the caller's token.
type imageService struct{ c *imgclient.Client }

var (
	_ compute.Images              = imageService{}
	_ images.ImagePropertyUpdater = imageService{}
)

func imageMeta(i *imgclient.Image) *compute.ImageMeta {
	m := &compute.ImageMeta{
		ID: i.ID, Name: i.Name, Status: i.Status, DiskFormat: i.DiskFormat, ContainerFormat: i.ContainerFormat,
		Visibility: i.Visibility, Owner: i.Owner, MinDisk: int64(i.MinDisk), MinRAM: int64(i.MinRAM),
		Protected: i.Protected, Properties: i.Properties, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt,
	}
	if i.Size != nil {
		m.Size = *i.Size
	}
	if m.Properties == nil {
		m.Properties = map[string]string{}
	}
	return m
}

// imageErr maps the image service's answers to what compute.Images
// promises: a missing or invisible image wraps apierr.ErrNotFound, which
// compute words as Nova does where it meets it ("Image <id> could not be
// found."); a refusal of the request (400, 403, 409) keeps its status and
// the image service's message; any other answer is an internal error of
// compute, as Nova treats an unexpected Glance failure.
func imageErr(err error) error {
	e, ok := apierr.As(err)
	if !ok {
		return err
	}
	switch e.Code {
	case http.StatusNotFound:
		return fmt.Errorf("%w: %s", apierr.ErrNotFound, e.Message)
	case http.StatusBadRequest, http.StatusForbidden, http.StatusConflict:
		return e
	}
	return fmt.Errorf("image service: %s", e.Error())
}

func (s imageService) Get(ctx context.Context, token, id string) (*compute.ImageMeta, error) {
	i, err := s.c.Get(ctx, token, id)
	if err != nil {
		return nil, imageErr(err)
	}
	return imageMeta(i), nil
}

func (s imageService) Create(ctx context.Context, token string, m compute.ImageMeta) (*compute.ImageMeta, error) {
	i, err := s.c.CreateImage(ctx, token, imgclient.NewImage{Name: m.Name, DiskFormat: m.DiskFormat, ContainerFormat: m.ContainerFormat,
		Visibility: m.Visibility, Protected: m.Protected, MinDisk: m.MinDisk, MinRAM: m.MinRAM, Properties: m.Properties})
	if err != nil {
		return nil, imageErr(err)
	}
	return imageMeta(i), nil
}

func (s imageService) Upload(ctx context.Context, token, id string, data io.Reader, size int64) error {
	return imageErr(s.c.Upload(ctx, token, id, data, size))
}

func (s imageService) Delete(ctx context.Context, token, id string) error {
	return imageErr(s.c.Delete(ctx, token, id))
}

func (s imageService) List(ctx context.Context, token string, filters map[string]string) ([]compute.ImageMeta, error) {
	l, err := s.c.List(ctx, token, filters)
	if err != nil {
		return nil, imageErr(err)
	}
	out := make([]compute.ImageMeta, len(l))
	for i := range l {
		out[i] = *imageMeta(&l[i])
	}
	return out, nil
}

// UpdateProperties adds or replaces the set properties and removes the
// others named, in one JSON-patch request.
func (s imageService) UpdateProperties(ctx context.Context, token, id string, set map[string]string, remove []string) (*compute.ImageMeta, error) {
	var ops []imgclient.PatchOp
	keys := slices.Sorted(maps.Keys(set))
	for _, k := range keys {
		ops = append(ops, imgclient.PatchOp{Op: "add", Path: patchPath(k), Value: set[k]})
	}
	for _, k := range remove {
		ops = append(ops, imgclient.PatchOp{Op: "remove", Path: patchPath(k)})
	}
	i, err := s.c.Update(ctx, token, id, ops)
	if err != nil {
		return nil, imageErr(err)
	}
	return imageMeta(i), nil
}

// patchPath is the JSON pointer of a property (RFC 6901 escapes).
func patchPath(key string) string {
	return "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}
