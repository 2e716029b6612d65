package catalog

import (
	"context"
	"net/url"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// RegionPatch is an update of a region.
type RegionPatch struct {
	Description    *string
	ParentRegionID *string
	Extra          map[string]any
}

func (s *Service) checkParentRegion(ctx context.Context, id, parent string) error {
	if parent == "" {
		return nil
	}
	if parent == id {
		return apierr.BadRequest("Circular reference or a repeated entry found in region tree - %s.", directory.Brief(id))
	}
	seen := map[string]bool{id: true}
	cur := parent
	for cur != "" {
		if seen[cur] {
			return apierr.BadRequest("Circular reference or a repeated entry found in region tree - %s.", cur)
		}
		seen[cur] = true
		r, err := s.store.GetRegion(ctx, cur)
		if err != nil {
			if apierr.IsNotFound(err) {
				return apierr.BadRequest("The parent region %s does not exist.", directory.Brief(parent))
			}
			return err
		}
		cur = r.ParentRegionID
	}
	return nil
}

// CreateRegion creates a region (with a generated id when r.ID is empty).
func (s *Service) CreateRegion(ctx context.Context, r *Region) (*Region, error) {
	defer s.catalogChanged()
	if r.ID == "" {
		r.ID = directory.NewID()
	}
	if len(r.ID) > 255 {
		return nil, apierr.BadRequest("Invalid input for field 'id': the region id is longer than 255 characters.")
	}
	if err := s.checkParentRegion(ctx, r.ID, r.ParentRegionID); err != nil {
		return nil, err
	}
	if err := s.store.CreateRegion(ctx, r); err != nil {
		return nil, err
	}
	return s.store.GetRegion(ctx, r.ID)
}

// GetRegion returns a region.
func (s *Service) GetRegion(ctx context.Context, id string) (*Region, error) {
	return s.store.GetRegion(ctx, id)
}

// ListRegions lists regions, by parent when parent is not nil.
func (s *Service) ListRegions(ctx context.Context, parent *string) ([]*Region, error) {
	rs, err := s.store.ListRegions(ctx)
	if err != nil || parent == nil {
		return rs, err
	}
	out := rs[:0]
	for _, r := range rs {
		if r.ParentRegionID == *parent {
			out = append(out, r)
		}
	}
	return out, nil
}

// UpdateRegion updates a region.
func (s *Service) UpdateRegion(ctx context.Context, id string, p RegionPatch) (*Region, error) {
	defer s.catalogChanged()
	r, err := s.store.GetRegion(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Description != nil {
		r.Description = *p.Description
	}
	if p.ParentRegionID != nil {
		if err := s.checkParentRegion(ctx, id, *p.ParentRegionID); err != nil {
			return nil, err
		}
		r.ParentRegionID = *p.ParentRegionID
	}
	r.Extra = directory.MergeExtra(r.Extra, p.Extra)
	if err := s.store.UpdateRegion(ctx, r); err != nil {
		return nil, err
	}
	return s.store.GetRegion(ctx, id)
}

// DeleteRegion deletes a region without child regions.
func (s *Service) DeleteRegion(ctx context.Context, id string) error {
	defer s.catalogChanged()
	if _, err := s.store.GetRegion(ctx, id); err != nil {
		return err
	}
	kids, err := s.ListRegions(ctx, &id)
	if err != nil {
		return err
	}
	if len(kids) > 0 {
		return apierr.Forbidden("Unable to delete region %s because it or its child regions have associated endpoints.", id)
	}
	return s.store.DeleteRegion(ctx, id)
}

// APIServicePatch is an update of a catalog service.
type APIServicePatch struct {
	Type, Name, Description *string
	Enabled                 *bool
	Extra                   map[string]any
}

// CreateService creates a catalog service.
func (s *Service) CreateService(ctx context.Context, sv *APIService) (*APIService, error) {
	defer s.catalogChanged()
	if sv.Type == "" || len(sv.Type) > 255 {
		return nil, apierr.BadRequest("Invalid input for field 'type': a service type of 1 to 255 characters is required.")
	}
	if sv.ID == "" {
		sv.ID = directory.NewID()
	}
	if err := s.store.CreateService(ctx, sv); err != nil {
		return nil, err
	}
	return s.store.GetService(ctx, sv.ID)
}

// GetService returns a catalog service.
func (s *Service) GetService(ctx context.Context, id string) (*APIService, error) {
	return s.store.GetService(ctx, id)
}

// ListServices lists catalog services by type and name ("" any).
func (s *Service) ListServices(ctx context.Context, typ, name string) ([]*APIService, error) {
	all, err := s.store.ListServices(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, sv := range all {
		if (typ == "" || sv.Type == typ) && (name == "" || sv.Name == name) {
			out = append(out, sv)
		}
	}
	return out, nil
}

// UpdateService updates a catalog service.
func (s *Service) UpdateService(ctx context.Context, id string, p APIServicePatch) (*APIService, error) {
	defer s.catalogChanged()
	sv, err := s.store.GetService(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Type != nil {
		if *p.Type == "" || len(*p.Type) > 255 {
			return nil, apierr.BadRequest("Invalid input for field 'type': a service type of 1 to 255 characters is required.")
		}
		sv.Type = *p.Type
	}
	if p.Name != nil {
		sv.Name = *p.Name
	}
	if p.Description != nil {
		sv.Description = *p.Description
	}
	if p.Enabled != nil {
		sv.Enabled = *p.Enabled
	}
	sv.Extra = directory.MergeExtra(sv.Extra, p.Extra)
	if err := s.store.UpdateService(ctx, sv); err != nil {
		return nil, err
	}
	return s.store.GetService(ctx, id)
}

// DeleteService deletes a catalog service with its endpoints.
func (s *Service) DeleteService(ctx context.Context, id string) error {
	defer s.catalogChanged()
	return s.store.DeleteService(ctx, id)
}

// EndpointPatch is an update of an endpoint. Region is the legacy
// "region" attribute, used when RegionID is nil.
type EndpointPatch struct {
	ServiceID, Interface, RegionID, Region, URL *string
	Enabled                                     *bool
	Extra                                       map[string]any
}

func checkInterface(i string) error {
	switch i {
	case "public", "internal", "admin":
		return nil
	}
	return apierr.BadRequest("Invalid input for field 'interface': %s is not one of public, internal, admin.", directory.Quote(i))
}

func checkURL(u string) error {
	if u == "" || len(u) > 225*10 {
		return apierr.BadRequest("Invalid input for field 'url': a URL is required.")
	}
	if _, err := url.Parse(u); err != nil {
		return apierr.BadRequest("Invalid input for field 'url': %s is not a valid URL.", directory.Quote(u))
	}
	return nil
}

// endpointRegion resolves an endpoint's region. A region named through
// the legacy "region" attribute is created when missing, as Keystone
// does; one named by region_id must exist.
func (s *Service) endpointRegion(ctx context.Context, regionID, legacy *string) (string, error) {
	if regionID != nil {
		if *regionID == "" {
			return "", nil
		}
		if _, err := s.store.GetRegion(ctx, *regionID); err != nil {
			if apierr.IsNotFound(err) {
				return "", apierr.BadRequest("Region %s does not exist.", directory.Brief(*regionID))
			}
			return "", err
		}
		return *regionID, nil
	}
	if legacy == nil || *legacy == "" {
		return "", nil
	}
	if _, err := s.store.GetRegion(ctx, *legacy); err != nil {
		if !apierr.IsNotFound(err) {
			return "", err
		}
		if err := s.store.CreateRegion(ctx, &Region{ID: *legacy}); err != nil {
			if !apierr.IsConflict(err) {
				return "", err
			}
		}
	}
	return *legacy, nil
}

func (s *Service) checkServiceExists(ctx context.Context, id string) error {
	if _, err := s.store.GetService(ctx, id); err != nil {
		if apierr.IsNotFound(err) {
			return apierr.BadRequest("Service %s does not exist.", directory.Brief(id))
		}
		return err
	}
	return nil
}

// CreateEndpoint creates an endpoint.
func (s *Service) CreateEndpoint(ctx context.Context, e *Endpoint, legacyRegion *string) (*Endpoint, error) {
	defer s.catalogChanged()
	if err := checkInterface(e.Interface); err != nil {
		return nil, err
	}
	if err := checkURL(e.URL); err != nil {
		return nil, err
	}
	if err := s.checkServiceExists(ctx, e.ServiceID); err != nil {
		return nil, err
	}
	var rid *string
	if e.RegionID != "" {
		rid = &e.RegionID
	}
	region, err := s.endpointRegion(ctx, rid, legacyRegion)
	if err != nil {
		return nil, err
	}
	e.RegionID = region
	if e.ID == "" {
		e.ID = directory.NewID()
	}
	if err := s.store.CreateEndpoint(ctx, e); err != nil {
		return nil, err
	}
	return s.store.GetEndpoint(ctx, e.ID)
}

// GetEndpoint returns an endpoint.
func (s *Service) GetEndpoint(ctx context.Context, id string) (*Endpoint, error) {
	return s.store.GetEndpoint(ctx, id)
}

// ListEndpoints lists endpoints by service, interface and region ("" any).
func (s *Service) ListEndpoints(ctx context.Context, serviceID, iface, regionID string) ([]*Endpoint, error) {
	all, err := s.store.ListEndpoints(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, e := range all {
		if (serviceID == "" || e.ServiceID == serviceID) && (iface == "" || e.Interface == iface) && (regionID == "" || e.RegionID == regionID) {
			out = append(out, e)
		}
	}
	return out, nil
}

// UpdateEndpoint updates an endpoint.
func (s *Service) UpdateEndpoint(ctx context.Context, id string, p EndpointPatch) (*Endpoint, error) {
	defer s.catalogChanged()
	e, err := s.store.GetEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.ServiceID != nil {
		if err := s.checkServiceExists(ctx, *p.ServiceID); err != nil {
			return nil, err
		}
		e.ServiceID = *p.ServiceID
	}
	if p.Interface != nil {
		if err := checkInterface(*p.Interface); err != nil {
			return nil, err
		}
		e.Interface = *p.Interface
	}
	if p.URL != nil {
		if err := checkURL(*p.URL); err != nil {
			return nil, err
		}
		e.URL = *p.URL
	}
	if p.RegionID != nil || p.Region != nil {
		if e.RegionID, err = s.endpointRegion(ctx, p.RegionID, p.Region); err != nil {
			return nil, err
		}
	}
	if p.Enabled != nil {
		e.Enabled = *p.Enabled
	}
	e.Extra = directory.MergeExtra(e.Extra, p.Extra)
	if err := s.store.UpdateEndpoint(ctx, e); err != nil {
		return nil, err
	}
	return s.store.GetEndpoint(ctx, id)
}

// DeleteEndpoint deletes an endpoint.
func (s *Service) DeleteEndpoint(ctx context.Context, id string) error {
	defer s.catalogChanged()
	return s.store.DeleteEndpoint(ctx, id)
}

// EndpointGroupPatch is an update of an endpoint group.
type EndpointGroupPatch struct {
	Name, Description *string
	Filters           map[string]any
}

func checkEndpointFilters(f map[string]any) error {
	if len(f) == 0 {
		return apierr.BadRequest("Invalid input for field 'filters': at least one filter is required.")
	}
	for k, v := range f {
		switch k {
		case "service_id", "region_id", "interface":
		default:
			return apierr.BadRequest("Invalid input for field 'filters': %s is not a valid filter.", directory.Quote(k))
		}
		if _, ok := v.(string); !ok {
			return apierr.BadRequest("Invalid input for field 'filters/%s': a string is required.", k)
		}
	}
	return nil
}

// CreateEndpointGroup creates an endpoint group.
func (s *Service) CreateEndpointGroup(ctx context.Context, g *EndpointGroup) (*EndpointGroup, error) {
	defer s.catalogChanged()
	if err := directory.CheckName("endpoint group", g.Name, 255); err != nil {
		return nil, err
	}
	if err := checkEndpointFilters(g.Filters); err != nil {
		return nil, err
	}
	if g.ID == "" {
		g.ID = directory.NewID()
	}
	if err := s.store.CreateEndpointGroup(ctx, g); err != nil {
		return nil, err
	}
	return s.store.GetEndpointGroup(ctx, g.ID)
}

// GetEndpointGroup returns an endpoint group.
func (s *Service) GetEndpointGroup(ctx context.Context, id string) (*EndpointGroup, error) {
	return s.store.GetEndpointGroup(ctx, id)
}

// ListEndpointGroups lists endpoint groups by name ("" any).
func (s *Service) ListEndpointGroups(ctx context.Context, name string) ([]*EndpointGroup, error) {
	all, err := s.store.ListEndpointGroups(ctx)
	if err != nil || name == "" {
		return all, err
	}
	out := all[:0]
	for _, g := range all {
		if g.Name == name {
			out = append(out, g)
		}
	}
	return out, nil
}

// UpdateEndpointGroup updates an endpoint group.
func (s *Service) UpdateEndpointGroup(ctx context.Context, id string, p EndpointGroupPatch) (*EndpointGroup, error) {
	defer s.catalogChanged()
	g, err := s.store.GetEndpointGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Name != nil {
		if err := directory.CheckName("endpoint group", *p.Name, 255); err != nil {
			return nil, err
		}
		g.Name = *p.Name
	}
	if p.Description != nil {
		g.Description = *p.Description
	}
	if p.Filters != nil {
		if err := checkEndpointFilters(p.Filters); err != nil {
			return nil, err
		}
		g.Filters = p.Filters
	}
	if err := s.store.UpdateEndpointGroup(ctx, g); err != nil {
		return nil, err
	}
	return s.store.GetEndpointGroup(ctx, id)
}

// DeleteEndpointGroup deletes an endpoint group.
func (s *Service) DeleteEndpointGroup(ctx context.Context, id string) error {
	defer s.catalogChanged()
	return s.store.DeleteEndpointGroup(ctx, id)
}

// EndpointGroupEndpoints lists the endpoints an endpoint group matches.
func (s *Service) EndpointGroupEndpoints(ctx context.Context, id string) ([]*Endpoint, error) {
	g, err := s.store.GetEndpointGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	all, err := s.store.ListEndpoints(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, e := range all {
		if g.Matches(e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// AssociateEndpointGroup associates an endpoint group with a project.
func (s *Service) AssociateEndpointGroup(ctx context.Context, groupID, projectID string) error {
	if _, err := s.store.GetEndpointGroup(ctx, groupID); err != nil {
		return err
	}
	if _, err := s.dir.GetProject(ctx, projectID); err != nil {
		return err
	}
	return s.store.AddEndpointGroupProject(ctx, groupID, projectID)
}

// DissociateEndpointGroup removes an endpoint group-project association.
func (s *Service) DissociateEndpointGroup(ctx context.Context, groupID, projectID string) error {
	return s.store.RemoveEndpointGroupProject(ctx, groupID, projectID)
}

// CheckEndpointGroupProject answers not found unless associated.
func (s *Service) CheckEndpointGroupProject(ctx context.Context, groupID, projectID string) error {
	if _, err := s.store.GetEndpointGroup(ctx, groupID); err != nil {
		return err
	}
	ps, err := s.store.EndpointGroupProjects(ctx, groupID, projectID)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return directory.NotFound("endpoint group project association", projectID)
	}
	return nil
}

// EndpointGroupProjects lists the projects associated with a group.
func (s *Service) EndpointGroupProjects(ctx context.Context, groupID string) ([]*directory.Project, error) {
	if _, err := s.store.GetEndpointGroup(ctx, groupID); err != nil {
		return nil, err
	}
	ps, err := s.store.EndpointGroupProjects(ctx, groupID, "")
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, p := range ps {
		ids = append(ids, p[1])
	}
	return s.dir.ListProjects(ctx, directory.ProjectQuery{IDs: ids})
}

// ProjectEndpointGroups lists the endpoint groups associated with a project.
func (s *Service) ProjectEndpointGroups(ctx context.Context, projectID string) ([]*EndpointGroup, error) {
	if _, err := s.dir.GetProject(ctx, projectID); err != nil {
		return nil, err
	}
	ps, err := s.store.EndpointGroupProjects(ctx, "", projectID)
	if err != nil {
		return nil, err
	}
	var out []*EndpointGroup
	for _, p := range ps {
		g, err := s.store.GetEndpointGroup(ctx, p[0])
		if err == nil {
			out = append(out, g)
		}
	}
	return out, nil
}

// AddProjectEndpoint associates an endpoint with a project.
func (s *Service) AddProjectEndpoint(ctx context.Context, projectID, endpointID string) error {
	defer s.catalogChanged()
	if _, err := s.dir.GetProject(ctx, projectID); err != nil {
		return err
	}
	if _, err := s.store.GetEndpoint(ctx, endpointID); err != nil {
		return err
	}
	return s.store.AddProjectEndpoint(ctx, projectID, endpointID)
}

// RemoveProjectEndpoint removes a project-endpoint association.
func (s *Service) RemoveProjectEndpoint(ctx context.Context, projectID, endpointID string) error {
	defer s.catalogChanged()
	return s.store.RemoveProjectEndpoint(ctx, projectID, endpointID)
}

// CheckProjectEndpoint answers not found unless associated.
func (s *Service) CheckProjectEndpoint(ctx context.Context, projectID, endpointID string) error {
	if _, err := s.dir.GetProject(ctx, projectID); err != nil {
		return err
	}
	if _, err := s.store.GetEndpoint(ctx, endpointID); err != nil {
		return err
	}
	ps, err := s.store.ProjectEndpoints(ctx, projectID, endpointID)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return directory.NotFound("project endpoint association", endpointID)
	}
	return nil
}

// ProjectEndpoints lists the endpoints a project sees: its direct and
// endpoint-group associations.
func (s *Service) ProjectEndpoints(ctx context.Context, projectID string) ([]*Endpoint, error) {
	if _, err := s.dir.GetProject(ctx, projectID); err != nil {
		return nil, err
	}
	allowed, _, err := s.projectEndpointFilter(ctx, projectID)
	if err != nil {
		return nil, err
	}
	all, err := s.store.ListEndpoints(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, e := range all {
		if allowed[e.ID] {
			out = append(out, e)
		}
	}
	return out, nil
}

// EndpointProjects lists the projects directly associated with an endpoint.
func (s *Service) EndpointProjects(ctx context.Context, endpointID string) ([]*directory.Project, error) {
	if _, err := s.store.GetEndpoint(ctx, endpointID); err != nil {
		return nil, err
	}
	ps, err := s.store.ProjectEndpoints(ctx, "", endpointID)
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, p := range ps {
		ids = append(ids, p[0])
	}
	return s.dir.ListProjects(ctx, directory.ProjectQuery{IDs: ids})
}
