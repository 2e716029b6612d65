package attachments

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gostack/gostack/internal/blockstorage/api/wire"
	"github.com/gostack/gostack/internal/blockstorage/attachments"
	"github.com/gostack/gostack/internal/blockstorage/policies"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// VolumeActions are the attach actions of a volume (POST
// /volumes/{id}/action): os-reserve, os-unreserve, os-begin_detaching,
// os-roll_detaching, os-initialize_connection, os-terminate_connection,
// os-attach, os-detach, os-force_detach.
func (h Handlers) VolumeActions() []httpapi.Action {
	act := func(name, rule string, fn httpapi.HandlerFunc) httpapi.Action {
		return httpapi.Action{Name: name, Policy: rule, Target: h.volume, Handler: fn}
	}
	return []httpapi.Action{
		act("os-reserve", policies.VolumeReserve, h.reserve),
		act("os-unreserve", policies.VolumeUnreserve, h.unreserve),
		act("os-begin_detaching", policies.VolumeBeginDetaching, h.beginDetaching),
		act("os-roll_detaching", policies.VolumeRollDetaching, h.rollDetaching),
		act("os-initialize_connection", policies.VolumeInitConnection, h.initializeConnection),
		act("os-terminate_connection", policies.VolumeTermConnection, h.terminateConnection),
		act("os-attach", policies.VolumeAttach, h.attach),
		act("os-detach", policies.VolumeDetach, h.detach),
		act("os-force_detach", policies.VolumeForceDetach, h.forceDetach),
	}
}

// volume is the policy target of an attach action: the volume's
// project, or Cinder's 404 when the caller cannot see it.
func (h Handlers) volume(r *http.Request) (map[string]any, error) {
	v, err := h.use().Volume(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": v.ProjectID, "user_id": v.UserID, "id": v.ID}, nil
}

// args reads an action's arguments, {name: {...}}: null and {} are no
// arguments; attributes outside allowed are refused.
func args(r *http.Request, name string, allowed ...string) (map[string]json.RawMessage, error) {
	top, err := actionBody(r)
	if err != nil {
		return nil, err
	}
	raw := top[name]
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]json.RawMessage{}, nil
	}
	return object(name, raw, allowed...)
}

// stringArg reads an optional string attribute.
func stringArg(body map[string]json.RawMessage, action, name string) (string, error) {
	raw, ok := body[name]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", invalid(action+"/"+name, "The value is not of type 'string'")
	}
	return s, nil
}

// connectorArg reads a connector: an object, or (as Cinder's schema
// allows) a string, which names nothing the backends use and is refused.
func connectorArg(body map[string]json.RawMessage, action string, required bool) (map[string]any, error) {
	raw, ok := body["connector"]
	if !ok || string(raw) == "null" {
		if required {
			return nil, apierr.BadRequest("Must specify 'connector'")
		}
		return nil, nil
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil || c == nil {
		return nil, invalid(action+"/connector", "The value is not of type 'object'")
	}
	return c, nil
}

func (h Handlers) simple(w http.ResponseWriter, r *http.Request, name string, fn func(u attachments.Attachments, r *http.Request) error) error {
	if _, err := args(r, name); err != nil {
		return err
	}
	if err := fn(h.use(), r); err != nil {
		return err
	}
	return wire.Accepted(w)
}

func (h Handlers) reserve(w http.ResponseWriter, r *http.Request) error {
	return h.simple(w, r, "os-reserve", func(u attachments.Attachments, r *http.Request) error {
		return u.Reserve(r.Context(), h.Scope(r), r.PathValue("id"))
	})
}

func (h Handlers) unreserve(w http.ResponseWriter, r *http.Request) error {
	return h.simple(w, r, "os-unreserve", func(u attachments.Attachments, r *http.Request) error {
		return u.Unreserve(r.Context(), h.Scope(r), r.PathValue("id"))
	})
}

func (h Handlers) beginDetaching(w http.ResponseWriter, r *http.Request) error {
	return h.simple(w, r, "os-begin_detaching", func(u attachments.Attachments, r *http.Request) error {
		return u.BeginDetaching(r.Context(), h.Scope(r), r.PathValue("id"))
	})
}

func (h Handlers) rollDetaching(w http.ResponseWriter, r *http.Request) error {
	return h.simple(w, r, "os-roll_detaching", func(u attachments.Attachments, r *http.Request) error {
		return u.RollDetaching(r.Context(), h.Scope(r), r.PathValue("id"))
	})
}

// initializeConnection answers 200 {"connection_info": {...}}.
func (h Handlers) initializeConnection(w http.ResponseWriter, r *http.Request) error {
	body, err := args(r, "os-initialize_connection", "connector")
	if err != nil {
		return err
	}
	c, err := connectorArg(body, "os-initialize_connection", true)
	if err != nil {
		return err
	}
	conn, err := h.use().InitializeConnection(r.Context(), h.Scope(r), r.PathValue("id"), c)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"connection_info": conn})
}

