package network

import (
	"context"
	"errors"
	"net/netip"

	"github.com/gostack/gostack/internal/platform/apierr"
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

// AutoAddress reports whether ports get their address on the subnet
// from their MAC (SLAAC or DHCPv6-stateless), as Neutron's
// is_auto_address_subnet says.
func (sn *Subnet) AutoAddress() bool {
	auto := func(m *string) bool { return m != nil && (*m == ModeSLAAC || *m == ModeStateless) }
	if sn.IPVersion != 6 {
		return false
	}
	if sn.IPv6AddressMode != nil {
		return auto(sn.IPv6AddressMode)
	}
	return auto(sn.IPv6RAMode)
}

// The IPv6 address and router-advertisement modes.
const (
	ModeSLAAC     = "slaac"
	ModeStateful  = "dhcpv6-stateful"
	ModeStateless = "dhcpv6-stateless"
)

// Pool is an allocation pool, both ends inclusive.
type Pool struct{ Start, End netip.Addr }

// HostRoute is a route a subnet's DHCP hands out.
type HostRoute struct {
	Destination netip.Prefix
	NextHop     netip.Addr
}

// SubnetTx is the subnets' (and their pools' and scopes') part of a
// transaction.
type SubnetTx interface {
	InsertSubnet(ctx context.Context, sn *Subnet) error
	// GetSubnet returns apierr.ErrNotFound for a missing id.
	GetSubnet(ctx context.Context, id string) (*Subnet, error)
	// ListSubnets lists the subnets of the scope's project and those of
	// the shared and external networks (all for an admin).
	ListSubnets(ctx context.Context, f Filter) ([]*Subnet, error)
	UpdateSubnet(ctx context.Context, sn *Subnet) error
	DeleteSubnet(ctx context.Context, id string) error
	// LockNetwork serializes the transactions that add subnets to a
	// network (a no-op write of its row, which PostgreSQL holds until the
	// transaction ends); apierr.ErrNotFound for a missing network.
	LockNetwork(ctx context.Context, id string) error
	SubnetPoolTx
	AddressScopeTx
}

// Contains reports whether a is in the pool.
func (p Pool) Contains(a netip.Addr) bool {
	return a.BitLen() == p.Start.BitLen() && p.Start.Compare(a) <= 0 && a.Compare(p.End) <= 0
}

func (p Pool) String() string { return p.Start.String() + "-" + p.End.String() }

// VisibleSubnet reads a subnet the scope may see: its project's, or one
// of a shared or external network.
func (s *Service) VisibleSubnet(ctx context.Context, tx Tx, sc Scope, id string) (*Subnet, error) {
	sn, err := tx.GetSubnet(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, NotFound("Subnet", id)
	}
	if err != nil || sc.Sees(sn.ProjectID) {
		return sn, err
	}
	// A shared network's subnets are everyone's to see; an external
	// network's are not (Neutron's get_subnet: owner or shared).
	n, err := tx.GetNetwork(ctx, sn.NetworkID)
	if err != nil || !(n.Shared || n.ProjectID == sc.ProjectID) {
		return nil, NotFound("Subnet", id)
	}
	return sn, nil
}

// LastAddr is the highest address of p.
func LastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
