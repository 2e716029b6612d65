package hosts

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gostack/gostack/internal/compute/api/wire"
	chosts "github.com/gostack/gostack/internal/compute/hosts"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// os-services: the compute, scheduler and conductor services of the
// cloud's hosts.

func serviceView(s *chosts.ServiceView, minor int) map[string]any {
	m := map[string]any{
		"binary": s.Binary, "host": s.Host, "zone": s.Zone,
		"status": "enabled", "state": "down", "disabled_reason": wire.NilIfEmpty(s.DisabledReason),
		"updated_at": nil,
	}
	if s.Disabled {
		m["status"] = "disabled"
	}
	if s.Up {
		m["state"] = "up"
	}
	if !s.UpdatedAt.IsZero() {
		m["updated_at"] = s.UpdatedAt.UTC().Format(wire.MicroTime)
	}
	if minor >= 53 {
		m["id"] = s.ID
	} else {
		m["id"] = s.IntID
	}
	if minor >= 11 {
		m["forced_down"] = s.ForcedDown
	}
	return m
}

func (h *Handler) ListServices(w http.ResponseWriter, r *http.Request) error {
	if err := wire.StrictQuery(r, 75, "host", "binary"); err != nil {
		return err
	}
	q := r.URL.Query()
	svcs, err := h.hosts.Services(r.Context(), q.Get("host"), q.Get("binary"))
	if err != nil {
		return err
	}
	minor := httpapi.VersionFrom(r.Context()).Minor
	out := make([]any, len(svcs))
	for i := range svcs {
		out[i] = serviceView(&svcs[i], minor)
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"services": out})
}

// serviceBody reads a PUT /os-services body: a flat object of allowed
// fields with the required ones.
func serviceBody(r *http.Request, allowed []string, req ...string) (map[string]json.RawMessage, error) {
	body, err := wire.ReadBody(r)
	if err != nil {
		return nil, err
	}
	m, err := wire.ObjectField("body", body, false)
	if err != nil {
		return nil, err
	}
	if err := wire.OnlyFields("body", m, allowed); err != nil {
		return nil, err
	}
	if err := wire.Required("body", m, req...); err != nil {
		return nil, err
	}
	return m, nil
}

func (h *Handler) UpdateService(w http.ResponseWriter, r *http.Request) error {
	minor := httpapi.VersionFrom(r.Context()).Minor
	if minor < 53 {
		return h.updateServiceByHost(w, r, minor)
	}
	id := r.PathValue("id")
	if !wire.IsUUID(id) {
		return wire.BadRequest("Invalid uuid %s", id)
	}
	m, err := serviceBody(r, []string{"status", "disabled_reason", "forced_down"})
	if err != nil {
		return err
	}
	var u chosts.ServiceUpdate
	if v, ok := m["status"]; ok {
		s, err := wire.StringField("status", v)
		if err != nil {
			return err
		}
		if s != "enabled" && s != "disabled" {
			return wire.InvalidField("status", v, strconv.Quote(s)+" is not one of ['enabled', 'disabled']")
		}
		d := s == "disabled"
		u.Disabled = &d
	}
	if v, ok := m["disabled_reason"]; ok {
		s, err := wire.StringField("disabled_reason", v)
		if err != nil {
			return err
		}
		if err := wire.LengthBetween("disabled_reason", v, s, 1, 255); err != nil {
			return err
		}
		if u.Disabled == nil || !*u.Disabled {
			return wire.BadRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.")
		}
		u.DisabledReason = &s
	}
	if v, ok := m["forced_down"]; ok {
		b, err := wire.BoolField("forced_down", v)
		if err != nil {
			return err
		}
		u.ForcedDown = &b
	}
	if u.Disabled == nil && u.ForcedDown == nil {
		return wire.BadRequest("No updates were requested. Fields 'status' or 'forced_down' should be specified.")
	}
	if u.Disabled != nil && !*u.Disabled {
		empty := ""
		u.DisabledReason = &empty
	}
	s, err := h.hosts.UpdateService(r.Context(), id, u)
	if err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"service": serviceView(s, minor)})
}

// updateServiceByHost serves the pre-2.53 PUT /os-services/{action}.
func (h *Handler) updateServiceByHost(w http.ResponseWriter, r *http.Request, minor int) error {
	action := r.PathValue("id")
	fields := []string{"host", "binary"}
	switch action {
	case "enable", "disable":
	case "disable-log-reason":
		fields = append(fields, "disabled_reason")
	case "force-down":
		if minor < 11 {
			return &apierr.Error{Code: http.StatusNotFound, Message: "Unknown action"}
		}
		fields = append(fields, "forced_down")
	default:
		return &apierr.Error{Code: http.StatusNotFound, Message: "Unknown action"}
	}
	m, err := serviceBody(r, fields, fields...)
	if err != nil {
		return err
	}
	host, err := wire.StringField("host", m["host"])
	if err != nil {
		return err
	}
	binary, err := wire.StringField("binary", m["binary"])
	if err != nil {
		return err
	}
	out := map[string]any{"host": host, "binary": binary}
	var u chosts.ServiceUpdate
	switch action {
	case "enable":
		f, empty := false, ""
		u.Disabled, u.DisabledReason = &f, &empty
		out["status"] = "enabled"
	case "disable":
		t := true
		u.Disabled = &t
		out["status"] = "disabled"
	case "disable-log-reason":
		reason, err := wire.StringField("disabled_reason", m["disabled_reason"])
		if err != nil {
			return err
		}
		if err := wire.LengthBetween("disabled_reason", m["disabled_reason"], reason, 1, 255); err != nil {
			return err
		}
		t := true
		u.Disabled, u.DisabledReason = &t, &reason
		out["status"], out["disabled_reason"] = "disabled", reason
	case "force-down":
		b, err := wire.BoolField("forced_down", m["forced_down"])
		if err != nil {
			return err
		}
		u.ForcedDown = &b
		out["forced_down"] = b
	}
	if _, err := h.hosts.UpdateServiceByHost(r.Context(), host, binary, u); err != nil {
		return err
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"service": out})
}

func (h *Handler) DeleteService(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if wire.At(r, 53) {
		if !wire.IsUUID(id) {
			return wire.BadRequest("Invalid uuid %s", id)
		}
	} else {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return wire.BadRequest("Invalid ID %s", id)
		}
		svcs, err := h.hosts.Services(r.Context(), "", "")
		if err != nil {
			return err
		}
		id = ""
		for _, s := range svcs {
			if s.IntID == n {
				id = s.ID
			}
		}
		if id == "" {
			return &apierr.Error{Code: http.StatusNotFound, Message: "Service " + strconv.FormatInt(n, 10) + " could not be found."}
		}
	}
	if err := h.hosts.DeleteService(r.Context(), id); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
