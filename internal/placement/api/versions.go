package api

import (
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/platform/httpapi"
)

func (h *Handler) versions(w http.ResponseWriter, r *http.Request) error {
	return reply(w, r, http.StatusOK, map[string]any{"versions": []any{map[string]any{
		"id":          "v1.0",
		"min_version": httpapi.Version{Major: 1, Minor: minMinor}.String(),
		"max_version": httpapi.Version{Major: 1, Minor: maxMinor}.String(),
		"status":      "CURRENT",
		"links":       []any{map[string]any{"rel": "self", "href": ""}},
	}}}, time.Time{})
}
