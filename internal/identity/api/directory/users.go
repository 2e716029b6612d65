package directory

import (
	"net/http"

	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// renderUser never includes the password hash.
func renderUser(r *http.Request, u *directory.User) map[string]any {
	m := map[string]any{
		"id":                  u.ID,
		"name":                u.Name,
		"domain_id":           u.DomainID,
		"enabled":             u.Enabled,
		"password_expires_at": keystone.Time(u.PasswordExpiresAt),
		"options":             keystone.Options(u.Options),
		"links":               keystone.Link(r, "users/"+u.ID),
	}
	if u.DefaultProjectID != "" {
		m["default_project_id"] = u.DefaultProjectID
	}
	if u.Description != "" {
		m["description"] = u.Description
	}
	return keystone.WithExtra(m, u.Extra)
}

func renderGroup(r *http.Request, g *directory.Group) map[string]any {
	return keystone.WithExtra(map[string]any{
		"id":          g.ID,
		"name":        g.Name,
		"domain_id":   g.DomainID,
		"description": g.Description,
		"links":       keystone.Link(r, "groups/"+g.ID),
	}, g.Extra)
}

func (h *Handler) UserTarget(r *http.Request) (map[string]any, error) {
	id := r.PathValue("user_id")
	u, err := h.svc.GetUser(r.Context(), id)
	if err != nil {
		return keystone.Target("user", map[string]any{"id": id}, map[string]any{"user_id": id}), nil
	}
	return keystone.Target("user", map[string]any{"id": u.ID, "domain_id": u.DomainID}, map[string]any{"user_id": u.ID}), nil
}

func (h *Handler) GroupTarget(r *http.Request) (map[string]any, error) {
	id := r.PathValue("group_id")
	g, err := h.svc.GetGroup(r.Context(), id)
	if err != nil {
		return keystone.Target("group", map[string]any{"id": id}, nil), nil
	}
	t := keystone.Target("group", map[string]any{"id": g.ID, "domain_id": g.DomainID}, nil)
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

func userFilter(r *http.Request) (directory.UserFilter, error) {
	q := r.URL.Query()
	f := directory.UserFilter{
		UserQuery: directory.UserQuery{DomainID: q.Get("domain_id"), Name: q.Get("name"), Enabled: keystone.QueryBool(r, "enabled")},
		NameOps:   nameOps(r, "name"),
	}
	var err error
	f.PasswordExpiresAt, err = timeOps(r, "password_expires_at")
	return f, err
}

func (h *Handler) renderUsers(w http.ResponseWriter, r *http.Request, us []*directory.User) error {
	out := make([]map[string]any, 0, len(us))
	for _, u := range us {
		out = append(out, renderUser(r, u))
	}
	return keystone.WriteFiltered(w, r, "users", out, "domain_id", "enabled", "name")
}

func (h *Handler) ListUsers(w http.ResponseWriter, r *http.Request) error {
	f, err := userFilter(r)
	if err != nil {
		return err
	}
	if f.DomainID == "" {
		f.DomainID = keystone.Creds(r).DomainID
	}
	us, err := h.svc.ListUsers(r.Context(), f)
	if err != nil {
		return err
	}
	return h.renderUsers(w, r, us)
}

// CreateUserRequest is the decoded body of POST /v3/users.
type CreateUserRequest struct {
	User     *directory.User
	Password *string
}

// decodeCreateUser parses a user create body as Keystone's schema does:
// name required, typed known attributes, other attributes kept as extra.
func decodeCreateUser(m map[string]any) (CreateUserRequest, error) {
	f := &keystone.Fields{M: m}
	name := f.Str("name", false)
	if name == nil && f.Err == nil {
		return CreateUserRequest{}, apierr.BadRequest("Invalid input for field 'name': 'name' is a required property.")
	}
	u := &directory.User{
		Name:             keystone.Deref(name),
		DomainID:         keystone.Deref(f.Str("domain_id", false)),
		Enabled:          keystone.DerefBool(f.Bool("enabled"), true),
		DefaultProjectID: keystone.Deref(f.Str("default_project_id", true)),
		Description:      keystone.Deref(f.Str("description", true)),
		Options:          f.Object("options"),
	}
	var pw *string
	if v, ok := f.M["password"]; ok && v != nil {
		pw = f.Str("password", false)
	}
	delete(f.M, "password")
	delete(f.M, "federated")
	u.Extra = f.Extra()
	return CreateUserRequest{User: u, Password: pw}, f.Err
}

func (h *Handler) CreateUser(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "user")
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
	return keystone.WriteOne(w, http.StatusCreated, "user", renderUser(r, u))
}

func (h *Handler) ShowUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.svc.GetUser(r.Context(), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "user", renderUser(r, u))
}

