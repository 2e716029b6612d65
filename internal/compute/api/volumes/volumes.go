// Package volumes serves a server's volume attachments
// (/servers/{id}/os-volume_attachments: list, attach, show, update,
// detach) over compute's volume use cases (compute/volumes).
package volumes

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/policies"
	cvolumes "github.com/gostack/gostack/internal/compute/volumes"
)

// Handler serves os-volume_attachments.
type Handler struct {
	*wire.Rules
	volumes *cvolumes.Service
	// target is the server's policy target, for the swap rule checked
	// inside an update.
	target func(*http.Request) (map[string]any, error)
}

// New returns the handlers over the volume use cases; target gives the
// policy target of the request's server.
func New(rules *wire.Rules, v *cvolumes.Service, target func(*http.Request) (map[string]any, error)) *Handler {
	return &Handler{Rules: rules, volumes: v, target: target}
}

// view is one volumeAttachment as Nova's
// _translate_attachment_detail_view writes it for the request's
// microversion: tag from 2.70, delete_on_termination from 2.79, and,
// but for an attach's answer, attachment_id and bdm_uuid instead of id
// from 2.89.
func view(r *http.Request, serverID string, b compute.BlockDeviceMapping, created bool) map[string]any {
	m := map[string]any{"volumeId": b.VolumeID, "serverId": serverID}
	ids := !created && wire.At(r, 89)
	if !ids {
		m["id"] = b.VolumeID
	}
	if b.DeviceName != "" {
		m["device"] = b.DeviceName
	}
	if wire.At(r, 70) {
		m["tag"] = wire.NilIfEmpty(b.Tag)
	}
	if wire.At(r, 79) {
		m["delete_on_termination"] = b.DeleteOnTermination
	}
	if ids {
		m["attachment_id"] = wire.NilIfEmpty(b.AttachmentID)
		m["bdm_uuid"] = b.ID
	}
	return m
}

// List answers the server's volumes, limit and offset applied.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	limit, offset, err := page(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	bdms, err := h.volumes.List(r.Context(), h.Caller(r), id)
	if err != nil {
		return err
	}
	bdms = bdms[min(offset, len(bdms)):]
	if limit >= 0 && limit < len(bdms) {
		bdms = bdms[:limit]
	}
	out := make([]map[string]any, 0, len(bdms))
	for _, b := range bdms {
		out = append(out, view(r, id, b, false))
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"volumeAttachments": out})
}

// page reads Nova's limit and offset (non-negative integers).
func page(r *http.Request) (limit, offset int, err error) {
	limit = -1
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &limit}, {"offset", &offset}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, wire.BadRequest("Invalid input for query parameters %s. Value: %s. %q is not a 'positive integer'", p.name, v, v)
		}
		*p.dst = n
	}
	return limit, offset, nil
}

// Show answers one of the server's volumes.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	b, err := h.volumes.Show(r.Context(), h.Caller(r), id, r.PathValue("volume_id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"volumeAttachment": view(r, id, b, false)})
}

// Create attaches a volume: {"volumeAttachment": {"volumeId", "device",
// "tag" (2.49), "delete_on_termination" (2.79)}}. Nova answers at once,
// before the host has the volume.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	allowed := []string{"volumeId", "device"}
	if wire.At(r, 49) {
		allowed = append(allowed, "tag")
	}
	if wire.At(r, 79) {
		allowed = append(allowed, "delete_on_termination")
	}
	m, err := body(r, allowed)
	if err != nil {
		return err
	}
	req := cvolumes.AttachRequest{Multiattach: wire.At(r, 60)}
	if req.VolumeID, err = wire.UUIDField("volumeId", m["volumeId"]); err != nil {
		return err
	}
	if v, ok := m["device"]; ok {
		d, err := wire.NullableString("device", v)
		if err != nil {
			return err
		}
		if d != nil {
			req.Device = *d
		}
	}
	if v, ok := m["tag"]; ok {
		if req.Tag, err = wire.TagField("tag", v); err != nil {
			return err
		}
	}
	if v, ok := m["delete_on_termination"]; ok {
		if req.DeleteOnTermination, err = wire.BoolField("delete_on_termination", v); err != nil {
			return err
		}
	}
	id := r.PathValue("id")
	b, err := h.volumes.Attach(r.Context(), h.Caller(r), id, req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"volumeAttachment": view(r, id, b, true)})
}

// Update changes an attachment's delete_on_termination (2.85) or asks
// for a swap to another volume (the body's volumeId), which needs the
// swap rule.
func (h *Handler) Update(w http.ResponseWriter, r *http.Request) error {
	allowed := []string{"volumeId"}
	at85 := wire.At(r, 85)
	if at85 {
		allowed = append(allowed, "id", "serverId", "device", "tag", "delete_on_termination")
	}
	m, err := body(r, allowed)
	if err != nil {
		return err
	}
	var req cvolumes.UpdateRequest
	if req.VolumeID, err = wire.UUIDField("volumeId", m["volumeId"]); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		dst  **string
	}{{"id", &req.ID}, {"serverId", &req.ServerID}, {"device", &req.Device}, {"tag", &req.Tag}} {
		v, ok := m[f.name]
		if !ok {
			continue
		}
		s, err := wire.NullableString(f.name, v)
		if err != nil {
			return err
		}
		if s == nil {
			s = new(string)
		}
		*f.dst = s
	}
	if v, ok := m["delete_on_termination"]; ok {
		b, err := wire.BoolField("delete_on_termination", v)
		if err != nil {
			return err
		}
		req.DeleteOnTermination = &b
	}
	volumeID := r.PathValue("volume_id")
	// Before 2.85 every update is a swap (Nova's only update then).
	if req.VolumeID != volumeID || !at85 {
		t, err := h.target(r)
		if err != nil {
			return err
		}
		if err := h.Authorize(r, policies.VolumeAttachSwap, t); err != nil {
			return err
		}
		if !at85 && req.VolumeID == volumeID {
			return wire.BadRequest("Swapping volume %s for itself is not a change.", volumeID)
		}
	}
	if err := h.volumes.Update(r.Context(), h.Caller(r), r.PathValue("id"), volumeID, req); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// Delete detaches a volume (202: the host unplugs it in the
// background).
func (h *Handler) Delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.volumes.Detach(r.Context(), h.Caller(r), r.PathValue("id"), r.PathValue("volume_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// body reads {"volumeAttachment": {...}} with only the allowed fields
// and volumeId required.
func body(r *http.Request, allowed []string) (map[string]json.RawMessage, error) {
	raw, err := wire.ReadBody(r)
	if err != nil {
		return nil, err
	}
	top, err := wire.Object("body", raw, []string{"volumeAttachment"}, "volumeAttachment")
	if err != nil {
		return nil, err
	}
	return wire.Object("volumeAttachment", top["volumeAttachment"], allowed, "volumeId")
}
