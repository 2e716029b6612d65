// Package attachments is the HTTP face of attachments: the attachments
// API (3.27+, os-complete 3.44+, mode 3.54+) and the legacy attach
// actions of a volume, rendered as Cinder renders them. It also renders
// a volume's "attachments" field for the volumes handlers
// (VolumeAttachments).
package attachments

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/attachments"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Handlers serve the attachment routes.
type Handlers struct{ *wire.Ctx }

func (h Handlers) use() attachments.Attachments { return attachments.New(h.Svc) }

// Load is the policy target of an attachment route: the attachment's
// project, or Cinder's 404 when the caller cannot see it.
func (h Handlers) Load(r *http.Request) (map[string]any, error) {
	a, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": a.ProjectID, "id": a.ID, "volume_id": a.VolumeID}, nil
}

// Create is POST /attachments.
func (h Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	allowed := []string{"volume_uuid", "instance_uuid", "connector"}
	if wire.AtLeast(r, 54) {
		allowed = append(allowed, "mode")
	}
	body, err := envelope(r, "attachment", allowed...)
	if err != nil {
		return err
	}
	var req attachments.CreateRequest
	if req.VolumeID, err = uuidField(body, "volume_uuid", true); err != nil {
		return err
	}
	if req.InstanceID, err = uuidField(body, "instance_uuid", false); err != nil {
		return err
	}
	if raw, ok := body["connector"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &req.Connector); err != nil || req.Connector == nil {
			return invalid("connector", "The value is not of type 'object', 'null'")
		}
	}
	if raw, ok := body["mode"]; ok {
		if err := json.Unmarshal(raw, &req.Mode); err != nil || (req.Mode != blockstorage.ModeRW && req.Mode != blockstorage.ModeRO) {
			return invalid("mode", "The value is not one of ['rw', 'ro']")
		}
	}
	req.Authorize = func(vol *blockstorage.Volume) error {
		if vol.Multiattach && vol.Bootable && vol.Status == blockstorage.StatusInUse &&
			!h.Allowed(r, policies.MultiattachBootable, wire.Item{"project_id": vol.ProjectID}) {
			return wire.Forbidden(policies.MultiattachBootable)
		}
		return nil
	}
	a, err := h.use().Create(r.Context(), h.Scope(r), req)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "attachment", Detail(a))
}

// Show is GET /attachments/{id}.
func (h Handlers) Show(w http.ResponseWriter, r *http.Request) error {
	a, err := h.use().Get(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "attachment", Detail(a))
}

// List is GET /attachments (id, status, instance, volume_id).
func (h Handlers) List(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, false) }

// DetailList is GET /attachments/detail.
func (h Handlers) DetailList(w http.ResponseWriter, r *http.Request) error { return h.list(w, r, true) }

func (h Handlers) list(w http.ResponseWriter, r *http.Request, detail bool) error {
	lq, err := wire.ParseList(r)
	if err != nil {
		return err
	}
	sc := h.Scope(r)
	q := r.URL.Query()
	f := blockstorage.AttachmentFilter{Scope: sc, AllProjects: wire.AllTenants(r, sc),
		VolumeID: q.Get("volume_id"), InstanceID: q.Get("instance_id"), Status: q.Get("status")}
	if s := q.Get("attach_status"); s != "" {
		f.Status = s
	}
	as, err := h.use().List(r.Context(), f)
	if err != nil {
		return err
	}
	items := make([]wire.Item, 0, len(as))
	for _, a := range as {
		it := Summary(a)
		if detail {
			it = Detail(a)
		}
		// The default order is Cinder's, created_at then id, newest
		// first; the keys only sort.
		it["created_at"], it["updated_at"] = wire.Stamp(a.CreatedAt), wire.Stamp(a.UpdatedAt)
		items = append(items, it)
	}
	page, total, err := lq.Page(items)
	if err != nil {
		return err
	}
	for _, it := range page {
		delete(it, "created_at")
		delete(it, "updated_at")
	}
	return wire.WriteList(w, r, "attachments", lq, page, total)
}

// Update is PUT /attachments/{id}: the consumer's connector.
func (h Handlers) Update(w http.ResponseWriter, r *http.Request) error {
	body, err := envelope(r, "attachment", "connector")
	if err != nil {
		return err
	}
	raw, ok := body["connector"]
	if !ok {
		return invalid("attachment", "'connector' is a required property")
	}
	var connector map[string]any
	if err := json.Unmarshal(raw, &connector); err != nil || connector == nil {
		return invalid("connector", "The value is not of type 'object'")
	}
	if len(connector) == 0 {
		return invalid("connector", "{} does not have enough properties")
	}
	a, err := h.use().Update(r.Context(), h.Scope(r), r.PathValue("id"), connector)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, "attachment", Detail(a))
}

