package api

import (
	"context"
	"net/http"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/auth"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// validator lets the identity API authenticate its own callers in-process.
type validator struct{ svc *identity.Service }

func (v validator) Validate(ctx context.Context, token string) (*auth.Credentials, error) {
	return v.svc.ValidateToken(ctx, token)
}

// authRoutes are the routes of tokens, roles, grants, application
// credentials and trusts.
func (h *Handler) authRoutes() []httpapi.Route {
	user := httpapi.PathTarget("user_id")
	return append(h.grantRoutes(), []httpapi.Route{
		// Tokens. Validation policies need the subject token, so the
		// handlers enforce them.
		{Method: "POST", Pattern: "/v3/auth/tokens", Public: true, Handler: h.createToken},
		{Method: "GET", Pattern: "/v3/auth/tokens", Handler: h.showToken},
		{Method: "HEAD", Pattern: "/v3/auth/tokens", Handler: h.checkToken},
		{Method: "DELETE", Pattern: "/v3/auth/tokens", Handler: h.revokeToken},
		{Method: "GET", Pattern: "/v3/auth/catalog", Policy: "identity:get_auth_catalog", Handler: h.authCatalog},
		{Method: "GET", Pattern: "/v3/auth/projects", Policy: "identity:get_auth_projects", Handler: h.authProjects},
		{Method: "GET", Pattern: "/v3/auth/domains", Policy: "identity:get_auth_domains", Handler: h.authDomains},
		{Method: "GET", Pattern: "/v3/auth/system", Policy: "identity:get_auth_system", Handler: h.authSystem},

		// Roles and inference rules.
		{Method: "GET", Pattern: "/v3/roles", Policy: "identity:list_roles", Handler: h.listRoles},
		{Method: "POST", Pattern: "/v3/roles", Policy: "identity:create_role", Handler: h.createRole},
		{Method: "GET", Pattern: "/v3/roles/{role_id}", Policy: "identity:get_role", Handler: h.showRole},
		{Method: "PATCH", Pattern: "/v3/roles/{role_id}", Policy: "identity:update_role", Handler: h.updateRole},
		{Method: "DELETE", Pattern: "/v3/roles/{role_id}", Policy: "identity:delete_role", Handler: h.deleteRole},
		{Method: "GET", Pattern: "/v3/roles/{prior_role_id}/implies", Policy: "identity:list_implied_roles", Handler: h.listImpliedRoles},
		{Method: "PUT", Pattern: "/v3/roles/{prior_role_id}/implies/{implied_role_id}", Policy: "identity:create_implied_role", Handler: h.createImpliedRole},
		{Method: "GET", Pattern: "/v3/roles/{prior_role_id}/implies/{implied_role_id}", Policy: "identity:get_implied_role", Handler: h.showImpliedRole},
		{Method: "HEAD", Pattern: "/v3/roles/{prior_role_id}/implies/{implied_role_id}", Policy: "identity:check_implied_role", Handler: h.checkImpliedRole},
		{Method: "DELETE", Pattern: "/v3/roles/{prior_role_id}/implies/{implied_role_id}", Policy: "identity:delete_implied_role", Handler: h.deleteImpliedRole},
		{Method: "GET", Pattern: "/v3/role_inferences", Policy: "identity:list_role_inference_rules", Handler: h.listRoleInferences},

		{Method: "GET", Pattern: "/v3/role_assignments", Policy: "identity:list_role_assignments", Handler: h.listRoleAssignments},
		{Method: "GET", Pattern: "/v3/users/{user_id}/projects", Policy: "identity:list_user_projects", Target: user, Handler: h.listUserProjects},

		// Application credentials and access rules.
		{Method: "GET", Pattern: "/v3/users/{user_id}/application_credentials", Policy: "identity:list_application_credentials", Target: user, Handler: h.listAppCreds},
		{Method: "POST", Pattern: "/v3/users/{user_id}/application_credentials", Policy: "identity:create_application_credential", Target: user, Handler: h.createAppCred},
		{Method: "GET", Pattern: "/v3/users/{user_id}/application_credentials/{app_cred_id}", Policy: "identity:get_application_credential", Target: user, Handler: h.showAppCred},
		{Method: "DELETE", Pattern: "/v3/users/{user_id}/application_credentials/{app_cred_id}", Policy: "identity:delete_application_credential", Target: user, Handler: h.deleteAppCred},
		{Method: "GET", Pattern: "/v3/users/{user_id}/access_rules", Policy: "identity:list_access_rules", Target: user, Handler: h.listAccessRules},
		{Method: "GET", Pattern: "/v3/users/{user_id}/access_rules/{access_rule_id}", Policy: "identity:get_access_rule", Target: user, Handler: h.showAccessRule},
		{Method: "DELETE", Pattern: "/v3/users/{user_id}/access_rules/{access_rule_id}", Policy: "identity:delete_access_rule", Target: user, Handler: h.deleteAccessRule},

		// Trusts. Ownership rules need the trust, so handlers enforce them.
		{Method: "GET", Pattern: "/v3/OS-TRUST/trusts", Handler: h.listTrusts},
		{Method: "GET", Pattern: "/v3/OS-TRUST/trusts/{$}", Handler: h.listTrusts},
		{Method: "POST", Pattern: "/v3/OS-TRUST/trusts", Handler: h.createTrust},
		{Method: "GET", Pattern: "/v3/OS-TRUST/trusts/{trust_id}", Handler: h.showTrust},
		{Method: "DELETE", Pattern: "/v3/OS-TRUST/trusts/{trust_id}", Handler: h.deleteTrust},
		{Method: "GET", Pattern: "/v3/OS-TRUST/trusts/{trust_id}/roles", Handler: h.listTrustRoles},
		{Method: "GET", Pattern: "/v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}", Handler: h.showTrustRole},
		{Method: "HEAD", Pattern: "/v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}", Handler: h.showTrustRole},
	}...)
}

// grantRoutes spells out every grant path: ServeMux wildcards in place
// of "projects"/"users" would collide with other identity routes.
func (h *Handler) grantRoutes() []httpapi.Route {
	var rs []httpapi.Route
	add := func(prefix, suffix, kind string, system bool) {
		listRule, checkRule, createRule, revokeRule := "identity:list_grants", "identity:check_grant", "identity:create_grant", "identity:revoke_grant"
		var tgt func(*http.Request) (map[string]any, error)
		if system {
			listRule, checkRule, createRule, revokeRule = "identity:list_system_grants_for_"+kind, "identity:check_system_grant_for_"+kind,
				"identity:create_system_grant_for_"+kind, "identity:revoke_system_grant_for_"+kind
			tgt = systemTarget
		}
		rs = append(rs,
			httpapi.Route{Method: "GET", Pattern: prefix + "/roles" + suffix, Policy: listRule, Target: tgt, Handler: h.listGrants},
			httpapi.Route{Method: "PUT", Pattern: prefix + "/roles/{role_id}" + suffix, Policy: createRule, Handler: h.grant(grantCreate)},
			httpapi.Route{Method: "HEAD", Pattern: prefix + "/roles/{role_id}" + suffix, Policy: checkRule, Handler: h.grant(grantCheck)},
			httpapi.Route{Method: "GET", Pattern: prefix + "/roles/{role_id}" + suffix, Policy: checkRule, Handler: h.grant(grantCheck)},
			httpapi.Route{Method: "DELETE", Pattern: prefix + "/roles/{role_id}" + suffix, Policy: revokeRule, Handler: h.grant(grantDelete)},
		)
	}
	for _, t := range []string{"projects", "domains"} {
		for _, a := range []string{"users", "groups"} {
			add("/v3/"+t+"/{target_id}/"+a+"/{actor_id}", "", "", false)
			add("/v3/OS-INHERIT/"+t+"/{target_id}/"+a+"/{actor_id}", "/inherited_to_projects", "", false)
		}
	}
	add("/v3/system/users/{actor_id}", "", "user", true)
	add("/v3/system/groups/{actor_id}", "", "group", true)
	return rs
}
