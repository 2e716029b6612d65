// Package catalog is Keystone's service catalog and unified limits:
// regions, services and their endpoints, OS-EP-FILTER endpoint groups and
// project associations, registered limits and project limits. It builds
// the catalog a token carries (cached per project, since every token
// issue and validation renders it) and answers the limits other services
// enforce as quotas. It uses the directory for the projects and domains
// it names.
package catalog

import (
	"context"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/identity/directory"
)

// Store is the persistence of the catalog and the limits. A missing row
// is an *apierr.Error with status 404.
type Store interface {
	// Catalog returns every enabled service with its enabled endpoints.
	Catalog(ctx context.Context) ([]Entry, error)

	CreateRegion(ctx context.Context, r *Region) error
	GetRegion(ctx context.Context, id string) (*Region, error)
	UpdateRegion(ctx context.Context, r *Region) error
	DeleteRegion(ctx context.Context, id string) error
	ListRegions(ctx context.Context) ([]*Region, error)
	CreateService(ctx context.Context, sv *APIService) error
	GetService(ctx context.Context, id string) (*APIService, error)
	UpdateService(ctx context.Context, sv *APIService) error
	DeleteService(ctx context.Context, id string) error
	ListServices(ctx context.Context) ([]*APIService, error)
	CreateEndpoint(ctx context.Context, e *Endpoint) error
	GetEndpoint(ctx context.Context, id string) (*Endpoint, error)
	UpdateEndpoint(ctx context.Context, e *Endpoint) error
	DeleteEndpoint(ctx context.Context, id string) error
	ListEndpoints(ctx context.Context) ([]*Endpoint, error)
	CreateEndpointGroup(ctx context.Context, g *EndpointGroup) error
	GetEndpointGroup(ctx context.Context, id string) (*EndpointGroup, error)
	UpdateEndpointGroup(ctx context.Context, g *EndpointGroup) error
	DeleteEndpointGroup(ctx context.Context, id string) error
	ListEndpointGroups(ctx context.Context) ([]*EndpointGroup, error)
	AddProjectEndpoint(ctx context.Context, projectID, endpointID string) error
	RemoveProjectEndpoint(ctx context.Context, projectID, endpointID string) error
	// ProjectEndpoints lists associations; an empty argument matches any.
	ProjectEndpoints(ctx context.Context, projectID, endpointID string) ([][2]string, error)
	AddEndpointGroupProject(ctx context.Context, groupID, projectID string) error
	RemoveEndpointGroupProject(ctx context.Context, groupID, projectID string) error
	// EndpointGroupProjects lists (group, project) pairs; an empty argument matches any.
	EndpointGroupProjects(ctx context.Context, groupID, projectID string) ([][2]string, error)

	CreateRegisteredLimits(ctx context.Context, ls []*RegisteredLimit) error
	GetRegisteredLimit(ctx context.Context, id string) (*RegisteredLimit, error)
	UpdateRegisteredLimit(ctx context.Context, l *RegisteredLimit) error
	DeleteRegisteredLimit(ctx context.Context, id string) error
	ListRegisteredLimits(ctx context.Context) ([]*RegisteredLimit, error)
	CreateLimits(ctx context.Context, ls []*Limit) error
	GetLimit(ctx context.Context, id string) (*Limit, error)
	UpdateLimit(ctx context.Context, l *Limit) error
	DeleteLimit(ctx context.Context, id string) error
	ListLimits(ctx context.Context) ([]*Limit, error)
}

// Service is the catalog's business logic.
type Service struct {
	store Store
	dir   *directory.Service
	cache catalogCache
}

// New returns the catalog over store.
func New(store Store, dir *directory.Service) *Service {
	return &Service{store: store, dir: dir}
}

// Catalog returns the service catalog for a token scoped to projectID
// ("" for a domain or system scope). A project with endpoint
// associations (direct or through endpoint groups) sees only those
// endpoints, as with Keystone's endpoint filter.
func (s *Service) Catalog(ctx context.Context, projectID string) ([]Entry, error) {
	if c, ok := s.cache.get(projectID); ok {
		return c, nil
	}
	gen := s.cache.generation()
	c, err := s.catalog(ctx, projectID)
	if err == nil {
		s.cache.put(projectID, gen, c)
	}
	return c, err
}

func (s *Service) catalog(ctx context.Context, projectID string) ([]Entry, error) {
	all, err := s.store.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	all = substitute(all, projectID)
	if projectID == "" {
		return all, nil
	}
	allowed, filtered, err := s.projectEndpointFilter(ctx, projectID)
	if err != nil || !filtered {
		return all, err
	}
	var out []Entry
	for _, ce := range all {
		var eps []Endpoint
		for _, e := range ce.Endpoints {
			if allowed[e.ID] {
				eps = append(eps, e)
			}
		}
		if len(eps) > 0 {
			ce.Endpoints = eps
			out = append(out, ce)
		}
	}
	return out, nil
}

// projectEndpointFilter returns the endpoint ids associated with a
// project, and whether the project has any association at all.
func (s *Service) projectEndpointFilter(ctx context.Context, projectID string) (map[string]bool, bool, error) {
	direct, err := s.store.ProjectEndpoints(ctx, projectID, "")
	if err != nil {
		return nil, false, err
	}
	groups, err := s.store.EndpointGroupProjects(ctx, "", projectID)
	if err != nil {
		return nil, false, err
	}
	if len(direct) == 0 && len(groups) == 0 {
		return nil, false, nil
	}
	allowed := map[string]bool{}
	for _, pe := range direct {
		allowed[pe[1]] = true
	}
	if len(groups) > 0 {
		eps, err := s.store.ListEndpoints(ctx)
		if err != nil {
			return nil, false, err
		}
		for _, gp := range groups {
			g, err := s.store.GetEndpointGroup(ctx, gp[0])
			if err != nil {
				continue
			}
			for _, e := range eps {
				if g.Matches(e) {
					allowed[e.ID] = true
				}
			}
		}
	}
	return allowed, true, nil
}

// substitute fills in the project of the token in endpoint URLs that name
// it, as Keystone does for Swift's "http://host:8080/v1/AUTH_$(project_id)s":
// $(project_id)s, %(project_id)s and the older tenant_id forms. A token
// without a project (domain, system, unscoped) gets no endpoint whose URL
// needs one, and no service left without endpoints, as Keystone leaves
// those out of such a catalog. The store's slices are never changed in
// place: they are shared by every cached catalog.
func substitute(all []Entry, projectID string) []Entry {
	if !slices.ContainsFunc(all, func(ce Entry) bool {
		return slices.ContainsFunc(ce.Endpoints, func(e Endpoint) bool { return needsProject(e.URL) })
	}) {
		return all
	}
	out := make([]Entry, 0, len(all))
	for _, ce := range all {
		if len(ce.Endpoints) == 0 {
			out = append(out, ce)
			continue
		}
		eps := make([]Endpoint, 0, len(ce.Endpoints))
		for _, e := range ce.Endpoints {
			if needsProject(e.URL) {
				if projectID == "" {
					continue
				}
				for _, p := range []string{"$(project_id)s", "%(project_id)s", "$(tenant_id)s", "%(tenant_id)s"} {
					e.URL = strings.ReplaceAll(e.URL, p, projectID)
				}
			}
			eps = append(eps, e)
		}
		if len(eps) > 0 {
			ce.Endpoints = eps
			out = append(out, ce)
		}
	}
	return out
}

// needsProject reports whether an endpoint URL names the token's project.
func needsProject(url string) bool {
	return strings.Contains(url, "(project_id)s") || strings.Contains(url, "(tenant_id)s")
}
