package authn

import (
	"time"

	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/identity/oauth1"
)

// AppCred is an application credential.
type AppCred struct {
	ID           string
	Name         string
	UserID       string
	ProjectID    string
	SecretHash   string
	Description  string
	Unrestricted bool
	ExpiresAt    *time.Time
	RoleIDs      []string
	AccessRules  []AccessRule
	CreatedAt    time.Time
	// Secret is set only on the create response.
	Secret string
}

// AccessRule restricts what an application credential may call.
type AccessRule struct {
	ID      string
	UserID  string
	Service string
	Path    string
	Method  string
}

// Trust is an OS-TRUST delegation from trustor to trustee.
type Trust struct {
	ID                 string
	TrustorUserID      string
	TrusteeUserID      string
	ProjectID          string
	Impersonation      bool
	ExpiresAt          *time.Time
	RemainingUses      *int
	AllowRedelegation  bool
	RedelegationCount  int
	RedelegatedTrustID string
	RoleIDs            []string
	CreatedAt          time.Time
}

// StoredRevokeEvent is a revocation event with its row id.
type StoredRevokeEvent struct {
	ID string
	directory.RevokeEvent
}

// AuthRequest is the decoded body of POST /v3/auth/tokens.
type AuthRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User *AuthUser `json:"user"`
			} `json:"password,omitempty"`
			Token *struct {
				ID string `json:"id"`
			} `json:"token,omitempty"`
			AppCred *struct {
				ID     string    `json:"id,omitempty"`
				Name   string    `json:"name,omitempty"`
				Secret string    `json:"secret"`
				User   *AuthUser `json:"user,omitempty"`
			} `json:"application_credential,omitempty"`
		} `json:"identity"`
		Scope any `json:"scope,omitempty"`
	} `json:"auth"`
}

// AuthUser names a user by id, or by name and domain.
type AuthUser struct {
	ID       string     `json:"id,omitempty"`
	Name     string     `json:"name,omitempty"`
	Domain   *AuthNamed `json:"domain,omitempty"`
	Password string     `json:"password,omitempty"`
}

// AuthNamed is {"id": ...} or {"name": ...}, with an optional domain.
type AuthNamed struct {
	ID     string     `json:"id,omitempty"`
	Name   string     `json:"name,omitempty"`
	Domain *AuthNamed `json:"domain,omitempty"`
}

// TokenScopeRequest is the parsed "scope" of an auth request.
type TokenScopeRequest struct {
	Project  *AuthNamed
	Domain   *AuthNamed
	System   bool
	TrustID  string
	Unscoped bool
}

// Token is an issued or validated token, with everything its response
// body shows.
type Token struct {
	ID         string
	Methods    []string
	User       *directory.User
	UserDomain *directory.Domain
	AuditIDs   []string
	ExpiresAt  time.Time
	IssuedAt   time.Time
	Project    *directory.Project
	// ProjectDomain is the domain of Project.
	ProjectDomain *directory.Domain
	Domain        *directory.Domain
	System        bool
	Roles         []*assignment.Role
	Trust         *Trust
	AppCred       *AppCred
	// IsAdminProject is Keystone's is_admin_project.
	IsAdminProject bool
	// Federation is set on a token of a federated (ephemeral) user.
	Federation *Federation
	// OAuth is the OS-OAUTH1 access token an oauth1 token came from.
	OAuth *oauth1.AccessToken
}
