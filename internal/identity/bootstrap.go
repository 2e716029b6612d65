package identity

import (
	"cmp"
	"context"
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
}

// BootstrapResult reports what Bootstrap found or made.
type BootstrapResult struct {
	AdminUserID      string
	AdminProjectID   string
	ServiceProjectID string
	CreatedAdmin     bool
}

// Bootstrap creates the Default domain, the roles, the admin and service
// projects, the admin user with the admin role on the admin project and on
// the system, the region and the catalog.
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
	return s.store.Bootstrap(ctx, spec, string(hash))
}
