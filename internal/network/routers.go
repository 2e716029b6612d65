package network

import (
	"context"
	"fmt"
	"net/netip"
)

// Router is a Neutron router. Its interfaces and its gateway are ports
// whose device_id is the router's id; the router keeps the rest.
//
// Distributed and HA are the dvr and l3-ha extensions' attributes. There
// are no L3 agents to place a router on, so they change nothing but what
// the API shows: an admin may set them and read them back, as Neutron
// with DVR and HA enabled lets an admin do.
type Router struct {
	Std
	AdminStateUp bool
	Status       string
	Gateway      *Gateway
	Distributed  bool
	HA           bool
	AZHints      []string
	Routes       []Route
	FlavorID     *string
}

// Gateway is a router's external gateway: a port on an external network.
type Gateway struct {
	NetworkID  string
	PortID     string
	EnableSNAT bool
	// FixedIPs are the gateway port's addresses (read only).
	FixedIPs []FixedIP
}

// Route is an extra route of a router (the extraroute extension).
type Route struct {
	Destination netip.Prefix
	NextHop     netip.Addr
}

// RouterTx is the L3 part of a transaction: routers, floating IPs and
// their port forwardings.
type RouterTx interface {
	InsertRouter(ctx context.Context, r *Router) error
	// GetRouter returns apierr.ErrNotFound for a missing id. The
	// gateway's FixedIPs are not filled.
	GetRouter(ctx context.Context, id string) (*Router, error)
	// LockRouter bumps a router's revision and updated_at first thing in
	// a transaction that changes its interfaces: on PostgreSQL the row
	// lock it takes makes the changes of one router take turns, so two
	// concurrent interface additions cannot both pass the overlap check.
	// apierr.ErrNotFound for a missing id.
	LockRouter(ctx context.Context, id string) error
	// ListRouters lists the routers of f's scope, narrowed by id, project
	// and name.
	ListRouters(ctx context.Context, f Filter) ([]*Router, error)
	// UpdateRouter writes r as it is (the caller bumps its revision).
	UpdateRouter(ctx context.Context, r *Router) error
	DeleteRouter(ctx context.Context, id string) error
	// CountFloatingIPsOn counts the floating IPs allocated from network.
	CountFloatingIPsOn(ctx context.Context, network string) (int64, error)
	FloatingIPTx
	PortForwardingTx
}

// String renders a route as Neutron's messages do (a Python dict).
func (rt Route) String() string {
	return fmt.Sprintf("{'destination': '%s', 'nexthop': '%s'}", rt.Destination, rt.NextHop)
}
