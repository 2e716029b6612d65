package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/patch"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Glance's paging defaults (limit_param_default, api_limit_max).
const (
	defaultLimit = 25
	maxLimit     = 1000
)

func (h *Handler) listImages(w http.ResponseWriter, r *http.Request) error {
	f, page, err := parseImageFilter(r)
	if err != nil {
		return err
	}
	imgs, err := h.svc.List(r.Context(), h.caller(r), f)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(imgs))
	for i, img := range imgs {
		out[i] = h.imageView(r, img)
	}
	body := map[string]any{"images": out, "first": "/v2/images", "schema": "/v2/schemas/images"}
	last := ""
	if len(imgs) > 0 {
		last = imgs[len(imgs)-1].ID
	}
	if next := httpapi.NextPath(r, page, len(imgs), last); next != "" {
		body["next"] = next
	}
	return httpapi.WriteJSON(w, http.StatusOK, body)
}

var listParams = []string{"limit", "marker", "sort", "sort_key", "sort_dir", "name", "status", "visibility",
	"owner", "member_status", "tag", "os_hidden", "protected", "size_min", "size_max", "size",
	"created_at", "updated_at", "disk_format", "container_format", "id"}

// inList reads a filter value, honouring Glance's "in:a,b" syntax.
func inList(v string) []string {
	if rest, ok := strings.CutPrefix(v, "in:"); ok {
		var out []string
		for _, p := range strings.Split(rest, ",") {
			out = append(out, strings.Trim(strings.TrimSpace(p), `"`))
		}
		return out
	}
	return []string{v}
}

func parseImageFilter(r *http.Request) (image.ImageFilter, httpapi.Page, error) {
	var f image.ImageFilter
	q := r.URL.Query()
	page, err := httpapi.ParsePage(r, httpapi.PageOptions{DefaultLimit: defaultLimit, MaxLimit: maxLimit})
	if err != nil {
		return f, page, err
	}
	f.Limit, f.Marker = page.Limit, page.Marker
	allowed := make([]string, 0, 16)
	for _, k := range []string{"name", "status", "container_format", "disk_format", "size", "id", "created_at",
		"updated_at", "visibility", "owner", "min_disk", "min_ram", "virtual_size", "protected", "os_hidden"} {
		allowed = append(allowed, k)
	}
	sorts, err := httpapi.ParseSort(r, httpapi.SortOptions{Allowed: allowed, DefaultDir: "desc",
		Default: []httpapi.Sort{{Key: "created_at", Dir: "desc"}, {Key: "id", Dir: "desc"}}})
	if err != nil {
		return f, page, err
	}
	for _, s := range sorts {
		f.Sort = append(f.Sort, image.SortKey{Key: s.Key, Desc: s.Desc()})
	}
	get := func(k string) (string, bool) {
		vs, ok := q[k]
		if !ok || len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	}
	if v, ok := get("name"); ok {
		f.Names = inList(v)
	}
	if v, ok := get("id"); ok {
		f.IDs = inList(v)
	}
	if v, ok := get("status"); ok {
		f.Statuses = inList(v)
		for _, s := range f.Statuses {
			if !slices.Contains(image.Statuses(), image.Status(s)) {
				return f, page, apierr.BadRequest("Invalid status value: %s", s)
			}
		}
	}
	if v, ok := get("owner"); ok {
		f.Owners = inList(v)
	}
	if v, ok := get("disk_format"); ok {
		f.DiskFormats = inList(v)
	}
	if v, ok := get("container_format"); ok {
		f.ContainerFormats = inList(v)
	}
	if v, ok := get("visibility"); ok {
		if !slices.Contains([]string{image.Public, image.Private, image.Shared, image.Community, "all"}, v) {
			return f, page, apierr.BadRequest("Invalid visibility value: %s", v)
		}
		f.Visibility = v
	}
	if v, ok := get("member_status"); ok {
		if !slices.Contains([]string{image.MemberPending, image.MemberAccepted, image.MemberRejected, "all"}, v) {
			return f, page, apierr.BadRequest("Invalid status value: %s", v)
		}
		f.MemberStatus = v
	}
	f.Tags = q["tag"]
	for _, k := range []string{"os_hidden", "protected"} {
		if v, ok := get(k); ok {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return f, page, apierr.BadRequest("Invalid value for %s: %s", k, v)
			}
			if k == "os_hidden" {
				f.Hidden = &b
			} else {
				f.Protected = &b
			}
		}
	}
	for _, k := range []string{"size_min", "size_max", "size"} {
		if v, ok := get(k); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return f, page, apierr.BadRequest("Invalid value for %s: %s", k, v)
			}
			switch k {
			case "size_min":
				f.SizeMin = &n
			case "size_max":
				f.SizeMax = &n
			default:
				f.Size = &n
			}
		}
	}
	for _, k := range []string{"created_at", "updated_at"} {
		for _, v := range q[k] {
			tc, err := parseTimeCond(v)
			if err != nil {
				return f, page, err
			}
			if k == "created_at" {
				f.CreatedAt = append(f.CreatedAt, tc)
			} else {
				f.UpdatedAt = append(f.UpdatedAt, tc)
			}
		}
	}
	for k, vs := range q {
		if slices.Contains(listParams, k) || len(vs) == 0 {
			continue
		}
		if f.Properties == nil {
			f.Properties = map[string][]string{}
		}
		f.Properties[k] = inList(vs[len(vs)-1])
	}
	return f, page, nil
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

