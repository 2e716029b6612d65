package volumes

import (
	"context"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// The volume actions here write attributes of the volume's row and
// nothing else: no backend work, no status change. The actions that do
// (extend, reset status, retype, migrate, revert, upload to an image)
// are in package volactions.

// SetBootable sets a volume's bootable flag.
func (v Volumes) SetBootable(ctx context.Context, sc blockstorage.Scope, id string, bootable bool) error {
	_, err := v.change(ctx, sc, id, func(vol *blockstorage.Volume) error {
		if vol.Status == blockstorage.StatusMaintenance {
			return blockstorage.InvalidVolume("The volume cannot be updated during maintenance.")
		}
		vol.Bootable = bootable
		return nil
	})
	return err
}

// SetReadonly sets an available volume's read-only flag (its admin
// metadata "readonly", which later attachments honour).
func (v Volumes) SetReadonly(ctx context.Context, sc blockstorage.Scope, id string, readonly bool) error {
	_, err := v.change(ctx, sc, id, func(vol *blockstorage.Volume) error {
		if vol.Status != blockstorage.StatusAvailable {
			return blockstorage.InvalidVolume("Volume %s status must be available to update readonly flag, but current status is: %s.", vol.ID, vol.Status)
		}
		if vol.AdminMetadata == nil {
			vol.AdminMetadata = map[string]string{}
		}
		vol.AdminMetadata["readonly"] = map[bool]string{true: "True", false: "False"}[readonly]
		return nil
	})
	return err
}

// ImageMetadata returns a volume's volume_image_metadata.
func (v Volumes) ImageMetadata(ctx context.Context, sc blockstorage.Scope, id string) (map[string]string, error) {
	vol, err := v.Owner(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	return nonNil(vol.ImageMetadata), nil
}

// SetImageMetadata merges m into a volume's image metadata and returns
// it after.
func (v Volumes) SetImageMetadata(ctx context.Context, sc blockstorage.Scope, id string, m map[string]string) (map[string]string, error) {
	for k, val := range m {
		if !metaKey(k) {
			return nil, blockstorage.BadRequest("Invalid input for field/attribute metadata. Value: %q. Additional properties are not allowed ('%s' was unexpected)", k, k)
		}
		if len(val) > 65535 {
			return nil, apierr.New(413, "Metadata property value greater than 65535 characters.")
		}
	}
	shown, err := v.change(ctx, sc, id, func(vol *blockstorage.Volume) error {
		if err := metadataWritable(vol, "Updating"); err != nil {
			return err
		}
		if vol.ImageMetadata == nil {
			vol.ImageMetadata = map[string]string{}
		}
		for k, val := range m {
			vol.ImageMetadata[k] = val
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return nonNil(shown.ImageMetadata), nil
}

// UnsetImageMetadata removes one key of a volume's image metadata.
func (v Volumes) UnsetImageMetadata(ctx context.Context, sc blockstorage.Scope, id, key string) error {
	_, err := v.change(ctx, sc, id, func(vol *blockstorage.Volume) error {
		if _, ok := vol.ImageMetadata[key]; !ok {
			return apierr.NotFound("Glance metadata for volume %s cannot be found.", id)
		}
		if err := metadataWritable(vol, "Deleting"); err != nil {
			return err
		}
		delete(vol.ImageMetadata, key)
		return nil
	})
	return err
}
