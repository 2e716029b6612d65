package api

import (
	"net/http"
	"time"

	pl "github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/schema"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// inventoryReq is one inventory in a request; pointers tell "absent".
type inventoryReq struct {
	Total           *int64   `json:"total"`
	Reserved        *int64   `json:"reserved"`
	MinUnit         *int64   `json:"min_unit"`
	MaxUnit         *int64   `json:"max_unit"`
	StepSize        *int64   `json:"step_size"`
	AllocationRatio *float64 `json:"allocation_ratio"`
}

func (q inventoryReq) inventory(rc string) (pl.Inventory, error) {
	if q.Total == nil {
		return pl.Inventory{}, apierr.BadRequest("JSON does not validate: 'total' is a required property")
	}
	inv := pl.Inventory{ResourceClass: rc, Total: *q.Total}
	for _, f := range []struct {
		name string
		src  *int64
		dst  *int64
		min  int64
	}{
		{"total", q.Total, &inv.Total, 1},
		{"reserved", q.Reserved, &inv.Reserved, 0},
		{"min_unit", q.MinUnit, &inv.MinUnit, 1},
		{"max_unit", q.MaxUnit, &inv.MaxUnit, 1},
		{"step_size", q.StepSize, &inv.StepSize, 1},
	} {
		if f.src == nil {
			continue
		}
		if *f.src < f.min {
			return inv, apierr.BadRequest("JSON does not validate: %d is less than the minimum of %d\n\nFailed validating 'minimum' in schema['properties']['%s']", *f.src, f.min, f.name)
		}
		if *f.src > pl.MaxInt {
			return inv, apierr.BadRequest("JSON does not validate: %d is greater than the maximum of %d\n\nFailed validating 'maximum' in schema['properties']['%s']", *f.src, pl.MaxInt, f.name)
		}
		*f.dst = *f.src
	}
	if q.AllocationRatio != nil {
		if *q.AllocationRatio < 0 {
			return inv, apierr.BadRequest("JSON does not validate: %v is less than the minimum of 0\n\nFailed validating 'minimum' in schema['properties']['allocation_ratio']", *q.AllocationRatio)
		}
		if *q.AllocationRatio > 3.40282e+38 {
			return inv, apierr.BadRequest("JSON does not validate: %v is greater than the maximum of 3.40282e+38\n\nFailed validating 'maximum' in schema['properties']['allocation_ratio']", *q.AllocationRatio)
		}
		inv.AllocationRatio = *q.AllocationRatio
	}
	return inv.WithDefaults(), nil
}

func inventoryBody(i pl.Inventory) map[string]any {
	return map[string]any{
		"total": i.Total, "reserved": i.Reserved, "min_unit": i.MinUnit, "max_unit": i.MaxUnit,
		"step_size": i.StepSize, "allocation_ratio": i.AllocationRatio,
	}
}

func inventoriesBody(invs []pl.Inventory, gen int64) map[string]any {
	m := map[string]any{}
	for _, i := range invs {
		m[i.ResourceClass] = inventoryBody(i)
	}
	return map[string]any{"inventories": m, "resource_provider_generation": gen}
}

func (h *Handler) listInventories(w http.ResponseWriter, r *http.Request) error {
	invs, gen, err := h.svc.Inventories(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	return reply(w, r, http.StatusOK, inventoriesBody(invs, gen), time.Time{})
}

func (h *Handler) setInventories(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Generation  *int64                  `json:"resource_provider_generation"`
		Inventories map[string]inventoryReq `json:"inventories"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Generation == nil || req.Inventories == nil {
		return apierr.BadRequest("JSON does not validate: 'resource_provider_generation' and 'inventories' are required properties")
	}
	id := r.PathValue("uuid")
	if _, err := h.svc.Provider(r.Context(), id); err != nil {
		return err
	}
	var invs []pl.Inventory
	for rc, q := range req.Inventories {
		inv, err := q.inventory(rc)
		if err != nil {
			return err
		}
		invs = append(invs, inv)
	}
	gen, err := h.svc.SetInventories(r.Context(), id, *req.Generation, invs, at(r, 26))
	if err != nil {
		return err
	}
	cur, _, err := h.svc.Inventories(r.Context(), id)
	if err != nil {
		return err
	}
	return reply(w, r, http.StatusOK, inventoriesBody(cur, gen), time.Time{})
}

type oneInventoryReq struct {
	inventoryReq
	ResourceClass *string `json:"resource_class"`
	Generation    *int64  `json:"resource_provider_generation"`
}

func (h *Handler) createInventory(w http.ResponseWriter, r *http.Request) error {
	var req oneInventoryReq
	if err := decode(r, &req); err != nil {
		return err
	}
	// Placement's POST schema does not require the generation, and its
	// handler adds the inventory at the generation it reads itself.
	if req.ResourceClass == nil {
		return apierr.BadRequest("JSON does not validate: 'resource_class' is a required property")
	}
	inv, err := req.inventory(*req.ResourceClass)
	if err != nil {
		return err
	}
	id := r.PathValue("uuid")
	inv, gen, err := h.svc.AddInventory(r.Context(), id, inv, at(r, 26))
	if err != nil {
		return err
	}
	body := inventoryBody(inv)
	body["resource_provider_generation"] = gen
	location(w, r, "/resource_providers/"+id+"/inventories/"+inv.ResourceClass)
	return reply(w, r, http.StatusCreated, body, time.Time{})
}

func (h *Handler) showInventory(w http.ResponseWriter, r *http.Request) error {
	invs, gen, err := h.svc.Inventories(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	rc := r.PathValue("rc")
	for _, i := range invs {
		if i.ResourceClass == rc {
			body := inventoryBody(i)
			body["resource_provider_generation"] = gen
			return reply(w, r, http.StatusOK, body, time.Time{})
		}
	}
	return apierr.NotFound("No inventory of class %s for %s", rc, r.PathValue("uuid"))
}

func (h *Handler) updateInventory(w http.ResponseWriter, r *http.Request) error {
	var req oneInventoryReq
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.ResourceClass != nil {
		return apierr.BadRequest("JSON does not validate: Additional properties are not allowed ('resource_class' was unexpected)")
	}
	if req.Generation == nil {
		return apierr.BadRequest("JSON does not validate: 'resource_provider_generation' is a required property")
	}
	inv, err := req.inventory(r.PathValue("rc"))
	if err != nil {
		return err
	}
	inv, gen, err := h.svc.UpdateInventory(r.Context(), r.PathValue("uuid"), *req.Generation, inv, at(r, 26))
	if err != nil {
		return err
	}
	body := inventoryBody(inv)
	body["resource_provider_generation"] = gen
	return reply(w, r, http.StatusOK, body, time.Time{})
}

func (h *Handler) deleteInventory(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteInventory(r.Context(), r.PathValue("uuid"), r.PathValue("rc")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) deleteInventories(w http.ResponseWriter, r *http.Request) error {
	// Before 1.5 Placement answers the method as not allowed, not 404.
	if !at(r, 5) {
		return &apierr.Error{Code: http.StatusMethodNotAllowed, Message: "The method DELETE is not allowed for this resource.", Header: http.Header{"Allow": {"GET, POST, PUT"}}}
	}
	if err := h.svc.DeleteInventories(r.Context(), r.PathValue("uuid")); err != nil {
		return err
	}
	return httpapi.NoContent(w)
}

func (h *Handler) providerUsages(w http.ResponseWriter, r *http.Request) error {
	u, gen, err := h.svc.ProviderUsages(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	return reply(w, r, http.StatusOK, map[string]any{"usages": u, "resource_provider_generation": gen}, time.Time{})
}

func (h *Handler) usages(w http.ResponseWriter, r *http.Request) error {
	allowed := map[string]bool{"project_id": true, "user_id": true}
	if at(r, 38) {
		allowed["consumer_type"] = true
	}
	q, err := queryParams(r, allowed)
	if err != nil {
		return err
	}
	if !q.Has("project_id") {
		return schema.QueryFail("required", "'project_id' is a required property")
	}
	// Both ids are 1 to 255 characters, user_id only when given.
	for _, k := range []string{"project_id", "user_id"} {
		if q.Has(k) {
			if err := schema.Length(q.Get(k), 1, 255, true, k); err != nil {
				return err
			}
		}
	}
	us, err := h.svc.Usages(r.Context(), q.Get("project_id"), q.Get("user_id"), q.Get("consumer_type"))
	if err != nil {
		return err
	}
	if at(r, 38) {
		out := map[string]any{}
		put := func(key string, tu pl.TypeUsage) {
			m, _ := out[key].(map[string]any)
			if m == nil {
				m = map[string]any{"consumer_count": int64(0)}
				out[key] = m
			}
			m["consumer_count"] = m["consumer_count"].(int64) + tu.Consumers
			for rc, n := range tu.Usage {
				prev, _ := m[rc].(int64)
				m[rc] = prev + n
			}
		}
		for ct, tu := range us {
			if q.Get("consumer_type") == "all" {
				ct = "all"
			}
			put(ct, tu)
		}
		return reply(w, r, http.StatusOK, map[string]any{"usages": out}, time.Time{})
	}
	total := pl.Usage{}
	for _, tu := range us {
		for rc, n := range tu.Usage {
			total[rc] += n
		}
	}
	return reply(w, r, http.StatusOK, map[string]any{"usages": total}, time.Time{})
}
