package acl

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/platform/auth"
)

// Rules are keystoneauth's options.
type Rules struct {
	// ResellerPrefix is the account prefix of projects' accounts ("AUTH_").
	ResellerPrefix string
	// OperatorRoles give a project's user ownership of its account
	// (keystoneauth's operator_roles; lower case).
	OperatorRoles []string
	// ResellerAdminRole gives access to every account (lower case).
	ResellerAdminRole string
	// ReaderRoles give a project's user read access to its account
	// (project_reader_roles; lower case).
	ReaderRoles []string
	// SystemReaderRoles give read access to every account
	// (system_reader_roles; lower case).
	SystemReaderRoles []string
	// DefaultDomainID is the domain whose users and projects may be named
	// (rather than given by id) in ACLs.
	DefaultDomainID string
}

// Request is what the rule looks at.
type Request struct {
	Method                     string
	Account, Container, Object string
	Referer                    string
	// ACL is the container's read ACL for GET and HEAD, else its write ACL.
	ACL string
}

// Decision is the rule's answer.
type Decision struct {
	// Status is 0 when the request may go on, else 401 (anonymous) or 403.
	Status int
	// Owner is keystoneauth's swift_owner: the caller may see and set the
	// account's and containers' owner-only headers (ACLs, sync keys,
	// tempurl keys).
	Owner bool
	// Reseller is keystoneauth's reseller_request.
	Reseller bool
}

// Allowed reports whether the request may go on.
func (d Decision) Allowed() bool { return d.Status == 0 }

// IsReseller reports whether the caller has the reseller admin role.
func (r Rules) IsReseller(c *auth.Credentials) bool {
	return c != nil && hasAny(c, []string{r.ResellerAdminRole})
}

// IsOwner reports whether the caller owns account: the account of its
// project, with an operator role, or any account for a reseller admin.
// It needs no ACL, so the proxy asks it first and skips reading the
// container's ACL for owners.
func (r Rules) IsOwner(c *auth.Credentials, account string) bool {
	if c == nil {
		return false
	}
	if r.IsReseller(c) {
		return true
	}
	return c.ProjectID != "" && account == r.ResellerPrefix+c.ProjectID && hasAny(c, r.OperatorRoles)
}

func hasAny(c *auth.Credentials, roles []string) bool {
	for _, have := range c.Roles {
		if slices.Contains(roles, strings.ToLower(have)) {
			return true
		}
	}
	return false
}

// Authorize is keystoneauth's authorize (c set) and authorize_anonymous
// (c nil).
func (r Rules) Authorize(c *auth.Credentials, req Request) Decision {
	if req.Method == http.MethodOptions {
		return Decision{}
	}
	referrers, groups := Parse(req.ACL)
	if c == nil {
		if !strings.HasPrefix(req.Account, r.ResellerPrefix) {
			return Decision{Status: http.StatusUnauthorized}
		}
		if r.unconfirmedIdentity(req, referrers, groups) == yes {
			return Decision{}
		}
		return Decision{Status: http.StatusUnauthorized}
	}
	if r.IsReseller(c) {
		return Decision{Owner: true, Reseller: true}
	}
	read := req.Method == http.MethodGet || req.Method == http.MethodHead
	if read && hasAny(c, r.SystemReaderRoles) {
		return Decision{}
	}
	if req.Container == "" && req.Object == "" && req.Method == http.MethodDelete {
		return Decision{Status: http.StatusForbidden}
	}
	if len(groups) > 0 && r.crossTenant(c, req, groups) {
		return Decision{}
	}
	un := r.unconfirmedIdentity(req, referrers, groups)
	if un == yes {
		return Decision{}
	}
	if c.ProjectID == "" || req.Account != r.ResellerPrefix+c.ProjectID {
		return Decision{Status: http.StatusForbidden}
	}
	if hasAny(c, r.OperatorRoles) {
		return Decision{Owner: true}
	}
	if read && hasAny(c, r.ReaderRoles) {
		return Decision{}
	}
	if un == no {
		return Decision{Status: http.StatusForbidden}
	}
	// A role named in the ACL grants access too.
	for _, have := range c.Roles {
		for _, g := range groups {
			if strings.EqualFold(have, g) {
				return Decision{}
			}
		}
	}
	return Decision{Status: http.StatusForbidden}
}

type tri int

const (
	unknown tri = iota
	yes
	no
)

// unconfirmedIdentity is keystoneauth's _authorize_unconfirmed_identity:
// a referrer ACL grants object reads, and listings only with .rlistings.
func (r Rules) unconfirmedIdentity(req Request, referrers, groups []string) tri {
	if !ReferrerAllowed(req.Referer, referrers) {
		return unknown
	}
	if req.Object != "" || slices.Contains(groups, ".rlistings") {
		return yes
	}
	return no
}

// crossTenant is keystoneauth's _authorize_cross_tenant: an ACL item
// project:user matches by id, by "*", and by name when names are allowed.
func (r Rules) crossTenant(c *auth.Credentials, req Request, groups []string) bool {
	tenants := []string{c.ProjectID, "*"}
	users := []string{c.UserID, "*"}
	if r.namesAllowed(c) {
		tenants = append(tenants, c.ProjectName)
		users = append(users, c.UserName)
	}
	for _, t := range tenants {
		for _, u := range users {
			if slices.Contains(groups, t+":"+u) {
				return true
			}
		}
	}
	return false
}

// namesAllowed is keystoneauth's _is_name_allowed_in_acl: names are only
// unique within a domain, so they count only for the default domain's
// users and projects.
func (r Rules) namesAllowed(c *auth.Credentials) bool {
	def := r.DefaultDomainID
	if def == "" {
		def = "default"
	}
	if c.UserDomainID != "" && c.UserDomainID != def {
		return false
	}
	if c.ProjectDomainID != "" && c.ProjectDomainID != def {
		return false
	}
	return true
}
