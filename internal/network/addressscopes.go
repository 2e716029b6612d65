package network

import (
	"context"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// AddressScope is a Neutron address scope: subnet pools in one scope
// hold addresses that never overlap, so routers may route between them
// without NAT.
type AddressScope struct {
	Std
	IPVersion int
	Shared    bool
}

// AddressScopeTx is the address scopes' part of a transaction.
type AddressScopeTx interface {
	InsertAddressScope(ctx context.Context, a *AddressScope) error
	// GetAddressScope returns apierr.ErrNotFound for a missing id.
	GetAddressScope(ctx context.Context, id string) (*AddressScope, error)
	// ListAddressScopes lists the scope's address scopes and the shared ones.
	ListAddressScopes(ctx context.Context, f Filter) ([]*AddressScope, error)
	UpdateAddressScope(ctx context.Context, a *AddressScope) error
	DeleteAddressScope(ctx context.Context, id string) error
	// CountScopePools counts the subnet pools in an address scope.
	CountScopePools(ctx context.Context, id string) (int64, error)
	// NetworkScopes returns, by network id and IP version, the address
	// scope of the networks' subnets' pools.
	NetworkScopes(ctx context.Context, networks []string) (map[string]map[int]string, error)
}

// AddressScopeNotFound is Neutron's 404 for an address scope.
func AddressScopeNotFound(id string) *apierr.Error {
	return apierr.NotFound("Address scope %s could not be found.", id).WithType("AddressScopeNotFound")
}
