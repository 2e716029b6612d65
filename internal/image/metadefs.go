package image

import (
	"context"
	"time"
)

// The metadata definitions catalog (metadefs): namespaces holding
// objects, properties, tags and resource type associations. Items are
// kept as JSON documents; the API validates their shape.

// MetadefStore keeps the metadata definitions catalog.
type MetadefStore interface {
	CreateNamespace(ctx context.Context, ns *Namespace) error
	GetNamespace(ctx context.Context, name string) (*Namespace, error)
	ListNamespaces(ctx context.Context) ([]*Namespace, error)
	// UpdateNamespace replaces the namespace called name (which ns may rename).
	UpdateNamespace(ctx context.Context, name string, ns *Namespace) error
	// DeleteNamespace removes a namespace and everything in it.
	DeleteNamespace(ctx context.Context, name string) error

	CreateMetadefItem(ctx context.Context, it *MetadefItem) error
	GetMetadefItem(ctx context.Context, namespace, kind, name string) (*MetadefItem, error)
	ListMetadefItems(ctx context.Context, namespace, kind string) ([]*MetadefItem, error)
	// UpdateMetadefItem replaces the item called name (which it may rename).
	UpdateMetadefItem(ctx context.Context, name string, it *MetadefItem) error
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

// Metadef item kinds.
const (
	MetadefObject       = "object"
	MetadefProperty     = "property"
	MetadefTag          = "tag"
	MetadefResourceType = "resource_type"
)

// MetadefItem is an object, property, tag or resource type association
// of a namespace.
type MetadefItem struct {
	Namespace string
	Kind      string
	Name      string
	Body      map[string]any
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ResourceTypes are the resource types metadefs can be associated with
// (Glance seeds the same list).
var ResourceTypes = []string{
	"OS::Glance::Image", "OS::Cinder::Volume", "OS::Nova::Flavor", "OS::Nova::Aggregate",
	"OS::Nova::Server", "OS::Trove::Instance", "OS::Nova::Instance", "OS::Cinder::Volumetype",
	"OS::Glance::Metadef", "OS::Sahara::NodeGroup",
}

// Metadefs returns the catalog's store; the catalog has no rules beyond
// visibility, which the API applies.
func (s *Service) Metadefs() MetadefStore { return s.store }

// CanSeeNamespace reports whether c may see ns.
func (c Caller) CanSeeNamespace(ns *Namespace) bool {
	return c.Admin || ns.Visibility == Public || ns.Owner == c.ProjectID
}
