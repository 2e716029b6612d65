package api

import (
	"net/http"
	"slices"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// metadefRoutes is the route table of the metadata definitions catalog.
func (h *Handler) metadefRoutes() []httpapi.Route {
	type R = httpapi.Route
	const ns = "/v2/metadefs/namespaces/{namespace}"
	return []R{
		{Method: "GET", Pattern: "/v2/metadefs/resource_types", Policy: "list_metadef_resource_types", Handler: h.listResourceTypes},
		{Method: "GET", Pattern: "/v2/metadefs/namespaces", Policy: "get_metadef_namespaces", Handler: h.listNamespaces},
		{Method: "POST", Pattern: "/v2/metadefs/namespaces", Policy: "add_metadef_namespace", Handler: h.createNamespace},
		{Method: "GET", Pattern: ns, Policy: "get_metadef_namespace", Handler: h.showNamespace},
		{Method: "PUT", Pattern: ns, Policy: "modify_metadef_namespace", Handler: h.updateNamespace},
		{Method: "DELETE", Pattern: ns, Policy: "delete_metadef_namespace", Handler: h.deleteNamespace},

		{Method: "GET", Pattern: ns + "/objects", Policy: "get_metadef_objects", Handler: h.listItems(image.MetadefObject)},
		{Method: "POST", Pattern: ns + "/objects", Policy: "add_metadef_object", Handler: h.createItem(image.MetadefObject)},
		{Method: "GET", Pattern: ns + "/objects/{name}", Policy: "get_metadef_object", Handler: h.showItem(image.MetadefObject)},
		{Method: "PUT", Pattern: ns + "/objects/{name}", Policy: "modify_metadef_object", Handler: h.updateItem(image.MetadefObject)},
		{Method: "DELETE", Pattern: ns + "/objects/{name}", Policy: "delete_metadef_object", Handler: h.deleteItem(image.MetadefObject)},

		{Method: "GET", Pattern: ns + "/properties", Policy: "get_metadef_properties", Handler: h.listItems(image.MetadefProperty)},
		{Method: "POST", Pattern: ns + "/properties", Policy: "add_metadef_property", Handler: h.createItem(image.MetadefProperty)},
		{Method: "GET", Pattern: ns + "/properties/{name}", Policy: "get_metadef_property", Handler: h.showItem(image.MetadefProperty)},
		{Method: "PUT", Pattern: ns + "/properties/{name}", Policy: "modify_metadef_property", Handler: h.updateItem(image.MetadefProperty)},
		{Method: "DELETE", Pattern: ns + "/properties/{name}", Policy: "remove_metadef_property", Handler: h.deleteItem(image.MetadefProperty)},

		{Method: "GET", Pattern: ns + "/tags", Policy: "get_metadef_tags", Handler: h.listItems(image.MetadefTag)},
		{Method: "POST", Pattern: ns + "/tags", Policy: "add_metadef_tags", Handler: h.createTags},
		{Method: "DELETE", Pattern: ns + "/tags", Policy: "delete_metadef_tags", Handler: h.deleteTags},
		{Method: "POST", Pattern: ns + "/tags/{name}", Policy: "add_metadef_tag", Handler: h.createItem(image.MetadefTag)},
		{Method: "GET", Pattern: ns + "/tags/{name}", Policy: "get_metadef_tag", Handler: h.showItem(image.MetadefTag)},
		{Method: "PUT", Pattern: ns + "/tags/{name}", Policy: "modify_metadef_tag", Handler: h.updateItem(image.MetadefTag)},
		{Method: "DELETE", Pattern: ns + "/tags/{name}", Policy: "delete_metadef_tag", Handler: h.deleteItem(image.MetadefTag)},

		{Method: "GET", Pattern: ns + "/resource_types", Policy: "get_metadef_resource_type", Handler: h.listItems(image.MetadefResourceType)},
		{Method: "POST", Pattern: ns + "/resource_types", Policy: "add_metadef_resource_type_association", Handler: h.createItem(image.MetadefResourceType)},
		{Method: "DELETE", Pattern: ns + "/resource_types/{name}", Policy: "remove_metadef_resource_type_association", Handler: h.deleteItem(image.MetadefResourceType)},
	}
}

func (h *Handler) listResourceTypes(w http.ResponseWriter, r *http.Request) error {
	out := make([]map[string]any, len(image.ResourceTypes))
	for i, n := range image.ResourceTypes {
		out[i] = map[string]any{"name": n, "created_at": "2014-08-28T17:13:04Z", "updated_at": "2014-08-28T17:13:04Z"}
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"resource_types": out})
}

