// Package voltypes holds the use cases of volume types and what hangs
// off them: extra specs, project access to private types, encryption,
// QoS specs, the per-project default types and group types. Each use
// case is one transaction over the Service's store; none reaches a
// backend.
package voltypes

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Types are the volume type use cases over a Service.
type Types struct{ svc *blockstorage.Service }

// New returns the use cases over svc.
func New(svc *blockstorage.Service) Types { return Types{svc: svc} }

func (t Types) update(ctx context.Context, fn func(ctx context.Context, tx blockstorage.Tx) error) error {
	return t.svc.Store().Update(ctx, fn)
}

func (t Types) view(ctx context.Context, fn func(ctx context.Context, tx blockstorage.Tx) error) error {
	return t.svc.Store().View(ctx, fn)
}

// EnsureDefault creates the service's default type (Config.DefaultType,
// "__DEFAULT__") unless a type of that name exists, and makes it the
// service-wide default. Two processes starting together may both try:
// the loser's insert meets the unique name and it reads the winner's.
func (t Types) EnsureDefault(ctx context.Context) error {
	name := t.svc.Config().DefaultType
	var err error
	for range 3 {
		err = t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
			vt, err := tx.GetTypeByName(ctx, name)
			if errors.Is(err, apierr.ErrNotFound) {
				vt = &blockstorage.VolumeType{ID: uuid.NewString(), Name: name, Description: "Default Volume Type", IsPublic: true}
				err = tx.CreateType(ctx, vt)
			}
			if err != nil {
				return err
			}
			return tx.SetDefaultType(ctx, "", vt.ID)
		})
		if !errors.Is(err, apierr.ErrDuplicate) {
			return err
		}
	}
	return err
}

// CreateRequest is a new volume type.
type CreateRequest struct {
	Name        string
	Description *string
	IsPublic    bool
	ExtraSpecs  map[string]string
}

// Create stores a new type.
func (t Types) Create(ctx context.Context, req CreateRequest) (*blockstorage.VolumeType, error) {
	name, err := typeName(req.Name)
	if err != nil {
		return nil, err
	}
	vt := &blockstorage.VolumeType{ID: uuid.NewString(), Name: name, IsPublic: req.IsPublic, ExtraSpecs: req.ExtraSpecs}
	if req.Description != nil {
		if err := description(*req.Description); err != nil {
			return nil, err
		}
		vt.Description = *req.Description
	}
	if vt.ExtraSpecs == nil {
		vt.ExtraSpecs = map[string]string{}
	}
	if err := ValidateSpecs(vt.ExtraSpecs); err != nil {
		return nil, err
	}
	err = t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error { return tx.CreateType(ctx, vt) })
	if errors.Is(err, apierr.ErrDuplicate) {
		return nil, blockstorage.Conflict("Volume Type %s already exists.", name)
	}
	return vt, err
}

// typeName checks a volume or group type name: 1 to 255 characters, not
// only blanks.
func typeName(name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", blockstorage.BadRequest("Invalid input received: name can not be empty.")
	}
	if len(name) > 255 {
		return "", blockstorage.BadRequest("Invalid input for field/attribute name. Value: %s. is too long", name)
	}
	return name, nil
}

func description(d string) error {
	if len(d) > 255 {
		return blockstorage.BadRequest("Invalid input for field/attribute description. Value: %s. is too long", d)
	}
	return nil
}

// Get returns a type the caller may see: a private one only to an admin
// or a project given access.
func (t Types) Get(ctx context.Context, sc blockstorage.Scope, id string) (*blockstorage.VolumeType, error) {
	var vt *blockstorage.VolumeType
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		vt, err = visible(ctx, tx, sc, id)
		return err
	})
	return vt, err
}

// visible reads a type, answering 404 for a private one the caller has
// no access to.
func visible(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.VolumeType, error) {
	vt, err := tx.GetType(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, blockstorage.TypeNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	ok, err := blockstorage.TypeVisible(ctx, tx, sc, vt)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, blockstorage.TypeNotFound(id)
	}
	return vt, nil
}

// Default returns the caller's default type: its project's, else the
// service's.
func (t Types) Default(ctx context.Context, sc blockstorage.Scope) (*blockstorage.VolumeType, error) {
	var vt *blockstorage.VolumeType
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		vt, err = blockstorage.ResolveType(ctx, tx, sc, "")
		return err
	})
	return vt, err
}

// List returns the types the caller may see. An admin's isPublic
// narrows the list (nil: public and private); a non-admin sees the
// public types and the private ones its project has access to.
func (t Types) List(ctx context.Context, sc blockstorage.Scope, isPublic *bool) ([]*blockstorage.VolumeType, error) {
	f := blockstorage.TypeFilter{IsPublic: isPublic}
	if !sc.Admin {
		f = blockstorage.TypeFilter{Project: sc.ProjectID}
	}
	var types []*blockstorage.VolumeType
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		types, err = tx.ListTypes(ctx, f)
		return err
	})
	return types, err
}

// UpdateRequest changes a type: the fields set.
type UpdateRequest struct {
	Name        *string
	Description *string
	IsPublic    *bool
}

// Update changes a type's name, description or visibility.
func (t Types) Update(ctx context.Context, id string, req UpdateRequest) (*blockstorage.VolumeType, error) {
	if req.Name == nil && req.Description == nil && req.IsPublic == nil {
		return nil, blockstorage.BadRequest("Specify volume type name, description, is_public or a combination thereof.")
	}
	if req.Name != nil {
		if _, err := typeName(*req.Name); err != nil {
			return nil, blockstorage.BadRequest("Volume type name can not be empty.")
		}
	}
	if req.Description != nil {
		if err := description(*req.Description); err != nil {
			return nil, err
		}
	}
	var vt *blockstorage.VolumeType
	err := t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		vt, err = tx.GetType(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return blockstorage.TypeNotFound(id)
		}
		if err != nil {
			return err
		}
		if req.Name != nil {
			vt.Name = *req.Name
		}
		if req.Description != nil {
			vt.Description = *req.Description
		}
		if req.IsPublic != nil {
			vt.IsPublic = *req.IsPublic
		}
		return tx.UpdateType(ctx, vt)
	})
	if errors.Is(err, apierr.ErrDuplicate) {
		return nil, blockstorage.Conflict("Volume Type %s already exists.", *req.Name)
	}
	return vt, err
}

// Delete removes a type no volume uses and no project has as default.
func (t Types) Delete(ctx context.Context, id string) error {
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := tx.GetType(ctx, id); errors.Is(err, apierr.ErrNotFound) {
			return blockstorage.TypeNotFound(id)
		} else if err != nil {
			return err
		}
		if err := notDefault(ctx, tx, id); err != nil {
			return err
		}
		used, err := tx.TypeInUse(ctx, id)
		if err != nil {
			return err
		}
		if used {
			return blockstorage.BadRequest("Target volume type is still in use.")
		}
		return tx.DeleteType(ctx, id)
	})
}

// notDefault refuses to remove the service's or a project's default type.
func notDefault(ctx context.Context, tx blockstorage.Tx, id string) error {
	def, err := tx.DefaultTypeID(ctx, "")
	if err != nil {
		return err
	}
	projects, err := tx.ListDefaultTypes(ctx)
	if err != nil {
		return err
	}
	isDefault := def == id
	for _, tid := range projects {
		isDefault = isDefault || tid == id
	}
	if isDefault {
		return blockstorage.BadRequest("The volume type %s is a default volume type and cannot be deleted.", id)
	}
	return nil
}
