package catalog

import (
	"net/http"

	dirapi "github.com/gostack/gostack/internal/identity/api/directory"
	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/catalog"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func renderRegion(r *http.Request, rg *catalog.Region) map[string]any {
	var parent any
	if rg.ParentRegionID != "" {
		parent = rg.ParentRegionID
	}
	return keystone.WithExtra(map[string]any{
		"id":               rg.ID,
		"description":      rg.Description,
		"parent_region_id": parent,
		"links":            keystone.Link(r, "regions/"+rg.ID),
	}, rg.Extra)
}

func renderService(r *http.Request, sv *catalog.APIService) map[string]any {
	m := map[string]any{
		"id":      sv.ID,
		"type":    sv.Type,
		"enabled": sv.Enabled,
		"links":   keystone.Link(r, "services/"+sv.ID),
	}
	if sv.Name != "" {
		m["name"] = sv.Name
	}
	if sv.Description != "" {
		m["description"] = sv.Description
	}
	return keystone.WithExtra(m, sv.Extra)
}

func renderEndpoint(r *http.Request, e *catalog.Endpoint) map[string]any {
	var region any
	if e.RegionID != "" {
		region = e.RegionID
	}
	return keystone.WithExtra(map[string]any{
		"id":         e.ID,
		"service_id": e.ServiceID,
		"interface":  e.Interface,
		"region_id":  region,
		"region":     region,
		"url":        e.URL,
		"enabled":    e.Enabled,
		"links":      keystone.Link(r, "endpoints/"+e.ID),
	}, e.Extra)
}

func renderEndpointGroup(r *http.Request, g *catalog.EndpointGroup) map[string]any {
	filters := g.Filters
	if filters == nil {
		filters = map[string]any{}
	}
	return map[string]any{
		"id":          g.ID,
		"name":        g.Name,
		"description": g.Description,
		"filters":     filters,
		"links":       keystone.Link(r, "OS-EP-FILTER/endpoint_groups/"+g.ID),
	}
}

// Regions.

func (h *Handler) ListRegions(w http.ResponseWriter, r *http.Request) error {
	var parent *string
	if q := r.URL.Query(); q.Has("parent_region_id") {
		p := q.Get("parent_region_id")
		parent = &p
	}
	rs, err := h.svc.ListRegions(r.Context(), parent)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(rs))
	for _, rg := range rs {
		out = append(out, renderRegion(r, rg))
	}
	return keystone.WriteFiltered(w, r, "regions", out, "parent_region_id")
}

func (h *Handler) CreateRegion(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "region")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	id := f.Str("id", false)
	rg := &catalog.Region{
		Description:    keystone.Deref(f.Str("description", true)),
		ParentRegionID: keystone.Deref(f.Str("parent_region_id", true)),
	}
	rg.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	if pid := r.PathValue("region_id"); pid != "" {
		if id != nil && *id != pid {
			return apierr.BadRequest("Conflicting region IDs specified: %s in the URL and %s in the body.", directory.Quote(pid), directory.Quote(*id))
		}
		id = &pid
	}
	rg.ID = keystone.Deref(id)
	rg, err = h.svc.CreateRegion(r.Context(), rg)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "region", renderRegion(r, rg))
}

