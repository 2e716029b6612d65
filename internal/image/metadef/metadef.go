// Package metadef is Glance's metadata definitions catalog: namespaces
// holding objects, properties, tags and resource type associations that
// describe the properties images, flavors or volumes may carry. The
// catalog's items are kept as JSON documents; only their names are
// checked, as Glance's schemas check little more.
//
//	metadef/api ──▶ metadef.Service ──▶ Store (image/store: metadef_* tables)
//	                  visibility: public namespaces, or the owner's, or admin
package metadef

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/gostack/gostack/internal/image"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Store keeps the catalog. A missing namespace or item is
// apierr.ErrNotFound, a taken name apierr.ErrDuplicate.
type Store interface {
	CreateNamespace(ctx context.Context, ns *Namespace) error
	GetNamespace(ctx context.Context, name string) (*Namespace, error)
	ListNamespaces(ctx context.Context) ([]*Namespace, error)
	// UpdateNamespace replaces the namespace called name (which ns may rename).
	UpdateNamespace(ctx context.Context, name string, ns *Namespace) error
	// DeleteNamespace removes a namespace and everything in it.
	DeleteNamespace(ctx context.Context, name string) error

	// CreateMetadefItem adds an item; a namespace that does not exist is
	// apierr.ErrNotFound.
	CreateMetadefItem(ctx context.Context, it *Item) error
	GetMetadefItem(ctx context.Context, namespace, kind, name string) (*Item, error)
	ListMetadefItems(ctx context.Context, namespace, kind string) ([]*Item, error)
	// UpdateMetadefItem replaces the item called name (which it may rename).
	UpdateMetadefItem(ctx context.Context, name string, it *Item) error
	DeleteMetadefItem(ctx context.Context, namespace, kind, name string) error
	DeleteMetadefItems(ctx context.Context, namespace, kind string) error
}

// Namespace is a metadefs namespace.
type Namespace struct {
	Namespace   string
	DisplayName string
	Description string
	Visibility  string // public or private
	Protected   bool
	Owner       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Item kinds.
const (
	KindObject       = "object"
	KindProperty     = "property"
	KindTag          = "tag"
	KindResourceType = "resource_type"
)

// Item is an object, property, tag or resource type association of a
// namespace.
type Item struct {
	Namespace string
	Kind      string
	Name      string
	Body      map[string]any
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ResourceTypes are the resource types namespaces can be associated with
// (Glance seeds the same list).
func ResourceTypes() []string {
	return []string{
		"OS::Glance::Image", "OS::Cinder::Volume", "OS::Nova::Flavor", "OS::Nova::Aggregate",
		"OS::Nova::Server", "OS::Trove::Instance", "OS::Nova::Instance", "OS::Cinder::Volumetype",
		"OS::Glance::Metadef", "OS::Sahara::NodeGroup",
	}
}

// Service is the catalog's rules: who sees a namespace, what an item
// needs, and Glance's answers for what is missing or taken.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns the catalog over store (migrated with the image service's
// tables).
func New(store Store) *Service {
	return &Service{store: store, now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }}
}

// CanSee reports whether c may see ns: a public namespace, one of its
// project's, or any for an admin.
func CanSee(c image.Caller, ns *Namespace) bool {
	return c.Admin || ns.Visibility == image.Public || ns.Owner == c.ProjectID
}

func namespaceNotFound(name string) error {
	return apierr.NotFound("No namespace found with ID %s", name)
}

func namespaceExists(name string) error {
	return apierr.Conflict("A namespace with name %s already exists", name)
}

// Namespace returns the namespace called name if c may see it.
func (s *Service) Namespace(ctx context.Context, c image.Caller, name string) (*Namespace, error) {
	ns, err := s.store.GetNamespace(ctx, name)
	if err != nil {
		if errors.Is(err, apierr.ErrNotFound) {
			return nil, namespaceNotFound(name)
		}
		return nil, err
	}
	if !CanSee(c, ns) {
		return nil, namespaceNotFound(name)
	}
	return ns, nil
}

// Namespaces lists the namespaces c may see, oldest first.
func (s *Service) Namespaces(ctx context.Context, c image.Caller) ([]*Namespace, error) {
	all, err := s.store.ListNamespaces(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(ns *Namespace) bool { return !CanSee(c, ns) }), nil
}

// CreateNamespace adds ns, stamping its times.
func (s *Service) CreateNamespace(ctx context.Context, ns *Namespace) error {
	ns.CreatedAt = s.now()
	ns.UpdatedAt = ns.CreatedAt
	err := s.store.CreateNamespace(ctx, ns)
	if errors.Is(err, apierr.ErrDuplicate) {
		return namespaceExists(ns.Namespace)
	}
	return err
}

// UpdateNamespace replaces the namespace called old with ns, stamping
// its update time.
func (s *Service) UpdateNamespace(ctx context.Context, old string, ns *Namespace) error {
	ns.UpdatedAt = s.now()
	err := s.store.UpdateNamespace(ctx, old, ns)
	switch {
	case errors.Is(err, apierr.ErrDuplicate):
		return namespaceExists(ns.Namespace)
	case errors.Is(err, apierr.ErrNotFound):
		return namespaceNotFound(old)
	}
	return err
}

// DeleteNamespace removes ns and everything in it; a protected namespace
// is refused.
func (s *Service) DeleteNamespace(ctx context.Context, ns *Namespace) error {
	if ns.Protected {
		return apierr.Forbidden("Namespace %s is protected and cannot be deleted.", ns.Namespace)
	}
	err := s.store.DeleteNamespace(ctx, ns.Namespace)
	if errors.Is(err, apierr.ErrNotFound) {
		return namespaceNotFound(ns.Namespace)
	}
	return err
}

func itemNotFound(kind, name string) error {
	return apierr.NotFound("No metadata definition %s found with ID %s", kind, name)
}

// Items lists a namespace's items of one kind, oldest first.
func (s *Service) Items(ctx context.Context, namespace, kind string) ([]*Item, error) {
	return s.store.ListMetadefItems(ctx, namespace, kind)
}

// Item returns one item.
func (s *Service) Item(ctx context.Context, namespace, kind, name string) (*Item, error) {
	it, err := s.store.GetMetadefItem(ctx, namespace, kind, name)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, itemNotFound(kind, name)
	}
	return it, err
}

