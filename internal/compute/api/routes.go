package api

import (
	"net/http"

	c "github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Routes is the compute route table. Paths are given without the
// optional project id, which Handler strips.
func (h *Handler) Routes() []httpapi.Route {
	const (
		fl = "/v2.1/flavors/{flavor_id}"
		kp = "/v2.1/os-keypairs"
		qs = "/v2.1/os-quota-sets/{tenant_id}"
		sg = "/v2.1/os-server-groups"
	)
	own := ownProject
	routes := []httpapi.Route{
		{Method: "GET", Pattern: "/{$}", Public: true, Handler: h.listVersions},
		{Method: "GET", Pattern: "/v2.1", Public: true, Handler: h.showVersion},

		{Method: "GET", Pattern: "/v2.1/flavors", Handler: h.listFlavors},
		{Method: "GET", Pattern: "/v2.1/flavors/detail", Handler: h.listFlavorsDetail},
		{Method: "POST", Pattern: "/v2.1/flavors", Policy: c.RuleFlavorCreate, Target: own, Handler: h.createFlavor},
		{Method: "GET", Pattern: fl, Handler: h.showFlavor},
		{Method: "PUT", Pattern: fl, Policy: c.RuleFlavorUpdate, Target: own, Handler: h.updateFlavor, Versions: v(55)},
		{Method: "DELETE", Pattern: fl, Policy: c.RuleFlavorDelete, Target: own, Handler: h.deleteFlavor},
		{Method: "POST", Pattern: fl + "/action", Target: own, Handler: h.flavorAction},
		{Method: "GET", Pattern: fl + "/os-flavor-access", Policy: c.RuleFlavorAccessList, Target: own, Handler: h.listFlavorAccess},
		{Method: "GET", Pattern: fl + "/os-extra_specs", Policy: c.RuleExtraSpecsIndex, Target: own, Handler: h.listExtraSpecs},
		{Method: "POST", Pattern: fl + "/os-extra_specs", Policy: c.RuleExtraSpecsCreate, Target: own, Handler: h.createExtraSpecs},
		{Method: "GET", Pattern: fl + "/os-extra_specs/{key}", Policy: c.RuleExtraSpecsShow, Target: own, Handler: h.showExtraSpec},
		{Method: "PUT", Pattern: fl + "/os-extra_specs/{key}", Policy: c.RuleExtraSpecsUpdate, Target: own, Handler: h.updateExtraSpec},
		{Method: "DELETE", Pattern: fl + "/os-extra_specs/{key}", Policy: c.RuleExtraSpecsDelete, Target: own, Handler: h.deleteExtraSpec},

		{Method: "GET", Pattern: kp, Handler: h.listKeypairs},
		{Method: "POST", Pattern: kp, Handler: h.createKeypair},
		{Method: "GET", Pattern: kp + "/{name}", Handler: h.showKeypair},
		{Method: "DELETE", Pattern: kp + "/{name}", Handler: h.deleteKeypair},

		{Method: "GET", Pattern: "/v2.1/os-availability-zone", Policy: c.RuleZonesList, Target: own, Handler: h.listZones},
		{Method: "GET", Pattern: "/v2.1/os-availability-zone/detail", Policy: c.RuleZonesDetail, Target: own, Handler: h.listZonesDetail},

		{Method: "GET", Pattern: "/v2.1/limits", Policy: c.RuleLimits, Target: own, Handler: h.showLimits},

		{Method: "GET", Pattern: qs, Policy: c.RuleQuotaShow, Target: tenantTarget, Handler: h.showQuotas},
		{Method: "PUT", Pattern: qs, Policy: c.RuleQuotaUpdate, Target: tenantTarget, Handler: h.updateQuotas},
		{Method: "DELETE", Pattern: qs, Policy: c.RuleQuotaDelete, Target: tenantTarget, Handler: h.deleteQuotas},
		{Method: "GET", Pattern: qs + "/defaults", Policy: c.RuleQuotaDefaults, Target: tenantTarget, Handler: h.showDefaultQuotas},
		{Method: "GET", Pattern: qs + "/detail", Policy: c.RuleQuotaDetail, Target: tenantTarget, Handler: h.showQuotaDetail},
		{Method: "GET", Pattern: "/v2.1/os-quota-class-sets/{id}", Policy: c.RuleQuotaClassShow, Target: own, Handler: h.showQuotaClass},
		{Method: "PUT", Pattern: "/v2.1/os-quota-class-sets/{id}", Policy: c.RuleQuotaClassUpdate, Target: own, Handler: h.updateQuotaClass},

		{Method: "GET", Pattern: sg, Policy: c.RuleGroupsIndex, Target: own, Handler: h.listServerGroups},
		{Method: "POST", Pattern: sg, Policy: c.RuleGroupsCreate, Target: own, Handler: h.createServerGroup},
		{Method: "GET", Pattern: sg + "/{id}", Handler: h.showServerGroup},
		{Method: "DELETE", Pattern: sg + "/{id}", Handler: h.deleteServerGroup},
	}
	for i := range routes {
		if !routes[i].Public {
			routes[i].Handler = checkURLProject(routes[i].Handler)
		}
	}
	return routes
}

// checkURLProject refuses a /v2.1/{project_id}/... URL whose project is
// not the token's, as Nova does.
func checkURLProject(next httpapi.HandlerFunc) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if p, _ := r.Context().Value(urlProjectKey{}).(string); p != "" && p != creds(r).ProjectID {
			return badRequest("Malformed request URL: URL's project_id '%s' doesn't match Context's project_id '%s'", p, creds(r).ProjectID)
		}
		return next(w, r)
	}
}
