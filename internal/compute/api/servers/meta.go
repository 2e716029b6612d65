package servers

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Server metadata, tags, password, security groups and topology.

func (h *Handler) ListMetadata(w http.ResponseWriter, r *http.Request) error {
	md, err := h.servers.Metadata(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	if md == nil {
		md = map[string]string{}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"metadata": md})
}

func (h *Handler) SetMetadata(replace bool) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		md, err := wire.MetadataBody(r, "metadata")
		if err != nil {
			return err
		}
		all, err := h.servers.SetMetadata(r.Context(), h.Caller(r), r.PathValue("id"), md, replace)
		if err != nil {
			return err
		}
		if replace {
			// PUT answers what was given, POST the merged whole.
			all = md
		}
		if all == nil {
			all = map[string]string{}
		}
		return wire.Reply(w, http.StatusOK, map[string]any{"metadata": all})
	}
}

func (h *Handler) ShowMetadata(w http.ResponseWriter, r *http.Request) error {
	md, err := h.servers.Metadata(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	key := r.PathValue("key")
	v, ok := md[key]
	if !ok {
		return &apierr.Error{Code: http.StatusNotFound, Message: "Metadata item was not found"}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"meta": map[string]string{key: v}})
}

func (h *Handler) UpdateMetadataItem(w http.ResponseWriter, r *http.Request) error {
	md, err := wire.MetaItemBody(r)
	if err != nil {
		return err
	}
	if _, err := h.servers.SetMetadata(r.Context(), h.Caller(r), r.PathValue("id"), md, false); err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"meta": md})
}

func (h *Handler) DeleteMetadata(w http.ResponseWriter, r *http.Request) error {
	if err := h.servers.DeleteMetadata(r.Context(), h.Caller(r), r.PathValue("id"), r.PathValue("key")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) ListTags(w http.ResponseWriter, r *http.Request) error {
	tags, err := h.servers.Tags(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	if tags == nil {
		tags = []string{}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"tags": tags})
}

func (h *Handler) ReplaceTags(w http.ResponseWriter, r *http.Request) error {
	raw, err := wire.Only(r, "tags")
	if err != nil {
		return err
	}
	tags, err := wire.TagList("tags", raw)
	if err != nil {
		return err
	}
	set, err := h.servers.ReplaceTags(r.Context(), h.Caller(r), r.PathValue("id"), tags, false)
	if err != nil {
		return err
	}
	if set == nil {
		set = []string{}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"tags": set})
}

func (h *Handler) DeleteTags(w http.ResponseWriter, r *http.Request) error {
	if err := h.servers.DeleteTag(r.Context(), h.Caller(r), r.PathValue("id"), ""); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func tagNotFound(tag, id string) error {
	return &apierr.Error{Code: http.StatusNotFound, Message: "Tag '" + tag + "' is not found for instance " + id}
}

func (h *Handler) ShowTag(w http.ResponseWriter, r *http.Request) error {
	id, tag := r.PathValue("id"), r.PathValue("tag")
	tags, err := h.servers.Tags(r.Context(), h.Caller(r), id)
	if err != nil {
		return err
	}
	if !slices.Contains(tags, tag) {
		return tagNotFound(tag, id)
	}
	return httpapi.NoContent(w)
}

func (h *Handler) AddTag(w http.ResponseWriter, r *http.Request) error {
	id, tag := r.PathValue("id"), r.PathValue("tag")
	raw, _ := json.Marshal(tag)
	if _, err := wire.TagField("tag", raw); err != nil {
		return err
	}
	tags, err := h.servers.Tags(r.Context(), h.Caller(r), id)
	if err != nil {
		return err
	}
	if slices.Contains(tags, tag) {
		return httpapi.NoContent(w)
	}
	if _, err := h.servers.ReplaceTags(r.Context(), h.Caller(r), id, []string{tag}, true); err != nil {
		return err
	}
	w.Header().Set("Location", wire.BaseOf(r).Self("servers/"+id+"/tags/"+tag))
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (h *Handler) DeleteTag(w http.ResponseWriter, r *http.Request) error {
	id, tag := r.PathValue("id"), r.PathValue("tag")
	if err := h.servers.DeleteTag(r.Context(), h.Caller(r), id, tag); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// ShowPassword answers the password the server's guest posted to the
// metadata service (encrypted by the guest with the key pair's key).
func (h *Handler) ShowPassword(w http.ResponseWriter, r *http.Request) error {
	pw, err := h.servers.Password(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"password": pw})
}

func (h *Handler) ClearPassword(w http.ResponseWriter, r *http.Request) error {
	if err := h.servers.ClearPassword(r.Context(), h.Caller(r), r.PathValue("id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// ListSecurityGroups answers the server's groups by name; without a
// network service there are no rules to show.
func (h *Handler) ListSecurityGroups(w http.ResponseWriter, r *http.Request) error {
	inst, err := h.servers.Get(r.Context(), h.Caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	var out []any
	if inst.Host != "" {
		for _, g := range securityGroups(inst.SecurityGroups) {
			out = append(out, map[string]any{"name": g["name"], "description": "", "id": g["name"], "rules": []any{}, "tenant_id": inst.ProjectID})
		}
	}
	if out == nil {
		out = []any{}
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"security_groups": out})
}

// ShowTopology answers a server's NUMA topology (2.78): no instance of
// this cloud has one.
func (h *Handler) ShowTopology(w http.ResponseWriter, r *http.Request) error {
	return wire.Reply(w, http.StatusOK, map[string]any{"nodes": []any{}, "pagesize_kb": nil})
}
