package directory

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// MaxProjectTreeDepth is Keystone's max_project_tree_depth: projects below
// a domain may nest this deep.
const MaxProjectTreeDepth = 5

// projectOptions are the resource options of projects and domains.
func projectOptions() map[string]string { return map[string]string{"immutable": "bool"} }

// CheckTags validates a project's tags as Keystone does.
func CheckTags(tags []string) error {
	if len(tags) > 80 {
		return apierr.BadRequest("Invalid input for field 'tags': a project may have at most 80 tags.")
	}
	for _, t := range tags {
		if err := checkTag(t); err != nil {
			return err
		}
	}
	return nil
}

func checkTag(t string) error {
	if t == "" || utf8.RuneCountInString(t) > 255 {
		return apierr.BadRequest("Invalid input for field 'tags': tag %s must be 1 to 255 characters.", Quote(t))
	}
	if strings.ContainsAny(t, "/,") {
		return apierr.BadRequest("Invalid input for field 'tags': tag %s must not contain '/' or ','.", Quote(t))
	}
	return nil
}

// ProjectPatch is an update of a project or domain; nil fields are kept.
type ProjectPatch struct {
	Name        *string
	Description *string
	Enabled     *bool
	Tags        *[]string
	Options     map[string]any
	Extra       map[string]any
	// Immutable attributes: an update that changes them is refused.
	DomainID *string
	ParentID *string
	IsDomain *bool
}

// CreateDomain creates a domain.
func (s *Service) CreateDomain(ctx context.Context, d *Domain) (*Domain, error) {
	if err := CheckName("domain", d.Name, 64); err != nil {
		return nil, err
	}
	if err := CheckTags(d.Tags); err != nil {
		return nil, err
	}
	if err := checkOptions(d.Options, projectOptions()); err != nil {
		return nil, err
	}
	if d.ID == "" {
		d.ID = NewID()
	}
	d.IsDomain, d.DomainID, d.ParentID = true, RootDomainID, ""
	if err := s.store.CreateProject(ctx, d); err != nil {
		return nil, err
	}
	return s.GetDomain(ctx, d.ID)
}

// ListDomains lists domains by name and enabled.
func (s *Service) ListDomains(ctx context.Context, name string, enabled *bool) ([]*Domain, error) {
	t := true
	return s.store.ListProjects(ctx, ProjectQuery{IsDomain: &t, Name: name, Enabled: enabled})
}

