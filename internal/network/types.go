package network

import (
	"context"
	"time"
)

// Std are the standard attributes every Neutron resource carries.
type Std struct {
	ID          string
	ProjectID   string
	Name        string
	Description string
	Tags        []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Revision    int64
}

// StdTx is what every resource shares in a transaction: tags and counts.
type StdTx interface {
	// Tags returns the tags of resources of a kind ("networks"), by id.
	Tags(ctx context.Context, kind string, ids []string) (map[string][]string, error)
	// SetTags replaces a resource's tags and bumps its revision.
	SetTags(ctx context.Context, kind, id string, tags []string) error
	// CountOwned counts a project's resources of a quota resource name
	// ("network", "port", "security_group_rule").
	CountOwned(ctx context.Context, resource, project string) (int64, error)
}

// Filter narrows a list in the store before the API applies the rest of
// the query: the caller's visibility and the cheap, indexed filters.
type Filter struct {
	Scope Scope
	// IDs, when set, limits the list to these ids.
	IDs []string
	// Eq are equality filters on stored columns, by attribute name; each
	// attribute matches any of its values. The store applies the ones it
	// indexes and ignores the rest (the API filters every item again).
	Eq map[string][]string
}

// Only returns the filter's values for attr.
func (f Filter) Only(attr string) []string { return f.Eq[attr] }
