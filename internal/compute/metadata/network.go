package metadata

import (
	"encoding/json"
	"strings"
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
