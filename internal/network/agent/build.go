package agent

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// snapshot is everything the agent reads from the database in one
// reconciliation, in one read transaction so that it is consistent.
type snapshot struct {
	networks []*network.Network
	subnets  []*network.Subnet
	ports    []*network.Port
	routers  []*network.Router
	fips     []*network.FloatingIP
	groups   []*network.SecurityGroup
	agents   []*network.Agent
	dhcp     []network.DHCPBinding
}

// read takes the snapshot.
func read(ctx context.Context, st network.Store) (*snapshot, error) {
	s := &snapshot{}
	all := network.Filter{Scope: network.Scope{Admin: true}}
	err := st.View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if s.networks, err = tx.ListNetworks(ctx, all); err != nil {
			return err
		}
		if s.subnets, err = tx.ListSubnets(ctx, all); err != nil {
			return err
		}
		if s.ports, err = tx.ListPorts(ctx, all); err != nil {
			return err
		}
		if s.routers, err = tx.ListRouters(ctx, all); err != nil {
			return err
		}
		if s.fips, err = tx.ListFloatingIPs(ctx, all); err != nil {
			return err
		}
		if s.groups, err = tx.ListSecurityGroups(ctx, all); err != nil {
			return err
		}
		if s.agents, err = tx.ListAgents(ctx); err != nil {
			return err
		}
		s.dhcp, err = tx.DHCPBindings(ctx, "", "")
		return err
	})
	return s, err
}

// wired reports whether this host wires port p: a server's (or any)
// port bound here, the DHCP ports of the networks it serves, the
// interfaces and gateways of the routers it runs.
func (c *Config) wired(p *network.Port) bool {
	switch {
	case p.DeviceOwner == network.OwnerFloatingIP:
		return false
	case p.DeviceOwner == network.OwnerDHCP:
		return c.DHCP && c.ownsDHCP(p)
	case network.IsRouterPort(p.DeviceOwner) || p.DeviceOwner == network.OwnerRouterGateway:
		return c.L3
	}
	return p.HostID == c.Host || slices.Contains(c.Aliases, p.HostID)
}

// ownsDHCP reports whether DHCP port p is this host's DHCP agent's:
// bound here, or to no host (made before ports were bound).
func (c *Config) ownsDHCP(p *network.Port) bool { return p.HostID == "" || p.HostID == c.Host }

