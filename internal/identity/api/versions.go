package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/platform/httpapi"
)

// The identity API version gostack implements (Keystone advertises v3.14).
const (
	apiVersion = "v3.14"
	apiUpdated = "2020-04-07T00:00:00Z"
)

func (h *Handler) versionRoutes() []httpapi.Route {
	return []httpapi.Route{
		{Method: "GET", Pattern: "/{$}", Public: true, Handler: h.listVersions},
		{Method: "GET", Pattern: "/v3", Public: true, Handler: h.showVersion},
		{Method: "GET", Pattern: "/v3/{$}", Public: true, Handler: h.showVersion},
	}
}

func (h *Handler) versionDoc(r *http.Request) map[string]any {
	return map[string]any{
		"id":      apiVersion,
		"status":  "stable",
		"updated": apiUpdated,
		"links":   []map[string]any{{"rel": "self", "href": httpapi.BaseURL(r) + "/v3/"}},
		"media-types": []map[string]any{{
			"base": "application/json",
			"type": "application/vnd.openstack.identity-v3+json",
		}},
	}
}

func (h *Handler) listVersions(w http.ResponseWriter, r *http.Request) error {
	return httpapi.WriteJSON(w, http.StatusMultipleChoices, map[string]any{
		"versions": map[string]any{"values": []any{h.versionDoc(r)}},
	})
}

func (h *Handler) showVersion(w http.ResponseWriter, r *http.Request) error {
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"version": h.versionDoc(r)})
}
