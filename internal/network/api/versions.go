package api

import (
	"net/http"
	"time"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

func (h *Handler) versions(w http.ResponseWriter, r *http.Request) error {
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"versions": []any{map[string]any{
		"id": "v2.0", "status": "CURRENT",
		"links": []any{map[string]any{"rel": "self", "href": httpapi.BaseURL(r) + "/v2.0/"}},
	}}})
}

// collections are the top-level collections GET /v2.0/ lists: name,
// collection and URL path (Neutron spells some paths with hyphens).
var collections = [][3]string{
	{"network", "networks", "networks"}, {"subnet", "subnets", "subnets"},
	{"subnetpool", "subnetpools", "subnetpools"}, {"port", "ports", "ports"},
	{"address_scope", "address_scopes", "address-scopes"},
	{"router", "routers", "routers"}, {"floatingip", "floatingips", "floatingips"},
	{"floatingip_pool", "floatingip_pools", "floatingip_pools"},
	{"security_group", "security_groups", "security-groups"},
	{"security_group_rule", "security_group_rules", "security-group-rules"},
	{"auto_allocated_topology", "auto_allocated_topologies", "auto-allocated-topology"},
}

func (h *Handler) resources(w http.ResponseWriter, r *http.Request) error {
	out := make([]any, 0, len(collections))
	for _, c := range collections {
		out = append(out, map[string]any{"name": c[0], "collection": c[1],
			"links": []any{map[string]any{"rel": "self", "href": httpapi.BaseURL(r) + "/v2.0/" + c[2]}}})
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"resources": out})
}

// extension is one entry of GET /v2.0/extensions. A DHCP extension is
// listed only when DHCP agents can exist (the linuxbridge mechanism):
// with the noop driver nothing would host the networks it schedules.
type extension struct{ alias, name, description string }

