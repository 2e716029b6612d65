// Package volproxy serves Nova's deprecated block-storage proxy APIs (to
// microversion 2.35): os-volumes and os-snapshots (list, detail, show,
// create, delete) over the block-storage service, with the caller's
// token, in Nova's camelCase shapes (displayName, volumeId, createdAt,
// ...). Without a block-storage service every call is the 404 Nova
// answers without Cinder's endpoint.
package volproxy

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/volinfo"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Handler serves the proxy routes.
type Handler struct {
	*wire.Rules
	v compute.Volumes
}

// New returns the proxy handlers over the block-storage service v (nil
// without one).
func New(rules *wire.Rules, v compute.Volumes) *Handler { return &Handler{Rules: rules, v: v} }

// timeLayout is how Nova writes createdAt here (the block-storage
// service's own created_at, passed on).
const timeLayout = "2006-01-02T15:04:05.000000"

func (h *Handler) need() (compute.Volumes, error) {
	if h.v == nil {
		return nil, apierr.NotFound("The block-storage service is not available in this cloud.")
	}
	return h.v, nil
}

// word maps the block-storage service's refusals to Nova's: 404 with
// Nova's message, any other refusal a 400 (Nova's InvalidInput).
func word(err error, notFound string) error {
	if apierr.IsNotFound(err) {
		return apierr.NotFound("%s", notFound)
	}
	if e, ok := apierr.As(err); ok && e.Code >= 400 && e.Code < 500 && e.Code != http.StatusForbidden && e.Code != http.StatusRequestEntityTooLarge {
		return apierr.BadRequest("%s", e.Message).WithCause(err)
	}
	return err
}

// volumeView is Nova's _translate_volume_summary_view: the first
// attachment only, or [{}] for none.
func volumeView(v *volinfo.Volume) map[string]any {
	att := []map[string]any{{}}
	if len(v.Attachments) > 0 {
		a := v.Attachments[0]
		m := map[string]any{"id": v.ID, "volumeId": v.ID, "serverId": a.ServerID}
		if a.Device != "" {
			m["device"] = a.Device
		}
		att = []map[string]any{m}
	}
	md := v.Metadata
	if md == nil {
		md = map[string]string{}
	}
	return map[string]any{
		"id": v.ID, "status": v.Status, "size": v.SizeGB, "availabilityZone": v.Zone,
		"createdAt": v.CreatedAt.UTC().Format(timeLayout), "attachments": att,
		"displayName": v.Name, "displayDescription": v.Description,
		"volumeType": wire.NilIfEmpty(v.VolumeType), "snapshotId": wire.NilIfEmpty(v.SnapshotID), "metadata": md,
	}
}

// snapshotView is Nova's _translate_snapshot_summary_view.
func snapshotView(s *volinfo.Snapshot) map[string]any {
	return map[string]any{
		"id": s.ID, "volumeId": s.VolumeID, "status": s.Status, "size": s.SizeGB,
		"createdAt": s.CreatedAt.UTC().Format(timeLayout), "displayName": s.Name, "displayDescription": s.Description,
	}
}

// limited is Nova's common.limited: offset, then at most limit items.
func limited[T any](r *http.Request, items []T) ([]T, error) {
	q := r.URL.Query()
	n := map[string]int{"limit": -1, "offset": 0}
	for _, k := range []string{"limit", "offset"} {
		s := q.Get(k)
		if s == "" {
			continue
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			return nil, wire.BadRequest("%s param must be an integer", k)
		}
		n[k] = v
	}
	items = items[min(n["offset"], len(items)):]
	if l := n["limit"]; l >= 0 && l < len(items) {
		items = items[:l]
	}
	return items, nil
}

// ListVolumes is GET /os-volumes and /os-volumes/detail (one view in
// Nova).
func (h *Handler) ListVolumes(w http.ResponseWriter, r *http.Request) error {
	if wire.TrailingSlash(r) {
		// GET /os-volumes/ is a show without an id.
		return wire.NotFoundResource()
	}
	v, err := h.need()
	if err != nil {
		return err
	}
	l, err := v.ListVolumes(r.Context(), h.Caller(r).Token)
	if err != nil {
		return err
	}
	return replyList(w, r, "volumes", l, volumeView)
}

// ShowVolume is GET /os-volumes/{id}.
func (h *Handler) ShowVolume(w http.ResponseWriter, r *http.Request) error {
	v, err := h.need()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	vol, err := v.GetVolume(r.Context(), h.Caller(r).Token, id)
	if err != nil {
		return word(err, "Volume "+id+" could not be found.")
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"volume": volumeView(vol)})
}

