package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// The images proxy (GET /images, metadata), served until 2.35: Glance's
// images in Nova's v2 words.

// imageView is Nova's views.images.ViewBuilder.show.
func imageView(m *compute.ImageMeta, b linkBase) map[string]any {
	md := m.Properties
	if md == nil {
		md = map[string]string{}
	}
	v := map[string]any{
		"id":                   m.ID,
		"name":                 nilIfEmpty(m.Name),
		"minRam":               m.MinRAM,
		"minDisk":              m.MinDisk,
		"metadata":             md,
		"created":              m.CreatedAt.UTC().Format(isoTime),
		"updated":              m.UpdatedAt.UTC().Format(isoTime),
		"status":               compute.ImageStatus(m.Status),
		"progress":             compute.ImageProgress(m.Status),
		"OS-EXT-IMG-SIZE:size": m.Size,
		"links":                b.links("images", m.ID),
	}
	if id, ok := md["instance_uuid"]; ok {
		v["server"] = map[string]any{"id": id, "links": b.links("servers", id)}
	}
	if adc, ok := md["auto_disk_config"]; ok {
		v["OS-DCF:diskConfig"] = "MANUAL"
		if compute.ParseImageBool(adc) {
			v["OS-DCF:diskConfig"] = "AUTO"
		}
	}
	return v
}

// imageFilter reads the filters and paging of GET /images[/detail].
// Nova passes unknown parameters over, and property-<key> filters on.
func imageFilter(r *http.Request) (compute.ImageFilter, error) {
	q := r.URL.Query()
	f := compute.ImageFilter{
		Name: q.Get("name"), Status: q.Get("status"), ChangesSince: q.Get("changes-since"),
		Server: q.Get("server"), Type: q.Get("type"), Marker: q.Get("marker"),
	}
	for k, vs := range q {
		if p, ok := strings.CutPrefix(k, "property-"); ok && p != "" && len(vs) > 0 {
			if f.Properties == nil {
				f.Properties = map[string]string{}
			}
			f.Properties[p] = vs[len(vs)-1]
		}
	}
	for _, p := range []struct {
		name string
		dst  **int64
	}{{"minRam", &f.MinRAM}, {"minDisk", &f.MinDisk}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return f, badRequest("Invalid %s filter [%s]", p.name, s)
			}
			*p.dst = &n
		}
	}
	if s, ok := q["limit"]; ok && len(s) > 0 {
		n, err := strconv.Atoi(s[len(s)-1])
		if err != nil || n < 1 {
			return f, badRequest("Invalid input for query parameters limit. Value: %s. '%s' is not a 'positive_integer'", s[len(s)-1], s[len(s)-1])
		}
		f.Limit = n
	}
	if f.Limit == 0 || f.Limit > 1000 {
		f.Limit = 1000 // Nova's [api] max_limit
	}
	return f, nil
}

func (h *Handler) listImages(w http.ResponseWriter, r *http.Request) error {
	return h.imageList(w, r, false)
}

func (h *Handler) listImagesDetail(w http.ResponseWriter, r *http.Request) error {
	return h.imageList(w, r, true)
}

func (h *Handler) imageList(w http.ResponseWriter, r *http.Request, detail bool) error {
	f, err := imageFilter(r)
	if err != nil {
		return err
	}
	imgs, err := h.svc.ListImages(r.Context(), caller(r), f)
	if err != nil {
		return err
	}
	b := baseOf(r)
	out := make([]any, len(imgs))
	for i := range imgs {
		if detail {
			out[i] = imageView(&imgs[i], b)
		} else {
			out[i] = map[string]any{"id": imgs[i].ID, "name": nilIfEmpty(imgs[i].Name), "links": b.links("images", imgs[i].ID)}
		}
	}
	body := map[string]any{"images": out}
	if len(imgs) > 0 {
		if l := httpapi.NextLinks(r, httpapi.Page{Limit: f.Limit, Marker: f.Marker}, len(imgs), imgs[len(imgs)-1].ID); l != nil {
			body["images_links"] = l
		}
	}
	return reply(w, http.StatusOK, body)
}

func (h *Handler) showImage(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.Image(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"image": imageView(m, baseOf(r))})
}

func (h *Handler) deleteImage(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteImage(r.Context(), caller(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// noImage answers DELETE /images (no id) as Nova does: nothing there.
func (h *Handler) noImage(w http.ResponseWriter, r *http.Request) error {
	return &apierr.Error{Code: http.StatusNotFound, Message: "Image not found."}
}

func (h *Handler) listImageMetadata(w http.ResponseWriter, r *http.Request) error {
	md, err := h.svc.ImageMetadata(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"metadata": md})
}

// setImageMetadata is POST (merge) and, with replace, PUT (replace all).
func (h *Handler) setImageMetadata(replace bool) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		md, err := metadataBody(r, "metadata")
		if err != nil {
			return err
		}
		all, err := h.svc.SetImageMetadata(r.Context(), caller(r), r.PathValue("id"), md, replace)
		if err != nil {
			return err
		}
		if all == nil {
			all = map[string]string{}
		}
		return reply(w, http.StatusOK, map[string]any{"metadata": all})
	}
}

func (h *Handler) showImageMetadataItem(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	v, err := h.svc.ImageMetadataItem(r.Context(), caller(r), r.PathValue("id"), key)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"meta": map[string]string{key: v}})
}

func (h *Handler) updateImageMetadataItem(w http.ResponseWriter, r *http.Request) error {
	md, err := metaItemBody(r)
	if err != nil {
		return err
	}
	key := r.PathValue("key")
	if err := h.svc.SetImageMetadataItem(r.Context(), caller(r), r.PathValue("id"), key, md[key]); err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"meta": md})
}

func (h *Handler) deleteImageMetadataItem(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteImageMetadataItem(r.Context(), caller(r), r.PathValue("id"), r.PathValue("key")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
