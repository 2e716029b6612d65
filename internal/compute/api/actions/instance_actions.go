package actions

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/policies"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// ActionTarget is the policy target of os-instance-actions: the server's
// project. A deleted server has no live row; its actions are then the
// Service's to refuse, with the caller's project as the target.
func (h *Handler) ActionTarget(r *http.Request) (map[string]any, error) {
	inst, err := h.servers.Get(r.Context(), h.Caller(r), r.PathValue("id"))
	if apierr.IsNotFound(err) {
		return wire.OwnProject(r)
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": inst.ProjectID, "user_id": inst.UserID}, nil
}

func actionView(a *compute.InstanceAction, minor int) map[string]any {
	m := map[string]any{
		"action": a.Action, "instance_uuid": a.InstanceID, "request_id": a.RequestID,
		"user_id": a.UserID, "project_id": a.ProjectID, "start_time": a.StartTime.UTC().Format(wire.MicroTime),
		"message": wire.NilIfEmpty(a.Message),
	}
	if minor >= 58 {
		m["updated_at"] = a.UpdatedAt.UTC().Format(wire.MicroTime)
	}
	return m
}

// eventOpts says what of an event a caller sees.
type eventOpts struct {
	traceback, host, hostID, details bool
}

func eventView(e *compute.ActionEvent, project string, o eventOpts) map[string]any {
	m := map[string]any{
		"event": e.Event, "start_time": e.StartTime.UTC().Format(wire.MicroTime),
		"finish_time": wire.TimeOrNil(e.FinishTime, wire.MicroTime), "result": wire.NilIfEmpty(e.Result),
	}
	if o.traceback {
		m["traceback"] = wire.NilIfEmpty(e.Traceback)
	}
	if o.host {
		m["host"] = e.Host
	}
	if o.hostID {
		m["hostId"] = wire.HostID(project, e.Host)
	}
	if o.details {
		m["details"] = wire.NilIfEmpty(e.Details)
	}
	return m
}

func (h *Handler) ListInstanceActions(w http.ResponseWriter, r *http.Request) error {
	minor := httpapi.VersionFrom(r.Context()).Minor
	var f compute.ActionFilter
	var page httpapi.Page
	if minor >= 58 {
		allowed := []string{"limit", "marker", "changes-since"}
		if minor >= 66 {
			allowed = append(allowed, "changes-before")
		}
		if err := wire.StrictQuery(r, 58, allowed...); err != nil {
			return err
		}
		var err error
		if page, err = httpapi.ParsePage(r, httpapi.PageOptions{}); err != nil {
			return err
		}
		f.Limit, f.Marker = page.Limit, page.Marker
		q := r.URL.Query()
		for _, p := range []struct {
			name string
			dst  **time.Time
		}{{"changes-since", &f.ChangesSince}, {"changes-before", &f.ChangesBefore}} {
			if s := q.Get(p.name); s != "" && (p.name != "changes-before" || minor >= 66) {
				t, ok := wire.ParseTime(s)
				if !ok {
					return wire.BadRequest("Invalid input for query parameters %s. Value: %s. '%s' is not a 'date-time'", p.name, s, s)
				}
				*p.dst = &t
			}
		}
		if f.ChangesSince != nil && f.ChangesBefore != nil && f.ChangesBefore.Before(*f.ChangesSince) {
			return wire.BadRequest("The value of changes-since must be less than or equal to changes-before.")
		}
	}
	id := r.PathValue("id")
	acts, err := h.servers.InstanceActions(r.Context(), h.Caller(r), id, f)
	if apierr.IsNotFound(err) && f.Marker != "" {
		return wire.BadRequest("Marker %s could not be found.", f.Marker)
	}
	if err != nil {
		return err
	}
	out := make([]any, len(acts))
	for i := range acts {
		out[i] = actionView(&acts[i], minor)
	}
	body := map[string]any{"instanceActions": out}
	if minor >= 58 && len(acts) > 0 && len(acts) == page.Limit {
		q := r.URL.Query()
		q.Set("limit", strconv.Itoa(page.Limit))
		q.Set("marker", acts[len(acts)-1].RequestID)
		body["links"] = []httpapi.Link{{Rel: "next", Href: wire.BaseOf(r).Self("servers/" + url.PathEscape(id) + "/os-instance-actions?" + q.Encode())}}
	}
	return wire.Reply(w, http.StatusOK, body)
}

func (h *Handler) ShowInstanceAction(w http.ResponseWriter, r *http.Request) error {
	minor := httpapi.VersionFrom(r.Context()).Minor
	id := r.PathValue("id")
	a, err := h.servers.InstanceAction(r.Context(), h.Caller(r), id, r.PathValue("request_id"))
	if err != nil {
		return err
	}
	view := actionView(a, minor)
	target := map[string]any{"project_id": a.ProjectID}
	var o eventOpts
	show := false
	if h.Can(r, policies.InstanceActionsEvents, target) {
		show, o.traceback, o.host = true, true, minor >= 62
	} else if minor >= 51 {
		show = true
	}
	o.hostID = minor >= 62
	o.details = minor >= 84 && h.Can(r, policies.InstanceActionsEventsDetails, target)
	if show {
		evs := make([]any, len(a.Events))
		for i := range a.Events {
			evs[i] = eventView(&a.Events[i], a.ProjectID, o)
		}
		view["events"] = evs
	}
	return wire.Reply(w, http.StatusOK, map[string]any{"instanceAction": view})
}