// build turns a snapshot into the host's desired state.
func build(s *snapshot, c *Config) *state.Host {
	h := &state.Host{
		Name: c.Host, TunnelIP: c.TunnelIP,
		Networks: map[string]*state.Network{}, Ports: map[string]*state.Port{},
		DHCP: map[string]*state.DHCP{}, Routers: map[string]*state.Router{}, Groups: map[string]*state.Group{},
		Bridges: c.Bridges, Interfaces: c.Interfaces,
	}
	nets := map[string]*network.Network{}
	for _, n := range s.networks {
		nets[n.ID] = n
	}
	subnets := map[string]*state.Subnet{}
	byNet := map[string][]*state.Subnet{}
	for _, sn := range s.subnets {
		st := &state.Subnet{ID: sn.ID, IPVersion: sn.IPVersion, CIDR: sn.CIDR, EnableDHCP: sn.EnableDHCP}
		if sn.GatewayIP != nil {
			st.Gateway = *sn.GatewayIP
		}
		for _, d := range sn.DNSNameservers {
			if a, err := netip.ParseAddr(d); err == nil {
				st.DNS = append(st.DNS, a)
			}
		}
		for _, r := range sn.HostRoutes {
			st.HostRoutes = append(st.HostRoutes, state.Route{Destination: r.Destination, NextHop: r.NextHop})
		}
		subnets[sn.ID] = st
		byNet[sn.NetworkID] = append(byNet[sn.NetworkID], st)
	}
	addNet := func(id string) *state.Network {
		if n, ok := h.Networks[id]; ok {
			return n
		}
		n, ok := nets[id]
		if !ok {
			return nil
		}
		sn := &state.Network{ID: n.ID, ProjectID: n.ProjectID, Type: n.NetworkType, MTU: n.MTU, External: n.External,
			Subnets: byNet[n.ID], Remotes: map[netip.Addr][]net.HardwareAddr{}}
		if n.Physnet != nil {
			sn.Physnet = *n.Physnet
		}
		if n.SegmentID != nil {
			sn.SegmentID = *n.SegmentID
		}
		h.Networks[id] = sn
		return sn
	}

	ports := map[string]*network.Port{}
	for _, p := range s.ports {
		ports[p.ID] = p
	}
	routerUp := map[string]bool{}
	for _, r := range s.routers {
		routerUp[r.ID] = r.AdminStateUp
	}
	for _, p := range s.ports {
		if !c.wired(p) || nets[p.NetworkID] == nil {
			continue
		}
		if (network.IsRouterPort(p.DeviceOwner) || p.DeviceOwner == network.OwnerRouterGateway) && !routerUp[p.DeviceID] {
			continue
		}
		n := addNet(p.NetworkID)
		h.Ports[p.ID] = statePort(p, n, c.DNSDomain)
	}

	// DHCP servers: one per network whose DHCP port this host wires.
	for _, p := range h.Ports {
		if p.DeviceOwner != network.OwnerDHCP {
			continue
		}
		n := h.Networks[p.NetworkID]
		d := &state.DHCP{NetworkID: n.ID, Port: p, DNSDomain: c.DNSDomain, MTU: n.MTU}
		for _, sn := range n.Subnets {
			if sn.EnableDHCP && sn.IPVersion == 4 {
				d.Subnets = append(d.Subnets, sn)
			}
		}
		for _, q := range s.ports {
			if q.NetworkID != n.ID || q.ID == p.ID || q.DeviceOwner == network.OwnerDHCP {
				continue
			}
			qs := statePort(q, n, c.DNSDomain)
			for _, ip := range q.FixedIPs {
				sn := subnets[ip.SubnetID]
				if sn == nil || !sn.EnableDHCP || sn.IPVersion != 4 {
					continue
				}
				d.Leases = append(d.Leases, state.Lease{PortID: q.ID, MAC: qs.MAC, IP: ip.IP, SubnetID: ip.SubnetID,
					Hostname: qs.Hostname, Extra: qs.ExtraDHCP, DeviceID: q.DeviceID, ProjectID: q.ProjectID})
			}
		}
		h.DHCP[n.ID] = d
	}

	// Routers: the ones with a wired leg.
	fipsOf := map[string][]*network.FloatingIP{}
	for _, f := range s.fips {
		if f.RouterID != nil {
			fipsOf[*f.RouterID] = append(fipsOf[*f.RouterID], f)
		}
	}
	for _, r := range s.routers {
		if !c.L3 || !r.AdminStateUp {
			continue
		}
		sr := &state.Router{ID: r.ID}
		for _, p := range s.ports {
			if p.DeviceID != r.ID || h.Ports[p.ID] == nil {
				continue
			}
			switch {
			case network.IsRouterPort(p.DeviceOwner):
				sr.Interfaces = append(sr.Interfaces, h.Ports[p.ID])
				for _, ip := range p.FixedIPs {
					if sn := subnets[ip.SubnetID]; sn != nil && sn.IPVersion == 4 {
						sr.SNATSubnets = append(sr.SNATSubnets, sn.CIDR)
					}
				}
			case p.DeviceOwner == network.OwnerRouterGateway:
				sr.Gateway = h.Ports[p.ID]
				for _, ip := range p.FixedIPs {
					if sn := subnets[ip.SubnetID]; sn != nil && sn.IPVersion == 4 && sn.Gateway.IsValid() {
						sr.GatewayNextHop = sn.Gateway
					}
				}
			}
		}
		if len(sr.Interfaces) == 0 && sr.Gateway == nil {
			continue
		}
		if r.Gateway != nil {
			sr.EnableSNAT = r.Gateway.EnableSNAT
		}
		for _, rt := range r.Routes {
			sr.Routes = append(sr.Routes, state.Route{Destination: rt.Destination, NextHop: rt.NextHop})
		}
		for _, f := range fipsOf[r.ID] {
			if f.FixedIP != nil && f.PortID != nil {
				sr.FloatingIPs = append(sr.FloatingIPs, state.FloatingIP{ID: f.ID, Address: f.Address, Fixed: *f.FixedIP})
			}
			for _, pf := range f.PortForwardings {
				sr.Forwardings = append(sr.Forwardings, state.Forwarding{ID: pf.ID, Protocol: pf.Protocol, Address: f.Address,
					ExternalPort: pf.ExternalPort, InternalIP: pf.InternalIP, InternalPort: pf.InternalPort})
			}
		}
		h.Routers[r.ID] = sr
	}

	// Security groups of the ports here, with every member's addresses.
	members := map[string][]netip.Addr{}
	for _, p := range s.ports {
		for _, g := range p.SecurityGroups {
			for _, ip := range p.FixedIPs {
				members[g] = append(members[g], ip.IP)
			}
			for _, ap := range p.AddressPairs {
				if pf, err := parsePrefix(ap.IP); err == nil && pf.IsSingleIP() {
					members[g] = append(members[g], pf.Addr())
				}
			}
		}
	}
	want := map[string]bool{}
	for _, p := range h.Ports {
		for _, g := range p.Groups {
			want[g] = true
		}
	}
	for _, g := range s.groups {
		if !want[g.ID] {
			continue
		}
		sg := &state.Group{ID: g.ID, Stateful: g.Stateful, Members: members[g.ID]}
		slices.SortFunc(sg.Members, func(a, b netip.Addr) int { return a.Compare(b) })
		sg.Members = slices.Compact(sg.Members)
		for _, r := range g.Rules {
			sg.Rules = append(sg.Rules, stateRule(r))
		}
		h.Groups[g.ID] = sg
	}

	// l2population: the other hosts' endpoints and MACs on the VXLAN
	// networks here.
	tunnels := map[string]netip.Addr{}
	for _, a := range s.agents {
		if a.Type != AgentType || a.Host == c.Host || slices.Contains(c.Aliases, a.Host) {
			continue
		}
		if ip, ok := a.Configuration["tunneling_ip"].(string); ok {
			if addr, err := netip.ParseAddr(ip); err == nil {
				tunnels[a.Host] = addr
			}
		}
	}
	for _, p := range s.ports {
		n := h.Networks[p.NetworkID]
		if n == nil || n.Type != "vxlan" || h.Ports[p.ID] != nil {
			continue
		}
		host := p.HostID
		if host == "" {
			continue
		}
		vtep, ok := tunnels[host]
		if !ok {
			continue
		}
		if mac, err := net.ParseMAC(p.MAC); err == nil {
			n.Remotes[vtep] = append(n.Remotes[vtep], mac)
		}
	}
	return h
}

