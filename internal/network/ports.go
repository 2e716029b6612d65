package network

import (
	"context"
	"errors"
	"net/netip"
	"slices"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Device owners Neutron gives its own ports.
const (
	OwnerDHCP            = "network:dhcp"
	OwnerRouterInterface = "network:router_interface"
	OwnerRouterGateway   = "network:router_gateway"
	OwnerFloatingIP      = "network:floatingip"
)

// routerOwners are the device owners of a router's internal interfaces
// (Neutron's ROUTER_INTERFACE_OWNERS_SNAT): they may take a subnet's
// gateway address and get no automatic IPv6 address.
var routerOwners = []string{OwnerRouterInterface, "network:router_interface_distributed",
	"network:ha_router_replicated_interface", "network:router_centralized_snat"}

// IsRouterPort reports whether owner is a router's internal interface.
func IsRouterPort(owner string) bool { return slices.Contains(routerOwners, owner) }

// Binding states. The noop mechanism driver binds a port given a host as
// a "tap" device (Nova's libvirt driver plugs such a VIF by creating the
// tap itself) and reports it ACTIVE at once; linuxbridge binds it as a
// "bridge" VIF that the host's network agent plugs and reports ACTIVE.
const (
	VIFUnbound = "unbound"
	VIFTap     = "tap"
	VIFBridge  = "bridge"
)

// Mechanism drivers (Config.Mechanism).
const (
	MechNoop        = "noop"
	MechLinuxBridge = "linuxbridge"
)

// Port is a Neutron port.
type Port struct {
	Std
	NetworkID    string
	MAC          string
	AdminStateUp bool
	Status       string
	DeviceID     string
	DeviceOwner  string
	PortSecurity bool
	FixedIPs     []FixedIP
	// Binding (the portbindings extension).
	HostID     string
	VNICType   string
	VIFType    string
	VIFDetails map[string]any
	Profile    map[string]any
	// AddressPairs are the allowed address pairs.
	AddressPairs   []AddressPair
	ExtraDHCPOpts  []DHCPOpt
	SecurityGroups []string
	DNSName        string
	QoSPolicyID    *string
}

// FixedIP is one address of a port.
type FixedIP struct {
	SubnetID string
	IP       netip.Addr
}

// AddressPair is an allowed address pair: a MAC and an address or CIDR
// the port may also send from.
type AddressPair struct {
	IP  string
	MAC string
}

// DHCPOpt is an extra DHCP option of a port.
type DHCPOpt struct {
	Name      string
	Value     string
	IPVersion int
}

// PortTx is the ports' part of a transaction.
type PortTx interface {
	// InsertPort writes p and its fixed IPs; apierr.ErrDuplicate when its
	// MAC is taken on its network.
	InsertPort(ctx context.Context, p *Port) error
	// GetPort returns apierr.ErrNotFound for a missing id.
	GetPort(ctx context.Context, id string) (*Port, error)
	// ListPorts lists the ports f's scope sees: its project's and those on
	// its project's networks (all for an admin), narrowed by the indexed
	// filters and by "fixed_ips" ("ip_address=..", "subnet_id=..").
	ListPorts(ctx context.Context, f Filter) ([]*Port, error)
	// UpdatePort writes p and replaces its fixed IPs.
	UpdatePort(ctx context.Context, p *Port) error
	DeletePort(ctx context.Context, id string) error
	// CountForeignPorts counts the ports on network owned by projects
	// other than project.
	CountForeignPorts(ctx context.Context, network, project string) (int64, error)
	// MACInUse reports whether a port of network has mac.
	MACInUse(ctx context.Context, network, mac string) (bool, error)
	// SubnetPorts returns the ids and device owners of the ports with an
	// address on subnet.
	SubnetPorts(ctx context.Context, subnet string) (map[string]string, error)
}

// FixedIPRequest asks for an address: IP on SubnetID, any address of
// SubnetID (IP the zero Addr), or IP on whichever subnet of the network
// holds it (SubnetID empty).
type FixedIPRequest struct {
	SubnetID string
	IP       netip.Addr
}

// VisiblePort reads a port the scope may see: its project's, or one on a
// network of its project.
func (s *Service) VisiblePort(ctx context.Context, tx Tx, sc Scope, id string) (*Port, error) {
	p, err := tx.GetPort(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, NotFound("Port", id)
	}
	if err != nil || sc.Sees(p.ProjectID) {
		return p, err
	}
	n, err := tx.GetNetwork(ctx, p.NetworkID)
	if err != nil || n.ProjectID != sc.ProjectID {
		return nil, NotFound("Port", id)
	}
	return p, nil
}