func (h *Handler) UpdateUser(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "user")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	p := directory.UserPatch{
		Name:             f.Str("name", false),
		Description:      f.Str("description", true),
		Enabled:          f.Bool("enabled"),
		DefaultProjectID: f.Str("default_project_id", true),
		DomainID:         f.Str("domain_id", false),
		Options:          f.Object("options"),
	}
	if v, ok := m["password"]; ok && v != nil {
		p.Password = f.Str("password", false)
	}
	delete(f.M, "password")
	delete(f.M, "federated")
	p.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	u, err := h.svc.UpdateUser(r.Context(), r.PathValue("user_id"), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "user", renderUser(r, u))
}

func (h *Handler) DeleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteUser(r.Context(), r.PathValue("user_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) ChangePassword(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "user")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	orig := f.Str("original_password", false)
	pw := f.Str("password", false)
	if f.Err != nil {
		return f.Err
	}
	if orig == nil || pw == nil {
		return apierr.BadRequest("Invalid input for field 'user': 'password' and 'original_password' are required properties.")
	}
	if err := h.svc.ChangePassword(r.Context(), r.PathValue("user_id"), *orig, *pw); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) ListUserGroups(w http.ResponseWriter, r *http.Request) error {
	gs, err := h.svc.ListUserGroups(r.Context(), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(gs))
	for _, g := range gs {
		out = append(out, renderGroup(r, g))
	}
	return keystone.WriteFiltered(w, r, "groups", out, "name")
}

// Groups.

func (h *Handler) ListGroups(w http.ResponseWriter, r *http.Request) error {
	d := r.URL.Query().Get("domain_id")
	if d == "" {
		d = keystone.Creds(r).DomainID
	}
	gs, err := h.svc.ListGroups(r.Context(), d, r.URL.Query().Get("name"), nameOps(r, "name"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(gs))
	for _, g := range gs {
		out = append(out, renderGroup(r, g))
	}
	return keystone.WriteFiltered(w, r, "groups", out, "name", "domain_id")
}

func (h *Handler) CreateGroup(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "group")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	name := f.Str("name", false)
	if name == nil && f.Err == nil {
		return apierr.BadRequest("Invalid input for field 'name': 'name' is a required property.")
	}
	g := &directory.Group{
		Name:        keystone.Deref(name),
		DomainID:    keystone.Deref(f.Str("domain_id", false)),
		Description: keystone.Deref(f.Str("description", true)),
	}
	g.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	if g.DomainID == "" {
		g.DomainID = defaultDomain(r)
	}
	g, err = h.svc.CreateGroup(r.Context(), g)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "group", renderGroup(r, g))
}

func (h *Handler) ShowGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := h.svc.GetGroup(r.Context(), r.PathValue("group_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "group", renderGroup(r, g))
}

func (h *Handler) UpdateGroup(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "group")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	p := directory.GroupPatch{
		Name:        f.Str("name", false),
		Description: f.Str("description", true),
		DomainID:    f.Str("domain_id", false),
	}
	p.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	g, err := h.svc.UpdateGroup(r.Context(), r.PathValue("group_id"), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "group", renderGroup(r, g))
}

func (h *Handler) DeleteGroup(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteGroup(r.Context(), r.PathValue("group_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) ListGroupUsers(w http.ResponseWriter, r *http.Request) error {
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

func (h *Handler) AddGroupUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.AddGroupMember(r.Context(), r.PathValue("group_id"), r.PathValue("user_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) CheckGroupUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.CheckGroupMember(r.Context(), r.PathValue("group_id"), r.PathValue("user_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) RemoveGroupUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.RemoveGroupMember(r.Context(), r.PathValue("group_id"), r.PathValue("user_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}
