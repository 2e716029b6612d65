package cloud

import (
	"context"
	"errors"
	"io"

	"github.com/gostack/gostack/internal/compute"
	imgclient "github.com/gostack/gostack/internal/image/client"
)

// imageService is the image service as compute uses it (compute.Images),
// through the image client with the caller's token.
type imageService struct{ c *imgclient.Client }

var _ compute.Images = imageService{}

func imageMeta(i *imgclient.Image) *compute.ImageMeta {
	m := &compute.ImageMeta{
		ID: i.ID, Name: i.Name, Status: i.Status, DiskFormat: i.DiskFormat, ContainerFormat: i.ContainerFormat,
		Visibility: i.Visibility, Owner: i.Owner, MinDisk: int64(i.MinDisk), MinRAM: int64(i.MinRAM),
		Protected: i.Protected, Properties: i.Properties,
	}
	if i.Size != nil {
		m.Size = *i.Size
	}
	if m.Properties == nil {
		m.Properties = map[string]string{}
	}
	return m
}

func imageErr(err error) error {
	if errors.Is(err, imgclient.ErrNotFound) {
		return compute.ErrNotFound
	}
	return err
}

func (s imageService) Get(ctx context.Context, token, id string) (*compute.ImageMeta, error) {
	i, err := s.c.Get(ctx, token, id)
	if err != nil {
		return nil, imageErr(err)
	}
	return imageMeta(i), nil
}

func (s imageService) Create(ctx context.Context, token string, m compute.ImageMeta) (*compute.ImageMeta, error) {
	body := map[string]any{
		"name": m.Name, "disk_format": m.DiskFormat, "container_format": m.ContainerFormat,
		"min_disk": m.MinDisk, "min_ram": m.MinRAM,
	}
	if m.Visibility != "" {
		body["visibility"] = m.Visibility
	}
	if m.Protected {
		body["protected"] = true
	}
	for k, v := range m.Properties {
		if _, taken := body[k]; !taken {
			body[k] = v
		}
	}
	i, err := s.c.Create(ctx, token, body)
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

func (s imageService) List(ctx context.Context, token string, props map[string]string) ([]compute.ImageMeta, error) {
	l, err := s.c.List(ctx, token, props)
	if err != nil {
		return nil, imageErr(err)
	}
	out := make([]compute.ImageMeta, len(l))
	for i := range l {
		out[i] = *imageMeta(&l[i])
	}
	return out, nil
}