func (h *Handler) namespaceView(r *http.Request, ns *image.Namespace, full bool) (map[string]any, error) {
	m := map[string]any{
		"namespace": ns.Namespace, "display_name": ns.DisplayName, "description": ns.Description,
		"visibility": ns.Visibility, "protected": ns.Protected, "owner": ns.Owner,
		"created_at": fmtTime(ns.CreatedAt), "updated_at": fmtTime(ns.UpdatedAt),
		"self": "/v2/metadefs/namespaces/" + ns.Namespace, "schema": "/v2/schemas/metadefs/namespace",
	}
	st := h.svc.Metadefs()
	rts, err := st.ListMetadefItems(r.Context(), ns.Namespace, image.MetadefResourceType)
	if err != nil {
		return nil, err
	}
	if len(rts) > 0 {
		l := make([]map[string]any, len(rts))
		for i, it := range rts {
			l[i] = itemView(it)
		}
		m["resource_type_associations"] = l
	}
	if !full {
		return m, nil
	}
	for _, kind := range []string{image.MetadefObject, image.MetadefProperty, image.MetadefTag} {
		its, err := st.ListMetadefItems(r.Context(), ns.Namespace, kind)
		if err != nil {
			return nil, err
		}
		if len(its) == 0 {
			continue
		}
		switch kind {
		case image.MetadefProperty:
			p := map[string]any{}
			for _, it := range its {
				v := itemView(it)
				delete(v, "name")
				p[it.Name] = v
			}
			m["properties"] = p
		case image.MetadefObject:
			l := make([]map[string]any, len(its))
			for i, it := range its {
				l[i] = itemView(it)
			}
			m["objects"] = l
		default:
			l := make([]map[string]any, len(its))
			for i, it := range its {
				l[i] = map[string]any{"name": it.Name}
			}
			m["tags"] = l
		}
	}
	return m, nil
}

func itemView(it *image.MetadefItem) map[string]any {
	m := map[string]any{}
	for k, v := range it.Body {
		m[k] = v
	}
	m["name"] = it.Name
	switch it.Kind {
	case image.MetadefProperty:
		return m
	case image.MetadefObject:
		m["schema"] = "/v2/schemas/metadefs/object"
		m["self"] = "/v2/metadefs/namespaces/" + it.Namespace + "/objects/" + it.Name
	}
	m["created_at"] = fmtTime(it.CreatedAt)
	m["updated_at"] = fmtTime(it.UpdatedAt)
	return m
}

// namespace returns the path's namespace if the caller may see it.
func (h *Handler) namespace(r *http.Request) (*image.Namespace, error) {
	name := r.PathValue("namespace")
	ns, err := h.svc.Metadefs().GetNamespace(r.Context(), name)
	if err != nil {
		return nil, err
	}
	if !h.caller(r).CanSeeNamespace(ns) {
		return nil, &image.NotFoundError{Kind: "namespace", ID: name}
	}
	return ns, nil
}

func (h *Handler) listNamespaces(w http.ResponseWriter, r *http.Request) error {
	all, err := h.svc.Metadefs().ListNamespaces(r.Context())
	if err != nil {
		return err
	}
	c := h.caller(r)
	q := r.URL.Query()
	out := []map[string]any{}
	for _, ns := range all {
		if !c.CanSeeNamespace(ns) {
			continue
		}
		if v := q.Get("visibility"); v != "" && ns.Visibility != v {
			continue
		}
		view, err := h.namespaceView(r, ns, false)
		if err != nil {
			return err
		}
		if rt := q.Get("resource_types"); rt != "" {
			found := false
			for _, a := range asMaps(view["resource_type_associations"]) {
				if a["name"] == rt {
					found = true
				}
			}
			if !found {
				continue
			}
		}
		out = append(out, view)
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"namespaces": out, "first": "/v2/metadefs/namespaces", "schema": "/v2/schemas/metadefs/namespaces"})
}

func asMaps(v any) []map[string]any {
	l, _ := v.([]map[string]any)
	return l
}

func strField(m map[string]any, k string, def string) (string, error) {
	v, ok := m[k]
	if !ok || v == nil {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", &image.ValidationError{Msg: "Invalid value for " + k + ": must be a string."}
	}
	return s, nil
}

