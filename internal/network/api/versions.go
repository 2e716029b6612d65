package api

import (
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func (h *Handler) versions(w http.ResponseWriter, r *http.Request) error {
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"versions": []any{map[string]any{
		"id": "v2.0", "status": "CURRENT",
		"links": []any{map[string]any{"rel": "self", "href": httpapi.BaseURL(r) + "/v2.0/"}},
	}}})
}

// collections are the top-level collections GET /v2.0/ lists.
var collections = [][2]string{
	{"network", "networks"}, {"subnet", "subnets"}, {"subnetpool", "subnetpools"}, {"port", "ports"},
}

func (h *Handler) resources(w http.ResponseWriter, r *http.Request) error {
	out := make([]any, 0, len(collections))
	for _, c := range collections {
		out = append(out, map[string]any{"name": c[0], "collection": c[1],
			"links": []any{map[string]any{"rel": "self", "href": httpapi.BaseURL(r) + "/v2.0/" + c[1]}}})
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"resources": out})
}

// extension is one entry of GET /v2.0/extensions.
type extension struct{ alias, name, description string }

// extensions are the API extensions this service implements, exactly:
// clients and Tempest decide what to use and test from this list.
var extensions = []extension{
	{"external-net", "Neutron external network", "Adds external network attribute to network resource."},
	{"provider", "Provider Network", "Expose mapping of virtual networks to physical networks"},
	{"net-mtu", "Network MTU", "Provides MTU attribute for a network resource."},
	{"net-mtu-writable", "Network MTU (writable)", "Provides a writable MTU attribute for a network resource."},
	{"project-id", "project_id field enabled", "Extension that indicates that project_id field is enabled."},
	{"standard-attr-description", "standard-attr-description", "Extension to add descriptions to standard attributes"},
	{"standard-attr-revisions", "Resource revision numbers", "This extension will display the revision number of neutron resources."},
	{"standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes."},
	{"standard-attr-tag", "Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip", "Enables to set tag on resources with standard attribute."},
	{"revision-if-match", "If-Match constraints based on revision_number", "Extension indicating that If-Match based on revision_number is supported."},
	{"sorting", "Sorting support", "Extension that indicates that sorting is enabled."},
	{"pagination", "Pagination support", "Extension that indicates that pagination is enabled."},
}

func (e extension) render() map[string]any {
	return map[string]any{"alias": e.alias, "name": e.name, "description": e.description,
		"updated": time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05-00:00"), "links": []any{}}
}

func (h *Handler) listExtensions(w http.ResponseWriter, r *http.Request) error {
	out := make([]any, 0, len(extensions))
	for _, e := range extensions {
		out = append(out, e.render())
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"extensions": out})
}

func (h *Handler) showExtension(w http.ResponseWriter, r *http.Request) error {
	for _, e := range extensions {
		if e.alias == r.PathValue("alias") {
			return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"extension": e.render()})
		}
	}
	return wire.NotFoundf("Extension with alias %s does not exist", r.PathValue("alias"))
}
