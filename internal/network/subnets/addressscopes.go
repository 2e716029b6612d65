package subnets

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// ScopeUpdate holds what an address scope PUT may change.
type ScopeUpdate struct {
	Name   *string
	Shared *bool
}

// CreateAddressScope creates an address scope.
func (s *Service) CreateAddressScope(ctx context.Context, project, name string, version int, shared bool) (*network.AddressScope, error) {
	if version != 4 && version != 6 {
		return nil, network.BadRequest("Invalid input for ip_version. Reason: %d is not in [4, 6].", version)
	}
	now := db.Now()
	a := &network.AddressScope{Std: network.Std{ID: uuid.NewString(), ProjectID: project, Name: name, CreatedAt: now, UpdatedAt: now, Tags: []string{}},
		IPVersion: version, Shared: shared}
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error { return tx.InsertAddressScope(ctx, a) })
	if err != nil {
		return nil, err
	}
	return a, nil
}

// visibleScope reads an address scope the scope may see.
func (s *Service) visibleScope(ctx context.Context, tx network.Tx, sc network.Scope, id string) (*network.AddressScope, error) {
	a, err := tx.GetAddressScope(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(a.ProjectID) && !a.Shared) {
		return nil, network.AddressScopeNotFound(id)
	}
	return a, err
}

// GetAddressScope returns an address scope the caller sees.
func (s *Service) GetAddressScope(ctx context.Context, sc network.Scope, id string) (*network.AddressScope, error) {
	var a *network.AddressScope
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		a, err = s.visibleScope(ctx, tx, sc, id)
		return err
	})
	return a, err
}

// ListAddressScopes lists the address scopes the caller sees.
func (s *Service) ListAddressScopes(ctx context.Context, f network.Filter) ([]*network.AddressScope, error) {
	var out []*network.AddressScope
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		out, err = tx.ListAddressScopes(ctx, f)
		return err
	})
	return out, err
}

// UpdateAddressScope renames or shares an address scope; a shared one
// stays shared, as in Neutron.
func (s *Service) UpdateAddressScope(ctx context.Context, sc network.Scope, id string, u ScopeUpdate) (*network.AddressScope, error) {
	var a *network.AddressScope
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if a, err = s.visibleScope(ctx, tx, sc, id); err != nil {
			return err
		}
		if u.Shared != nil && a.Shared && !*u.Shared {
			return network.BadRequest("Unable to update address scope %s : Shared address scope can't be unshared.", id).WithType("AddressScopeUpdateError")
		}
		network.Set(&a.Name, u.Name)
		network.Set(&a.Shared, u.Shared)
		a.UpdatedAt = db.Now()
		a.Revision++
		return tx.UpdateAddressScope(ctx, a)
	})
	return a, err
}

// DeleteAddressScope deletes an address scope no subnet pool is in.
func (s *Service) DeleteAddressScope(ctx context.Context, sc network.Scope, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		a, err := s.visibleScope(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		n, err := tx.CountScopePools(ctx, a.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return network.Conflict("AddressScopeInUse", "Unable to complete operation on address scope %s. There are one or more subnet pools in use on the address scope.", a.ID)
		}
		return tx.DeleteAddressScope(ctx, a.ID)
	})
}

// NetworkScopes returns the address scopes of networks, by network id
// and IP version (the ipv4_address_scope and ipv6_address_scope
// attributes).
func (s *Service) NetworkScopes(ctx context.Context, networks []string) (map[string]map[int]string, error) {
	var out map[string]map[int]string
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		out, err = tx.NetworkScopes(ctx, networks)
		return err
	})
	return out, err
}