// UpdateDomain updates a domain; disabling it revokes its tokens.
func (s *Service) UpdateDomain(ctx context.Context, id string, p ProjectPatch) (*Domain, error) {
	d, err := s.GetDomain(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.updateProject(ctx, d, p)
}

// DeleteDomain deletes a disabled domain with everything in it.
func (s *Service) DeleteDomain(ctx context.Context, id string) error {
	d, err := s.GetDomain(ctx, id)
	if err != nil {
		return err
	}
	if d.ID == DefaultDomainID {
		return apierr.Forbidden("You are not authorized to perform the requested action: delete the default domain.")
	}
	if d.Enabled {
		return apierr.Forbidden("Cannot delete a domain that is enabled, please disable it first.")
	}
	if isImmutable(d.Options) {
		return apierr.Forbidden("Resource %s is immutable and cannot be deleted.", id)
	}
	return s.changed(s.store.DeleteDomain(ctx, id))
}

// CreateProject creates a project, or a domain when p.IsDomain is set.
// p.DomainID must be set (the API fills in the caller's default).
func (s *Service) CreateProject(ctx context.Context, p *Project) (*Project, error) {
	if p.IsDomain {
		if p.ParentID != "" {
			return nil, apierr.BadRequest("Invalid input: a project acting as a domain cannot have a parent.")
		}
		d, err := s.CreateDomain(ctx, p)
		return d, err
	}
	if err := CheckName("project", p.Name, 64); err != nil {
		return nil, err
	}
	if err := CheckTags(p.Tags); err != nil {
		return nil, err
	}
	if err := checkOptions(p.Options, projectOptions()); err != nil {
		return nil, err
	}
	if p.ParentID != "" {
		parent, err := s.store.GetProject(ctx, p.ParentID)
		if err != nil {
			return nil, err
		}
		if parent.IsDomain {
			if p.DomainID == "" {
				p.DomainID = parent.ID
			}
			if p.DomainID != parent.ID {
				return nil, apierr.BadRequest("Cannot create project, since its parent (%s) is in a different domain (%s).", parent.ID, parent.ID)
			}
		} else {
			if p.DomainID == "" {
				p.DomainID = parent.DomainID
			}
			if p.DomainID != parent.DomainID {
				return nil, apierr.BadRequest("Cannot create project, since its parent (%s) is in a different domain (%s).", parent.ID, parent.DomainID)
			}
			chain, err := s.projectParents(ctx, parent)
			if err != nil {
				return nil, err
			}
			chain = append(chain, parent)
			if len(chain)+1 > MaxProjectTreeDepth {
				return nil, apierr.Forbidden("Max hierarchy depth reached for %s branch.", parent.ID)
			}
			for _, a := range chain {
				if !a.Enabled && p.Enabled {
					return nil, apierr.BadRequest("cannot create a project in a branch containing a disabled project: %s", a.ID)
				}
			}
		}
	}
	if p.DomainID == "" {
		p.DomainID = DefaultDomainID
	}
	if _, err := s.GetDomain(ctx, p.DomainID); err != nil {
		return nil, err
	}
	if p.ParentID == "" {
		p.ParentID = p.DomainID
	}
	if p.ID == "" {
		p.ID = NewID()
	}
	if err := s.store.CreateProject(ctx, p); err != nil {
		return nil, err
	}
	return s.store.GetProject(ctx, p.ID)
}

// projectParents returns the project ancestors of p (not domains), root first.
func (s *Service) projectParents(ctx context.Context, p *Project) ([]*Project, error) {
	var chain []*Project
	seen := map[string]bool{p.ID: true}
	cur := p
	for cur.ParentID != "" && cur.ParentID != cur.DomainID && !seen[cur.ParentID] {
		seen[cur.ParentID] = true
		parent, err := s.store.GetProject(ctx, cur.ParentID)
		if err != nil {
			return nil, err
		}
		chain = append([]*Project{parent}, chain...)
		cur = parent
	}
	return chain, nil
}

// ProjectParents returns the ancestors of a project, nearest last,
// excluding its domain.
func (s *Service) ProjectParents(ctx context.Context, p *Project) ([]*Project, error) {
	return s.projectParents(ctx, p)
}

// ProjectSubtree returns every descendant of a project.
func (s *Service) ProjectSubtree(ctx context.Context, p *Project) ([]*Project, error) {
	all, err := s.store.ListProjects(ctx, ProjectQuery{DomainID: p.DomainID})
	if err != nil {
		return nil, err
	}
	children := map[string][]*Project{}
	for _, q := range all {
		children[q.ParentID] = append(children[q.ParentID], q)
	}
	var out []*Project
	var walk func(id string)
	walk = func(id string) {
		for _, c := range children[id] {
			out = append(out, c)
			walk(c.ID)
		}
	}
	walk(p.ID)
	return out, nil
}

// ListProjects lists projects (is_domain false unless asked) by query.
func (s *Service) ListProjects(ctx context.Context, q ProjectQuery) ([]*Project, error) {
	if q.IsDomain == nil {
		f := false
		q.IsDomain = &f
	}
	return s.store.ListProjects(ctx, q)
}

// UpdateProject updates a project (or a project acting as a domain).
func (s *Service) UpdateProject(ctx context.Context, id string, p ProjectPatch) (*Project, error) {
	cur, err := s.store.GetProject(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.updateProject(ctx, cur, p)
}

func (s *Service) updateProject(ctx context.Context, cur *Project, p ProjectPatch) (*Project, error) {
	kind := "project"
	max := 64
	if cur.IsDomain {
		kind = "domain"
	}
	if p.IsDomain != nil && *p.IsDomain != cur.IsDomain {
		return nil, apierr.BadRequest("Update of `is_domain` is not allowed.")
	}
	if p.DomainID != nil && !cur.IsDomain && *p.DomainID != cur.DomainID {
		return nil, apierr.BadRequest("Update of `domain_id` is not allowed.")
	}
	if p.ParentID != nil && *p.ParentID != cur.ParentID {
		return nil, apierr.BadRequest("Update of `parent_id` is not allowed.")
	}
	if isImmutable(cur.Options) {
		if v, ok := p.Options["immutable"]; !ok || v != false || len(p.Options) != 1 || p.Name != nil || p.Description != nil || p.Enabled != nil || p.Tags != nil || len(p.Extra) > 0 {
			return nil, apierr.Forbidden("Resource %s is immutable and cannot be updated.", cur.ID)
		}
	}
	if err := checkOptions(p.Options, projectOptions()); err != nil {
		return nil, err
	}
	next := *cur
	if p.Name != nil {
		if err := CheckName(kind, *p.Name, max); err != nil {
			return nil, err
		}
		next.Name = *p.Name
	}
	if p.Description != nil {
		next.Description = *p.Description
	}
	if p.Tags != nil {
		if err := CheckTags(*p.Tags); err != nil {
			return nil, err
		}
		next.Tags = *p.Tags
	}
	next.Options = mergeOptions(cur.Options, p.Options)
	next.Extra = MergeExtra(cur.Extra, p.Extra)
	var revoke *RevokeEvent
	if p.Enabled != nil && *p.Enabled != cur.Enabled {
		next.Enabled = *p.Enabled
		if cur.IsDomain {
			if cur.ID == DefaultDomainID && !next.Enabled {
				return nil, apierr.Forbidden("You are not authorized to perform the requested action: disable the default domain.")
			}
			if !next.Enabled {
				revoke = &RevokeEvent{DomainID: cur.ID}
			}
		} else if !next.Enabled {
			sub, err := s.ProjectSubtree(ctx, cur)
			if err != nil {
				return nil, err
			}
			for _, c := range sub {
				if c.Enabled {
					return nil, apierr.Forbidden("cannot disable project %s since its subtree contains enabled projects.", cur.ID)
				}
			}
			revoke = &RevokeEvent{ProjectID: cur.ID}
		} else {
			parents, err := s.projectParents(ctx, cur)
			if err != nil {
				return nil, err
			}
			for _, a := range parents {
				if !a.Enabled {
					return nil, apierr.Forbidden("cannot enable project %s since it has disabled parents.", cur.ID)
				}
			}
		}
	}
	if err := s.changed(s.store.UpdateProject(ctx, &next, revoke)); err != nil {
		return nil, err
	}
	return s.store.GetProject(ctx, cur.ID)
}

// DeleteProject deletes a leaf project, or a disabled project acting as
// a domain (with everything in it).
func (s *Service) DeleteProject(ctx context.Context, id string) error {
	p, err := s.store.GetProject(ctx, id)
	if err != nil {
		return err
	}
	if p.IsDomain {
		return s.DeleteDomain(ctx, id)
	}
	if isImmutable(p.Options) {
		return apierr.Forbidden("Resource %s is immutable and cannot be deleted.", id)
	}
	kids, err := s.store.ListProjects(ctx, ProjectQuery{ParentID: id})
	if err != nil {
		return err
	}
	if len(kids) > 0 {
		return apierr.Forbidden("Cannot delete the project %s since it is not a leaf in the hierarchy. Use the cascade option if you want to delete a whole subtree.", id)
	}
	return s.changed(s.store.DeleteProject(ctx, id))
}

// ProjectTags returns a project's tags.
func (s *Service) ProjectTags(ctx context.Context, id string) ([]string, error) {
	p, err := s.store.GetProject(ctx, id)
	if err != nil {
		return nil, err
	}
	return p.Tags, nil
}

// SetProjectTags replaces a project's tags.
func (s *Service) SetProjectTags(ctx context.Context, id string, tags []string) ([]string, error) {
	if _, err := s.store.GetProject(ctx, id); err != nil {
		return nil, err
	}
	if err := CheckTags(tags); err != nil {
		return nil, err
	}
	if err := s.store.SetProjectTags(ctx, id, tags); err != nil {
		return nil, err
	}
	return s.ProjectTags(ctx, id)
}

// AddProjectTag adds one tag.
func (s *Service) AddProjectTag(ctx context.Context, id, tag string) error {
	if err := checkTag(tag); err != nil {
		return err
	}
	tags, err := s.ProjectTags(ctx, id)
	if err != nil {
		return err
	}
	for _, t := range tags {
		if t == tag {
			return nil
		}
	}
	tags = append(tags, tag)
	if err := CheckTags(tags); err != nil {
		return err
	}
	return s.store.SetProjectTags(ctx, id, tags)
}

// RemoveProjectTag removes one tag; a missing tag is not found.
func (s *Service) RemoveProjectTag(ctx context.Context, id, tag string) error {
	tags, err := s.ProjectTags(ctx, id)
	if err != nil {
		return err
	}
	var out []string
	found := false
	for _, t := range tags {
		if t == tag {
			found = true
			continue
		}
		out = append(out, t)
	}
	if !found {
		return NotFound("tag", tag)
	}
	return s.store.SetProjectTags(ctx, id, out)
}

// HasProjectTag reports whether the project carries the tag (not found
// when it does not).
func (s *Service) HasProjectTag(ctx context.Context, id, tag string) error {
	tags, err := s.ProjectTags(ctx, id)
	if err != nil {
		return err
	}
	for _, t := range tags {
		if t == tag {
			return nil
		}
	}
	return NotFound("tag", tag)
}
