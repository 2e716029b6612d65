package network

import (
	"context"
	"net/netip"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// SubnetPool is a Neutron subnet pool (the subnet_allocation
// extension): prefixes subnets take their CIDRs from.
type SubnetPool struct {
	Std
	IPVersion        int
	Prefixes         []netip.Prefix
	DefaultPrefixLen int
	MinPrefixLen     int
	MaxPrefixLen     int
	DefaultQuota     *int64
	Shared           bool
	IsDefault        bool
	AddressScopeID   *string
}

// SubnetPoolTx is the subnet pools' part of a transaction.
type SubnetPoolTx interface {
	InsertSubnetPool(ctx context.Context, p *SubnetPool) error
	// GetSubnetPool returns apierr.ErrNotFound for a missing id.
	GetSubnetPool(ctx context.Context, id string) (*SubnetPool, error)
	// ListSubnetPools lists the scope's pools and the shared ones.
	ListSubnetPools(ctx context.Context, f Filter) ([]*SubnetPool, error)
	UpdateSubnetPool(ctx context.Context, p *SubnetPool) error
	DeleteSubnetPool(ctx context.Context, id string) error
	// LockSubnetPool serializes the allocations from a pool (a no-op
	// write of its row).
	LockSubnetPool(ctx context.Context, id string) error
	// PoolCIDRs returns the CIDRs of the subnets allocated from a pool.
	PoolCIDRs(ctx context.Context, pool string) ([]netip.Prefix, error)
}

// SubnetPoolNotFound is Neutron's 404 for a subnet pool.
func SubnetPoolNotFound(id string) *apierr.Error {
	return apierr.NotFound("Subnet pool %s could not be found.", id).WithType("SubnetPoolNotFound")
}
