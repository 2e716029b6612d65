package assignment

import (
	"net/http"
	"strings"

	dirapi "github.com/gostack/gostack/internal/identity/api/directory"
	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/assignment"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// RenderRole renders a role as Keystone does.
func RenderRole(r *http.Request, ro *assignment.Role) map[string]any {
	var domainID, desc any
	if ro.DomainID != "" {
		domainID = ro.DomainID
	}
	if ro.Description != "" {
		desc = ro.Description
	}
	return keystone.WithExtra(map[string]any{
		"id":          ro.ID,
		"name":        ro.Name,
		"domain_id":   domainID,
		"description": desc,
		"options":     keystone.Options(ro.Options),
		"links":       keystone.Link(r, "roles/"+ro.ID),
	}, ro.Extra)
}

func (h *Handler) ListRoles(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	roles, err := h.svc.ListRoles(r.Context(), q.Get("domain_id"), q.Get("name"))
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(roles))
	for _, ro := range roles {
		items = append(items, RenderRole(r, ro))
	}
	return keystone.WriteFiltered(w, r, "roles", items, "name", "domain_id")
}

// roleFields reads a role entity.
func roleFields(m map[string]any, create bool) (*assignment.Role, assignment.RolePatch, error) {
	f := &keystone.Fields{M: m}
	ro := &assignment.Role{}
	var p assignment.RolePatch
	name := f.Str("name", false)
	desc := f.Str("description", true)
	domainID := f.Str("domain_id", true)
	f.Take("id")
	f.Take("links")
	opts := f.Object("options")
	if f.Err != nil {
		return nil, p, f.Err
	}
	if create && name == nil {
		return nil, p, apierr.BadRequest("Invalid input for field 'role': 'name' is a required property.")
	}
	if !create && domainID != nil {
		return nil, p, apierr.BadRequest("Invalid input for field 'domain_id': the domain of a role cannot change.")
	}
	ro.Name, ro.Description, ro.DomainID, ro.Options, ro.Extra = keystone.Deref(name), keystone.Deref(desc), keystone.Deref(domainID), opts, f.Extra()
	p.Name, p.Description, p.Options, p.Extra = name, desc, opts, ro.Extra
	return ro, p, nil
}

func (h *Handler) CreateRole(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "role")
	if err != nil {
		return err
	}
	ro, _, err := roleFields(m, true)
	if err != nil {
		return err
	}
	ro, err = h.svc.CreateRole(r.Context(), ro)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "role", RenderRole(r, ro))
}

