package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/platform/httpapi"
)

// The microversions served: 3.0 to MaxVersion. A change of the API that
// a microversion gates is served only once it is built.
var (
	MinVersion = httpapi.Version{Major: 3, Minor: 0}
	MaxVersion = httpapi.Version{Major: 3, Minor: 60}
)

func (h *Handler) version(r *http.Request) map[string]any {
	base := httpapi.BaseURL(r)
	return map[string]any{
		"id": "v3.0", "status": "CURRENT", "version": MaxVersion.String(), "min_version": MinVersion.String(),
		"updated": "2023-08-31T00:00:00Z",
		"links": []map[string]string{
			{"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"},
			{"rel": "self", "href": base + "/v3/"},
		},
		"media-types": []map[string]string{{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}},
	}
}

// versions is GET /: Cinder answers 300 Multiple Choices.
func (h *Handler) versions(w http.ResponseWriter, r *http.Request) error {
	return httpapi.WriteJSON(w, http.StatusMultipleChoices, map[string]any{"versions": []any{h.version(r)}})
}

// v3 is GET /v3/.
func (h *Handler) v3(w http.ResponseWriter, r *http.Request) error {
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"versions": []any{h.version(r)}})
}
