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
		sv = "/v2.1/servers/{id}"
		hv = "/v2.1/os-hypervisors"
		ag = "/v2.1/os-aggregates"
		im = "/v2.1/images/{id}"
		ho = "/v2.1/os-hosts/{host}"
	)
	own := ownProject
	st := h.serverTarget
	routes := []httpapi.Route{
		{Method: "GET", Pattern: "/{$}", Public: true, Handler: h.listVersions},
		{Method: "GET", Pattern: "/v2.1", Public: true, Handler: h.showVersion},
		{Method: "GET", Pattern: "/v2", Public: true, Handler: h.showLegacyVersion},

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

		{Method: "GET", Pattern: "/v2.1/servers", Policy: c.RuleServersIndex, Target: own, Handler: h.listServers},
		{Method: "GET", Pattern: "/v2.1/servers/detail", Policy: c.RuleServersDetail, Target: own, Handler: h.listServersDetail},
		{Method: "POST", Pattern: "/v2.1/servers", Policy: c.RuleServersCreate, Target: own, Handler: h.createServer},
		{Method: "GET", Pattern: sv, Policy: c.RuleServersShow, Target: st, Handler: h.showServer},
		{Method: "PUT", Pattern: sv, Policy: c.RuleServersUpdate, Target: st, Handler: h.updateServer},
		{Method: "DELETE", Pattern: sv, Policy: c.RuleServersDelete, Target: st, Handler: h.deleteServer},
		{Method: "POST", Pattern: sv + "/action", Handler: h.serverAction},
		{Method: "POST", Pattern: sv + "/remote-consoles", Policy: c.RuleRemoteConsoles, Target: st, Handler: h.createRemoteConsole, Versions: v(6)},
		{Method: "GET", Pattern: sv + "/diagnostics", Policy: c.RuleDiagnostics, Target: st, Handler: h.showDiagnostics},
		{Method: "GET", Pattern: sv + "/topology", Policy: c.RuleTopology, Target: st, Handler: h.showTopology, Versions: v(78)},
		{Method: "POST", Pattern: "/v2.1/os-server-external-events", Policy: c.RuleExternalEvents, Target: own, Handler: h.createExternalEvents},

		{Method: "GET", Pattern: sv + "/metadata", Policy: c.RuleMetadataIndex, Target: st, Handler: h.listServerMetadata},
		{Method: "POST", Pattern: sv + "/metadata", Policy: c.RuleMetadataCreate, Target: st, Handler: h.setServerMetadata(false)},
		{Method: "PUT", Pattern: sv + "/metadata", Policy: c.RuleMetadataUpdateAll, Target: st, Handler: h.setServerMetadata(true)},
		{Method: "GET", Pattern: sv + "/metadata/{key}", Policy: c.RuleMetadataShow, Target: st, Handler: h.showServerMetadata},
		{Method: "PUT", Pattern: sv + "/metadata/{key}", Policy: c.RuleMetadataUpdate, Target: st, Handler: h.updateServerMetadataItem},
		{Method: "DELETE", Pattern: sv + "/metadata/{key}", Policy: c.RuleMetadataDelete, Target: st, Handler: h.deleteServerMetadata},

		{Method: "GET", Pattern: sv + "/tags", Policy: c.RuleTagsIndex, Target: st, Handler: h.listServerTags, Versions: v(26)},
		{Method: "PUT", Pattern: sv + "/tags", Policy: c.RuleTagsUpdateAll, Target: st, Handler: h.replaceServerTags, Versions: v(26)},
		{Method: "DELETE", Pattern: sv + "/tags", Policy: c.RuleTagsDeleteAll, Target: st, Handler: h.deleteServerTags, Versions: v(26)},
		{Method: "GET", Pattern: sv + "/tags/{tag}", Policy: c.RuleTagsShow, Target: st, Handler: h.showServerTag, Versions: v(26)},
		{Method: "PUT", Pattern: sv + "/tags/{tag}", Policy: c.RuleTagsUpdate, Target: st, Handler: h.addServerTag, Versions: v(26)},
		{Method: "DELETE", Pattern: sv + "/tags/{tag}", Policy: c.RuleTagsDelete, Target: st, Handler: h.deleteServerTag, Versions: v(26)},

		{Method: "GET", Pattern: sv + "/ips", Policy: c.RuleIPsIndex, Target: st, Handler: h.listServerIPs},
		{Method: "GET", Pattern: sv + "/ips/{network}", Policy: c.RuleIPsShow, Target: st, Handler: h.showServerIPs},
		{Method: "GET", Pattern: sv + "/os-server-password", Policy: c.RulePasswordShow, Target: st, Handler: h.showServerPassword},
		{Method: "DELETE", Pattern: sv + "/os-server-password", Policy: c.RulePasswordClear, Target: st, Handler: h.clearServerPassword},
		{Method: "GET", Pattern: sv + "/os-security-groups", Policy: c.RuleSecurityGroupsList, Target: st, Handler: h.listServerSecurityGroups},
		{Method: "GET", Pattern: sv + "/os-interface", Policy: c.RuleInterfacesList, Target: st, Handler: h.listInterfaces},
		{Method: "POST", Pattern: sv + "/os-interface", Policy: c.RuleInterfacesCreate, Target: st, Handler: h.createInterface},
		{Method: "GET", Pattern: sv + "/os-interface/{port_id}", Policy: c.RuleInterfacesShow, Target: st, Handler: h.interfaceNotFound},
		{Method: "DELETE", Pattern: sv + "/os-interface/{port_id}", Policy: c.RuleInterfacesDelete, Target: st, Handler: h.interfaceNotFound},
		{Method: "GET", Pattern: sv + "/os-volume_attachments", Policy: c.RuleVolumeAttachIndex, Target: st, Handler: h.listVolumeAttachments},
		{Method: "POST", Pattern: sv + "/os-volume_attachments", Policy: c.RuleVolumeAttachCreate, Target: st, Handler: h.createVolumeAttachment},
		{Method: "GET", Pattern: sv + "/os-volume_attachments/{volume_id}", Policy: c.RuleVolumeAttachShow, Target: st, Handler: h.volumeAttachmentNotFound},
		{Method: "PUT", Pattern: sv + "/os-volume_attachments/{volume_id}", Policy: c.RuleVolumeAttachUpdate, Target: st, Handler: h.volumeAttachmentNotFound},
		{Method: "DELETE", Pattern: sv + "/os-volume_attachments/{volume_id}", Policy: c.RuleVolumeAttachDelete, Target: st, Handler: h.volumeAttachmentNotFound},

		{Method: "GET", Pattern: sv + "/os-instance-actions", Policy: c.RuleInstanceActionsList, Target: h.actionTarget, Handler: h.listInstanceActions},
		{Method: "GET", Pattern: sv + "/os-instance-actions/{request_id}", Policy: c.RuleInstanceActionsShow, Target: h.actionTarget, Handler: h.showInstanceAction},

		{Method: "GET", Pattern: sv + "/migrations", Policy: c.RuleServerMigrationsIndex, Target: st, Handler: h.listServerMigrations, Versions: v(23)},
		{Method: "GET", Pattern: sv + "/migrations/{migration_id}", Policy: c.RuleServerMigrationsShow, Target: st, Handler: h.showServerMigration, Versions: v(23)},
		{Method: "POST", Pattern: sv + "/migrations/{migration_id}/action", Policy: c.RuleServerMigrationsForce, Target: st, Handler: h.forceCompleteMigration, Versions: v(22)},
		{Method: "DELETE", Pattern: sv + "/migrations/{migration_id}", Policy: c.RuleServerMigrationsDelete, Target: st, Handler: h.abortMigration, Versions: v(24)},
		{Method: "GET", Pattern: "/v2.1/os-migrations", Policy: c.RuleMigrationsIndex, Target: own, Handler: h.listMigrations},

		{Method: "GET", Pattern: "/v2.1/os-services", Policy: c.RuleServicesList, Target: own, Handler: h.listServices},
		{Method: "PUT", Pattern: "/v2.1/os-services/{id}", Policy: c.RuleServicesUpdate, Target: own, Handler: h.updateService},
		{Method: "DELETE", Pattern: "/v2.1/os-services/{id}", Policy: c.RuleServicesDelete, Target: own, Handler: h.deleteService},

		{Method: "GET", Pattern: hv, Policy: c.RuleHypervisorsList, Target: own, Handler: h.listHypervisors},
		{Method: "GET", Pattern: hv + "/detail", Policy: c.RuleHypervisorsDetail, Target: own, Handler: h.listHypervisorsDetail},
		{Method: "GET", Pattern: hv + "/statistics", Policy: c.RuleHypervisorsStatistics, Target: own, Handler: h.hypervisorStatistics, Versions: upTo(87)},
		{Method: "GET", Pattern: hv + "/{id}", Policy: c.RuleHypervisorsShow, Target: own, Handler: h.showHypervisor},
		{Method: "GET", Pattern: hv + "/{id}/uptime", Policy: c.RuleHypervisorsUptime, Target: own, Handler: h.hypervisorUptime, Versions: upTo(87)},
		{Method: "GET", Pattern: hv + "/{pattern}/search", Policy: c.RuleHypervisorsSearch, Target: own, Handler: h.searchHypervisors(false), Versions: upTo(52)},
		{Method: "GET", Pattern: hv + "/{pattern}/servers", Policy: c.RuleHypervisorsServers, Target: own, Handler: h.searchHypervisors(true), Versions: upTo(52)},

		{Method: "GET", Pattern: ag, Policy: c.RuleAggregatesIndex, Target: own, Handler: h.listAggregates},
		{Method: "POST", Pattern: ag, Policy: c.RuleAggregatesCreate, Target: own, Handler: h.createAggregate},
		{Method: "GET", Pattern: ag + "/{id}", Policy: c.RuleAggregatesShow, Target: own, Handler: h.showAggregate},
		{Method: "PUT", Pattern: ag + "/{id}", Policy: c.RuleAggregatesUpdate, Target: own, Handler: h.updateAggregate},
		{Method: "DELETE", Pattern: ag + "/{id}", Policy: c.RuleAggregatesDelete, Target: own, Handler: h.deleteAggregate},
		{Method: "POST", Pattern: ag + "/{id}/action", Handler: h.aggregateAction},
		{Method: "POST", Pattern: ag + "/{id}/images", Policy: c.RuleAggregatesImages, Target: own, Handler: h.cacheAggregateImages, Versions: v(81)},

		{Method: "GET", Pattern: "/v2.1/os-simple-tenant-usage", Policy: c.RuleUsageList, Target: own, Handler: h.listUsage},
		{Method: "GET", Pattern: "/v2.1/os-simple-tenant-usage/{tenant_id}", Policy: c.RuleUsageShow, Target: tenantTarget, Handler: h.showUsage},

		{Method: "GET", Pattern: "/v2.1/images", Handler: h.listImages, Versions: upTo(35)},
		{Method: "GET", Pattern: "/v2.1/images/detail", Handler: h.listImagesDetail, Versions: upTo(35)},
		{Method: "DELETE", Pattern: "/v2.1/images", Handler: h.noImage},
		{Method: "GET", Pattern: im, Handler: h.showImage, Versions: upTo(35)},
		{Method: "DELETE", Pattern: im, Handler: h.deleteImage, Versions: upTo(35)},
		{Method: "GET", Pattern: im + "/metadata", Handler: h.listImageMetadata, Versions: upTo(38)},
		{Method: "POST", Pattern: im + "/metadata", Handler: h.setImageMetadata(false), Versions: upTo(38)},
		{Method: "PUT", Pattern: im + "/metadata", Handler: h.setImageMetadata(true), Versions: upTo(38)},
		{Method: "GET", Pattern: im + "/metadata/{key}", Handler: h.showImageMetadataItem, Versions: upTo(38)},
		{Method: "PUT", Pattern: im + "/metadata/{key}", Handler: h.updateImageMetadataItem, Versions: upTo(38)},
		{Method: "DELETE", Pattern: im + "/metadata/{key}", Handler: h.deleteImageMetadataItem, Versions: upTo(38)},

		{Method: "GET", Pattern: "/v2.1/os-hosts", Policy: c.RuleHostsList, Target: own, Handler: h.listHosts, Versions: upTo(42)},
		{Method: "GET", Pattern: ho, Policy: c.RuleHostsShow, Target: own, Handler: h.showHost, Versions: upTo(42)},
		{Method: "PUT", Pattern: ho, Policy: c.RuleHostsUpdate, Target: own, Handler: h.updateHost, Versions: upTo(42)},
		{Method: "GET", Pattern: ho + "/reboot", Policy: c.RuleHostsReboot, Target: own, Handler: h.hostPower("reboot"), Versions: upTo(42)},
		{Method: "GET", Pattern: ho + "/shutdown", Policy: c.RuleHostsShutdown, Target: own, Handler: h.hostPower("shutdown"), Versions: upTo(42)},
		{Method: "GET", Pattern: ho + "/startup", Policy: c.RuleHostsStart, Target: own, Handler: h.hostPower("startup"), Versions: upTo(42)},

		{Method: "GET", Pattern: "/v2.1/os-instance_usage_audit_log", Policy: c.RuleAuditLogList, Target: own, Handler: h.listAuditLogs},
		{Method: "GET", Pattern: "/v2.1/os-instance_usage_audit_log/{before}", Policy: c.RuleAuditLogShow, Target: own, Handler: h.showAuditLog},

		{Method: "GET", Pattern: "/v2.1/extensions", Policy: c.RuleExtensions, Target: own, Handler: h.listExtensions},
		{Method: "GET", Pattern: "/v2.1/extensions/{alias}", Policy: c.RuleExtensions, Target: own, Handler: h.showExtension},
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
