package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// renderUser never includes the password hash.
func renderUser(r *http.Request, u *identity.User) map[string]any {
	m := map[string]any{
		"id":                  u.ID,
		"name":                u.Name,
		"domain_id":           u.DomainID,
		"enabled":             u.Enabled,
		"password_expires_at": keystoneTime(u.PasswordExpiresAt),
		"options":             optionsOf(u.Options),
		"links":               link(r, "users/"+u.ID),
	}
	if u.DefaultProjectID != "" {
		m["default_project_id"] = u.DefaultProjectID
	}
	if u.Description != "" {
		m["description"] = u.Description
	}
	return withExtra(m, u.Extra)
}

func renderGroup(r *http.Request, g *identity.Group) map[string]any {
	return withExtra(map[string]any{
		"id":          g.ID,
		"name":        g.Name,
		"domain_id":   g.DomainID,
		"description": g.Description,
		"links":       link(r, "groups/"+g.ID),
	}, g.Extra)
}

func (h *Handler) userTarget(r *http.Request) (map[string]any, error) {
	id := r.PathValue("user_id")
	u, err := h.svc.GetUser(r.Context(), id)
	if err != nil {
		return target("user", map[string]any{"id": id}, map[string]any{"user_id": id}), nil
	}
	return target("user", map[string]any{"id": u.ID, "domain_id": u.DomainID}, map[string]any{"user_id": u.ID}), nil
}

func (h *Handler) groupTarget(r *http.Request) (map[string]any, error) {
	id := r.PathValue("group_id")
	g, err := h.svc.GetGroup(r.Context(), id)
	if err != nil {
		return target("group", map[string]any{"id": id}, nil), nil
	}
	t := target("group", map[string]any{"id": g.ID, "domain_id": g.DomainID}, nil)
	if uid := r.PathValue("user_id"); uid != "" {
		attrs := map[string]any{"id": uid}
		if u, err := h.svc.GetUser(r.Context(), uid); err == nil {
			attrs["domain_id"] = u.DomainID
		}
		t["target"].(map[string]any)["user"] = attrs
		t["target.user.id"] = uid
		t["target.user.domain_id"] = attrs["domain_id"]
	}
	return t, nil
}

func userFilter(r *http.Request) (identity.UserFilter, error) {
	q := r.URL.Query()
	f := identity.UserFilter{
		UserQuery: identity.UserQuery{DomainID: q.Get("domain_id"), Name: q.Get("name"), Enabled: queryBool(r, "enabled")},
		NameOps:   nameOps(r, "name"),
	}
	var err error
	f.PasswordExpiresAt, err = timeOps(r, "password_expires_at")
	return f, err
}

func (h *Handler) renderUsers(w http.ResponseWriter, r *http.Request, us []*identity.User) error {
	out := make([]map[string]any, 0, len(us))
	for _, u := range us {
		out = append(out, renderUser(r, u))
	}
	return writeList(w, r, "users", out)
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	f, err := userFilter(r)
	if err != nil {
		return err
	}
	if f.DomainID == "" {
		f.DomainID = creds(r).DomainID
	}
	us, err := h.svc.ListUsers(r.Context(), f)
	if err != nil {
		return err
	}
	return h.renderUsers(w, r, us)
}

// CreateUserRequest is the decoded body of POST /v3/users.
type CreateUserRequest struct {
	User     *identity.User
	Password *string
}

// decodeCreateUser parses a user create body as Keystone's schema does:
// name required, typed known attributes, other attributes kept as extra.
func decodeCreateUser(m map[string]any) (CreateUserRequest, error) {
	f := &fields{m: m}
	name := f.str("name", false)
	if name == nil && f.err == nil {
		return CreateUserRequest{}, badRequest("Invalid input for field 'name': 'name' is a required property.")
	}
	u := &identity.User{
		Name:             deref(name),
		DomainID:         deref(f.str("domain_id", false)),
		Enabled:          derefBool(f.boolean("enabled"), true),
		DefaultProjectID: deref(f.str("default_project_id", true)),
		Description:      deref(f.str("description", true)),
		Options:          f.object("options"),
	}
	var pw *string
	if v, ok := f.m["password"]; ok && v != nil {
		pw = f.str("password", false)
	}
	delete(f.m, "password")
	delete(f.m, "federated")
	u.Extra = f.extra()
	return CreateUserRequest{User: u, Password: pw}, f.err
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "user")
	if err != nil {
		return err
	}
	req, err := decodeCreateUser(m)
	if err != nil {
		return err
	}
	if req.User.DomainID == "" {
		req.User.DomainID = defaultDomain(r)
	}
	u, err := h.svc.CreateUser(r.Context(), req.User, req.Password)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "user", renderUser(r, u))
}

