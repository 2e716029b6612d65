package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// peekUserID reads credential.user_id from the body without consuming it,
// for create_credential's policy target.
func peekUserID(r *http.Request) string {
	if r.Body == nil {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, httpapi.MaxBodyBytes+1))
	r.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	var body struct {
		Credential struct {
			UserID any `json:"user_id"`
		} `json:"credential"`
	}
	json.Unmarshal(b, &body)
	s, _ := body.Credential.UserID.(string)
	return s
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func renderRegisteredLimit(r *http.Request, l *identity.RegisteredLimit) map[string]any {
	return map[string]any{
		"id":            l.ID,
		"service_id":    l.ServiceID,
		"region_id":     nullable(l.RegionID),
		"resource_name": l.ResourceName,
		"default_limit": l.DefaultLimit,
		"description":   nullable(l.Description),
		"links":         link(r, "registered_limits/"+l.ID),
	}
}

func renderLimit(r *http.Request, l *identity.Limit) map[string]any {
	return map[string]any{
		"id":             l.ID,
		"project_id":     nullable(l.ProjectID),
		"domain_id":      nullable(l.DomainID),
		"service_id":     l.ServiceID,
		"region_id":      nullable(l.RegionID),
		"resource_name":  l.ResourceName,
		"resource_limit": l.ResourceLimit,
		"description":    nullable(l.Description),
		"links":          link(r, "limits/"+l.ID),
	}
}

// decodeList reads {"<key>": [ {...}, ... ]}.
func decodeList(r *http.Request, key string) ([]map[string]any, error) {
	var outer map[string]any
	if err := httpapi.Decode(r, &outer, httpapi.DecodeOptions{}); err != nil {
		return nil, err
	}
	list, ok := outer[key].([]any)
	if !ok || len(list) == 0 {
		return nil, badRequest("Invalid input for field '%s': a non-empty list is required.", key)
	}
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, badRequest("Invalid input for field '%s': %v is not of type 'object'.", key, x)
		}
		out = append(out, m)
	}
	return out, nil
}

func strictFields(f *fields) error {
	if f.err != nil {
		return f.err
	}
	for k := range f.m {
		return badRequest("Additional properties are not allowed ('%s' was unexpected).", k)
	}
	return nil
}

func (h *Handler) showLimitModel(w http.ResponseWriter, r *http.Request) error {
	m := h.svc.LimitModel()
	return writeOne(w, http.StatusOK, "model", map[string]any{"name": m.Name, "description": m.Description})
}

func (h *Handler) listRegisteredLimits(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ls, err := h.svc.ListRegisteredLimits(r.Context(), q.Get("service_id"), q.Get("region_id"), q.Get("resource_name"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ls))
	for _, l := range ls {
		out = append(out, renderRegisteredLimit(r, l))
	}
	return writeList(w, r, "registered_limits", out)
}

func (h *Handler) createRegisteredLimits(w http.ResponseWriter, r *http.Request) error {
	items, err := decodeList(r, "registered_limits")
	if err != nil {
		return err
	}
	var ls []*identity.RegisteredLimit
	for _, m := range items {
		f := &fields{m: m}
		l := &identity.RegisteredLimit{
			ServiceID:    deref(f.str("service_id", false)),
			RegionID:     deref(f.str("region_id", true)),
			ResourceName: deref(f.str("resource_name", false)),
			Description:  deref(f.str("description", true)),
		}
		dl := f.integer("default_limit")
		if err := strictFields(f); err != nil {
			return err
		}
		if dl == nil {
			return badRequest("Invalid input for field 'default_limit': 'default_limit' is a required property.")
		}
		l.DefaultLimit = *dl
		ls = append(ls, l)
	}
	ls, err = h.svc.CreateRegisteredLimits(r.Context(), ls)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ls))
	for _, l := range ls {
		out = append(out, renderRegisteredLimit(r, l))
	}
	return httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"registered_limits": out})
}

