package blockstorage

import (
	"context"
	"errors"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// VolumeType is a class of volumes (Cinder's volume type): its extra
// specs steer the scheduler (volume_backend_name) and the driver, its QoS
// specs limit the volumes' I/O, and a private one is usable only by the
// projects given access.
type VolumeType struct {
	ID          string
	Name        string
	Description string
	IsPublic    bool
	ExtraSpecs  map[string]string
	// QoSSpecsID is the associated QoS specs, "" for none.
	QoSSpecsID string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TypeFilter narrows a volume type list.
type TypeFilter struct {
	// IsPublic: nil lists public and private types; otherwise only the
	// ones whose is_public matches.
	IsPublic *bool
	// Project, when set, keeps private types only if the project has
	// access to them (a non-admin's list).
	Project string
}

// Encryption is a volume type's encryption: volumes of the type are
// encrypted by the front end (Nova) or the back end with this cipher.
type Encryption struct {
	ID              string
	TypeID          string
	Provider        string
	Cipher          string
	KeySize         *int64
	ControlLocation string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// QoSSpecs are I/O limits (total_iops_sec, read_bytes_sec ...) a volume
// type carries to its consumer: the front end (the hypervisor), the back
// end (the driver), or both.
type QoSSpecs struct {
	ID        string
	Name      string
	Consumer  string
	Specs     map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// GroupType is a class of volume groups (Cinder's group type, 3.11).
type GroupType struct {
	ID          string
	Name        string
	Description string
	IsPublic    bool
	GroupSpecs  map[string]string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TypeTx is what a transaction does with volume types, their extra specs,
// project access, encryption, QoS specs, group types and the per-project
// default types. Reads of an unknown id return apierr.ErrNotFound; a
// create of a name in use returns apierr.ErrDuplicate.
type TypeTx interface {
	// GetType and GetTypeByName return the type with its extra specs.
	GetType(ctx context.Context, id string) (*VolumeType, error)
	GetTypeByName(ctx context.Context, name string) (*VolumeType, error)
	ListTypes(ctx context.Context, f TypeFilter) ([]*VolumeType, error)
	CreateType(ctx context.Context, t *VolumeType) error
	// UpdateType writes the name, description, is_public and QoS specs
	// id (not the extra specs).
	UpdateType(ctx context.Context, t *VolumeType) error
	// DeleteType removes the type with its extra specs, access and
	// encryption.
	DeleteType(ctx context.Context, id string) error
	// TypeInUse reports whether a volume (or a group) uses the type.
	TypeInUse(ctx context.Context, id string) (bool, error)
	// SetExtraSpecs adds or replaces the keys of specs; DeleteExtraSpec
	// removes one (ErrNotFound if absent).
	SetExtraSpecs(ctx context.Context, typeID string, specs map[string]string) error
	DeleteExtraSpec(ctx context.Context, typeID, key string) error

	// TypeProjects lists the projects with access to a private type.
	TypeProjects(ctx context.Context, typeID string) ([]string, error)
	// AddTypeProject returns ErrDuplicate if the project has access
	// already; RemoveTypeProject ErrNotFound if it has none.
	AddTypeProject(ctx context.Context, typeID, project string) error
	RemoveTypeProject(ctx context.Context, typeID, project string) error

	// GetEncryption returns the type's encryption, ErrNotFound if the
	// type has none.
	GetEncryption(ctx context.Context, typeID string) (*Encryption, error)
	CreateEncryption(ctx context.Context, e *Encryption) error
	UpdateEncryption(ctx context.Context, e *Encryption) error
	DeleteEncryption(ctx context.Context, typeID string) error

	GetQoS(ctx context.Context, id string) (*QoSSpecs, error)
	ListQoS(ctx context.Context) ([]*QoSSpecs, error)
	CreateQoS(ctx context.Context, q *QoSSpecs) error
	// UpdateQoS writes the consumer and the whole specs map.
	UpdateQoS(ctx context.Context, q *QoSSpecs) error
	DeleteQoS(ctx context.Context, id string) error
	// QoSTypes lists the types associated with QoS specs.
	QoSTypes(ctx context.Context, qosID string) ([]*VolumeType, error)

	GetGroupType(ctx context.Context, id string) (*GroupType, error)
	GetGroupTypeByName(ctx context.Context, name string) (*GroupType, error)
	ListGroupTypes(ctx context.Context, f TypeFilter) ([]*GroupType, error)
	CreateGroupType(ctx context.Context, g *GroupType) error
	UpdateGroupType(ctx context.Context, g *GroupType) error
	DeleteGroupType(ctx context.Context, id string) error
	SetGroupSpecs(ctx context.Context, groupTypeID string, specs map[string]string) error
	DeleteGroupSpec(ctx context.Context, groupTypeID, key string) error

	// DefaultTypeID is the type id a project's volumes get by default:
	// the project's own default (Cinder's default-types API), else the
	// service-wide one (project ""), "" when neither is set.
	DefaultTypeID(ctx context.Context, project string) (string, error)
	// SetDefaultType sets a project's default (project "" is the
	// service-wide one); DeleteDefaultType unsets it (ErrNotFound if
	// unset).
	SetDefaultType(ctx context.Context, project, typeID string) error
	DeleteDefaultType(ctx context.Context, project string) error
	// ListDefaultTypes maps each project with a default of its own to
	// its type id (the service-wide one is left out).
	ListDefaultTypes(ctx context.Context) (map[string]string, error)
}

// TypeNotFoundByName is Cinder's VolumeTypeNotFoundByName (404).
func TypeNotFoundByName(name string) *apierr.Error {
	return apierr.NotFound("Volume type with name %s could not be found.", name)
}

// TypeNotFound is Cinder's VolumeTypeNotFound (404).
func TypeNotFound(id string) *apierr.Error {
	return apierr.NotFound("Volume type %s could not be found.", id)
}

// ResolveType finds the volume type a volume asks for by id or by name:
// "" is the project's default type (the project's own default, else the
// service's, Config.DefaultType, created at start). A private type the
// caller's project has no access to is as unknown as a missing one (an
// admin reaches every type).
func ResolveType(ctx context.Context, tx Tx, sc Scope, nameOrID string) (*VolumeType, error) {
	if nameOrID == "" {
		id, err := tx.DefaultTypeID(ctx, sc.ProjectID)
		if err != nil {
			return nil, err
		}
		if id == "" {
			return nil, apierr.NotFound("No default volume type is configured.")
		}
		t, err := tx.GetType(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil, TypeNotFound(id)
		}
		return t, err
	}
	t, err := tx.GetType(ctx, nameOrID)
	if errors.Is(err, apierr.ErrNotFound) {
		t, err = tx.GetTypeByName(ctx, nameOrID)
	}
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, TypeNotFoundByName(nameOrID)
	}
	if err != nil {
		return nil, err
	}
	ok, err := TypeVisible(ctx, tx, sc, t)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, TypeNotFoundByName(nameOrID)
	}
	return t, nil
}

// TypeVisible reports whether the caller may see and use a type: a
// public one, or a private one its project was given access to; an
// admin sees them all.
func TypeVisible(ctx context.Context, tx Tx, sc Scope, t *VolumeType) (bool, error) {
	if t.IsPublic || sc.Admin {
		return true, nil
	}
	projects, err := tx.TypeProjects(ctx, t.ID)
	if err != nil {
		return false, err
	}
	for _, p := range projects {
		if p == sc.ProjectID {
			return true, nil
		}
	}
	return false, nil
}
