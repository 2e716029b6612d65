package servers

import (
	"context"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/nwinfo"
)

// Network is the networking service as the servers' use cases use it
// (Nova's nova.network.neutron.API): package netinfo implements it over
// the network client. Without one (compute.Deps.Network nil) servers boot
// without ports and the network actions answer as Nova does without
// Neutron.
type Network interface {
	// Resolve checks the networks of a create request with the caller's
	// token (networks and ports exist and are visible, ports are free,
	// fixed IPs are valid, security groups exist) and returns the request
	// to store: "auto" and an absent list become the one network the
	// project sees, or none. count is how many instances the request
	// makes; a port can serve only one.
	Resolve(ctx context.Context, c compute.Caller, req compute.NetworkRequest, secGroups []string, count int, minor int) (compute.NetworkRequest, error)
	// Refresh reads the instance's ports again (network-changed, an
	// interface attached or detached, a floating IP associated).
	Refresh(ctx context.Context, inst *compute.Instance) (nwinfo.Info, error)
	// Attach creates or binds one port for the instance on its host.
	Attach(ctx context.Context, c compute.Caller, inst *compute.Instance, req nwinfo.InterfaceRequest) (nwinfo.VIF, error)
	// Detach deletes or unbinds one of the instance's ports.
	Detach(ctx context.Context, inst *compute.Instance, vif nwinfo.VIF) error

	// SecurityGroups returns the names of the security groups of the
	// instances' ports by instance id, one entry per port and group, as
	// the caller sees them (Nova reads them from Neutron, not from the
	// instance).
	SecurityGroups(ctx context.Context, c compute.Caller, ids []string) (map[string][]string, error)
	// AddSecurityGroup adds a security group (a name or id of the
	// caller's project) to every port of the instance.
	AddSecurityGroup(ctx context.Context, c compute.Caller, inst *compute.Instance, name string) error
	// RemoveSecurityGroup removes a security group from every port of
	// the instance that has it.
	RemoveSecurityGroup(ctx context.Context, c compute.Caller, inst *compute.Instance, name string) error
	// AssociateFloatingIP maps a floating address to one of the
	// instance's fixed addresses (the first IPv4 one when fixed is
	// empty); it returns the instance the address was taken from, if any.
	AssociateFloatingIP(ctx context.Context, c compute.Caller, inst *compute.Instance, address, fixed string) (from string, err error)
	// FloatingIPInstance returns the instance a floating address is
	// mapped to ("" when it is mapped to none).
	FloatingIPInstance(ctx context.Context, c compute.Caller, address string) (string, error)
	// DisassociateFloatingIP unmaps a floating address.
	DisassociateFloatingIP(ctx context.Context, c compute.Caller, address string) error
}

// HotPlug is what a conductor offers to hot-plug a NIC on the
// instance's host at once (os-interface is synchronous in Nova).
type HotPlug interface {
	// CanHotPlug reports whether the driver of the instance's host can
	// hot-plug a NIC, so that a port is not made for nothing.
	CanHotPlug(ctx context.Context, inst *compute.Instance) (bool, error)
	AttachInterface(ctx context.Context, inst *compute.Instance, nic driver.NIC) error
	DetachInterface(ctx context.Context, inst *compute.Instance, portID string) error
}

// Network is the networking service the servers use (nil without one).
func (s *Service) Network() Network { return s.net }
