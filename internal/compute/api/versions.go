package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

const updated = "2013-07-23T11:33:21Z"

func (h *Handler) versionDocs(r *http.Request) []map[string]any {
	base := httpapi.BaseURL(r)
	return []map[string]any{
		{"id": "v2.0", "status": "DEPRECATED", "version": "", "min_version": "", "updated": "2011-01-21T11:33:21Z",
			"links": []any{map[string]string{"rel": "self", "href": base + "/v2/"}}},
		{"id": "v2.1", "status": "CURRENT", "version": MaxVersion.String(), "min_version": MinVersion.String(), "updated": updated,
			"links": []any{map[string]string{"rel": "self", "href": base + "/v2.1/"}}},
	}
}

func (h *Handler) listVersions(w http.ResponseWriter, r *http.Request) error {
	return wire.Reply(w, http.StatusOK, map[string]any{"versions": h.versionDocs(r)})
}

func (h *Handler) showVersion(w http.ResponseWriter, r *http.Request) error {
	doc := h.versionDocs(r)[1]
	doc["links"] = []any{
		map[string]string{"rel": "self", "href": httpapi.BaseURL(r) + "/v2.1/"},
		map[string]string{"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"},
	}
	doc["media-types"] = []any{map[string]string{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}}
	return wire.Reply(w, http.StatusOK, map[string]any{"version": doc})
}

// showLegacyVersion is GET /v2/: the document of the old v2.0 API, whose
// self link the version list gives. Nova still serves it (through the
// v2.1 code, with no microversions).
func (h *Handler) showLegacyVersion(w http.ResponseWriter, r *http.Request) error {
	doc := h.versionDocs(r)[0]
	doc["links"] = []any{
		map[string]string{"rel": "self", "href": httpapi.BaseURL(r) + "/v2/"},
		map[string]string{"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"},
	}
	doc["media-types"] = []any{map[string]string{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}}
	return wire.Reply(w, http.StatusOK, map[string]any{"version": doc})
}
