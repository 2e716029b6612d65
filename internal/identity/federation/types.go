package federation

import (
	"context"

	"github.com/gostack/gostack/internal/identity/directory"
)

// IdP is an identity provider.
type IdP struct {
	ID string
	// DomainID is the domain of the IdP's shadow users.
	DomainID    string
	Description *string
	Enabled     bool
	// AuthorizationTTL is how long, in minutes, mapped group memberships
	// last (nil: the cloud's default).
	AuthorizationTTL *int64
	// RemoteIDs are the entity ids the IdP asserts as; each names one IdP.
	RemoteIDs []string
}

// Protocol is how an IdP's assertions are read: the mapping applied to
// them and, optionally, where the IdP's remote id is found.
type Protocol struct {
	IdPID             string
	ID                string
	MappingID         string
	RemoteIDAttribute *string
}

// Mapping is a set of rules turning assertions into local identities.
type Mapping struct {
	ID string
	// Rules is the mapping's "rules" as the client sent it (validated).
	Rules         []any
	SchemaVersion string
}

// ServiceProvider is a Keystone-to-Keystone service provider.
type ServiceProvider struct {
	ID               string
	AuthURL          string
	SPURL            string
	Description      *string
	Enabled          bool
	RelayStatePrefix string
}

// FederatedUser identifies a shadow user: the unique id an IdP's
// protocol gives, the name to show, and the domain it lives in.
type FederatedUser struct {
	IdPID       string
	ProtocolID  string
	UniqueID    string
	DisplayName string
	DomainID    string
}

// Login is the outcome of a federated authentication.
type Login struct {
	User *directory.User
	// Ephemeral is false for a mapping to an existing local user: its
	// token is an ordinary one.
	Ephemeral  bool
	IdPID      string
	ProtocolID string
	// GroupIDs are the groups the mapping gave the user.
	GroupIDs []string
}

// Store is the persistence of federation. Missing rows are 404
// *apierr.Errors, duplicates 409s.
type Store interface {
	// CreateIdP stores idp; when domain is not nil it is created first, in
	// the same transaction.
	CreateIdP(ctx context.Context, idp *IdP, domain *directory.Domain) error
	GetIdP(ctx context.Context, id string) (*IdP, error)
	ListIdPs(ctx context.Context) ([]*IdP, error)
	UpdateIdP(ctx context.Context, idp *IdP) error
	// DeleteIdP deletes an IdP with its protocols and the shadow users it
	// created.
	DeleteIdP(ctx context.Context, id string) error
	// IdPByRemoteID returns the IdP that claims remoteID.
	IdPByRemoteID(ctx context.Context, remoteID string) (*IdP, error)

	CreateProtocol(ctx context.Context, p *Protocol) error
	GetProtocol(ctx context.Context, idpID, id string) (*Protocol, error)
	ListProtocols(ctx context.Context, idpID string) ([]*Protocol, error)
	UpdateProtocol(ctx context.Context, p *Protocol) error
	DeleteProtocol(ctx context.Context, idpID, id string) error

	CreateMapping(ctx context.Context, m *Mapping) error
	GetMapping(ctx context.Context, id string) (*Mapping, error)
	ListMappings(ctx context.Context) ([]*Mapping, error)
	UpdateMapping(ctx context.Context, m *Mapping) error
	DeleteMapping(ctx context.Context, id string) error

	CreateServiceProvider(ctx context.Context, sp *ServiceProvider) error
	GetServiceProvider(ctx context.Context, id string) (*ServiceProvider, error)
	ListServiceProviders(ctx context.Context) ([]*ServiceProvider, error)
	UpdateServiceProvider(ctx context.Context, sp *ServiceProvider) error
	DeleteServiceProvider(ctx context.Context, id string) error

	// ShadowUser finds or creates the local user of fu (renaming it to
	// fu.DisplayName) and replaces the group memberships earlier logins
	// through the same IdP added with groupIDs, in one transaction. It
	// returns the user's id.
	ShadowUser(ctx context.Context, fu FederatedUser, groupIDs []string) (string, error)
}
