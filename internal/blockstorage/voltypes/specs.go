package voltypes

import (
	"context"
	"errors"
	"sort"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// ValidateSpecs checks extra specs (and group specs) as Cinder's schema
// does: keys of 1 to 255 characters among letters, digits and "-_:. /",
// values of at most 255 characters.
func ValidateSpecs(specs map[string]string) error {
	keys := make([]string, 0, len(specs))
	for k := range specs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := validKey(k); err != nil {
			return err
		}
		if len(specs[k]) > 255 {
			return blockstorage.BadRequest("Invalid input for field/attribute %s. Value: %s. is too long", k, specs[k])
		}
	}
	return nil
}

func validKey(k string) error {
	if k == "" || len(k) > 255 {
		return blockstorage.BadRequest("Invalid input for field/attribute extra_specs. Key %q must be 1 to 255 characters long.", k)
	}
	for _, c := range k {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		switch c {
		case '-', '_', ':', '.', ' ', '/':
			ok = true
		}
		if !ok {
			return blockstorage.BadRequest("Invalid input for field/attribute extra_specs. Key %q has a character other than letters, digits and \"-_:. /\".", k)
		}
	}
	return nil
}

// ExtraSpecs returns a type's extra specs.
func (t Types) ExtraSpecs(ctx context.Context, sc blockstorage.Scope, typeID string) (map[string]string, error) {
	vt, err := t.Get(ctx, sc, typeID)
	if err != nil {
		return nil, err
	}
	return vt.ExtraSpecs, nil
}

// ExtraSpec returns one key of a type's extra specs.
func (t Types) ExtraSpec(ctx context.Context, sc blockstorage.Scope, typeID, key string) (string, error) {
	specs, err := t.ExtraSpecs(ctx, sc, typeID)
	if err != nil {
		return "", err
	}
	v, ok := specs[key]
	if !ok {
		return "", specNotFound(typeID, key)
	}
	return v, nil
}

func specNotFound(typeID, key string) *apierr.Error {
	return apierr.NotFound("Volume Type %s has no extra specs with key %s.", typeID, key)
}

// SetExtraSpecs adds or replaces keys of a type's extra specs.
func (t Types) SetExtraSpecs(ctx context.Context, typeID string, specs map[string]string) error {
	if err := ValidateSpecs(specs); err != nil {
		return err
	}
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := tx.GetType(ctx, typeID); errors.Is(err, apierr.ErrNotFound) {
			return blockstorage.TypeNotFound(typeID)
		} else if err != nil {
			return err
		}
		return tx.SetExtraSpecs(ctx, typeID, specs)
	})
}

// DeleteExtraSpec removes a key of a type's extra specs.
func (t Types) DeleteExtraSpec(ctx context.Context, typeID, key string) error {
	return t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := tx.GetType(ctx, typeID); errors.Is(err, apierr.ErrNotFound) {
			return blockstorage.TypeNotFound(typeID)
		} else if err != nil {
			return err
		}
		err := tx.DeleteExtraSpec(ctx, typeID, key)
		if errors.Is(err, apierr.ErrNotFound) {
			return specNotFound(typeID, key)
		}
		return err
	})
}

// Access lists the projects given access to a private type; a public
// type has no access list.
func (t Types) Access(ctx context.Context, typeID string) ([]string, error) {
	var projects []string
	err := t.view(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vt, err := tx.GetType(ctx, typeID)
		if errors.Is(err, apierr.ErrNotFound) {
			return blockstorage.TypeNotFound(typeID)
		}
		if err != nil {
			return err
		}
		if vt.IsPublic {
			return apierr.NotFound("Access list not available for public volume types.")
		}
		projects, err = tx.TypeProjects(ctx, typeID)
		return err
	})
	return projects, err
}

// AddAccess gives a project access to a private type.
func (t Types) AddAccess(ctx context.Context, typeID, project string) error {
	return t.changeAccess(ctx, typeID, project, true)
}

// RemoveAccess takes a project's access to a private type away.
func (t Types) RemoveAccess(ctx context.Context, typeID, project string) error {
	return t.changeAccess(ctx, typeID, project, false)
}

func (t Types) changeAccess(ctx context.Context, typeID, project string, add bool) error {
	if project == "" {
		return blockstorage.BadRequest("Invalid input received: project must be a non-empty string.")
	}
	err := t.update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vt, err := tx.GetType(ctx, typeID)
		if errors.Is(err, apierr.ErrNotFound) {
			return blockstorage.TypeNotFound(typeID)
		}
		if err != nil {
			return err
		}
		if vt.IsPublic {
			return blockstorage.BadRequest("Invalid volume type: Type access modification is not applicable to public volume type.")
		}
		if add {
			return tx.AddTypeProject(ctx, typeID, project)
		}
		return tx.RemoveTypeProject(ctx, typeID, project)
	})
	switch {
	case errors.Is(err, apierr.ErrDuplicate):
		return blockstorage.Conflict("Volume type access for %s / %s combination already exists.", typeID, project)
	case errors.Is(err, apierr.ErrNotFound):
		return apierr.NotFound("Volume type access not found for %s / %s combination.", typeID, project)
	}
	return err
}
