package api

import (
	"github.com/gostack/gostack/internal/network/api/autoalloc"
	"github.com/gostack/gostack/internal/network/api/core"
	"github.com/gostack/gostack/internal/network/api/extras"
	"github.com/gostack/gostack/internal/network/api/l3"
	"github.com/gostack/gostack/internal/network/api/secgroups"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Routes is the networking API's route table. Item routes name their
// resource {id}; the tag routes find any resource kind through loaders.
func (h *Handler) Routes() []httpapi.Route {
	c := core.Handlers{Ctx: &h.Ctx, Ports: h.ports}
	ex := extras.Handlers{Ctx: &h.Ctx}
	sg := secgroups.Handlers{Ctx: &h.Ctx}
	l := l3.Handlers{Ctx: &h.Ctx}
	own := wire.OwnTarget
	item := h.ItemTarget
	create := h.CreateTarget
	const (
		nets = "/v2.0/networks"
		net  = nets + "/{id}"
	)
	return append([]httpapi.Route{
		{Method: "GET", Pattern: "/{$}", Public: true, Handler: h.versions},
		{Method: "GET", Pattern: "/v2.0", Public: true, Handler: h.resources},
		{Method: "GET", Pattern: "/v2.0/extensions", Policy: "get_extension", Target: own, Handler: h.listExtensions},
		{Method: "GET", Pattern: "/v2.0/extensions/{alias}", Policy: "get_extension", Target: own, Handler: h.showExtension},

		// Networks.
		{Method: "GET", Pattern: nets, Policy: "get_network", Target: own, Handler: c.ListNetworks},
		{Method: "POST", Pattern: nets, Policy: "create_network", Target: create("network", "networks"), Handler: c.CreateNetwork},
		{Method: "GET", Pattern: net, Policy: "get_network", Target: item(c.LoadNetwork), Handler: c.ShowNetwork},
		{Method: "PUT", Pattern: net, Policy: "update_network", Target: item(c.LoadNetwork), Handler: c.UpdateNetwork},
		{Method: "DELETE", Pattern: net, Policy: "delete_network", Target: item(c.LoadNetwork), Handler: c.DeleteNetwork},

		// Subnets, subnet pools, address scopes, ports (core).
		{Method: "GET", Pattern: "/v2.0/subnets", Policy: "get_subnet", Target: own, Handler: c.ListSubnets},
		{Method: "POST", Pattern: "/v2.0/subnets", Policy: "create_subnet", Target: create("subnet", "subnets"), Handler: c.CreateSubnet},
		{Method: "GET", Pattern: "/v2.0/subnets/{id}", Policy: "get_subnet", Target: item(c.LoadSubnet), Handler: c.ShowSubnet},
		{Method: "PUT", Pattern: "/v2.0/subnets/{id}", Policy: "update_subnet", Target: item(c.LoadSubnet), Handler: c.UpdateSubnet},
		{Method: "DELETE", Pattern: "/v2.0/subnets/{id}", Policy: "delete_subnet", Target: item(c.LoadSubnet), Handler: c.DeleteSubnet},
		{Method: "GET", Pattern: "/v2.0/subnetpools", Policy: "get_subnetpool", Target: own, Handler: c.ListSubnetPools},
		{Method: "POST", Pattern: "/v2.0/subnetpools", Policy: "create_subnetpool", Target: create("subnetpool", ""), Handler: c.CreateSubnetPool},
		{Method: "GET", Pattern: "/v2.0/subnetpools/{id}", Policy: "get_subnetpool", Target: item(c.LoadSubnetPool), Handler: c.ShowSubnetPool},
		{Method: "PUT", Pattern: "/v2.0/subnetpools/{id}", Policy: "update_subnetpool", Target: item(c.LoadSubnetPool), Handler: c.UpdateSubnetPool},
		{Method: "DELETE", Pattern: "/v2.0/subnetpools/{id}", Policy: "delete_subnetpool", Target: item(c.LoadSubnetPool), Handler: c.DeleteSubnetPool},
		{Method: "GET", Pattern: "/v2.0/address-scopes", Policy: "get_address_scope", Target: own, Handler: c.ListAddressScopes},
		{Method: "POST", Pattern: "/v2.0/address-scopes", Policy: "create_address_scope", Target: create("address_scope", ""), Handler: c.CreateAddressScope},
		{Method: "GET", Pattern: "/v2.0/address-scopes/{id}", Policy: "get_address_scope", Target: item(c.LoadAddressScope), Handler: c.ShowAddressScope},
		{Method: "PUT", Pattern: "/v2.0/address-scopes/{id}", Policy: "update_address_scope", Target: item(c.LoadAddressScope), Handler: c.UpdateAddressScope},
		{Method: "DELETE", Pattern: "/v2.0/address-scopes/{id}", Policy: "delete_address_scope", Target: item(c.LoadAddressScope), Handler: c.DeleteAddressScope},
		{Method: "GET", Pattern: "/v2.0/ports", Policy: "get_port", Target: own, Handler: c.ListPorts},
		{Method: "POST", Pattern: "/v2.0/ports", Policy: "create_port", Target: create("port", "ports"), Handler: c.CreatePort},
		{Method: "GET", Pattern: "/v2.0/ports/{id}", Policy: "get_port", Target: item(c.LoadPort), Handler: c.ShowPort},
		{Method: "PUT", Pattern: "/v2.0/ports/{id}", Policy: "update_port", Target: item(c.LoadPort), Handler: c.UpdatePort},
		{Method: "DELETE", Pattern: "/v2.0/ports/{id}", Policy: "delete_port", Target: item(c.LoadPort), Handler: c.DeletePort},

		// Routers, floating IPs, port forwardings (l3).
		{Method: "GET", Pattern: "/v2.0/routers", Policy: "get_router", Target: own, Handler: l.ListRouters},
		{Method: "POST", Pattern: "/v2.0/routers", Policy: "create_router", Target: create("router", ""), Handler: l.CreateRouter},
		{Method: "GET", Pattern: "/v2.0/routers/{id}", Policy: "get_router", Target: item(l.LoadRouter), Handler: l.ShowRouter},
		{Method: "PUT", Pattern: "/v2.0/routers/{id}", Policy: "update_router", Target: item(l.LoadRouter), Handler: l.UpdateRouter},
		{Method: "DELETE", Pattern: "/v2.0/routers/{id}", Policy: "delete_router", Target: item(l.LoadRouter), Handler: l.DeleteRouter},
		{Method: "PUT", Pattern: "/v2.0/routers/{id}/add_router_interface", Policy: "add_router_interface", Target: item(l.LoadRouter), Handler: l.AddInterface},
		{Method: "PUT", Pattern: "/v2.0/routers/{id}/remove_router_interface", Policy: "remove_router_interface", Target: item(l.LoadRouter), Handler: l.RemoveInterface},
		{Method: "PUT", Pattern: "/v2.0/routers/{id}/add_extraroutes", Policy: "add_extraroutes", Target: item(l.LoadRouter), Handler: l.AddRoutes},
		{Method: "PUT", Pattern: "/v2.0/routers/{id}/remove_extraroutes", Policy: "remove_extraroutes", Target: item(l.LoadRouter), Handler: l.RemoveRoutes},
		{Method: "GET", Pattern: "/v2.0/floatingips", Policy: "get_floatingip", Target: own, Handler: l.ListFloatingIPs},
		{Method: "POST", Pattern: "/v2.0/floatingips", Policy: "create_floatingip", Target: create("floatingip", ""), Handler: l.CreateFloatingIP},
		{Method: "GET", Pattern: "/v2.0/floatingips/{id}", Policy: "get_floatingip", Target: item(l.LoadFloatingIP), Handler: l.ShowFloatingIP},
		{Method: "PUT", Pattern: "/v2.0/floatingips/{id}", Policy: "update_floatingip", Target: item(l.LoadFloatingIP), Handler: l.UpdateFloatingIP},
		{Method: "DELETE", Pattern: "/v2.0/floatingips/{id}", Policy: "delete_floatingip", Target: item(l.LoadFloatingIP), Handler: l.DeleteFloatingIP},
		{Method: "GET", Pattern: "/v2.0/floatingip_pools", Policy: "get_floatingip_pool", Target: own, Handler: l.ListPools},
		{Method: "GET", Pattern: "/v2.0/floatingips/{id}/port_forwardings", Policy: "get_floatingip_port_forwarding", Target: item(l.LoadFloatingIP), Handler: l.ListPortForwardings},
		{Method: "POST", Pattern: "/v2.0/floatingips/{id}/port_forwardings", Policy: "create_floatingip_port_forwarding", Target: item(l.LoadFloatingIP), Handler: l.CreatePortForwarding},
		{Method: "GET", Pattern: "/v2.0/floatingips/{id}/port_forwardings/{pf}", Policy: "get_floatingip_port_forwarding", Target: item(l.LoadFloatingIP), Handler: l.ShowPortForwarding},
		{Method: "PUT", Pattern: "/v2.0/floatingips/{id}/port_forwardings/{pf}", Policy: "update_floatingip_port_forwarding", Target: item(l.LoadFloatingIP), Handler: l.UpdatePortForwarding},
		{Method: "DELETE", Pattern: "/v2.0/floatingips/{id}/port_forwardings/{pf}", Policy: "delete_floatingip_port_forwarding", Target: item(l.LoadFloatingIP), Handler: l.DeletePortForwarding},

		// Security groups and rules (secgroups).
		{Method: "GET", Pattern: "/v2.0/security-groups", Policy: "get_security_group", Target: own, Handler: sg.ListGroups},
		{Method: "POST", Pattern: "/v2.0/security-groups", Policy: "create_security_group", Target: create("security_group", "security_groups"), Handler: sg.CreateGroup},
		{Method: "GET", Pattern: "/v2.0/security-groups/{id}", Policy: "get_security_group", Target: item(sg.LoadGroup), Handler: sg.ShowGroup},
		{Method: "PUT", Pattern: "/v2.0/security-groups/{id}", Policy: "update_security_group", Target: item(sg.LoadGroup), Handler: sg.UpdateGroup},
		{Method: "DELETE", Pattern: "/v2.0/security-groups/{id}", Policy: "delete_security_group", Target: item(sg.LoadGroup), Handler: sg.DeleteGroup},
		{Method: "GET", Pattern: "/v2.0/security-group-rules", Policy: "get_security_group_rule", Target: own, Handler: sg.ListRules},
		{Method: "POST", Pattern: "/v2.0/security-group-rules", Policy: "create_security_group_rule", Target: create("security_group_rule", "security_group_rules"), Handler: sg.CreateRule},
		{Method: "GET", Pattern: "/v2.0/security-group-rules/{id}", Policy: "get_security_group_rule", Target: sg.RuleTarget, Handler: sg.ShowRule},
		{Method: "DELETE", Pattern: "/v2.0/security-group-rules/{id}", Policy: "delete_security_group_rule", Target: sg.RuleTarget, Handler: sg.DeleteRule},

		// Quotas, agents, availability zones, RBAC, metering, QoS,
		// segments, service providers, IP availability, auto-allocated
		// topology (extras). Lists of what only an admin reads are open
		// to every caller and check get_<resource> on each item, as
		// Neutron does: a project lists none rather than getting a 403.
		{Method: "GET", Pattern: "/v2.0/quotas", Policy: "get_quota", Target: extras.AllQuotasTarget, Handler: ex.ListQuotas},
		{Method: "GET", Pattern: "/v2.0/quotas/{id}", Policy: "get_quota", Target: extras.QuotaTarget, Handler: ex.ShowQuota},
		{Method: "PUT", Pattern: "/v2.0/quotas/{id}", Policy: "update_quota", Target: extras.QuotaTarget, Handler: ex.UpdateQuota},
		{Method: "DELETE", Pattern: "/v2.0/quotas/{id}", Policy: "delete_quota", Target: extras.QuotaTarget, Handler: ex.DeleteQuota},
		{Method: "GET", Pattern: "/v2.0/quotas/{id}/default", Policy: "get_quota", Target: extras.QuotaTarget, Handler: ex.ShowDefaultQuota},
		{Method: "GET", Pattern: "/v2.0/quotas/{id}/details", Policy: "get_quota", Target: extras.QuotaTarget, Handler: ex.ShowQuotaDetails},
		{Method: "GET", Pattern: "/v2.0/quotas/{id}/details.json", Policy: "get_quota", Target: extras.QuotaTarget, Handler: ex.ShowQuotaDetails},
		{Method: "GET", Pattern: "/v2.0/agents", Policy: httpapi.AnyUser, Handler: ex.ListAgents},
		{Method: "GET", Pattern: "/v2.0/agents/{id}", Policy: "get_agent", Target: item(ex.LoadAgent), Handler: ex.ShowAgent},
		{Method: "PUT", Pattern: "/v2.0/agents/{id}", Policy: "update_agent", Target: item(ex.LoadAgent), Handler: ex.UpdateAgent},
		{Method: "DELETE", Pattern: "/v2.0/agents/{id}", Policy: "delete_agent", Target: item(ex.LoadAgent), Handler: ex.DeleteAgent},
		{Method: "GET", Pattern: "/v2.0/agents/{id}/dhcp-networks", Policy: "get_dhcp-networks", Target: own, Handler: ex.ListDHCPNetworks},
		{Method: "POST", Pattern: "/v2.0/agents/{id}/dhcp-networks", Policy: "create_dhcp-network", Target: own, Handler: ex.AddDHCPNetwork},
		{Method: "DELETE", Pattern: "/v2.0/agents/{id}/dhcp-networks/{network}", Policy: "delete_dhcp-network", Target: own, Handler: ex.RemoveDHCPNetwork},
		{Method: "GET", Pattern: nets + "/{id}/dhcp-agents", Policy: "get_dhcp-agents", Target: own, Handler: ex.ListDHCPAgents},
		{Method: "GET", Pattern: "/v2.0/availability_zones", Policy: "get_availability_zone", Target: own, Handler: ex.ListAZs},
		{Method: "GET", Pattern: "/v2.0/metering/metering-labels", Policy: httpapi.AnyUser, Handler: ex.ListLabels},
		{Method: "POST", Pattern: "/v2.0/metering/metering-labels", Policy: "create_metering_label", Target: create("metering_label", ""), Handler: ex.CreateLabel},
		{Method: "GET", Pattern: "/v2.0/metering/metering-labels/{id}", Policy: "get_metering_label", Target: item(ex.LoadLabel), Handler: ex.ShowLabel},
		{Method: "DELETE", Pattern: "/v2.0/metering/metering-labels/{id}", Policy: "delete_metering_label", Target: item(ex.LoadLabel), Handler: ex.DeleteLabel},
		{Method: "GET", Pattern: "/v2.0/metering/metering-label-rules", Policy: httpapi.AnyUser, Handler: ex.ListRules},
		{Method: "GET", Pattern: "/v2.0/metering/metering-label-rules/{id}", Policy: "get_metering_label_rule", Target: item(ex.LoadRule), Handler: ex.ShowRule},
		{Method: "DELETE", Pattern: "/v2.0/metering/metering-label-rules/{id}", Policy: "delete_metering_label_rule", Target: item(ex.LoadRule), Handler: ex.DeleteRule},
		{Method: "POST", Pattern: "/v2.0/metering/metering-label-rules", Policy: "create_metering_label_rule", Target: create("metering_label_rule", ""), Handler: ex.CreateRule},
		{Method: "GET", Pattern: "/v2.0/rbac-policies", Policy: "get_rbac_policy", Target: own, Handler: ex.ListRBAC},
		{Method: "POST", Pattern: "/v2.0/rbac-policies", Policy: "create_rbac_policy", Target: create("rbac_policy", ""), Handler: ex.CreateRBAC},
		{Method: "GET", Pattern: "/v2.0/rbac-policies/{id}", Policy: "get_rbac_policy", Target: item(ex.LoadRBAC), Handler: ex.ShowRBAC},
		{Method: "PUT", Pattern: "/v2.0/rbac-policies/{id}", Policy: "update_rbac_policy", Target: item(ex.LoadRBAC), Handler: ex.UpdateRBAC},
		{Method: "DELETE", Pattern: "/v2.0/rbac-policies/{id}", Policy: "delete_rbac_policy", Target: item(ex.LoadRBAC), Handler: ex.DeleteRBAC},
		{Method: "GET", Pattern: "/v2.0/network-ip-availabilities", Policy: httpapi.AnyUser, Handler: ex.ListIPAvailability},
		{Method: "GET", Pattern: "/v2.0/network-ip-availabilities/{id}", Policy: "get_network_ip_availability", Target: item(ex.LoadIPAvailability), Handler: ex.ShowIPAvailability},
		{Method: "GET", Pattern: "/v2.0/service-providers", Policy: "get_service_provider", Target: own, Handler: ex.ListServiceProviders},
		{Method: "GET", Pattern: "/v2.0/auto-allocated-topology/{id}", Policy: "get_auto_allocated_topology", Target: autoalloc.Target, Handler: autoalloc.Handlers{Ctx: &h.Ctx}.ShowTopology},
		{Method: "DELETE", Pattern: "/v2.0/auto-allocated-topology/{id}", Policy: "delete_auto_allocated_topology", Target: autoalloc.Target, Handler: autoalloc.Handlers{Ctx: &h.Ctx}.DeleteTopology},
	}, h.tagRoutes()...)
}

// taggables are the resource kinds the tag API serves: the collection's
// URL segment, its kind in the tag table, the singular of its update
// rule, and the loader of one resource (404 when the caller cannot see
// it).
func (h *Handler) taggables() []taggable {
	c := core.Handlers{Ctx: &h.Ctx}
	l := l3.Handlers{Ctx: &h.Ctx}
	sg := secgroups.Handlers{Ctx: &h.Ctx}
	return []taggable{
		{"networks", "networks", "network", c.LoadNetwork},
		{"subnets", "subnets", "subnet", c.LoadSubnet},
		{"subnetpools", "subnetpools", "subnetpool", c.LoadSubnetPool},
		{"ports", "ports", "port", c.LoadPort},
		{"routers", "routers", "router", l.LoadRouter},
		{"floatingips", "floatingips", "floatingip", l.LoadFloatingIP},
		{"security-groups", "security_groups", "security_group", sg.LoadGroup},
	}
}

// tagRoutes are the tag API's routes, six per taggable kind.
func (h *Handler) tagRoutes() []httpapi.Route {
	var rs []httpapi.Route
	for _, t := range h.taggables() {
		all, one := "/v2.0/"+t.path+"/{id}/tags", "/v2.0/"+t.path+"/{id}/tags/{tag}"
		rs = append(rs,
			httpapi.Route{Method: "GET", Pattern: all, Policy: "get_tags", Target: wire.OwnTarget, Handler: h.listTags(t)},
			httpapi.Route{Method: "PUT", Pattern: all, Policy: "update_tags", Target: wire.OwnTarget, Handler: h.replaceTags(t)},
			httpapi.Route{Method: "DELETE", Pattern: all, Policy: "delete_tags", Target: wire.OwnTarget, Handler: h.deleteTags(t)},
			httpapi.Route{Method: "GET", Pattern: one, Policy: "get_tags", Target: wire.OwnTarget, Handler: h.showTag(t)},
			httpapi.Route{Method: "PUT", Pattern: one, Policy: "create_tags", Target: wire.OwnTarget, Handler: h.addTag(t)},
			httpapi.Route{Method: "DELETE", Pattern: one, Policy: "delete_tags", Target: wire.OwnTarget, Handler: h.deleteTag(t)},
		)
	}
	return rs
}
