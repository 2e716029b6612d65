// Package auth holds the authenticated caller of a request (Credentials),
// the Validator interface that turns an X-Auth-Token into Credentials, and
// the helpers that carry them in a request context.
package auth

import (
	"context"
	"errors"
	"time"
)

// ErrInvalidToken means the token is unknown, malformed, expired or revoked.
var ErrInvalidToken = errors.New("invalid token")

// Validator validates a token and returns who it speaks for.
type Validator interface {
	Validate(ctx context.Context, token string) (*Credentials, error)
}

// Credentials is what a validated token says about its bearer.
type Credentials struct {
	UserID         string
	UserName       string
	UserDomainID   string
	UserDomainName string

	// Exactly one scope is set: a project, a domain, the system, or none
	// (unscoped).
	ProjectID         string
	ProjectName       string
	ProjectDomainID   string
	ProjectDomainName string
	DomainID          string
	DomainName        string
	System            string // "all" for system-scoped tokens

	Roles   []string // role names
	RoleIDs []string

	// IsAdminProject is Keystone's is_admin_project: the token is scoped to
	// the cloud's admin project.
	IsAdminProject bool
	Methods        []string
	AuditIDs       []string
	ExpiresAt      time.Time
	IssuedAt       time.Time

	TrustID                 string
	TrusteeUserID           string
	TrustorUserID           string
	ApplicationCredentialID string

	// Token is the bearer's token, for calls made on the user's behalf.
	// Never log it.
	Token string `json:"-"`
}

// HasRole reports whether the credentials carry the named role.
func (c *Credentials) HasRole(name string) bool {
	for _, r := range c.Roles {
		if r == name {
			return true
		}
	}
	return false
}

// PolicyValues returns the credentials as oslo.policy sees them: the keys
// that rules such as "user_id:%(target.user.id)s", "system_scope:all",
// "token.domain.id:..." and "role:admin" refer to.
func (c *Credentials) PolicyValues() map[string]any {
	m := map[string]any{
		"user_id":           c.UserID,
		"user_domain_id":    c.UserDomainID,
		"project_id":        c.ProjectID,
		"project_domain_id": c.ProjectDomainID,
		"domain_id":         c.DomainID,
		"system_scope":      c.System,
		"roles":             c.Roles,
		"is_admin_project":  c.IsAdminProject,
		"trust_id":          c.TrustID,
		"trustor_id":        c.TrustorUserID,
		"trustee_id":        c.TrusteeUserID,
		"token": map[string]any{
			"domain":  map[string]any{"id": c.DomainID},
			"project": map[string]any{"id": c.ProjectID, "domain": map[string]any{"id": c.ProjectDomainID}},
			"user":    map[string]any{"id": c.UserID, "domain": map[string]any{"id": c.UserDomainID}},
		},
	}
	if c.ProjectID == "" {
		m["project_id"] = nil
	}
	if c.DomainID == "" {
		m["domain_id"] = nil
	}
	if c.System == "" {
		m["system_scope"] = nil
	}
	return m
}

type ctxKey struct{}

// WithCredentials returns ctx carrying c.
func WithCredentials(ctx context.Context, c *Credentials) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// FromContext returns the credentials of the request, if authenticated.
func FromContext(ctx context.Context) (*Credentials, bool) {
	c, ok := ctx.Value(ctxKey{}).(*Credentials)
	return c, ok && c != nil
}
