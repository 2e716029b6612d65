package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func renderRegion(r *http.Request, rg *identity.Region) map[string]any {
	var parent any
	if rg.ParentRegionID != "" {
		parent = rg.ParentRegionID
	}
	return withExtra(map[string]any{
		"id":               rg.ID,
		"description":      rg.Description,
		"parent_region_id": parent,
		"links":            link(r, "regions/"+rg.ID),
	}, rg.Extra)
}

func renderService(r *http.Request, sv *identity.CatalogService) map[string]any {
	m := map[string]any{
		"id":      sv.ID,
		"type":    sv.Type,
		"enabled": sv.Enabled,
		"links":   link(r, "services/"+sv.ID),
	}
	if sv.Name != "" {
		m["name"] = sv.Name
	}
	if sv.Description != "" {
		m["description"] = sv.Description
	}
	return withExtra(m, sv.Extra)
}

func renderEndpoint(r *http.Request, e *identity.Endpoint) map[string]any {
	var region any
	if e.RegionID != "" {
		region = e.RegionID
	}
	return withExtra(map[string]any{
		"id":         e.ID,
		"service_id": e.ServiceID,
		"interface":  e.Interface,
		"region_id":  region,
		"region":     region,
		"url":        e.URL,
		"enabled":    e.Enabled,
		"links":      link(r, "endpoints/"+e.ID),
	}, e.Extra)
}

func renderEndpointGroup(r *http.Request, g *identity.EndpointGroup) map[string]any {
	filters := g.Filters
	if filters == nil {
		filters = map[string]any{}
	}
	return map[string]any{
		"id":          g.ID,
		"name":        g.Name,
		"description": g.Description,
		"filters":     filters,
		"links":       link(r, "OS-EP-FILTER/endpoint_groups/"+g.ID),
	}
}

// Regions.

func (h *Handler) listRegions(w http.ResponseWriter, r *http.Request) error {
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
	return writeList(w, r, "regions", out)
}

func (h *Handler) createRegion(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "region")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	id := f.str("id", false)
	rg := &identity.Region{
		Description:    deref(f.str("description", true)),
		ParentRegionID: deref(f.str("parent_region_id", true)),
	}
	rg.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	if pid := r.PathValue("region_id"); pid != "" {
		if id != nil && *id != pid {
			return badRequest("Conflicting region IDs specified: %q in the URL and %q in the body.", pid, *id)
		}
		id = &pid
	}
	rg.ID = deref(id)
	rg, err = h.svc.CreateRegion(r.Context(), rg)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "region", renderRegion(r, rg))
}

func (h *Handler) showRegion(w http.ResponseWriter, r *http.Request) error {
	rg, err := h.svc.GetRegion(r.Context(), r.PathValue("region_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "region", renderRegion(r, rg))
}

func (h *Handler) updateRegion(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "region")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	p := identity.RegionPatch{Description: f.str("description", true), ParentRegionID: f.str("parent_region_id", true)}
	p.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	rg, err := h.svc.UpdateRegion(r.Context(), r.PathValue("region_id"), p)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "region", renderRegion(r, rg))
}

