package floatingips

import (
	"context"
	"errors"
	"math/big"
	"net/netip"
	"slices"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/ipam"
	"github.com/gostack/gostack/internal/network/ports"
	"github.com/gostack/gostack/internal/network/routers"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Create is a create request.
type Create struct {
	ProjectID   string
	NetworkID   string
	SubnetID    string
	Address     *netip.Addr
	PortID      *string
	FixedIP     *netip.Addr
	Description string
	DNSName     string
	DNSDomain   string
}

// Update holds what a PUT may change. SetPort says the body
// named port_id: PortID nil then disassociates.
type Update struct {
	Description *string
	SetPort     bool
	PortID      *string
	FixedIP     *netip.Addr
	Revision    *int64
}

// fipBadRequest is Neutron's BadRequest(resource='floatingip').
func fipBadRequest(format string, args ...any) *apierr.Error {
	return apierr.BadRequest("Bad floatingip request: "+format+".", args...).WithType("BadRequest")
}

// CreateFloatingIP allocates a floating IP on an external network and,
// when asked, associates it with a port.
func (s *Service) CreateFloatingIP(ctx context.Context, sc network.Scope, c Create) (*network.FloatingIP, error) {
	if c.FixedIP != nil && c.PortID == nil {
		return nil, fipBadRequest("fixed_ip_address cannot be specified without a port_id")
	}
	limit, err := s.net.Limit(ctx, c.ProjectID, "floatingip")
	if err != nil {
		return nil, err
	}
	now := db.Now()
	f := &network.FloatingIP{
		Std:       network.Std{ID: uuid.NewString(), ProjectID: c.ProjectID, Description: c.Description, CreatedAt: now, UpdatedAt: now},
		NetworkID: c.NetworkID,
		Status:    "DOWN",
		DNSName:   c.DNSName,
		DNSDomain: c.DNSDomain,
	}
	var changed []*network.Port
	err = s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if err := s.net.CheckQuota(ctx, tx, f.ProjectID, "floatingip", 1, limit); err != nil {
			return err
		}
		n, err := s.net.VisibleNetwork(ctx, tx, sc, c.NetworkID)
		if err != nil {
			return err
		}
		if !n.External {
			return fipBadRequest("Network %s is not a valid external network", n.ID)
		}
		req, err := s.floatingAddress(ctx, tx, n.ID, c.SubnetID, c.Address)
		if err != nil {
			return err
		}
		// Neutron gives a floating IP's port no project, as a gateway's.
		p, err := ports.New(s.net).AddPort(ctx, tx, ports.Create{NetworkID: n.ID, DeviceID: f.ID, DeviceOwner: network.OwnerFloatingIP, FixedIPs: []network.FixedIPRequest{req}})
		if err != nil {
			return err
		}
		i := slices.IndexFunc(p.FixedIPs, func(ip network.FixedIP) bool { return ip.IP.Is4() })
		if i < 0 {
			return apierr.BadRequest("Unable to find any IP address on external network %s.", n.ID).WithType("ExternalIpAddressExhausted")
		}
		f.FloatingPortID, f.Address, f.SubnetID = p.ID, p.FixedIPs[i].IP, p.FixedIPs[i].SubnetID
		if c.PortID != nil {
			if err := s.associate(ctx, tx, sc, f, *c.PortID, c.FixedIP); err != nil {
				return err
			}
			if changed, err = s.serverPorts(ctx, tx, c.PortID); err != nil {
				return err
			}
		}
		if err := tx.InsertFloatingIP(ctx, f); err != nil {
			if errors.Is(err, apierr.ErrDuplicate) {
				// A concurrent association won the race that associate's
				// check could not see; on PostgreSQL the transaction can
				// run no further statement, so the answer is built here.
				return associatedConflict(f)
			}
			return err
		}
		return s.fillFloatingIPs(ctx, tx, []*network.FloatingIP{f})
	})
	if err != nil {
		return nil, err
	}
	s.net.Notify(ctx, "network-changed", changed...)
	f.Tags = []string{}
	return f, nil
}

