package api

import (
	"net/http"

	pl "github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/schema"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Routes is the placement route table.
func (h *Handler) Routes() []httpapi.Route {
	const (
		rps = "/resource_providers"
		rp  = "/resource_providers/{uuid}"
	)
	any := httpapi.Window{}
	routes := []httpapi.Route{
		{Method: "GET", Pattern: "/{$}", Public: true, Handler: h.versions, Versions: any},

		{Method: "GET", Pattern: rps, Policy: pl.RuleProvidersList, Handler: h.listProviders},
		{Method: "POST", Pattern: rps, Policy: pl.RuleProvidersCreate, Handler: h.createProvider},
		{Method: "GET", Pattern: rp, Policy: pl.RuleProvidersShow, Handler: h.showProvider},
		{Method: "PUT", Pattern: rp, Policy: pl.RuleProvidersUpdate, Handler: h.updateProvider},
		{Method: "DELETE", Pattern: rp, Policy: pl.RuleProvidersDelete, Handler: h.deleteProvider},

		{Method: "GET", Pattern: "/resource_classes", Policy: pl.RuleClassesList, Handler: h.listClasses, Versions: v(2)},
		{Method: "POST", Pattern: "/resource_classes", Policy: pl.RuleClassesCreate, Handler: h.createClass, Versions: v(2)},
		{Method: "GET", Pattern: "/resource_classes/{name}", Policy: pl.RuleClassesShow, Handler: h.showClass, Versions: v(2)},
		{Method: "PUT", Pattern: "/resource_classes/{name}", Policy: pl.RuleClassesUpdate, Handler: h.renameClass, Versions: httpapi.Window{Min: httpapi.Version{Major: 1, Minor: 2}, Max: httpapi.Version{Major: 1, Minor: 6}}},
		{Method: "PUT", Pattern: "/resource_classes/{name}", Policy: pl.RuleClassesUpdate, Handler: h.putClass, Versions: v(7)},
		{Method: "DELETE", Pattern: "/resource_classes/{name}", Policy: pl.RuleClassesDelete, Handler: h.deleteClass, Versions: v(2)},

		{Method: "GET", Pattern: rp + "/inventories", Policy: pl.RuleInventoriesList, Handler: h.listInventories},
		{Method: "POST", Pattern: rp + "/inventories", Policy: pl.RuleInventoriesCreate, Handler: h.createInventory},
		{Method: "PUT", Pattern: rp + "/inventories", Policy: pl.RuleInventoriesUpdate, Handler: h.setInventories},
		{Method: "DELETE", Pattern: rp + "/inventories", Policy: pl.RuleInventoriesDelete, Handler: h.deleteInventories},
		{Method: "GET", Pattern: rp + "/inventories/{rc}", Policy: pl.RuleInventoriesShow, Handler: h.showInventory},
		{Method: "PUT", Pattern: rp + "/inventories/{rc}", Policy: pl.RuleInventoriesUpdate, Handler: h.updateInventory},
		{Method: "DELETE", Pattern: rp + "/inventories/{rc}", Policy: pl.RuleInventoriesDelete, Handler: h.deleteInventory},

		{Method: "GET", Pattern: rp + "/aggregates", Policy: pl.RuleAggregatesList, Handler: h.listAggregates, Versions: v(1)},
		{Method: "PUT", Pattern: rp + "/aggregates", Policy: pl.RuleAggregatesUpdate, Handler: h.setAggregates, Versions: v(1)},

		{Method: "GET", Pattern: rp + "/usages", Policy: pl.RuleProviderUsages, Handler: h.providerUsages},
		{Method: "GET", Pattern: "/usages", Policy: pl.RuleUsages, Handler: h.usages, Versions: v(9), Target: queryTarget("project_id")},

		{Method: "GET", Pattern: "/traits", Policy: pl.RuleTraitsList, Handler: h.listTraits, Versions: v(6)},
		{Method: "GET", Pattern: "/traits/{name}", Policy: pl.RuleTraitsShow, Handler: h.showTrait, Versions: v(6)},
		{Method: "PUT", Pattern: "/traits/{name}", Policy: pl.RuleTraitsUpdate, Handler: h.putTrait, Versions: v(6)},
		{Method: "DELETE", Pattern: "/traits/{name}", Policy: pl.RuleTraitsDelete, Handler: h.deleteTrait, Versions: v(6)},
		{Method: "GET", Pattern: rp + "/traits", Policy: pl.RuleProviderTraitsList, Handler: h.providerTraits, Versions: v(6)},
		{Method: "PUT", Pattern: rp + "/traits", Policy: pl.RuleProviderTraitsUpdate, Handler: h.setProviderTraits, Versions: v(6)},
		{Method: "DELETE", Pattern: rp + "/traits", Policy: pl.RuleProviderTraitsDelete, Handler: h.deleteProviderTraits, Versions: v(6)},

		{Method: "GET", Pattern: rp + "/allocations", Policy: pl.RuleProviderAllocsList, Handler: h.providerAllocations},
		{Method: "POST", Pattern: "/allocations", Policy: pl.RuleAllocationsManage, Handler: h.postAllocations, Versions: v(13)},
		{Method: "GET", Pattern: "/allocations/{consumer}", Policy: pl.RuleAllocationsList, Handler: h.showAllocations},
		{Method: "PUT", Pattern: "/allocations/{consumer}", Policy: pl.RuleAllocationsUpdate, Handler: h.putAllocations},
		{Method: "DELETE", Pattern: "/allocations/{consumer}", Policy: pl.RuleAllocationsDelete, Handler: h.deleteAllocations},

		{Method: "GET", Pattern: "/allocation_candidates", Policy: pl.RuleCandidatesList, Handler: h.allocationCandidates, Versions: v(10)},
		{Method: "POST", Pattern: "/reshaper", Policy: pl.RuleReshape, Handler: h.reshape, Versions: v(30)},
	}
	for i, rt := range routes {
		// Every PUT and POST reads a JSON body but the two that create a
		// named trait or (from 1.7) resource class.
		body := (rt.Method == "PUT" || rt.Method == "POST") && rt.Pattern != "/traits/{name}" &&
			!(rt.Pattern == "/resource_classes/{name}" && rt.Versions.Min.Minor == 7)
		if !rt.Public {
			routes[i].Handler = schema.Media(rt.Handler, body, rt.Method == "GET")
		}
	}
	return routes
}

// queryTarget exposes query parameters to the policy target.
func queryTarget(names ...string) func(r *http.Request) (map[string]any, error) {
	return func(r *http.Request) (map[string]any, error) {
		t := map[string]any{}
		for _, n := range names {
			t[n] = r.URL.Query().Get(n)
		}
		return t, nil
	}
}
