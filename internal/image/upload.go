package image

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"

	"github.com/gostack/gostack/internal/image/datastore"
	"github.com/gostack/gostack/internal/image/filestore"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// uploadCap returns how many bytes the owner may still store: the size
// cap, lowered by the image_size_total limit (MiB), and refuses when the
// project is at its image_count_uploading limit.
func (s *Service) uploadCap(ctx context.Context, owner string) (int64, error) {
	capBytes := s.cfg.MaxImageSize
	sizeLimit, err := s.limit(ctx, owner, LimitImageSize)
	if err != nil {
		return 0, err
	}
	upLimit, err := s.limit(ctx, owner, LimitImageUploading)
	if err != nil {
		return 0, err
	}
	if sizeLimit < 0 && upLimit < 0 {
		return capBytes, nil
	}
	u, err := s.store.ImageUsage(ctx, owner)
	if err != nil {
		return 0, err
	}
	if upLimit >= 0 && u.Uploading >= upLimit {
		return 0, OverQuota(LimitImageUploading, upLimit, u.Uploading)
	}
	if sizeLimit >= 0 {
		left := sizeLimit<<20 - u.Bytes
		if left <= 0 {
			return 0, OverQuota(LimitImageSize, sizeLimit, u.Bytes>>20)
		}
		capBytes = min(capBytes, left)
	}
	return capBytes, nil
}

// UploadCap is the largest upload the owner may make now, for an early
// 413 on a declared Content-Length.
func (s *Service) UploadCap(ctx context.Context, owner string) (int64, error) {
	return s.uploadCap(ctx, owner)
}

// Upload stores an image's data (PUT /file): queued → saving → active.
// Any failure — a broken stream, a size past the cap, a format the
// inspector refuses, a checksum mismatch — leaves the image queued with
// no data. size is the announced length of r, -1 when unknown.
func (s *Service) Upload(ctx context.Context, c Caller, id string, r io.Reader, size int64) (*Image, error) {
	img, err := s.Show(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if img.Status != StatusQueued {
		return nil, apierr.Conflict("Image status %s does not allow an upload; it must be queued.", img.Status)
	}
	maxSize, err := s.uploadCap(ctx, img.Owner)
	if err != nil {
		return nil, err
	}
	if _, err := s.setStatus(ctx, id, []Status{StatusQueued}, StatusSaving); err != nil {
		return nil, err
	}
	out, err := s.writeData(ctx, id, r, size, maxSize, []Status{StatusSaving})
	if err != nil {
		bg := context.WithoutCancel(ctx)
		s.setStatus(bg, id, []Status{StatusSaving}, StatusQueued)
		return nil, err
	}
	return out, nil
}

// writeData streams r into the data store as the data of image id (at
// most maxSize bytes), runs the inspector, and activates the image if it
// is in one of from. On failure the data is removed and the status left
// for the caller to restore.
func (s *Service) writeData(ctx context.Context, id string, r io.Reader, size, maxSize int64, from []Status) (img *Image, err error) {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if maxSize <= 0 || maxSize > s.cfg.MaxImageSize {
		maxSize = s.cfg.MaxImageSize
	}
	w, loc, err := s.data.Put(ctx, id, r, size, maxSize)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.data.Delete(context.WithoutCancel(ctx), id)
		}
	}()
	var vsize int64
	if s.cfg.Inspector != nil {
		vsize, err = s.inspect(ctx, id, w.Size, cur.DiskFormat)
		if err != nil {
			return nil, err
		}
	}
	return s.activate(ctx, id, from, dataInfo{Written: w, VirtualSize: vsize, Location: loc})
}

func (s *Service) inspect(ctx context.Context, id string, size int64, format string) (int64, error) {
	f, _, err := s.data.Open(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return 0, apierr.NotFound("No image data found with ID %s", id)
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	vs, err := s.cfg.Inspector.Inspect(f, size, format)
	if err != nil {
		// The inspector's own refusals keep their status; anything else
		// is data that is not what the image says it is.
		switch apierr.Status(err) {
		case http.StatusBadRequest, http.StatusForbidden, http.StatusConflict:
			return 0, err
		}
		return 0, apierr.BadRequest("Image data does not match its disk_format: %s", err.Error())
	}
	return vs, nil
}

// Download opens an image's data. It returns nil data (and no error) when
// the image has none yet (Glance's 204). Deactivated images refuse
// non-admins (403).
func (s *Service) Download(ctx context.Context, c Caller, id string) (*Image, io.ReadSeekCloser, int64, error) {
	img, err := s.Show(ctx, c, id)
	if err != nil {
		return nil, nil, 0, err
	}
	switch img.Status {
	case StatusDeactivated:
		if !c.Admin {
			return nil, nil, 0, apierr.Forbidden("The requested image has been deactivated. Image data download is forbidden.")
		}
	case StatusActive:
	default:
		return img, nil, 0, nil
	}
	f, size, err := s.data.Open(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return img, nil, 0, nil
	}
	if err != nil {
		return nil, nil, 0, err
	}
	return img, f, size, nil
}

// Recover cleans up after a crash; call it at start. Temporary files of
// interrupted writes are removed, images left saving go back to queued
// (their upload died with the process), and staged files whose image is
// gone are deleted. The file store's data is reconciled too; a store of
// another service (Swift) is out of reach until the cloud serves, and a
// worker reconciles it.
func (s *Service) Recover(ctx context.Context) error {
	fd, local := s.data.(datastore.Files)
	for _, fs := range []*filestore.Store{s.staging, fd.FS} {
		if fs == nil {
			continue
		}
		if err := fs.RemoveTemp(); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	saving, err := s.store.ListImages(ctx, ImageFilter{Caller: Caller{Admin: true}, Visibility: "all", Statuses: []string{string(StatusSaving)}})
	if err != nil {
		return err
	}
	for _, img := range saving {
		if _, err := s.setStatus(ctx, img.ID, []Status{StatusSaving}, StatusQueued); err != nil && !apierr.IsNotFound(err) && !apierr.IsConflict(err) {
			return err
		}
	}
	if local {
		// The data of the uploads just put back to queued goes too.
		if err := s.Reconcile(ctx); err != nil {
			return err
		}
	}
	ids, err := s.staging.List()
	if err != nil {
		return err
	}
	for _, id := range ids {
		_, err := s.store.GetImage(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			err = s.staging.Delete(ctx, id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