// floatingAddress is the address request of a new floating IP's port:
// the address asked for (on the subnet holding it), or any address of
// the subnet asked for, or any address of the first IPv4 subnet of the
// network with one free. A floating IP is an IPv4 address.
func (s *Service) floatingAddress(ctx context.Context, tx network.Tx, netID, subnet string, addr *netip.Addr) (network.FixedIPRequest, error) {
	subs, err := tx.ListSubnets(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"network_id": {netID}}})
	if err != nil {
		return network.FixedIPRequest{}, err
	}
	subs = slices.DeleteFunc(subs, func(sn *network.Subnet) bool { return sn.IPVersion != 4 })
	slices.SortFunc(subs, func(a, b *network.Subnet) int { return a.CreatedAt.Compare(b.CreatedAt) })
	if subnet != "" {
		i := slices.IndexFunc(subs, func(sn *network.Subnet) bool { return sn.ID == subnet })
		if i < 0 {
			if _, err := tx.GetSubnet(ctx, subnet); errors.Is(err, apierr.ErrNotFound) {
				return network.FixedIPRequest{}, network.NotFound("Subnet", subnet)
			}
			return network.FixedIPRequest{}, fipBadRequest("Subnet %s is not an IPv4 subnet of network %s", subnet, netID)
		}
		req := network.FixedIPRequest{SubnetID: subnet}
		if addr != nil {
			req.IP = *addr
		}
		return req, nil
	}
	if addr != nil {
		for _, sn := range subs {
			if sn.CIDR.Contains(*addr) {
				return network.FixedIPRequest{SubnetID: sn.ID, IP: *addr}, nil
			}
		}
		return network.FixedIPRequest{}, apierr.BadRequest("IP address %s is not a valid IP for any of the subnets on the specified network.", addr).WithType("InvalidIpForNetwork")
	}
	for _, sn := range subs {
		free, err := ipam.Available(ctx, tx.Querier(), sn.ID)
		if err != nil {
			return network.FixedIPRequest{}, err
		}
		if free.Cmp(big.NewInt(0)) > 0 {
			return network.FixedIPRequest{SubnetID: sn.ID}, nil
		}
	}
	return network.FixedIPRequest{}, apierr.BadRequest("Unable to find any IP address on external network %s.", netID).WithType("ExternalIpAddressExhausted")
}

// associate points f at a fixed address of port (the port's one IPv4
// address when fixed is nil), through the router that connects the
// port's subnet with f's external network.
func (s *Service) associate(ctx context.Context, tx network.Tx, sc network.Scope, f *network.FloatingIP, portID string, fixed *netip.Addr) error {
	p, err := s.net.VisiblePort(ctx, tx, sc, portID)
	if err != nil {
		return err
	}
	if p.ProjectID != f.ProjectID && !sc.Admin {
		return fipBadRequest("Cannot process floating IP association with Port %s, since that port is owned by a different tenant", p.ID)
	}
	var ip network.FixedIP
	if fixed != nil {
		if !fixed.Is4() {
			return fipBadRequest("Cannot process floating IP association with %s, since that is not an IPv4 address", fixed)
		}
		i := slices.IndexFunc(p.FixedIPs, func(x network.FixedIP) bool { return x.IP == *fixed })
		if i < 0 {
			return fipBadRequest("Port %s does not have fixed ip %s", p.ID, fixed)
		}
		ip = p.FixedIPs[i]
	} else {
		var v4 []network.FixedIP
		for _, x := range p.FixedIPs {
			if x.IP.Is4() {
				v4 = append(v4, x)
			}
		}
		switch len(v4) {
		case 0:
			return fipBadRequest("Cannot add floating IP to port %s that has no fixed IPv4 addresses", p.ID)
		case 1:
			ip = v4[0]
		default:
			return fipBadRequest("Port %s has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP", p.ID)
		}
	}
	if len(f.PortForwardings) > 0 {
		return network.Conflict("FipInUseByPortForwarding", "Floating IP %s in use by Port Forwarding resources.", f.ID)
	}
	sn, err := tx.GetSubnet(ctx, ip.SubnetID)
	if err != nil {
		return err
	}
	router, err := routers.New(s.net).RouterFor(ctx, tx, p, sn, f.NetworkID)
	if err != nil {
		return err
	}
	f.PortID, f.FixedIP, f.RouterID = &p.ID, &ip.IP, &router
	f.Status = "ACTIVE"
	return s.alreadyAssociated(ctx, tx, f)
}

// alreadyAssociated refuses f's association when another floating IP of
// its network has the same fixed address: Neutron's
// FloatingIPPortAlreadyAssociated (409). It answers nil when none has.
func (s *Service) alreadyAssociated(ctx context.Context, tx network.Tx, f *network.FloatingIP) error {
	if f.PortID == nil {
		return nil
	}
	others, err := tx.ListFloatingIPs(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{
		"port_id": {*f.PortID}, "floating_network_id": {f.NetworkID}}})
	if err != nil {
		return err
	}
	for _, o := range others {
		if o.ID != f.ID && o.FixedIP != nil && *o.FixedIP == *f.FixedIP {
			return associatedConflict(f)
		}
	}
	return nil
}