// statePort is a port as the realizers want it.
func statePort(p *network.Port, n *state.Network, domain string) *state.Port {
	sp := &state.Port{ID: p.ID, NetworkID: p.NetworkID, ProjectID: p.ProjectID, DeviceOwner: p.DeviceOwner,
		DeviceID: p.DeviceID, AdminUp: p.AdminStateUp, Status: p.Status, PortSecurity: p.PortSecurity,
		Groups: p.SecurityGroups}
	if n != nil {
		sp.MTU = n.MTU
	}
	sp.MAC, _ = net.ParseMAC(p.MAC)
	for _, ip := range p.FixedIPs {
		sp.IPs = append(sp.IPs, state.FixedIP{SubnetID: ip.SubnetID, IP: ip.IP})
	}
	for _, ap := range p.AddressPairs {
		pf, err := parsePrefix(ap.IP)
		if err != nil {
			continue
		}
		pair := state.AddressPair{Prefix: pf}
		if ap.MAC != "" {
			pair.MAC, _ = net.ParseMAC(ap.MAC)
		}
		sp.AddressPairs = append(sp.AddressPairs, pair)
	}
	for _, o := range p.ExtraDHCPOpts {
		sp.ExtraDHCP = append(sp.ExtraDHCP, state.DHCPOpt{Name: o.Name, Value: o.Value, IPVersion: o.IPVersion})
	}
	sp.Hostname = p.DNSName
	if sp.Hostname == "" && len(p.FixedIPs) > 0 {
		// Neutron's default host name: host-<address with dashes>.
		sp.Hostname = "host-" + strings.NewReplacer(".", "-", ":", "-").Replace(p.FixedIPs[0].IP.String())
	}
	return sp
}

// stateRule is a rule as the firewall wants it.
func stateRule(r *network.Rule) state.Rule {
	sr := state.Rule{ID: r.ID, Direction: r.Direction, Ethertype: r.Ethertype, Protocol: -1, PortMin: state.Any, PortMax: state.Any}
	if n, ok := network.ProtocolNumber(r.Protocol); ok {
		sr.Protocol = n
	}
	if r.PortMin != nil {
		sr.PortMin = int(*r.PortMin)
	}
	if r.PortMax != nil {
		sr.PortMax = int(*r.PortMax)
	}
	if r.RemoteIPPrefix != nil {
		if pf, err := parsePrefix(*r.RemoteIPPrefix); err == nil {
			sr.RemotePrefix = pf
		}
	}
	if r.RemoteGroupID != nil {
		sr.RemoteGroup = *r.RemoteGroupID
	}
	return sr
}

// parsePrefix reads an address or a CIDR.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pf, err := netip.ParsePrefix(s)
		return pf.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