func (h *Handler) ShowRegion(w http.ResponseWriter, r *http.Request) error {
	rg, err := h.svc.GetRegion(r.Context(), r.PathValue("region_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "region", renderRegion(r, rg))
}

func (h *Handler) UpdateRegion(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "region")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	p := catalog.RegionPatch{Description: f.Str("description", true), ParentRegionID: f.Str("parent_region_id", true)}
	p.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	rg, err := h.svc.UpdateRegion(r.Context(), r.PathValue("region_id"), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "region", renderRegion(r, rg))
}

func (h *Handler) DeleteRegion(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteRegion(r.Context(), r.PathValue("region_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Services.

func (h *Handler) ListServices(w http.ResponseWriter, r *http.Request) error {
	svcs, err := h.svc.ListServices(r.Context(), r.URL.Query().Get("type"), r.URL.Query().Get("name"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(svcs))
	for _, sv := range svcs {
		out = append(out, renderService(r, sv))
	}
	return keystone.WriteFiltered(w, r, "services", out, "type", "name")
}

func (h *Handler) CreateService(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "service")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	typ := f.Str("type", false)
	sv := &catalog.APIService{
		Name:        keystone.Deref(f.Str("name", true)),
		Description: keystone.Deref(f.Str("description", true)),
		Enabled:     keystone.DerefBool(f.Bool("enabled"), true),
	}
	sv.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	if typ == nil {
		return apierr.BadRequest("Invalid input for field 'type': 'type' is a required property.")
	}
	sv.Type = *typ
	sv, err = h.svc.CreateService(r.Context(), sv)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "service", renderService(r, sv))
}

func (h *Handler) ShowService(w http.ResponseWriter, r *http.Request) error {
	sv, err := h.svc.GetService(r.Context(), r.PathValue("service_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "service", renderService(r, sv))
}

func (h *Handler) UpdateService(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "service")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	p := catalog.APIServicePatch{Type: f.Str("type", false), Name: f.Str("name", true), Description: f.Str("description", true), Enabled: f.Bool("enabled")}
	p.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	sv, err := h.svc.UpdateService(r.Context(), r.PathValue("service_id"), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "service", renderService(r, sv))
}

func (h *Handler) DeleteService(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteService(r.Context(), r.PathValue("service_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Endpoints.

func (h *Handler) ListEndpoints(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	eps, err := h.svc.ListEndpoints(r.Context(), q.Get("service_id"), q.Get("interface"), q.Get("region_id"))
	if err != nil {
		return err
	}
	return keystone.WriteFiltered(w, r, "endpoints", renderEndpoints(r, eps), "interface", "service_id", "region_id")
}

// writeEndpoints writes the endpoint lists that take no filters.
func writeEndpoints(w http.ResponseWriter, r *http.Request, eps []*catalog.Endpoint) error {
	return keystone.WriteList(w, r, "endpoints", renderEndpoints(r, eps))
}

func renderEndpoints(r *http.Request, eps []*catalog.Endpoint) []map[string]any {
	out := make([]map[string]any, 0, len(eps))
	for _, e := range eps {
		out = append(out, renderEndpoint(r, e))
	}
	return out
}

func (h *Handler) CreateEndpoint(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "endpoint")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	e := &catalog.Endpoint{
		ServiceID: keystone.Deref(f.Str("service_id", false)),
		Interface: keystone.Deref(f.Str("interface", false)),
		URL:       keystone.Deref(f.Str("url", false)),
		RegionID:  keystone.Deref(f.Str("region_id", true)),
		Enabled:   keystone.DerefBool(f.Bool("enabled"), true),
	}
	legacy := f.Str("region", true)
	e.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	if e.ServiceID == "" {
		return apierr.BadRequest("Invalid input for field 'service_id': 'service_id' is a required property.")
	}
	e, err = h.svc.CreateEndpoint(r.Context(), e, legacy)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "endpoint", renderEndpoint(r, e))
}

func (h *Handler) ShowEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := h.svc.GetEndpoint(r.Context(), r.PathValue("endpoint_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "endpoint", renderEndpoint(r, e))
}

func (h *Handler) UpdateEndpoint(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "endpoint")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	p := catalog.EndpointPatch{
		ServiceID: f.Str("service_id", false),
		Interface: f.Str("interface", false),
		URL:       f.Str("url", false),
		RegionID:  f.Str("region_id", true),
		Region:    f.Str("region", true),
		Enabled:   f.Bool("enabled"),
	}
	p.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	e, err := h.svc.UpdateEndpoint(r.Context(), r.PathValue("endpoint_id"), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "endpoint", renderEndpoint(r, e))
}

func (h *Handler) DeleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteEndpoint(r.Context(), r.PathValue("endpoint_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// OS-EP-FILTER.

func (h *Handler) ListEndpointGroups(w http.ResponseWriter, r *http.Request) error {
	gs, err := h.svc.ListEndpointGroups(r.Context(), r.URL.Query().Get("name"))
	if err != nil {
		return err
	}
	return writeEndpointGroups(w, r, gs)
}

func writeEndpointGroups(w http.ResponseWriter, r *http.Request, gs []*catalog.EndpointGroup) error {
	out := make([]map[string]any, 0, len(gs))
	for _, g := range gs {
		out = append(out, renderEndpointGroup(r, g))
	}
	return keystone.WriteList(w, r, "endpoint_groups", out)
}

func (h *Handler) CreateEndpointGroup(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "endpoint_group")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	g := &catalog.EndpointGroup{
		Name:        keystone.Deref(f.Str("name", false)),
		Description: keystone.Deref(f.Str("description", true)),
		Filters:     f.Object("filters"),
	}
	if f.Err != nil {
		return f.Err
	}
	g, err = h.svc.CreateEndpointGroup(r.Context(), g)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "endpoint_group", renderEndpointGroup(r, g))
}

func (h *Handler) ShowEndpointGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := h.svc.GetEndpointGroup(r.Context(), r.PathValue("endpoint_group_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "endpoint_group", renderEndpointGroup(r, g))
}

func (h *Handler) UpdateEndpointGroup(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "endpoint_group")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	p := catalog.EndpointGroupPatch{Name: f.Str("name", false), Description: f.Str("description", true), Filters: f.Object("filters")}
	if f.Err != nil {
		return f.Err
	}
	g, err := h.svc.UpdateEndpointGroup(r.Context(), r.PathValue("endpoint_group_id"), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "endpoint_group", renderEndpointGroup(r, g))
}

func (h *Handler) DeleteEndpointGroup(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteEndpointGroup(r.Context(), r.PathValue("endpoint_group_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) EndpointGroupEndpoints(w http.ResponseWriter, r *http.Request) error {
	eps, err := h.svc.EndpointGroupEndpoints(r.Context(), r.PathValue("endpoint_group_id"))
	if err != nil {
		return err
	}
	return writeEndpoints(w, r, eps)
}

func (h *Handler) EndpointGroupProjects(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.EndpointGroupProjects(r.Context(), r.PathValue("endpoint_group_id"))
	if err != nil {
		return err
	}
	return writeProjects(w, r, ps)
}

func writeProjects(w http.ResponseWriter, r *http.Request, ps []*directory.Project) error {
	out := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, dirapi.RenderProject(r, p))
	}
	return keystone.WriteList(w, r, "projects", out)
}

func (h *Handler) AddEndpointGroupProject(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.AssociateEndpointGroup(r.Context(), r.PathValue("endpoint_group_id"), r.PathValue("project_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) ShowEndpointGroupProject(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := h.svc.CheckEndpointGroupProject(ctx, r.PathValue("endpoint_group_id"), r.PathValue("project_id")); err != nil {
		return err
	}
	p, err := h.dir.GetProject(ctx, r.PathValue("project_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "project", dirapi.RenderProject(r, p))
}

func (h *Handler) RemoveEndpointGroupProject(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DissociateEndpointGroup(r.Context(), r.PathValue("endpoint_group_id"), r.PathValue("project_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) ProjectEndpointGroups(w http.ResponseWriter, r *http.Request) error {
	gs, err := h.svc.ProjectEndpointGroups(r.Context(), r.PathValue("project_id"))
	if err != nil {
		return err
	}
	return writeEndpointGroups(w, r, gs)
}

func (h *Handler) AddProjectEndpoint(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.AddProjectEndpoint(r.Context(), r.PathValue("project_id"), r.PathValue("endpoint_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) CheckProjectEndpoint(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.CheckProjectEndpoint(r.Context(), r.PathValue("project_id"), r.PathValue("endpoint_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) RemoveProjectEndpoint(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.RemoveProjectEndpoint(r.Context(), r.PathValue("project_id"), r.PathValue("endpoint_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) ProjectEndpoints(w http.ResponseWriter, r *http.Request) error {
	eps, err := h.svc.ProjectEndpoints(r.Context(), r.PathValue("project_id"))
	if err != nil {
		return err
	}
	return writeEndpoints(w, r, eps)
}

func (h *Handler) EndpointProjects(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.EndpointProjects(r.Context(), r.PathValue("endpoint_id"))
	if err != nil {
		return err
	}
	return writeProjects(w, r, ps)
}
