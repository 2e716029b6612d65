package netinfo

import (
	"context"
	"net/netip"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/nwinfo"
	"github.com/gostack/gostack/internal/network/client"
)

// info builds the network info cache of ports: each port's network name
// and MTU, its addresses with their subnets and the floating IPs mapped
// to them. The VIFs keep the Preserve flag and tag the instance's cache
// or request gave them.
func (s *Service) info(ctx context.Context, tok string, inst *compute.Instance, ports []client.Port) (nwinfo.Info, error) {
	old := nwinfo.Of(inst.SystemMetadata)
	keep := given(inst)
	tags := map[string]string{}
	for _, e := range inst.Networks.Entries {
		if e.Port != "" && e.Tag != "" {
			tags[e.Port] = e.Tag
		}
	}
	nets := map[string]*client.Network{}
	subnets := map[string]client.Subnet{}
	out := nwinfo.Info{}
	for _, p := range ports {
		n, ok := nets[p.NetworkID]
		if !ok {
			var err error
			n, err = s.n.GetNetwork(ctx, tok, p.NetworkID)
			if err != nil && !notFound(err) {
				return nil, unavailable(err)
			}
			nets[p.NetworkID] = n
		}
		v := nwinfo.VIF{PortID: p.ID, NetworkID: p.NetworkID, MAC: p.MAC, Status: p.Status, Preserve: keep[p.ID], Tag: tags[p.ID]}
		if prev, ok := old.Find(p.ID); ok {
			v.Preserve = v.Preserve || prev.Preserve
			if prev.Tag != "" {
				v.Tag = prev.Tag
			}
		}
		if n != nil {
			v.NetworkName, v.MTU = n.Name, n.MTU
		}
		var missing []string
		for _, f := range p.FixedIPs {
			if _, ok := subnets[f.SubnetID]; !ok && f.SubnetID != "" && !contains(missing, f.SubnetID) {
				missing = append(missing, f.SubnetID)
			}
		}
		if len(missing) > 0 {
			q := client.Query()
			for _, id := range missing {
				q.Add("id", id)
			}
			l, err := s.n.ListSubnets(ctx, tok, q)
			if err != nil {
				return nil, unavailable(err)
			}
			for _, sn := range l {
				subnets[sn.ID] = sn
			}
		}
		floating := map[string][]string{}
		if fips, err := s.n.ListFloatingIPs(ctx, tok, client.Query("port_id", p.ID)); err == nil {
			for _, f := range fips {
				if f.FixedIPAddress != nil {
					floating[*f.FixedIPAddress] = append(floating[*f.FixedIPAddress], f.FloatingIPAddress)
				}
			}
		} else if !notFound(err) {
			// A service without floating IPs answers 404; anything else is
			// a failure to read the port's state.
			return nil, unavailable(err)
		}
		for _, f := range p.FixedIPs {
			ip := nwinfo.IP{Address: f.IPAddress, Version: version(f.IPAddress), SubnetID: f.SubnetID, Floating: floating[f.IPAddress]}
			v.IPs = append(v.IPs, ip)
			if sn, ok := subnets[f.SubnetID]; ok && !hasSubnet(v.Subnets, sn.ID) {
				v.Subnets = append(v.Subnets, subnet(sn))
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func hasSubnet(l []nwinfo.Subnet, id string) bool {
	for _, s := range l {
		if s.ID == id {
			return true
		}
	}
	return false
}

func subnet(sn client.Subnet) nwinfo.Subnet {
	out := nwinfo.Subnet{ID: sn.ID, CIDR: sn.CIDR, Version: sn.IPVersion, DNS: sn.DNSNameservers,
		DHCP: sn.EnableDHCP, IPv6Mode: sn.IPv6AddressMode}
	if sn.GatewayIP != nil {
		out.Gateway = *sn.GatewayIP
	}
	for _, r := range sn.HostRoutes {
		out.HostRoutes = append(out.HostRoutes, nwinfo.Route{Destination: r.Destination, NextHop: r.NextHop})
	}
	return out
}

// version is an address's IP version (4 or 6).
func version(ip string) int {
	if a, err := netip.ParseAddr(ip); err == nil && a.Is6() && !a.Is4In6() {
		return 6
	}
	return 4
}
