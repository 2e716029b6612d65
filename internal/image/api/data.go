package api

import (
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// uploadImage is PUT /v2/images/{id}/file; its media type was checked
// with upload_image.
func (h *Handler) uploadImage(w http.ResponseWriter, r *http.Request) error {
	img, err := h.svc.Show(r.Context(), h.caller(r), r.PathValue("image_id"))
	if err != nil {
		return err
	}
	if r.ContentLength > 0 {
		limit, err := h.svc.UploadCap(r.Context(), img.Owner)
		if err != nil {
			return err
		}
		if r.ContentLength > limit {
			return apierr.TooLarge("Image size %d exceeds the maximum of %d bytes.", r.ContentLength, limit)
		}
	}
	if _, err := h.svc.Upload(r.Context(), h.caller(r), img.ID, r.Body, r.ContentLength); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) downloadImage(w http.ResponseWriter, r *http.Request) error {
	img, f, _, err := h.svc.Download(r.Context(), h.caller(r), r.PathValue("image_id"))
	if err != nil {
		return err
	}
	if f == nil {
		return httpapi.NoContent(w)
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	if img.Checksum != "" && r.Header.Get("Range") == "" {
		// Glance sends the hex md5 digest; clients compare it with theirs.
		w.Header().Set("Content-MD5", img.Checksum)
	}
	// ServeContent answers Range requests (206, Content-Range) and
	// unsatisfiable ones (416).
	http.ServeContent(w, r, "", time.Time{}, f)
	return nil
}
