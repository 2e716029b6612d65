package subnets

import (
	"context"
	"errors"
	"net/netip"
	"slices"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/dhcpsched"
	"github.com/gostack/gostack/internal/network/ipam"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Create is a subnet create request.
type Create struct {
	ProjectID, NetworkID, Name, Description string
	IPVersion                               int
	// CIDR is required unless the subnet comes from a subnet pool.
	CIDR *netip.Prefix
	// GatewaySet says the request named gateway_ip; GatewayIP nil with it
	// set means no gateway.
	GatewaySet      bool
	GatewayIP       *netip.Addr
	EnableDHCP      *bool
	IPv6RAMode      *string
	IPv6AddressMode *string
	Pools           []network.Pool
	DNSNameservers  []string
	HostRoutes      []network.HostRoute
	ServiceTypes    []string
	SubnetPoolID    *string
	UseDefaultPool  bool
	PrefixLen       *int
	SegmentID       *string
	DNSPublishFixed *bool
}

// Update holds what a subnet PUT may change.
type Update struct {
	Name, Description *string
	GatewaySet        bool
	GatewayIP         *netip.Addr
	EnableDHCP        *bool
	Pools             *[]network.Pool
	DNSNameservers    *[]string
	HostRoutes        *[]network.HostRoute
	ServiceTypes      *[]string
	SegmentID         **string
	DNSPublishFixed   *bool
	Revision          *int64
}

// Neutron's max_dns_nameservers and max_subnet_host_routes.
const (
	maxDNS    = 5
	maxRoutes = 20
)

// CreateSubnets creates subnets, all or none, in one transaction.
func (s *Service) CreateSubnets(ctx context.Context, sc network.Scope, cs []Create) ([]*network.Subnet, error) {
	limits := map[string]int64{}
	want := map[string]int64{}
	for _, c := range cs {
		if _, ok := limits[c.ProjectID]; !ok {
			lim, err := s.net.Limit(ctx, c.ProjectID, "subnet")
			if err != nil {
				return nil, err
			}
			limits[c.ProjectID] = lim
		}
		want[c.ProjectID]++
	}
	var out []*network.Subnet
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		out = out[:0]
		for project, n := range want {
			if err := s.net.CheckQuota(ctx, tx, project, "subnet", n, limits[project]); err != nil {
				return err
			}
		}
		for _, c := range cs {
			sn, err := s.AddSubnet(ctx, tx, sc, c)
			if err != nil {
				return err
			}
			out = append(out, sn)
		}
		return nil
	})
	return out, err
}

