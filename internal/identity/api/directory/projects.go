package directory

import (
	"net/http"
	"sort"

	"github.com/gostack/gostack/internal/identity/api/keystone"
	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func tagsOf(p *directory.Project) []string {
	tags := append([]string{}, p.Tags...)
	sort.Strings(tags)
	return tags
}

// RenderDomain renders a domain as Keystone does.
func RenderDomain(r *http.Request, d *directory.Domain) map[string]any {
	return keystone.WithExtra(map[string]any{
		"id":          d.ID,
		"name":        d.Name,
		"description": d.Description,
		"enabled":     d.Enabled,
		"tags":        tagsOf(d),
		"options":     keystone.Options(d.Options),
		"links":       keystone.Link(r, "domains/"+d.ID),
	}, d.Extra)
}

// RenderProject renders a project (or a project acting as a domain) as
// Keystone does.
func RenderProject(r *http.Request, p *directory.Project) map[string]any {
	var domainID, parentID any = p.DomainID, p.ParentID
	if p.IsDomain {
		domainID, parentID = nil, nil
	}
	return keystone.WithExtra(map[string]any{
		"id":          p.ID,
		"name":        p.Name,
		"description": p.Description,
		"enabled":     p.Enabled,
		"domain_id":   domainID,
		"parent_id":   parentID,
		"is_domain":   p.IsDomain,
		"tags":        tagsOf(p),
		"options":     keystone.Options(p.Options),
		"links":       keystone.Link(r, "projects/"+p.ID),
	}, p.Extra)
}

func projectAttrs(p *directory.Project) map[string]any {
	m := map[string]any{"id": p.ID, "domain_id": p.DomainID, "parent_id": p.ParentID, "is_domain": p.IsDomain, "enabled": p.Enabled}
	if p.IsDomain {
		m["domain_id"] = p.ID
	}
	return m
}

// ProjectTarget loads the project named in the path.
func (h *Handler) ProjectTarget(r *http.Request) (map[string]any, error) {
	id := r.PathValue("project_id")
	p, err := h.svc.GetProjectOrDomain(r.Context(), id)
	if err != nil {
		return keystone.Target("project", map[string]any{"id": id}, nil), nil
	}
	return keystone.Target("project", projectAttrs(p), nil), nil
}

func (h *Handler) DomainTarget(r *http.Request) (map[string]any, error) {
	id := r.PathValue("domain_id")
	return keystone.Target("domain", map[string]any{"id": id}, map[string]any{"domain_id": id}), nil
}

// NewProjectTarget is the target of a create: the project to be.
func NewProjectTarget(kind string) func(r *http.Request) (map[string]any, error) {
	return func(r *http.Request) (map[string]any, error) {
		return keystone.Target(kind, map[string]any{"domain_id": defaultDomain(r)}, nil), nil
	}
}

// defaultDomain is the domain a create without domain_id lands in: the
// token's domain when domain-scoped, else the default domain.
func defaultDomain(r *http.Request) string {
	if c := keystone.Creds(r); c.DomainID != "" {
		return c.DomainID
	}
	return directory.DefaultDomainID
}

// ListDomainTarget exposes the domain a list is restricted to.
func ListDomainTarget(r *http.Request) (map[string]any, error) {
	d := r.URL.Query().Get("domain_id")
	if d == "" {
		d = keystone.Creds(r).DomainID
	}
	return map[string]any{"domain_id": d, "target.domain_id": d}, nil
}

func parseProjectPatch(m map[string]any) (directory.ProjectPatch, error) {
	f := &keystone.Fields{M: m}
	p := directory.ProjectPatch{
		Name:        f.Str("name", false),
		Description: f.Str("description", true),
		Enabled:     f.Bool("enabled"),
		Tags:        f.Strings("tags"),
		Options:     f.Object("options"),
		DomainID:    f.Str("domain_id", true),
		ParentID:    f.Str("parent_id", true),
		IsDomain:    f.Bool("is_domain"),
	}
	p.Extra = f.Extra()
	return p, f.Err
}

// Domains.

func (h *Handler) ListDomains(w http.ResponseWriter, r *http.Request) error {
	ds, err := h.svc.ListDomains(r.Context(), r.URL.Query().Get("name"), keystone.QueryBool(r, "enabled"))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ds))
	for _, d := range ds {
		out = append(out, RenderDomain(r, d))
	}
	return keystone.WriteFiltered(w, r, "domains", out, "name", "enabled")
}

