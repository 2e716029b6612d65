package placement

import (
	"context"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// Inventories returns a provider's inventories and generation.
func (s *Service) Inventories(ctx context.Context, id string) ([]Inventory, int64, error) {
	return s.store.Inventories(ctx, id)
}

// validateInventories checks a provider's new inventories. verb is
// Placement's word for the refusal: "create" (POST one) or "update".
func (s *Service) validateInventories(ctx context.Context, id, verb string, invs []Inventory, reservedMayEqualTotal bool) ([]Inventory, error) {
	out := make([]Inventory, 0, len(invs))
	for _, inv := range invs {
		if err := s.checkClass(ctx, inv.ResourceClass); err != nil {
			if verb == "create" {
				return nil, apierr.BadRequest("Unable to create inventory for resource provider %s: No such resource class %s.", id, inv.ResourceClass)
			}
			return nil, apierr.BadRequest("Unknown resource class in inventory for resource provider %s: No such resource class %s.", id, inv.ResourceClass)
		}
		inv = inv.WithDefaults()
		if why := inv.Validate(id, reservedMayEqualTotal); why != "" {
			return nil, apierr.BadRequest("Unable to %s inventory for resource provider %s: %s", verb, id, why)
		}
		out = append(out, inv)
	}
	slices.SortFunc(out, func(a, b Inventory) int { return strings.Compare(a.ResourceClass, b.ResourceClass) })
	return out, nil
}

// SetInventories replaces all of a provider's inventories.
func (s *Service) SetInventories(ctx context.Context, id string, gen int64, invs []Inventory, reservedMayEqualTotal bool) (int64, error) {
	invs, err := s.validateInventories(ctx, id, "update", invs, reservedMayEqualTotal)
	if err != nil {
		return 0, err
	}
	return s.store.SetInventories(ctx, id, gen, invs)
}

// AddInventory is POST .../inventories: one class that must not exist yet,
// added at the generation read here, as Placement ignores the client's.
func (s *Service) AddInventory(ctx context.Context, id string, inv Inventory, reservedMayEqualTotal bool) (Inventory, int64, error) {
	cur, gen, err := s.store.Inventories(ctx, id)
	if err != nil {
		return Inventory{}, 0, err
	}
	for _, c := range cur {
		if c.ResourceClass == inv.ResourceClass {
			return Inventory{}, 0, apierr.Conflict("Update conflict: Inventory for %s on resource provider %s already exists.", inv.ResourceClass, id)
		}
	}
	vs, err := s.validateInventories(ctx, id, "create", []Inventory{inv}, reservedMayEqualTotal)
	if err != nil {
		return Inventory{}, 0, err
	}
	g, err := s.store.SetInventories(ctx, id, gen, append(cur, vs[0]))
	return vs[0], g, err
}

// UpdateInventory is PUT .../inventories/{rc}: the provider must have
// an inventory of the class. In Placement's order: the values are
// checked first, then that the inventory exists (a 400), then the
// generation.
func (s *Service) UpdateInventory(ctx context.Context, id string, gen int64, inv Inventory, reservedMayEqualTotal bool) (Inventory, int64, error) {
	cur, curGen, err := s.store.Inventories(ctx, id)
	if err != nil {
		return Inventory{}, 0, err
	}
	if err := s.checkClass(ctx, inv.ResourceClass); err != nil {
		return Inventory{}, 0, apierr.BadRequest("No such resource class %s.", inv.ResourceClass)
	}
	vs, err := s.validateInventories(ctx, id, "update", []Inventory{inv}, reservedMayEqualTotal)
	if err != nil {
		return Inventory{}, 0, err
	}
	i := slices.IndexFunc(cur, func(c Inventory) bool { return c.ResourceClass == inv.ResourceClass })
	if i < 0 {
		return Inventory{}, 0, apierr.BadRequest("No inventory record with resource class for resource provider %s: No inventory of class %s found.", id, inv.ResourceClass)
	}
	if curGen != gen {
		return Inventory{}, 0, ErrGenerationMismatch(id, curGen, gen)
	}
	cur[i] = vs[0]
	g, err := s.store.SetInventories(ctx, id, gen, cur)
	return vs[0], g, err
}

// DeleteInventory removes one class; gen < 0 means "the current one"
// (DELETE carries no body, so Placement reads the generation itself).
func (s *Service) DeleteInventory(ctx context.Context, id, rc string) error {
	cur, gen, err := s.store.Inventories(ctx, id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(cur, func(c Inventory) bool { return c.ResourceClass == rc })
	if i < 0 {
		return apierr.NotFound("No inventory of class %s found for delete", rc)
	}
	_, err = s.store.SetInventories(ctx, id, gen, slices.Delete(cur, i, i+1))
	return err
}

// DeleteInventories removes all of a provider's inventories (1.5).
func (s *Service) DeleteInventories(ctx context.Context, id string) error {
	_, gen, err := s.store.Inventories(ctx, id)
	if err != nil {
		return err
	}
	_, err = s.store.SetInventories(ctx, id, gen, nil)
	return err
}

// ProviderUsages returns a provider's usage per class.
func (s *Service) ProviderUsages(ctx context.Context, id string) (Usage, int64, error) {
	return s.store.ProviderUsages(ctx, id)
}

// Usages sums allocations by project (and user, consumer type) (1.9).
func (s *Service) Usages(ctx context.Context, projectID, userID, consumerType string) (map[string]TypeUsage, error) {
	return s.store.Usages(ctx, projectID, userID, consumerType)
}
