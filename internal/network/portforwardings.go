package network

import (
	"context"
	"net/netip"
)

// PortForwarding forwards a protocol's external port of a floating IP to
// a port's fixed address and port (floating-ip-port-forwarding). It has
// no standard attributes in Neutron: no project, tags or revision of its
// own; the floating IP's project owns it.
type PortForwarding struct {
	ID             string
	FloatingIPID   string
	Protocol       string
	ExternalPort   int
	InternalPortID string
	InternalIP     netip.Addr
	InternalPort   int
	Description    string
}

// PortForwardingTx is the port forwardings' part of a transaction.
type PortForwardingTx interface {
	// InsertPortForwarding writes pf; apierr.ErrDuplicate when its
	// external or internal socket is taken.
	InsertPortForwarding(ctx context.Context, pf *PortForwarding) error
	// PortForwardings returns the port forwardings of a floating IP.
	PortForwardings(ctx context.Context, fip string) ([]PortForwarding, error)
	// PortForwardingsTo returns the port forwardings to a port.
	PortForwardingsTo(ctx context.Context, port string) ([]PortForwarding, error)
	// UpdatePortForwarding writes pf; apierr.ErrDuplicate as for
	// InsertPortForwarding.
	UpdatePortForwarding(ctx context.Context, pf *PortForwarding) error
	DeletePortForwarding(ctx context.Context, id string) error
}