// readNamespace fills ns from a create or update body.
func readNamespace(body map[string]any, ns *image.Namespace) error {
	var err error
	if ns.Namespace, err = strField(body, "namespace", ""); err != nil {
		return err
	}
	if ns.Namespace == "" || len(ns.Namespace) > 80 {
		return &image.ValidationError{Msg: "namespace is required (at most 80 characters)."}
	}
	if ns.DisplayName, err = strField(body, "display_name", ns.DisplayName); err != nil {
		return err
	}
	if ns.Description, err = strField(body, "description", ns.Description); err != nil {
		return err
	}
	if ns.Visibility, err = strField(body, "visibility", ns.Visibility); err != nil {
		return err
	}
	if !slices.Contains([]string{image.Public, image.Private}, ns.Visibility) {
		return &image.ValidationError{Msg: "visibility must be public or private."}
	}
	if v, ok := body["protected"]; ok {
		b, ok := v.(bool)
		if !ok {
			return &image.ValidationError{Msg: "protected must be a boolean."}
		}
		ns.Protected = b
	}
	if v, ok := body["owner"].(string); ok {
		ns.Owner = v
	}
	return nil
}

func (h *Handler) createNamespace(w http.ResponseWriter, r *http.Request) error {
	body, err := decodeObject(r)
	if err != nil {
		return err
	}
	now := fmtNow()
	ns := &image.Namespace{Visibility: image.Private, Owner: h.caller(r).ProjectID, CreatedAt: now, UpdatedAt: now}
	if err := readNamespace(body, ns); err != nil {
		return err
	}
	st := h.svc.Metadefs()
	if err := st.CreateNamespace(r.Context(), ns); err != nil {
		return err
	}
	if rts, ok := body["resource_type_associations"].([]any); ok {
		for _, x := range rts {
			m, ok := x.(map[string]any)
			if !ok {
				continue
			}
			if err := h.putItem(r, ns.Namespace, image.MetadefResourceType, m, ""); err != nil {
				return err
			}
		}
	}
	if tags, ok := body["tags"].([]any); ok {
		for _, x := range tags {
			if m, ok := x.(map[string]any); ok {
				if err := h.putItem(r, ns.Namespace, image.MetadefTag, m, ""); err != nil {
					return err
				}
			}
		}
	}
	if objs, ok := body["objects"].([]any); ok {
		for _, x := range objs {
			if m, ok := x.(map[string]any); ok {
				if err := h.putItem(r, ns.Namespace, image.MetadefObject, m, ""); err != nil {
					return err
				}
			}
		}
	}
	if props, ok := body["properties"].(map[string]any); ok {
		for name, x := range props {
			if m, ok := x.(map[string]any); ok {
				m["name"] = name
				if err := h.putItem(r, ns.Namespace, image.MetadefProperty, m, ""); err != nil {
					return err
				}
			}
		}
	}
	view, err := h.namespaceView(r, ns, true)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusCreated, view)
}

func (h *Handler) showNamespace(w http.ResponseWriter, r *http.Request) error {
	ns, err := h.namespace(r)
	if err != nil {
		return err
	}
	view, err := h.namespaceView(r, ns, true)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, view)
}

func (h *Handler) updateNamespace(w http.ResponseWriter, r *http.Request) error {
	body, err := decodeObject(r)
	if err != nil {
		return err
	}
	ns, err := h.namespace(r)
	if err != nil {
		return err
	}
	old := ns.Namespace
	if err := readNamespace(body, ns); err != nil {
		return err
	}
	ns.UpdatedAt = fmtNow()
	if err := h.svc.Metadefs().UpdateNamespace(r.Context(), old, ns); err != nil {
		return err
	}
	view, err := h.namespaceView(r, ns, true)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, view)
}

