package image

import (
	"context"
	"errors"
	"slices"
	"sort"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/image/patch"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// limit returns a project's unified limit for resource, or -1.
func (s *Service) limit(ctx context.Context, project, resource string) (int64, error) {
	if s.cfg.Limits == nil || project == "" {
		return -1, nil
	}
	l, ok, err := s.cfg.Limits.Limit(ctx, "image", project, resource)
	if err != nil {
		return 0, err
	}
	if !ok {
		return -1, nil
	}
	return l, nil
}

// Create registers a new image from a create request body (Glance's
// image schema: core attributes and string extra properties).
func (s *Service) Create(ctx context.Context, c Caller, body map[string]any) (*Image, error) {
	now := s.now()
	img := &Image{
		ID: uuid.NewString(), Status: StatusQueued, Visibility: Shared, Owner: c.ProjectID,
		Tags: []string{}, Properties: map[string]string{}, CreatedAt: now, UpdatedAt: now,
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	// id and owner first: the visibility checks look at the owner.
	sort.Slice(keys, func(i, j int) bool {
		rank := func(k string) int {
			switch k {
			case "id":
				return 0
			case "owner":
				return 1
			}
			return 2
		}
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		v := body[k]
		if k == "locations" {
			if l, ok := v.([]any); ok && len(l) == 0 {
				continue
			}
			return nil, apierr.Forbidden("Attribute 'locations' cannot be set when creating an image; add them with a patch.")
		}
		if err := s.setAttr(c, img, k, v, true); err != nil {
			return nil, err
		}
	}
	max, err := s.limit(ctx, img.Owner, LimitImageCount)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateImage(ctx, img, max); err != nil {
		if errors.Is(err, apierr.ErrDuplicate) {
			return nil, apierr.Conflict("An image with identifier %s already exists", img.ID)
		}
		return nil, err
	}
	return img, nil
}

// isMember reports whether project is a member of img (any status).
func (s *Service) isMember(ctx context.Context, img *Image, project string) (bool, error) {
	if img.Visibility != Shared || project == "" {
		return false, nil
	}
	_, err := s.store.GetMember(ctx, img.ID, project)
	if errors.Is(err, apierr.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Show returns an image the caller may see; others are not found.
func (s *Service) Show(ctx context.Context, c Caller, id string) (*Image, error) {
	img, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	mem, err := s.isMember(ctx, img, c.ProjectID)
	if err != nil {
		return nil, err
	}
	if !c.CanSee(img, mem) {
		return nil, apierr.NotFound("No image found with ID %s", id)
	}
	return img, nil
}

// MemberOf returns the caller's membership of img, if any, for policy
// targets (member_id).
func (s *Service) MemberOf(ctx context.Context, img *Image, project string) (*Member, error) {
	if img.Visibility != Shared {
		return nil, nil
	}
	m, err := s.store.GetMember(ctx, img.ID, project)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, nil
	}
	return m, err
}

// List returns images matching f as the caller sees them. Hidden images
// are left out unless f.Hidden asks for them.
func (s *Service) List(ctx context.Context, c Caller, f ImageFilter) ([]*Image, error) {
	f.Caller = c
	if f.Hidden == nil {
		no := false
		f.Hidden = &no
	}
	if f.Marker != "" {
		if _, err := s.Show(ctx, c, f.Marker); err != nil {
			if apierr.IsNotFound(err) {
				return nil, apierr.BadRequest("marker not found")
			}
			return nil, err
		}
	}
	return s.store.ListImages(ctx, f)
}

// Update applies a JSON patch to an image.
func (s *Service) Update(ctx context.Context, c Caller, id string, ops []patch.Op) (*Image, error) {
	if _, err := s.Show(ctx, c, id); err != nil {
		return nil, err
	}
	return s.Change(ctx, id, func(img *Image) error {
		for _, op := range ops {
			if err := s.applyOp(c, img, op); err != nil {
				return err
			}
		}
		return nil
	})
}

// ApplyPatch applies ops to a copy of img without storing it (tests and
// fuzzing use it; Update is the real thing).
func (s *Service) ApplyPatch(c Caller, img *Image, ops []patch.Op) (*Image, error) {
	out := img.Clone()
	for _, op := range ops {
		if err := s.applyOp(c, out, op); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) applyOp(c Caller, img *Image, op patch.Op) error {
	name := op.Path[0]
	if name == "locations" {
		return s.patchLocations(c, img, op)
	}
	if len(op.Path) != 1 {
		return apierr.BadRequest("Invalid path %s.", op)
	}
	core := IsCoreAttribute(name)
	switch op.Op {
	case "add", "replace":
		if op.Op == "replace" && !core {
			if IsReserved(name) {
				return apierr.Forbidden("Attribute '%s' is reserved.", name)
			}
			if _, ok := img.Properties[name]; !ok {
				return apierr.Conflict("Property %s does not exist.", name)
			}
		}
		return s.setAttr(c, img, name, op.Value, false)
	case "remove":
		if core {
			if slices.Contains(readOnly, name) || name == "id" {
				return apierr.Forbidden("Attribute '%s' is read-only.", name)
			}
			return apierr.Forbidden("Attribute '%s' is reserved and cannot be removed.", name)
		}
		if IsReserved(name) {
			return apierr.Forbidden("Attribute '%s' is reserved.", name)
		}
		if _, ok := img.Properties[name]; !ok {
			return apierr.Conflict("Property %s does not exist.", name)
		}
		delete(img.Properties, name)
	}
	return nil
}

// Delete removes an image and its data. Protected images are refused
// (403); an image in use by a server may still be deleted, as in Glance.
func (s *Service) Delete(ctx context.Context, c Caller, id string) error {
	if _, err := s.Show(ctx, c, id); err != nil {
		return err
	}
	img, err := s.store.DeleteImage(ctx, id, func(img *Image) error {
		if img.Protected {
			return apierr.Forbidden("Image %s is protected and cannot be deleted.", id)
		}
		return nil
	})
	if err != nil {
		return imageErr(err, id)
	}
	// The row is gone first: a crash here, or a store out of reach,
	// leaves orphaned data that Reconcile removes, never an image without
	// its data.
	s.deleteData(ctx, img.ID)
	return s.staging.Delete(ctx, img.ID)
}

// AddTag adds a tag (idempotent).
func (s *Service) AddTag(ctx context.Context, c Caller, id, tag string) error {
	if err := validTag(tag); err != nil {
		return err
	}
	if _, err := s.Show(ctx, c, id); err != nil {
		return err
	}
	_, err := s.Change(ctx, id, func(img *Image) error {
		if slices.Contains(img.Tags, tag) {
			return nil
		}
		if s.cfg.MaxTags >= 0 && len(img.Tags) >= s.cfg.MaxTags {
			return apierr.TooLarge("Maximum number of tags exceeded.")
		}
		img.Tags = append(img.Tags, tag)
		slices.Sort(img.Tags)
		return nil
	})
	return err
}

// DeleteTag removes a tag; a missing tag is not found.
func (s *Service) DeleteTag(ctx context.Context, c Caller, id, tag string) error {
	if _, err := s.Show(ctx, c, id); err != nil {
		return err
	}
	_, err := s.Change(ctx, id, func(img *Image) error {
		i := slices.Index(img.Tags, tag)
		if i < 0 {
			return apierr.NotFound("No tag found with ID %s", tag)
		}
		img.Tags = slices.Delete(img.Tags, i, i+1)
		return nil
	})
	return err
}

// Deactivate makes an active image's data unavailable (403 on download).
func (s *Service) Deactivate(ctx context.Context, c Caller, id string) error {
	return s.setActive(ctx, c, id, StatusDeactivated, "deactivate")
}

// Reactivate makes a deactivated image active again.
func (s *Service) Reactivate(ctx context.Context, c Caller, id string) error {
	return s.setActive(ctx, c, id, StatusActive, "reactivate")
}

// setActive moves an active or deactivated image to status to (either of
// the two); verb names the action in Glance's refusal of other statuses.
func (s *Service) setActive(ctx context.Context, c Caller, id string, to Status, verb string) error {
	if _, err := s.Show(ctx, c, id); err != nil {
		return err
	}
	_, err := s.Change(ctx, id, func(img *Image) error {
		switch img.Status {
		case StatusActive, StatusDeactivated:
			img.Status = to
			return nil
		}
		return apierr.Forbidden("Not allowed to %s image in status '%s'", verb, img.Status)
	})
	return err
}
