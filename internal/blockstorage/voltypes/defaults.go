package voltypes

import (
	"context"
	"errors"
	"sort"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// DefaultType is a project's own default volume type (Cinder's
// default-types API, 3.62).
type DefaultType struct {
	ProjectID string
	TypeID    string
}

func defaultNotFound(project string) *apierr.Error {
	return apierr.NotFound("Default type for project %s not found.", project)
}

// SetProjectDefault makes a type (by name or id) a project's default.
func (t Types) SetProjectDefault(ctx context.Context, project, nameOrID string) (*DefaultType, error) {
	if nameOrID == "" {
		return nil, blockstorage.BadRequest("Invalid input received: volume_type must be a non-empty string.")
	}
	var d *DefaultType
	err := t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vt, err := blockstorage.ResolveType(ctx, tx, blockstorage.Scope{ProjectID: project, Admin: true}, nameOrID)
		if err != nil {
			return err
		}
		d = &DefaultType{ProjectID: project, TypeID: vt.ID}
		return tx.SetDefaultType(ctx, project, vt.ID)
	})
	return d, err
}

// ProjectDefault returns a project's own default type.
func (t Types) ProjectDefault(ctx context.Context, project string) (*DefaultType, error) {
	var d *DefaultType
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		all, err := tx.ListDefaultTypes(ctx)
		if err != nil {
			return err
		}
		id, ok := all[project]
		if !ok {
			return defaultNotFound(project)
		}
		d = &DefaultType{ProjectID: project, TypeID: id}
		return nil
	})
	return d, err
}

// ProjectDefaults lists every project's own default type.
func (t Types) ProjectDefaults(ctx context.Context) ([]DefaultType, error) {
	var out []DefaultType
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		all, err := tx.ListDefaultTypes(ctx)
		for p, id := range all {
			out = append(out, DefaultType{ProjectID: p, TypeID: id})
		}
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ProjectID < out[j].ProjectID })
	return out, err
}

// UnsetProjectDefault removes a project's own default type: its volumes
// get the service's again.
func (t Types) UnsetProjectDefault(ctx context.Context, project string) error {
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if project == "" {
			return defaultNotFound(project)
		}
		err := tx.DeleteDefaultType(ctx, project)
		if errors.Is(err, apierr.ErrNotFound) {
			return defaultNotFound(project)
		}
		return err
	})
}