func (h *Handler) showRegisteredLimit(w http.ResponseWriter, r *http.Request) error {
	l, err := h.svc.GetRegisteredLimit(r.Context(), r.PathValue("registered_limit_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "registered_limit", renderRegisteredLimit(r, l))
}

func (h *Handler) updateRegisteredLimit(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "registered_limit")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	p := identity.RegisteredLimitPatch{
		ServiceID:    f.str("service_id", false),
		RegionID:     f.str("region_id", true),
		ResourceName: f.str("resource_name", false),
		Description:  f.str("description", true),
		DefaultLimit: f.integer("default_limit"),
	}
	if err := strictFields(f); err != nil {
		return err
	}
	l, err := h.svc.UpdateRegisteredLimit(r.Context(), r.PathValue("registered_limit_id"), p)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "registered_limit", renderRegisteredLimit(r, l))
}

func (h *Handler) deleteRegisteredLimit(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteRegisteredLimit(r.Context(), r.PathValue("registered_limit_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) limitTarget(r *http.Request) (map[string]any, error) {
	id := r.PathValue("limit_id")
	l, err := h.svc.GetLimit(r.Context(), id)
	if err != nil {
		return target("limit", map[string]any{"id": id}, nil), nil
	}
	return target("limit", map[string]any{"id": l.ID, "project_id": l.ProjectID, "domain_id": l.DomainID}, nil), nil
}

func (h *Handler) listLimits(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := identity.LimitFilter{
		ServiceID: q.Get("service_id"), RegionID: q.Get("region_id"), ResourceName: q.Get("resource_name"),
		ProjectID: q.Get("project_id"), DomainID: q.Get("domain_id"),
	}
	ls, err := h.svc.ListLimits(r.Context(), f)
	if err != nil {
		return err
	}
	values := creds(r).PolicyValues()
	out := []map[string]any{}
	for _, l := range ls {
		t := target("limit", map[string]any{"id": l.ID, "project_id": l.ProjectID, "domain_id": l.DomainID}, nil)
		if h.api.Policy != nil && !h.api.Policy.Enforce("identity:get_limit", t, values) {
			continue
		}
		out = append(out, renderLimit(r, l))
	}
	return writeList(w, r, "limits", out)
}

func (h *Handler) createLimits(w http.ResponseWriter, r *http.Request) error {
	items, err := decodeList(r, "limits")
	if err != nil {
		return err
	}
	var ls []*identity.Limit
	for _, m := range items {
		f := &fields{m: m}
		l := &identity.Limit{
			ProjectID:    deref(f.str("project_id", true)),
			DomainID:     deref(f.str("domain_id", true)),
			ServiceID:    deref(f.str("service_id", false)),
			RegionID:     deref(f.str("region_id", true)),
			ResourceName: deref(f.str("resource_name", false)),
			Description:  deref(f.str("description", true)),
		}
		rl := f.integer("resource_limit")
		if err := strictFields(f); err != nil {
			return err
		}
		if rl == nil {
			return badRequest("Invalid input for field 'resource_limit': 'resource_limit' is a required property.")
		}
		l.ResourceLimit = *rl
		ls = append(ls, l)
	}
	ls, err = h.svc.CreateLimits(r.Context(), ls)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ls))
	for _, l := range ls {
		out = append(out, renderLimit(r, l))
	}
	return httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"limits": out})
}

func (h *Handler) showLimit(w http.ResponseWriter, r *http.Request) error {
	l, err := h.svc.GetLimit(r.Context(), r.PathValue("limit_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "limit", renderLimit(r, l))
}

func (h *Handler) updateLimit(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "limit")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	v := f.integer("resource_limit")
	d := f.str("description", true)
	if err := strictFields(f); err != nil {
		return err
	}
	l, err := h.svc.UpdateLimit(r.Context(), r.PathValue("limit_id"), v, d)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "limit", renderLimit(r, l))
}

func (h *Handler) deleteLimit(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteLimit(r.Context(), r.PathValue("limit_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
