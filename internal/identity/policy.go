package identity

import (
	"strings"

	"github.com/gostack/gostack/internal/identity/federation"
)

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

// kindRule fills a fragment's __KIND__ with the target kind.
func kindRule(tmpl, kind string) string { return strings.ReplaceAll(tmpl, "__KIND__", kind) }

// directoryPolicies are the default rules of the directory's operations.
func directoryPolicies() map[string]string {
	return map[string]string{
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

		// The OAuth1 delegation flow: admins only, as Keystone's defaults.
		// (Deleting an access token is checked against
		// ec2_delete_credential, as Keystone does.)
		"identity:authorize_request_token": "rule:admin_required",
		"identity:list_access_tokens":      "rule:admin_required",
		"identity:get_access_token":        "rule:admin_required",
		"identity:delete_access_token":     "rule:admin_required",
		"identity:list_access_token_roles": "rule:admin_required",
		"identity:get_access_token_role":   "rule:admin_required",

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
}

// authPolicies are the default rules of the auth and assignment
// operations, under Keystone's names. The admin role may do everything
// (enforce_scope off); users manage their own tokens, application
// credentials and trusts.
func authPolicies() map[string]string {
	return map[string]string{
		"identity:validate_token":                 "rule:service_admin_or_token_subject",
		"identity:check_token":                    "rule:admin_or_token_subject",
		"identity:revoke_token":                   "rule:admin_or_token_subject",
		"identity:get_auth_catalog":               "",
		"identity:get_auth_projects":              "",
		"identity:get_auth_domains":               "",
		"identity:get_auth_system":                "",
		"identity:get_role":                       "rule:admin_required or role:reader",
		"identity:list_roles":                     "rule:admin_required or role:reader",
		"identity:create_role":                    "rule:admin_required",
		"identity:update_role":                    "rule:admin_required",
		"identity:delete_role":                    "rule:admin_required",
		"identity:get_domain_role":                "rule:admin_required",
		"identity:list_domain_roles":              "rule:admin_required",
		"identity:create_domain_role":             "rule:admin_required",
		"identity:update_domain_role":             "rule:admin_required",
		"identity:delete_domain_role":             "rule:admin_required",
		"identity:get_implied_role":               "rule:admin_required",
		"identity:list_implied_roles":             "rule:admin_required",
		"identity:create_implied_role":            "rule:admin_required",
		"identity:delete_implied_role":            "rule:admin_required",
		"identity:list_role_inference_rules":      "rule:admin_required",
		"identity:check_implied_role":             "rule:admin_required",
		"identity:check_grant":                    "rule:admin_required",
		"identity:list_grants":                    "rule:admin_required",
		"identity:create_grant":                   "rule:admin_required",
		"identity:revoke_grant":                   "rule:admin_required",
		"identity:check_system_grant_for_user":    "rule:admin_required",
		"identity:list_system_grants_for_user":    "rule:admin_required or user_id:%(user_id)s",
		"identity:create_system_grant_for_user":   "rule:admin_required",
		"identity:revoke_system_grant_for_user":   "rule:admin_required",
		"identity:check_system_grant_for_group":   "rule:admin_required",
		"identity:list_system_grants_for_group":   "rule:admin_required",
		"identity:create_system_grant_for_group":  "rule:admin_required",
		"identity:revoke_system_grant_for_group":  "rule:admin_required",
		"identity:list_role_assignments":          "rule:admin_required",
		"identity:list_role_assignments_for_tree": "rule:admin_required",
		"identity:list_user_projects":             "rule:admin_or_owner",
		"identity:get_application_credential":     "rule:admin_or_owner",
		"identity:list_application_credentials":   "rule:admin_or_owner",
		"identity:create_application_credential":  "rule:owner",
		"identity:delete_application_credential":  "rule:admin_or_owner",
		"identity:get_access_rule":                "rule:admin_or_owner",
		"identity:list_access_rules":              "rule:admin_or_owner",
		"identity:delete_access_rule":             "rule:admin_or_owner",
		"identity:create_trust":                   "user_id:%(trust.trustor_user_id)s",
		"identity:list_trusts":                    "rule:admin_required",
		"identity:list_trusts_for_trustor":        "rule:admin_required or user_id:%(target.trust.trustor_user_id)s",
		"identity:list_trusts_for_trustee":        "rule:admin_required or user_id:%(target.trust.trustee_user_id)s",
		"identity:list_roles_for_trust":           "rule:admin_required or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s",
		"identity:get_role_for_trust":             "rule:admin_required or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s",
		"identity:delete_trust":                   "rule:admin_required or user_id:%(target.trust.trustor_user_id)s",
		"identity:get_trust":                      "rule:admin_required or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s",
	}
}

// basePolicies are the shared rules every identity rule builds on. With
// Keystone's secure-RBAC personas: admin (role admin; on a project-scoped
// token it is a cloud admin, as in Keystone with enforce_scope off),
// member and reader; system scope for the operator's reader.
func basePolicies() map[string]string {
	return map[string]string{
		"admin_required":                 "role:admin or is_admin:1",
		"service_role":                   "role:service",
		"service_or_admin":               "rule:admin_required or rule:service_role",
		"owner":                          "user_id:%(user_id)s",
		"admin_or_owner":                 "rule:admin_required or rule:owner",
		"token_subject":                  "user_id:%(target.token.user_id)s",
		"admin_or_token_subject":         "rule:admin_required or rule:token_subject",
		"service_admin_or_token_subject": "rule:service_or_admin or rule:token_subject",
		"system_reader":                  "role:reader and system_scope:all",
		"system_admin":                   "role:admin and system_scope:all",
		"default":                        "rule:admin_required",
	}
}

// PolicyDefaults returns the identity service's default policy rules,
// under Keystone's names; an operator's policy file overrides them.
func PolicyDefaults() map[string]string {
	out := map[string]string{}
	for _, m := range []map[string]string{basePolicies(), directoryPolicies(), authPolicies(), federation.Policies()} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
