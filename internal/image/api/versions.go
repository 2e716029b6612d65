package api

import (
	"fmt"
	"net/http"

	"github.com/gostack/gostack/internal/platform/httpapi"
)

// versions lists v2.0 to v2.16 (v2.17 and v2.18 mark the cache API).
func (h *Handler) versions(code int) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		href := httpapi.BaseURL(r) + "/v2/"
		var vs []map[string]any
		for minor := 16; minor >= 0; minor-- {
			status := "SUPPORTED"
			if minor == 16 {
				status = "CURRENT"
			}
			vs = append(vs, map[string]any{
				"id": fmt.Sprintf("v2.%d", minor), "status": status,
				"links": []map[string]string{{"rel": "self", "href": href}},
			})
		}
		return httpapi.WriteJSON(w, code, map[string]any{"versions": vs})
	}
}