// AddSubnet creates a subnet inside the caller's transaction: validated
// as Neutron does, its CIDR taken from a subnet pool when it names one,
// and its pools recorded in ipam.
func (s *Service) AddSubnet(ctx context.Context, tx network.Tx, sc network.Scope, c Create) (*network.Subnet, error) {
	if c.IPVersion != 4 && c.IPVersion != 6 {
		return nil, network.BadRequest("Invalid input for ip_version. Reason: %d is not in [4, 6].", c.IPVersion)
	}
	if _, err := s.net.VisibleNetwork(ctx, tx, sc, c.NetworkID); err != nil {
		return nil, err
	}
	if err := tx.LockNetwork(ctx, c.NetworkID); errors.Is(err, apierr.ErrNotFound) {
		return nil, network.NotFound("Network", c.NetworkID)
	} else if err != nil {
		return nil, err
	}
	now := db.Now()
	sn := &network.Subnet{
		Std:             network.Std{ID: uuid.NewString(), ProjectID: c.ProjectID, Name: c.Name, Description: c.Description, CreatedAt: now, UpdatedAt: now, Tags: []string{}},
		NetworkID:       c.NetworkID,
		IPVersion:       c.IPVersion,
		EnableDHCP:      network.OrBool(c.EnableDHCP, true),
		IPv6RAMode:      c.IPv6RAMode,
		IPv6AddressMode: c.IPv6AddressMode,
		DNSNameservers:  c.DNSNameservers,
		HostRoutes:      c.HostRoutes,
		ServiceTypes:    c.ServiceTypes,
		SegmentID:       c.SegmentID,
		DNSPublishFixed: network.OrBool(c.DNSPublishFixed, false),
	}
	if sn.DNSNameservers == nil {
		sn.DNSNameservers = []string{}
	}
	if sn.HostRoutes == nil {
		sn.HostRoutes = []network.HostRoute{}
	}
	if sn.ServiceTypes == nil {
		sn.ServiceTypes = []string{}
	}
	if err := s.subnetCIDR(ctx, tx, sc, sn, c); err != nil {
		return nil, err
	}
	if err := checkCIDR(sn); err != nil {
		return nil, err
	}
	if err := checkIPv6Modes(sn); err != nil {
		return nil, err
	}
	switch {
	case !c.GatewaySet:
		gw := sn.CIDR.Masked().Addr().Next()
		sn.GatewayIP = &gw
	case c.GatewayIP != nil:
		gw := *c.GatewayIP
		sn.GatewayIP = &gw
	}
	if err := checkGateway(sn); err != nil {
		return nil, err
	}
	if err := checkDNSAndRoutes(sn, "new subnet"); err != nil {
		return nil, err
	}
	if c.Pools == nil {
		sn.Pools = defaultPools(sn.CIDR, sn.GatewayIP)
	} else {
		sn.Pools = c.Pools
		if err := checkPools(sn); err != nil {
			return nil, err
		}
	}
	if err := s.checkOverlap(ctx, tx, sn); err != nil {
		return nil, err
	}
	if err := tx.InsertSubnet(ctx, sn); err != nil {
		return nil, err
	}
	if err := ipam.AddSubnet(ctx, tx.Querier(), sn.ID, sn.CIDR, ipamPools(sn.Pools)); err != nil {
		return nil, err
	}
	// A network gains its DHCP agent with its first DHCP-enabled subnet,
	// as Neutron schedules it on subnet_create_end.
	if sn.EnableDHCP {
		if err := dhcpsched.Schedule(ctx, tx, []string{sn.NetworkID}); err != nil {
			return nil, err
		}
	}
	return sn, nil
}

// checkCIDR validates a subnet's CIDR against its IP version and DHCP.
func checkCIDR(sn *network.Subnet) error {
	p := sn.CIDR
	if (p.Addr().Is4() && sn.IPVersion != 4) || (p.Addr().Is6() && sn.IPVersion != 6) {
		return network.InvalidInput("cidr '%s' does not match the ip_version '%d'", p, sn.IPVersion)
	}
	if p.Bits() == 0 {
		return network.InvalidInput("0 is not allowed as CIDR prefix length")
	}
	if sn.EnableDHCP {
		if sn.IPVersion == 4 && p.Bits() > 30 || sn.IPVersion == 6 && p.Bits() > 126 {
			return network.InvalidInput("Subnet has a prefix length that is incompatible with DHCP service enabled")
		}
		switch a := p.Addr(); {
		case a.IsMulticast():
			return network.InvalidInput("Multicast IP subnet is not supported if enable_dhcp is True")
		case a.IsLoopback():
			return network.InvalidInput("Loopback IP subnet is not supported if enable_dhcp is True")
		case a.IsLinkLocalUnicast():
			return network.InvalidInput("Link-local IP subnet is not supported if enable_dhcp is True")
		}
	}
	return nil
}

// checkIPv6Modes validates ipv6_ra_mode and ipv6_address_mode.
func checkIPv6Modes(sn *network.Subnet) error {
	ra, am := sn.IPv6RAMode, sn.IPv6AddressMode
	for _, m := range []struct {
		name string
		v    *string
	}{{"ipv6_ra_mode", ra}, {"ipv6_address_mode", am}} {
		if m.v == nil {
			continue
		}
		if sn.IPVersion == 4 {
			return network.InvalidInput("%s is not valid when ip_version is 4", m.name)
		}
		if *m.v != network.ModeSLAAC && *m.v != network.ModeStateful && *m.v != network.ModeStateless {
			return network.BadRequest("Invalid input for %s. Reason: '%s' is not in ['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac', None].", m.name, *m.v)
		}
	}
	if (ra != nil || am != nil) && !sn.EnableDHCP {
		return network.InvalidInput("ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False")
	}
	if ra != nil && am != nil && *ra != *am {
		return network.InvalidInput("ipv6_ra_mode set to '%s' with ipv6_address_mode set to '%s' is not valid. If both attributes are set, they must be the same value", *ra, *am)
	}
	if sn.AutoAddress() && sn.CIDR.Bits() != 64 {
		return network.InvalidInput("Invalid CIDR %s for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64", sn.CIDR)
	}
	return nil
}

