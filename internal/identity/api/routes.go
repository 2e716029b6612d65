package api

import (
	"net/http"

	asgapi "github.com/gostack/gostack/internal/identity/api/assignment"
	authnapi "github.com/gostack/gostack/internal/identity/api/authn"
	credapi "github.com/gostack/gostack/internal/identity/api/credential"
	dirapi "github.com/gostack/gostack/internal/identity/api/directory"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Routes is the identity route table: every route of Keystone's v3 API
// that gostack serves, with the policy rule (Keystone's name) that guards
// it and the policy target it is checked against. The handlers live in
// one package per part of the service (api/directory, api/catalog,
// api/credential, api/assignment, api/authn, api/federation,
// api/oauth1).
func (h *Handler) Routes() []httpapi.Route {
	d, c, cr, a, au, o := h.dir, h.cat, h.cred, h.asg, h.authn, h.oauth
	user := httpapi.PathTarget("user_id")
	rs := []httpapi.Route{
		// Version discovery.
		{Method: "GET", Pattern: "/{$}", Public: true, Handler: listVersions},
		{Method: "GET", Pattern: "/v3", Public: true, Handler: showVersion},
		{Method: "GET", Pattern: "/v3/{$}", Public: true, Handler: showVersion},

		// Domains.
		{Method: "GET", Pattern: "/v3/domains", Policy: "identity:list_domains", Handler: d.ListDomains},
		{Method: "POST", Pattern: "/v3/domains", Policy: "identity:create_domain", Handler: d.CreateDomain},
		{Method: "GET", Pattern: "/v3/domains/{domain_id}", Policy: "identity:get_domain", Target: d.DomainTarget, Handler: d.ShowDomain},
		{Method: "PATCH", Pattern: "/v3/domains/{domain_id}", Policy: "identity:update_domain", Target: d.DomainTarget, Handler: d.UpdateDomain},
		{Method: "DELETE", Pattern: "/v3/domains/{domain_id}", Policy: "identity:delete_domain", Target: d.DomainTarget, Handler: d.DeleteDomain},

		// Domain configuration.
		{Method: "GET", Pattern: "/v3/domains/config/default", Policy: "identity:get_domain_config_default", Handler: d.ShowDomainConfigDefault},
		{Method: "GET", Pattern: "/v3/domains/{domain_id}/{rest...}", Policy: "identity:get_domain_config_default", Handler: d.ShowDomainConfigDefault},
		{Method: "PUT", Pattern: "/v3/domains/{domain_id}/config", Policy: "identity:create_domain_config", Target: d.DomainTarget, Handler: d.PutDomainConfig},
		{Method: "GET", Pattern: "/v3/domains/{domain_id}/config", Policy: "identity:get_domain_config", Target: d.DomainTarget, Handler: d.ShowDomainConfig},
		{Method: "PATCH", Pattern: "/v3/domains/{domain_id}/config", Policy: "identity:update_domain_config", Target: d.DomainTarget, Handler: d.PatchDomainConfig},
		{Method: "DELETE", Pattern: "/v3/domains/{domain_id}/config", Policy: "identity:delete_domain_config", Target: d.DomainTarget, Handler: d.DeleteDomainConfig},
		{Method: "GET", Pattern: "/v3/domains/{domain_id}/config/{group}", Policy: "identity:get_domain_config", Target: d.DomainTarget, Handler: d.ShowDomainConfig},
		{Method: "PATCH", Pattern: "/v3/domains/{domain_id}/config/{group}", Policy: "identity:update_domain_config", Target: d.DomainTarget, Handler: d.PatchDomainConfig},
		{Method: "DELETE", Pattern: "/v3/domains/{domain_id}/config/{group}", Policy: "identity:delete_domain_config", Target: d.DomainTarget, Handler: d.DeleteDomainConfig},
		{Method: "GET", Pattern: "/v3/domains/{domain_id}/config/{group}/{option}", Policy: "identity:get_domain_config", Target: d.DomainTarget, Handler: d.ShowDomainConfig},
		{Method: "PATCH", Pattern: "/v3/domains/{domain_id}/config/{group}/{option}", Policy: "identity:update_domain_config", Target: d.DomainTarget, Handler: d.PatchDomainConfig},
		{Method: "DELETE", Pattern: "/v3/domains/{domain_id}/config/{group}/{option}", Policy: "identity:delete_domain_config", Target: d.DomainTarget, Handler: d.DeleteDomainConfig},

		// Projects and tags.
		{Method: "GET", Pattern: "/v3/projects", Policy: "identity:list_projects", Target: dirapi.ListDomainTarget, Handler: d.ListProjects},
		{Method: "POST", Pattern: "/v3/projects", Policy: "identity:create_project", Target: dirapi.NewProjectTarget("project"), Handler: d.CreateProject},
		{Method: "GET", Pattern: "/v3/projects/{project_id}", Policy: "identity:get_project", Target: d.ProjectTarget, Handler: d.ShowProject},
		{Method: "PATCH", Pattern: "/v3/projects/{project_id}", Policy: "identity:update_project", Target: d.ProjectTarget, Handler: d.UpdateProject},
		{Method: "DELETE", Pattern: "/v3/projects/{project_id}", Policy: "identity:delete_project", Target: d.ProjectTarget, Handler: d.DeleteProject},
		{Method: "GET", Pattern: "/v3/projects/{project_id}/tags", Policy: "identity:list_project_tags", Target: d.ProjectTarget, Handler: d.ListProjectTags},
		{Method: "PUT", Pattern: "/v3/projects/{project_id}/tags", Policy: "identity:update_project_tags", Target: d.ProjectTarget, Handler: d.ReplaceProjectTags},
		{Method: "DELETE", Pattern: "/v3/projects/{project_id}/tags", Policy: "identity:delete_project_tags", Target: d.ProjectTarget, Handler: d.DeleteProjectTags},
		{Method: "GET", Pattern: "/v3/projects/{project_id}/tags/{tag}", Policy: "identity:get_project_tag", Target: d.ProjectTarget, Handler: d.CheckProjectTag},
		{Method: "PUT", Pattern: "/v3/projects/{project_id}/tags/{tag}", Policy: "identity:create_project_tag", Target: d.ProjectTarget, Handler: d.AddProjectTag},
		{Method: "DELETE", Pattern: "/v3/projects/{project_id}/tags/{tag}", Policy: "identity:delete_project_tag", Target: d.ProjectTarget, Handler: d.DeleteProjectTag},

		// Users.
		{Method: "GET", Pattern: "/v3/users", Policy: "identity:list_users", Target: dirapi.ListDomainTarget, Handler: d.ListUsers},
		{Method: "POST", Pattern: "/v3/users", Policy: "identity:create_user", Target: dirapi.NewProjectTarget("user"), Handler: d.CreateUser},
		{Method: "GET", Pattern: "/v3/users/{user_id}", Policy: "identity:get_user", Target: d.UserTarget, Handler: d.ShowUser},
		{Method: "PATCH", Pattern: "/v3/users/{user_id}", Policy: "identity:update_user", Target: d.UserTarget, Handler: d.UpdateUser},
		{Method: "DELETE", Pattern: "/v3/users/{user_id}", Policy: "identity:delete_user", Target: d.UserTarget, Handler: d.DeleteUser},
		{Method: "POST", Pattern: "/v3/users/{user_id}/password", Policy: "identity:change_password", Target: d.UserTarget, Handler: d.ChangePassword},
		{Method: "GET", Pattern: "/v3/users/{user_id}/groups", Policy: "identity:list_groups_for_user", Target: d.UserTarget, Handler: d.ListUserGroups},

		// Groups.
		{Method: "GET", Pattern: "/v3/groups", Policy: "identity:list_groups", Target: dirapi.ListDomainTarget, Handler: d.ListGroups},
		{Method: "POST", Pattern: "/v3/groups", Policy: "identity:create_group", Target: dirapi.NewProjectTarget("group"), Handler: d.CreateGroup},
		{Method: "GET", Pattern: "/v3/groups/{group_id}", Policy: "identity:get_group", Target: d.GroupTarget, Handler: d.ShowGroup},
		{Method: "PATCH", Pattern: "/v3/groups/{group_id}", Policy: "identity:update_group", Target: d.GroupTarget, Handler: d.UpdateGroup},
		{Method: "DELETE", Pattern: "/v3/groups/{group_id}", Policy: "identity:delete_group", Target: d.GroupTarget, Handler: d.DeleteGroup},
		{Method: "GET", Pattern: "/v3/groups/{group_id}/users", Policy: "identity:list_users_in_group", Target: d.GroupTarget, Handler: d.ListGroupUsers},
		{Method: "PUT", Pattern: "/v3/groups/{group_id}/users/{user_id}", Policy: "identity:add_user_to_group", Target: d.GroupTarget, Handler: d.AddGroupUser},
		{Method: "HEAD", Pattern: "/v3/groups/{group_id}/users/{user_id}", Policy: "identity:check_user_in_group", Target: d.GroupTarget, Handler: d.CheckGroupUser},
		{Method: "GET", Pattern: "/v3/groups/{group_id}/users/{user_id}", Policy: "identity:check_user_in_group", Target: d.GroupTarget, Handler: d.CheckGroupUser},
		{Method: "DELETE", Pattern: "/v3/groups/{group_id}/users/{user_id}", Policy: "identity:remove_user_from_group", Target: d.GroupTarget, Handler: d.RemoveGroupUser},

		// Regions.
		{Method: "GET", Pattern: "/v3/regions", Policy: "identity:list_regions", Handler: c.ListRegions},
		{Method: "POST", Pattern: "/v3/regions", Policy: "identity:create_region", Handler: c.CreateRegion},
		{Method: "PUT", Pattern: "/v3/regions/{region_id}", Policy: "identity:create_region", Handler: c.CreateRegion},
		{Method: "GET", Pattern: "/v3/regions/{region_id}", Policy: "identity:get_region", Handler: c.ShowRegion},
		{Method: "PATCH", Pattern: "/v3/regions/{region_id}", Policy: "identity:update_region", Handler: c.UpdateRegion},
		{Method: "DELETE", Pattern: "/v3/regions/{region_id}", Policy: "identity:delete_region", Handler: c.DeleteRegion},

		// Services.
		{Method: "GET", Pattern: "/v3/services", Policy: "identity:list_services", Handler: c.ListServices},
		{Method: "POST", Pattern: "/v3/services", Policy: "identity:create_service", Handler: c.CreateService},
		{Method: "GET", Pattern: "/v3/services/{service_id}", Policy: "identity:get_service", Handler: c.ShowService},
		{Method: "PATCH", Pattern: "/v3/services/{service_id}", Policy: "identity:update_service", Handler: c.UpdateService},
		{Method: "DELETE", Pattern: "/v3/services/{service_id}", Policy: "identity:delete_service", Handler: c.DeleteService},

		// Endpoints.
		{Method: "GET", Pattern: "/v3/endpoints", Policy: "identity:list_endpoints", Handler: c.ListEndpoints},
		{Method: "POST", Pattern: "/v3/endpoints", Policy: "identity:create_endpoint", Handler: c.CreateEndpoint},
		{Method: "GET", Pattern: "/v3/endpoints/{endpoint_id}", Policy: "identity:get_endpoint", Handler: c.ShowEndpoint},
		{Method: "PATCH", Pattern: "/v3/endpoints/{endpoint_id}", Policy: "identity:update_endpoint", Handler: c.UpdateEndpoint},
		{Method: "DELETE", Pattern: "/v3/endpoints/{endpoint_id}", Policy: "identity:delete_endpoint", Handler: c.DeleteEndpoint},

		// OS-EP-FILTER.
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoint_groups", Policy: "identity:list_endpoint_groups", Handler: c.ListEndpointGroups},
		{Method: "POST", Pattern: "/v3/OS-EP-FILTER/endpoint_groups", Policy: "identity:create_endpoint_group", Handler: c.CreateEndpointGroup},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}", Policy: "identity:get_endpoint_group", Handler: c.ShowEndpointGroup},
		{Method: "HEAD", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}", Policy: "identity:get_endpoint_group", Handler: c.ShowEndpointGroup},
		{Method: "PATCH", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}", Policy: "identity:update_endpoint_group", Handler: c.UpdateEndpointGroup},
		{Method: "DELETE", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}", Policy: "identity:delete_endpoint_group", Handler: c.DeleteEndpointGroup},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/endpoints", Policy: "identity:list_endpoints_associated_with_endpoint_group", Handler: c.EndpointGroupEndpoints},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects", Policy: "identity:list_projects_associated_with_endpoint_group", Handler: c.EndpointGroupProjects},
		{Method: "PUT", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}", Policy: "identity:add_endpoint_group_to_project", Handler: c.AddEndpointGroupProject},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}", Policy: "identity:get_endpoint_group_in_project", Handler: c.ShowEndpointGroupProject},
		{Method: "HEAD", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}", Policy: "identity:get_endpoint_group_in_project", Handler: c.ShowEndpointGroupProject},
		{Method: "DELETE", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}", Policy: "identity:remove_endpoint_group_from_project", Handler: c.RemoveEndpointGroupProject},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoint_groups", Policy: "identity:list_endpoint_groups_for_project", Handler: c.ProjectEndpointGroups},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoints", Policy: "identity:list_endpoints_for_project", Handler: c.ProjectEndpoints},
		{Method: "PUT", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}", Policy: "identity:add_endpoint_to_project", Handler: c.AddProjectEndpoint},
		{Method: "HEAD", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}", Policy: "identity:check_endpoint_in_project", Handler: c.CheckProjectEndpoint},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}", Policy: "identity:check_endpoint_in_project", Handler: c.CheckProjectEndpoint},
		{Method: "DELETE", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}", Policy: "identity:remove_endpoint_from_project", Handler: c.RemoveProjectEndpoint},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoints/{endpoint_id}/projects", Policy: "identity:list_projects_for_endpoint", Handler: c.EndpointProjects},

		// Credentials and OS-EC2.
		{Method: "GET", Pattern: "/v3/credentials", Policy: "identity:list_credentials", Handler: cr.ListCredentials},
		{Method: "POST", Pattern: "/v3/credentials", Policy: "identity:create_credential", Target: credapi.NewCredentialTarget, Handler: cr.CreateCredential},
		{Method: "GET", Pattern: "/v3/credentials/{credential_id}", Policy: "identity:get_credential", Target: cr.CredentialTarget, Handler: cr.ShowCredential},
		{Method: "PATCH", Pattern: "/v3/credentials/{credential_id}", Policy: "identity:update_credential", Target: cr.CredentialTarget, Handler: cr.UpdateCredential},
		{Method: "DELETE", Pattern: "/v3/credentials/{credential_id}", Policy: "identity:delete_credential", Target: cr.CredentialTarget, Handler: cr.DeleteCredential},
		{Method: "GET", Pattern: "/v3/users/{user_id}/credentials/OS-EC2", Policy: "identity:ec2_list_credentials", Target: credapi.EC2Target, Handler: cr.ListEC2},
		{Method: "POST", Pattern: "/v3/users/{user_id}/credentials/OS-EC2", Policy: "identity:ec2_create_credential", Target: credapi.EC2Target, Handler: cr.CreateEC2},
		{Method: "GET", Pattern: "/v3/users/{user_id}/credentials/OS-EC2/{access}", Policy: "identity:ec2_get_credential", Target: credapi.EC2Target, Handler: cr.ShowEC2},
		{Method: "DELETE", Pattern: "/v3/users/{user_id}/credentials/OS-EC2/{access}", Policy: "identity:ec2_delete_credential", Target: credapi.EC2Target, Handler: cr.DeleteEC2},

		// EC2 and S3 signature checks: public, as in Keystone (the signed
		// request is the credential).
		{Method: "POST", Pattern: "/v3/ec2tokens", Public: true, Handler: h.ec2.EC2Tokens},
		{Method: "POST", Pattern: "/v3/s3tokens", Public: true, Handler: h.ec2.S3Tokens},

		// Policy blobs.
		{Method: "GET", Pattern: "/v3/policies", Policy: "identity:list_policies", Handler: cr.ListPolicies},
		{Method: "POST", Pattern: "/v3/policies", Policy: "identity:create_policy", Handler: cr.CreatePolicy},
		{Method: "GET", Pattern: "/v3/policies/{policy_id}", Policy: "identity:get_policy", Handler: cr.ShowPolicy},
		{Method: "PATCH", Pattern: "/v3/policies/{policy_id}", Policy: "identity:update_policy", Handler: cr.UpdatePolicy},
		{Method: "DELETE", Pattern: "/v3/policies/{policy_id}", Policy: "identity:delete_policy", Handler: cr.DeletePolicy},

		// OS-OAUTH1: consumers, then the delegation flow. The request and
		// access token endpoints are public: the consumer's OAuth signature
		// authenticates them.
		{Method: "GET", Pattern: "/v3/OS-OAUTH1/consumers", Policy: "identity:list_consumers", Handler: cr.ListConsumers},
		{Method: "POST", Pattern: "/v3/OS-OAUTH1/consumers", Policy: "identity:create_consumer", Handler: cr.CreateConsumer},
		{Method: "GET", Pattern: "/v3/OS-OAUTH1/consumers/{consumer_id}", Policy: "identity:get_consumer", Handler: cr.ShowConsumer},
		{Method: "PATCH", Pattern: "/v3/OS-OAUTH1/consumers/{consumer_id}", Policy: "identity:update_consumer", Handler: cr.UpdateConsumer},
		{Method: "DELETE", Pattern: "/v3/OS-OAUTH1/consumers/{consumer_id}", Policy: "identity:delete_consumer", Handler: cr.DeleteConsumer},
		{Method: "POST", Pattern: "/v3/OS-OAUTH1/request_token", Public: true, Handler: o.CreateRequestToken},
		{Method: "POST", Pattern: "/v3/OS-OAUTH1/access_token", Public: true, Handler: o.CreateAccessToken},
		{Method: "PUT", Pattern: "/v3/OS-OAUTH1/authorize/{request_token_id}", Policy: "identity:authorize_request_token", Handler: o.Authorize},
		{Method: "GET", Pattern: "/v3/users/{user_id}/OS-OAUTH1/access_tokens", Policy: "identity:list_access_tokens", Target: user, Handler: o.ListAccessTokens},
		{Method: "GET", Pattern: "/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}", Policy: "identity:get_access_token", Target: user, Handler: o.ShowAccessToken},
		// Keystone checks the deletion of an access token against
		// ec2_delete_credential, with the path's user as the credential's
		// owner: users may delete their own.
		{Method: "DELETE", Pattern: "/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}", Policy: "identity:ec2_delete_credential", Target: credapi.EC2Target, Handler: o.DeleteAccessToken},
		{Method: "GET", Pattern: "/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}/roles", Policy: "identity:list_access_token_roles", Target: user, Handler: o.ListAccessTokenRoles},
		{Method: "GET", Pattern: "/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}/roles/{role_id}", Policy: "identity:get_access_token_role", Target: user, Handler: o.ShowAccessTokenRole},

		// OS-FEDERATION: identity providers, protocols, mappings, service
		// providers (admin APIs); the federated auth entry points and web
		// single sign-on are public, as Keystone's: the front end that
		// asserts the identity guards them.
		{Method: "GET", Pattern: "/v3/OS-FEDERATION/identity_providers", Policy: "identity:list_identity_providers", Handler: h.fed.ListIdPs},
		{Method: "PUT", Pattern: "/v3/OS-FEDERATION/identity_providers/{idp_id}", Policy: "identity:create_identity_provider", Handler: h.fed.CreateIdP},
		{Method: "GET", Pattern: "/v3/OS-FEDERATION/identity_providers/{idp_id}", Policy: "identity:get_identity_provider", Handler: h.fed.ShowIdP},
		{Method: "PATCH", Pattern: "/v3/OS-FEDERATION/identity_providers/{idp_id}", Policy: "identity:update_identity_provider", Handler: h.fed.UpdateIdP},
		{Method: "DELETE", Pattern: "/v3/OS-FEDERATION/identity_providers/{idp_id}", Policy: "identity:delete_identity_provider", Handler: h.fed.DeleteIdP},
		{Method: "GET", Pattern: "/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols", Policy: "identity:list_protocols", Handler: h.fed.ListProtocols},
		{Method: "PUT", Pattern: "/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}", Policy: "identity:create_protocol", Handler: h.fed.CreateProtocol},
		{Method: "GET", Pattern: "/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}", Policy: "identity:get_protocol", Handler: h.fed.ShowProtocol},
		{Method: "PATCH", Pattern: "/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}", Policy: "identity:update_protocol", Handler: h.fed.UpdateProtocol},
		{Method: "DELETE", Pattern: "/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}", Policy: "identity:delete_protocol", Handler: h.fed.DeleteProtocol},
		{Method: "GET", Pattern: "/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/auth", Public: true, Handler: h.fed.Auth},
		{Method: "POST", Pattern: "/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/auth", Public: true, Handler: h.fed.Auth},
		{Method: "GET", Pattern: "/v3/OS-FEDERATION/mappings", Policy: "identity:list_mappings", Handler: h.fed.ListMappings},
		{Method: "PUT", Pattern: "/v3/OS-FEDERATION/mappings/{mapping_id}", Policy: "identity:create_mapping", Handler: h.fed.CreateMapping},
		{Method: "GET", Pattern: "/v3/OS-FEDERATION/mappings/{mapping_id}", Policy: "identity:get_mapping", Handler: h.fed.ShowMapping},
		{Method: "PATCH", Pattern: "/v3/OS-FEDERATION/mappings/{mapping_id}", Policy: "identity:update_mapping", Handler: h.fed.UpdateMapping},
		{Method: "DELETE", Pattern: "/v3/OS-FEDERATION/mappings/{mapping_id}", Policy: "identity:delete_mapping", Handler: h.fed.DeleteMapping},
		{Method: "GET", Pattern: "/v3/OS-FEDERATION/service_providers", Policy: "identity:list_service_providers", Handler: h.fed.ListServiceProviders},
		{Method: "PUT", Pattern: "/v3/OS-FEDERATION/service_providers/{sp_id}", Policy: "identity:create_service_provider", Handler: h.fed.CreateServiceProvider},
		{Method: "GET", Pattern: "/v3/OS-FEDERATION/service_providers/{sp_id}", Policy: "identity:get_service_provider", Handler: h.fed.ShowServiceProvider},
		{Method: "PATCH", Pattern: "/v3/OS-FEDERATION/service_providers/{sp_id}", Policy: "identity:update_service_provider", Handler: h.fed.UpdateServiceProvider},
		{Method: "DELETE", Pattern: "/v3/OS-FEDERATION/service_providers/{sp_id}", Policy: "identity:delete_service_provider", Handler: h.fed.DeleteServiceProvider},
		// The deprecated spellings of /v3/auth/projects and /v3/auth/domains.
		{Method: "GET", Pattern: "/v3/OS-FEDERATION/projects", Policy: "identity:list_projects_for_user", Handler: au.AuthProjects},
		{Method: "GET", Pattern: "/v3/OS-FEDERATION/domains", Policy: "identity:list_domains_for_user", Handler: au.AuthDomains},
		{Method: "GET", Pattern: "/v3/auth/OS-FEDERATION/websso/{protocol_id}", Public: true, Handler: h.fed.WebSSO},
		{Method: "POST", Pattern: "/v3/auth/OS-FEDERATION/websso/{protocol_id}", Public: true, Handler: h.fed.WebSSO},
		{Method: "GET", Pattern: "/v3/auth/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/websso", Public: true, Handler: h.fed.IdPWebSSO},
		{Method: "POST", Pattern: "/v3/auth/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/websso", Public: true, Handler: h.fed.IdPWebSSO},

		// Unified limits.
		{Method: "GET", Pattern: "/v3/limits/model", Policy: "identity:get_limit_model", Handler: c.ShowLimitModel},
		{Method: "GET", Pattern: "/v3/registered_limits", Policy: "identity:list_registered_limits", Handler: c.ListRegisteredLimits},
		{Method: "POST", Pattern: "/v3/registered_limits", Policy: "identity:create_registered_limits", Handler: c.CreateRegisteredLimits},
		{Method: "GET", Pattern: "/v3/registered_limits/{registered_limit_id}", Policy: "identity:get_registered_limit", Handler: c.ShowRegisteredLimit},
		{Method: "PATCH", Pattern: "/v3/registered_limits/{registered_limit_id}", Policy: "identity:update_registered_limit", Handler: c.UpdateRegisteredLimit},
		{Method: "DELETE", Pattern: "/v3/registered_limits/{registered_limit_id}", Policy: "identity:delete_registered_limit", Handler: c.DeleteRegisteredLimit},
		{Method: "GET", Pattern: "/v3/limits", Policy: "identity:list_limits", Handler: c.ListLimits},
		{Method: "POST", Pattern: "/v3/limits", Policy: "identity:create_limits", Handler: c.CreateLimits},
		{Method: "GET", Pattern: "/v3/limits/{limit_id}", Policy: "identity:get_limit", Target: c.LimitTarget, Handler: c.ShowLimit},
		{Method: "PATCH", Pattern: "/v3/limits/{limit_id}", Policy: "identity:update_limit", Target: c.LimitTarget, Handler: c.UpdateLimit},
		{Method: "DELETE", Pattern: "/v3/limits/{limit_id}", Policy: "identity:delete_limit", Target: c.LimitTarget, Handler: c.DeleteLimit},

		// Tokens. The target of the validation rules is the subject
		// token's owner: its validation (a 404 when bad) comes first.
		{Method: "POST", Pattern: "/v3/auth/tokens", Public: true, Handler: au.CreateToken},
		{Method: "GET", Pattern: "/v3/auth/tokens", Policy: "identity:validate_token", Target: au.SubjectTarget, Handler: au.ShowToken},
		{Method: "HEAD", Pattern: "/v3/auth/tokens", Policy: "identity:check_token", Target: au.SubjectTarget, Handler: au.CheckToken},
		{Method: "DELETE", Pattern: "/v3/auth/tokens", Policy: "identity:revoke_token", Target: au.SubjectTarget, Handler: au.RevokeToken},
		{Method: "GET", Pattern: "/v3/auth/catalog", Policy: "identity:get_auth_catalog", Handler: au.AuthCatalog},
		{Method: "GET", Pattern: "/v3/auth/projects", Policy: "identity:get_auth_projects", Handler: au.AuthProjects},
		{Method: "GET", Pattern: "/v3/auth/domains", Policy: "identity:get_auth_domains", Handler: au.AuthDomains},
		{Method: "GET", Pattern: "/v3/auth/system", Policy: "identity:get_auth_system", Handler: au.AuthSystem},

		// Roles and inference rules.
		{Method: "GET", Pattern: "/v3/roles", Policy: "identity:list_roles", Handler: a.ListRoles},
		{Method: "POST", Pattern: "/v3/roles", Policy: "identity:create_role", Handler: a.CreateRole},
		{Method: "GET", Pattern: "/v3/roles/{role_id}", Policy: "identity:get_role", Handler: a.ShowRole},
		{Method: "PATCH", Pattern: "/v3/roles/{role_id}", Policy: "identity:update_role", Handler: a.UpdateRole},
		{Method: "DELETE", Pattern: "/v3/roles/{role_id}", Policy: "identity:delete_role", Handler: a.DeleteRole},
		{Method: "GET", Pattern: "/v3/roles/{prior_role_id}/implies", Policy: "identity:list_implied_roles", Handler: a.ListImpliedRoles},
		{Method: "PUT", Pattern: "/v3/roles/{prior_role_id}/implies/{implied_role_id}", Policy: "identity:create_implied_role", Handler: a.CreateImpliedRole},
		{Method: "GET", Pattern: "/v3/roles/{prior_role_id}/implies/{implied_role_id}", Policy: "identity:get_implied_role", Handler: a.ShowImpliedRole},
		{Method: "HEAD", Pattern: "/v3/roles/{prior_role_id}/implies/{implied_role_id}", Policy: "identity:check_implied_role", Handler: a.CheckImpliedRole},
		{Method: "DELETE", Pattern: "/v3/roles/{prior_role_id}/implies/{implied_role_id}", Policy: "identity:delete_implied_role", Handler: a.DeleteImpliedRole},
		{Method: "GET", Pattern: "/v3/role_inferences", Policy: "identity:list_role_inference_rules", Handler: a.ListRoleInferences},

		{Method: "GET", Pattern: "/v3/role_assignments", Policy: "identity:list_role_assignments", Handler: a.ListRoleAssignments},
		{Method: "GET", Pattern: "/v3/users/{user_id}/projects", Policy: "identity:list_user_projects", Target: user, Handler: a.ListUserProjects},

		// Application credentials and access rules.
		{Method: "GET", Pattern: "/v3/users/{user_id}/application_credentials", Policy: "identity:list_application_credentials", Target: user, Handler: au.ListAppCreds},
		{Method: "POST", Pattern: "/v3/users/{user_id}/application_credentials", Policy: "identity:create_application_credential", Target: user, Handler: au.CreateAppCred},
		{Method: "GET", Pattern: "/v3/users/{user_id}/application_credentials/{app_cred_id}", Policy: "identity:get_application_credential", Target: user, Handler: au.ShowAppCred},
		{Method: "DELETE", Pattern: "/v3/users/{user_id}/application_credentials/{app_cred_id}", Policy: "identity:delete_application_credential", Target: user, Handler: au.DeleteAppCred},
		{Method: "GET", Pattern: "/v3/users/{user_id}/access_rules", Policy: "identity:list_access_rules", Target: user, Handler: au.ListAccessRules},
		{Method: "GET", Pattern: "/v3/users/{user_id}/access_rules/{access_rule_id}", Policy: "identity:get_access_rule", Target: user, Handler: au.ShowAccessRule},
		{Method: "DELETE", Pattern: "/v3/users/{user_id}/access_rules/{access_rule_id}", Policy: "identity:delete_access_rule", Target: user, Handler: au.DeleteAccessRule},

		// Trusts. The rules of one trust target its trustor and trustee;
		// listing's rule depends on the query (list_trusts,
		// list_trusts_for_trustor or list_trusts_for_trustee), so its
		// handler enforces the one that applies.
		{Method: "GET", Pattern: "/v3/OS-TRUST/trusts", Policy: httpapi.AnyUser, Handler: au.ListTrusts},
		{Method: "GET", Pattern: "/v3/OS-TRUST/trusts/{$}", Policy: httpapi.AnyUser, Handler: au.ListTrusts},
		{Method: "POST", Pattern: "/v3/OS-TRUST/trusts", Policy: "identity:create_trust", Target: authnapi.NewTrustTarget, Handler: au.CreateTrust},
		{Method: "GET", Pattern: "/v3/OS-TRUST/trusts/{trust_id}", Policy: "identity:get_trust", Target: au.TrustTarget, Handler: au.ShowTrust},
		{Method: "DELETE", Pattern: "/v3/OS-TRUST/trusts/{trust_id}", Policy: "identity:delete_trust", Target: au.TrustTarget, Handler: au.DeleteTrust},
		{Method: "GET", Pattern: "/v3/OS-TRUST/trusts/{trust_id}/roles", Policy: "identity:list_roles_for_trust", Target: au.TrustTarget, Handler: au.ListTrustRoles},
		{Method: "GET", Pattern: "/v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}", Policy: "identity:get_role_for_trust", Target: au.TrustTarget, Handler: au.ShowTrustRole},
		{Method: "HEAD", Pattern: "/v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}", Policy: "identity:get_role_for_trust", Target: au.TrustTarget, Handler: au.ShowTrustRole},
	}
	return append(rs, grantRoutes(a)...)
}