// associatedConflict is Neutron's FloatingIPPortAlreadyAssociated for f.
func associatedConflict(f *network.FloatingIP) error {
	return network.Conflict("FloatingIPPortAlreadyAssociated", "Cannot associate floating IP %s (%s) with port %s using fixed IP %s, as that fixed IP already has a floating IP on external network %s.",
		f.Address, f.ID, *f.PortID, f.FixedIP, f.NetworkID)
}

// disassociate clears f's association; a floating IP with port
// forwardings stays with its router.
func disassociate(f *network.FloatingIP) {
	f.PortID, f.FixedIP, f.PortDetails = nil, nil, nil
	if len(f.PortForwardings) == 0 {
		f.RouterID = nil
		f.Status = "DOWN"
	}
}

// visibleFloatingIP reads a floating IP of the scope (404 otherwise).
func (s *Service) visibleFloatingIP(ctx context.Context, tx network.Tx, sc network.Scope, id string) (*network.FloatingIP, error) {
	f, err := tx.GetFloatingIP(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(f.ProjectID)) {
		return nil, network.NotFound("Floating IP", id).WithType("FloatingIPNotFound")
	}
	if err != nil {
		return nil, err
	}
	return f, s.fillFloatingIPs(ctx, tx, []*network.FloatingIP{f})
}

// fillFloatingIPs reads the associated ports of fs (fip-port-details).
func (s *Service) fillFloatingIPs(ctx context.Context, tx network.Tx, fs []*network.FloatingIP) error {
	var ids []string
	for _, f := range fs {
		if f.PortID != nil {
			ids = append(ids, *f.PortID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ports, err := tx.ListPorts(ctx, network.Filter{Scope: network.Scope{Admin: true}, IDs: ids})
	if err != nil {
		return err
	}
	for _, f := range fs {
		if f.PortID == nil {
			continue
		}
		if i := slices.IndexFunc(ports, func(p *network.Port) bool { return p.ID == *f.PortID }); i >= 0 {
			f.PortDetails = ports[i]
		}
	}
	return nil
}

// GetFloatingIP returns a floating IP the scope sees.
func (s *Service) GetFloatingIP(ctx context.Context, sc network.Scope, id string) (*network.FloatingIP, error) {
	var f *network.FloatingIP
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		f, err = s.visibleFloatingIP(ctx, tx, sc, id)
		return err
	})
	return f, err
}

// ListFloatingIPs lists the floating IPs the scope sees, narrowed by f.
func (s *Service) ListFloatingIPs(ctx context.Context, f network.Filter) ([]*network.FloatingIP, error) {
	var fs []*network.FloatingIP
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if fs, err = tx.ListFloatingIPs(ctx, f); err != nil {
			return err
		}
		return s.fillFloatingIPs(ctx, tx, fs)
	})
	return fs, err
}

// UpdateFloatingIP changes a floating IP's description and association.
func (s *Service) UpdateFloatingIP(ctx context.Context, sc network.Scope, id string, u Update) (*network.FloatingIP, error) {
	if u.FixedIP != nil && (!u.SetPort || u.PortID == nil) {
		return nil, fipBadRequest("fixed_ip_address cannot be specified without a port_id")
	}
	var f *network.FloatingIP
	var changed []*network.Port
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if f, err = s.visibleFloatingIP(ctx, tx, sc, id); err != nil {
			return err
		}
		if err := network.CheckRevision(u.Revision, f.Revision); err != nil {
			return err
		}
		network.Set(&f.Description, u.Description)
		if u.SetPort {
			if changed, err = s.serverPorts(ctx, tx, f.PortID, u.PortID); err != nil {
				return err
			}
			disassociate(f)
			if u.PortID != nil {
				if err := s.associate(ctx, tx, sc, f, *u.PortID, u.FixedIP); err != nil {
					return err
				}
			}
		}
		f.UpdatedAt = db.Now()
		f.Revision++
		if err := tx.UpdateFloatingIP(ctx, f); err != nil {
			if errors.Is(err, apierr.ErrDuplicate) {
				return associatedConflict(f)
			}
			return err
		}
		return s.fillFloatingIPs(ctx, tx, []*network.FloatingIP{f})
	})
	if err == nil {
		s.net.Notify(ctx, "network-changed", changed...)
	}
	return f, err
}