// checkGateway validates a gateway: of the subnet's family, and neither
// its network nor (IPv4) its broadcast address. Neutron accepts a
// gateway outside the subnet (an on-link route), and so does this.
func checkGateway(sn *network.Subnet) error {
	if sn.GatewayIP == nil {
		return nil
	}
	gw := *sn.GatewayIP
	if gw.Is4() != (sn.IPVersion == 4) {
		return network.InvalidInput("gateway_ip '%s' does not match the ip_version '%d'", gw, sn.IPVersion)
	}
	p := sn.CIDR.Masked()
	if sn.IPVersion == 4 && p.Contains(gw) && (gw == p.Addr() || gw == network.LastAddr(p)) {
		return network.InvalidInput("Gateway is not valid on subnet")
	}
	return nil
}

// checkDNSAndRoutes validates the name servers and host routes.
func checkDNSAndRoutes(sn *network.Subnet, id string) error {
	if len(sn.DNSNameservers) > maxDNS {
		return network.BadRequest("Unable to complete operation for %s. The number of DNS nameservers exceeds the limit %d.", id, maxDNS).WithType("DNSNameServersExhausted")
	}
	seen := map[string]bool{}
	for i, d := range sn.DNSNameservers {
		a, err := netip.ParseAddr(d)
		if err != nil {
			return network.BadRequest("Invalid input for dns_nameservers. Reason: '%s' is not a valid nameserver. '%s' is not a valid IP address.", d, d)
		}
		if seen[a.String()] {
			return network.BadRequest("Invalid input for dns_nameservers. Reason: Duplicate nameserver '%s'.", d)
		}
		seen[a.String()] = true
		if a.Is4() != (sn.IPVersion == 4) {
			return network.InvalidInput("dns_nameserver '%s' does not match the ip_version '%d'", d, sn.IPVersion)
		}
		sn.DNSNameservers[i] = a.String()
	}
	if len(sn.HostRoutes) > maxRoutes {
		return network.BadRequest("Unable to complete operation for %s. The number of host routes exceeds the limit %d.", id, maxRoutes).WithType("HostRoutesExhausted")
	}
	for _, r := range sn.HostRoutes {
		if r.NextHop.Is4() != (sn.IPVersion == 4) {
			return network.InvalidInput("nexthop '%s' does not match the ip_version '%d'", r.NextHop, sn.IPVersion)
		}
		if r.Destination.Addr().Is4() != (sn.IPVersion == 4) {
			return network.InvalidInput("destination '%s' does not match the ip_version '%d'", r.Destination, sn.IPVersion)
		}
	}
	return nil
}

// defaultPools is Neutron's generate_pools: the subnet's addresses but
// its network address, its IPv4 broadcast address and its gateway.
func defaultPools(cidr netip.Prefix, gw *netip.Addr) []network.Pool {
	p := cidr.Masked()
	first, last := p.Addr(), network.LastAddr(p)
	if first == last {
		return []network.Pool{{Start: first, End: last}}
	}
	lo := first.Next()
	hi := last
	if p.Addr().Is4() {
		hi = last.Prev()
	}
	if hi.Less(lo) || lo == hi && p.Addr().Is4() && p.Bits() == 31 {
		return []network.Pool{{Start: first, End: last}}
	}
	if gw == nil || !(network.Pool{Start: lo, End: hi}).Contains(*gw) {
		return []network.Pool{{Start: lo, End: hi}}
	}
	var out []network.Pool
	if lo.Less(*gw) {
		out = append(out, network.Pool{Start: lo, End: gw.Prev()})
	}
	if gw.Less(hi) {
		out = append(out, network.Pool{Start: gw.Next(), End: hi})
	}
	return out
}