func (h *Handler) ShowRole(w http.ResponseWriter, r *http.Request) error {
	ro, err := h.svc.GetRole(r.Context(), r.PathValue("role_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "role", RenderRole(r, ro))
}

func (h *Handler) UpdateRole(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "role")
	if err != nil {
		return err
	}
	_, p, err := roleFields(m, false)
	if err != nil {
		return err
	}
	ro, err := h.svc.UpdateRole(r.Context(), r.PathValue("role_id"), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "role", RenderRole(r, ro))
}

func (h *Handler) DeleteRole(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteRole(r.Context(), r.PathValue("role_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func roleRef(r *http.Request, ro *assignment.Role) map[string]any {
	return map[string]any{"id": ro.ID, "name": ro.Name, "links": keystone.Link(r, "roles/"+ro.ID)}
}

func (h *Handler) renderInference(r *http.Request, prior, implied *assignment.Role) map[string]any {
	return map[string]any{
		"role_inference": map[string]any{"prior_role": roleRef(r, prior), "implies": roleRef(r, implied)},
		"links":          keystone.Link(r, "roles/"+prior.ID+"/implies/"+implied.ID),
	}
}

func (h *Handler) CreateImpliedRole(w http.ResponseWriter, r *http.Request) error {
	p, i, err := h.svc.CreateImpliedRole(r.Context(), r.PathValue("prior_role_id"), r.PathValue("implied_role_id"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusCreated, h.renderInference(r, p, i))
}

func (h *Handler) ShowImpliedRole(w http.ResponseWriter, r *http.Request) error {
	p, i, err := h.svc.GetImpliedRole(r.Context(), r.PathValue("prior_role_id"), r.PathValue("implied_role_id"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, h.renderInference(r, p, i))
}

func (h *Handler) CheckImpliedRole(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := h.svc.GetImpliedRole(r.Context(), r.PathValue("prior_role_id"), r.PathValue("implied_role_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) DeleteImpliedRole(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteImpliedRole(r.Context(), r.PathValue("prior_role_id"), r.PathValue("implied_role_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func renderRoleInference(r *http.Request, ri *assignment.RoleInference) map[string]any {
	implies := make([]map[string]any, 0, len(ri.Implies))
	for _, i := range ri.Implies {
		implies = append(implies, roleRef(r, i))
	}
	return map[string]any{"prior_role": roleRef(r, ri.Prior), "implies": implies}
}

func (h *Handler) ListImpliedRoles(w http.ResponseWriter, r *http.Request) error {
	ri, err := h.svc.ListImpliedRoles(r.Context(), r.PathValue("prior_role_id"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		"role_inference": renderRoleInference(r, ri),
		"links":          keystone.Link(r, "roles/"+ri.Prior.ID+"/implies"),
	})
}

func (h *Handler) ListRoleInferences(w http.ResponseWriter, r *http.Request) error {
	all, err := h.svc.ListRoleInferences(r.Context())
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(all))
	for _, ri := range all {
		items = append(items, renderRoleInference(r, ri))
	}
	return keystone.WriteList(w, r, "role_inferences", items)
}

// grantTarget reads the actor and target of a grant path.
func grantTarget(r *http.Request) assignment.GrantTarget {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var g assignment.GrantTarget
	i := 1 // after "v3"
	if len(segs) > i && segs[i] == "OS-INHERIT" {
		g.Inherited = true
		i++
	}
	actorAt := i + 2
	switch {
	case len(segs) > i && segs[i] == "system":
		g.System = true
		actorAt = i + 1
	case len(segs) > i && segs[i] == "projects":
		g.ProjectID = r.PathValue("target_id")
	default:
		g.DomainID = r.PathValue("target_id")
	}
	if len(segs) > actorAt && segs[actorAt] == "groups" {
		g.GroupID = r.PathValue("actor_id")
	} else {
		g.UserID = r.PathValue("actor_id")
	}
	return g
}

// SystemTarget is the policy target of the system grant routes: the
// actor of the path as user_id.
func SystemTarget(r *http.Request) (map[string]any, error) {
	return map[string]any{"user_id": r.PathValue("actor_id")}, nil
}

// CreateGrant grants a role (PUT .../roles/{role_id}).
func (h *Handler) CreateGrant(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.CreateGrant(r.Context(), grantTarget(r), r.PathValue("role_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// CheckGrant answers 204 when the grant exists (HEAD or GET
// .../roles/{role_id}).
func (h *Handler) CheckGrant(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.CheckGrant(r.Context(), grantTarget(r), r.PathValue("role_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// DeleteGrant revokes a grant (DELETE .../roles/{role_id}).
func (h *Handler) DeleteGrant(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteGrant(r.Context(), grantTarget(r), r.PathValue("role_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) ListGrants(w http.ResponseWriter, r *http.Request) error {
	roles, err := h.svc.ListGrants(r.Context(), grantTarget(r))
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(roles))
	for _, ro := range roles {
		items = append(items, RenderRole(r, ro))
	}
	return keystone.WriteList(w, r, "roles", items)
}

// assignmentLink is the grant URL an assignment entry points at.
func assignmentLink(a assignment.Assignment) string {
	var kind, actor string
	switch a.Type {
	case assignment.UserProject, assignment.GroupProject:
		kind = "projects/" + a.TargetID
	case assignment.UserDomain, assignment.GroupDomain:
		kind = "domains/" + a.TargetID
	default:
		kind = "system"
	}
	if a.IsGroup() {
		actor = "groups/" + a.ActorID
	} else {
		actor = "users/" + a.ActorID
	}
	if a.Inherited {
		return "OS-INHERIT/" + kind + "/" + actor + "/roles/" + a.RoleID + "/inherited_to_projects"
	}
	return kind + "/" + actor + "/roles/" + a.RoleID
}

func (h *Handler) ListRoleAssignments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rq := assignment.RoleAssignmentQuery{
		UserID:    q.Get("user.id"),
		GroupID:   q.Get("group.id"),
		RoleID:    q.Get("role.id"),
		ProjectID: q.Get("scope.project.id"),
		DomainID:  q.Get("scope.domain.id"),
		System:    q.Has("scope.system"),
	}
	if v := q.Get("scope.OS-INHERIT:inherited_to"); v != "" {
		if v != "projects" {
			return apierr.BadRequest("Invalid input for field 'scope.OS-INHERIT:inherited_to': only 'projects' is supported.")
		}
		rq.InheritedOnly = true
	}
	rq.Effective = q.Has("effective") && (keystone.QueryBool(r, "effective") == nil || *keystone.QueryBool(r, "effective"))
	rq.IncludeSubtree = q.Has("include_subtree") && *keystone.QueryBool(r, "include_subtree")
	names := q.Has("include_names") && *keystone.QueryBool(r, "include_names")
	if rq.IncludeSubtree && rq.ProjectID == "" {
		return apierr.BadRequest("include_subtree needs scope.project.id.")
	}
	as, err := h.svc.ListRoleAssignments(r.Context(), rq)
	if err != nil {
		return err
	}
	ctx := r.Context()
	base := httpapi.BaseURL(r) + "/v3/"
	named := func(kind, id string) map[string]any {
		m := map[string]any{"id": id}
		if !names {
			return m
		}
		switch kind {
		case "role":
			if ro, err := h.svc.GetRole(ctx, id); err == nil {
				m["name"] = ro.Name
				if ro.DomainID != "" {
					m["domain"] = h.domainRef(r, ro.DomainID)
				}
			}
		case "user":
			if u, err := h.dir.GetUser(ctx, id); err == nil {
				m["name"], m["domain"] = u.Name, h.domainRef(r, u.DomainID)
			}
		case "group":
			if g, err := h.dir.GetGroup(ctx, id); err == nil {
				m["name"], m["domain"] = g.Name, h.domainRef(r, g.DomainID)
			}
		case "project":
			if p, err := h.dir.GetProject(ctx, id); err == nil {
				m["name"], m["domain"] = p.Name, h.domainRef(r, p.DomainID)
			}
		case "domain":
			if d, err := h.dir.GetDomain(ctx, id); err == nil {
				m["name"] = d.Name
			}
		}
		return m
	}
	items := make([]map[string]any, 0, len(as))
	for _, a := range as {
		e := map[string]any{"role": named("role", a.RoleID)}
		if a.UserID != "" {
			e["user"] = named("user", a.UserID)
		} else {
			e["group"] = named("group", a.GroupID)
		}
		scope := map[string]any{}
		switch {
		case a.ProjectID != "":
			scope["project"] = named("project", a.ProjectID)
		case a.DomainID != "":
			scope["domain"] = named("domain", a.DomainID)
		default:
			scope["system"] = map[string]any{"all": true}
		}
		if a.Inherited {
			scope["OS-INHERIT:inherited_to"] = "projects"
		}
		e["scope"] = scope
		links := map[string]any{"assignment": base + assignmentLink(a.Source)}
		if a.ViaGroup != "" {
			links["membership"] = base + "groups/" + a.ViaGroup + "/users/" + a.UserID
		}
		if a.PriorRoleID != "" {
			links["prior_role"] = base + "roles/" + a.PriorRoleID
		}
		e["links"] = links
		items = append(items, e)
	}
	return keystone.WriteList(w, r, "role_assignments", items)
}

func (h *Handler) domainRef(r *http.Request, id string) map[string]any {
	m := map[string]any{"id": id}
	if d, err := h.dir.GetDomain(r.Context(), id); err == nil {
		m["name"] = d.Name
	}
	return m
}

func (h *Handler) ListUserProjects(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.UserProjects(r.Context(), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		items = append(items, dirapi.RenderProject(r, p))
	}
	return keystone.WriteList(w, r, "projects", items)
}
