package assignment

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Roles is a snapshot of every role and inference rule: they are few,
// read on every token validation, and written rarely, so the service
// keeps one for roleCacheTTL.
type Roles struct {
	byID    map[string]*Role
	implies map[string][]string
	at      time.Time
}

const roleCacheTTL = 5 * time.Second

// Roles returns the current snapshot of roles and inference rules.
func (s *Service) Roles(ctx context.Context) (*Roles, error) { return s.loadRoles(ctx) }

func (s *Service) loadRoles(ctx context.Context) (*Roles, error) {
	if rc := s.roles.Load(); rc != nil && time.Since(rc.at) < roleCacheTTL {
		return rc, nil
	}
	roles, err := s.store.ListRoles(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := s.store.ListImpliedRoles(ctx)
	if err != nil {
		return nil, err
	}
	rc := &Roles{byID: make(map[string]*Role, len(roles)), implies: map[string][]string{}, at: time.Now()}
	for _, r := range roles {
		rc.byID[r.ID] = r
	}
	for _, ir := range rules {
		rc.implies[ir.PriorID] = append(rc.implies[ir.PriorID], ir.ImpliedID)
	}
	s.roles.Store(rc)
	return rc, nil
}

// DropRoles forgets the role snapshot, for a change made elsewhere (a
// deleted domain takes its domain-specific roles with it).
func (s *Service) DropRoles() { s.roles.Store(nil) }

// rolesChanged drops the role snapshot and tells token validation.
func (s *Service) rolesChanged() {
	s.roles.Store(nil)
	s.notify()
}

// Get returns the role with id, or nil.
func (rc *Roles) Get(id string) *Role { return rc.byID[id] }

// ByName returns a role named name, or nil.
func (rc *Roles) ByName(name string) *Role {
	for _, r := range rc.byID {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// expandImplied returns ids plus every role they imply, transitively,
// in a stable order (the given roles first).
func (rc *Roles) expandImplied(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	queue := append([]string(nil), ids...)
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
		queue = append(queue, rc.implies[id]...)
	}
	return out
}

// TokenRoles turns role ids into the roles a token shows: implied roles
// added, domain-specific roles (which only imply) dropped, sorted by name.
func (rc *Roles) TokenRoles(ids []string) []*Role {
	var out []*Role
	for _, id := range rc.expandImplied(ids) {
		if r := rc.byID[id]; r != nil && r.DomainID == "" {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func validateRole(r *Role) error {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		return apierr.BadRequest("Invalid input for field 'name': the role name must not be empty.")
	}
	if len(r.Name) > 255 {
		return apierr.BadRequest("Invalid input for field 'name': the role name is longer than 255 characters.")
	}
	for k, v := range r.Options {
		if k != "immutable" {
			return apierr.BadRequest("Invalid input for field 'options': %s is not a role option.", directory.Brief(k))
		}
		if _, ok := v.(bool); !ok && v != nil {
			return apierr.BadRequest("Invalid input for field 'options/immutable': expected a boolean.")
		}
	}
	return nil
}

func immutable(r *Role) bool {
	b, _ := r.Options["immutable"].(bool)
	return b
}

// CreateRole creates a global role or, with DomainID set, a domain-specific one.
func (s *Service) CreateRole(ctx context.Context, r *Role) (*Role, error) {
	if err := validateRole(r); err != nil {
		return nil, err
	}
	if r.DomainID != "" {
		if _, err := s.dir.GetDomain(ctx, r.DomainID); err != nil {
			return nil, err
		}
	}
	if r.ID == "" {
		r.ID = directory.NewID()
	}
	if err := s.store.CreateRole(ctx, r); err != nil {
		return nil, err
	}
	s.rolesChanged()
	return r, nil
}

// GetRole returns a role by id.
func (s *Service) GetRole(ctx context.Context, id string) (*Role, error) {
	return s.store.GetRole(ctx, id)
}

// ListRoles lists roles: global ones when domainID is "", else that
// domain's; name filters by exact name.
func (s *Service) ListRoles(ctx context.Context, domainID, name string) ([]*Role, error) {
	all, err := s.store.ListRoles(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Role
	for _, r := range all {
		if r.DomainID != domainID || (name != "" && r.Name != name) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// RolePatch is an update of a role; nil fields are left alone.
type RolePatch struct {
	Name        *string
	Description *string
	Options     map[string]any
	Extra       map[string]any
}

// UpdateRole applies a patch to a role.
func (s *Service) UpdateRole(ctx context.Context, id string, p RolePatch) (*Role, error) {
	r, err := s.store.GetRole(ctx, id)
	if err != nil {
		return nil, err
	}
	wasImmutable := immutable(r)
	if p.Name != nil {
		r.Name = *p.Name
	}
	if p.Description != nil {
		r.Description = *p.Description
	}
	if p.Options != nil {
		if r.Options == nil {
			r.Options = map[string]any{}
		}
		for k, v := range p.Options {
			if v == nil {
				delete(r.Options, k)
			} else {
				r.Options[k] = v
			}
		}
	}
	for k, v := range p.Extra {
		if r.Extra == nil {
			r.Extra = map[string]any{}
		}
		r.Extra[k] = v
	}
	if wasImmutable && immutable(r) {
		return nil, apierr.Forbidden("Role %s is immutable and cannot be changed.", id)
	}
	if err := validateRole(r); err != nil {
		return nil, err
	}
	if err := s.store.UpdateRole(ctx, r); err != nil {
		return nil, err
	}
	s.rolesChanged()
	return r, nil
}

// DeleteRole deletes a role with its assignments and inference rules.
// Tokens lose the role at once, since roles are recomputed on validation.
func (s *Service) DeleteRole(ctx context.Context, id string) error {
	r, err := s.store.GetRole(ctx, id)
	if err != nil {
		return err
	}
	if immutable(r) {
		return apierr.Forbidden("Role %s is immutable and cannot be deleted.", id)
	}
	if err := s.store.DeleteRole(ctx, id); err != nil {
		return err
	}
	s.rolesChanged()
	return nil
}

// prohibitedImpliedRole may never be implied (Keystone's [assignment]
// prohibited_implied_role).
const prohibitedImpliedRole = "admin"

// CreateImpliedRole adds the rule "prior implies implied".
func (s *Service) CreateImpliedRole(ctx context.Context, priorID, impliedID string) (*Role, *Role, error) {
	prior, err := s.store.GetRole(ctx, priorID)
	if err != nil {
		return nil, nil, err
	}
	implied, err := s.store.GetRole(ctx, impliedID)
	if err != nil {
		return nil, nil, err
	}
	if strings.EqualFold(implied.Name, prohibitedImpliedRole) {
		return nil, nil, apierr.Forbidden("%s is not an allowed implied role.", implied.Name)
	}
	if prior.DomainID == "" && implied.DomainID != "" {
		return nil, nil, apierr.Forbidden("A global role cannot imply the domain-specific role %s.", impliedID)
	}
	if priorID == impliedID {
		return nil, nil, apierr.Forbidden("A role cannot imply itself.")
	}
	rc, err := s.loadRoles(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range rc.expandImplied([]string{impliedID}) {
		if id == priorID {
			return nil, nil, apierr.Forbidden("Implying %s from %s would create a cycle.", impliedID, priorID)
		}
	}
	if err := s.store.AddImpliedRole(ctx, ImpliedRole{PriorID: priorID, ImpliedID: impliedID}); err != nil {
		return nil, nil, err
	}
	s.rolesChanged()
	return prior, implied, nil
}

// GetImpliedRole returns the two roles of an existing rule.
func (s *Service) GetImpliedRole(ctx context.Context, priorID, impliedID string) (*Role, *Role, error) {
	prior, err := s.store.GetRole(ctx, priorID)
	if err != nil {
		return nil, nil, err
	}
	implied, err := s.store.GetRole(ctx, impliedID)
	if err != nil {
		return nil, nil, err
	}
	rules, err := s.store.ListImpliedRoles(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rules {
		if r.PriorID == priorID && r.ImpliedID == impliedID {
			return prior, implied, nil
		}
	}
	return nil, nil, directory.NotFound("implied role", priorID+" implies "+impliedID)
}

// DeleteImpliedRole removes a rule.
func (s *Service) DeleteImpliedRole(ctx context.Context, priorID, impliedID string) error {
	if _, _, err := s.GetImpliedRole(ctx, priorID, impliedID); err != nil {
		return err
	}
	if err := s.store.RemoveImpliedRole(ctx, ImpliedRole{PriorID: priorID, ImpliedID: impliedID}); err != nil {
		return err
	}
	s.rolesChanged()
	return nil
}

// RoleInference is a prior role with the roles it directly implies.
type RoleInference struct {
	Prior   *Role
	Implies []*Role
}

// ListImpliedRoles lists the roles prior directly implies.
func (s *Service) ListImpliedRoles(ctx context.Context, priorID string) (*RoleInference, error) {
	prior, err := s.store.GetRole(ctx, priorID)
	if err != nil {
		return nil, err
	}
	all, err := s.ListRoleInferences(ctx)
	if err != nil {
		return nil, err
	}
	for _, ri := range all {
		if ri.Prior.ID == priorID {
			return ri, nil
		}
	}
	return &RoleInference{Prior: prior}, nil
}

// ListRoleInferences lists every rule, grouped by prior role.
func (s *Service) ListRoleInferences(ctx context.Context) ([]*RoleInference, error) {
	roles, err := s.store.ListRoles(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Role{}
	for _, r := range roles {
		byID[r.ID] = r
	}
	rules, err := s.store.ListImpliedRoles(ctx)
	if err != nil {
		return nil, err
	}
	idx := map[string]*RoleInference{}
	var out []*RoleInference
	for _, ir := range rules {
		p, i := byID[ir.PriorID], byID[ir.ImpliedID]
		if p == nil || i == nil {
			continue
		}
		ri := idx[p.ID]
		if ri == nil {
			ri = &RoleInference{Prior: p}
			idx[p.ID] = ri
			out = append(out, ri)
		}
		ri.Implies = append(ri.Implies, i)
	}
	return out, nil
}
