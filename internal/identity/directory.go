package identity

import (
	"context"
	"sort"
	"time"
)

// DirectoryStore is the persistence of the directory: domains, projects,
// users, groups, the catalog, credentials, policies, limits. Every write
// runs in one transaction; deletions remove the role assignments naming
// the deleted actor or target, and writes that take a *RevokeEvent store
// it in the same transaction.
type DirectoryStore interface {
	// Projects and domains.
	CreateProject(ctx context.Context, p *Project) error
	UpdateProject(ctx context.Context, p *Project, revoke *RevokeEvent) error
	DeleteProject(ctx context.Context, id string) error
	DeleteDomain(ctx context.Context, id string) error
	ListProjects(ctx context.Context, q ProjectQuery) ([]*Project, error)
	SetProjectTags(ctx context.Context, id string, tags []string) error
	GetDomainConfig(ctx context.Context, domainID string) (DomainConfig, error)
	// ReplaceDomainConfig replaces the whole configuration (groups nil:
	// every group) or only the given groups' options.
	ReplaceDomainConfig(ctx context.Context, domainID string, cfg DomainConfig) error
	UpdateDomainConfig(ctx context.Context, domainID string, cfg DomainConfig) error
	DeleteDomainConfig(ctx context.Context, domainID, group, option string) error

	// Users.
	CreateUser(ctx context.Context, u *User) error
	// UpdateUser writes u. oldHash, when not empty, goes to the password
	// history.
	UpdateUser(ctx context.Context, u *User, oldHash string, revoke *RevokeEvent) error
	DeleteUser(ctx context.Context, id string) error
	ListUsers(ctx context.Context, q UserQuery) ([]*User, error)
	// PasswordHistory returns up to n previous password hashes, newest first.
	PasswordHistory(ctx context.Context, userID string, n int) ([]string, error)
	// SetUserAuthState records the outcome of a password check.
	SetUserAuthState(ctx context.Context, userID string, failedCount int, failedAt, lastActive *time.Time) error

	// Groups.
	CreateGroup(ctx context.Context, g *Group) error
	GetGroup(ctx context.Context, id string) (*Group, error)
	UpdateGroup(ctx context.Context, g *Group) error
	DeleteGroup(ctx context.Context, id string) error
	ListGroups(ctx context.Context, domainID, name string) ([]*Group, error)
	ListUserGroups(ctx context.Context, userID string) ([]*Group, error)
	AddGroupMember(ctx context.Context, groupID, userID string) error
	RemoveGroupMember(ctx context.Context, groupID, userID string) error
	IsGroupMember(ctx context.Context, groupID, userID string) (bool, error)

	// Catalog.
	CreateRegion(ctx context.Context, r *Region) error
	GetRegion(ctx context.Context, id string) (*Region, error)
	UpdateRegion(ctx context.Context, r *Region) error
	DeleteRegion(ctx context.Context, id string) error
	ListRegions(ctx context.Context) ([]*Region, error)
	CreateService(ctx context.Context, sv *CatalogService) error
	GetService(ctx context.Context, id string) (*CatalogService, error)
	UpdateService(ctx context.Context, sv *CatalogService) error
	DeleteService(ctx context.Context, id string) error
	ListServices(ctx context.Context) ([]*CatalogService, error)
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

	// Credentials, policies, OAuth1 consumers.
	CreateCredential(ctx context.Context, c *Credential) error
	GetCredential(ctx context.Context, id string) (*Credential, error)
	UpdateCredential(ctx context.Context, c *Credential) error
	DeleteCredential(ctx context.Context, id string) error
	ListCredentials(ctx context.Context, userID, typ string) ([]*Credential, error)
	CreatePolicy(ctx context.Context, p *Policy) error
	GetPolicy(ctx context.Context, id string) (*Policy, error)
	UpdatePolicy(ctx context.Context, p *Policy) error
	DeletePolicy(ctx context.Context, id string) error
	ListPolicies(ctx context.Context) ([]*Policy, error)
	CreateConsumer(ctx context.Context, c *Consumer) error
	GetConsumer(ctx context.Context, id string) (*Consumer, error)
	UpdateConsumer(ctx context.Context, c *Consumer) error
	DeleteConsumer(ctx context.Context, id string) error
	ListConsumers(ctx context.Context) ([]*Consumer, error)

	// Unified limits.
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

// directoryState is the directory's part of Service.
type directoryState struct {
	catalogs catalogCache
}

func (s *Service) initDirectory(ctx context.Context) error { return nil }

// Catalog returns the service catalog for a token of the given scope. A
// project with endpoint associations (direct or through endpoint groups)
// sees only those endpoints, as with Keystone's endpoint filter.
func (s *Service) Catalog(ctx context.Context, scope Scope) ([]CatalogEntry, error) {
	if c, ok := s.dir.catalogs.get(scope.ProjectID); ok {
		return c, nil
	}
	gen := s.dir.catalogs.generation()
	c, err := s.catalog(ctx, scope)
	if err == nil {
		s.dir.catalogs.put(scope.ProjectID, gen, c)
	}
	return c, err
}

func (s *Service) catalog(ctx context.Context, scope Scope) ([]CatalogEntry, error) {
	all, err := s.store.Catalog(ctx)
	if err != nil || scope.ProjectID == "" {
		return all, err
	}
	allowed, filtered, err := s.projectEndpointFilter(ctx, scope.ProjectID)
	if err != nil || !filtered {
		return all, err
	}
	var out []CatalogEntry
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

func sortStrings(s []string) []string {
	sort.Strings(s)
	return s
}
