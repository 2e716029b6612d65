package dhcp

import (
	"encoding/binary"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/gostack/gostack/internal/network/agent/state"
)

// leaseTime is Neutron's default dhcp_lease_duration.
const leaseTime = 86400 * time.Second

// table is what one network's server answers from; Apply swaps in a new
// one, which the server and the proxy read without locks.
type table struct {
	mtu    int
	domain string
	// subnets are the IPv4 subnets, by id.
	subnets map[string]*state.Subnet
	// serverIP is the DHCP port's address on each IPv4 subnet: the server
	// identifier and the metadata route's next hop.
	serverIP map[string]netip.Addr
	// byMAC holds the IPv4 leases (one per MAC: the first), byIP every
	// lease, for the metadata proxy.
	byMAC map[string]state.Lease
	byIP  map[netip.Addr]state.Lease
}

func newTable(d *state.DHCP) *table {
	t := &table{
		mtu:      d.MTU,
		domain:   strings.TrimSuffix(d.DNSDomain, "."),
		subnets:  map[string]*state.Subnet{},
		serverIP: map[string]netip.Addr{},
		byMAC:    map[string]state.Lease{},
		byIP:     map[netip.Addr]state.Lease{},
	}
	for _, s := range d.Subnets {
		// A subnet with DHCP disabled is not served, as Neutron's dnsmasq
		// gets no range for it.
		if s.CIDR.Addr().Unmap().Is4() && s.EnableDHCP {
			c := *s
			t.subnets[s.ID] = &c
		}
	}
	for _, ip := range d.Port.IPs {
		if a := ip.IP.Unmap(); a.Is4() && t.subnets[ip.SubnetID] != nil {
			if _, ok := t.serverIP[ip.SubnetID]; !ok {
				t.serverIP[ip.SubnetID] = a
			}
		}
	}
	for _, l := range d.Leases {
		l.IP = l.IP.Unmap()
		t.byIP[l.IP] = l
		if !l.IP.Is4() || len(l.MAC) == 0 {
			continue
		}
		if _, ok := t.byMAC[l.MAC.String()]; !ok {
			t.byMAC[l.MAC.String()] = l
		}
	}
	return t
}

// v4 reports whether the network's DHCP port serves IPv4.
func (t *table) v4() bool { return len(t.serverIP) > 0 }

// reply is the answer to req (nil: none) and, for the log, why.
func (t *table) reply(req *dhcpv4.DHCPv4, log *slog.Logger) *dhcpv4.DHCPv4 {
	if req.OpCode != dhcpv4.OpcodeBootRequest {
		return nil
	}
	var typ dhcpv4.MessageType
	switch req.MessageType() {
	case dhcpv4.MessageTypeDiscover:
		typ = dhcpv4.MessageTypeOffer
	case dhcpv4.MessageTypeRequest, dhcpv4.MessageTypeInform:
		typ = dhcpv4.MessageTypeAck
	default:
		// RELEASE and DECLINE change nothing: leases are static.
		return nil
	}
	l, ok := t.byMAC[req.ClientHWAddr.String()]
	if !ok {
		// As Neutron's dnsmasq with static leases only: a MAC without a
		// port on this network gets nothing.
		log.Debug("dhcp: no lease for MAC", "mac", req.ClientHWAddr, "type", req.MessageType())
		return nil
	}
	sub, sid := t.subnets[l.SubnetID], t.serverIP[l.SubnetID]
	if sub == nil || !sid.IsValid() {
		log.Debug("dhcp: lease on a subnet the DHCP port has no address on", "mac", req.ClientHWAddr, "subnet", l.SubnetID)
		return nil
	}
	if req.MessageType() == dhcpv4.MessageTypeRequest {
		if s := req.ServerIdentifier(); s != nil && !s.Equal(sid.AsSlice()) {
			// The client took another server's offer.
			return nil
		}
		want := req.RequestedIPAddress()
		if want == nil || want.IsUnspecified() {
			want = req.ClientIPAddr
		}
		if !want.Equal(l.IP.AsSlice()) {
			log.Debug("dhcp: NAK", "mac", req.ClientHWAddr, "requested", want, "lease", l.IP)
			nak, err := dhcpv4.NewReplyFromRequest(req,
				dhcpv4.WithMessageType(dhcpv4.MessageTypeNak),
				dhcpv4.WithOption(dhcpv4.OptServerIdentifier(sid.AsSlice())),
				dhcpv4.WithOption(dhcpv4.OptMessage("address not available")),
				dhcpv4.WithBroadcast(true))
			if err != nil {
				return nil
			}
			return nak
		}
	}
	resp, err := dhcpv4.NewReplyFromRequest(req, dhcpv4.WithMessageType(typ))
	if err != nil {
		log.Warn("dhcp: build reply", "err", err)
		return nil
	}
	if req.MessageType() == dhcpv4.MessageTypeInform {
		// RFC 2131 4.3.5: no lease, no yiaddr, configuration only.
		resp.ClientIPAddr = req.ClientIPAddr
	} else {
		resp.YourIPAddr = l.IP.AsSlice()
		resp.UpdateOption(dhcpv4.OptIPAddressLeaseTime(leaseTime))
	}
	t.options(resp, l, sub, sid, log)
	return resp
}