// checkPools validates requested allocation pools as Neutron does:
// start <= end and of the subnet's family, inside the subnet's usable
// addresses, not overlapping, and clear of the gateway.
func checkPools(sn *network.Subnet) error {
	p := sn.CIDR.Masked()
	lo, hi := p.Addr().Next(), network.LastAddr(p)
	if sn.IPVersion == 4 {
		hi = hi.Prev()
	}
	for _, pl := range sn.Pools {
		if !pl.Start.IsValid() || !pl.End.IsValid() || pl.End.Less(pl.Start) || pl.Start.Is4() != pl.End.Is4() {
			return network.BadRequest("The allocation pool {'start': '%s', 'end': '%s'} is not valid.", pl.Start, pl.End).WithType("InvalidAllocationPool")
		}
		if pl.Start.Is4() != (sn.IPVersion == 4) {
			return network.BadRequest("The allocation pool %s is not valid.", pl).WithType("InvalidAllocationPool")
		}
		if pl.Start.Less(lo) || hi.Less(pl.End) {
			return network.BadRequest("The allocation pool %s spans beyond the subnet cidr %s.", pl, sn.CIDR).WithType("OutOfBoundsAllocationPool")
		}
	}
	for i, a := range sn.Pools {
		for _, b := range sn.Pools[i+1:] {
			if !(a.End.Less(b.Start) || b.End.Less(a.Start)) {
				return network.Conflict("OverlappingAllocationPools", "Found overlapping allocation pools: %s %s for subnet %s.", a, b, sn.CIDR)
			}
		}
	}
	if sn.GatewayIP != nil {
		for _, pl := range sn.Pools {
			if pl.Contains(*sn.GatewayIP) {
				return network.Conflict("GatewayConflictWithAllocationPools", "Gateway ip %s conflicts with allocation pool %s.", *sn.GatewayIP, pl)
			}
		}
	}
	return nil
}

// checkOverlap refuses a CIDR overlapping another subnet of the network
// (Neutron with allow_overlapping_ips, its default).
func (s *Service) checkOverlap(ctx context.Context, tx network.Tx, sn *network.Subnet) error {
	subs, err := tx.ListSubnets(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"network_id": {sn.NetworkID}}})
	if err != nil {
		return err
	}
	for _, o := range subs {
		if o.ID != sn.ID && o.CIDR.Overlaps(sn.CIDR) {
			return network.InvalidInput("Requested subnet with cidr: %s for network: %s overlaps with another subnet", sn.CIDR, sn.NetworkID)
		}
	}
	return nil
}

func ipamPools(ps []network.Pool) []ipam.Pool {
	out := make([]ipam.Pool, len(ps))
	for i, p := range ps {
		out[i] = ipam.Pool{Start: p.Start, End: p.End}
	}
	return out
}

// GetSubnet returns a subnet the scope sees (404 otherwise).
func (s *Service) GetSubnet(ctx context.Context, sc network.Scope, id string) (*network.Subnet, error) {
	var sn *network.Subnet
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		sn, err = s.net.VisibleSubnet(ctx, tx, sc, id)
		return err
	})
	return sn, err
}

// ListSubnets lists the subnets the scope sees, narrowed by f.
func (s *Service) ListSubnets(ctx context.Context, f network.Filter) ([]*network.Subnet, error) {
	var out []*network.Subnet
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		out, err = tx.ListSubnets(ctx, f)
		return err
	})
	return out, err
}

