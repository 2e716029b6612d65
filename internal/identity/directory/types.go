package directory

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

// RevokeEvent records that tokens matching every non-empty field and
// issued at or before IssuedBefore are revoked (Keystone's revocation
// events). The directory writes one, in the same transaction, when it
// disables or changes what a token stands on (a user, a project, a
// domain); token validation (identity/authn) checks them.
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
