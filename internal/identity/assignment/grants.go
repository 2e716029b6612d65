package assignment

import (
	"context"
	"sort"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// GrantTarget names the actor and target of a grant as the API paths do.
type GrantTarget struct {
	UserID, GroupID     string
	ProjectID, DomainID string
	System              bool
	Inherited           bool
}

func (g GrantTarget) assignment(roleID string) Assignment {
	a := Assignment{RoleID: roleID, Inherited: g.Inherited}
	switch {
	case g.ProjectID != "":
		a.TargetID = g.ProjectID
		a.Type = UserProject
		if g.GroupID != "" {
			a.Type = GroupProject
		}
	case g.DomainID != "":
		a.TargetID = g.DomainID
		a.Type = UserDomain
		if g.GroupID != "" {
			a.Type = GroupDomain
		}
	default:
		a.TargetID = SystemTarget
		a.Type = UserSystem
		if g.GroupID != "" {
			a.Type = GroupSystem
		}
	}
	a.ActorID = g.UserID
	if g.GroupID != "" {
		a.ActorID = g.GroupID
	}
	return a
}

// checkGrantParties verifies that the actor and target exist.
func (s *Service) checkGrantParties(ctx context.Context, g GrantTarget) error {
	if g.UserID != "" {
		if _, err := s.dir.GetUser(ctx, g.UserID); err != nil {
			return err
		}
	} else if g.GroupID != "" {
		if _, err := s.dir.GetGroup(ctx, g.GroupID); err != nil {
			return err
		}
	}
	switch {
	case g.ProjectID != "":
		_, err := s.dir.GetProject(ctx, g.ProjectID)
		return err
	case g.DomainID != "":
		_, err := s.dir.GetDomain(ctx, g.DomainID)
		return err
	}
	return nil
}

// CreateGrant assigns a role.
func (s *Service) CreateGrant(ctx context.Context, g GrantTarget, roleID string) error {
	role, err := s.store.GetRole(ctx, roleID)
	if err != nil {
		return err
	}
	if err := s.checkGrantParties(ctx, g); err != nil {
		return err
	}
	if role.DomainID != "" {
		if err := s.checkDomainRoleTarget(ctx, g, role); err != nil {
			return err
		}
	}
	if err := s.store.AddAssignment(ctx, g.assignment(roleID)); err != nil {
		return err
	}
	s.notify()
	return nil
}

// checkDomainRoleTarget applies Keystone's two limits on granting a
// domain-specific role: the system cannot hold one (a 400 ValidationError
// in Keystone), and a project must be in the role's domain
// (DomainSpecificRoleMismatch, a 403). Keystone checks nothing more: the
// role may be granted on any domain, to users and groups alike, inherited
// or not, because such a role only carries the roles it implies.
func (s *Service) checkDomainRoleTarget(ctx context.Context, g GrantTarget, role *Role) error {
	switch {
	case g.ProjectID != "":
		p, err := s.dir.GetProject(ctx, g.ProjectID)
		if err != nil {
			return err
		}
		if p.DomainID != role.DomainID {
			return apierr.Forbidden("Project %s must be in the same domain as the role %s being assigned.", g.ProjectID, role.ID)
		}
	case g.DomainID == "":
		return apierr.BadRequest("Role %s is a domain-specific role. Unable to use a domain-specific role in a system assignment.", role.ID)
	}
	return nil
}

// CheckGrant answers a 404 unless the grant exists.
func (s *Service) CheckGrant(ctx context.Context, g GrantTarget, roleID string) error {
	if err := s.checkGrantParties(ctx, g); err != nil {
		return err
	}
	a := g.assignment(roleID)
	got, err := s.store.ListAssignments(ctx, Filter{ActorIDs: []string{a.ActorID}, TargetIDs: []string{a.TargetID}, Types: []string{a.Type}, RoleID: roleID})
	if err != nil {
		return err
	}
	for _, x := range got {
		if x.Inherited == a.Inherited {
			return nil
		}
	}
	return directory.NotFound("role assignment", roleID)
}

// DeleteGrant removes a grant. Tokens lose the role on their next
// validation, which recomputes roles.
func (s *Service) DeleteGrant(ctx context.Context, g GrantTarget, roleID string) error {
	if _, err := s.store.GetRole(ctx, roleID); err != nil {
		return err
	}
	if err := s.CheckGrant(ctx, g, roleID); err != nil {
		return err
	}
	if err := s.store.RemoveAssignment(ctx, g.assignment(roleID)); err != nil {
		return err
	}
	s.notify()
	return nil
}

// ListGrants lists the roles granted directly to the actor on the target.
func (s *Service) ListGrants(ctx context.Context, g GrantTarget) ([]*Role, error) {
	if err := s.checkGrantParties(ctx, g); err != nil {
		return nil, err
	}
	a := g.assignment("")
	got, err := s.store.ListAssignments(ctx, Filter{ActorIDs: []string{a.ActorID}, TargetIDs: []string{a.TargetID}, Types: []string{a.Type}})
	if err != nil {
		return nil, err
	}
	rc, err := s.loadRoles(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Role
	for _, x := range got {
		if x.Inherited != g.Inherited {
			continue
		}
		if r := rc.byID[x.RoleID]; r != nil {
			out = append(out, r)
		} else if r, err := s.store.GetRole(ctx, x.RoleID); err == nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// projectChain returns a project's ancestors, nearest first, excluding
// the domain, and the project's domain id.
func (s *Service) projectChain(ctx context.Context, p *directory.Project) ([]string, error) {
	var out []string
	cur := p
	for i := 0; i < 64 && cur.ParentID != "" && cur.ParentID != cur.DomainID; i++ {
		parent, err := s.dir.GetProjectOrDomain(ctx, cur.ParentID)
		if err != nil {
			return nil, err
		}
		if parent.IsDomain {
			break
		}
		out = append(out, parent.ID)
		cur = parent
	}
	return out, nil
}

// directRoleIDs returns the ids of roles the user holds on the scope
// through its own and its groups' assignments, inheritance included,
// before implied-role expansion.
func (s *Service) directRoleIDs(ctx context.Context, userID string, scope Scope) ([]string, error) {
	groups, err := s.dir.UserGroupIDs(ctx, userID)
	if err != nil {
		return nil, err
	}
	actors := append([]string{userID}, groups...)
	type want struct {
		inherited bool
		kind      string // "project", "domain", "system"
	}
	targets := map[string][]want{}
	switch {
	case scope.ProjectID != "":
		p, err := s.dir.GetProjectOrDomain(ctx, scope.ProjectID)
		if err != nil {
			return nil, err
		}
		targets[p.ID] = append(targets[p.ID], want{false, "project"})
		chain, err := s.projectChain(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, id := range chain {
			targets[id] = append(targets[id], want{true, "project"})
		}
		targets[p.DomainID] = append(targets[p.DomainID], want{true, "domain"})
	case scope.DomainID != "":
		targets[scope.DomainID] = append(targets[scope.DomainID], want{false, "domain"})
	case scope.System != "":
		targets[SystemTarget] = append(targets[SystemTarget], want{false, "system"})
	default:
		return nil, nil
	}
	tids := make([]string, 0, len(targets))
	for t := range targets {
		tids = append(tids, t)
	}
	got, err := s.store.ListAssignments(ctx, Filter{ActorIDs: actors, TargetIDs: tids})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, a := range got {
		kind := "project"
		switch a.Type {
		case UserDomain, GroupDomain:
			kind = "domain"
		case UserSystem, GroupSystem:
			kind = "system"
		}
		ok := false
		for _, w := range targets[a.TargetID] {
			ok = ok || (w.kind == kind && w.inherited == a.Inherited)
		}
		if ok && !seen[a.RoleID] {
			seen[a.RoleID] = true
			out = append(out, a.RoleID)
		}
	}
	sort.Strings(out)
	return out, nil
}

// EffectiveRoles returns the roles a token of the user on the scope
// carries: direct, group and inherited grants, implied roles expanded,
// domain-specific roles dropped.
func (s *Service) EffectiveRoles(ctx context.Context, userID string, scope Scope) ([]*Role, error) {
	ids, err := s.directRoleIDs(ctx, userID, scope)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	rc, err := s.loadRoles(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if rc.byID[id] == nil {
			// A role newer than the cache: reload once.
			s.roles.Store(nil)
			if rc, err = s.loadRoles(ctx); err != nil {
				return nil, err
			}
			break
		}
	}
	return rc.TokenRoles(ids), nil
}

// subtree returns the ids of the projects below id (not id itself).
func (s *Service) subtree(ctx context.Context, id string) ([]string, error) {
	var out []string
	queue := []string{id}
	for len(queue) > 0 && len(out) < 100000 {
		kids, err := s.store.ChildProjects(ctx, queue[0])
		if err != nil {
			return nil, err
		}
		queue = queue[1:]
		out = append(out, kids...)
		queue = append(queue, kids...)
	}
	return out, nil
}

// ListRoleAssignments implements GET /v3/role_assignments.
func (s *Service) ListRoleAssignments(ctx context.Context, q RoleAssignmentQuery) ([]RoleAssignment, error) {
	if q.UserID != "" && q.GroupID != "" {
		return nil, apierr.BadRequest("Specify at most one of user.id and group.id.")
	}
	if (q.ProjectID != "" && q.DomainID != "") || (q.System && (q.ProjectID != "" || q.DomainID != "")) {
		return nil, apierr.BadRequest("Specify at most one scope.")
	}
	if q.Effective && q.GroupID != "" {
		return nil, apierr.BadRequest("The effective option cannot be used with group.id.")
	}
	f := Filter{}
	if q.UserID != "" {
		f.ActorIDs = []string{q.UserID}
		if q.Effective {
			groups, err := s.dir.UserGroupIDs(ctx, q.UserID)
			if err != nil {
				return nil, err
			}
			f.ActorIDs = append(f.ActorIDs, groups...)
		}
	}
	if q.GroupID != "" {
		f.ActorIDs = []string{q.GroupID}
	}
	raw, err := s.store.ListAssignments(ctx, f)
	if err != nil {
		return nil, err
	}
	var entries []RoleAssignment
	for _, a := range raw {
		base := RoleAssignment{RoleID: a.RoleID, Source: a, Inherited: a.Inherited}
		if a.IsGroup() {
			base.GroupID = a.ActorID
		} else {
			base.UserID = a.ActorID
		}
		switch a.Type {
		case UserProject, GroupProject:
			base.ProjectID = a.TargetID
		case UserDomain, GroupDomain:
			base.DomainID = a.TargetID
		default:
			base.System = true
		}
		if !q.Effective {
			entries = append(entries, base)
			continue
		}
		// Effective: inherited grants apply to the projects below their
		// target, groups are replaced by their members.
		var targets []RoleAssignment
		if a.Inherited {
			var pids []string
			if base.DomainID != "" {
				pids, err = s.store.ProjectsInDomain(ctx, base.DomainID)
			} else if base.ProjectID != "" {
				pids, err = s.subtree(ctx, base.ProjectID)
			}
			if err != nil {
				return nil, err
			}
			for _, pid := range pids {
				e := base
				e.ProjectID, e.DomainID, e.Inherited = pid, "", false
				targets = append(targets, e)
			}
		} else {
			targets = []RoleAssignment{base}
		}
		for _, e := range targets {
			if e.GroupID == "" {
				entries = append(entries, e)
				continue
			}
			members, err := s.store.GroupUserIDs(ctx, e.GroupID)
			if err != nil {
				return nil, err
			}
			for _, u := range members {
				m := e
				m.ViaGroup, m.GroupID, m.UserID = e.GroupID, "", u
				entries = append(entries, m)
			}
		}
	}
	var rc *Roles
	if q.Effective {
		if rc, err = s.loadRoles(ctx); err != nil {
			return nil, err
		}
		var expanded []RoleAssignment
		for _, e := range entries {
			expanded = append(expanded, e)
			for _, id := range rc.expandImplied([]string{e.RoleID})[1:] {
				x := e
				x.RoleID, x.PriorRoleID = id, e.RoleID
				expanded = append(expanded, x)
			}
		}
		entries = entries[:0]
		for _, e := range expanded {
			if r := rc.byID[e.RoleID]; r != nil && r.DomainID != "" {
				continue // domain-specific roles only imply
			}
			entries = append(entries, e)
		}
	}
	projects := map[string]bool{}
	if q.ProjectID != "" {
		projects[q.ProjectID] = true
		if q.IncludeSubtree {
			sub, err := s.subtree(ctx, q.ProjectID)
			if err != nil {
				return nil, err
			}
			for _, id := range sub {
				projects[id] = true
			}
		}
	}
	var out []RoleAssignment
	seen := map[RoleAssignment]bool{}
	for _, e := range entries {
		switch {
		case q.UserID != "" && e.UserID != q.UserID:
			continue
		case q.GroupID != "" && e.GroupID != q.GroupID:
			continue
		case q.RoleID != "" && e.RoleID != q.RoleID:
			continue
		case q.ProjectID != "" && !projects[e.ProjectID]:
			continue
		case q.DomainID != "" && e.DomainID != q.DomainID:
			continue
		case q.System && !e.System:
			continue
		case q.InheritedOnly && !e.Inherited:
			continue
		}
		if seen[e] {
			continue
		}
		seen[e] = true
		out = append(out, e)
	}
	return out, nil
}

// UserProjects returns the projects on which the user has any role,
// directly, through a group or by inheritance.
func (s *Service) UserProjects(ctx context.Context, userID string) ([]*directory.Project, error) {
	if _, err := s.dir.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	as, err := s.ListRoleAssignments(ctx, RoleAssignmentQuery{UserID: userID, Effective: true})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []*directory.Project
	for _, a := range as {
		if a.ProjectID == "" || seen[a.ProjectID] {
			continue
		}
		seen[a.ProjectID] = true
		p, err := s.dir.GetProject(ctx, a.ProjectID)
		if err != nil {
			if apierr.IsNotFound(err) {
				continue
			}
			return nil, err
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// UserDomains returns the domains on which the user has a role, directly
// or through a group.
func (s *Service) UserDomains(ctx context.Context, userID string) ([]*directory.Domain, error) {
	as, err := s.ListRoleAssignments(ctx, RoleAssignmentQuery{UserID: userID, Effective: true})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []*directory.Domain
	for _, a := range as {
		if a.DomainID == "" || seen[a.DomainID] {
			continue
		}
		seen[a.DomainID] = true
		d, err := s.dir.GetDomain(ctx, a.DomainID)
		if err != nil {
			if apierr.IsNotFound(err) {
				continue
			}
			return nil, err
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
