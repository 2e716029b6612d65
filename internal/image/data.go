package image

import (
	"context"
	"errors"
	"log/slog"
	"slices"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Reconcile deletes data no image owns: the data of deleted images whose
// delete could not reach the store, and what failed uploads left in the
// store under images that have none (queued or killed), as a crash in
// the middle of an upload does. It is the image service's scrubber: Recover
// runs it at start for the file store, and the spec runs it
// periodically for a store reached over HTTP.
func (s *Service) Reconcile(ctx context.Context) error {
	ids, err := s.data.List(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		img, err := s.store.GetImage(ctx, id)
		switch {
		case errors.Is(err, apierr.ErrNotFound):
			errs = append(errs, s.data.Delete(ctx, id))
		case err != nil:
			errs = append(errs, err)
		case img.Status == StatusQueued || img.Status == StatusKilled:
			errs = append(errs, s.dropLeftovers(ctx, id))
		}
	}
	return errors.Join(errs...)
}

// dropLeftovers deletes the data of an image that has none by its
// status. It claims the image first (queued → saving, the move an upload
// makes), so that no upload can start while the data goes and have its
// new data deleted under it; the image is queued again afterwards.
func (s *Service) dropLeftovers(ctx context.Context, id string) error {
	from := []Status{StatusQueued, StatusKilled}
	var prior Status
	_, err := s.Change(ctx, id, func(img *Image) error {
		if !slices.Contains(from, img.Status) {
			return errNotLeftover
		}
		prior, img.Status = img.Status, StatusSaving
		return nil
	})
	if errors.Is(err, errNotLeftover) || apierr.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	derr := s.data.Delete(ctx, id)
	if _, err := s.setStatus(context.WithoutCancel(ctx), id, []Status{StatusSaving}, prior); err != nil && !apierr.IsNotFound(err) {
		return errors.Join(derr, err)
	}
	return derr
}

// errNotLeftover aborts a claim on an image that started an upload.
var errNotLeftover = errors.New("image is not without data")

// deleteData removes an image's data after its row is gone. A store that
// cannot be reached does not fail the delete: the image is gone for its
// users, and Reconcile removes the data later (Glance's scrubber does the
// same for its delayed deletes).
func (s *Service) deleteData(ctx context.Context, id string) {
	if err := s.data.Delete(ctx, id); err != nil {
		slog.Warn("image data not deleted; the store's reconciler retries", "image", id, "store", s.data.Name(), "err", err)
	}
}
