package identity

import "time"

// RootDomainID is the domain_id stored for domains themselves. Domains are
// projects with is_domain set, as in Keystone; this sentinel keeps the
// (domain_id, name) unique index meaningful for them.
const RootDomainID = "<<keystone.domain.root>>"

// DefaultDomainID is the id of the domain created at bootstrap.
const DefaultDomainID = "default"

// Project is a project or, with IsDomain, a domain.
type Project struct {
	ID          string
	Name        string
	Description string
	Enabled     bool
	IsDomain    bool
	DomainID    string // RootDomainID for domains
	ParentID    string // "" for domains; the domain id for top-level projects
	Tags        []string
	Options     map[string]any
	Extra       map[string]any
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Domain is the domain view of a Project with IsDomain set.
type Domain = Project

// User is a local user.
type User struct {
	ID                string
	Name              string
	DomainID          string
	Enabled           bool
	DefaultProjectID  string
	Description       string
	Options           map[string]any
	Extra             map[string]any
	PasswordHash      string     // bcrypt; "" when the user has no password
	PasswordExpiresAt *time.Time // nil: never
	PasswordCreatedAt *time.Time
	FailedAuthCount   int
	FailedAuthAt      *time.Time
	LastActiveAt      *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Group is a group of users within a domain.
type Group struct {
	ID          string
	Name        string
	DomainID    string
	Description string
	Extra       map[string]any
}

// Role is a global role (DomainID "") or a domain-specific one.
type Role struct {
	ID          string
	Name        string
	DomainID    string
	Description string
	Options     map[string]any
	Extra       map[string]any
}

// Scope is what a token is scoped to: one of a project, a domain or the
// system; all empty is unscoped.
type Scope struct {
	ProjectID string
	DomainID  string
	System    string // "all"
}

// Unscoped reports whether no scope is set.
func (s Scope) Unscoped() bool { return s.ProjectID == "" && s.DomainID == "" && s.System == "" }

// Region is a catalog region.
type Region struct {
	ID             string
	Description    string
	ParentRegionID string
	Extra          map[string]any
}

// CatalogService is a service in the catalog (not to be confused with
// identity.Service, the business logic).
type CatalogService struct {
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

// CatalogEntry is a service with its endpoints, as put in tokens and
// served by /v3/auth/catalog.
type CatalogEntry struct {
	Service   CatalogService
	Endpoints []Endpoint
}

// RevokeEvent records that tokens matching every non-empty field and
// issued at or before IssuedBefore are revoked (Keystone's revocation
// events). Token validation checks them.
type RevokeEvent struct {
	UserID       string
	ProjectID    string
	DomainID     string
	RoleID       string
	TrustID      string
	ConsumerID   string
	AuditID      string
	AuditChainID string
	ExpiresAt    *time.Time
	IssuedBefore time.Time
	RevokedAt    time.Time
}

// Credential is a stored secret of a user (Keystone's /v3/credentials):
// an "ec2" access/secret pair, a "totp" seed, a "cert"... Blob is the
// opaque JSON text the client gave. Blobs are stored as given (not
// encrypted at rest).
type Credential struct {
	ID        string
	UserID    string
	ProjectID string
	Type      string
	Blob      string
	Extra     map[string]any
	CreatedAt time.Time
}

// Policy is a stored policy blob (the legacy /v3/policies API); gostack
// does not evaluate it.
type Policy struct {
	ID    string
	Type  string
	Blob  string
	Extra map[string]any
}

// Consumer is an OAuth1 consumer.
type Consumer struct {
	ID          string
	Description string
	Secret      string
	Extra       map[string]any
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

// DomainConfig is a domain-specific configuration: group → option → value.
type DomainConfig map[string]map[string]any

// ProjectQuery selects projects (and domains) in the store. Empty fields
// do not filter.
type ProjectQuery struct {
	DomainID string
	ParentID string
	Name     string
	IsDomain *bool
	Enabled  *bool
	IDs      []string // nil: any
}

// UserQuery selects users in the store.
type UserQuery struct {
	DomainID string
	Name     string
	Enabled  *bool
	GroupID  string // members of this group
}