// grantRoutes spells out every grant path: ServeMux wildcards in place
// of "projects"/"users" would collide with other identity routes.
func grantRoutes(a *asgapi.Handler) []httpapi.Route {
	var rs []httpapi.Route
	add := func(prefix, suffix, kind string, system bool) {
		listRule, checkRule, createRule, revokeRule := "identity:list_grants", "identity:check_grant", "identity:create_grant", "identity:revoke_grant"
		var tgt func(*http.Request) (map[string]any, error)
		if system {
			listRule, checkRule, createRule, revokeRule = "identity:list_system_grants_for_"+kind, "identity:check_system_grant_for_"+kind,
				"identity:create_system_grant_for_"+kind, "identity:revoke_system_grant_for_"+kind
			tgt = asgapi.SystemTarget
		}
		rs = append(rs,
			httpapi.Route{Method: "GET", Pattern: prefix + "/roles" + suffix, Policy: listRule, Target: tgt, Handler: a.ListGrants},
			httpapi.Route{Method: "PUT", Pattern: prefix + "/roles/{role_id}" + suffix, Policy: createRule, Handler: a.CreateGrant},
			httpapi.Route{Method: "HEAD", Pattern: prefix + "/roles/{role_id}" + suffix, Policy: checkRule, Handler: a.CheckGrant},
			httpapi.Route{Method: "GET", Pattern: prefix + "/roles/{role_id}" + suffix, Policy: checkRule, Handler: a.CheckGrant},
			httpapi.Route{Method: "DELETE", Pattern: prefix + "/roles/{role_id}" + suffix, Policy: revokeRule, Handler: a.DeleteGrant},
		)
	}
	for _, t := range []string{"projects", "domains"} {
		for _, actor := range []string{"users", "groups"} {
			add("/v3/"+t+"/{target_id}/"+actor+"/{actor_id}", "", "", false)
			add("/v3/OS-INHERIT/"+t+"/{target_id}/"+actor+"/{actor_id}", "/inherited_to_projects", "", false)
		}
	}
	add("/v3/system/users/{actor_id}", "", "user", true)
	add("/v3/system/groups/{actor_id}", "", "group", true)
	return rs
}
