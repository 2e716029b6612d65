package dashboard

import (
	"slices"
	"time"
)

// User is the signed-in user as Keystone names it.
type User struct {
	ID         string
	Name       string
	DomainID   string
	DomainName string
}

// Project is a project the user has a role on.
type Project struct {
	ID       string
	Name     string
	DomainID string
}

// Endpoint is one URL of the catalog.
type Endpoint struct {
	Type      string // "compute"
	Name      string // "nova"
	Interface string // "public"
	Region    string
	URL       string
}

// Token is what Keystone issued and said about it. ID is the secret.
type Token struct {
	ID        string
	ExpiresAt time.Time
	User      User
	// Project is the token's scope; nil for an unscoped token.
	Project *Project
	Roles   []string
	Catalog []Endpoint
}

// Session is one signed-in browser. It holds the tokens, which never
// leave the server.
type Session struct {
	// Unscoped is the token of the password login, kept to rescope to
	// another project without asking for the password again (as
	// Horizon keeps its unscoped token).
	Unscoped Token
	// Scoped is the project token every API call carries.
	Scoped   Token
	Projects []Project
	// csrf is the secret the browser's X-CSRF-Token headers are masked
	// copies of.
	csrf []byte
}

// ExpiresAt is when the session ends: when the first of its tokens
// expires.
func (s *Session) ExpiresAt() time.Time {
	t := s.Scoped.ExpiresAt
	if u := s.Unscoped.ExpiresAt; !u.IsZero() && (t.IsZero() || u.Before(t)) {
		t = u
	}
	return t
}

// IsAdmin reports whether the scoped token carries the admin role, which
// is what Horizon shows the Admin and Identity panels for. The APIs still
// decide what the user may do.
func (s *Session) IsAdmin() bool { return slices.Contains(s.Scoped.Roles, "admin") }

// Endpoint returns the URL of serviceType in region for iface, falling
// back to any region when region has none.
func (s *Session) Endpoint(serviceType, iface, region string) (string, bool) {
	fallback := ""
	for _, e := range s.Scoped.Catalog {
		if e.Type != serviceType || e.Interface != iface {
			continue
		}
		if e.Region == region {
			return e.URL, true
		}
		if fallback == "" {
			fallback = e.URL
		}
	}
	return fallback, fallback != ""
}

// Services lists the catalog's service types, each once, in catalog order.
func (s *Session) Services() []string {
	var out []string
	for _, e := range s.Scoped.Catalog {
		if !slices.Contains(out, e.Type) {
			out = append(out, e.Type)
		}
	}
	return out
}

// Project returns the user's project with id.
func (s *Session) Project(id string) (Project, bool) {
	for _, p := range s.Projects {
		if p.ID == id {
			return p, true
		}
	}
	return Project{}, false
}
