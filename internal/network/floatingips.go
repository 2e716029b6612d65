package network

import (
	"context"
	"net/netip"
)

// FloatingIP is a Neutron floating IP: an address of an external network,
// held by a port of its own (device owner network:floatingip), that may
// be associated with a fixed address of another port reached through a
// router.
//
// Status follows the association: ACTIVE while it is associated (with a
// port, or through port forwardings), DOWN otherwise. There is no data
// plane to report it, so the association is the whole state.
type FloatingIP struct {
	Std
	NetworkID string
	SubnetID  string
	Address   netip.Addr
	// FloatingPortID is the floating IP's own port on the external
	// network.
	FloatingPortID string
	PortID         *string
	FixedIP        *netip.Addr
	RouterID       *string
	Status         string
	DNSName        string
	DNSDomain      string
	// PortDetails is the associated port, for fip-port-details (read
	// only; filled by the service's reads).
	PortDetails *Port
	// PortForwardings are the floating IP's port forwardings (read only).
	PortForwardings []PortForwarding
}

// FloatingIPTx is the floating IPs' part of a transaction.
type FloatingIPTx interface {
	// InsertFloatingIP writes f; apierr.ErrDuplicate when its fixed
	// address already has a floating IP of the same network.
	InsertFloatingIP(ctx context.Context, f *FloatingIP) error
	// GetFloatingIP returns apierr.ErrNotFound for a missing id; its port
	// forwardings are filled.
	GetFloatingIP(ctx context.Context, id string) (*FloatingIP, error)
	// ListFloatingIPs lists the floating IPs of f's scope, narrowed by
	// id, project, router_id, port_id, floating_network_id and
	// floating_ip_address; their port forwardings are filled.
	ListFloatingIPs(ctx context.Context, f Filter) ([]*FloatingIP, error)
	// UpdateFloatingIP writes f as it is; apierr.ErrDuplicate as for
	// InsertFloatingIP.
	UpdateFloatingIP(ctx context.Context, f *FloatingIP) error
	// DeleteFloatingIP deletes a floating IP and its port forwardings.
	DeleteFloatingIP(ctx context.Context, id string) error
}
