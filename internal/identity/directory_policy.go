package identity

// Rule fragments of the directory's defaults, after Keystone's secure-RBAC
// defaults. Role admin on any scope may do everything (rule:admin_required),
// as with enforce_scope off; system readers read; domain-scoped managers
// and readers act within their domain.
const (
	sysReader       = "(role:reader and system_scope:all)"
	adminOrSysRead  = "rule:admin_required or " + sysReader
	domainManagerOf = "(role:manager and token.domain.id:%(target.__KIND__.domain_id)s)"
	domainReaderOf  = "(role:reader and token.domain.id:%(target.__KIND__.domain_id)s)"
)

func kindRule(tmpl, kind string) string {
	out := ""
	for i := 0; i < len(tmpl); i++ {
		if i+8 <= len(tmpl) && tmpl[i:i+8] == "__KIND__" {
			out += kind
			i += 7
			continue
		}
		out += string(tmpl[i])
	}
	return out
}

// directoryPolicies are the default rules of the directory's operations.
var directoryPolicies = map[string]string{
	// Domains.
	"identity:get_domain":    adminOrSysRead + " or token.domain.id:%(target.domain.id)s or token.project.domain.id:%(target.domain.id)s",
	"identity:list_domains":  adminOrSysRead,
	"identity:create_domain": "rule:admin_required",
	"identity:update_domain": "rule:admin_required",
	"identity:delete_domain": "rule:admin_required",

	"identity:create_domain_config":                  "rule:admin_required",
	"identity:get_domain_config":                     adminOrSysRead,
	"identity:get_security_compliance_domain_config": "",
	"identity:update_domain_config":                  "rule:admin_required",
	"identity:delete_domain_config":                  "rule:admin_required",
	"identity:get_domain_config_default":             adminOrSysRead,

	// Projects.
	"identity:get_project":         adminOrSysRead + " or " + kindRule(domainReaderOf, "project") + " or project_id:%(target.project.id)s",
	"identity:list_projects":       adminOrSysRead + " or (role:reader and domain_id:%(target.domain_id)s)",
	"identity:create_project":      "rule:admin_required or " + kindRule(domainManagerOf, "project"),
	"identity:update_project":      "rule:admin_required or " + kindRule(domainManagerOf, "project"),
	"identity:delete_project":      "rule:admin_required or " + kindRule(domainManagerOf, "project"),
	"identity:list_project_tags":   adminOrSysRead + " or " + kindRule(domainReaderOf, "project") + " or project_id:%(target.project.id)s",
	"identity:get_project_tag":     adminOrSysRead + " or " + kindRule(domainReaderOf, "project") + " or project_id:%(target.project.id)s",
	"identity:update_project_tags": "rule:admin_required or " + kindRule(domainManagerOf, "project"),
	"identity:create_project_tag":  "rule:admin_required or " + kindRule(domainManagerOf, "project"),
	"identity:delete_project_tags": "rule:admin_required or " + kindRule(domainManagerOf, "project"),
	"identity:delete_project_tag":  "rule:admin_required or " + kindRule(domainManagerOf, "project"),

	// Users.
	"identity:get_user":             adminOrSysRead + " or " + kindRule(domainReaderOf, "user") + " or user_id:%(target.user.id)s",
	"identity:list_users":           adminOrSysRead + " or (role:reader and domain_id:%(target.domain_id)s)",
	"identity:create_user":          "rule:admin_required or " + kindRule(domainManagerOf, "user"),
	"identity:update_user":          "rule:admin_required or " + kindRule(domainManagerOf, "user"),
	"identity:delete_user":          "rule:admin_required or " + kindRule(domainManagerOf, "user"),
	"identity:change_password":      "rule:admin_required or user_id:%(target.user.id)s",
	"identity:list_groups_for_user": adminOrSysRead + " or " + kindRule(domainReaderOf, "user") + " or user_id:%(target.user.id)s",

	// Groups.
	"identity:get_group":              adminOrSysRead + " or " + kindRule(domainReaderOf, "group"),
	"identity:list_groups":            adminOrSysRead + " or (role:reader and domain_id:%(target.domain_id)s)",
	"identity:create_group":           "rule:admin_required or " + kindRule(domainManagerOf, "group"),
	"identity:update_group":           "rule:admin_required or " + kindRule(domainManagerOf, "group"),
	"identity:delete_group":           "rule:admin_required or " + kindRule(domainManagerOf, "group"),
	"identity:list_users_in_group":    adminOrSysRead + " or " + kindRule(domainReaderOf, "group"),
	"identity:check_user_in_group":    adminOrSysRead + " or " + kindRule(domainReaderOf, "group"),
	"identity:add_user_to_group":      "rule:admin_required or " + kindRule(domainManagerOf, "group"),
	"identity:remove_user_from_group": "rule:admin_required or " + kindRule(domainManagerOf, "group"),

	// Catalog. Anyone authenticated may read regions, as in Keystone.
	"identity:get_region":      "",
	"identity:list_regions":    "",
	"identity:create_region":   "rule:admin_required",
	"identity:update_region":   "rule:admin_required",
	"identity:delete_region":   "rule:admin_required",
	"identity:get_service":     adminOrSysRead,
	"identity:list_services":   adminOrSysRead,
	"identity:create_service":  "rule:admin_required",
	"identity:update_service":  "rule:admin_required",
	"identity:delete_service":  "rule:admin_required",
	"identity:get_endpoint":    adminOrSysRead,
	"identity:list_endpoints":  adminOrSysRead,
	"identity:create_endpoint": "rule:admin_required",
	"identity:update_endpoint": "rule:admin_required",
	"identity:delete_endpoint": "rule:admin_required",

	"identity:create_endpoint_group":                         "rule:admin_required",
	"identity:get_endpoint_group":                            adminOrSysRead,
	"identity:list_endpoint_groups":                          adminOrSysRead,
	"identity:update_endpoint_group":                         "rule:admin_required",
	"identity:delete_endpoint_group":                         "rule:admin_required",
	"identity:add_endpoint_group_to_project":                 "rule:admin_required",
	"identity:remove_endpoint_group_from_project":            "rule:admin_required",
	"identity:get_endpoint_group_in_project":                 adminOrSysRead,
	"identity:list_projects_associated_with_endpoint_group":  adminOrSysRead,
	"identity:list_endpoints_associated_with_endpoint_group": adminOrSysRead,
	"identity:list_endpoint_groups_for_project":              adminOrSysRead,
	"identity:add_endpoint_to_project":                       "rule:admin_required",
	"identity:remove_endpoint_from_project":                  "rule:admin_required",
	"identity:check_endpoint_in_project":                     adminOrSysRead,
	"identity:list_endpoints_for_project":                    adminOrSysRead,
	"identity:list_projects_for_endpoint":                    adminOrSysRead,

	// Credentials: owners manage their own.
	"identity:get_credential":    adminOrSysRead + " or user_id:%(target.credential.user_id)s",
	"identity:list_credentials":  "",
	"identity:create_credential": "rule:admin_required or user_id:%(target.credential.user_id)s",
	"identity:update_credential": "rule:admin_required or user_id:%(target.credential.user_id)s",
	"identity:delete_credential": "rule:admin_required or user_id:%(target.credential.user_id)s",

	"identity:ec2_get_credential":    adminOrSysRead + " or user_id:%(target.credential.user_id)s",
	"identity:ec2_list_credentials":  adminOrSysRead + " or user_id:%(target.user_id)s",
	"identity:ec2_create_credential": "rule:admin_required or user_id:%(target.user_id)s",
	"identity:ec2_delete_credential": "rule:admin_required or user_id:%(target.credential.user_id)s",

	// Policy blobs and OAuth1 consumers.
	"identity:get_policy":      adminOrSysRead,
	"identity:list_policies":   adminOrSysRead,
	"identity:create_policy":   "rule:admin_required",
	"identity:update_policy":   "rule:admin_required",
	"identity:delete_policy":   "rule:admin_required",
	"identity:get_consumer":    adminOrSysRead,
	"identity:list_consumers":  adminOrSysRead,
	"identity:create_consumer": "rule:admin_required",
	"identity:update_consumer": "rule:admin_required",
	"identity:delete_consumer": "rule:admin_required",

	// Unified limits: anyone may read registered limits and the model;
	// limits are readable in their project or domain.
	"identity:get_limit_model":          "",
	"identity:get_registered_limit":     "",
	"identity:list_registered_limits":   "",
	"identity:create_registered_limits": "rule:admin_required",
	"identity:update_registered_limit":  "rule:admin_required",
	"identity:delete_registered_limit":  "rule:admin_required",
	"identity:get_limit":                adminOrSysRead + " or project_id:%(target.limit.project_id)s or domain_id:%(target.limit.domain_id)s",
	"identity:list_limits":              "",
	"identity:create_limits":            "rule:admin_required",
	"identity:update_limit":             "rule:admin_required",
	"identity:delete_limit":             "rule:admin_required",
}
