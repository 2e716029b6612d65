package placement

import (
	"slices"
	"sort"
	"strings"

	"github.com/gostack/gostack/internal/placement/standard"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Fits reports whether amount more of inv can be allocated on top of used,
// and that amount respects the inventory's min_unit, max_unit and step_size.
func (inv Inventory) Fits(used, amount int64) bool {
	return unitsOK(inv, amount) && used+amount <= inv.Capacity()
}

func unitsOK(inv Inventory, amount int64) bool {
	step := inv.StepSize
	if step < 1 {
		step = 1
	}
	return amount >= inv.MinUnit && amount <= inv.MaxUnit && amount%step == 0
}

// CheckCapacity decides whether allocs may be written. inv holds the
// inventories of the providers allocs touch, used what other consumers
// already hold there (the consumers being rewritten excluded). It is the
// whole of Placement's allocation rule: every class must be in the
// provider's inventory, every single amount must respect min_unit,
// max_unit and step_size, and the sum per provider and class must fit
// (total - reserved) * allocation_ratio.
func CheckCapacity(allocs []Allocation, inv map[string]map[string]Inventory, used map[string]Usage) error {
	type key struct{ rp, rc string }
	sum := map[key]int64{}
	var keys []key
	for _, a := range allocs {
		if a.Used == 0 {
			continue
		}
		i, ok := inv[a.ProviderUUID][a.ResourceClass]
		if !ok {
			return apierr.Conflict("Unable to allocate inventory: Inventory for '%s' on resource provider '%s' invalid.", a.ResourceClass, a.ProviderUUID)
		}
		if !unitsOK(i, a.Used) {
			return apierr.Conflict("Unable to allocate inventory: Allocation for %s on resource provider %s violates min_unit, max_unit, or step_size. Requested: %d, min_unit: %d, max_unit: %d, step_size: %d", a.ResourceClass, a.ProviderUUID, a.Used, i.MinUnit, i.MaxUnit, i.StepSize)
		}
		k := key{a.ProviderUUID, a.ResourceClass}
		if _, seen := sum[k]; !seen {
			keys = append(keys, k)
		}
		sum[k] += a.Used
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].rp != keys[j].rp {
			return keys[i].rp < keys[j].rp
		}
		return keys[i].rc < keys[j].rc
	})
	for _, k := range keys {
		i := inv[k.rp][k.rc]
		if used[k.rp][k.rc]+sum[k] > i.Capacity() {
			return apierr.Conflict("Unable to allocate inventory: Unable to create allocation for '%s' on resource provider '%s'. The requested amount would exceed the capacity.", k.rc, k.rp)
		}
	}
	return nil
}

// CheckInventoryChange decides whether a provider's inventories may go
// from old to new given what is allocated: a class in use may not be
// removed. Lowering a total below its usage is allowed, as Placement does
// (the provider is then simply over-committed until allocations go).
func CheckInventoryChange(provider string, new []Inventory, used Usage) error {
	have := map[string]bool{}
	for _, i := range new {
		have[i.ResourceClass] = true
	}
	var inUse []string
	for rc, n := range used {
		if n > 0 && !have[rc] {
			inUse = append(inUse, rc)
		}
	}
	if len(inUse) > 0 {
		// In resource class id order, as Placement lists them: the
		// standard classes first, in os-resource-classes' order, then the
		// custom ones.
		std := standard.Classes()
		rank := func(rc string) int {
			if i := slices.Index(std, rc); i >= 0 {
				return i
			}
			return len(std)
		}
		sort.Slice(inUse, func(i, j int) bool {
			if ri, rj := rank(inUse[i]), rank(inUse[j]); ri != rj {
				return ri < rj
			}
			return inUse[i] < inUse[j]
		})
		return apierr.Conflict("Inventory for '%s' on resource provider '%s' in use.", strings.Join(inUse, ", "), provider).WithType(CodeInventoryInUse)
	}
	return nil
}
