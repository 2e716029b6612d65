package api

import (
	"net/http"
	"slices"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

type taggable struct {
	path, kind, singular string
	load                 func(r *http.Request) (wire.Item, error)
}

// tagged loads the resource of a tag request and checks the caller may
// change it (update_<resource>) when write is set.
func (h *Handler) tagged(r *http.Request, t taggable, write bool) (string, error) {
	// The target as the update route builds it: the resource with its
	// network's owner (update_subnet is admin_or_network_owner).
	it, err := h.ItemTarget(t.load)(r)
	if err != nil {
		return "", err
	}
	if write && !h.Allowed(r, "update_"+t.singular, it) {
		return "", wire.Forbidden("update_" + t.singular)
	}
	return t.kind, nil
}

func validTag(tag string) error {
	if tag == "" || len(tag) > 60 {
		return network.BadRequest("Invalid input for operation: '%s' exceeds maximum length of 60.", tag)
	}
	return nil
}

func (h *Handler) listTags(t taggable) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		kind, err := h.tagged(r, t, false)
		if err != nil {
			return err
		}
		m, err := h.Svc.Tags(r.Context(), kind, []string{r.PathValue("id")})
		if err != nil {
			return err
		}
		tags := m[r.PathValue("id")]
		if tags == nil {
			tags = []string{}
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"tags": tags})
	}
}

func (h *Handler) showTag(t taggable) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		kind, err := h.tagged(r, t, false)
		if err != nil {
			return err
		}
		m, err := h.Svc.Tags(r.Context(), kind, []string{r.PathValue("id")})
		if err != nil {
			return err
		}
		if !slices.Contains(m[r.PathValue("id")], r.PathValue("tag")) {
			return network.NotFound("Tag", r.PathValue("tag")).WithType("TagNotFound")
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (h *Handler) replaceTags(t taggable) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		kind, err := h.tagged(r, t, true)
		if err != nil {
			return err
		}
		var b struct {
			Tags []string `json:"tags"`
		}
		if err := httpapi.Decode(r, &b, httpapi.DecodeOptions{Strict: true}); err != nil {
			return network.BadRequest("Invalid input for tags: %s", err)
		}
		for _, t := range b.Tags {
			if err := validTag(t); err != nil {
				return err
			}
		}
		tags, err := h.Svc.EditTags(r.Context(), kind, r.PathValue("id"), func([]string) ([]string, error) { return b.Tags, nil })
		if err != nil {
			return err
		}
		if tags == nil {
			tags = []string{}
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"tags": tags})
	}
}

func (h *Handler) addTag(t taggable) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		kind, err := h.tagged(r, t, true)
		if err != nil {
			return err
		}
		tag := r.PathValue("tag")
		if err := validTag(tag); err != nil {
			return err
		}
		if _, err := h.Svc.EditTags(r.Context(), kind, r.PathValue("id"), func(cur []string) ([]string, error) {
			return append(cur, tag), nil
		}); err != nil {
			return err
		}
		w.WriteHeader(http.StatusCreated)
		return nil
	}
}

func (h *Handler) deleteTags(t taggable) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		kind, err := h.tagged(r, t, true)
		if err != nil {
			return err
		}
		if _, err := h.Svc.EditTags(r.Context(), kind, r.PathValue("id"), func([]string) ([]string, error) { return nil, nil }); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (h *Handler) deleteTag(t taggable) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		kind, err := h.tagged(r, t, true)
		if err != nil {
			return err
		}
		tag := r.PathValue("tag")
		if _, err := h.Svc.EditTags(r.Context(), kind, r.PathValue("id"), func(cur []string) ([]string, error) {
			if !slices.Contains(cur, tag) {
				return nil, network.NotFound("Tag", tag).WithType("TagNotFound")
			}
			return slices.DeleteFunc(cur, func(t string) bool { return t == tag }), nil
		}); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
