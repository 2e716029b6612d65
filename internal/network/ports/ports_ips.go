package ports

import (
	"cmp"
	"context"
	"errors"
	"net/netip"
	"slices"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/ipam"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// This file is how a port gets and gives back its addresses: Neutron's
// rules for which subnets a port draws from, over ipam.

// ipWant is one address to allocate: IP on Subnet, or (IP zero) the
// lowest free address of Subnet.
type ipWant struct {
	Subnet *network.Subnet
	IP     netip.Addr
}

// serviceSubnets are the subnets a port of owner may draw from: those
// whose service_types name the owner, or, when none does, those without
// service types (Neutron's service subnets).
func serviceSubnets(subs []*network.Subnet, owner string) []*network.Subnet {
	var typed, plain []*network.Subnet
	for _, sn := range subs {
		switch {
		case len(sn.ServiceTypes) == 0:
			plain = append(plain, sn)
		case owner != "" && slices.Contains(sn.ServiceTypes, owner):
			typed = append(typed, sn)
		}
	}
	return append(typed, plain...)
}

// allocateIPs gives new port p its addresses on network netID with
// subnets subs: the requested ones when explicit, else one from the IPv4
// subnets and one from the stateful IPv6 subnets (each family's subnets
// tried in turn); and, unless p is a router interface, its EUI-64 address
// on every automatically addressed subnet.
func (s *Service) allocateIPs(ctx context.Context, tx network.Tx, p *network.Port, netID string, subs []*network.Subnet, reqs []network.FixedIPRequest, explicit bool) ([]network.FixedIP, error) {
	router := network.IsRouterPort(p.DeviceOwner)
	cands := serviceSubnets(subs, p.DeviceOwner)
	var wants []ipWant
	var groups [][]*network.Subnet
	if explicit {
		for _, r := range reqs {
			w, err := resolveIP(ctx, tx, netID, subs, r, router)
			if err != nil {
				return nil, err
			}
			if w.Subnet.AutoAddress() && !router && !w.IP.IsValid() {
				continue // the EUI-64 address below
			}
			wants = append(wants, w)
		}
	} else {
		if len(subs) > 0 && len(cands) == 0 {
			return nil, network.BadRequest("No valid service subnet for the given device owner, network %s, service type %s.", netID, p.DeviceOwner).WithType("IpAddressGenerationFailureNoMatchingSubnet")
		}
		var v4, v6 []*network.Subnet
		for _, sn := range cands {
			switch {
			case sn.IPVersion == 4:
				v4 = append(v4, sn)
			case !sn.AutoAddress():
				v6 = append(v6, sn)
			}
		}
		for _, g := range [][]*network.Subnet{v4, v6} {
			if len(g) > 0 {
				groups = append(groups, g)
			}
		}
	}
	if !router {
		for _, sn := range cands {
			if sn.AutoAddress() {
				wants = append(wants, ipWant{Subnet: sn, IP: EUI64(sn.CIDR, p.MAC)})
			}
		}
	}
	wants = dedupWants(wants)
	out := make([]network.FixedIP, 0, len(wants)+len(groups))
	got, err := allocateWants(ctx, tx, wants)
	if err != nil {
		return nil, err
	}
	out = append(out, got...)
	for _, g := range groups {
		ip, err := allocateAny(ctx, tx, netID, g)
		if err != nil {
			return nil, err
		}
		out = append(out, ip)
	}
	sortIPs(out)
	return out, nil
}

// dedupWants drops a second request of the same address (a subnet's
// EUI-64 address asked for explicitly and implicitly).
func dedupWants(ws []ipWant) []ipWant {
	var out []ipWant
	for _, w := range ws {
		if w.IP.IsValid() && slices.ContainsFunc(out, func(o ipWant) bool { return o.Subnet.ID == w.Subnet.ID && o.IP == w.IP }) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// allocateWants allocates specific addresses and one-per-subnet requests,
// visiting subnets in id order as ipam asks of writers of several.
func allocateWants(ctx context.Context, tx network.Tx, wants []ipWant) ([]network.FixedIP, error) {
	order := slices.Clone(wants)
	slices.SortStableFunc(order, func(a, b ipWant) int { return cmp.Compare(a.Subnet.ID, b.Subnet.ID) })
	out := make([]network.FixedIP, 0, len(order))
	for _, w := range order {
		ip, err := ipam.Allocate(ctx, tx.Querier(), w.Subnet.ID, w.IP)
		if err != nil {
			if !w.IP.IsValid() && apierr.IsType(err, ipam.TypeGenerationFailure) {
				return nil, ipam.NoMoreAddresses(w.Subnet.NetworkID)
			}
			return nil, err
		}
		out = append(out, network.FixedIP{SubnetID: w.Subnet.ID, IP: ip})
	}
	return out, nil
}

// allocateAny takes the lowest free address of the first subnet of g
// that has one: Neutron's "No more IP addresses available on network"
// when none does.
func allocateAny(ctx context.Context, tx network.Tx, netID string, g []*network.Subnet) (network.FixedIP, error) {
	for _, sn := range g {
		ip, err := ipam.Allocate(ctx, tx.Querier(), sn.ID, netip.Addr{})
		if apierr.IsType(err, ipam.TypeGenerationFailure) {
			continue
		}
		if err != nil {
			return network.FixedIP{}, err
		}
		return network.FixedIP{SubnetID: sn.ID, IP: ip}, nil
	}
	return network.FixedIP{}, ipam.NoMoreAddresses(netID)
}

// resolveIP finds the subnet of a fixed IP request among the network's
// subnets and checks the address against Neutron's rules.
func resolveIP(ctx context.Context, tx network.Tx, netID string, subs []*network.Subnet, r network.FixedIPRequest, router bool) (ipWant, error) {
	var sn *network.Subnet
	switch {
	case r.SubnetID != "":
		i := slices.IndexFunc(subs, func(x *network.Subnet) bool { return x.ID == r.SubnetID })
		if i < 0 {
			if _, err := tx.GetSubnet(ctx, r.SubnetID); errors.Is(err, apierr.ErrNotFound) {
				return ipWant{}, network.NotFound("Subnet", r.SubnetID)
			} else if err != nil {
				return ipWant{}, err
			}
			return ipWant{}, network.InvalidInput("Failed to create port on network %s, because fixed_ips included invalid subnet %s", netID, r.SubnetID)
		}
		sn = subs[i]
		if r.IP.IsValid() && !sn.CIDR.Contains(r.IP) {
			return ipWant{}, invalidIPForSubnet(r.IP)
		}
	case r.IP.IsValid():
		i := slices.IndexFunc(subs, func(x *network.Subnet) bool { return x.CIDR.Contains(r.IP) })
		if i < 0 {
			return ipWant{}, network.BadRequest("IP address %s is not a valid IP for any of the subnets on the specified network.", r.IP).WithType("InvalidIpForNetwork")
		}
		sn = subs[i]
	default:
		return ipWant{}, network.BadRequest("Invalid input for fixed_ips. Reason: Exactly one of subnet_id or ip_address is required.")
	}
	if !r.IP.IsValid() {
		return ipWant{Subnet: sn}, nil
	}
	if sn.AutoAddress() && !router {
		return ipWant{}, network.InvalidInput("IPv6 address %s can not be directly assigned to a port on subnet %s since the subnet is configured for automatic addresses", r.IP, sn.ID)
	}
	if err := checkSubnetIP(sn, r.IP, router); err != nil {
		return ipWant{}, err
	}
	return ipWant{Subnet: sn, IP: r.IP}, nil
}

func invalidIPForSubnet(ip netip.Addr) *apierr.Error {
	return network.BadRequest("IP address %s is not a valid IP for the specified subnet.", ip).WithType("InvalidIpForSubnet")
}

// checkSubnetIP refuses the addresses of a subnet no port may have: the
// network address (except a router's IPv6 subnet-router anycast one),
// the IPv4 broadcast address, and the gateway to any port but a router
// interface.
func checkSubnetIP(sn *network.Subnet, ip netip.Addr, router bool) error {
	p := sn.CIDR.Masked()
	if ip == p.Addr() && (sn.IPVersion == 4 && p.Bits() < 31 || sn.IPVersion == 6 && !router) {
		return invalidIPForSubnet(ip)
	}
	if sn.IPVersion == 4 && p.Bits() < 31 && ip == network.LastAddr(p) {
		return invalidIPForSubnet(ip)
	}
	if !router && sn.GatewayIP != nil && *sn.GatewayIP == ip {
		return network.Conflict("IpAddressInUse", "Unable to complete operation for network %s. The IP address %s is in use.", sn.NetworkID, ip)
	}
	return nil
}

// reallocateIPs applies an update's fixed_ips to p, as Neutron does: an
// address asked for again is kept, a subnet asked for keeps one of the
// port's addresses on it, other addresses are released (but not the
// EUI-64 ones of automatic subnets, unless p is a router interface), and
// what is new is allocated.
func (s *Service) reallocateIPs(ctx context.Context, tx network.Tx, p *network.Port, reqs []network.FixedIPRequest) error {
	subs, err := tx.ListSubnets(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"network_id": {p.NetworkID}}})
	if err != nil {
		return err
	}
	router := network.IsRouterPort(p.DeviceOwner)
	var wants []ipWant
	for _, r := range reqs {
		w, err := resolveIPUpdate(ctx, tx, p, subs, r, router)
		if err != nil {
			return err
		}
		wants = append(wants, w)
	}
	orig := slices.Clone(p.FixedIPs)
	var keep []network.FixedIP
	var add []ipWant
	claim := func(match func(network.FixedIP) bool) bool {
		i := slices.IndexFunc(orig, match)
		if i < 0 {
			return false
		}
		keep = append(keep, orig[i])
		orig = slices.Delete(orig, i, i+1)
		return true
	}
	for _, w := range wants {
		if w.IP.IsValid() && !claim(func(f network.FixedIP) bool { return f.IP == w.IP && f.SubnetID == w.Subnet.ID }) {
			add = append(add, w)
		}
	}
	for _, w := range wants {
		if !w.IP.IsValid() && !claim(func(f network.FixedIP) bool { return f.SubnetID == w.Subnet.ID }) {
			if w.Subnet.AutoAddress() && !router {
				w.IP = EUI64(w.Subnet.CIDR, p.MAC)
			}
			add = append(add, w)
		}
	}
	var release []network.FixedIP
	for _, f := range orig {
		i := slices.IndexFunc(subs, func(x *network.Subnet) bool { return x.ID == f.SubnetID })
		if i >= 0 && subs[i].AutoAddress() && !router {
			keep = append(keep, f)
			continue
		}
		release = append(release, f)
	}
	if err := releaseIPs(ctx, tx, release); err != nil {
		return err
	}
	got, err := allocateWants(ctx, tx, dedupWants(add))
	if err != nil {
		return err
	}
	p.FixedIPs = append(keep, got...)
	sortIPs(p.FixedIPs)
	return nil
}

// resolveIPUpdate is resolveIP for an update, whose addresses already
// held by p on an automatic subnet may be named again.
func resolveIPUpdate(ctx context.Context, tx network.Tx, p *network.Port, subs []*network.Subnet, r network.FixedIPRequest, router bool) (ipWant, error) {
	if r.IP.IsValid() && slices.ContainsFunc(p.FixedIPs, func(f network.FixedIP) bool {
		return f.IP == r.IP && (r.SubnetID == "" || r.SubnetID == f.SubnetID)
	}) {
		i := slices.IndexFunc(p.FixedIPs, func(f network.FixedIP) bool { return f.IP == r.IP })
		j := slices.IndexFunc(subs, func(x *network.Subnet) bool { return x.ID == p.FixedIPs[i].SubnetID })
		if j >= 0 {
			return ipWant{Subnet: subs[j], IP: r.IP}, nil
		}
	}
	return resolveIP(ctx, tx, p.NetworkID, subs, r, router)
}

// releaseIPs gives addresses back to ipam, subnet by subnet in id order.
func releaseIPs(ctx context.Context, tx network.Tx, ips []network.FixedIP) error {
	order := slices.Clone(ips)
	sortIPs(order)
	for _, f := range order {
		if err := ipam.Release(ctx, tx.Querier(), f.SubnetID, f.IP); err != nil {
			return err
		}
	}
	return nil
}

func sortIPs(ips []network.FixedIP) {
	slices.SortFunc(ips, func(a, b network.FixedIP) int {
		if c := cmp.Compare(a.SubnetID, b.SubnetID); c != 0 {
			return c
		}
		return a.IP.Compare(b.IP)
	})
}

// EUI64 is the SLAAC address of mac on an IPv6 /64: the prefix, then the
// MAC with its universal/local bit flipped and ff:fe in the middle.
func EUI64(prefix netip.Prefix, mac string) netip.Addr {
	b := prefix.Masked().Addr().As16()
	var hw [6]byte
	for i := range hw {
		hw[i] = hexByte(mac[i*3:])
	}
	b[8], b[9], b[10], b[11] = hw[0]^0x02, hw[1], hw[2], 0xff
	b[12], b[13], b[14], b[15] = 0xfe, hw[3], hw[4], hw[5]
	return netip.AddrFrom16(b)
}

// hexByte reads the two hex digits at the start of s (a normalised MAC).
func hexByte(s string) byte {
	v := func(c byte) byte {
		switch {
		case c >= '0' && c <= '9':
			return c - '0'
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10
		}
		return 0
	}
	return v(s[0])<<4 | v(s[1])
}
