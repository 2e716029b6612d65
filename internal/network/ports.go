package network

import (
	"context"
	"net/netip"
)

// Device owners Neutron gives its own ports.
const (
	OwnerDHCP            = "network:dhcp"
	OwnerRouterInterface = "network:router_interface"
	OwnerRouterGateway   = "network:router_gateway"
	OwnerFloatingIP      = "network:floatingip"
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
	InsertPort(ctx context.Context, p *Port) error
	// GetPort returns apierr.ErrNotFound for a missing id.
	GetPort(ctx context.Context, id string) (*Port, error)
	ListPorts(ctx context.Context, f Filter) ([]*Port, error)
	UpdatePort(ctx context.Context, p *Port) error
	DeletePort(ctx context.Context, id string) error
	// CountForeignPorts counts the ports on network owned by projects
	// other than project.
	CountForeignPorts(ctx context.Context, network, project string) (int64, error)
}

// deletePort removes a port and releases its addresses.
func (s *Service) deletePort(ctx context.Context, tx Tx, p *Port) error {
	if err := tx.SetTags(ctx, "ports", p.ID, nil); err != nil {
		return err
	}
	return tx.DeletePort(ctx, p.ID)
}
