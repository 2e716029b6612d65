// Package state is what one host's network agent must build: the part
// of the networking service's resources that lives on that host, in the
// shape the kernel needs it (devices, addresses, rules), and the names
// every realizer uses for the devices and namespaces it owns.
//
// The agent reads the database into a Host on every reconciliation
// (Build), and hands it to the realizers (l2, dhcp, l3, firewall), each
// of which brings its part of the host to it: creating what is missing,
// changing what differs and removing what it owns but the Host no longer
// holds. A realizer recognises what it owns by the names below.
package state

import (
	"net"
	"net/netip"
)

// Host is the desired state of one host.
type Host struct {
	// Name is the host's name: ports bound to it (binding:host_id) are
	// wired here.
	Name string
	// TunnelIP is the host's VXLAN endpoint (invalid: VXLAN devices are
	// made without a local address and reach no other host).
	TunnelIP netip.Addr
	// Networks are the networks with something on this host, by id.
	Networks map[string]*Network
	// Ports are the ports wired on this host, by id: servers' ports bound
	// here, and the DHCP and router ports of the DHCP servers and routers
	// this host runs.
	Ports map[string]*Port
	// DHCP are the DHCP servers this host runs, by network id.
	DHCP map[string]*DHCP
	// Routers are the routers this host runs, by id.
	Routers map[string]*Router
	// Groups are the security groups of the ports in Ports, by id.
	Groups map[string]*Group
	// Bridges maps a physical network to an existing host bridge that
	// is the bridge of every flat network on it (DevStack's br-ex for
	// "public"); Interfaces maps one to a host interface a flat network's
	// bridge enslaves (and VLAN networks make subinterfaces of).
	Bridges    map[string]string
	Interfaces map[string]string
}

// Network is a network with something on this host.
type Network struct {
	ID        string
	ProjectID string
	// Type is flat, vlan, vxlan or local.
	Type      string
	Physnet   string
	SegmentID int64
	MTU       int
	External  bool
	Subnets   []*Subnet
	// Remotes are the other hosts with ports on a VXLAN network: tunnel
	// endpoint → MACs of the ports there (Neutron's l2population).
	Remotes map[netip.Addr][]net.HardwareAddr
}

// Subnet is one subnet of a network.
type Subnet struct {
	ID         string
	IPVersion  int
	CIDR       netip.Prefix
	Gateway    netip.Addr // invalid when the subnet has none
	EnableDHCP bool
	DNS        []netip.Addr
	HostRoutes []Route
}

// Route is a destination and next hop.
type Route struct {
	Destination netip.Prefix
	NextHop     netip.Addr
}

// Port is a port wired on this host. Its host-side device is Device;
// for a server's port the hypervisor makes it (a tap), for DHCP and
// router ports the dhcp and l3 realizers make a veth pair whose host end
// it is. The l2 realizer plugs every one of them into its network's
// bridge.
type Port struct {
	ID          string
	NetworkID   string
	ProjectID   string
	DeviceOwner string
	DeviceID    string
	MAC         net.HardwareAddr
	IPs         []FixedIP
	AdminUp     bool
	// Status is the port's status in the database (the agent changes it
	// to ACTIVE once Device is plugged, DOWN when it is gone).
	Status string
	// PortSecurity off: no security group and no anti-spoofing rules.
	PortSecurity bool
	Groups       []string
	AddressPairs []AddressPair
	ExtraDHCP    []DHCPOpt
	// Hostname is the DHCP host name (dns_name, else host-<ip>).
	Hostname string
	MTU      int
}

// FixedIP is an address of a port on a subnet.
type FixedIP struct {
	SubnetID string
	IP       netip.Addr
}

// AddressPair is an allowed address pair: the port may also send from
// MAC (its own when nil) and Prefix.
type AddressPair struct {
	MAC    net.HardwareAddr
	Prefix netip.Prefix
}

// DHCPOpt is an extra DHCP option: a dnsmasq-style name or number, and
// its value.
type DHCPOpt struct {
	Name      string
	Value     string
	IPVersion int
}

// Device is the port's host-side device name.
func (p *Port) Device() string { return Device(p.ID) }

// IsServer reports whether the port is a server's (device owner
// compute:*).
func (p *Port) IsServer() bool { return len(p.DeviceOwner) > 8 && p.DeviceOwner[:8] == "compute:" }

// DHCP is one network's DHCP server: its port (whose addresses it
// serves from) and the leases it hands out.
type DHCP struct {
	NetworkID string
	Port      *Port
	Subnets   []*Subnet
	Leases    []Lease
	// DNSDomain is appended to host names (option 15).
	DNSDomain string
	MTU       int
}