// PutItem creates (old == "") or replaces the item called old of a
// namespace from a request body: its name, and the rest kept as given
// but for the attributes the catalog sets itself.
func (s *Service) PutItem(ctx context.Context, namespace, kind string, body map[string]any, old string) error {
	name, err := stringField(body, "name", "")
	if err != nil {
		return err
	}
	if name == "" || len(name) > 255 {
		return apierr.BadRequest("name is required (at most 255 characters).")
	}
	if kind == KindResourceType && !slices.Contains(ResourceTypes(), name) {
		return apierr.NotFound("No resource type found with ID %s", name)
	}
	b := map[string]any{}
	for k, v := range body {
		if k != "name" && k != "created_at" && k != "updated_at" && k != "self" && k != "schema" {
			b[k] = v
		}
	}
	now := s.now()
	it := &Item{Namespace: namespace, Kind: kind, Name: name, Body: b, CreatedAt: now, UpdatedAt: now}
	if old == "" {
		err := s.store.CreateMetadefItem(ctx, it)
		switch {
		case errors.Is(err, apierr.ErrDuplicate):
			return apierr.Conflict("A metadata definition %s with name %s already exists in namespace %s", kind, name, namespace)
		case errors.Is(err, apierr.ErrNotFound):
			return namespaceNotFound(namespace)
		}
		return err
	}
	err = s.store.UpdateMetadefItem(ctx, old, it)
	switch {
	case errors.Is(err, apierr.ErrDuplicate):
		return apierr.Conflict("A metadata definition %s with name %s already exists", kind, name)
	case errors.Is(err, apierr.ErrNotFound):
		return itemNotFound(kind, old)
	}
	return err
}

// DeleteItem removes one item.
func (s *Service) DeleteItem(ctx context.Context, namespace, kind, name string) error {
	err := s.store.DeleteMetadefItem(ctx, namespace, kind, name)
	if errors.Is(err, apierr.ErrNotFound) {
		return itemNotFound(kind, name)
	}
	return err
}

// DeleteItems removes every item of one kind of a namespace.
func (s *Service) DeleteItems(ctx context.Context, namespace, kind string) error {
	return s.store.DeleteMetadefItems(ctx, namespace, kind)
}

// stringField reads an optional string member of a body; null or absent
// is def.
func stringField(m map[string]any, k string, def string) (string, error) {
	v, ok := m[k]
	if !ok || v == nil {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", apierr.BadRequest("Invalid value for %s: must be a string.", k)
	}
	return s, nil
}

// ReadNamespace fills ns from a create or update body: what the body
// leaves out keeps its value in ns.
func ReadNamespace(body map[string]any, ns *Namespace) error {
	var err error
	if ns.Namespace, err = stringField(body, "namespace", ""); err != nil {
		return err
	}
	if ns.Namespace == "" || len(ns.Namespace) > 80 {
		return apierr.BadRequest("namespace is required (at most 80 characters).")
	}
	if ns.DisplayName, err = stringField(body, "display_name", ns.DisplayName); err != nil {
		return err
	}
	if ns.Description, err = stringField(body, "description", ns.Description); err != nil {
		return err
	}
	if ns.Visibility, err = stringField(body, "visibility", ns.Visibility); err != nil {
		return err
	}
	if ns.Visibility != image.Public && ns.Visibility != image.Private {
		return apierr.BadRequest("visibility must be public or private.")
	}
	if v, ok := body["protected"]; ok {
		b, ok := v.(bool)
		if !ok {
			return apierr.BadRequest("protected must be a boolean.")
		}
		ns.Protected = b
	}
	if v, ok := body["owner"].(string); ok {
		ns.Owner = v
	}
	return nil
}
