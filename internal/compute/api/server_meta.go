package api

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Server metadata, tags, addresses, password, and the volume and port
// attachments this cloud cannot make yet.

func (h *Handler) listServerMetadata(w http.ResponseWriter, r *http.Request) error {
	md, err := h.svc.ServerMetadata(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	if md == nil {
		md = map[string]string{}
	}
	return reply(w, http.StatusOK, map[string]any{"metadata": md})
}

// metadataBody reads {"metadata": {...}}.
func metadataBody(r *http.Request, key string) (map[string]string, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, badRequest("Malformed request body")
	}
	if err := onlyFields(key, top, []string{key}); err != nil {
		return nil, err
	}
	if err := required(key, top, key); err != nil {
		return nil, err
	}
	return metadataField(key, top[key])
}

func (h *Handler) setServerMetadata(replace bool) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		md, err := metadataBody(r, "metadata")
		if err != nil {
			return err
		}
		all, err := h.svc.SetServerMetadata(r.Context(), caller(r), r.PathValue("id"), md, replace)
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
		return reply(w, http.StatusOK, map[string]any{"metadata": all})
	}
}

func (h *Handler) showServerMetadata(w http.ResponseWriter, r *http.Request) error {
	md, err := h.svc.ServerMetadata(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	key := r.PathValue("key")
	v, ok := md[key]
	if !ok {
		return &apierr.Error{Code: http.StatusNotFound, Message: "Metadata item was not found"}
	}
	return reply(w, http.StatusOK, map[string]any{"meta": map[string]string{key: v}})
}

func (h *Handler) updateServerMetadataItem(w http.ResponseWriter, r *http.Request) error {
	md, err := metaItemBody(r)
	if err != nil {
		return err
	}
	if _, err := h.svc.SetServerMetadata(r.Context(), caller(r), r.PathValue("id"), md, false); err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"meta": md})
}

// metaItemBody reads a PUT .../metadata/{key} body: {"meta": {key: value}}
// with exactly one item, whose key is the URL's.
func metaItemBody(r *http.Request) (map[string]string, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, badRequest("Malformed request body")
	}
	if err := onlyFields("meta", top, []string{"meta"}); err != nil {
		return nil, err
	}
	if err := required("meta", top, "meta"); err != nil {
		return nil, err
	}
	fields, err := objectField("meta", top["meta"], false)
	if err != nil {
		return nil, err
	}
	if len(fields) != 1 {
		if len(fields) == 0 {
			return nil, invalidField("meta", top["meta"], "{} does not have enough properties")
		}
		return nil, invalidField("meta", top["meta"], "has too many properties")
	}
	md, err := metadataField("meta", top["meta"])
	if err != nil {
		return nil, err
	}
	if _, ok := md[r.PathValue("key")]; !ok {
		return nil, badRequest("Request body and URI mismatch")
	}
	return md, nil
}

