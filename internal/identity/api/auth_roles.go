package api

import (
	"net/http"
	"strings"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func renderRole(r *http.Request, ro *identity.Role) map[string]any {
	var domainID, desc any
	if ro.DomainID != "" {
		domainID = ro.DomainID
	}
	if ro.Description != "" {
		desc = ro.Description
	}
	return withExtra(map[string]any{
		"id":          ro.ID,
		"name":        ro.Name,
		"domain_id":   domainID,
		"description": desc,
		"options":     optionsOf(ro.Options),
		"links":       link(r, "roles/"+ro.ID),
	}, ro.Extra)
}

func (h *Handler) listRoles(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	roles, err := h.svc.ListRoles(r.Context(), q.Get("domain_id"), q.Get("name"))
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(roles))
	for _, ro := range roles {
		items = append(items, renderRole(r, ro))
	}
	return writeList(w, r, "roles", items)
}

// roleFields reads a role entity.
func roleFields(m map[string]any, create bool) (*identity.Role, identity.RolePatch, error) {
	f := &fields{m: m}
	ro := &identity.Role{}
	var p identity.RolePatch
	name := f.str("name", false)
	desc := f.str("description", true)
	domainID := f.str("domain_id", true)
	f.take("id")
	f.take("links")
	opts := f.object("options")
	if f.err != nil {
		return nil, p, f.err
	}
	if create && name == nil {
		return nil, p, badRequest("Invalid input for field 'role': 'name' is a required property.")
	}
	if !create && domainID != nil {
		return nil, p, badRequest("Invalid input for field 'domain_id': the domain of a role cannot change.")
	}
	ro.Name, ro.Description, ro.DomainID, ro.Options, ro.Extra = deref(name), deref(desc), deref(domainID), opts, f.extra()
	p.Name, p.Description, p.Options, p.Extra = name, desc, opts, ro.Extra
	return ro, p, nil
}

func (h *Handler) createRole(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "role")
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
	return writeOne(w, http.StatusCreated, "role", renderRole(r, ro))
}

