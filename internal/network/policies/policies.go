// Package policies holds the networking API's policy rules: Neutron's
// rule names and their defaults. The route table of network/api names a
// rule for every route; an operator's network.yaml overrides the
// defaults rule by rule.
package policies

// Defaults are Neutron's default rules (the Zed defaults with the
// deprecated owner rules still honoured, as a cloud upgraded from an
// older release has them): a project manages its own resources and reads
// the shared and external networks; attribute rules such as
// "create_network:shared" guard what only an admin may set, and
// "get_network:provider:network_type" what only an admin may read.
func Defaults() map[string]string {
	const (
		admin        = "rule:context_is_admin"
		owner        = "rule:admin_or_owner"
		netOwner     = "rule:admin_or_network_owner"
		advsvcOr     = "rule:context_is_advsvc or "
		anyone       = "rule:regular_user"
		ownerOrNetOw = "rule:admin_owner_or_network_owner"
	)
	m := map[string]string{
		"context_is_admin":                  "role:admin",
		"owner":                             "project_id:%(project_id)s",
		"admin_or_owner":                    "rule:context_is_admin or rule:owner",
		"context_is_advsvc":                 "role:advsvc",
		"admin_or_network_owner":            "rule:context_is_admin or project_id:%(network:tenant_id)s",
		"admin_owner_or_network_owner":      "rule:owner or rule:admin_or_network_owner",
		"network_device":                    "field:port:device_owner=~^network:",
		"admin_only":                        "rule:context_is_admin",
		"regular_user":                      "",
		"shared":                            "field:networks:shared=True",
		"external":                          "field:networks:router:external=True",
		"default":                           owner,
		"shared_subnetpools":                "field:subnetpools:shared=True",
		"shared_address_scopes":             "field:address_scopes:shared=True",
		"admin_or_sg_owner":                 "rule:context_is_admin or project_id:%(security_group:tenant_id)s",
		"admin_owner_or_sg_owner":           "rule:owner or rule:admin_or_sg_owner",
		"admin_or_data_plane_int":           "rule:context_is_admin or role:data_plane_integrator",
		"get_network":                       owner + " or rule:shared or rule:external or rule:context_is_advsvc",
		"create_network":                    anyone,
		"update_network":                    owner,
		"delete_network":                    owner,
		"get_subnet":                        owner + " or rule:shared",
		"create_subnet":                     netOwner,
		"update_subnet":                     netOwner,
		"delete_subnet":                     netOwner,
		"get_subnetpool":                    owner + " or rule:shared_subnetpools",
		"create_subnetpool":                 anyone,
		"update_subnetpool":                 owner,
		"delete_subnetpool":                 owner,
		"get_address_scope":                 owner + " or rule:shared_address_scopes",
		"create_address_scope":              anyone,
		"update_address_scope":              owner,
		"delete_address_scope":              owner,
		"get_port":                          advsvcOr + ownerOrNetOw,
		"create_port":                       anyone,
		"update_port":                       owner + " or rule:context_is_advsvc",
		"delete_port":                       advsvcOr + ownerOrNetOw,
		"get_router":                        owner,
		"create_router":                     anyone,
		"update_router":                     owner,
		"delete_router":                     owner,
		"add_router_interface":              owner,
		"remove_router_interface":           owner,
		"add_extraroutes":                   owner,
		"remove_extraroutes":                owner,
		"get_floatingip":                    owner,
		"create_floatingip":                 anyone,
		"update_floatingip":                 owner,
		"delete_floatingip":                 owner,
		"get_floatingip_pool":               anyone,
		"get_floatingip_port_forwarding":    owner,
		"create_floatingip_port_forwarding": owner,
		"update_floatingip_port_forwarding": owner,
		"delete_floatingip_port_forwarding": owner,
		"get_security_group":                owner,
		"create_security_group":             anyone,
		"update_security_group":             owner,
		"delete_security_group":             owner,
		"get_security_group_rule":           "rule:admin_owner_or_sg_owner",
		"create_security_group_rule":        owner,
		"delete_security_group_rule":        owner,
		"get_quota":                         owner,
		"update_quota":                      admin,
		"delete_quota":                      admin,
		"get_agent":                         admin,
		"update_agent":                      admin,
		"delete_agent":                      admin,
		"get_dhcp-networks":                 admin,
		"create_dhcp-network":               admin,
		"delete_dhcp-network":               admin,
		"get_dhcp-agents":                   admin,
		"get_l3-routers":                    admin,
		"create_l3-router":                  admin,
		"delete_l3-router":                  admin,
		"get_l3-agents":                     admin,
		"get_metering_label":                admin,
		"create_metering_label":             admin,
		"delete_metering_label":             admin,
		"get_metering_label_rule":           admin,
		"create_metering_label_rule":        admin,
		"delete_metering_label_rule":        admin,
		"get_rbac_policy":                   owner,
		"create_rbac_policy":                anyone,
		"restrict_wildcard":                 "(not field:rbac_policy:target_tenant=* and not field:rbac_policy:target_project=*) or rule:admin_only",
		"create_rbac_policy:target_tenant":  "rule:restrict_wildcard",
		"create_rbac_policy:target_project": "rule:restrict_wildcard",
		"update_rbac_policy:target_tenant":  "rule:restrict_wildcard and " + owner,
		"update_rbac_policy:target_project": "rule:restrict_wildcard and " + owner,
		"update_rbac_policy":                owner,
		"delete_rbac_policy":                owner,
		"get_network_ip_availability":       admin,
		"get_availability_zone":             anyone,
		"get_service_provider":              anyone,
		"get_auto_allocated_topology":       owner,
		"delete_auto_allocated_topology":    owner,
		"get_network_segment_range":         admin,
		"create_network_segment_range":      admin,
		"update_network_segment_range":      admin,
		"delete_network_segment_range":      admin,
		"get_segment":                       admin,
		"create_segment":                    admin,
		"update_segment":                    admin,
		"delete_segment":                    admin,
		"get_policy":                        anyone,
		"create_policy":                     admin,
		"update_policy":                     admin,
		"delete_policy":                     admin,
		"get_policy_rule":                   anyone,
		"create_policy_rule":                admin,
		"update_policy_rule":                admin,
		"delete_policy_rule":                admin,
		"get_rule_type":                     anyone,
		"get_trunk":                         owner,
		"create_trunk":                      anyone,
		"update_trunk":                      owner,
		"delete_trunk":                      owner,
		"add_subports":                      owner,
		"remove_subports":                   owner,
		"get_subports":                      owner,
		"get_tags":                          anyone,
		"create_tags":                       anyone,
		"update_tags":                       anyone,
		"delete_tags":                       anyone,
		"get_extension":                     anyone,
	}
	adminAttrs := map[string][]string{
		"create_network": {"shared", "router:external", "is_default", "segments", "provider:network_type",
			"provider:physical_network", "provider:segmentation_id"},
		"update_network": {"shared", "router:external", "is_default", "segments", "provider:network_type",
			"provider:physical_network", "provider:segmentation_id"},
		"get_network":           {"segments", "provider:network_type", "provider:physical_network", "provider:segmentation_id"},
		"create_subnetpool":     {"shared", "is_default"},
		"update_subnetpool":     {"is_default"},
		"create_address_scope":  {"shared"},
		"update_address_scope":  {"shared"},
		"create_port":           {"binding:host_id", "binding:profile"},
		"update_port":           {"binding:host_id", "binding:profile"},
		"get_port":              {"binding:vif_type", "binding:vif_details", "binding:host_id", "binding:profile"},
		"create_router":         {"distributed", "ha", "external_gateway_info:enable_snat", "external_gateway_info:external_fixed_ips"},
		"update_router":         {"distributed", "ha", "external_gateway_info:enable_snat", "external_gateway_info:external_fixed_ips"},
		"get_router":            {"distributed", "ha"},
		"create_floatingip":     {"floating_ip_address"},
		"create_subnet":         {"segment_id", "service_types"},
		"update_subnet":         {"segment_id", "service_types"},
		"get_subnet":            {"segment_id"},
		"create_security_group": {},
	}
	for action, attrs := range adminAttrs {
		for _, a := range attrs {
			m[action+":"+a] = admin
		}
	}
	// Who may set a port's owner, MAC, addresses and security settings:
	// the network's owner (or advsvc), not any project with a port on a
	// shared network.
	for _, a := range []string{"device_owner", "mac_address", "fixed_ips", "fixed_ips:ip_address",
		"port_security_enabled", "allowed_address_pairs"} {
		m["create_port:"+a] = advsvcOr + netOwner
		m["update_port:"+a] = advsvcOr + netOwner
	}
	m["create_port:device_owner"] = "not rule:network_device or " + advsvcOr + netOwner
	m["update_port:device_owner"] = "not rule:network_device or " + advsvcOr + netOwner
	m["create_port:fixed_ips:subnet_id"] = advsvcOr + netOwner + " or rule:shared"
	m["update_port:fixed_ips:subnet_id"] = advsvcOr + netOwner + " or rule:shared"
	return m
}
