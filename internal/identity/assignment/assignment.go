// Package assignment is Keystone's authorization data: roles (global and
// domain-specific), implied roles, and the grants of roles to users and
// groups on projects, domains and the system, with inheritance down the
// project tree. It computes the effective roles a token carries and
// answers GET /v3/role_assignments. It uses the directory for the users,
// groups and projects it names.
package assignment

import (
	"context"
	"sync/atomic"

	"github.com/gostack/gostack/internal/identity/directory"
)

// Store is the persistence of roles, inference rules and assignments. A
// missing row is an *apierr.Error with status 404.
type Store interface {
	CreateRole(ctx context.Context, r *Role) error
	GetRole(ctx context.Context, id string) (*Role, error)
	UpdateRole(ctx context.Context, r *Role) error
	// DeleteRole removes the role, its assignments and inference rules.
	DeleteRole(ctx context.Context, id string) error
	ListRoles(ctx context.Context) ([]*Role, error)
	ListImpliedRoles(ctx context.Context) ([]ImpliedRole, error)
	AddImpliedRole(ctx context.Context, r ImpliedRole) error
	RemoveImpliedRole(ctx context.Context, r ImpliedRole) error

	AddAssignment(ctx context.Context, a Assignment) error
	RemoveAssignment(ctx context.Context, a Assignment) error
	ListAssignments(ctx context.Context, f Filter) ([]Assignment, error)
	GroupUserIDs(ctx context.Context, groupID string) ([]string, error)
	// ProjectsInDomain returns the ids of the projects (not domains) of a domain.
	ProjectsInDomain(ctx context.Context, domainID string) ([]string, error)
	ChildProjects(ctx context.Context, parentID string) ([]string, error)
}

// Service is the assignment business logic.
type Service struct {
	store    Store
	dir      *directory.Service
	onChange func()
	roles    atomic.Pointer[Roles]
}

// New returns the service over store. onChange (may be nil) is called
// after every write that changes the roles a token carries, so that token
// validation drops what it cached.
func New(store Store, dir *directory.Service, onChange func()) *Service {
	return &Service{store: store, dir: dir, onChange: onChange}
}

func (s *Service) notify() {
	if s.onChange != nil {
		s.onChange()
	}
}
