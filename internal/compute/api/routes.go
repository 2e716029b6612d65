package api

import (
	"net/http"

	"github.com/gostack/gostack/internal/compute/api/interfaces"
	apikeypairs "github.com/gostack/gostack/internal/compute/api/keypairs"
	"github.com/gostack/gostack/internal/compute/api/netproxy"
	"github.com/gostack/gostack/internal/compute/api/wire"
	"github.com/gostack/gostack/internal/compute/policies"
	netclient "github.com/gostack/gostack/internal/network/client"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Routes is the compute route table. Paths are given without the
// optional project id, which Handler strips.
func (h *Handler) Routes() []httpapi.Route {
	const (
		pFlavor      = "/v2.1/flavors/{flavor_id}"
		pKeypairs    = "/v2.1/os-keypairs"
		pQuotas      = "/v2.1/os-quota-sets/{tenant_id}"
		pGroups      = "/v2.1/os-server-groups"
		pServer      = "/v2.1/servers/{id}"
		pHypervisors = "/v2.1/os-hypervisors"
		pAggregates  = "/v2.1/os-aggregates"
		pImage       = "/v2.1/images/{id}"
		pHost        = "/v2.1/os-hosts/{host}"
	)
	sv, ac, fl, ho := h.servers, h.actions, h.flavors, h.hosts
	kp, gr, qu, us, im := h.keypairs, h.groups, h.quotas, h.usage, h.images
	own := wire.OwnProject
	st := sv.Target
	// act is one server action: its rule, on the server as its target.
	act := func(name, rule string, w ...httpapi.Window) httpapi.Action {
		a := httpapi.Action{Name: name, Policy: rule, Target: ac.Target, Handler: ac.Act}
		if len(w) > 0 {
			a.Versions = w[0]
		}
		return a
	}
	// Nova's network proxies (to 2.35) over the network service's client.
	var ncl *netclient.Client
	if n, ok := sv.Network().(interface{ Client() *netclient.Client }); ok {
		ncl = n.Client()
	}
	np := netproxy.New(sv.Rules, ncl)
	ifc := interfaces.New(sv.Rules, sv.Servers())
	va, vp := h.volumes, h.volproxy
	// A server's security groups are its ports' when there is a network
	// service, else the names it was created with.
	serverGroups := sv.ListSecurityGroups
	if ncl != nil {
		serverGroups = np.ServerSecurityGroups
	}
	proxy := upTo(35)
	routes := []httpapi.Route{
		{Method: "GET", Pattern: "/v2.1/os-security-groups", Policy: policies.SecurityGroupsGet, Target: own, Handler: np.ListSecurityGroups, Versions: proxy},
		{Method: "POST", Pattern: "/v2.1/os-security-groups", Policy: policies.SecurityGroupsCreate, Target: own, Handler: np.CreateSecurityGroup, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-security-groups/{id}", Policy: policies.SecurityGroupsShow, Target: own, Handler: np.ShowSecurityGroup, Versions: proxy},
		{Method: "PUT", Pattern: "/v2.1/os-security-groups/{id}", Policy: policies.SecurityGroupsUpdate, Target: own, Handler: np.UpdateSecurityGroup, Versions: proxy},
		{Method: "DELETE", Pattern: "/v2.1/os-security-groups/{id}", Policy: policies.SecurityGroupsDelete, Target: own, Handler: np.DeleteSecurityGroup, Versions: proxy},
		// "DELETE /os-security-groups/" (no id) is Nova's 404, not a 405.
		{Method: "DELETE", Pattern: "/v2.1/os-security-groups", Policy: policies.SecurityGroupsDelete, Target: own, Handler: np.DeleteSecurityGroup, Versions: proxy},
		{Method: "POST", Pattern: "/v2.1/os-security-group-rules", Policy: policies.SecurityGroupRuleCreate, Target: own, Handler: np.CreateSecurityGroupRule, Versions: proxy},
		{Method: "DELETE", Pattern: "/v2.1/os-security-group-rules/{id}", Policy: policies.SecurityGroupRuleDelete, Target: own, Handler: np.DeleteSecurityGroupRule, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-floating-ip-pools", Policy: policies.FloatingIPPools, Target: own, Handler: np.ListPools, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-floating-ips", Policy: policies.FloatingIPsList, Target: own, Handler: np.ListFloatingIPs, Versions: proxy},
		{Method: "POST", Pattern: "/v2.1/os-floating-ips", Policy: policies.FloatingIPsCreate, Target: own, Handler: np.CreateFloatingIP, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-floating-ips/{id}", Policy: policies.FloatingIPsShow, Target: own, Handler: np.ShowFloatingIP, Versions: proxy},
		{Method: "DELETE", Pattern: "/v2.1/os-floating-ips/{id}", Policy: policies.FloatingIPsDelete, Target: own, Handler: np.DeleteFloatingIP, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-networks", Policy: policies.NetworksList, Target: own, Handler: np.ListNetworks, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-networks/{id}", Policy: policies.NetworksView, Target: own, Handler: np.ShowNetwork, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-tenant-networks", Policy: policies.TenantNetworksList, Target: own, Handler: np.ListTenantNetworks, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-tenant-networks/{id}", Policy: policies.TenantNetworksShow, Target: own, Handler: np.ShowTenantNetwork, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-volumes", Policy: policies.VolumesList, Target: own, Handler: vp.ListVolumes, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-volumes/detail", Policy: policies.VolumesDetail, Target: own, Handler: vp.ListVolumes, Versions: proxy},
		{Method: "POST", Pattern: "/v2.1/os-volumes", Policy: policies.VolumesCreate, Target: own, Handler: vp.CreateVolume, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-volumes/{id}", Policy: policies.VolumesShow, Target: own, Handler: vp.ShowVolume, Versions: proxy},
		{Method: "DELETE", Pattern: "/v2.1/os-volumes/{id}", Policy: policies.VolumesDelete, Target: own, Handler: vp.DeleteVolume, Versions: proxy},
		// "DELETE /os-volumes/" (no id) is Nova's 404, not a 405.
		{Method: "DELETE", Pattern: "/v2.1/os-volumes", Policy: policies.VolumesDelete, Target: own, Handler: vp.DeleteVolume, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-snapshots", Policy: policies.SnapshotsList, Target: own, Handler: vp.ListSnapshots, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-snapshots/detail", Policy: policies.SnapshotsDetail, Target: own, Handler: vp.ListSnapshots, Versions: proxy},
		{Method: "POST", Pattern: "/v2.1/os-snapshots", Policy: policies.SnapshotsCreate, Target: own, Handler: vp.CreateSnapshot, Versions: proxy},
		{Method: "GET", Pattern: "/v2.1/os-snapshots/{id}", Policy: policies.SnapshotsShow, Target: own, Handler: vp.ShowSnapshot, Versions: proxy},
		{Method: "DELETE", Pattern: "/v2.1/os-snapshots/{id}", Policy: policies.SnapshotsDelete, Target: own, Handler: vp.DeleteSnapshot, Versions: proxy},
		{Method: "DELETE", Pattern: "/v2.1/os-snapshots", Policy: policies.SnapshotsDelete, Target: own, Handler: vp.DeleteSnapshot, Versions: proxy},
		{Method: "GET", Pattern: "/{$}", Public: true, Handler: h.listVersions},
		{Method: "GET", Pattern: "/v2.1", Public: true, Handler: h.showVersion},
		{Method: "GET", Pattern: "/v2", Public: true, Handler: h.showLegacyVersion},

		{Method: "GET", Pattern: "/v2.1/flavors", Policy: httpapi.AnyUser, Handler: fl.List},
		{Method: "GET", Pattern: "/v2.1/flavors/detail", Policy: httpapi.AnyUser, Handler: fl.ListDetail},
		{Method: "POST", Pattern: "/v2.1/flavors", Policy: policies.FlavorCreate, Target: own, Handler: fl.Create},
		{Method: "GET", Pattern: pFlavor, Policy: httpapi.AnyUser, Handler: fl.Show},
		{Method: "PUT", Pattern: pFlavor, Policy: policies.FlavorUpdate, Target: own, Handler: fl.Update, Versions: v(55)},
		{Method: "DELETE", Pattern: pFlavor, Policy: policies.FlavorDelete, Target: own, Handler: fl.Delete},
		{Method: "POST", Pattern: pFlavor + "/action", Policy: httpapi.AnyUser, Handler: wire.NoSuchAction, Actions: []httpapi.Action{
			{Name: "addTenantAccess", Policy: policies.FlavorAccessAdd, Target: own, Handler: fl.Action},
			{Name: "removeTenantAccess", Policy: policies.FlavorAccessRemove, Target: own, Handler: fl.Action},
		}},
		{Method: "GET", Pattern: pFlavor + "/os-flavor-access", Policy: policies.FlavorAccessList, Target: own, Handler: fl.ListAccess},
		{Method: "GET", Pattern: pFlavor + "/os-extra_specs", Policy: policies.ExtraSpecsIndex, Target: own, Handler: fl.ListExtraSpecs},
		{Method: "POST", Pattern: pFlavor + "/os-extra_specs", Policy: policies.ExtraSpecsCreate, Target: own, Handler: fl.CreateExtraSpecs},
		{Method: "GET", Pattern: pFlavor + "/os-extra_specs/{key}", Policy: policies.ExtraSpecsShow, Target: own, Handler: fl.ShowExtraSpec},
		{Method: "PUT", Pattern: pFlavor + "/os-extra_specs/{key}", Policy: policies.ExtraSpecsUpdate, Target: own, Handler: fl.UpdateExtraSpec},
		{Method: "DELETE", Pattern: pFlavor + "/os-extra_specs/{key}", Policy: policies.ExtraSpecsDelete, Target: own, Handler: fl.DeleteExtraSpec},

		{Method: "GET", Pattern: pKeypairs, Policy: policies.KeypairsIndex, Target: apikeypairs.ListTarget, Handler: kp.List},
		{Method: "POST", Pattern: pKeypairs, Policy: policies.KeypairsCreate, Target: apikeypairs.CreateTarget, Handler: kp.Create},
		{Method: "GET", Pattern: pKeypairs + "/{name}", Policy: policies.KeypairsShow, Target: apikeypairs.Target, Handler: kp.Show},
		{Method: "DELETE", Pattern: pKeypairs + "/{name}", Policy: policies.KeypairsDelete, Target: apikeypairs.Target, Handler: kp.Delete},

		{Method: "GET", Pattern: "/v2.1/os-availability-zone", Policy: policies.ZonesList, Target: own, Handler: gr.ListZones},
		{Method: "GET", Pattern: "/v2.1/os-availability-zone/detail", Policy: policies.ZonesDetail, Target: own, Handler: gr.ListZonesDetail},

		{Method: "GET", Pattern: "/v2.1/limits", Policy: policies.Limits, Target: own, Handler: qu.ShowLimits},

		{Method: "GET", Pattern: pQuotas, Policy: policies.QuotaShow, Target: wire.TenantTarget, Handler: qu.Show},
		{Method: "PUT", Pattern: pQuotas, Policy: policies.QuotaUpdate, Target: wire.TenantTarget, Handler: qu.Update},
		{Method: "DELETE", Pattern: pQuotas, Policy: policies.QuotaDelete, Target: wire.TenantTarget, Handler: qu.Delete},
		{Method: "GET", Pattern: pQuotas + "/defaults", Policy: policies.QuotaDefaults, Target: wire.TenantTarget, Handler: qu.ShowDefaults},
		{Method: "GET", Pattern: pQuotas + "/detail", Policy: policies.QuotaDetail, Target: wire.TenantTarget, Handler: qu.ShowDetail},
		{Method: "GET", Pattern: "/v2.1/os-quota-class-sets/{id}", Policy: policies.QuotaClassShow, Target: own, Handler: qu.ShowClass},
		{Method: "PUT", Pattern: "/v2.1/os-quota-class-sets/{id}", Policy: policies.QuotaClassUpdate, Target: own, Handler: qu.UpdateClass},

		{Method: "GET", Pattern: pGroups, Policy: policies.GroupsIndex, Target: own, Handler: gr.List},
		{Method: "POST", Pattern: pGroups, Policy: policies.GroupsCreate, Target: own, Handler: gr.Create},
		{Method: "GET", Pattern: pGroups + "/{id}", Policy: policies.GroupsShow, Target: gr.Target(policies.GroupsShow), Handler: gr.Show},
		{Method: "DELETE", Pattern: pGroups + "/{id}", Policy: policies.GroupsDelete, Target: gr.Target(policies.GroupsDelete), Handler: gr.Delete},

		{Method: "GET", Pattern: "/v2.1/servers", Policy: policies.ServersIndex, Target: own, Handler: sv.List},
		{Method: "GET", Pattern: "/v2.1/servers/detail", Policy: policies.ServersDetail, Target: own, Handler: sv.ListDetail},
		{Method: "POST", Pattern: "/v2.1/servers", Policy: policies.ServersCreate, Target: own, Handler: sv.Create},
		{Method: "GET", Pattern: pServer, Policy: policies.ServersShow, Target: st, Handler: sv.Show},
		{Method: "PUT", Pattern: pServer, Policy: policies.ServersUpdate, Target: st, Handler: sv.Update},
		{Method: "DELETE", Pattern: pServer, Policy: policies.ServersDelete, Target: st, Handler: sv.Delete},
		// os-volumes_boot is Nova's old name of the servers collection,
		// for booting from volumes.
		{Method: "GET", Pattern: "/v2.1/os-volumes_boot", Policy: policies.ServersIndex, Target: own, Handler: sv.List},
		{Method: "GET", Pattern: "/v2.1/os-volumes_boot/detail", Policy: policies.ServersDetail, Target: own, Handler: sv.ListDetail},
		{Method: "POST", Pattern: "/v2.1/os-volumes_boot", Policy: policies.ServersCreate, Target: own, Handler: sv.Create},
		{Method: "GET", Pattern: "/v2.1/os-volumes_boot/{id}", Policy: policies.ServersShow, Target: st, Handler: sv.Show},
		{Method: "PUT", Pattern: "/v2.1/os-volumes_boot/{id}", Policy: policies.ServersUpdate, Target: st, Handler: sv.Update},
		{Method: "DELETE", Pattern: "/v2.1/os-volumes_boot/{id}", Policy: policies.ServersDelete, Target: st, Handler: sv.Delete},
		{Method: "POST", Pattern: pServer + "/action", Policy: httpapi.AnyUser, Handler: ac.Unknown, Actions: []httpapi.Action{
			act("reboot", policies.ServersReboot),
			act("os-start", policies.ServersStart),
			act("os-stop", policies.ServersStop),
			act("pause", policies.Pause),
			act("unpause", policies.Unpause),
			act("suspend", policies.Suspend),
			act("resume", policies.Resume),
			act("lock", policies.Lock),
			act("unlock", policies.Unlock),
			act("rescue", policies.Rescue),
			act("unrescue", policies.Unrescue),
			act("rebuild", policies.ServersRebuild),
			act("resize", policies.ServersResize),
			act("confirmResize", policies.ServersConfirmResize),
			act("revertResize", policies.ServersRevertResize),
			act("migrate", policies.Migrate),
			act("os-migrateLive", policies.MigrateLive),
			act("evacuate", policies.Evacuate),
			act("shelve", policies.Shelve),
			act("shelveOffload", policies.ShelveOffload),
			act("unshelve", policies.Unshelve),
			act("createImage", policies.ServersCreateImage),
			act("createBackup", policies.CreateBackup),
			act("changePassword", policies.AdminPassword),
			act("os-resetState", policies.ResetState),
			act("trigger_crash_dump", policies.ServersCrashDump, v(17)),
			act("forceDelete", policies.ForceDelete),
			act("restore", policies.Restore),
			act("addSecurityGroup", policies.SecurityGroupsAdd),
			act("removeSecurityGroup", policies.SecurityGroupsRemove),
			act("addFloatingIp", policies.FloatingIPsAdd, upTo(43)),
			act("removeFloatingIp", policies.FloatingIPsRemove, upTo(43)),
			act("os-getConsoleOutput", policies.ConsoleOutput),
			act("os-getVNCConsole", policies.RemoteConsoles, upTo(5)),
			act("os-getSPICEConsole", policies.RemoteConsoles, upTo(5)),
			act("os-getSerialConsole", policies.RemoteConsoles, upTo(5)),
			act("injectNetworkInfo", policies.InjectNetworkInfo),
		}},
		{Method: "POST", Pattern: pServer + "/remote-consoles", Policy: policies.RemoteConsoles, Target: st, Handler: ac.CreateRemoteConsole, Versions: v(6)},
		{Method: "GET", Pattern: pServer + "/diagnostics", Policy: policies.Diagnostics, Target: st, Handler: ac.ShowDiagnostics},
		{Method: "GET", Pattern: pServer + "/topology", Policy: policies.Topology, Target: st, Handler: sv.ShowTopology, Versions: v(78)},
		{Method: "POST", Pattern: "/v2.1/os-server-external-events", Policy: policies.ExternalEvents, Target: own, Handler: ac.CreateExternalEvents},

		{Method: "GET", Pattern: pServer + "/metadata", Policy: policies.MetadataIndex, Target: st, Handler: sv.ListMetadata},
		{Method: "POST", Pattern: pServer + "/metadata", Policy: policies.MetadataCreate, Target: st, Handler: sv.SetMetadata(false)},
		{Method: "PUT", Pattern: pServer + "/metadata", Policy: policies.MetadataUpdateAll, Target: st, Handler: sv.SetMetadata(true)},
		{Method: "GET", Pattern: pServer + "/metadata/{key}", Policy: policies.MetadataShow, Target: st, Handler: sv.ShowMetadata},
		{Method: "PUT", Pattern: pServer + "/metadata/{key}", Policy: policies.MetadataUpdate, Target: st, Handler: sv.UpdateMetadataItem},
		{Method: "DELETE", Pattern: pServer + "/metadata/{key}", Policy: policies.MetadataDelete, Target: st, Handler: sv.DeleteMetadata},

		{Method: "GET", Pattern: pServer + "/tags", Policy: policies.TagsIndex, Target: st, Handler: sv.ListTags, Versions: v(26)},
		{Method: "PUT", Pattern: pServer + "/tags", Policy: policies.TagsUpdateAll, Target: st, Handler: sv.ReplaceTags, Versions: v(26)},
		{Method: "DELETE", Pattern: pServer + "/tags", Policy: policies.TagsDeleteAll, Target: st, Handler: sv.DeleteTags, Versions: v(26)},
		{Method: "GET", Pattern: pServer + "/tags/{tag}", Policy: policies.TagsShow, Target: st, Handler: sv.ShowTag, Versions: v(26)},
		{Method: "PUT", Pattern: pServer + "/tags/{tag}", Policy: policies.TagsUpdate, Target: st, Handler: sv.AddTag, Versions: v(26)},
		{Method: "DELETE", Pattern: pServer + "/tags/{tag}", Policy: policies.TagsDelete, Target: st, Handler: sv.DeleteTag, Versions: v(26)},

		{Method: "GET", Pattern: pServer + "/ips", Policy: policies.IPsIndex, Target: st, Handler: ifc.ListIPs},
		{Method: "GET", Pattern: pServer + "/ips/{network}", Policy: policies.IPsShow, Target: st, Handler: ifc.ShowIPs},
		{Method: "GET", Pattern: pServer + "/os-server-password", Policy: policies.PasswordShow, Target: st, Handler: sv.ShowPassword},
		{Method: "DELETE", Pattern: pServer + "/os-server-password", Policy: policies.PasswordClear, Target: st, Handler: sv.ClearPassword},
		{Method: "GET", Pattern: pServer + "/os-security-groups", Policy: policies.SecurityGroupsList, Target: st, Handler: serverGroups},
		{Method: "GET", Pattern: pServer + "/os-interface", Policy: policies.InterfacesList, Target: st, Handler: ifc.ListInterfaces},
		{Method: "POST", Pattern: pServer + "/os-interface", Policy: policies.InterfacesCreate, Target: st, Handler: ifc.CreateInterface},
		{Method: "GET", Pattern: pServer + "/os-interface/{port_id}", Policy: policies.InterfacesShow, Target: st, Handler: ifc.ShowInterface},
		{Method: "DELETE", Pattern: pServer + "/os-interface/{port_id}", Policy: policies.InterfacesDelete, Target: st, Handler: ifc.DeleteInterface},
		{Method: "GET", Pattern: pServer + "/os-volume_attachments", Policy: policies.VolumeAttachIndex, Target: st, Handler: va.List},
		{Method: "POST", Pattern: pServer + "/os-volume_attachments", Policy: policies.VolumeAttachCreate, Target: st, Handler: va.Create},
		{Method: "GET", Pattern: pServer + "/os-volume_attachments/{volume_id}", Policy: policies.VolumeAttachShow, Target: st, Handler: va.Show},
		{Method: "PUT", Pattern: pServer + "/os-volume_attachments/{volume_id}", Policy: policies.VolumeAttachUpdate, Target: st, Handler: va.Update},
		{Method: "DELETE", Pattern: pServer + "/os-volume_attachments/{volume_id}", Policy: policies.VolumeAttachDelete, Target: st, Handler: va.Delete},

		{Method: "GET", Pattern: pServer + "/os-instance-actions", Policy: policies.InstanceActionsList, Target: ac.ActionTarget, Handler: ac.ListInstanceActions},
		{Method: "GET", Pattern: pServer + "/os-instance-actions/{request_id}", Policy: policies.InstanceActionsShow, Target: ac.ActionTarget, Handler: ac.ShowInstanceAction},

		{Method: "GET", Pattern: pServer + "/migrations", Policy: policies.ServerMigrationsIndex, Target: st, Handler: ac.ListServerMigrations, Versions: v(23)},
		{Method: "GET", Pattern: pServer + "/migrations/{migration_id}", Policy: policies.ServerMigrationsShow, Target: st, Handler: ac.ShowServerMigration, Versions: v(23)},
		{Method: "POST", Pattern: pServer + "/migrations/{migration_id}/action", Policy: policies.ServerMigrationsForce, Target: st, Handler: ac.ForceCompleteMigration, Versions: v(22)},
		{Method: "DELETE", Pattern: pServer + "/migrations/{migration_id}", Policy: policies.ServerMigrationsDelete, Target: st, Handler: ac.AbortMigration, Versions: v(24)},
		{Method: "GET", Pattern: "/v2.1/os-migrations", Policy: policies.MigrationsIndex, Target: own, Handler: ac.ListMigrations},

		{Method: "GET", Pattern: "/v2.1/os-services", Policy: policies.ServicesList, Target: own, Handler: ho.ListServices},
		{Method: "PUT", Pattern: "/v2.1/os-services/{id}", Policy: policies.ServicesUpdate, Target: own, Handler: ho.UpdateService},
		{Method: "DELETE", Pattern: "/v2.1/os-services/{id}", Policy: policies.ServicesDelete, Target: own, Handler: ho.DeleteService},

		{Method: "GET", Pattern: pHypervisors, Policy: policies.HypervisorsList, Target: own, Handler: ho.ListHypervisors},
		{Method: "GET", Pattern: pHypervisors + "/detail", Policy: policies.HypervisorsDetail, Target: own, Handler: ho.ListHypervisorsDetail},
		{Method: "GET", Pattern: pHypervisors + "/statistics", Policy: policies.HypervisorsStatistics, Target: own, Handler: ho.HypervisorStatistics, Versions: upTo(87)},
		{Method: "GET", Pattern: pHypervisors + "/{id}", Policy: policies.HypervisorsShow, Target: own, Handler: ho.ShowHypervisor},
		{Method: "GET", Pattern: pHypervisors + "/{id}/uptime", Policy: policies.HypervisorsUptime, Target: own, Handler: ho.HypervisorUptime, Versions: upTo(87)},
		{Method: "GET", Pattern: pHypervisors + "/{pattern}/search", Policy: policies.HypervisorsSearch, Target: own, Handler: ho.SearchHypervisors(false), Versions: upTo(52)},
		{Method: "GET", Pattern: pHypervisors + "/{pattern}/servers", Policy: policies.HypervisorsServers, Target: own, Handler: ho.SearchHypervisors(true), Versions: upTo(52)},

		{Method: "GET", Pattern: pAggregates, Policy: policies.AggregatesIndex, Target: own, Handler: ho.ListAggregates},
		{Method: "POST", Pattern: pAggregates, Policy: policies.AggregatesCreate, Target: own, Handler: ho.CreateAggregate},
		{Method: "GET", Pattern: pAggregates + "/{id}", Policy: policies.AggregatesShow, Target: own, Handler: ho.ShowAggregate},
		{Method: "PUT", Pattern: pAggregates + "/{id}", Policy: policies.AggregatesUpdate, Target: own, Handler: ho.UpdateAggregate},
		{Method: "DELETE", Pattern: pAggregates + "/{id}", Policy: policies.AggregatesDelete, Target: own, Handler: ho.DeleteAggregate},
		{Method: "POST", Pattern: pAggregates + "/{id}/action", Policy: httpapi.AnyUser, Handler: wire.NoSuchAction, Actions: []httpapi.Action{
			{Name: "add_host", Policy: policies.AggregatesAddHost, Target: own, Handler: ho.AggregateAction},
			{Name: "remove_host", Policy: policies.AggregatesRemoveHost, Target: own, Handler: ho.AggregateAction},
			{Name: "set_metadata", Policy: policies.AggregatesSetMetadata, Target: own, Handler: ho.AggregateAction},
		}},
		{Method: "POST", Pattern: pAggregates + "/{id}/images", Policy: policies.AggregatesImages, Target: own, Handler: ho.CacheAggregateImages, Versions: v(81)},

		{Method: "GET", Pattern: "/v2.1/os-simple-tenant-usage", Policy: policies.UsageList, Target: own, Handler: us.List},
		{Method: "GET", Pattern: "/v2.1/os-simple-tenant-usage/{tenant_id}", Policy: policies.UsageShow, Target: wire.TenantTarget, Handler: us.Show},

		{Method: "GET", Pattern: "/v2.1/images", Policy: httpapi.AnyUser, Handler: im.List, Versions: upTo(35)},
		{Method: "GET", Pattern: "/v2.1/images/detail", Policy: httpapi.AnyUser, Handler: im.ListDetail, Versions: upTo(35)},
		{Method: "DELETE", Pattern: "/v2.1/images", Policy: httpapi.AnyUser, Handler: im.NoImage},
		{Method: "GET", Pattern: pImage, Policy: httpapi.AnyUser, Handler: im.Show, Versions: upTo(35)},
		{Method: "DELETE", Pattern: pImage, Policy: httpapi.AnyUser, Handler: im.Delete, Versions: upTo(35)},
		{Method: "GET", Pattern: pImage + "/metadata", Policy: httpapi.AnyUser, Handler: im.ListMetadata, Versions: upTo(38)},
		{Method: "POST", Pattern: pImage + "/metadata", Policy: httpapi.AnyUser, Handler: im.SetMetadata(false), Versions: upTo(38)},
		{Method: "PUT", Pattern: pImage + "/metadata", Policy: httpapi.AnyUser, Handler: im.SetMetadata(true), Versions: upTo(38)},
		{Method: "GET", Pattern: pImage + "/metadata/{key}", Policy: httpapi.AnyUser, Handler: im.ShowMetadataItem, Versions: upTo(38)},
		{Method: "PUT", Pattern: pImage + "/metadata/{key}", Policy: httpapi.AnyUser, Handler: im.UpdateMetadataItem, Versions: upTo(38)},
		{Method: "DELETE", Pattern: pImage + "/metadata/{key}", Policy: httpapi.AnyUser, Handler: im.DeleteMetadataItem, Versions: upTo(38)},

		{Method: "GET", Pattern: "/v2.1/os-hosts", Policy: policies.HostsList, Target: own, Handler: ho.List, Versions: upTo(42)},
		{Method: "GET", Pattern: pHost, Policy: policies.HostsShow, Target: own, Handler: ho.Show, Versions: upTo(42)},
		{Method: "PUT", Pattern: pHost, Policy: policies.HostsUpdate, Target: own, Handler: ho.Update, Versions: upTo(42)},
		{Method: "GET", Pattern: pHost + "/reboot", Policy: policies.HostsReboot, Target: own, Handler: ho.Power("reboot"), Versions: upTo(42)},
		{Method: "GET", Pattern: pHost + "/shutdown", Policy: policies.HostsShutdown, Target: own, Handler: ho.Power("shutdown"), Versions: upTo(42)},
		{Method: "GET", Pattern: pHost + "/startup", Policy: policies.HostsStart, Target: own, Handler: ho.Power("startup"), Versions: upTo(42)},

		{Method: "GET", Pattern: "/v2.1/os-instance_usage_audit_log", Policy: policies.AuditLogList, Target: own, Handler: ho.ListAuditLogs},
		{Method: "GET", Pattern: "/v2.1/os-instance_usage_audit_log/{before}", Policy: policies.AuditLogShow, Target: own, Handler: ho.ShowAuditLog},

		{Method: "GET", Pattern: "/v2.1/extensions", Policy: policies.Extensions, Target: own, Handler: h.listExtensions},
		{Method: "GET", Pattern: "/v2.1/extensions/{alias}", Policy: policies.Extensions, Target: own, Handler: h.showExtension},
	}
	for i := range routes {
		rt := &routes[i]
		if rt.Public {
			continue
		}
		if rt.Handler != nil {
			rt.Handler = checkURLProject(rt.Handler)
		}
		// An action route has no rule of its own: the URL is checked
		// before the action's rule, as it was before any rule when one
		// handler served every action.
		for j := range rt.Actions {
			a := &rt.Actions[j]
			a.Target = checkURLProjectTarget(a.Target)
			a.Handler = checkURLProject(a.Handler)
		}
	}
	return routes
}

// urlProject refuses a /v2.1/{project_id}/... URL whose project is not
// the token's, as Nova does.
func urlProject(r *http.Request) error {
	if p, _ := r.Context().Value(wire.URLProjectKey{}).(string); p != "" && p != wire.Creds(r).ProjectID {
		return wire.BadRequest("Malformed request URL: URL's project_id '%s' doesn't match Context's project_id '%s'", p, wire.Creds(r).ProjectID)
	}
	return nil
}

// checkURLProject checks the URL's project before next.
func checkURLProject(next httpapi.HandlerFunc) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := urlProject(r); err != nil {
			return err
		}
		return next(w, r)
	}
}

// checkURLProjectTarget checks the URL's project before the policy
// target next (nil: no target of its own) is built.
func checkURLProjectTarget(next func(*http.Request) (map[string]any, error)) func(*http.Request) (map[string]any, error) {
	return func(r *http.Request) (map[string]any, error) {
		if err := urlProject(r); err != nil {
			return nil, err
		}
		if next == nil {
			return nil, nil
		}
		return next(r)
	}
}