func (h *Handler) showRole(w http.ResponseWriter, r *http.Request) error {
	ro, err := h.svc.GetRole(r.Context(), r.PathValue("role_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "role", renderRole(r, ro))
}

func (h *Handler) updateRole(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "role")
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
	return writeOne(w, http.StatusOK, "role", renderRole(r, ro))
}

func (h *Handler) deleteRole(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteRole(r.Context(), r.PathValue("role_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func roleRef(r *http.Request, ro *identity.Role) map[string]any {
	return map[string]any{"id": ro.ID, "name": ro.Name, "links": link(r, "roles/"+ro.ID)}
}

func (h *Handler) renderInference(r *http.Request, prior, implied *identity.Role) map[string]any {
	return map[string]any{
		"role_inference": map[string]any{"prior_role": roleRef(r, prior), "implies": roleRef(r, implied)},
		"links":          link(r, "roles/"+prior.ID+"/implies/"+implied.ID),
	}
}

func (h *Handler) createImpliedRole(w http.ResponseWriter, r *http.Request) error {
	p, i, err := h.svc.CreateImpliedRole(r.Context(), r.PathValue("prior_role_id"), r.PathValue("implied_role_id"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusCreated, h.renderInference(r, p, i))
}

func (h *Handler) showImpliedRole(w http.ResponseWriter, r *http.Request) error {
	p, i, err := h.svc.GetImpliedRole(r.Context(), r.PathValue("prior_role_id"), r.PathValue("implied_role_id"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, h.renderInference(r, p, i))
}

func (h *Handler) checkImpliedRole(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := h.svc.GetImpliedRole(r.Context(), r.PathValue("prior_role_id"), r.PathValue("implied_role_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) deleteImpliedRole(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteImpliedRole(r.Context(), r.PathValue("prior_role_id"), r.PathValue("implied_role_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func renderRoleInference(r *http.Request, ri *identity.RoleInference) map[string]any {
	implies := make([]map[string]any, 0, len(ri.Implies))
	for _, i := range ri.Implies {
		implies = append(implies, roleRef(r, i))
	}
	return map[string]any{"prior_role": roleRef(r, ri.Prior), "implies": implies}
}

func (h *Handler) listImpliedRoles(w http.ResponseWriter, r *http.Request) error {
	ri, err := h.svc.ListImpliedRoles(r.Context(), r.PathValue("prior_role_id"))
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{
		"role_inference": renderRoleInference(r, ri),
		"links":          link(r, "roles/"+ri.Prior.ID+"/implies"),
	})
}

func (h *Handler) listRoleInferences(w http.ResponseWriter, r *http.Request) error {
	all, err := h.svc.ListRoleInferences(r.Context())
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(all))
	for _, ri := range all {
		items = append(items, renderRoleInference(r, ri))
	}
	return writeList(w, r, "role_inferences", items)
}

// grantTarget reads the actor and target of a grant path.
func grantTarget(r *http.Request) identity.GrantTarget {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var g identity.GrantTarget
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

func systemTarget(r *http.Request) (map[string]any, error) {
	return map[string]any{"user_id": r.PathValue("actor_id")}, nil
}

type grantOp int

const (
	grantCreate grantOp = iota
	grantCheck
	grantDelete
)

func (h *Handler) grant(op grantOp) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		g, role := grantTarget(r), r.PathValue("role_id")
		var err error
		switch op {
		case grantCreate:
			err = h.svc.CreateGrant(r.Context(), g, role)
		case grantCheck:
			err = h.svc.CheckGrant(r.Context(), g, role)
		case grantDelete:
			err = h.svc.DeleteGrant(r.Context(), g, role)
		}
		if err != nil {
			return err
		}
		return httpapi.NoContent(w)
	}
}

func (h *Handler) listGrants(w http.ResponseWriter, r *http.Request) error {
	roles, err := h.svc.ListGrants(r.Context(), grantTarget(r))
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(roles))
	for _, ro := range roles {
		items = append(items, renderRole(r, ro))
	}
	return writeList(w, r, "roles", items)
}

// assignmentLink is the grant URL an assignment entry points at.
func assignmentLink(a identity.Assignment) string {
	var kind, actor string
	switch a.Type {
	case identity.UserProject, identity.GroupProject:
		kind = "projects/" + a.TargetID
	case identity.UserDomain, identity.GroupDomain:
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

func (h *Handler) listRoleAssignments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rq := identity.RoleAssignmentQuery{
		UserID:    q.Get("user.id"),
		GroupID:   q.Get("group.id"),
		RoleID:    q.Get("role.id"),
		ProjectID: q.Get("scope.project.id"),
		DomainID:  q.Get("scope.domain.id"),
		System:    q.Has("scope.system"),
	}
	if v := q.Get("scope.OS-INHERIT:inherited_to"); v != "" {
		if v != "projects" {
			return badRequest("Invalid input for field 'scope.OS-INHERIT:inherited_to': only 'projects' is supported.")
		}
		rq.InheritedOnly = true
	}
	rq.Effective = q.Has("effective") && (queryBool(r, "effective") == nil || *queryBool(r, "effective"))
	rq.IncludeSubtree = q.Has("include_subtree") && *queryBool(r, "include_subtree")
	names := q.Has("include_names") && *queryBool(r, "include_names")
	if rq.IncludeSubtree && rq.ProjectID == "" {
		return badRequest("include_subtree needs scope.project.id.")
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
			if u, err := h.svc.GetUser(ctx, id); err == nil {
				m["name"], m["domain"] = u.Name, h.domainRef(r, u.DomainID)
			}
		case "group":
			if g, err := h.svc.AssignmentGroup(ctx, id); err == nil {
				m["name"], m["domain"] = g.Name, h.domainRef(r, g.DomainID)
			}
		case "project":
			if p, err := h.svc.GetProject(ctx, id); err == nil {
				m["name"], m["domain"] = p.Name, h.domainRef(r, p.DomainID)
			}
		case "domain":
			if d, err := h.svc.GetDomain(ctx, id); err == nil {
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
	return writeList(w, r, "role_assignments", items)
}

func (h *Handler) domainRef(r *http.Request, id string) map[string]any {
	m := map[string]any{"id": id}
	if d, err := h.svc.GetDomain(r.Context(), id); err == nil {
		m["name"] = d.Name
	}
	return m
}

func (h *Handler) listUserProjects(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.svc.UserProjects(r.Context(), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		items = append(items, renderProject(r, p))
	}
	return writeList(w, r, "projects", items)
}
