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

func versionDoc(r *http.Request) map[string]any {
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

func listVersions(w http.ResponseWriter, r *http.Request) error {
	return httpapi.WriteJSON(w, http.StatusMultipleChoices, map[string]any{
		"versions": map[string]any{"values": []any{versionDoc(r)}},
	})
}

func showVersion(w http.ResponseWriter, r *http.Request) error {
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"version": versionDoc(r)})
}
