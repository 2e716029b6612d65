// Package api is the HTTP face of Glance's metadata definitions catalog
// (/v2/metadefs): its routes, handlers, schemas and policy rules. The
// image API mounts these routes beside its own, so that they share its
// authentication and error body.
package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/metadef"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
	"github.com/gostack/gostack/internal/platform/policy"
)

// Handler serves the catalog.
type Handler struct {
	svc *metadef.Service
	pol *policy.Enforcer
}

// New returns the catalog's API over svc; pol tells admins apart
// (context_is_admin), who see every namespace.
func New(svc *metadef.Service, pol *policy.Enforcer) *Handler {
	return &Handler{svc: svc, pol: pol}
}

// Routes is the catalog's route table. Glance's metadef rules look at
// no target, so every rule is checked before the handler runs.
func (h *Handler) Routes() []httpapi.Route {
	type R = httpapi.Route
	const ns = "/v2/metadefs/namespaces/{namespace}"
	return []R{
		{Method: "GET", Pattern: "/v2/metadefs/resource_types", Policy: "list_metadef_resource_types", Handler: h.listResourceTypes},
		{Method: "GET", Pattern: "/v2/metadefs/namespaces", Policy: "get_metadef_namespaces", Handler: h.listNamespaces},
		{Method: "POST", Pattern: "/v2/metadefs/namespaces", Policy: "add_metadef_namespace", Handler: h.createNamespace},
		{Method: "GET", Pattern: ns, Policy: "get_metadef_namespace", Handler: h.showNamespace},
		{Method: "PUT", Pattern: ns, Policy: "modify_metadef_namespace", Handler: h.updateNamespace},
		{Method: "DELETE", Pattern: ns, Policy: "delete_metadef_namespace", Handler: h.deleteNamespace},

		{Method: "GET", Pattern: ns + "/objects", Policy: "get_metadef_objects", Handler: h.listItems(metadef.KindObject)},
		{Method: "POST", Pattern: ns + "/objects", Policy: "add_metadef_object", Handler: h.createItem(metadef.KindObject)},
		{Method: "GET", Pattern: ns + "/objects/{name}", Policy: "get_metadef_object", Handler: h.showItem(metadef.KindObject)},
		{Method: "PUT", Pattern: ns + "/objects/{name}", Policy: "modify_metadef_object", Handler: h.updateItem(metadef.KindObject)},
		{Method: "DELETE", Pattern: ns + "/objects/{name}", Policy: "delete_metadef_object", Handler: h.deleteItem(metadef.KindObject)},

		{Method: "GET", Pattern: ns + "/properties", Policy: "get_metadef_properties", Handler: h.listItems(metadef.KindProperty)},
		{Method: "POST", Pattern: ns + "/properties", Policy: "add_metadef_property", Handler: h.createItem(metadef.KindProperty)},
		{Method: "GET", Pattern: ns + "/properties/{name}", Policy: "get_metadef_property", Handler: h.showItem(metadef.KindProperty)},
		{Method: "PUT", Pattern: ns + "/properties/{name}", Policy: "modify_metadef_property", Handler: h.updateItem(metadef.KindProperty)},
		{Method: "DELETE", Pattern: ns + "/properties/{name}", Policy: "remove_metadef_property", Handler: h.deleteItem(metadef.KindProperty)},

		{Method: "GET", Pattern: ns + "/tags", Policy: "get_metadef_tags", Handler: h.listItems(metadef.KindTag)},
		{Method: "POST", Pattern: ns + "/tags", Policy: "add_metadef_tags", Handler: h.createTags},
		{Method: "DELETE", Pattern: ns + "/tags", Policy: "delete_metadef_tags", Handler: h.deleteTags},
		{Method: "POST", Pattern: ns + "/tags/{name}", Policy: "add_metadef_tag", Handler: h.createItem(metadef.KindTag)},
		{Method: "GET", Pattern: ns + "/tags/{name}", Policy: "get_metadef_tag", Handler: h.showItem(metadef.KindTag)},
		{Method: "PUT", Pattern: ns + "/tags/{name}", Policy: "modify_metadef_tag", Handler: h.updateItem(metadef.KindTag)},
		{Method: "DELETE", Pattern: ns + "/tags/{name}", Policy: "delete_metadef_tag", Handler: h.deleteItem(metadef.KindTag)},

		{Method: "GET", Pattern: ns + "/resource_types", Policy: "get_metadef_resource_type", Handler: h.listItems(metadef.KindResourceType)},
		{Method: "POST", Pattern: ns + "/resource_types", Policy: "add_metadef_resource_type_association", Handler: h.createItem(metadef.KindResourceType)},
		{Method: "DELETE", Pattern: ns + "/resource_types/{name}", Policy: "remove_metadef_resource_type_association", Handler: h.deleteItem(metadef.KindResourceType)},
	}
}

// PolicyDefaults are Glance's default rules of the catalog: anyone
// reads, admins write.
func PolicyDefaults() map[string]string {
	const read, write = "rule:metadef_default", "rule:metadef_admin"
	return map[string]string{
		"metadef_default": "",
		"metadef_admin":   "role:admin",

		"get_metadef_namespace":                    read,
		"get_metadef_namespaces":                   read,
		"modify_metadef_namespace":                 write,
		"add_metadef_namespace":                    write,
		"delete_metadef_namespace":                 write,
		"get_metadef_object":                       read,
		"get_metadef_objects":                      read,
		"modify_metadef_object":                    write,
		"add_metadef_object":                       write,
		"delete_metadef_object":                    write,
		"list_metadef_resource_types":              read,
		"get_metadef_resource_type":                read,
		"add_metadef_resource_type_association":    write,
		"remove_metadef_resource_type_association": write,
		"get_metadef_property":                     read,
		"get_metadef_properties":                   read,
		"modify_metadef_property":                  write,
		"add_metadef_property":                     write,
		"remove_metadef_property":                  write,
		"get_metadef_tag":                          read,
		"get_metadef_tags":                         read,
		"modify_metadef_tag":                       write,
		"add_metadef_tag":                          write,
		"add_metadef_tags":                         write,
		"delete_metadef_tag":                       write,
		"delete_metadef_tags":                      write,
	}
}

// caller is who asks, as the catalog's visibility rules need it.
func (h *Handler) caller(r *http.Request) image.Caller {
	creds, _ := auth.FromContext(r.Context())
	if creds == nil {
		creds = &auth.Credentials{}
	}
	admin := h.pol != nil && h.pol.Enforce("context_is_admin", map[string]any{}, creds.PolicyValues())
	return image.Caller{ProjectID: creds.ProjectID, UserID: creds.UserID, Admin: admin}
}

// decodeObject reads a JSON object body, numbers kept as json.Number.
func decodeObject(r *http.Request) (map[string]any, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBodyBytes+1))
	if err != nil {
		return nil, &apierr.Error{Code: http.StatusBadRequest, Message: "Could not read the request body.", Err: err}
	}
	if len(body) > httpapi.MaxBodyBytes {
		return nil, apierr.TooLarge("Request is too large.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return nil, apierr.BadRequest("Request body must be a JSON object.")
	}
	return m, nil
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
