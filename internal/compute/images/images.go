// Package images is Nova's images proxy, the deprecated /images API
// (served until 2.35, its metadata calls until 2.38): Glance images shown
// in compute's words, their extra properties edited as "metadata".
// Everything goes to the image service with the caller's token; compute
// stores nothing.
package images

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/quotas"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Service is the images proxy.
type Service struct {
	deps   compute.Deps
	quotas *quotas.Service
}

// New returns the images proxy over deps.Images; image metadata is
// bounded by the metadata_items quota.
func New(deps compute.Deps, q *quotas.Service) *Service {
	return &Service{deps: deps, quotas: q}
}

// Filter is a GET /images[/detail] query in Nova's terms.
type Filter struct {
	Name   string
	Status string // Nova's or Glance's word, any case; matched lower-cased
	// ChangesSince keeps images updated at or after this time
	// (ISO 8601, passed to Glance as updated_at=gte:...).
	ChangesSince string
	// Server keeps snapshots of this instance: its uuid or a URL ending
	// in it (the instance_uuid property).
	Server string
	// Type keeps images of this image_type property (snapshot, backup).
	Type string
	// MinRAM and MinDisk keep images needing at least that much (MiB,
	// GiB); nil = no filter.
	MinRAM, MinDisk *int64
	// Properties are property-<key>=<value> filters.
	Properties map[string]string
	// Limit caps the page (0 = no limit); Marker is the id of the last
	// image of the previous page.
	Limit  int
	Marker string
}

// Status is Nova's status of a Glance image.
func Status(glanceStatus string) string {
	switch glanceStatus {
	case "active":
		return "ACTIVE"
	case "queued", "saving":
		return "SAVING"
	case "deleted", "pending_delete":
		return "DELETED"
	case "killed":
		return "ERROR"
	}
	return "UNKNOWN"
}

// Progress is Nova's progress of a Glance image: 25 queued, 50
// saving, 100 active, else 0.
func Progress(glanceStatus string) int {
	return map[string]int{"queued": 25, "saving": 50, "active": 100}[glanceStatus]
}

// imageNotFound words a missing image as Nova's proxy does.
func imageNotFound(err error) error {
	if errors.Is(err, apierr.ErrNotFound) {
		return apierr.NotFound("Image not found.")
	}
	return err
}

