package network

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
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

// AddressScopeUpdate holds what an address scope PUT may change.
type AddressScopeUpdate struct {
	Name   *string
	Shared *bool
}

// CreateAddressScope creates an address scope.
func (s *Service) CreateAddressScope(ctx context.Context, project, name string, version int, shared bool) (*AddressScope, error) {
	if version != 4 && version != 6 {
		return nil, BadRequest("Invalid input for ip_version. Reason: %d is not in [4, 6].", version)
	}
	now := db.Now()
	a := &AddressScope{Std: Std{ID: uuid.NewString(), ProjectID: project, Name: name, CreatedAt: now, UpdatedAt: now, Tags: []string{}},
		IPVersion: version, Shared: shared}
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error { return tx.InsertAddressScope(ctx, a) })
	if err != nil {
		return nil, err
	}
	return a, nil
}

// visibleScope reads an address scope the scope may see.
func (s *Service) visibleScope(ctx context.Context, tx Tx, sc Scope, id string) (*AddressScope, error) {
	a, err := tx.GetAddressScope(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(a.ProjectID) && !a.Shared) {
		return nil, AddressScopeNotFound(id)
	}
	return a, err
}

// GetAddressScope returns an address scope the caller sees.
func (s *Service) GetAddressScope(ctx context.Context, sc Scope, id string) (*AddressScope, error) {
	var a *AddressScope
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		a, err = s.visibleScope(ctx, tx, sc, id)
		return err
	})
	return a, err
}

// ListAddressScopes lists the address scopes the caller sees.
func (s *Service) ListAddressScopes(ctx context.Context, f Filter) ([]*AddressScope, error) {
	var out []*AddressScope
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		out, err = tx.ListAddressScopes(ctx, f)
		return err
	})
	return out, err
}

// UpdateAddressScope renames or shares an address scope; a shared one
// stays shared, as in Neutron.
func (s *Service) UpdateAddressScope(ctx context.Context, sc Scope, id string, u AddressScopeUpdate) (*AddressScope, error) {
	var a *AddressScope
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if a, err = s.visibleScope(ctx, tx, sc, id); err != nil {
			return err
		}
		if u.Shared != nil && a.Shared && !*u.Shared {
			return BadRequest("Unable to update address scope %s : Shared address scope can't be unshared.", id).WithType("AddressScopeUpdateError")
		}
		set(&a.Name, u.Name)
		set(&a.Shared, u.Shared)
		a.UpdatedAt = db.Now()
		a.Revision++
		return tx.UpdateAddressScope(ctx, a)
	})
	return a, err
}

// DeleteAddressScope deletes an address scope no subnet pool is in.
func (s *Service) DeleteAddressScope(ctx context.Context, sc Scope, id string) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		a, err := s.visibleScope(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		n, err := tx.CountScopePools(ctx, a.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return Conflict("AddressScopeInUse", "Unable to complete operation on address scope %s. There are one or more subnet pools in use on the address scope.", a.ID)
		}
		return tx.DeleteAddressScope(ctx, a.ID)
	})
}

// NetworkScopes returns the address scopes of networks, by network id
// and IP version (the ipv4_address_scope and ipv6_address_scope
// attributes).
func (s *Service) NetworkScopes(ctx context.Context, networks []string) (map[string]map[int]string, error) {
	var out map[string]map[int]string
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		out, err = tx.NetworkScopes(ctx, networks)
		return err
	})
	return out, err
}
