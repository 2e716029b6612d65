package api

import (
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/auth"
)

const timeFormat = "2006-01-02T15:04:05Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// imageView renders an image as Glance does: core attributes, extra
// properties at the top level, links.
func (h *Handler) imageView(r *http.Request, img *image.Image) map[string]any {
	m := make(map[string]any, 24+len(img.Properties))
	for k, v := range img.Properties {
		m[k] = v
	}
	var name any
	if img.Name != nil {
		name = *img.Name
	}
	var size, vsize any
	if img.Size != nil {
		size = *img.Size
	}
	if img.VirtualSize != nil {
		vsize = *img.VirtualSize
	}
	tags := img.Tags
	if tags == nil {
		tags = []string{}
	}
	m["id"] = img.ID
	m["name"] = name
	m["status"] = string(img.Status)
	m["visibility"] = img.Visibility
	m["protected"] = img.Protected
	m["os_hidden"] = img.Hidden
	m["checksum"] = nullIfEmpty(img.Checksum)
	m["os_hash_algo"] = nullIfEmpty(img.HashAlgo)
	m["os_hash_value"] = nullIfEmpty(img.HashValue)
	m["size"] = size
	m["virtual_size"] = vsize
	m["disk_format"] = nullIfEmpty(img.DiskFormat)
	m["container_format"] = nullIfEmpty(img.ContainerFormat)
	m["min_disk"] = img.MinDisk
	m["min_ram"] = img.MinRAM
	m["owner"] = nullIfEmpty(img.Owner)
	m["tags"] = tags
	m["created_at"] = fmtTime(img.CreatedAt)
	m["updated_at"] = fmtTime(img.UpdatedAt)
	m["self"] = "/v2/images/" + img.ID
	m["file"] = "/v2/images/" + img.ID + "/file"
	m["schema"] = "/v2/schemas/image"
	if img.Stores != "" {
		m["stores"] = img.Stores
	}
	if h.can(r, "get_image_location", img) {
		locs := img.Locations
		if locs == nil {
			locs = []image.Location{}
		}
		m["locations"] = locs
	}
	return m
}

func memberView(m *image.Member) map[string]any {
	return map[string]any{
		"image_id": m.ImageID, "member_id": m.MemberID, "status": m.Status,
		"created_at": fmtTime(m.CreatedAt), "updated_at": fmtTime(m.UpdatedAt),
		"schema": "/v2/schemas/member",
	}
}

// caller turns the request's credentials into an image.Caller.
func (h *Handler) caller(r *http.Request) image.Caller {
	creds, _ := auth.FromContext(r.Context())
	if creds == nil {
		creds = &auth.Credentials{}
	}
	c := image.Caller{ProjectID: creds.ProjectID, UserID: creds.UserID}
	c.Admin = h.pol != nil && h.pol.Enforce("context_is_admin", map[string]any{}, creds.PolicyValues())
	c.Enforce = func(rule string, img *image.Image) error { return h.authorize(r, rule, img) }
	return c
}

// authorize enforces rule against img.
func (h *Handler) authorize(r *http.Request, rule string, img *image.Image) error {
	return h.api.Authorize(r, rule, func(r *http.Request) (map[string]any, error) { return h.target(r, img), nil })
}

func (h *Handler) can(r *http.Request, rule string, img *image.Image) bool {
	return h.authorize(r, rule, img) == nil
}
