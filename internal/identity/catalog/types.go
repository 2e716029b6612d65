package catalog

// Region is a catalog region.
type Region struct {
	ID             string
	Description    string
	ParentRegionID string
	Extra          map[string]any
}

// APIService is a service of the cloud as the catalog lists it (its type,
// "compute", and name, "nova"); not to be confused with Service, the
// catalog's business logic.
type APIService struct {
	ID          string
	Type        string
	Name        string
	Description string
	Enabled     bool
	Extra       map[string]any
}

// Endpoint is one URL of a catalog service.
type Endpoint struct {
	ID        string
	ServiceID string
	Interface string // public, internal, admin
	RegionID  string
	URL       string
	Enabled   bool
	Extra     map[string]any
}

// Entry is a service with its endpoints, as put in tokens and served by
// /v3/auth/catalog.
type Entry struct {
	Service   APIService
	Endpoints []Endpoint
}

// EndpointGroup is an OS-EP-FILTER endpoint group: the endpoints matching
// every filter (service_id, region_id, interface).
type EndpointGroup struct {
	ID          string
	Name        string
	Description string
	Filters     map[string]any
}

// Matches reports whether e satisfies every filter of g.
func (g *EndpointGroup) Matches(e *Endpoint) bool {
	for k, v := range g.Filters {
		s, _ := v.(string)
		switch k {
		case "service_id":
			if e.ServiceID != s {
				return false
			}
		case "region_id":
			if e.RegionID != s {
				return false
			}
		case "interface":
			if e.Interface != s {
				return false
			}
		}
	}
	return true
}

// RegisteredLimit is a unified-limits default for a resource of a service.
type RegisteredLimit struct {
	ID           string
	ServiceID    string
	RegionID     string
	ResourceName string
	DefaultLimit int64
	Description  string
}

// Limit overrides a registered limit for one project or domain.
type Limit struct {
	ID            string
	ProjectID     string
	DomainID      string
	ServiceID     string
	RegionID      string
	ResourceName  string
	ResourceLimit int64
	Description   string
}
