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
