// Package secgroups holds the use cases of Neutron's security groups and
// their rules: the default group each project gets on its first list,
// groups with their built-in egress rules, and rules validated as
// Neutron validates them — one at a time or a bulk request in one
// transaction — and what ports need of them: the default group and the
// binding of a port to its groups (Bind). The types and the store's part
// of a transaction are in package network.
package secgroups

import (
	"context"
	"errors"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Service is the security groups' use cases over the networking
// service's store and quotas.
type Service struct{ net *network.Service }

// New returns the use cases over net.
func New(net *network.Service) *Service { return &Service{net: net} }

func groupInUse(id string) error {
	return network.Conflict("SecurityGroupInUse", "Security Group %s in use.", id)
}

// CheckName refuses a name Neutron's name_not_default validator refuses:
// a second group named "default", in any case, on create or update.
func CheckName(name string) error {
	if strings.EqualFold(name, "default") {
		return network.Conflict("SecurityGroupDefaultAlreadyExists", "Default security group already exists.")
	}
	return nil
}

// checkLen is Neutron's 255-character limit on names and descriptions.
func checkLen(attr, v string) error {
	if len([]rune(v)) > 255 {
		return network.BadRequest("Invalid input for %s. Reason: '%s' exceeds maximum length of 255.", attr, v)
	}
	return nil
}

// EnsureDefault makes sure a project has its default group, in a
// transaction of its own when it is missing, and returns its id.
func (s *Service) EnsureDefault(ctx context.Context, project string) (string, error) {
	var id string
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		id, err = tx.DefaultSecurityGroup(ctx, project)
		return err
	})
	if !errors.Is(err, apierr.ErrNotFound) {
		return id, err
	}
	err = s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		id, err = EnsureDefault(ctx, tx, project)
		return err
	})
	return id, err
}

// List lists the groups the scope sees, narrowed by f. As in Neutron,
// listing first gives the project the list is about — the project_id
// (or tenant_id) filter's first value, else the caller's — its default
// group; a project asking about another one gets nothing made for it,
// as it could not see it.
func (s *Service) List(ctx context.Context, f network.Filter) ([]*network.SecurityGroup, error) {
	project := f.Scope.ProjectID
	for _, k := range []string{"project_id", "tenant_id"} {
		if v := f.Only(k); len(v) > 0 {
			project = v[0]
			break
		}
	}
	if project != "" && f.Scope.Sees(project) {
		if _, err := s.EnsureDefault(ctx, project); err != nil {
			return nil, err
		}
	}
	var gs []*network.SecurityGroup
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		gs, err = tx.ListSecurityGroups(ctx, f)
		return err
	})
	return gs, err
}

// visibleGroup reads a group the scope may see (404 otherwise).
func visibleGroup(ctx context.Context, tx network.Tx, sc network.Scope, id string) (*network.SecurityGroup, error) {
	g, err := tx.GetSecurityGroup(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(g.ProjectID)) {
		return nil, GroupNotFound(id)
	}
	return g, err
}

// Get returns a group the scope sees.
func (s *Service) Get(ctx context.Context, sc network.Scope, id string) (*network.SecurityGroup, error) {
	var g *network.SecurityGroup
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		g, err = visibleGroup(ctx, tx, sc, id)
		return err
	})
	return g, err
}

// Create is a create request.
type Create struct {
	ProjectID   string
	Name        string
	Description string
	Stateful    *bool
}

// Create creates a group with its egress rules, giving the project its
// default group first, as Neutron does.
func (s *Service) Create(ctx context.Context, c Create) (*network.SecurityGroup, error) {
	if err := first(CheckName(c.Name), checkLen("name", c.Name), checkLen("description", c.Description)); err != nil {
		return nil, err
	}
	limit, err := s.net.Limit(ctx, c.ProjectID, "security_group")
	if err != nil {
		return nil, err
	}
	stateful := c.Stateful == nil || *c.Stateful
	g := NewGroup(c.ProjectID, c.Name, c.Description, stateful, false)
	err = s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if _, err := EnsureDefault(ctx, tx, c.ProjectID); err != nil {
			return err
		}
		if err := s.net.CheckQuota(ctx, tx, c.ProjectID, "security_group", 1, limit); err != nil {
			return err
		}
		_, err := InsertGroup(ctx, tx, g)
		return err
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// first is the first of errs that is not nil: the one Neutron's
// validation, checking in that order, would raise.
func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Update holds what a PUT may change.
type Update struct {
	Name        *string
	Description *string
	Stateful    *bool
	// Revision is the If-Match revision_number the update requires.
	Revision *int64
}

// Update changes a group's name, description or statefulness. The
// default group keeps its name, and a group bound to ports keeps its
// statefulness.
func (s *Service) Update(ctx context.Context, sc network.Scope, id string, u Update) (*network.SecurityGroup, error) {
	if u.Name != nil {
		if err := first(CheckName(*u.Name), checkLen("name", *u.Name)); err != nil {
			return nil, err
		}
	}
	if u.Description != nil {
		if err := checkLen("description", *u.Description); err != nil {
			return nil, err
		}
	}
	var g *network.SecurityGroup
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if g, err = visibleGroup(ctx, tx, sc, id); err != nil {
			return err
		}
		if err := network.CheckRevision(u.Revision, g.Revision); err != nil {
			return err
		}
		if g.Default && u.Name != nil {
			return network.Conflict("SecurityGroupCannotUpdateDefault", "Updating default security group not allowed.")
		}
		if u.Stateful != nil && *u.Stateful != g.Stateful {
			n, err := tx.CountGroupPorts(ctx, id)
			if err != nil {
				return err
			}
			if n > 0 {
				return groupInUse(id)
			}
			g.Stateful = *u.Stateful
		}
		if u.Name != nil {
			g.Name = *u.Name
		}
		if u.Description != nil {
			g.Description = *u.Description
		}
		g.UpdatedAt = db.Now()
		g.Revision++
		return tx.UpdateSecurityGroup(ctx, g)
	})
	return g, err
}

// Delete deletes a group and its rules. A group bound to a port stays
// (409), and only an admin may delete a project's default group (the
// project gets a new one the next time it needs one).
func (s *Service) Delete(ctx context.Context, sc network.Scope, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		g, err := visibleGroup(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if g.Default && !sc.Admin {
			return network.Conflict("SecurityGroupCannotRemoveDefault", "Insufficient rights for removing default security group.")
		}
		n, err := tx.CountGroupPorts(ctx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return groupInUse(id)
		}
		if err := tx.SetTags(ctx, "security_groups", id, nil); err != nil {
			return err
		}
		if err := tx.DeleteSecurityGroup(ctx, id); err != nil {
			// A port bound to the group since the count (PostgreSQL's
			// foreign key on the bindings) still keeps it.
			if db.IsForeignKey(err) {
				return groupInUse(id)
			}
			return err
		}
		return nil
	})
}

// Owners returns the projects of groups, by id, for the policy target
// of their rules ("security_group:tenant_id").
func (s *Service) Owners(ctx context.Context, ids []string) (map[string]string, error) {
	var owners map[string]string
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		owners, err = tx.GroupsOf(ctx, ids)
		return err
	})
	return owners, err
}