// CreateVolume is POST /os-volumes: {"volume": {"size" (required),
// "display_name", "display_description", "volume_type", "metadata",
// "snapshot_id", "availability_zone"}}.
func (h *Handler) CreateVolume(w http.ResponseWriter, r *http.Request) error {
	raw, err := wire.ReadBody(r)
	if err != nil {
		return err
	}
	top, err := wire.Object("body", raw, []string{"volume"}, "volume")
	if err != nil {
		return err
	}
	m, err := wire.Object("volume", top["volume"], []string{"volume_type", "metadata", "snapshot_id", "size",
		"availability_zone", "display_name", "display_description"}, "size")
	if err != nil {
		return err
	}
	var req volinfo.CreateRequest
	if req.SizeGB, err = size(m["size"]); err != nil {
		return err
	}
	for k, dst := range map[string]*string{"volume_type": &req.VolumeType, "snapshot_id": &req.SnapshotID,
		"availability_zone": &req.Zone, "display_name": &req.Name, "display_description": &req.Description} {
		if v, ok := m[k]; ok {
			if *dst, err = wire.StringField(k, v); err != nil {
				return err
			}
		}
	}
	if v, ok := m["metadata"]; ok {
		if req.Metadata, err = wire.MetadataField("metadata", v); err != nil {
			return err
		}
	}
	v, err := h.need()
	if err != nil {
		return err
	}
	tok := h.Caller(r).Token
	if req.SnapshotID != "" {
		if _, err := v.GetSnapshot(r.Context(), tok, req.SnapshotID); err != nil {
			return word(err, "Snapshot "+req.SnapshotID+" could not be found.")
		}
	}
	vol, err := v.CreateVolume(r.Context(), tok, req)
	if err != nil {
		return word(err, "Volume could not be found.")
	}
	w.Header().Set("Location", wire.BaseOf(r).Self("os-volumes/"+vol.ID))
	return wire.Reply(w, http.StatusOK, map[string]any{"volume": volumeView(vol)})
}

// size is Nova's size field: an integer, or a string of digits, at
// least 1.
func size(raw json.RawMessage) (int, error) {
	var n int
	if err := json.Unmarshal(raw, &n); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil || s == "" || strings.Trim(s, "0123456789") != "" {
			return 0, wire.InvalidField("size", raw, string(raw)+" does not match '^[0-9]+$'")
		}
		if n, err = strconv.Atoi(s); err != nil {
			return 0, wire.InvalidField("size", raw, string(raw)+" is not a valid size")
		}
	}
	if n < 1 {
		return 0, wire.InvalidField("size", raw, string(raw)+" is less than the minimum of 1")
	}
	return n, nil
}

// DeleteVolume is DELETE /os-volumes/{id}.
func (h *Handler) DeleteVolume(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if id == "" {
		return wire.NotFoundResource()
	}
	v, err := h.need()
	if err != nil {
		return err
	}
	if err := v.DeleteVolume(r.Context(), h.Caller(r).Token, id); err != nil {
		return word(err, "Volume "+id+" could not be found.")
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// ListSnapshots is GET /os-snapshots and /os-snapshots/detail.
func (h *Handler) ListSnapshots(w http.ResponseWriter, r *http.Request) error {
	if wire.TrailingSlash(r) {
		return wire.NotFoundResource()
	}
	v, err := h.need()
	if err != nil {
		return err
	}
	l, err := v.ListSnapshots(r.Context(), h.Caller(r).Token)
	if err != nil {
		return err
	}
	return replyList(w, r, "snapshots", l, snapshotView)
}

// replyList writes the page of items the request's limit and offset
// select, each in its Nova view, as {key: [...]}.
func replyList[T any](w http.ResponseWriter, r *http.Request, key string, items []T, view func(*T) map[string]any) error {
	items, err := limited(r, items)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(items))
	for i := range items {
		out = append(out, view(&items[i]))
	}
	return wire.Reply(w, http.StatusOK, map[string]any{key: out})
}

// ShowSnapshot is GET /os-snapshots/{id}.
func (h *Handler) ShowSnapshot(w http.ResponseWriter, r *http.Request) error {
	v, err := h.need()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	s, err := v.GetSnapshot(r.Context(), h.Caller(r).Token, id)
	if err != nil {
		return word(err, "Snapshot "+id+" could not be found.")
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"snapshot": snapshotView(s)})
}

// CreateSnapshot is POST /os-snapshots: {"snapshot": {"volume_id"
// (required), "force", "display_name", "display_description"}}.
func (h *Handler) CreateSnapshot(w http.ResponseWriter, r *http.Request) error {
	raw, err := wire.ReadBody(r)
	if err != nil {
		return err
	}
	top, err := wire.Object("body", raw, []string{"snapshot"}, "snapshot")
	if err != nil {
		return err
	}
	m, err := wire.Object("snapshot", top["snapshot"], []string{"volume_id", "force", "display_name", "display_description"}, "volume_id")
	if err != nil {
		return err
	}
	var req volinfo.SnapshotRequest
	for k, dst := range map[string]*string{"volume_id": &req.VolumeID, "display_name": &req.Name, "display_description": &req.Description} {
		if v, ok := m[k]; ok {
			if *dst, err = wire.StringField(k, v); err != nil {
				return err
			}
		}
	}
	if v, ok := m["force"]; ok {
		if req.Force, err = wire.NovaBool(v); err != nil {
			return err
		}
	}
	v, err := h.need()
	if err != nil {
		return err
	}
	s, err := v.CreateSnapshot(r.Context(), h.Caller(r).Token, req)
	if err != nil {
		return word(err, "Volume "+req.VolumeID+" could not be found.")
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"snapshot": snapshotView(s)})
}

// DeleteSnapshot is DELETE /os-snapshots/{id}.
func (h *Handler) DeleteSnapshot(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if id == "" {
		return wire.NotFoundResource()
	}
	v, err := h.need()
	if err != nil {
		return err
	}
	if err := v.DeleteSnapshot(r.Context(), h.Caller(r).Token, id); err != nil {
		return word(err, "Snapshot "+id+" could not be found.")
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
