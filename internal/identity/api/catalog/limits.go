package catalog

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/catalog"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func renderRegisteredLimit(r *http.Request, l *catalog.RegisteredLimit) map[string]any {
	return map[string]any{
		"id":            l.ID,
		"service_id":    l.ServiceID,
		"region_id":     keystone.Nullable(l.RegionID),
		"resource_name": l.ResourceName,
		"default_limit": l.DefaultLimit,
		"description":   keystone.Nullable(l.Description),
		"links":         keystone.Link(r, "registered_limits/"+l.ID),
	}
}

func renderLimit(r *http.Request, l *catalog.Limit) map[string]any {
	return map[string]any{
		"id":             l.ID,
		"project_id":     keystone.Nullable(l.ProjectID),
		"domain_id":      keystone.Nullable(l.DomainID),
		"service_id":     l.ServiceID,
		"region_id":      keystone.Nullable(l.RegionID),
		"resource_name":  l.ResourceName,
		"resource_limit": l.ResourceLimit,
		"description":    keystone.Nullable(l.Description),
		"links":          keystone.Link(r, "limits/"+l.ID),
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
		return nil, apierr.BadRequest("Invalid input for field '%s': a non-empty list is required.", key)
	}
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, apierr.BadRequest("Invalid input for field '%s': %s is not of type 'object'.", key, directory.Brief(x))
		}
		out = append(out, m)
	}
	return out, nil
}

func (h *Handler) ShowLimitModel(w http.ResponseWriter, r *http.Request) error {
	m := h.svc.LimitModel()
	return keystone.WriteOne(w, http.StatusOK, "model", map[string]any{"name": m.Name, "description": m.Description})
}

func (h *Handler) ListRegisteredLimits(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ls, err := h.svc.ListRegisteredLimits(r.Context(), q.Get("service_id"), q.Get("region_id"), q.Get("resource_name"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ls))
	for _, l := range ls {
		out = append(out, renderRegisteredLimit(r, l))
	}
	return keystone.WriteList(w, r, "registered_limits", out)
}

func (h *Handler) CreateRegisteredLimits(w http.ResponseWriter, r *http.Request) error {
	items, err := decodeList(r, "registered_limits")
	if err != nil {
		return err
	}
	var ls []*catalog.RegisteredLimit
	for _, m := range items {
		f := &keystone.Fields{M: m}
		l := &catalog.RegisteredLimit{
			ServiceID:    keystone.Deref(f.Str("service_id", false)),
			RegionID:     keystone.Deref(f.Str("region_id", true)),
			ResourceName: keystone.Deref(f.Str("resource_name", false)),
			Description:  keystone.Deref(f.Str("description", true)),
		}
		dl := f.Int("default_limit")
		if err := f.Strict(); err != nil {
			return err
		}
		if dl == nil {
			return apierr.BadRequest("Invalid input for field 'default_limit': 'default_limit' is a required property.")
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

func (h *Handler) ShowRegisteredLimit(w http.ResponseWriter, r *http.Request) error {
	l, err := h.svc.GetRegisteredLimit(r.Context(), r.PathValue("registered_limit_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "registered_limit", renderRegisteredLimit(r, l))
}

func (h *Handler) UpdateRegisteredLimit(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "registered_limit")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	p := catalog.RegisteredLimitPatch{
		ServiceID:    f.Str("service_id", false),
		RegionID:     f.Str("region_id", true),
		ResourceName: f.Str("resource_name", false),
		Description:  f.Str("description", true),
		DefaultLimit: f.Int("default_limit"),
	}
	if err := f.Strict(); err != nil {
		return err
	}
	l, err := h.svc.UpdateRegisteredLimit(r.Context(), r.PathValue("registered_limit_id"), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "registered_limit", renderRegisteredLimit(r, l))
}

func (h *Handler) DeleteRegisteredLimit(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteRegisteredLimit(r.Context(), r.PathValue("registered_limit_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) LimitTarget(r *http.Request) (map[string]any, error) {
	id := r.PathValue("limit_id")
	l, err := h.svc.GetLimit(r.Context(), id)
	if err != nil {
		return keystone.Target("limit", map[string]any{"id": id}, nil), nil
	}
	return keystone.Target("limit", map[string]any{"id": l.ID, "project_id": l.ProjectID, "domain_id": l.DomainID}, nil), nil
}

func (h *Handler) ListLimits(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := catalog.LimitFilter{
		ServiceID: q.Get("service_id"), RegionID: q.Get("region_id"), ResourceName: q.Get("resource_name"),
		ProjectID: q.Get("project_id"), DomainID: q.Get("domain_id"),
	}
	ls, err := h.svc.ListLimits(r.Context(), f)
	if err != nil {
		return err
	}
	values := keystone.Creds(r).PolicyValues()
	out := []map[string]any{}
	for _, l := range ls {
		t := keystone.Target("limit", map[string]any{"id": l.ID, "project_id": l.ProjectID, "domain_id": l.DomainID}, nil)
		if h.api.Policy != nil && !h.api.Policy.Enforce("identity:get_limit", t, values) {
			continue
		}
		out = append(out, renderLimit(r, l))
	}
	return keystone.WriteList(w, r, "limits", out)
}

func (h *Handler) CreateLimits(w http.ResponseWriter, r *http.Request) error {
	items, err := decodeList(r, "limits")
	if err != nil {
		return err
	}
	var ls []*catalog.Limit
	for _, m := range items {
		f := &keystone.Fields{M: m}
		l := &catalog.Limit{
			ProjectID:    keystone.Deref(f.Str("project_id", true)),
			DomainID:     keystone.Deref(f.Str("domain_id", true)),
			ServiceID:    keystone.Deref(f.Str("service_id", false)),
			RegionID:     keystone.Deref(f.Str("region_id", true)),
			ResourceName: keystone.Deref(f.Str("resource_name", false)),
			Description:  keystone.Deref(f.Str("description", true)),
		}
		rl := f.Int("resource_limit")
		if err := f.Strict(); err != nil {
			return err
		}
		if rl == nil {
			return apierr.BadRequest("Invalid input for field 'resource_limit': 'resource_limit' is a required property.")
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

func (h *Handler) ShowLimit(w http.ResponseWriter, r *http.Request) error {
	l, err := h.svc.GetLimit(r.Context(), r.PathValue("limit_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "limit", renderLimit(r, l))
}

func (h *Handler) UpdateLimit(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "limit")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	v := f.Int("resource_limit")
	d := f.Str("description", true)
	if err := f.Strict(); err != nil {
		return err
	}
	l, err := h.svc.UpdateLimit(r.Context(), r.PathValue("limit_id"), v, d)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "limit", renderLimit(r, l))
}

func (h *Handler) DeleteLimit(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteLimit(r.Context(), r.PathValue("limit_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