// List lists the images the caller sees, filtered and paged as
// Nova's proxy does over Glance.
func (s *Service) List(ctx context.Context, c compute.Caller, f Filter) ([]compute.ImageMeta, error) {
	im, err := s.deps.NeedImages()
	if err != nil {
		return nil, err
	}
	q := map[string]string{}
	for k, v := range f.Properties {
		q[k] = v
	}
	if f.Name != "" {
		q["name"] = f.Name
	}
	if f.Status != "" {
		q["status"] = strings.ToLower(f.Status)
	}
	if f.ChangesSince != "" {
		q["updated_at"] = "gte:" + f.ChangesSince
	}
	if f.Server != "" {
		srv := f.Server
		if i := strings.LastIndex(srv, "/"); i >= 0 {
			srv = srv[i+1:]
		}
		q["instance_uuid"] = srv
	}
	if f.Type != "" {
		q["image_type"] = f.Type
	}
	all, err := im.List(ctx, c.Token, q)
	if err != nil {
		return nil, err
	}
	out := make([]compute.ImageMeta, 0, len(all))
	for _, m := range all {
		if f.MinRAM != nil && m.MinRAM < *f.MinRAM || f.MinDisk != nil && m.MinDisk < *f.MinDisk {
			continue
		}
		out = append(out, m)
	}
	if f.Marker != "" {
		i := slices.IndexFunc(out, func(m compute.ImageMeta) bool { return m.ID == f.Marker })
		if i < 0 {
			return nil, apierr.BadRequest("marker [%s] not found", f.Marker)
		}
		out = out[i+1:]
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// Get returns one image; a missing or invisible one is a 404.
func (s *Service) Get(ctx context.Context, c compute.Caller, id string) (*compute.ImageMeta, error) {
	im, err := s.deps.NeedImages()
	if err != nil {
		return nil, err
	}
	m, err := im.Get(ctx, c.Token, id)
	if err != nil {
		return nil, imageNotFound(err)
	}
	if m.Properties == nil {
		m.Properties = map[string]string{}
	}
	return m, nil
}

// Delete deletes an image in the image service.
func (s *Service) Delete(ctx context.Context, c compute.Caller, id string) error {
	im, err := s.deps.NeedImages()
	if err != nil {
		return err
	}
	err = im.Delete(ctx, c.Token, id)
	if apierr.IsForbidden(err) {
		return apierr.Forbidden("You are not allowed to delete the image.")
	}
	return imageNotFound(err)
}

// checkImageMetadata is Nova's check_img_metadata_properties_quota: the
// number of properties against metadata_items, and no blank or long keys.
func (s *Service) checkImageMetadata(ctx context.Context, projectID string, md map[string]string) error {
	if len(md) == 0 {
		return nil
	}
	limit, err := s.quotas.Limit(ctx, projectID, "metadata_items")
	if err != nil {
		return err
	}
	if limit >= 0 && int64(len(md)) > limit {
		return apierr.Forbidden("Image metadata limit exceeded")
	}
	for k := range md {
		if k == "" {
			return apierr.BadRequest("Image metadata key cannot be blank")
		}
		if len(k) > 255 {
			return apierr.BadRequest("Image metadata key too long")
		}
	}
	return nil
}

func (s *Service) updateImageProperties(ctx context.Context, c compute.Caller, id string, set map[string]string, remove []string) (*compute.ImageMeta, error) {
	im, err := s.deps.NeedImages()
	if err != nil {
		return nil, err
	}
	up, ok := im.(ImagePropertyUpdater)
	if !ok {
		return nil, apierr.NotImplemented("The image service cannot update image properties.")
	}
	m, err := up.UpdateProperties(ctx, c.Token, id, set, remove)
	if err != nil {
		return nil, imageNotFound(err)
	}
	if m.Properties == nil {
		m.Properties = map[string]string{}
	}
	return m, nil
}

// Metadata returns an image's extra properties.
func (s *Service) Metadata(ctx context.Context, c compute.Caller, id string) (map[string]string, error) {
	m, err := s.Get(ctx, c, id)
	if err != nil {
		return nil, err
	}
	return m.Properties, nil
}

// SetMetadata merges md into an image's properties, or with replace
// makes md the image's only properties (PUT), and returns them.
func (s *Service) SetMetadata(ctx context.Context, c compute.Caller, id string, md map[string]string, replace bool) (map[string]string, error) {
	m, err := s.Get(ctx, c, id)
	if err != nil {
		return nil, err
	}
	all := md
	if !replace {
		all = maps.Clone(m.Properties)
		maps.Copy(all, md)
	}
	if err := s.checkImageMetadata(ctx, c.ProjectID, all); err != nil {
		return nil, err
	}
	var remove []string
	if replace {
		for k := range m.Properties {
			if _, keep := md[k]; !keep {
				remove = append(remove, k)
			}
		}
		slices.Sort(remove)
	}
	set := map[string]string{}
	for k, v := range md {
		if old, ok := m.Properties[k]; !ok || old != v {
			set[k] = v
		}
	}
	if len(set) == 0 && len(remove) == 0 {
		return all, nil
	}
	out, err := s.updateImageProperties(ctx, c, id, set, remove)
	if err != nil {
		return nil, err
	}
	if replace {
		return md, nil
	}
	return out.Properties, nil
}

// MetadataItem returns one property of an image.
func (s *Service) MetadataItem(ctx context.Context, c compute.Caller, id, key string) (string, error) {
	m, err := s.Get(ctx, c, id)
	if err != nil {
		return "", err
	}
	v, ok := m.Properties[key]
	if !ok {
		return "", apierr.NotFound("Image %s has no metadata key %s.", id, key)
	}
	return v, nil
}

// SetMetadataItem sets one property of an image.
func (s *Service) SetMetadataItem(ctx context.Context, c compute.Caller, id, key, value string) error {
	m, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	all := maps.Clone(m.Properties)
	all[key] = value
	if err := s.checkImageMetadata(ctx, c.ProjectID, all); err != nil {
		return err
	}
	_, err = s.updateImageProperties(ctx, c, id, map[string]string{key: value}, nil)
	return err
}

// DeleteMetadataItem removes one property of an image.
func (s *Service) DeleteMetadataItem(ctx context.Context, c compute.Caller, id, key string) error {
	m, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	if _, ok := m.Properties[key]; !ok {
		return apierr.NotFound("Image %s has no metadata key %s.", id, key)
	}
	_, err = s.updateImageProperties(ctx, c, id, nil, []string{key})
	return err
}

// ParseBool reads a Glance boolean property ("true", "1", "yes",
// "on", any case) as oslo's bool_from_string does.
func ParseBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "t", "true", "on", "y", "yes":
		return true
	}
	b, _ := strconv.ParseBool(v)
	return b
}

// ImagePropertyUpdater is implemented by an Images that can change an
// image's extra properties, as the images proxy's metadata calls need:
// set adds or replaces properties, remove deletes them. The images proxy
// finds it on Deps.Images; without it the metadata writes answer 501.
type ImagePropertyUpdater interface {
	UpdateProperties(ctx context.Context, token, id string, set map[string]string, remove []string) (*compute.ImageMeta, error)
}
