package spec

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/groups"
	"github.com/gostack/gostack/internal/blockstorage/volumes"
	imgclient "github.com/gostack/gostack/internal/image/client"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/service"
)

// startVolumes repairs what a crash cut short: volumes left creating,
// deleting, extending or uploading (volumes.Repair).
func startVolumes(ctx context.Context, env *service.Env, svc *blockstorage.Service) error {
	n, err := volumes.New(svc).Repair(ctx)
	if err != nil {
		return fmt.Errorf("blockstorage: repairing volumes: %w", err)
	}
	if n > 0 {
		env.Log.Info("blockstorage: repaired volumes a stop cut short", "count", n)
	}
	g, err := groups.New(svc).Repair(ctx)
	if err != nil {
		return fmt.Errorf("blockstorage: repairing groups: %w", err)
	}
	if g > 0 {
		env.Log.Info("blockstorage: repaired groups a stop cut short", "count", g)
	}
	return nil
}

// newImages returns the image service as volumes use it, or nil when the
// cloud has none.
func newImages(env *service.Env) blockstorage.Images {
	base := env.URLs["image"]
	if base == "" {
		return nil
	}
	return images{imgclient.New(base, env.HTTPClient())}
}

// images is blockstorage.Images over the image service's client, with the
// caller's token.
type images struct{ c *imgclient.Client }

// imageErr maps the image service's answers to what blockstorage.Images
// promises: a missing or invisible image wraps apierr.ErrNotFound; a
// refusal keeps its status and message.
func imageErr(err error) error {
	e, ok := apierr.As(err)
	if !ok {
		return err
	}
	if e.Code == http.StatusNotFound {
		return fmt.Errorf("%w: %s", apierr.ErrNotFound, e.Message)
	}
	return e
}

func (s images) Get(ctx context.Context, token, id string) (*blockstorage.Image, error) {
	i, err := s.c.Get(ctx, token, id)
	if err != nil {
		return nil, imageErr(err)
	}
	return toImage(i), nil
}

func (s images) Create(ctx context.Context, token string, img *blockstorage.Image) (*blockstorage.Image, error) {
	i, err := s.c.CreateImage(ctx, token, imgclient.NewImage{Name: img.Name, DiskFormat: img.DiskFormat, ContainerFormat: img.ContainerFormat,
		Visibility: img.Visibility, Protected: img.Protected, Properties: img.Properties})
	if err != nil {
		return nil, imageErr(err)
	}
	return toImage(i), nil
}

func (s images) Delete(ctx context.Context, token, id string) error {
	err := imageErr(s.c.Delete(ctx, token, id))
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	return err
}

func toImage(i *imgclient.Image) *blockstorage.Image {
	img := &blockstorage.Image{ID: i.ID, Name: i.Name, Status: i.Status, DiskFormat: i.DiskFormat,
		ContainerFormat: i.ContainerFormat, Checksum: i.Checksum, Visibility: i.Visibility, Protected: i.Protected,
		MinDisk: i.MinDisk, MinRAM: i.MinRAM, Properties: i.Properties}
	if i.Size != nil {
		img.SizeBytes = *i.Size
	}
	if img.Properties == nil {
		img.Properties = map[string]string{}
	}
	return img
}
