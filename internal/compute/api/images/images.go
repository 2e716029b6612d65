// Package images serves Nova's images proxy (/images and its metadata,
// until 2.35 and 2.38).
package images

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	cimages "github.com/gostack/gostack/internal/compute/images"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Handler serves the images proxy.
type Handler struct {
	*wire.Rules
	images *cimages.Service
}

// New returns the images proxy handlers over im.
func New(rules *wire.Rules, im *cimages.Service) *Handler {
	return &Handler{Rules: rules, images: im}
}

// imageView is Nova's views.images.ViewBuilder.show.
func imageView(m *compute.ImageMeta, b wire.LinkBase) map[string]any {
	md := m.Properties
	if md == nil {
		md = map[string]string{}
	}
	v := map[string]any{
		"id":                   m.ID,
		"name":                 wire.NilIfEmpty(m.Name),
		"minRam":               m.MinRAM,
		"minDisk":              m.MinDisk,
		"metadata":             md,
		"created":              m.CreatedAt.UTC().Format(wire.ISOTime),
		"updated":              m.UpdatedAt.UTC().Format(wire.ISOTime),
		"status":               cimages.Status(m.Status),
		"progress":             cimages.Progress(m.Status),
		"OS-EXT-IMG-SIZE:size": m.Size,
		"links":                b.Links("images", m.ID),
	}
	if id, ok := md["instance_uuid"]; ok {
		v["server"] = map[string]any{"id": id, "links": b.Links("servers", id)}
	}
	if adc, ok := md["auto_disk_config"]; ok {
		v["OS-DCF:diskConfig"] = "MANUAL"
		if cimages.ParseBool(adc) {
			v["OS-DCF:diskConfig"] = "AUTO"
		}
	}
	return v
}

// imageFilter reads the filters and paging of GET /images[/detail].
// Nova passes unknown parameters over, and property-<key> filters on.
func imageFilter(r *http.Request) (cimages.Filter, error) {
	q := r.URL.Query()
	f := cimages.Filter{
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
				return f, wire.BadRequest("Invalid %s filter [%s]", p.name, s)
			}
			*p.dst = &n
		}
	}
	if s, ok := q["limit"]; ok && len(s) > 0 {
		n, err := strconv.Atoi(s[len(s)-1])
		if err != nil || n < 1 {
			return f, wire.BadRequest("Invalid input for query parameters limit. Value: %s. '%s' is not a 'positive_integer'", s[len(s)-1], s[len(s)-1])
		}
		f.Limit = n
	}
	if f.Limit == 0 || f.Limit > 1000 {
		f.Limit = 1000 // Nova's [api] max_limit
	}
	return f, nil
}

func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	return h.imageList(w, r, false)
}

func (h *Handler) ListDetail(w http.ResponseWriter, r *http.Request) error {
	return h.imageList(w, r, true)
}

func (h *Handler) imageList(w http.ResponseWriter, r *http.Request, detail bool) error {
	f, err := imageFilter(r)
	if err != nil {
		return err
	}
	imgs, err := h.images.List(r.Context(), h.Caller(r), f)
	if err != nil {
		return err
	}
	b := wire.BaseOf(r)
	out := make([]any, len(imgs))
	for i := range imgs {
		if detail {
			out[i] = imageView(&imgs[i], b)
		} else {
			out[i] = map[string]any{"id": imgs[i].ID, "name": wire.NilIfEmpty(imgs[i].Name), "links": b.Links("images", imgs[i].ID)}
		}
	}
	body := map[string]any{"images": out}
	if len(imgs) > 0 {
		if l := httpapi.NextLinks(r, httpapi.Page{Limit: f.Limit, Marker: f.Marker}, len(imgs), imgs[len(imgs)-1].ID); l != nil {
			body["images_links"] = l
		}
	}
	return wire.Reply(w, http.StatusOK, body)
}

func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	m, err := h.images.Get(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"image": imageView(m, wire.BaseOf(r))})
}

func (h *Handler) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.images.Delete(r.Context(), h.Caller(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// NoImage answers DELETE /images (no id) as Nova does: nothing there.
func (h *Handler) NoImage(w http.ResponseWriter, r *http.Request) error {
	return &apierr.Error{Code: http.StatusNotFound, Message: "Image not found."}
}

func (h *Handler) ListMetadata(w http.ResponseWriter, r *http.Request) error {
	md, err := h.images.Metadata(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"metadata": md})
}

// SetMetadata is POST (merge) and, with replace, PUT (replace all).
func (h *Handler) SetMetadata(replace bool) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		md, err := wire.MetadataBody(r, "metadata")
		if err != nil {
			return err
		}
		all, err := h.images.SetMetadata(r.Context(), h.Caller(r), r.PathValue("id"), md, replace)
		if err != nil {
			return err
		}
		if all == nil {
			all = map[string]string{}
		}
		return wire.Reply(w, http.StatusOK, map[string]any{"metadata": all})
	}
}

func (h *Handler) ShowMetadataItem(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	v, err := h.images.MetadataItem(r.Context(), h.Caller(r), r.PathValue("id"), key)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"meta": map[string]string{key: v}})
}

func (h *Handler) UpdateMetadataItem(w http.ResponseWriter, r *http.Request) error {
	md, err := wire.MetaItemBody(r)
	if err != nil {
		return err
	}
	key := r.PathValue("key")
	if err := h.images.SetMetadataItem(r.Context(), h.Caller(r), r.PathValue("id"), key, md[key]); err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"meta": md})
}

func (h *Handler) DeleteMetadataItem(w http.ResponseWriter, r *http.Request) error {
	if err := h.images.DeleteMetadataItem(r.Context(), h.Caller(r), r.PathValue("id"), r.PathValue("key")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
