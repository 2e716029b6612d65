package voltypes

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func groupTypeNotFound(id string) *apierr.Error {
	return apierr.NotFound("Group type %s could not be found.", id)
}

// CreateGroupType stores a new group type.
func (t Types) CreateGroupType(ctx context.Context, req CreateRequest) (*blockstorage.GroupType, error) {
	name, err := typeName(req.Name)
	if err != nil {
		return nil, err
	}
	g := &blockstorage.GroupType{ID: uuid.NewString(), Name: name, IsPublic: req.IsPublic, GroupSpecs: req.ExtraSpecs}
	if req.Description != nil {
		if err := description(*req.Description); err != nil {
			return nil, err
		}
		g.Description = *req.Description
	}
	if g.GroupSpecs == nil {
		g.GroupSpecs = map[string]string{}
	}
	if err := ValidateSpecs(g.GroupSpecs); err != nil {
		return nil, err
	}
	err = t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error { return tx.CreateGroupType(ctx, g) })
	if errors.Is(err, apierr.ErrDuplicate) {
		return nil, blockstorage.Conflict("Group Type %s already exists.", name)
	}
	return g, err
}

// GetGroupType returns a group type the caller may see: a private one
// only to an admin.
func (t Types) GetGroupType(ctx context.Context, sc blockstorage.Scope, id string) (*blockstorage.GroupType, error) {
	var g *blockstorage.GroupType
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		g, err = tx.GetGroupType(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) || (err == nil && !g.IsPublic && !sc.Admin) {
			return groupTypeNotFound(id)
		}
		return err
	})
	return g, err
}

// DefaultGroupType is the group type Cinder creates for generic volume
// groups: none is configured here, as groups are not built.
func (t Types) DefaultGroupType(ctx context.Context) (*blockstorage.GroupType, error) {
	return nil, apierr.NotFound("Default group type can not be found.")
}

// ListGroupTypes returns the group types the caller may see: an admin's
// isPublic narrows the list (nil: all), a non-admin sees public ones.
func (t Types) ListGroupTypes(ctx context.Context, sc blockstorage.Scope, isPublic *bool) ([]*blockstorage.GroupType, error) {
	f := blockstorage.TypeFilter{IsPublic: isPublic}
	if !sc.Admin {
		f = blockstorage.TypeFilter{Project: sc.ProjectID}
	}
	var gs []*blockstorage.GroupType
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		gs, err = tx.ListGroupTypes(ctx, f)
		return err
	})
	return gs, err
}

// UpdateGroupType changes a group type's name, description or
// visibility.
func (t Types) UpdateGroupType(ctx context.Context, id string, req UpdateRequest) (*blockstorage.GroupType, error) {
	if req.Name == nil && req.Description == nil && req.IsPublic == nil {
		return nil, blockstorage.BadRequest("Specify group type name, description or a combination thereof.")
	}
	if req.Name != nil {
		if _, err := typeName(*req.Name); err != nil {
			return nil, blockstorage.BadRequest("Group type name can not be empty.")
		}
	}
	if req.Description != nil {
		if err := description(*req.Description); err != nil {
			return nil, err
		}
	}
	var g *blockstorage.GroupType
	err := t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		g, err = tx.GetGroupType(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return groupTypeNotFound(id)
		}
		if err != nil {
			return err
		}
		if req.Name != nil {
			g.Name = *req.Name
		}
		if req.Description != nil {
			g.Description = *req.Description
		}
		if req.IsPublic != nil {
			g.IsPublic = *req.IsPublic
		}
		return tx.UpdateGroupType(ctx, g)
	})
	if errors.Is(err, apierr.ErrDuplicate) {
		return nil, blockstorage.Conflict("Group Type %s already exists.", *req.Name)
	}
	return g, err
}

// DeleteGroupType removes a group type (no group can use one: groups
// are not built).
func (t Types) DeleteGroupType(ctx context.Context, id string) error {
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		err := tx.DeleteGroupType(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return groupTypeNotFound(id)
		}
		return err
	})
}

// GroupSpecs returns a group type's specs.
func (t Types) GroupSpecs(ctx context.Context, sc blockstorage.Scope, id string) (map[string]string, error) {
	g, err := t.GetGroupType(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	return g.GroupSpecs, nil
}

// GroupSpec returns one key of a group type's specs.
func (t Types) GroupSpec(ctx context.Context, sc blockstorage.Scope, id, key string) (string, error) {
	specs, err := t.GroupSpecs(ctx, sc, id)
	if err != nil {
		return "", err
	}
	v, ok := specs[key]
	if !ok {
		return "", groupSpecNotFound(id, key)
	}
	return v, nil
}

func groupSpecNotFound(id, key string) *apierr.Error {
	return apierr.NotFound("Group Type %s has no specs with key %s.", id, key)
}

// SetGroupSpecs adds or replaces keys of a group type's specs.
func (t Types) SetGroupSpecs(ctx context.Context, id string, specs map[string]string) error {
	if err := ValidateSpecs(specs); err != nil {
		return err
	}
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := tx.GetGroupType(ctx, id); errors.Is(err, apierr.ErrNotFound) {
			return groupTypeNotFound(id)
		} else if err != nil {
			return err
		}
		return tx.SetGroupSpecs(ctx, id, specs)
	})
}

// DeleteGroupSpec removes a key of a group type's specs.
func (t Types) DeleteGroupSpec(ctx context.Context, id, key string) error {
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := tx.GetGroupType(ctx, id); errors.Is(err, apierr.ErrNotFound) {
			return groupTypeNotFound(id)
		} else if err != nil {
			return err
		}
		err := tx.DeleteGroupSpec(ctx, id, key)
		if errors.Is(err, apierr.ErrNotFound) {
			return groupSpecNotFound(id, key)
		}
		return err
	})
}