func (h *Handler) CreateDomain(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "domain")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	name := f.Str("name", false)
	if name == nil && f.Err == nil {
		return apierr.BadRequest("Invalid input for field 'name': 'name' is a required property.")
	}
	d := &directory.Domain{
		Name:        keystone.Deref(name),
		Description: keystone.Deref(f.Str("description", true)),
		Enabled:     keystone.DerefBool(f.Bool("enabled"), true),
		Options:     f.Object("options"),
	}
	if t := f.Strings("tags"); t != nil {
		d.Tags = *t
	}
	id := f.Str("explicit_domain_id", false)
	d.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	d.ID = keystone.Deref(id)
	d, err = h.svc.CreateDomain(r.Context(), d)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "domain", RenderDomain(r, d))
}

func (h *Handler) ShowDomain(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.GetDomain(r.Context(), r.PathValue("domain_id"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "domain", RenderDomain(r, d))
}

func (h *Handler) UpdateDomain(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "domain")
	if err != nil {
		return err
	}
	p, err := parseProjectPatch(m)
	if err != nil {
		return err
	}
	d, err := h.svc.UpdateDomain(r.Context(), r.PathValue("domain_id"), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "domain", RenderDomain(r, d))
}

func (h *Handler) DeleteDomain(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteDomain(r.Context(), r.PathValue("domain_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Projects.

func (h *Handler) ListProjects(w http.ResponseWriter, r *http.Request) error {
	q := directory.ProjectQuery{
		DomainID: r.URL.Query().Get("domain_id"),
		ParentID: r.URL.Query().Get("parent_id"),
		Name:     r.URL.Query().Get("name"),
		IsDomain: keystone.QueryBool(r, "is_domain"),
		Enabled:  keystone.QueryBool(r, "enabled"),
	}
	if q.DomainID == "" {
		q.DomainID = keystone.Creds(r).DomainID
	}
	ps, err := h.svc.ListProjects(r.Context(), q)
	if err != nil {
		return err
	}
	query := r.URL.Query()
	tagSets := map[string][]string{}
	for _, k := range []string{"tags", "tags-any", "not-tags", "not-tags-any"} {
		if v := query.Get(k); v != "" {
			tagSets[k] = splitTags(v)
		}
	}
	out := []map[string]any{}
	for _, p := range ps {
		if !matchTags(p.Tags, tagSets) {
			continue
		}
		out = append(out, RenderProject(r, p))
	}
	return keystone.WriteFiltered(w, r, "projects", out, "domain_id", "enabled", "name", "parent_id", "is_domain")
}

func splitTags(v string) []string {
	var out []string
	for _, t := range splitComma(v) {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// matchTags applies tags (all), tags-any, not-tags (not all) and
// not-tags-any (none).
func matchTags(have []string, sets map[string][]string) bool {
	set := map[string]bool{}
	for _, t := range have {
		set[t] = true
	}
	all := func(ts []string) bool {
		for _, t := range ts {
			if !set[t] {
				return false
			}
		}
		return true
	}
	any := func(ts []string) bool {
		for _, t := range ts {
			if set[t] {
				return true
			}
		}
		return false
	}
	if ts, ok := sets["tags"]; ok && !all(ts) {
		return false
	}
	if ts, ok := sets["tags-any"]; ok && !any(ts) {
		return false
	}
	if ts, ok := sets["not-tags"]; ok && all(ts) {
		return false
	}
	if ts, ok := sets["not-tags-any"]; ok && any(ts) {
		return false
	}
	return true
}

func (h *Handler) CreateProject(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "project")
	if err != nil {
		return err
	}
	f := &keystone.Fields{M: m}
	name := f.Str("name", false)
	if name == nil && f.Err == nil {
		return apierr.BadRequest("Invalid input for field 'name': 'name' is a required property.")
	}
	p := &directory.Project{
		Name:        keystone.Deref(name),
		Description: keystone.Deref(f.Str("description", true)),
		Enabled:     keystone.DerefBool(f.Bool("enabled"), true),
		IsDomain:    keystone.DerefBool(f.Bool("is_domain"), false),
		DomainID:    keystone.Deref(f.Str("domain_id", true)),
		ParentID:    keystone.Deref(f.Str("parent_id", true)),
		Options:     f.Object("options"),
	}
	if t := f.Strings("tags"); t != nil {
		p.Tags = *t
	}
	p.Extra = f.Extra()
	if f.Err != nil {
		return f.Err
	}
	if p.IsDomain {
		if p.DomainID != "" {
			return apierr.BadRequest("Invalid input: a project acting as a domain cannot have a domain_id.")
		}
	} else if p.DomainID == "" && p.ParentID == "" {
		p.DomainID = defaultDomain(r)
	}
	p, err = h.svc.CreateProject(r.Context(), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusCreated, "project", RenderProject(r, p))
}

func (h *Handler) ShowProject(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := h.svc.GetProjectOrDomain(ctx, r.PathValue("project_id"))
	if err != nil {
		return err
	}
	out := RenderProject(r, p)
	q := r.URL.Query()
	if q.Has("parents_as_list") || q.Has("parents_as_ids") {
		parents, err := h.svc.ProjectParents(ctx, p)
		if err != nil {
			return err
		}
		if q.Has("parents_as_list") {
			list := []map[string]any{}
			for i := len(parents) - 1; i >= 0; i-- {
				list = append(list, map[string]any{"project": RenderProject(r, parents[i])})
			}
			out["parents"] = list
		} else {
			// Nested ids: {parent: {grandparent: null}}.
			var nested any
			for _, a := range parents {
				nested = map[string]any{a.ID: nested}
			}
			if nested == nil {
				nested = map[string]any{}
			}
			out["parents"] = nested
		}
	}
	if q.Has("subtree_as_list") || q.Has("subtree_as_ids") {
		sub, err := h.svc.ProjectSubtree(ctx, p)
		if err != nil {
			return err
		}
		if q.Has("subtree_as_list") {
			list := []map[string]any{}
			for _, c := range sub {
				list = append(list, map[string]any{"project": RenderProject(r, c)})
			}
			out["subtree"] = list
		} else {
			kids := map[string][]string{}
			for _, c := range sub {
				kids[c.ParentID] = append(kids[c.ParentID], c.ID)
			}
			var build func(id string) any
			build = func(id string) any {
				if len(kids[id]) == 0 {
					return nil
				}
				m := map[string]any{}
				for _, k := range kids[id] {
					m[k] = build(k)
				}
				return m
			}
			tree := build(p.ID)
			if tree == nil {
				tree = map[string]any{}
			}
			out["subtree"] = tree
		}
	}
	return keystone.WriteOne(w, http.StatusOK, "project", out)
}

func (h *Handler) UpdateProject(w http.ResponseWriter, r *http.Request) error {
	m, err := keystone.DecodeEntity(r, "project")
	if err != nil {
		return err
	}
	p, err := parseProjectPatch(m)
	if err != nil {
		return err
	}
	proj, err := h.svc.UpdateProject(r.Context(), r.PathValue("project_id"), p)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "project", RenderProject(r, proj))
}

func (h *Handler) DeleteProject(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteProject(r.Context(), r.PathValue("project_id")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Project tags.

func (h *Handler) ListProjectTags(w http.ResponseWriter, r *http.Request) error {
	tags, err := h.svc.ProjectTags(r.Context(), r.PathValue("project_id"))
	if err != nil {
		return err
	}
	if tags == nil {
		tags = []string{}
	}
	sort.Strings(tags)
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"tags": tags})
}

func (h *Handler) ReplaceProjectTags(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Tags *[]string `json:"tags"`
	}
	if err := httpapi.Decode(r, &body, httpapi.DecodeOptions{}); err != nil {
		return err
	}
	if body.Tags == nil {
		return apierr.BadRequest("Invalid input for field 'tags': 'tags' is a required property.")
	}
	tags, err := h.svc.SetProjectTags(r.Context(), r.PathValue("project_id"), *body.Tags)
	if err != nil {
		return err
	}
	if tags == nil {
		tags = []string{}
	}
	sort.Strings(tags)
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"tags": tags})
}

