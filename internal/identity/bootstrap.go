package identity

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// BootstrapService is a catalog entry created at bootstrap.
type BootstrapService struct {
	Type, Name, Description string
	PublicURL               string
	InternalURL             string
	AdminURL                string
}

// BootstrapSpec says what a fresh cloud starts with. Bootstrap is
// idempotent: what exists is kept (the admin password is reset only when
// ResetPassword is set), what is missing is created.
type BootstrapSpec struct {
	AdminUser      string
	AdminPassword  string
	ResetPassword  bool
	AdminProject   string
	ServiceProject string
	Region         string
	// Roles are created in order; each implies the next (admin ⇒ member ⇒
	// reader).
	Roles []string
	// ServiceRoles are further roles, created when missing, that imply
	// and are implied by none (Swift's ResellerAdmin).
	ServiceRoles []string
	Services     []BootstrapService
	// ServiceUsers are the users of the processes that run apart from the
	// API (a compute agent on its host): each gets the service role on
	// the service project, Keystone's convention for service users, and
	// never admin.
	ServiceUsers []ServiceUser
}

// ServiceRole is the role of the service users: what the upstream
// projects' default policies accept for their service-to-service calls
// (Placement's admin-or-service rules, Nova's service APIs).
const ServiceRole = "service"

// ServiceUser is a service user bootstrap keeps. A missing one is made
// with Password; an existing one keeps its password unless Reset is set,
// so that a re-run does not invalidate the credentials files other hosts
// hold.
type ServiceUser struct {
	Name     string
	Password string
	Reset    bool
	// Hash is Password's bcrypt hash: Service.Bootstrap fills it in and
	// the store writes it.
	Hash string
}

// ServiceUserResult says what bootstrap did with a service user.
type ServiceUserResult struct {
	Name, ID string
	// PasswordSet is true when the user now has the spec's Password: it
	// was created, or Reset was asked. When false the password is the one
	// set earlier, which this bootstrap does not know.
	PasswordSet bool
}

// BootstrapResult reports what Bootstrap found or made.
type BootstrapResult struct {
	AdminUserID      string
	AdminProjectID   string
	ServiceProjectID string
	CreatedAdmin     bool
	// ServiceUsers are in the order of the spec's.
	ServiceUsers []ServiceUserResult
}

// Bootstrap creates the Default domain, the roles, the admin and service
// projects, the admin user with the admin role on the admin project and on
// the system, the service users with the service role on the service
// project, the region and the catalog.
func (s *Service) Bootstrap(ctx context.Context, spec BootstrapSpec) (*BootstrapResult, error) {
	spec.AdminUser = cmp.Or(spec.AdminUser, "admin")
	spec.AdminProject = cmp.Or(spec.AdminProject, "admin")
	spec.ServiceProject = cmp.Or(spec.ServiceProject, "service")
	spec.Region = cmp.Or(spec.Region, "RegionOne")
	if len(spec.Roles) == 0 {
		spec.Roles = []string{"admin", "member", "reader"}
	}
	if strings.TrimSpace(spec.AdminPassword) == "" {
		return nil, apierr.BadRequest("bootstrap needs an admin password")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(spec.AdminPassword), s.cfg.BcryptCost)
	if err != nil {
		return nil, apierr.BadRequest("admin password: %v", err)
	}
	// The spec's slice is the caller's: the hashes go into a copy.
	spec.ServiceUsers = slices.Clone(spec.ServiceUsers)
	for i := range spec.ServiceUsers {
		u := &spec.ServiceUsers[i]
		if strings.TrimSpace(u.Name) == "" || strings.TrimSpace(u.Password) == "" {
			return nil, apierr.BadRequest("bootstrap: a service user needs a name and a password")
		}
		h, err := bcrypt.GenerateFromPassword([]byte(u.Password), s.cfg.BcryptCost)
		if err != nil {
			return nil, apierr.BadRequest("service user %s password: %v", u.Name, err)
		}
		u.Hash = string(h)
	}
	return s.store.Bootstrap(ctx, spec, string(hash))
}