// Complete is the os-complete action of POST /attachments/{id}/action
// (3.44): 204.
func (h Handlers) Complete(w http.ResponseWriter, r *http.Request) error {
	top, err := actionBody(r)
	if err != nil {
		return err
	}
	if raw := top["os-complete"]; string(raw) != "null" {
		return invalid("os-complete", "The value is not of type 'null'")
	}
	if err := h.use().Complete(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Delete is DELETE /attachments/{id}: 200 with the volume's remaining
// attachments.
func (h Handlers) Delete(w http.ResponseWriter, r *http.Request) error {
	rest, err := h.use().Delete(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	items := make([]wire.Item, 0, len(rest))
	for _, a := range rest {
		items = append(items, Summary(a))
	}
	return wire.Reply(w, http.StatusOK, "attachments", items)
}

// Summary is an attachment in a list.
func Summary(a *blockstorage.Attachment) wire.Item {
	return wire.Item{"id": a.ID, "status": a.Status, "instance": wire.Nullable(a.InstanceID), "volume_id": a.VolumeID}
}

// Detail is an attachment as Cinder shows it: the summary, its times
// ("" when unset), its mode ("null" before one was chosen) and its
// connection info, flattened as Cinder's volume service returns it (the
// backend's data beside driver_volume_type and attachment_id; {} before
// a connector was given).
func Detail(a *blockstorage.Attachment) wire.Item {
	it := Summary(a)
	it["attached_at"], it["detached_at"] = timeOrEmpty(a.AttachedAt), timeOrEmpty(a.DetachedAt)
	it["attach_mode"] = a.Mode
	if a.Mode == "" {
		it["attach_mode"] = "null"
	}
	conn := map[string]any{}
	if a.Connection != nil {
		for k, v := range a.Connection.Data {
			conn[k] = v
		}
		conn["driver_volume_type"] = a.Connection.DriverVolumeType
		conn["attachment_id"] = a.ID
	}
	it["connection_info"] = conn
	return it
}

// VolumeAttachments is a volume's "attachments" field: its attached
// attachments only, each under the volume's id (Cinder's quirk) with the
// attachment's as attachment_id; host_name is shown to admins only.
func VolumeAttachments(atts []*blockstorage.Attachment, admin bool) []map[string]any {
	out := []map[string]any{}
	for _, a := range atts {
		if a.Status != blockstorage.AttachAttached {
			continue
		}
		m := map[string]any{"id": a.VolumeID, "attachment_id": a.ID, "volume_id": a.VolumeID,
			"server_id": wire.Nullable(a.InstanceID), "host_name": nil, "device": wire.Nullable(a.Mountpoint),
			"attached_at": wire.Stamp(a.AttachedAt)}
		if admin {
			m["host_name"] = wire.Nullable(a.Host)
		}
		out = append(out, m)
	}
	return out
}

// timeOrEmpty is an attachment view's time: "" when unset.
func timeOrEmpty(t time.Time) any {
	if t.IsZero() {
		return ""
	}
	return wire.Stamp(t)
}

// actionBody reads an action's {name: value} body.
func actionBody(r *http.Request) (map[string]json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := wireDecode(r, &top); err != nil {
		return nil, err
	}
	return top, nil
}

// envelope reads {key: {...}} of a schema-validated Cinder body: key is
// required and must be an object whose attributes are among allowed.
func envelope(r *http.Request, key string, allowed ...string) (map[string]json.RawMessage, error) {
	top, err := actionBody(r)
	if err != nil {
		return nil, err
	}
	raw, ok := top[key]
	if !ok {
		return nil, apierr.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is a required property", key, compact(top), key)
	}
	for k := range top {
		if k != key {
			return nil, apierr.BadRequest("Additional properties are not allowed ('%s' was unexpected)", k)
		}
	}
	return object(key, raw, allowed...)
}

// object reads the object of attribute name, refusing attributes not in
// allowed (Cinder's additionalProperties: false).
func object(name string, raw json.RawMessage, allowed ...string) (map[string]json.RawMessage, error) {
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil || body == nil {
		return nil, invalid(name, "The value is not of type 'object'")
	}
	for k := range body {
		known := false
		for _, a := range allowed {
			known = known || a == k
		}
		if !known {
			return nil, apierr.BadRequest("Invalid input for field/attribute %s. Value: %s. Additional properties are not allowed ('%s' was unexpected)", name, compact(body), k)
		}
	}
	return body, nil
}

// uuidField reads a UUID attribute; required says whether it must be
// there.
func uuidField(body map[string]json.RawMessage, name string, required bool) (string, error) {
	raw, ok := body[name]
	if !ok || string(raw) == "null" {
		if required {
			return "", invalid("attachment", "'"+name+"' is a required property")
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || uuid.Validate(s) != nil {
		return "", invalid(name, "The value is not a 'uuid'")
	}
	return s, nil
}

// invalid is Cinder's schema validation error: "Invalid input for
// field/attribute <name>. ... <why>".
func invalid(field, why string) *apierr.Error {
	return apierr.BadRequest("Invalid input for field/attribute %s. %s", field, why)
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
