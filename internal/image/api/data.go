package api

import (
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func (h *Handler) uploadImage(w http.ResponseWriter, r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/octet-stream" {
		return &image.UnsupportedMediaError{Msg: fmt.Sprintf("Unsupported Content-Type %q: image data is application/octet-stream.", mt)}
	}
	img, err := h.shown(r, "upload_image")
	if err != nil {
		return err
	}
	if r.ContentLength > 0 {
		limit, err := h.svc.UploadCap(r.Context(), img.Owner)
		if err != nil {
			return err
		}
		if r.ContentLength > limit {
			return &image.TooLargeError{Msg: fmt.Sprintf("Image size %d exceeds the maximum of %d bytes.", r.ContentLength, limit)}
		}
	}
	if _, err := h.svc.Upload(r.Context(), h.caller(r), img.ID, r.Body); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) downloadImage(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.shown(r, "download_image"); err != nil {
		return err
	}
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
