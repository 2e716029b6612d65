package volumes

import (
	"context"
	"maps"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// CheckMetadata refuses metadata Cinder's schema refuses: keys of 1 to
// 255 letters, digits and "-_:. /", values of at most 255 characters.
func CheckMetadata(m map[string]string) error {
	for k, val := range m {
		if !metaKey(k) {
			return blockstorage.BadRequest("Invalid input for field/attribute metadata. Value: %q. Additional properties are not allowed ('%s' was unexpected)", k, k)
		}
		if len([]rune(val)) > 255 {
			return blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is too long", k, val, val)
		}
	}
	return nil
}

func metaKey(k string) bool {
	n := len([]rune(k))
	if n < 1 || n > 255 {
		return false
	}
	for _, c := range k {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == ':', c == '.', c == ' ', c == '/':
		default:
			return false
		}
	}
	return true
}

// UpdateRequest changes a volume's name, description or metadata (nil
// fields stay).
type UpdateRequest struct {
	Name, Description *string
	Metadata          map[string]string
}

// Update changes what req sets; a volume in maintenance cannot change.
func (v Volumes) Update(ctx context.Context, sc blockstorage.Scope, id string, req UpdateRequest) (*Shown, error) {
	if err := CheckMetadata(req.Metadata); err != nil {
		return nil, err
	}
	return v.change(ctx, sc, id, func(vol *blockstorage.Volume) error {
		if vol.Status == blockstorage.StatusMaintenance {
			return blockstorage.InvalidVolume("The volume cannot be updated during maintenance.")
		}
		if req.Name != nil {
			vol.Name = *req.Name
		}
		if req.Description != nil {
			vol.Description = *req.Description
		}
		if req.Metadata != nil {
			vol.Metadata = maps.Clone(req.Metadata)
		}
		return nil
	})
}

// change applies fn to a visible volume and writes it, in one
// transaction, and returns the volume as shown after.
func (v Volumes) change(ctx context.Context, sc blockstorage.Scope, id string, fn func(vol *blockstorage.Volume) error) (*Shown, error) {
	var out *Shown
	err := v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := Visible(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if err := fn(vol); err != nil {
			return err
		}
		if err := tx.UpdateVolume(ctx, vol); err != nil {
			return err
		}
		shown, err := Decorate(ctx, tx, []*blockstorage.Volume{vol})
		if err != nil {
			return err
		}
		out = shown[0]
		return nil
	})
	return out, err
}

// Metadata returns a volume's user metadata.
func (v Volumes) Metadata(ctx context.Context, sc blockstorage.Scope, id string) (map[string]string, error) {
	vol, err := v.Owner(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	return nonNil(vol.Metadata), nil
}

// MetadataItem returns one key of a volume's metadata.
func (v Volumes) MetadataItem(ctx context.Context, sc blockstorage.Scope, id, key string) (string, error) {
	m, err := v.Metadata(ctx, sc, id)
	if err != nil {
		return "", err
	}
	val, ok := m[key]
	if !ok {
		return "", metadataNotFound(id, key)
	}
	return val, nil
}

func metadataNotFound(id, key string) *apierr.Error {
	return apierr.NotFound("Volume %s has no metadata with key %s.", id, key)
}

// SetMetadata merges m into a volume's metadata, or replaces it with m,
// and returns the metadata after.
func (v Volumes) SetMetadata(ctx context.Context, sc blockstorage.Scope, id string, m map[string]string, replace bool) (map[string]string, error) {
	if err := CheckMetadata(m); err != nil {
		return nil, err
	}
	shown, err := v.change(ctx, sc, id, func(vol *blockstorage.Volume) error {
		if err := metadataWritable(vol, "Updating"); err != nil {
			return err
		}
		if replace || vol.Metadata == nil {
			vol.Metadata = map[string]string{}
		}
		maps.Copy(vol.Metadata, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return nonNil(shown.Metadata), nil
}

// DeleteMetadata removes one key of a volume's metadata.
func (v Volumes) DeleteMetadata(ctx context.Context, sc blockstorage.Scope, id, key string) error {
	_, err := v.change(ctx, sc, id, func(vol *blockstorage.Volume) error {
		if err := metadataWritable(vol, "Deleting"); err != nil {
			return err
		}
		if _, ok := vol.Metadata[key]; !ok {
			return metadataNotFound(id, key)
		}
		delete(vol.Metadata, key)
		return nil
	})
	return err
}

// metadataWritable refuses changing the metadata of a volume in
// maintenance or being uploaded.
func metadataWritable(vol *blockstorage.Volume, verb string) error {
	if vol.Status == blockstorage.StatusMaintenance || vol.Status == blockstorage.StatusUploading {
		return blockstorage.InvalidVolume("%s volume metadata is not allowed for volumes in %s status.", verb, vol.Status)
	}
	return nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
