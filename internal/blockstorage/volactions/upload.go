package volactions

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/usermsg"
	"github.com/gostack/gostack/internal/blockstorage/volumes"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// UploadRequest copies a volume to a new image (os-volume_upload_image).
type UploadRequest struct {
	ImageName, DiskFormat, ContainerFormat string
	// Visibility and Protected are 3.1's; Visibility "" is private.
	Visibility string
	Protected  bool
	// Token is the caller's: the image is theirs.
	Token string
}

// Uploaded is an upload under way: the volume ("uploading") and the
// image registered for it (queued).
type Uploaded struct {
	Volume *volumes.Shown
	Image  *blockstorage.Image
}

// coreImageKey reports whether k is an image attribute a volume's image
// metadata holds that a new image gets from the upload itself, not from
// the volume (Cinder's glance_core_properties).
func coreImageKey(k string) bool {
	switch k {
	case "checksum", "container_format", "disk_format", "image_name", "image_id", "min_disk", "min_ram", "name",
		"size", "os_hash_algo", "os_hash_value":
		return true
	}
	return false
}

// Upload registers a queued image in the image service and has the
// volume's backend write the volume into it in the background; the
// volume is "uploading" meanwhile and "available" after, and an image
// whose upload failed is deleted.
func (a Actions) Upload(ctx context.Context, sc blockstorage.Scope, id string, req UploadRequest) (*Uploaded, error) {
	imgs := a.svc.Config().Images
	if imgs == nil {
		return nil, apierr.New(503, "The image service is not available.")
	}
	var shown *volumes.Shown
	err := a.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := volumes.Visible(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if vol.Status != blockstorage.StatusAvailable {
			return blockstorage.InvalidVolume("Volume %s status must be available", vol.ID)
		}
		vol.Status = blockstorage.StatusUploading
		if err := tx.UpdateVolume(ctx, vol); err != nil {
			return err
		}
		out, err := volumes.Decorate(ctx, tx, []*blockstorage.Volume{vol})
		if err != nil {
			return err
		}
		shown = out[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	want := &blockstorage.Image{Name: req.ImageName, DiskFormat: req.DiskFormat, ContainerFormat: req.ContainerFormat,
		Visibility: req.Visibility, Protected: req.Protected, Properties: map[string]string{}}
	for k, val := range shown.ImageMetadata {
		if !coreImageKey(k) {
			want.Properties[k] = val
		}
	}
	img, err := imgs.Create(ctx, req.Token, want)
	if err != nil {
		// Cinder puts the volume back as it was when the image service
		// refuses the image.
		if rerr := a.settle(ctx, id, blockstorage.StatusUploading, nil, func(tx blockstorage.Tx, cur *blockstorage.Volume) {
			cur.Status = blockstorage.StatusAvailable
		}); rerr != nil {
			return nil, rerr
		}
		var ae *apierr.Error
		if errors.As(err, &ae) {
			return nil, blockstorage.BadRequest("%s", ae.Message)
		}
		return nil, err
	}
	vol := shown.Volume
	a.svc.Go("upload volume to image", id, func(ctx context.Context) error {
		cause := a.svc.Backend().UploadImage(ctx, vol.Host, blockstorage.UploadImage{Volume: volumes.Ref(vol), ImageID: img.ID,
			DiskFormat: img.DiskFormat, ContainerFormat: img.ContainerFormat})
		err := a.settle(ctx, id, blockstorage.StatusUploading, cause, func(tx blockstorage.Tx, cur *blockstorage.Volume) {
			cur.Status = blockstorage.StatusAvailable
			if cause != nil {
				a.vols.Record(ctx, tx, cur, usermsg.ActionCopyVolumeToImage, usermsg.DetailFailedToUploadVolume)
			}
		})
		if cause != nil {
			if derr := imgs.Delete(ctx, req.Token, img.ID); derr != nil && !errors.Is(derr, apierr.ErrNotFound) {
				a.svc.Config().Log.Warn("blockstorage: deleting the image of a failed upload", "image", img.ID, "err", derr)
			}
		}
		return err
	})
	return &Uploaded{Volume: shown, Image: img}, nil
}