// extensions are the API extensions this service implements, exactly:
// clients and Tempest decide what to use and test from this list.
var extensions = []extension{
	{"external-net", "Neutron external network", "Adds external network attribute to network resource."},
	{"provider", "Provider Network", "Expose mapping of virtual networks to physical networks"},
	{"net-mtu", "Network MTU", "Provides MTU attribute for a network resource."},
	{"net-mtu-writable", "Network MTU (writable)", "Provides a writable MTU attribute for a network resource."},
	{"project-id", "project_id field enabled", "Extension that indicates that project_id field is enabled."},
	{"standard-attr-description", "standard-attr-description", "Extension to add descriptions to standard attributes"},
	{"standard-attr-revisions", "Resource revision numbers", "This extension will display the revision number of neutron resources."},
	{"standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes."},
	{"standard-attr-tag", "Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip", "Enables to set tag on resources with standard attribute."},
	{"tag", "Tag support", "Enables to set tag on resources."},
	{"revision-if-match", "If-Match constraints based on revision_number", "Extension indicating that If-Match based on revision_number is supported."},
	{"sorting", "Sorting support", "Extension that indicates that sorting is enabled."},
	{"pagination", "Pagination support", "Extension that indicates that pagination is enabled."},
	{"subnet_allocation", "Subnet Allocation", "Enables allocation of subnets from a subnet pool"},
	{"default-subnetpools", "Default Subnetpools", "Provides ability to mark and use a subnetpool as the default."},
	{"auto-allocated-topology", "Auto Allocated Topology Services", "Auto Allocated Topology Services."},
	{"address-scope", "Address scope", "Address scopes extension."},
	{"binding", "Port Binding", "Expose port bindings of a virtual port to external application"},
	{"port-security", "Port Security", "Provides port security"},
	{"allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs"},
	{"extra_dhcp_opt", "Neutron Extra DHCP options", "Extra options configuration for DHCP. For example PXE boot options to DHCP clients can be specified (e.g. tftp-server, server-ip-address, bootfile-name)"},
	{"dns-integration", "DNS Integration", "Provides integration with DNS."},
	{"ip-substring-filtering", "IP address substring filtering", "Provides IP address substring filtering when listing ports"},
	{"ip_allocation", "IP Allocation", "IP allocation extension."},
	{"subnet-service-types", "Subnet service types", "Provides ability to set the subnet service_types field"},
	{"subnet-external-network", "Subnet External Network", "Informs if the subnet is associated to an external network."},
	{"router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway."},
	{"ext-gw-mode", "Neutron L3 Configurable external gateway mode", "Extension of the router abstraction for specifying whether SNAT should occur on the external gateway"},
	{"extraroute", "Neutron Extra Route", "Extra routes configuration for L3 router"},
	{"extraroute-atomic", "Atomically add/remove extra routes", "Edit extra routes of a router on server side by atomically adding/removing extra routes"},
	{"dvr", "Distributed Virtual Router", "Enables configuration of Distributed Virtual Routers."},
	{"l3-ha", "HA Router extension", "Adds HA capability to routers."},
	{"router_availability_zone", "Router Availability Zone", "Availability zone support for router."},
	{"router-admin-state-down-before-update", "Enforce Router's Admin State Down Before Update Extension", "Ensure that the admin state of a router is down (admin_state_up=False) before updating the distributed attribute"},
	{"fip-port-details", "Floating IP Port Details Extension", "Add port_details attribute to Floating IP resource"},
	{"floatingip-pools", "Floating IP Pools Extension", "Provides a floating IP pools API."},
	{"floating-ip-port-forwarding", "Floating IP Port Forwarding", "Allows the forwarding of a floating IP's ports to a port's fixed IP and port"},
	{"floating-ip-port-forwarding-description", "Floating IP Port Forwarding new attribute description", "Add a description field to Port Forwarding rules"},
	{"expose-port-forwarding-in-fip", "Expose port forwardings in a floating IP", "Expose on floating IP GET requests the port forwarding rules"},
	{"quotas", "Quota management support", "Expose functions for quotas management per project"},
	{"quota_details", "Quota details management support", "Expose functions for quotas usage statistics per project"},
	{"agent", "agent", "The agent management extension."},
	{"dhcp_agent_scheduler", "DHCP Agent Scheduler", "Schedule networks among dhcp agents"},
	{"availability_zone", "Availability Zone", "The availability zone extension."},
	{"network_availability_zone", "Network Availability Zone", "Availability zone support for network."},
	{"network-ip-availability", "Network IP Availability", "Provides IP availability data for each network and subnet."},
	{"service-type", "Neutron Service Type Management", "API for retrieving service providers for Neutron advanced services"},
	{"security-group", "security-group", "The security groups extension."},
	{"metering", "Neutron Metering", "Neutron Metering extension."},
	{"metering_source_and_destination_fields", "Neutron Metering with source and destination filtering", "Neutron Metering extension that enables the use of source and destination IP prefixes."},
	{"rbac-policies", "RBAC Policies", "Allows creation and modification of policies that control tenant access to resources."},
	{"stateful-security-group", "Stateful security group", "Indicates if the security group is stateful or not"},
	{"security-groups-rules-belongs-to-default-sg", "Security group rule belongs to the project's default security group", "Flag to determine if the security group rule belongs to the project's default security group"},
}

func (e extension) render() map[string]any {
	return map[string]any{"alias": e.alias, "name": e.name, "description": e.description,
		"updated": time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05-00:00"), "links": []any{}}
}

func (h *Handler) listExtensions(w http.ResponseWriter, r *http.Request) error {
	out := make([]any, 0, len(extensions))
	for _, e := range extensions {
		if h.offers(e) {
			out = append(out, e.render())
		}
	}
	return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"extensions": out})
}

func (h *Handler) showExtension(w http.ResponseWriter, r *http.Request) error {
	for _, e := range extensions {
		if e.alias == r.PathValue("alias") && h.offers(e) {
			return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"extension": e.render()})
		}
	}
	return wire.NotFoundf("Extension with alias %s does not exist", r.PathValue("alias"))
}

// offers reports whether this deployment implements extension e.
func (h *Handler) offers(e extension) bool {
	return e.alias != "dhcp_agent_scheduler" || h.Svc.Config().Mechanism == network.MechLinuxBridge
}