// options sets the configuration options of a lease: dnsmasq's answer
// for a Neutron port.
func (t *table) options(resp *dhcpv4.DHCPv4, l state.Lease, sub *state.Subnet, sid netip.Addr, log *slog.Logger) {
	resp.UpdateOption(dhcpv4.OptServerIdentifier(sid.AsSlice()))
	resp.UpdateOption(dhcpv4.OptSubnetMask(net.CIDRMask(sub.CIDR.Bits(), 32)))
	resp.UpdateOption(dhcpv4.OptBroadcastAddress(broadcast(sub.CIDR)))
	if gw := sub.Gateway.Unmap(); gw.Is4() {
		resp.UpdateOption(dhcpv4.OptRouter(gw.AsSlice()))
	}
	var dns []net.IP
	for _, a := range sub.DNS {
		if a = a.Unmap(); a.Is4() {
			dns = append(dns, a.AsSlice())
		}
	}
	if len(dns) > 0 {
		resp.UpdateOption(dhcpv4.OptDNS(dns...))
	}
	if t.mtu > 0 {
		resp.UpdateOption(dhcpv4.OptGeneric(dhcpv4.OptionInterfaceMTU, binary.BigEndian.AppendUint16(nil, uint16(t.mtu))))
	}
	if l.Hostname != "" {
		resp.UpdateOption(dhcpv4.OptHostName(l.Hostname))
	}
	if t.domain != "" {
		resp.UpdateOption(dhcpv4.OptDomainName(t.domain))
	}
	extra := parseExtra(l.Extra, log)
	if ip, ok := extra.serverIP(); ok {
		resp.ServerIPAddr = ip
	}
	// A port's own router option replaces the subnet's gateway, in the
	// default route too.
	gw := sub.Gateway.Unmap()
	if r, ok := extra.opts[dhcpv4.OptionRouter.Code()]; ok {
		gw = netip.Addr{}
		if len(r) >= 4 {
			gw = netip.AddrFrom4([4]byte(r[:4]))
		}
	}
	routes := classless(sub, sid, gw)
	resp.UpdateOption(dhcpv4.OptClasslessStaticRoute(routes...))
	// Windows reads the same routes from Microsoft's option 249.
	resp.UpdateOption(dhcpv4.OptGeneric(dhcpv4.GenericOptionCode(msClasslessRoutes), dhcpv4.Routes(routes).ToBytes()))
	for code, v := range extra.opts {
		if v == nil {
			resp.Options.Del(dhcpv4.GenericOptionCode(code))
			continue
		}
		resp.Options.Update(dhcpv4.OptGeneric(dhcpv4.GenericOptionCode(code), v))
	}
}

// msClasslessRoutes is Microsoft's classless static route option.
const msClasslessRoutes = 249

// classless is option 121: the subnet's host routes, the metadata
// address through the DHCP port, and the default route (clients that
// take option 121 ignore option 3, RFC 3442).
func classless(sub *state.Subnet, sid, gw netip.Addr) []*dhcpv4.Route {
	var out []*dhcpv4.Route
	hasDefault, hasMeta := false, false
	for _, r := range sub.HostRoutes {
		dst, hop := r.Destination, r.NextHop.Unmap()
		if !dst.Addr().Unmap().Is4() || !hop.Is4() {
			continue
		}
		dst = netip.PrefixFrom(dst.Addr().Unmap(), dst.Bits()).Masked()
		hasDefault = hasDefault || dst.Bits() == 0
		hasMeta = hasMeta || dst == metadataPrefix
		out = append(out, route(dst, hop))
	}
	if !hasMeta {
		out = append(out, route(metadataPrefix, sid))
	}
	if !hasDefault && gw.Is4() {
		out = append(out, route(netip.PrefixFrom(netip.IPv4Unspecified(), 0), gw))
	}
	return out
}

func route(dst netip.Prefix, hop netip.Addr) *dhcpv4.Route {
	return &dhcpv4.Route{
		Dest:   &net.IPNet{IP: dst.Addr().AsSlice(), Mask: net.CIDRMask(dst.Bits(), 32)},
		Router: hop.AsSlice(),
	}
}

func broadcast(p netip.Prefix) net.IP {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	if p.Bits() == 0 {
		host = ^uint32(0)
	}
	binary.BigEndian.PutUint32(b[:], binary.BigEndian.Uint32(b[:])|host)
	return b[:]
}