func (h *Handler) DeleteProjectTags(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.svc.SetProjectTags(r.Context(), r.PathValue("project_id"), nil); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) CheckProjectTag(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.HasProjectTag(r.Context(), r.PathValue("project_id"), r.PathValue("tag")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) AddProjectTag(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("project_id")
	if err := h.svc.AddProjectTag(r.Context(), id, r.PathValue("tag")); err != nil {
		return err
	}
	w.Header().Set("Location", httpapi.BaseURL(r)+"/v3/projects/"+id+"/tags/"+r.PathValue("tag"))
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (h *Handler) DeleteProjectTag(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.RemoveProjectTag(r.Context(), r.PathValue("project_id"), r.PathValue("tag")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// Domain configuration.

func decodeConfig(r *http.Request) (directory.DomainConfig, map[string]any, error) {
	m, err := keystone.DecodeEntity(r, "config")
	if err != nil {
		return nil, nil, err
	}
	cfg := directory.DomainConfig{}
	for g, v := range m {
		opts, ok := v.(map[string]any)
		if !ok {
			return nil, m, nil
		}
		cfg[g] = opts
	}
	return cfg, m, nil
}

func (h *Handler) PutDomainConfig(w http.ResponseWriter, r *http.Request) error {
	cfg, raw, err := decodeConfig(r)
	if err != nil {
		return err
	}
	if cfg == nil {
		return apierr.BadRequest("Invalid input for field 'config': %s is not a configuration.", directory.Brief(raw))
	}
	out, created, err := h.svc.CreateDomainConfig(r.Context(), r.PathValue("domain_id"), cfg)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return keystone.WriteOne(w, status, "config", out)
}

func (h *Handler) ShowDomainConfig(w http.ResponseWriter, r *http.Request) error {
	out, err := h.svc.GetDomainConfig(r.Context(), r.PathValue("domain_id"), r.PathValue("group"), r.PathValue("option"))
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "config", out)
}

func (h *Handler) PatchDomainConfig(w http.ResponseWriter, r *http.Request) error {
	group, option := r.PathValue("group"), r.PathValue("option")
	var cfg directory.DomainConfig
	if option != "" {
		m, err := keystone.DecodeEntity(r, "config")
		if err != nil {
			return err
		}
		cfg = directory.DomainConfig{group: m}
	} else {
		c, raw, err := decodeConfig(r)
		if err != nil {
			return err
		}
		if c == nil {
			return apierr.BadRequest("Invalid input for field 'config': %s is not a configuration.", directory.Brief(raw))
		}
		cfg = c
	}
	out, err := h.svc.UpdateDomainConfig(r.Context(), r.PathValue("domain_id"), group, option, cfg)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "config", out)
}

func (h *Handler) DeleteDomainConfig(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteDomainConfig(r.Context(), r.PathValue("domain_id"), r.PathValue("group"), r.PathValue("option")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

// ShowDomainConfigDefault serves /v3/domains/config/default and, through
// the /v3/domains/{domain_id}/{rest...} pattern (ServeMux cannot hold
// both /v3/domains/config/{group}/default and
// /v3/domains/{domain_id}/config/{group}), the group and option forms.
func (h *Handler) ShowDomainConfigDefault(w http.ResponseWriter, r *http.Request) error {
	var group, option string
	if r.PathValue("domain_id") != "" {
		if r.PathValue("domain_id") != "config" {
			return directory.NotFound("resource", r.URL.Path)
		}
		parts := splitPath(r.PathValue("rest"))
		switch {
		case len(parts) == 2 && parts[1] == "default":
			group = parts[0]
		case len(parts) == 3 && parts[2] == "default":
			group, option = parts[0], parts[1]
		default:
			return directory.NotFound("resource", r.URL.Path)
		}
	}
	out, err := h.svc.DomainConfigDefault(group, option)
	if err != nil {
		return err
	}
	return keystone.WriteOne(w, http.StatusOK, "config", out)
}

func splitPath(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '/' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}