func (h *Handler) deleteNamespace(w http.ResponseWriter, r *http.Request) error {
	ns, err := h.namespace(r)
	if err != nil {
		return err
	}
	if ns.Protected {
		return &image.ForbiddenError{Msg: "Namespace " + ns.Namespace + " is protected and cannot be deleted."}
	}
	if err := h.svc.Metadefs().DeleteNamespace(r.Context(), ns.Namespace); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// putItem creates (old == "") or replaces an item from a body.
func (h *Handler) putItem(r *http.Request, namespace, kind string, body map[string]any, old string) error {
	name, err := strField(body, "name", "")
	if err != nil {
		return err
	}
	if name == "" || len(name) > 255 {
		return &image.ValidationError{Msg: "name is required (at most 255 characters)."}
	}
	if kind == image.MetadefResourceType && !slices.Contains(image.ResourceTypes, name) {
		return &image.NotFoundError{Kind: "resource type", ID: name}
	}
	b := map[string]any{}
	for k, v := range body {
		if k != "name" && k != "created_at" && k != "updated_at" && k != "self" && k != "schema" {
			b[k] = v
		}
	}
	now := fmtNow()
	it := &image.MetadefItem{Namespace: namespace, Kind: kind, Name: name, Body: b, CreatedAt: now, UpdatedAt: now}
	if old == "" {
		return h.svc.Metadefs().CreateMetadefItem(r.Context(), it)
	}
	return h.svc.Metadefs().UpdateMetadefItem(r.Context(), old, it)
}

var collectionKey = map[string]string{
	image.MetadefObject: "objects", image.MetadefProperty: "properties",
	image.MetadefTag: "tags", image.MetadefResourceType: "resource_type_associations",
}

func (h *Handler) listItems(kind string) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ns, err := h.namespace(r)
		if err != nil {
			return err
		}
		its, err := h.svc.Metadefs().ListMetadefItems(r.Context(), ns.Namespace, kind)
		if err != nil {
			return err
		}
		body := map[string]any{}
		if kind == image.MetadefProperty {
			p := map[string]any{}
			for _, it := range its {
				p[it.Name] = itemView(it)
			}
			body["properties"] = p
		} else {
			l := make([]map[string]any, len(its))
			for i, it := range its {
				l[i] = itemView(it)
			}
			body[collectionKey[kind]] = l
		}
		if kind == image.MetadefObject {
			body["schema"] = "v2/schemas/metadefs/objects"
		}
		return httpapi.WriteJSON(w, http.StatusOK, body)
	}
}

func (h *Handler) createItem(kind string) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body map[string]any
		if kind == image.MetadefTag {
			body = map[string]any{"name": r.PathValue("name")}
		} else {
			var err error
			if body, err = decodeObject(r); err != nil {
				return err
			}
		}
		ns, err := h.namespace(r)
		if err != nil {
			return err
		}
		if err := h.putItem(r, ns.Namespace, kind, body, ""); err != nil {
			return err
		}
		name, _ := body["name"].(string)
		it, err := h.svc.Metadefs().GetMetadefItem(r.Context(), ns.Namespace, kind, name)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, itemView(it))
	}
}

func (h *Handler) showItem(kind string) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ns, err := h.namespace(r)
		if err != nil {
			return err
		}
		it, err := h.svc.Metadefs().GetMetadefItem(r.Context(), ns.Namespace, kind, r.PathValue("name"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, itemView(it))
	}
}

func (h *Handler) updateItem(kind string) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := decodeObject(r)
		if err != nil {
			return err
		}
		ns, err := h.namespace(r)
		if err != nil {
			return err
		}
		old := r.PathValue("name")
		cur, err := h.svc.Metadefs().GetMetadefItem(r.Context(), ns.Namespace, kind, old)
		if err != nil {
			return err
		}
		if err := h.putItem(r, ns.Namespace, kind, body, old); err != nil {
			return err
		}
		name, _ := body["name"].(string)
		it, err := h.svc.Metadefs().GetMetadefItem(r.Context(), ns.Namespace, kind, name)
		if err != nil {
			return err
		}
		it.CreatedAt = cur.CreatedAt
		return httpapi.WriteJSON(w, http.StatusOK, itemView(it))
	}
}

func (h *Handler) deleteItem(kind string) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ns, err := h.namespace(r)
		if err != nil {
			return err
		}
		if err := h.svc.Metadefs().DeleteMetadefItem(r.Context(), ns.Namespace, kind, r.PathValue("name")); err != nil {
			return err
		}
		return httpapi.NoContent(w)
	}
}

func (h *Handler) createTags(w http.ResponseWriter, r *http.Request) error {
	body, err := decodeObject(r)
	if err != nil {
		return err
	}
	ns, err := h.namespace(r)
	if err != nil {
		return err
	}
	list, ok := body["tags"].([]any)
	if !ok {
		return &image.ValidationError{Msg: "tags must be a list of {\"name\": ...}."}
	}
	st := h.svc.Metadefs()
	if err := st.DeleteMetadefItems(r.Context(), ns.Namespace, image.MetadefTag); err != nil {
		return err
	}
	out := []map[string]any{}
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return &image.ValidationError{Msg: "tags must be a list of {\"name\": ...}."}
		}
		if err := h.putItem(r, ns.Namespace, image.MetadefTag, m, ""); err != nil {
			return err
		}
		out = append(out, map[string]any{"name": m["name"]})
	}
	return httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"tags": out})
}

func (h *Handler) deleteTags(w http.ResponseWriter, r *http.Request) error {
	ns, err := h.namespace(r)
	if err != nil {
		return err
	}
	if err := h.svc.Metadefs().DeleteMetadefItems(r.Context(), ns.Namespace, image.MetadefTag); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