// UpdateSubnet changes a subnet; new pools go to ipam in the same
// transaction.
func (s *Service) UpdateSubnet(ctx context.Context, sc network.Scope, id string, u Update) (*network.Subnet, error) {
	var sn *network.Subnet
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if sn, err = s.net.VisibleSubnet(ctx, tx, sc, id); err != nil {
			return err
		}
		if err := network.CheckRevision(u.Revision, sn.Revision); err != nil {
			return err
		}
		network.Set(&sn.Name, u.Name)
		network.Set(&sn.Description, u.Description)
		network.Set(&sn.DNSPublishFixed, u.DNSPublishFixed)
		network.Set(&sn.SegmentID, u.SegmentID)
		if u.EnableDHCP != nil {
			if !*u.EnableDHCP && (sn.IPv6RAMode != nil || sn.IPv6AddressMode != nil) {
				return network.InvalidInput("Cannot disable enable_dhcp with ipv6 attributes set")
			}
			if *u.EnableDHCP && !sn.EnableDHCP {
				sn.EnableDHCP = true
				if err := checkCIDR(sn); err != nil {
					return err
				}
				if err := dhcpsched.Schedule(ctx, tx, []string{sn.NetworkID}); err != nil {
					return err
				}
			}
			sn.EnableDHCP = *u.EnableDHCP
		}
		if u.GatewaySet {
			sn.GatewayIP = u.GatewayIP
			if err := checkGateway(sn); err != nil {
				return err
			}
		}
		if u.DNSNameservers != nil {
			sn.DNSNameservers = *u.DNSNameservers
		}
		if u.HostRoutes != nil {
			sn.HostRoutes = *u.HostRoutes
		}
		if u.ServiceTypes != nil {
			sn.ServiceTypes = *u.ServiceTypes
		}
		if err := checkDNSAndRoutes(sn, sn.ID); err != nil {
			return err
		}
		if u.Pools != nil {
			sn.Pools = *u.Pools
			if err := checkPools(sn); err != nil {
				return err
			}
			if err := ipam.UpdatePools(ctx, tx.Querier(), sn.ID, ipamPools(sn.Pools)); err != nil {
				return err
			}
		} else if u.GatewaySet && sn.GatewayIP != nil {
			for _, pl := range sn.Pools {
				if pl.Contains(*sn.GatewayIP) {
					return network.Conflict("GatewayConflictWithAllocationPools", "Gateway ip %s conflicts with allocation pool %s.", *sn.GatewayIP, pl)
				}
			}
		}
		sn.UpdatedAt = db.Now()
		sn.Revision++
		return tx.UpdateSubnet(ctx, sn)
	})
	return sn, err
}

// DeleteSubnet deletes a subnet no port but DHCP's holds an address on
// (409 SubnetInUse otherwise).
func (s *Service) DeleteSubnet(ctx context.Context, sc network.Scope, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		sn, err := s.net.VisibleSubnet(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if !sc.Sees(sn.ProjectID) {
			n, err := tx.GetNetwork(ctx, sn.NetworkID)
			if err != nil {
				return err
			}
			if !sc.Sees(n.ProjectID) {
				return apierr.Forbidden("(rule:delete_subnet) is disallowed by policy").WithType("PolicyNotAuthorized")
			}
		}
		return s.RemoveSubnet(ctx, tx, sn)
	})
}

// RemoveSubnet removes a subnet, its addresses in ipam and the
// addresses on it that may go with it: a DHCP port's, and the EUI-64
// address of a port that is not a router's. Any other address keeps the
// subnet (409 SubnetInUse).
func (s *Service) RemoveSubnet(ctx context.Context, tx network.Tx, sn *network.Subnet) error {
	owners, err := tx.SubnetPorts(ctx, sn.ID)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(owners))
	for id, owner := range owners {
		if owner != network.OwnerDHCP && !(sn.AutoAddress() && !network.IsRouterPort(owner)) {
			return network.Conflict("SubnetInUse", "Unable to complete operation on subnet %s: One or more ports have an IP allocation from this subnet.", sn.ID)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		p, err := tx.GetPort(ctx, id)
		if err != nil {
			return err
		}
		// The port's addresses change: so does its revision, as in
		// Neutron (and as the store's port cache needs).
		p.FixedIPs = slices.DeleteFunc(p.FixedIPs, func(f network.FixedIP) bool { return f.SubnetID == sn.ID })
		p.UpdatedAt = db.Now()
		p.Revision++
		if err := tx.UpdatePort(ctx, p); err != nil {
			return err
		}
	}
	if err := ipam.RemoveSubnet(ctx, tx.Querier(), sn.ID); err != nil {
		return err
	}
	if err := tx.SetTags(ctx, "subnets", sn.ID, nil); err != nil {
		return err
	}
	return tx.DeleteSubnet(ctx, sn.ID)
}