func (h Handlers) terminateConnection(w http.ResponseWriter, r *http.Request) error {
	body, err := args(r, "os-terminate_connection", "connector")
	if err != nil {
		return err
	}
	c, err := connectorArg(body, "os-terminate_connection", true)
	if err != nil {
		return err
	}
	if err := h.use().TerminateConnection(r.Context(), h.Scope(r), r.PathValue("id"), c); err != nil {
		return err
	}
	return wire.Accepted(w)
}

func (h Handlers) attach(w http.ResponseWriter, r *http.Request) error {
	body, err := args(r, "os-attach", "instance_uuid", "mountpoint", "host_name", "mode")
	if err != nil {
		return err
	}
	var req attachments.AttachRequest
	for name, dst := range map[string]*string{"instance_uuid": &req.InstanceID, "mountpoint": &req.Mountpoint,
		"host_name": &req.HostName, "mode": &req.Mode} {
		if *dst, err = stringArg(body, "os-attach", name); err != nil {
			return err
		}
	}
	if _, ok := body["mountpoint"]; !ok {
		return invalid("os-attach", "'mountpoint' is a required property")
	}
	if n := len(req.Mountpoint); n == 0 || n > 255 {
		return invalid("os-attach/mountpoint", fmt.Sprintf("%q should be 1 to 255 characters long", req.Mountpoint))
	}
	if len(req.HostName) > 255 {
		return invalid("os-attach/host_name", "The value is longer than 255 characters")
	}
	if err := h.use().Attach(r.Context(), h.Scope(r), r.PathValue("id"), req); err != nil {
		return err
	}
	return wire.Accepted(w)
}

func (h Handlers) detach(w http.ResponseWriter, r *http.Request) error {
	body, err := args(r, "os-detach", "attachment_id")
	if err != nil {
		return err
	}
	id, err := stringArg(body, "os-detach", "attachment_id")
	if err != nil {
		return err
	}
	if err := h.use().Detach(r.Context(), h.Scope(r), r.PathValue("id"), id); err != nil {
		return err
	}
	return wire.Accepted(w)
}

func (h Handlers) forceDetach(w http.ResponseWriter, r *http.Request) error {
	top, err := actionBody(r)
	if err != nil {
		return err
	}
	if raw := top["os-force_detach"]; len(raw) > 0 && raw[0] != '{' && string(raw) != "null" {
		return apierr.BadRequest("Invalid value '%s' for os-force_detach.", string(raw))
	}
	body, err := object("os-force_detach", nonNull(top["os-force_detach"]), "connector", "attachment_id")
	if err != nil {
		return err
	}
	c, err := connectorArg(body, "os-force_detach", false)
	if err != nil {
		return err
	}
	id, err := stringArg(body, "os-force_detach", "attachment_id")
	if err != nil {
		return err
	}
	if err := h.use().ForceDetach(r.Context(), h.Scope(r), r.PathValue("id"), id, c); err != nil {
		return err
	}
	return wire.Accepted(w)
}

// nonNull reads a null action argument as an empty object.
func nonNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage("{}")
	}
	return raw
}
