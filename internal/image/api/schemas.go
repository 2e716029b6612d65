package api

import (
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/image"
	taskapi "github.com/gostack/gostack/internal/image/imports/api"
	metadefapi "github.com/gostack/gostack/internal/image/metadef/api"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Schemas are the JSON schemas clients (glanceclient, openstacksdk) read
// to know the image attributes.

func str(desc string) map[string]any {
	return map[string]any{"type": "string", "description": desc}
}

func nullStr(desc string, max int) map[string]any {
	m := map[string]any{"type": []any{"null", "string"}, "description": desc}
	if max > 0 {
		m["maxLength"] = max
	}
	return m
}

func imageSchema() map[string]any {
	readOnly := func(m map[string]any) map[string]any { m["readOnly"] = true; return m }
	props := map[string]any{
		"id":               map[string]any{"type": "string", "description": "An identifier for the image", "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"},
		"name":             nullStr("Descriptive name for the image", 255),
		"status":           readOnly(map[string]any{"type": "string", "description": "Status of the image", "enum": statusNames()}),
		"visibility":       map[string]any{"type": "string", "description": "Scope of image accessibility", "enum": []string{"community", "public", "private", "shared"}},
		"protected":        map[string]any{"type": "boolean", "description": "If true, image will not be deletable."},
		"os_hidden":        map[string]any{"type": "boolean", "description": "If true, image will not appear in default image list response."},
		"checksum":         readOnly(nullStr("md5 hash of image contents.", 32)),
		"os_hash_algo":     readOnly(nullStr("Algorithm to calculate the os_hash_value", 64)),
		"os_hash_value":    readOnly(nullStr("Hexdigest of the image contents using the algorithm specified by the os_hash_algo", 128)),
		"owner":            nullStr("Owner of the image", 255),
		"size":             readOnly(map[string]any{"type": []any{"null", "integer"}, "description": "Size of image file in bytes"}),
		"virtual_size":     readOnly(map[string]any{"type": []any{"null", "integer"}, "description": "Virtual size of image in bytes"}),
		"container_format": map[string]any{"type": []any{"null", "string"}, "description": "Format of the container", "enum": append([]any{nil}, anyList(image.ContainerFormats())...)},
		"disk_format":      map[string]any{"type": []any{"null", "string"}, "description": "Format of the disk", "enum": append([]any{nil}, anyList(image.DiskFormats())...)},
		"created_at":       readOnly(str("Date and time of image registration")),
		"updated_at":       readOnly(str("Date and time of the last image modification")),
		"tags":             map[string]any{"type": "array", "description": "List of strings related to the image", "items": map[string]any{"type": "string", "maxLength": 255}},
		"direct_url":       readOnly(str("URL to access the image file kept in external store")),
		"min_ram":          map[string]any{"type": "integer", "description": "Amount of ram (in MB) required to boot image."},
		"min_disk":         map[string]any{"type": "integer", "description": "Amount of disk space (in GB) required to boot image."},
		"self":             readOnly(str("An image self url")),
		"file":             readOnly(str("An image file url")),
		"stores":           readOnly(str("Store in which image data resides.  Only present when the operator has enabled multiple stores.")),
		"schema":           readOnly(str("An image schema url")),
		"locations": map[string]any{"type": "array", "description": "A set of URLs to access the image file kept in external store",
			"items": map[string]any{"type": "object", "required": []string{"url", "metadata"},
				"properties": map[string]any{"url": map[string]any{"type": "string", "maxLength": 255}, "metadata": map[string]any{"type": "object"}}}},
	}
	return map[string]any{
		"name":                 "image",
		"properties":           props,
		"additionalProperties": map[string]any{"type": "string"},
		"links": []map[string]string{
			{"rel": "self", "href": "{self}"}, {"rel": "enclosure", "href": "{file}"}, {"rel": "describedby", "href": "{schema}"},
		},
	}
}

func statusNames() []string {
	all := image.Statuses()
	out := make([]string, len(all))
	for i, s := range all {
		out[i] = string(s)
	}
	return out
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func memberSchema() map[string]any {
	return map[string]any{
		"name": "member",
		"properties": map[string]any{
			"created_at": str("Date and time of image member creation"),
			"image_id":   str("An identifier for the image"),
			"member_id":  str("An identifier for the image member (tenantId)"),
			"status":     map[string]any{"type": "string", "description": "The status of this image member", "enum": []string{"pending", "accepted", "rejected"}},
			"updated_at": str("Date and time of last modification of image member"),
			"schema":     map[string]any{"type": "string", "readOnly": true},
		},
	}
}

// collection wraps an item schema as Glance's list schemas do.
func collection(name, plural string, item map[string]any) map[string]any {
	return map[string]any{
		"name": plural,
		"properties": map[string]any{
			plural:   map[string]any{"type": "array", "items": item},
			"schema": map[string]any{"type": "string"},
			"first":  map[string]any{"type": "string"},
			"next":   map[string]any{"type": "string"},
		},
		"links": []map[string]string{
			{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"}, {"rel": "describedby", "href": "{schema}"},
		},
	}
}

// schemas maps a path under /v2/schemas/ to its document.
func schemas() map[string]func() map[string]any {
	m := map[string]func() map[string]any{
		"image":   imageSchema,
		"images":  func() map[string]any { return collection("image", "images", imageSchema()) },
		"member":  memberSchema,
		"members": func() map[string]any { return collection("member", "members", memberSchema()) },
	}
	for k, v := range metadefapi.Schemas() {
		m[k] = v
	}
	for k, v := range taskapi.Schemas() {
		m[k] = v
	}
	return m
}

func (h *Handler) showSchema(w http.ResponseWriter, r *http.Request) error {
	name := strings.Trim(r.PathValue("name"), "/")
	f, ok := schemas()[name]
	if !ok {
		return apierr.NotFound("No schema found with ID %s", name)
	}
	return httpapi.WriteJSON(w, http.StatusOK, f())
}
