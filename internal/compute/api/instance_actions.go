package api

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// actionTarget is the policy target of os-instance-actions: the server's
// project. A deleted server has no live row; its actions are then the
// Service's to refuse, with the caller's project as the target.
func (h *Handler) actionTarget(r *http.Request) (map[string]any, error) {
	inst, err := h.svc.Server(r.Context(), caller(r), r.PathValue("id"))
	var nf *compute.NotFoundError
	if errors.As(err, &nf) {
		return ownProject(r)
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"project_id": inst.ProjectID, "user_id": inst.UserID}, nil
}

func actionView(a *compute.InstanceAction, minor int) map[string]any {
	m := map[string]any{
		"action": a.Action, "instance_uuid": a.InstanceID, "request_id": a.RequestID,
		"user_id": a.UserID, "project_id": a.ProjectID, "start_time": a.StartTime.UTC().Format(microTime),
		"message": nilIfEmpty(a.Message),
	}
	if minor >= 58 {
		m["updated_at"] = a.UpdatedAt.UTC().Format(microTime)
	}
	return m
}

// eventOpts says what of an event a caller sees.
type eventOpts struct {
	traceback, host, hostID, details bool
}

func eventView(e *compute.ActionEvent, project string, o eventOpts) map[string]any {
	m := map[string]any{
		"event": e.Event, "start_time": e.StartTime.UTC().Format(microTime),
		"finish_time": timeOrNil(e.FinishTime, microTime), "result": nilIfEmpty(e.Result),
	}
	if o.traceback {
		m["traceback"] = nilIfEmpty(e.Traceback)
	}
	if o.host {
		m["host"] = e.Host
	}
	if o.hostID {
		m["hostId"] = hostID(project, e.Host)
	}
	if o.details {
		m["details"] = nilIfEmpty(e.Details)
	}
	return m
}

func (h *Handler) listInstanceActions(w http.ResponseWriter, r *http.Request) error {
	minor := httpapi.VersionFrom(r.Context()).Minor
	var f compute.ActionFilter
	var page httpapi.Page
	if minor >= 58 {
		allowed := []string{"limit", "marker", "changes-since"}
		if minor >= 66 {
			allowed = append(allowed, "changes-before")
		}
		if err := strictQuery(r, 58, allowed...); err != nil {
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
				t, ok := parseTime(s)
				if !ok {
					return badRequest("Invalid input for query parameters %s. Value: %s. '%s' is not a 'date-time'", p.name, s, s)
				}
				*p.dst = &t
			}
		}
		if f.ChangesSince != nil && f.ChangesBefore != nil && f.ChangesBefore.Before(*f.ChangesSince) {
			return badRequest("The value of changes-since must be less than or equal to changes-before.")
		}
	}
	id := r.PathValue("id")
	acts, err := h.svc.InstanceActions(r.Context(), caller(r), id, f)
	var nf *compute.NotFoundError
	if errors.As(err, &nf) && f.Marker != "" {
		return badRequest("Marker %s could not be found.", f.Marker)
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
		body["links"] = []httpapi.Link{{Rel: "next", Href: baseOf(r).self("servers/" + url.PathEscape(id) + "/os-instance-actions?" + q.Encode())}}
	}
	return reply(w, http.StatusOK, body)
}

func (h *Handler) showInstanceAction(w http.ResponseWriter, r *http.Request) error {
	minor := httpapi.VersionFrom(r.Context()).Minor
	id := r.PathValue("id")
	a, err := h.svc.InstanceAction(r.Context(), caller(r), id, r.PathValue("request_id"))
	if err != nil {
		return err
	}
	view := actionView(a, minor)
	target := map[string]any{"project_id": a.ProjectID}
	var o eventOpts
	show := false
	if h.can(r, compute.RuleInstanceActionsEvents, target) {
		show, o.traceback, o.host = true, true, minor >= 62
	} else if minor >= 51 {
		show = true
	}
	o.hostID = minor >= 62
	o.details = minor >= 84 && h.can(r, compute.RuleInstanceActionsEventsDetails, target)
	if show {
		evs := make([]any, len(a.Events))
		for i := range a.Events {
			evs[i] = eventView(&a.Events[i], a.ProjectID, o)
		}
		view["events"] = evs
	}
	return reply(w, http.StatusOK, map[string]any{"instanceAction": view})
}
