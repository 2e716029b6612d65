package api

import (
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func classBody(name string) map[string]any {
	return map[string]any{"name": name, "links": []link{{"self", "/resource_classes/" + name}}}
}

func (h *Handler) listClasses(w http.ResponseWriter, r *http.Request) error {
	names, err := h.svc.ResourceClasses(r.Context())
	if err != nil {
		return err
	}
	out := make([]any, 0, len(names))
	for _, n := range names {
		out = append(out, classBody(n))
	}
	return reply(w, r, http.StatusOK, map[string]any{"resource_classes": out}, time.Time{})
}

// decodeName reads the {"name": ...} body of a class create or rename.
func decodeName(r *http.Request) (string, error) {
	var req struct {
		Name *string `json:"name"`
	}
	if err := decode(r, &req); err != nil {
		return "", err
	}
	if req.Name == nil {
		return "", apierr.BadRequest("JSON does not validate: 'name' is a required property")
	}
	return *req.Name, nil
}

func (h *Handler) createClass(w http.ResponseWriter, r *http.Request) error {
	name, err := decodeName(r)
	if err != nil {
		return err
	}
	if err := h.svc.CreateResourceClass(r.Context(), name); err != nil {
		return err
	}
	location(w, r, "/resource_classes/"+name)
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (h *Handler) showClass(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := h.svc.ResourceClass(r.Context(), name); err != nil {
		return err
	}
	return reply(w, r, http.StatusOK, classBody(name), time.Time{})
}

func (h *Handler) putClass(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	created, err := h.svc.EnsureResourceClass(r.Context(), name)
	if err != nil {
		return err
	}
	// No body, so no caching headers (Placement sends them with bodies).
	location(w, r, "/resource_classes/"+name)
	if created {
		w.WriteHeader(http.StatusCreated)
		return nil
	}
	return httpapi.NoContent(w)
}

func (h *Handler) deleteClass(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteResourceClass(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// renameClass is PUT /resource_classes/{name} before 1.7: a rename.
func (h *Handler) renameClass(w http.ResponseWriter, r *http.Request) error {
	name, err := decodeName(r)
	if err != nil {
		return err
	}
	if err := h.svc.RenameResourceClass(r.Context(), r.PathValue("name"), name); err != nil {
		return err
	}
	return reply(w, r, http.StatusOK, classBody(name), time.Time{})
}