// serverPorts reads the ports a floating IP change touches, for the
// network-changed events compute gets once it commits.
func (s *Service) serverPorts(ctx context.Context, tx network.Tx, ids ...*string) ([]*network.Port, error) {
	var out []*network.Port
	for _, id := range ids {
		if id == nil || *id == "" {
			continue
		}
		p, err := tx.GetPort(ctx, *id)
		if errors.Is(err, apierr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// DeleteFloatingIP releases a floating IP: its port forwardings, its
// row and its port.
func (s *Service) DeleteFloatingIP(ctx context.Context, sc network.Scope, id string) error {
	var changed []*network.Port
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		f, err := s.visibleFloatingIP(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if changed, err = s.serverPorts(ctx, tx, f.PortID); err != nil {
			return err
		}
		return s.removeFloatingIP(ctx, tx, f)
	})
	if err == nil {
		s.net.Notify(ctx, "network-changed", changed...)
	}
	return err
}

func (s *Service) removeFloatingIP(ctx context.Context, tx network.Tx, f *network.FloatingIP) error {
	if err := tx.SetTags(ctx, "floatingips", f.ID, nil); err != nil {
		return err
	}
	if err := tx.DeleteFloatingIP(ctx, f.ID); err != nil {
		return err
	}
	p, err := tx.GetPort(ctx, f.FloatingPortID)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return ports.New(s.net).RemovePort(ctx, tx, p)
}

// PortDeleted is the L3 side of a port's deletion, inside the deleting
// transaction: the floating IPs associated with the port are
// disassociated, and the port forwardings to it deleted.
func (s *Service) PortDeleted(ctx context.Context, tx network.Tx, portID string) error {
	pfs, err := tx.PortForwardingsTo(ctx, portID)
	if err != nil {
		return err
	}
	touched := map[string]bool{}
	for _, pf := range pfs {
		if err := tx.DeletePortForwarding(ctx, pf.ID); err != nil {
			return err
		}
		touched[pf.FloatingIPID] = true
	}
	fips, err := tx.ListFloatingIPs(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"port_id": {portID}}})
	if err != nil {
		return err
	}
	for _, f := range fips {
		touched[f.ID] = true
	}
	for id := range touched {
		f, err := tx.GetFloatingIP(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if f.PortID != nil && *f.PortID == portID {
			disassociate(f)
		}
		if f.PortID == nil && len(f.PortForwardings) == 0 {
			f.RouterID, f.Status = nil, "DOWN"
		}
		f.UpdatedAt = db.Now()
		f.Revision++
		if err := tx.UpdateFloatingIP(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// NetworkDeleting is the L3 side of an external network's deletion,
// inside the deleting transaction: its floating IPs go with it, as
// Neutron deletes them (an associated one keeps a router gateway on the
// network, whose port keeps the network in use).
func (s *Service) NetworkDeleting(ctx context.Context, tx network.Tx, networkID string) error {
	fips, err := tx.ListFloatingIPs(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"floating_network_id": {networkID}}})
	if err != nil {
		return err
	}
	for _, f := range fips {
		if err := s.removeFloatingIP(ctx, tx, f); err != nil {
			return err
		}
	}
	return nil
}

// Pool is a subnet floating IPs may come from
// (floatingip-pools): an IPv4 subnet of an external network.
type Pool struct {
	SubnetID   string
	SubnetName string
	NetworkID  string
	ProjectID  string
	CIDR       netip.Prefix
}

// FloatingIPPools lists the IPv4 subnets of the external networks.
func (s *Service) FloatingIPPools(ctx context.Context) ([]Pool, error) {
	var out []Pool
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		nets, err := tx.ListNetworks(ctx, network.Filter{Scope: network.Scope{Admin: true}})
		if err != nil {
			return err
		}
		var ext []string
		for _, n := range nets {
			if n.External {
				ext = append(ext, n.ID)
			}
		}
		if len(ext) == 0 {
			return nil
		}
		subs, err := tx.ListSubnets(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"network_id": ext}})
		if err != nil {
			return err
		}
		for _, sn := range subs {
			if sn.IPVersion == 4 {
				out = append(out, Pool{SubnetID: sn.ID, SubnetName: sn.Name, NetworkID: sn.NetworkID, ProjectID: sn.ProjectID, CIDR: sn.CIDR})
			}
		}
		return nil
	})
	return out, err
}