func (h *Handler) deleteRegion(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteRegion(r.Context(), r.PathValue("region_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Services.

func (h *Handler) listServices(w http.ResponseWriter, r *http.Request) error {
	svcs, err := h.svc.ListServices(r.Context(), r.URL.Query().Get("type"), r.URL.Query().Get("name"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(svcs))
	for _, sv := range svcs {
		out = append(out, renderService(r, sv))
	}
	return writeList(w, r, "services", out)
}

func (h *Handler) createService(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "service")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	typ := f.str("type", false)
	sv := &identity.CatalogService{
		Name:        deref(f.str("name", true)),
		Description: deref(f.str("description", true)),
		Enabled:     derefBool(f.boolean("enabled"), true),
	}
	sv.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	if typ == nil {
		return badRequest("Invalid input for field 'type': 'type' is a required property.")
	}
	sv.Type = *typ
	sv, err = h.svc.CreateService(r.Context(), sv)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "service", renderService(r, sv))
}

func (h *Handler) showService(w http.ResponseWriter, r *http.Request) error {
	sv, err := h.svc.GetService(r.Context(), r.PathValue("service_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "service", renderService(r, sv))
}

func (h *Handler) updateService(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "service")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	p := identity.ServicePatch{Type: f.str("type", false), Name: f.str("name", true), Description: f.str("description", true), Enabled: f.boolean("enabled")}
	p.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	sv, err := h.svc.UpdateService(r.Context(), r.PathValue("service_id"), p)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "service", renderService(r, sv))
}

func (h *Handler) deleteService(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteService(r.Context(), r.PathValue("service_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Endpoints.

func (h *Handler) listEndpoints(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	eps, err := h.svc.ListEndpoints(r.Context(), q.Get("service_id"), q.Get("interface"), q.Get("region_id"))
	if err != nil {
		return err
	}
	return writeEndpoints(w, r, eps)
}

func writeEndpoints(w http.ResponseWriter, r *http.Request, eps []*identity.Endpoint) error {
	out := make([]map[string]any, 0, len(eps))
	for _, e := range eps {
		out = append(out, renderEndpoint(r, e))
	}
	return writeList(w, r, "endpoints", out)
}

func (h *Handler) createEndpoint(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "endpoint")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	e := &identity.Endpoint{
		ServiceID: deref(f.str("service_id", false)),
		Interface: deref(f.str("interface", false)),
		URL:       deref(f.str("url", false)),
		RegionID:  deref(f.str("region_id", true)),
		Enabled:   derefBool(f.boolean("enabled"), true),
	}
	legacy := f.str("region", true)
	e.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	if e.ServiceID == "" {
		return badRequest("Invalid input for field 'service_id': 'service_id' is a required property.")
	}
	e, err = h.svc.CreateEndpoint(r.Context(), e, legacy)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "endpoint", renderEndpoint(r, e))
}

func (h *Handler) showEndpoint(w http.ResponseWriter, r *http.Request) error {
	e, err := h.svc.GetEndpoint(r.Context(), r.PathValue("endpoint_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "endpoint", renderEndpoint(r, e))
}

func (h *Handler) updateEndpoint(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "endpoint")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	p := identity.EndpointPatch{
		ServiceID: f.str("service_id", false),
		Interface: f.str("interface", false),
		URL:       f.str("url", false),
		RegionID:  f.str("region_id", true),
		Region:    f.str("region", true),
		Enabled:   f.boolean("enabled"),
	}
	p.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	e, err := h.svc.UpdateEndpoint(r.Context(), r.PathValue("endpoint_id"), p)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "endpoint", renderEndpoint(r, e))
}

func (h *Handler) deleteEndpoint(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteEndpoint(r.Context(), r.PathValue("endpoint_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// OS-EP-FILTER.

func (h *Handler) listEndpointGroups(w http.ResponseWriter, r *http.Request) error {
	gs, err := h.svc.ListEndpointGroups(r.Context(), r.URL.Query().Get("name"))
	if err != nil {
		return err
	}
	return writeEndpointGroups(w, r, gs)
}

func writeEndpointGroups(w http.ResponseWriter, r *http.Request, gs []*identity.EndpointGroup) error {
	out := make([]map[string]any, 0, len(gs))
	for _, g := range gs {
		out = append(out, renderEndpointGroup(r, g))
	}
	return writeList(w, r, "endpoint_groups", out)
}

func (h *Handler) createEndpointGroup(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "endpoint_group")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	g := &identity.EndpointGroup{
		Name:        deref(f.str("name", false)),
		Description: deref(f.str("description", true)),
		Filters:     f.object("filters"),
	}
	if f.err != nil {
		return f.err
	}
	g, err = h.svc.CreateEndpointGroup(r.Context(), g)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "endpoint_group", renderEndpointGroup(r, g))
}

func (h *Handler) showEndpointGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := h.svc.GetEndpointGroup(r.Context(), r.PathValue("endpoint_group_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "endpoint_group", renderEndpointGroup(r, g))
}

func (h *Handler) updateEndpointGroup(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "endpoint_group")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	p := identity.EndpointGroupPatch{Name: f.str("name", false), Description: f.str("description", true), Filters: f.object("filters")}
	if f.err != nil {
		return f.err
	}
	g, err := h.svc.UpdateEndpointGroup(r.Context(), r.PathValue("endpoint_group_id"), p)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "endpoint_group", renderEndpointGroup(r, g))
}

func (h *Handler) deleteEndpointGroup(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteEndpointGroup(r.Context(), r.PathValue("endpoint_group_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) endpointGroupEndpoints(w http.ResponseWriter, r *http.Request) error {
	eps, err := h.svc.EndpointGroupEndpoints(r.Context(), r.PathValue("endpoint_group_id"))
	if err != nil {
		return err
	}
	return writeEndpoints(w, r, eps)
}

func (h *Handler) endpointGroupProjects(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.EndpointGroupProjects(r.Context(), r.PathValue("endpoint_group_id"))
	if err != nil {
		return err
	}
	return writeProjects(w, r, ps)
}

func writeProjects(w http.ResponseWriter, r *http.Request, ps []*identity.Project) error {
	out := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, renderProject(r, p))
	}
	return writeList(w, r, "projects", out)
}

func (h *Handler) addEndpointGroupProject(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.AssociateEndpointGroup(r.Context(), r.PathValue("endpoint_group_id"), r.PathValue("project_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) showEndpointGroupProject(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := h.svc.CheckEndpointGroupProject(ctx, r.PathValue("endpoint_group_id"), r.PathValue("project_id")); err != nil {
		return err
	}
	p, err := h.svc.GetProject(ctx, r.PathValue("project_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "project", renderProject(r, p))
}

func (h *Handler) removeEndpointGroupProject(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DissociateEndpointGroup(r.Context(), r.PathValue("endpoint_group_id"), r.PathValue("project_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) projectEndpointGroups(w http.ResponseWriter, r *http.Request) error {
	gs, err := h.svc.ProjectEndpointGroups(r.Context(), r.PathValue("project_id"))
	if err != nil {
		return err
	}
	return writeEndpointGroups(w, r, gs)
}

func (h *Handler) addProjectEndpoint(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.AddProjectEndpoint(r.Context(), r.PathValue("project_id"), r.PathValue("endpoint_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) checkProjectEndpoint(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.CheckProjectEndpoint(r.Context(), r.PathValue("project_id"), r.PathValue("endpoint_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) removeProjectEndpoint(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.RemoveProjectEndpoint(r.Context(), r.PathValue("project_id"), r.PathValue("endpoint_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) projectEndpoints(w http.ResponseWriter, r *http.Request) error {
	eps, err := h.svc.ProjectEndpoints(r.Context(), r.PathValue("project_id"))
	if err != nil {
		return err
	}
	return writeEndpoints(w, r, eps)
}

func (h *Handler) endpointProjects(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.EndpointProjects(r.Context(), r.PathValue("endpoint_id"))
	if err != nil {
		return err
	}
	return writeProjects(w, r, ps)
}