// parseTimeCond reads "gt:2016-01-01T00:00:00Z" (or a bare time: eq).
func parseTimeCond(v string) (image.TimeCond, error) {
	op, val := "eq", v
	if o, rest, ok := strings.Cut(v, ":"); ok && slices.Contains([]string{"eq", "neq", "gt", "gte", "lt", "lte"}, o) {
		op, val = o, rest
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, val); err == nil {
			return image.TimeCond{Op: op, T: t.UTC()}, nil
		}
	}
	return image.TimeCond{}, apierr.BadRequest("Unable to filter on a range with a nonsensical value: %s", v)
}

// createImage is POST /v2/images; add_image was checked against the
// owner and visibility the body asks for (newImageTarget).
func (h *Handler) createImage(w http.ResponseWriter, r *http.Request) error {
	body, err := decodeObject(r)
	if err != nil {
		return err
	}
	img, err := h.svc.Create(r.Context(), h.caller(r), body)
	if err != nil {
		return err
	}
	w.Header().Set("Location", httpapi.BaseURL(r)+"/v2/images/"+img.ID)
	return httpapi.WriteJSON(w, http.StatusCreated, h.imageView(r, img))
}

func (h *Handler) showImage(w http.ResponseWriter, r *http.Request) error {
	img, err := h.svc.Show(r.Context(), h.caller(r), r.PathValue("image_id"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, h.imageView(r, img))
}

// updateImage is PATCH /v2/images/{id}; its media type and size were
// checked with modify_image (checkPatch).
func (h *Handler) updateImage(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r, httpapi.MaxBodyBytes)
	if err != nil {
		return err
	}
	ops, err := patch.Parse(body)
	if err != nil {
		return err
	}
	img, err := h.svc.Update(r.Context(), h.caller(r), r.PathValue("image_id"), ops)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, h.imageView(r, img))
}

func (h *Handler) deleteImage(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.Delete(r.Context(), h.caller(r), r.PathValue("image_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) deactivate(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.Deactivate(r.Context(), h.caller(r), r.PathValue("image_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) reactivate(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.Reactivate(r.Context(), h.caller(r), r.PathValue("image_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) addTag(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.AddTag(r.Context(), h.caller(r), r.PathValue("image_id"), r.PathValue("tag")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) deleteTag(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteTag(r.Context(), h.caller(r), r.PathValue("image_id"), r.PathValue("tag")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
