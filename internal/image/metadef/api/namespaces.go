package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/image/metadef"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func (h *Handler) listResourceTypes(w http.ResponseWriter, r *http.Request) error {
	names := metadef.ResourceTypes()
	out := make([]map[string]any, len(names))
	for i, n := range names {
		out[i] = map[string]any{"name": n, "created_at": "2014-08-28T17:13:04Z", "updated_at": "2014-08-28T17:13:04Z"}
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"resource_types": out})
}

// namespaceView renders a namespace with its resource type associations
// and, when full, its objects, properties and tags.
func (h *Handler) namespaceView(r *http.Request, ns *metadef.Namespace, full bool) (map[string]any, error) {
	m := map[string]any{
		"namespace": ns.Namespace, "display_name": ns.DisplayName, "description": ns.Description,
		"visibility": ns.Visibility, "protected": ns.Protected, "owner": ns.Owner,
		"created_at": fmtTime(ns.CreatedAt), "updated_at": fmtTime(ns.UpdatedAt),
		"self": "/v2/metadefs/namespaces/" + ns.Namespace, "schema": "/v2/schemas/metadefs/namespace",
	}
	rts, err := h.svc.Items(r.Context(), ns.Namespace, metadef.KindResourceType)
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
	for _, kind := range []string{metadef.KindObject, metadef.KindProperty, metadef.KindTag} {
		its, err := h.svc.Items(r.Context(), ns.Namespace, kind)
		if err != nil {
			return nil, err
		}
		if len(its) == 0 {
			continue
		}
		switch kind {
		case metadef.KindProperty:
			p := map[string]any{}
			for _, it := range its {
				v := itemView(it)
				delete(v, "name")
				p[it.Name] = v
			}
			m["properties"] = p
		case metadef.KindObject:
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

// namespace returns the path's namespace if the caller may see it.
func (h *Handler) namespace(r *http.Request) (*metadef.Namespace, error) {
	return h.svc.Namespace(r.Context(), h.caller(r), r.PathValue("namespace"))
}

func (h *Handler) listNamespaces(w http.ResponseWriter, r *http.Request) error {
	all, err := h.svc.Namespaces(r.Context(), h.caller(r))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	out := []map[string]any{}
	for _, ns := range all {
		if v := q.Get("visibility"); v != "" && ns.Visibility != v {
			continue
		}
		view, err := h.namespaceView(r, ns, false)
		if err != nil {
			return err
		}
		if rt := q.Get("resource_types"); rt != "" {
			found := false
			l, _ := view["resource_type_associations"].([]map[string]any)
			for _, a := range l {
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

func (h *Handler) createNamespace(w http.ResponseWriter, r *http.Request) error {
	body, err := decodeObject(r)
	if err != nil {
		return err
	}
	ns := &metadef.Namespace{Visibility: image.Private, Owner: h.caller(r).ProjectID}
	if err := metadef.ReadNamespace(body, ns); err != nil {
		return err
	}
	if err := h.svc.CreateNamespace(r.Context(), ns); err != nil {
		return err
	}
	// A namespace may come with its contents.
	put := func(kind string, m map[string]any) error {
		return h.svc.PutItem(r.Context(), ns.Namespace, kind, m, "")
	}
	if rts, ok := body["resource_type_associations"].([]any); ok {
		for _, x := range rts {
			if m, ok := x.(map[string]any); ok {
				if err := put(metadef.KindResourceType, m); err != nil {
					return err
				}
			}
		}
	}
	for _, kind := range []string{metadef.KindTag, metadef.KindObject} {
		key := "tags"
		if kind == metadef.KindObject {
			key = "objects"
		}
		l, _ := body[key].([]any)
		for _, x := range l {
			if m, ok := x.(map[string]any); ok {
				if err := put(kind, m); err != nil {
					return err
				}
			}
		}
	}
	if props, ok := body["properties"].(map[string]any); ok {
		for name, x := range props {
			if m, ok := x.(map[string]any); ok {
				m["name"] = name
				if err := put(metadef.KindProperty, m); err != nil {
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
	if err := metadef.ReadNamespace(body, ns); err != nil {
		return err
	}
	if err := h.svc.UpdateNamespace(r.Context(), old, ns); err != nil {
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
	if err := h.svc.DeleteNamespace(r.Context(), ns); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