func (h *Handler) deleteServerMetadata(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteServerMetadata(r.Context(), caller(r), r.PathValue("id"), r.PathValue("key")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) listServerTags(w http.ResponseWriter, r *http.Request) error {
	tags, err := h.svc.ServerTags(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	if tags == nil {
		tags = []string{}
	}
	return reply(w, http.StatusOK, map[string]any{"tags": tags})
}

func (h *Handler) replaceServerTags(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return badRequest("Malformed request body")
	}
	if err := onlyFields("tags", top, []string{"tags"}); err != nil {
		return err
	}
	if err := required("tags", top, "tags"); err != nil {
		return err
	}
	tags, err := tagList("tags", top["tags"])
	if err != nil {
		return err
	}
	set, err := h.svc.ReplaceServerTags(r.Context(), caller(r), r.PathValue("id"), tags, false)
	if err != nil {
		return err
	}
	if set == nil {
		set = []string{}
	}
	return reply(w, http.StatusOK, map[string]any{"tags": set})
}

func (h *Handler) deleteServerTags(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteServerTag(r.Context(), caller(r), r.PathValue("id"), ""); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func tagNotFound(tag, id string) error {
	return &apierr.Error{Code: http.StatusNotFound, Message: "Tag '" + tag + "' is not found for instance " + id}
}

func (h *Handler) showServerTag(w http.ResponseWriter, r *http.Request) error {
	id, tag := r.PathValue("id"), r.PathValue("tag")
	tags, err := h.svc.ServerTags(r.Context(), caller(r), id)
	if err != nil {
		return err
	}
	if !slices.Contains(tags, tag) {
		return tagNotFound(tag, id)
	}
	return httpapi.NoContent(w)
}

func (h *Handler) addServerTag(w http.ResponseWriter, r *http.Request) error {
	id, tag := r.PathValue("id"), r.PathValue("tag")
	raw, _ := json.Marshal(tag)
	if _, err := tagField("tag", raw); err != nil {
		return err
	}
	tags, err := h.svc.ServerTags(r.Context(), caller(r), id)
	if err != nil {
		return err
	}
	if slices.Contains(tags, tag) {
		return httpapi.NoContent(w)
	}
	if _, err := h.svc.ReplaceServerTags(r.Context(), caller(r), id, []string{tag}, true); err != nil {
		return err
	}
	w.Header().Set("Location", baseOf(r).self("servers/"+id+"/tags/"+tag))
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (h *Handler) deleteServerTag(w http.ResponseWriter, r *http.Request) error {
	id, tag := r.PathValue("id"), r.PathValue("tag")
	if err := h.svc.DeleteServerTag(r.Context(), caller(r), id, tag); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// listServerIPs answers the server's addresses: none until this cloud has
// a network service.
func (h *Handler) listServerIPs(w http.ResponseWriter, r *http.Request) error {
	return reply(w, http.StatusOK, map[string]any{"addresses": map[string]any{}})
}

func (h *Handler) showServerIPs(w http.ResponseWriter, r *http.Request) error {
	return &apierr.Error{Code: http.StatusNotFound, Message: "Instance is not a member of specified network"}
}

// showServerPassword answers the metadata-service password, which no
// guest of this cloud has posted.
func (h *Handler) showServerPassword(w http.ResponseWriter, r *http.Request) error {
	return reply(w, http.StatusOK, map[string]any{"password": ""})
}

func (h *Handler) clearServerPassword(w http.ResponseWriter, r *http.Request) error {
	return httpapi.NoContent(w)
}

func (h *Handler) listInterfaces(w http.ResponseWriter, r *http.Request) error {
	return reply(w, http.StatusOK, map[string]any{"interfaceAttachments": []any{}})
}

func (h *Handler) createInterface(w http.ResponseWriter, r *http.Request) error {
	if _, err := readBody(r); err != nil {
		return err
	}
	return networkUnavailable()
}

func (h *Handler) interfaceNotFound(w http.ResponseWriter, r *http.Request) error {
	return &apierr.Error{Code: http.StatusNotFound, Message: "Network interface " + r.PathValue("port_id") + " could not be found."}
}

func (h *Handler) listVolumeAttachments(w http.ResponseWriter, r *http.Request) error {
	return reply(w, http.StatusOK, map[string]any{"volumeAttachments": []any{}})
}

func (h *Handler) createVolumeAttachment(w http.ResponseWriter, r *http.Request) error {
	if _, err := readBody(r); err != nil {
		return err
	}
	return badRequest("The block-storage service is not available in this cloud yet.")
}

func (h *Handler) volumeAttachmentNotFound(w http.ResponseWriter, r *http.Request) error {
	return &apierr.Error{Code: http.StatusNotFound, Message: "Volume " + r.PathValue("volume_id") + " is not attached to the instance " + r.PathValue("id")}
}

// listServerSecurityGroups answers the server's groups by name; without a
// network service there are no rules to show.
func (h *Handler) listServerSecurityGroups(w http.ResponseWriter, r *http.Request) error {
	inst, err := h.svc.Server(r.Context(), caller(r), r.PathValue("id"))
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
	return reply(w, http.StatusOK, map[string]any{"security_groups": out})
}

// showTopology answers a server's NUMA topology (2.78): no instance of
// this cloud has one.
func (h *Handler) showTopology(w http.ResponseWriter, r *http.Request) error {
	return reply(w, http.StatusOK, map[string]any{"nodes": []any{}, "pagesize_kb": nil})
}