// Lease is a fixed address the DHCP server gives a MAC.
type Lease struct {
	PortID   string
	MAC      net.HardwareAddr
	IP       netip.Addr
	SubnetID string
	Hostname string
	Extra    []DHCPOpt
	// DeviceID and ProjectID identify the server to the metadata proxy.
	DeviceID  string
	ProjectID string
}

// Router is a router this host runs.
type Router struct {
	ID string
	// Interfaces are the router's legs on tenant subnets.
	Interfaces []*Port
	// Gateway is its leg on the external network (nil: none), with
	// GatewayNextHop the external subnet's gateway (its default route).
	Gateway        *Port
	GatewayNextHop netip.Addr
	EnableSNAT     bool
	// SNATSubnets are the CIDRs of the interfaces' subnets, whose traffic
	// leaving through the gateway is SNATed to the gateway address.
	SNATSubnets []netip.Prefix
	Routes      []Route
	FloatingIPs []FloatingIP
	Forwardings []Forwarding
}

// FloatingIP is a floating address 1:1 NATed to a fixed one.
type FloatingIP struct {
	ID      string
	Address netip.Addr
	Fixed   netip.Addr
}

// Forwarding is a floating IP's port forwarding.
type Forwarding struct {
	ID           string
	Protocol     string // tcp, udp
	Address      netip.Addr
	ExternalPort int
	InternalIP   netip.Addr
	InternalPort int
}

// Group is a security group: its rules, and the addresses of every
// port in it (on any host), which rules naming it as their remote group
// match.
type Group struct {
	ID       string
	Stateful bool
	Rules    []Rule
	Members  []netip.Addr
}

// Rule is a security group rule.
type Rule struct {
	ID        string
	Direction string // ingress, egress
	Ethertype string // IPv4, IPv6
	// Protocol is an IP protocol number (0-255), or -1 for any.
	Protocol int
	// PortMin and PortMax are the port range (TCP, UDP, SCTP) or the ICMP
	// type and code; Any when unset (0 is ICMP's echo reply).
	PortMin, PortMax int
	RemotePrefix     netip.Prefix // invalid: any
	RemoteGroup      string       // "": none
}

// Any is an unset port or ICMP type or code of a Rule.
const Any = -1

// Names of what the agent builds. Linux caps interface names at 15
// bytes, so ids are cut as Neutron cuts them.
const (
	BridgePrefix  = "brq"
	DevicePrefix  = "tap"
	VXLANPrefix   = "vxlan-"
	DHCPNSPrefix  = "qdhcp-"
	RouterPrefix  = "qrouter-"
	DHCPDevPrefix = "ns-" // the DHCP port's end inside its namespace
	RouterIntPrfx = "qr-" // a router interface's end inside the router
	GatewayPrefix = "qg-" // a router gateway's end inside the router
	MetadataAddr  = "169.254.169.254"
)

// Bridge is the name of a network's bridge (when it has no mapped bridge).
func Bridge(networkID string) string { return BridgePrefix + short(networkID) }

// Device is the host-side device of a port.
func Device(portID string) string { return DevicePrefix + short(portID) }

// InnerDevice is the namespace end of a DHCP or router port: prefix is
// DHCPDevPrefix, RouterIntPrfx or GatewayPrefix.
func InnerDevice(prefix, portID string) string { return prefix + short(portID) }

func short(id string) string {
	if len(id) > 11 {
		return id[:11]
	}
	return id
}

// BridgeOf is the bridge of network n on this host: the mapped host
// bridge of a flat network's physical network, else the network's own.
func (h *Host) BridgeOf(n *Network) string {
	if n.Type == "flat" {
		if br, ok := h.Bridges[n.Physnet]; ok {
			return br
		}
	}
	return Bridge(n.ID)
}

// VXLANDevice is the VXLAN device of a VNI.
func VXLANDevice(vni int64) string { return VXLANPrefix + itoa(vni) }

// DHCPNamespace and RouterNamespace name the namespaces of a network's
// DHCP server and of a router; prefix sets apart the agents that share
// one machine (tests run two), "" for one agent per machine.
func DHCPNamespace(prefix, networkID string) string { return prefix + DHCPNSPrefix + networkID }

// RouterNamespace names a router's namespace; see DHCPNamespace.
func RouterNamespace(prefix, routerID string) string { return prefix + RouterPrefix + routerID }

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}