func (h *Handler) showUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.svc.GetUser(r.Context(), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "user", renderUser(r, u))
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "user")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	p := identity.UserPatch{
		Name:             f.str("name", false),
		Description:      f.str("description", true),
		Enabled:          f.boolean("enabled"),
		DefaultProjectID: f.str("default_project_id", true),
		DomainID:         f.str("domain_id", false),
		Options:          f.object("options"),
	}
	if v, ok := m["password"]; ok && v != nil {
		p.Password = f.str("password", false)
	}
	delete(f.m, "password")
	delete(f.m, "federated")
	p.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	u, err := h.svc.UpdateUser(r.Context(), r.PathValue("user_id"), p)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "user", renderUser(r, u))
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteUser(r.Context(), r.PathValue("user_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "user")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	orig := f.str("original_password", false)
	pw := f.str("password", false)
	if f.err != nil {
		return f.err
	}
	if orig == nil || pw == nil {
		return badRequest("Invalid input for field 'user': 'password' and 'original_password' are required properties.")
	}
	if err := h.svc.ChangePassword(r.Context(), r.PathValue("user_id"), *orig, *pw); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) listUserGroups(w http.ResponseWriter, r *http.Request) error {
	gs, err := h.svc.ListUserGroups(r.Context(), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(gs))
	for _, g := range gs {
		out = append(out, renderGroup(r, g))
	}
	return writeList(w, r, "groups", out)
}

// Groups.

func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request) error {
	d := r.URL.Query().Get("domain_id")
	if d == "" {
		d = creds(r).DomainID
	}
	gs, err := h.svc.ListGroups(r.Context(), d, r.URL.Query().Get("name"), nameOps(r, "name"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(gs))
	for _, g := range gs {
		out = append(out, renderGroup(r, g))
	}
	return writeList(w, r, "groups", out)
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "group")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	name := f.str("name", false)
	if name == nil && f.err == nil {
		return badRequest("Invalid input for field 'name': 'name' is a required property.")
	}
	g := &identity.Group{
		Name:        deref(name),
		DomainID:    deref(f.str("domain_id", false)),
		Description: deref(f.str("description", true)),
	}
	g.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	if g.DomainID == "" {
		g.DomainID = defaultDomain(r)
	}
	g, err = h.svc.CreateGroup(r.Context(), g)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusCreated, "group", renderGroup(r, g))
}

func (h *Handler) showGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := h.svc.GetGroup(r.Context(), r.PathValue("group_id"))
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "group", renderGroup(r, g))
}

func (h *Handler) updateGroup(w http.ResponseWriter, r *http.Request) error {
	m, err := decodeEntity(r, "group")
	if err != nil {
		return err
	}
	f := &fields{m: m}
	p := identity.GroupPatch{
		Name:        f.str("name", false),
		Description: f.str("description", true),
		DomainID:    f.str("domain_id", false),
	}
	p.Extra = f.extra()
	if f.err != nil {
		return f.err
	}
	g, err := h.svc.UpdateGroup(r.Context(), r.PathValue("group_id"), p)
	if err != nil {
		return err
	}
	return writeOne(w, http.StatusOK, "group", renderGroup(r, g))
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteGroup(r.Context(), r.PathValue("group_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) listGroupUsers(w http.ResponseWriter, r *http.Request) error {
	f, err := userFilter(r)
	if err != nil {
		return err
	}
	us, err := h.svc.ListGroupUsers(r.Context(), r.PathValue("group_id"), f)
	if err != nil {
		return err
	}
	return h.renderUsers(w, r, us)
}

func (h *Handler) addGroupUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.AddGroupMember(r.Context(), r.PathValue("group_id"), r.PathValue("user_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) checkGroupUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.CheckGroupMember(r.Context(), r.PathValue("group_id"), r.PathValue("user_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) removeGroupUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.RemoveGroupMember(r.Context(), r.PathValue("group_id"), r.PathValue("user_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
