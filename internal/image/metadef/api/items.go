package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/image/metadef"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// itemView renders an item as Glance does: its document, its name, and
// for all but properties its times.
func itemView(it *metadef.Item) map[string]any {
	m := map[string]any{}
	for k, v := range it.Body {
		m[k] = v
	}
	m["name"] = it.Name
	switch it.Kind {
	case metadef.KindProperty:
		return m
	case metadef.KindObject:
		m["schema"] = "/v2/schemas/metadefs/object"
		m["self"] = "/v2/metadefs/namespaces/" + it.Namespace + "/objects/" + it.Name
	}
	m["created_at"] = fmtTime(it.CreatedAt)
	m["updated_at"] = fmtTime(it.UpdatedAt)
	return m
}

// collectionKey is the member of a list answer that holds the items.
func collectionKey(kind string) string {
	switch kind {
	case metadef.KindObject:
		return "objects"
	case metadef.KindProperty:
		return "properties"
	case metadef.KindTag:
		return "tags"
	}
	return "resource_type_associations"
}

func (h *Handler) listItems(kind string) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ns, err := h.namespace(r)
		if err != nil {
			return err
		}
		its, err := h.svc.Items(r.Context(), ns.Namespace, kind)
		if err != nil {
			return err
		}
		body := map[string]any{}
		if kind == metadef.KindProperty {
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
			body[collectionKey(kind)] = l
		}
		if kind == metadef.KindObject {
			body["schema"] = "v2/schemas/metadefs/objects"
		}
		return httpapi.WriteJSON(w, http.StatusOK, body)
	}
}

func (h *Handler) createItem(kind string) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body map[string]any
		if kind == metadef.KindTag {
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
		if err := h.svc.PutItem(r.Context(), ns.Namespace, kind, body, ""); err != nil {
			return err
		}
		name, _ := body["name"].(string)
		it, err := h.svc.Item(r.Context(), ns.Namespace, kind, name)
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
		it, err := h.svc.Item(r.Context(), ns.Namespace, kind, r.PathValue("name"))
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
		cur, err := h.svc.Item(r.Context(), ns.Namespace, kind, old)
		if err != nil {
			return err
		}
		if err := h.svc.PutItem(r.Context(), ns.Namespace, kind, body, old); err != nil {
			return err
		}
		name, _ := body["name"].(string)
		it, err := h.svc.Item(r.Context(), ns.Namespace, kind, name)
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
		if err := h.svc.DeleteItem(r.Context(), ns.Namespace, kind, r.PathValue("name")); err != nil {
			return err
		}
		return httpapi.NoContent(w)
	}
}

// createTags replaces every tag of the namespace.
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
		return apierr.BadRequest("tags must be a list of {\"name\": ...}.")
	}
	if err := h.svc.DeleteItems(r.Context(), ns.Namespace, metadef.KindTag); err != nil {
		return err
	}
	out := []map[string]any{}
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return apierr.BadRequest("tags must be a list of {\"name\": ...}.")
		}
		if err := h.svc.PutItem(r.Context(), ns.Namespace, metadef.KindTag, m, ""); err != nil {
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
	if err := h.svc.DeleteItems(r.Context(), ns.Namespace, metadef.KindTag); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
