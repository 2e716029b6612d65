package ipam

import (
	"net/netip"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// The Neutron error types this package answers with; the API renders an
// *apierr.Error's Type as the "type" of its NeutronError body.
const (
	TypeGenerationFailure = "IpAddressGenerationFailure"
	TypeAlreadyAllocated  = "IpAddressAlreadyAllocated"
	TypeInvalidIP         = "InvalidIpForSubnet"
	TypeSubnetNotFound    = "SubnetNotFound"
)

// exhausted is Allocate's answer when a subnet's pools have no free
// address. The message is that of Neutron's IPAM driver, which names the
// subnet; Neutron's plugin, having tried every subnet of the network,
// answers with the network instead: see NoMoreAddresses.
func exhausted(subnetID string) *apierr.Error {
	return apierr.Conflict("No more IP addresses available for subnet %s.", subnetID).WithType(TypeGenerationFailure)
}

// NoMoreAddresses is the error Neutron's API answers when no subnet of
// a network could give a port an address. A caller that tried the
// network's subnets in turn and met IsExhausted on each answers this.
func NoMoreAddresses(networkID string) *apierr.Error {
	return apierr.Conflict("No more IP addresses available on network %s.", networkID).WithType(TypeGenerationFailure)
}

// IsExhausted reports whether err is Allocate finding no free address
// (or NoMoreAddresses).
func IsExhausted(err error) bool {
	e, ok := apierr.As(err)
	return ok && e.Type == TypeGenerationFailure
}

// IsAllocated reports whether err is Allocate refusing an address that
// is taken.
func IsAllocated(err error) bool {
	e, ok := apierr.As(err)
	return ok && e.Type == TypeAlreadyAllocated
}

func alreadyAllocated(a netip.Addr, subnetID string) *apierr.Error {
	return apierr.Conflict("IP address %s already allocated in subnet %s", a, subnetID).WithType(TypeAlreadyAllocated)
}

func invalidIP(a netip.Addr, subnetID string) *apierr.Error {
	return apierr.BadRequest("IP address %s does not belong to subnet %s", a, subnetID).WithType(TypeInvalidIP)
}

func subnetNotFound(subnetID string) *apierr.Error {
	return apierr.NotFound("Subnet %s could not be found.", subnetID).WithType(TypeSubnetNotFound)
}
