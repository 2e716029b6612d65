package metadata

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/compute/nwinfo"
)

// NetworkData is network_data.json, as Nova's
// nova.virt.netutils.get_network_metadata renders an instance's ports.
// The network data plane fills it; nil slices render as [].
type NetworkData struct {
	Links    []Link    `json:"links"`
	Networks []Network `json:"networks"`
	Services []Service `json:"services"`
}

// MarshalJSON renders nil lists as [] as Nova does.
func (n NetworkData) MarshalJSON() ([]byte, error) {
	type plain NetworkData
	p := plain(n)
	p.Links, p.Networks, p.Services = orEmpty(p.Links), orEmpty(p.Networks), orEmpty(p.Services)
	return json.Marshal(p)
}

// Link is a VIF or physical NIC.
type Link struct {
	ID                 string `json:"id"` // the tap device name, or "interface<N>"
	VIFID              string `json:"vif_id"`
	Type               string `json:"type"` // "phy", or a legacy VIF type (ovs, bridge, ...)
	MTU                *int   `json:"mtu"`  // null when DHCP tells the guest
	EthernetMACAddress string `json:"ethernet_mac_address"`
}

// Network is one subnet on a link. For the "ipv4_dhcp" and "ipv6_dhcp"
// types only ID, Type, Link and NetworkID are rendered.
type Network struct {
	ID        string    // "network<N>"
	Type      string    // ipv4, ipv6, ipv4_dhcp, ipv6_dhcp, ipv6_slaac, ipv6_dhcpv6-stateful, ...
	Link      string    // Link.ID
	IPAddress string    // static types
	Netmask   string    // static types
	Routes    []Route   // static types; the default route first
	NetworkID string    // the Neutron network
	Services  []Service // static types: the subnet's DNS servers
}

// MarshalJSON renders the fields Nova's _get_nets gives the network's type.
func (n Network) MarshalJSON() ([]byte, error) {
	if strings.HasSuffix(n.Type, "_dhcp") {
		return json.Marshal(struct {
			ID        string `json:"id"`
			Type      string `json:"type"`
			Link      string `json:"link"`
			NetworkID string `json:"network_id"`
		}{n.ID, n.Type, n.Link, n.NetworkID})
	}
	return json.Marshal(struct {
		ID        string    `json:"id"`
		Type      string    `json:"type"`
		Link      string    `json:"link"`
		IPAddress string    `json:"ip_address"`
		Netmask   string    `json:"netmask"`
		Routes    []Route   `json:"routes"`
		NetworkID string    `json:"network_id"`
		Services  []Service `json:"services"`
	}{n.ID, n.Type, n.Link, n.IPAddress, n.Netmask, orEmpty(n.Routes), n.NetworkID, orEmpty(n.Services)})
}

// Route is a static route of a network.
type Route struct {
	Network string `json:"network"`
	Netmask string `json:"netmask"`
	Gateway string `json:"gateway"`
}

// Service is a network service, such as a DNS server.
type Service struct {
	Type    string `json:"type"` // "dns"
	Address string `json:"address"`
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// FromNetworkInfo renders an instance's network info cache as
// network_data.json, as Nova's get_network_metadata does: a link per
// port, a network per subnet the port has an address on (the DHCP types
// when the subnet serves DHCP, else the address, netmask, routes with the
// default route first, and the DNS servers), and the DNS servers of all
// subnets as services. It returns nil for an instance without ports.
func FromNetworkInfo(info nwinfo.Info) *NetworkData {
	if len(info) == 0 {
		return nil
	}
	out := &NetworkData{}
	n := 0
	for _, v := range info {
		nic := v.NIC()
		link := Link{ID: nic.Tap, VIFID: v.PortID, Type: "ovs", EthernetMACAddress: v.MAC}
		if v.MTU > 0 {
			mtu := v.MTU
			link.MTU = &mtu
		}
		out.Links = append(out.Links, link)
		for _, sn := range v.Subnets {
			ip := ""
			for _, a := range v.IPs {
				if a.SubnetID == sn.ID {
					ip = a.Address
					break
				}
			}
			if ip == "" {
				continue
			}
			nw := Network{ID: fmt.Sprintf("network%d", n), Link: link.ID, NetworkID: v.NetworkID}
			n++
			switch {
			case sn.Version == 6 && sn.IPv6Mode != "":
				nw.Type = "ipv6_" + sn.IPv6Mode
			case sn.DHCP:
				nw.Type = fmt.Sprintf("ipv%d_dhcp", sn.Version)
			default:
				nw.Type = fmt.Sprintf("ipv%d", sn.Version)
			}
			if !strings.HasSuffix(nw.Type, "_dhcp") {
				nw.IPAddress = ip
				if p, err := netip.ParsePrefix(sn.CIDR); err == nil {
					nw.Netmask = netmask(p)
				}
				if sn.Gateway != "" {
					all := "0.0.0.0"
					if sn.Version == 6 {
						all = "::"
					}
					nw.Routes = append(nw.Routes, Route{Network: all, Netmask: all, Gateway: sn.Gateway})
				}
				for _, r := range sn.HostRoutes {
					if p, err := netip.ParsePrefix(r.Destination); err == nil {
						nw.Routes = append(nw.Routes, Route{Network: p.Addr().String(), Netmask: netmask(p), Gateway: r.NextHop})
					}
				}
				for _, d := range sn.DNS {
					nw.Services = append(nw.Services, Service{Type: "dns", Address: d})
				}
			}
			out.Networks = append(out.Networks, nw)
			for _, d := range sn.DNS {
				if !slices.Contains(out.Services, Service{Type: "dns", Address: d}) {
					out.Services = append(out.Services, Service{Type: "dns", Address: d})
				}
			}
		}
	}
	return out
}

// netmask is a prefix's netmask: dotted for IPv4, an address for IPv6.
func netmask(p netip.Prefix) string {
	bits := p.Addr().BitLen()
	b := make([]byte, bits/8)
	for i := 0; i < p.Bits(); i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a.String()
}

// Addresses returns the instance's fixed and floating IPv4 addresses,
// for the EC2 local-ipv4 and public-ipv4.
func Addresses(info nwinfo.Info) (fixed, floating []string) {
	for _, v := range info {
		for _, ip := range v.IPs {
			if ip.Version == 4 {
				fixed = append(fixed, ip.Address)
				floating = append(floating, ip.Floating...)
			}
		}
	}
	return fixed, floating
}

// NICDevices are the tagged NICs of meta_data.json's devices.
func NICDevices(info nwinfo.Info) []Device {
	var out []Device
	for _, v := range info {
		if v.Tag != "" {
			out = append(out, Device{Type: "nic", Bus: "pci", MAC: v.MAC, Tags: []string{v.Tag}})
		}
	}
	return out
}

// WithNetwork fills in the network parts of in (network_data.json, the
// EC2 addresses, the tagged NICs) from its instance's network info cache,
// keeping any already set.
func WithNetwork(in Input) Input {
	info := nwinfo.Of(in.Instance.SystemMetadata)
	if in.Network == nil {
		in.Network = FromNetworkInfo(info)
	}
	if in.FixedIPs == nil && in.FloatingIPs == nil {
		in.FixedIPs, in.FloatingIPs = Addresses(info)
	}
	in.Devices = append(in.Devices, NICDevices(info)...)
	return in
}
