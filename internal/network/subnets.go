package network

import (
	"context"
	"net/netip"
)

// Subnet is a Neutron subnet.
type Subnet struct {
	Std
	NetworkID       string
	IPVersion       int
	CIDR            netip.Prefix
	GatewayIP       *netip.Addr
	EnableDHCP      bool
	IPv6RAMode      *string
	IPv6AddressMode *string
	Pools           []Pool
	DNSNameservers  []string
	HostRoutes      []HostRoute
	ServiceTypes    []string
	SubnetPoolID    *string
	SegmentID       *string
	DNSPublishFixed bool
}

// Pool is an allocation pool, both ends inclusive.
type Pool struct{ Start, End netip.Addr }

// HostRoute is a route a subnet's DHCP hands out.
type HostRoute struct {
	Destination netip.Prefix
	NextHop     netip.Addr
}

// SubnetTx is the subnets' part of a transaction.
type SubnetTx interface {
	InsertSubnet(ctx context.Context, sn *Subnet) error
	// GetSubnet returns apierr.ErrNotFound for a missing id.
	GetSubnet(ctx context.Context, id string) (*Subnet, error)
	ListSubnets(ctx context.Context, f Filter) ([]*Subnet, error)
	UpdateSubnet(ctx context.Context, sn *Subnet) error
	DeleteSubnet(ctx context.Context, id string) error
}

// deleteSubnet removes a subnet and its address allocations; the caller
// has made sure no port but DHCP's still has an address on it.
func (s *Service) deleteSubnet(ctx context.Context, tx Tx, sn *Subnet) error {
	if err := tx.SetTags(ctx, "subnets", sn.ID, nil); err != nil {
		return err
	}
	return tx.DeleteSubnet(ctx, sn.ID)
}
