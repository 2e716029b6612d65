package network

import "context"

// Topology is a project's auto-allocated topology (the
// auto-allocated-topology extension, Nova's "networks": "auto"): the
// network made for the project and the router that connects it to the
// default external network. RouterID is empty once the router is gone.
type Topology struct {
	ProjectID string
	NetworkID string
	RouterID  string
}

// AutoAllocTx is the auto-allocated topologies' part of a transaction,
// whose use cases are package network/autoalloc.
type AutoAllocTx interface {
	// InsertTopology records a project's topology: apierr.ErrDuplicate
	// when the project has one, which is what makes two concurrent first
	// requests end with one topology.
	InsertTopology(ctx context.Context, t *Topology) error
	// GetTopology returns apierr.ErrNotFound when the project has none.
	// Deleting the network deletes the record; deleting the router
	// empties its RouterID.
	GetTopology(ctx context.Context, project string) (*Topology, error)
	// SetTopologyRouter records the router of a project's topology.
	SetTopologyRouter(ctx context.Context, project, router string) error
	DeleteTopology(ctx context.Context, project string) error
	// DefaultExternalNetworks lists the ids of the external networks
	// marked is_default, oldest first.
	DefaultExternalNetworks(ctx context.Context) ([]string, error)
	// DefaultSubnetPools lists the subnet pools marked is_default, IPv4
	// first.
	DefaultSubnetPools(ctx context.Context) ([]*SubnetPool, error)
}
