package api

import "github.com/gostack/gostack/internal/platform/httpapi"

// directoryRoutes is the route table of the directory: domains (with
// their configuration), projects and tags, users, groups, the catalog
// (regions, services, endpoints, OS-EP-FILTER), credentials and OS-EC2,
// policy blobs, OAuth1 consumers and unified limits.
func (h *Handler) directoryRoutes() []httpapi.Route {
	type R = httpapi.Route
	pt := h.projectTarget
	ut := h.userTarget
	gt := h.groupTarget
	dt := h.domainTarget
	return []R{
		// Domains.
		{Method: "GET", Pattern: "/v3/domains", Policy: "identity:list_domains", Handler: h.listDomains},
		{Method: "POST", Pattern: "/v3/domains", Policy: "identity:create_domain", Handler: h.createDomain},
		{Method: "GET", Pattern: "/v3/domains/{domain_id}", Policy: "identity:get_domain", Target: dt, Handler: h.showDomain},
		{Method: "PATCH", Pattern: "/v3/domains/{domain_id}", Policy: "identity:update_domain", Target: dt, Handler: h.updateDomain},
		{Method: "DELETE", Pattern: "/v3/domains/{domain_id}", Policy: "identity:delete_domain", Target: dt, Handler: h.deleteDomain},

		// Domain configuration.
		{Method: "GET", Pattern: "/v3/domains/config/default", Policy: "identity:get_domain_config_default", Handler: h.showDomainConfigDefault},
		{Method: "GET", Pattern: "/v3/domains/{domain_id}/{rest...}", Policy: "identity:get_domain_config_default", Handler: h.showDomainConfigDefault},
		{Method: "PUT", Pattern: "/v3/domains/{domain_id}/config", Policy: "identity:create_domain_config", Target: dt, Handler: h.putDomainConfig},
		{Method: "GET", Pattern: "/v3/domains/{domain_id}/config", Policy: "identity:get_domain_config", Target: dt, Handler: h.showDomainConfig},
		{Method: "PATCH", Pattern: "/v3/domains/{domain_id}/config", Policy: "identity:update_domain_config", Target: dt, Handler: h.patchDomainConfig},
		{Method: "DELETE", Pattern: "/v3/domains/{domain_id}/config", Policy: "identity:delete_domain_config", Target: dt, Handler: h.deleteDomainConfig},
		{Method: "GET", Pattern: "/v3/domains/{domain_id}/config/{group}", Policy: "identity:get_domain_config", Target: dt, Handler: h.showDomainConfig},
		{Method: "PATCH", Pattern: "/v3/domains/{domain_id}/config/{group}", Policy: "identity:update_domain_config", Target: dt, Handler: h.patchDomainConfig},
		{Method: "DELETE", Pattern: "/v3/domains/{domain_id}/config/{group}", Policy: "identity:delete_domain_config", Target: dt, Handler: h.deleteDomainConfig},
		{Method: "GET", Pattern: "/v3/domains/{domain_id}/config/{group}/{option}", Policy: "identity:get_domain_config", Target: dt, Handler: h.showDomainConfig},
		{Method: "PATCH", Pattern: "/v3/domains/{domain_id}/config/{group}/{option}", Policy: "identity:update_domain_config", Target: dt, Handler: h.patchDomainConfig},
		{Method: "DELETE", Pattern: "/v3/domains/{domain_id}/config/{group}/{option}", Policy: "identity:delete_domain_config", Target: dt, Handler: h.deleteDomainConfig},

		// Projects and tags.
		{Method: "GET", Pattern: "/v3/projects", Policy: "identity:list_projects", Target: listDomainTarget, Handler: h.listProjects},
		{Method: "POST", Pattern: "/v3/projects", Policy: "identity:create_project", Target: newProjectTarget("project"), Handler: h.createProject},
		{Method: "GET", Pattern: "/v3/projects/{project_id}", Policy: "identity:get_project", Target: pt, Handler: h.showProject},
		{Method: "PATCH", Pattern: "/v3/projects/{project_id}", Policy: "identity:update_project", Target: pt, Handler: h.updateProject},
		{Method: "DELETE", Pattern: "/v3/projects/{project_id}", Policy: "identity:delete_project", Target: pt, Handler: h.deleteProject},
		{Method: "GET", Pattern: "/v3/projects/{project_id}/tags", Policy: "identity:list_project_tags", Target: pt, Handler: h.listProjectTags},
		{Method: "PUT", Pattern: "/v3/projects/{project_id}/tags", Policy: "identity:update_project_tags", Target: pt, Handler: h.replaceProjectTags},
		{Method: "DELETE", Pattern: "/v3/projects/{project_id}/tags", Policy: "identity:delete_project_tags", Target: pt, Handler: h.deleteProjectTags},
		{Method: "GET", Pattern: "/v3/projects/{project_id}/tags/{tag}", Policy: "identity:get_project_tag", Target: pt, Handler: h.checkProjectTag},
		{Method: "PUT", Pattern: "/v3/projects/{project_id}/tags/{tag}", Policy: "identity:create_project_tag", Target: pt, Handler: h.addProjectTag},
		{Method: "DELETE", Pattern: "/v3/projects/{project_id}/tags/{tag}", Policy: "identity:delete_project_tag", Target: pt, Handler: h.deleteProjectTag},

		// Users.
		{Method: "GET", Pattern: "/v3/users", Policy: "identity:list_users", Target: listDomainTarget, Handler: h.listUsers},
		{Method: "POST", Pattern: "/v3/users", Policy: "identity:create_user", Target: newProjectTarget("user"), Handler: h.createUser},
		{Method: "GET", Pattern: "/v3/users/{user_id}", Policy: "identity:get_user", Target: ut, Handler: h.showUser},
		{Method: "PATCH", Pattern: "/v3/users/{user_id}", Policy: "identity:update_user", Target: ut, Handler: h.updateUser},
		{Method: "DELETE", Pattern: "/v3/users/{user_id}", Policy: "identity:delete_user", Target: ut, Handler: h.deleteUser},
		{Method: "POST", Pattern: "/v3/users/{user_id}/password", Policy: "identity:change_password", Target: ut, Handler: h.changePassword},
		{Method: "GET", Pattern: "/v3/users/{user_id}/groups", Policy: "identity:list_groups_for_user", Target: ut, Handler: h.listUserGroups},

		// Groups.
		{Method: "GET", Pattern: "/v3/groups", Policy: "identity:list_groups", Target: listDomainTarget, Handler: h.listGroups},
		{Method: "POST", Pattern: "/v3/groups", Policy: "identity:create_group", Target: newProjectTarget("group"), Handler: h.createGroup},
		{Method: "GET", Pattern: "/v3/groups/{group_id}", Policy: "identity:get_group", Target: gt, Handler: h.showGroup},
		{Method: "PATCH", Pattern: "/v3/groups/{group_id}", Policy: "identity:update_group", Target: gt, Handler: h.updateGroup},
		{Method: "DELETE", Pattern: "/v3/groups/{group_id}", Policy: "identity:delete_group", Target: gt, Handler: h.deleteGroup},
		{Method: "GET", Pattern: "/v3/groups/{group_id}/users", Policy: "identity:list_users_in_group", Target: gt, Handler: h.listGroupUsers},
		{Method: "PUT", Pattern: "/v3/groups/{group_id}/users/{user_id}", Policy: "identity:add_user_to_group", Target: gt, Handler: h.addGroupUser},
		{Method: "HEAD", Pattern: "/v3/groups/{group_id}/users/{user_id}", Policy: "identity:check_user_in_group", Target: gt, Handler: h.checkGroupUser},
		{Method: "GET", Pattern: "/v3/groups/{group_id}/users/{user_id}", Policy: "identity:check_user_in_group", Target: gt, Handler: h.checkGroupUser},
		{Method: "DELETE", Pattern: "/v3/groups/{group_id}/users/{user_id}", Policy: "identity:remove_user_from_group", Target: gt, Handler: h.removeGroupUser},

		// Regions.
		{Method: "GET", Pattern: "/v3/regions", Policy: "identity:list_regions", Handler: h.listRegions},
		{Method: "POST", Pattern: "/v3/regions", Policy: "identity:create_region", Handler: h.createRegion},
		{Method: "PUT", Pattern: "/v3/regions/{region_id}", Policy: "identity:create_region", Handler: h.createRegion},
		{Method: "GET", Pattern: "/v3/regions/{region_id}", Policy: "identity:get_region", Handler: h.showRegion},
		{Method: "PATCH", Pattern: "/v3/regions/{region_id}", Policy: "identity:update_region", Handler: h.updateRegion},
		{Method: "DELETE", Pattern: "/v3/regions/{region_id}", Policy: "identity:delete_region", Handler: h.deleteRegion},

		// Services.
		{Method: "GET", Pattern: "/v3/services", Policy: "identity:list_services", Handler: h.listServices},
		{Method: "POST", Pattern: "/v3/services", Policy: "identity:create_service", Handler: h.createService},
		{Method: "GET", Pattern: "/v3/services/{service_id}", Policy: "identity:get_service", Handler: h.showService},
		{Method: "PATCH", Pattern: "/v3/services/{service_id}", Policy: "identity:update_service", Handler: h.updateService},
		{Method: "DELETE", Pattern: "/v3/services/{service_id}", Policy: "identity:delete_service", Handler: h.deleteService},

		// Endpoints.
		{Method: "GET", Pattern: "/v3/endpoints", Policy: "identity:list_endpoints", Handler: h.listEndpoints},
		{Method: "POST", Pattern: "/v3/endpoints", Policy: "identity:create_endpoint", Handler: h.createEndpoint},
		{Method: "GET", Pattern: "/v3/endpoints/{endpoint_id}", Policy: "identity:get_endpoint", Handler: h.showEndpoint},
		{Method: "PATCH", Pattern: "/v3/endpoints/{endpoint_id}", Policy: "identity:update_endpoint", Handler: h.updateEndpoint},
		{Method: "DELETE", Pattern: "/v3/endpoints/{endpoint_id}", Policy: "identity:delete_endpoint", Handler: h.deleteEndpoint},

		// OS-EP-FILTER.
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoint_groups", Policy: "identity:list_endpoint_groups", Handler: h.listEndpointGroups},
		{Method: "POST", Pattern: "/v3/OS-EP-FILTER/endpoint_groups", Policy: "identity:create_endpoint_group", Handler: h.createEndpointGroup},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}", Policy: "identity:get_endpoint_group", Handler: h.showEndpointGroup},
		{Method: "HEAD", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}", Policy: "identity:get_endpoint_group", Handler: h.showEndpointGroup},
		{Method: "PATCH", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}", Policy: "identity:update_endpoint_group", Handler: h.updateEndpointGroup},
		{Method: "DELETE", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}", Policy: "identity:delete_endpoint_group", Handler: h.deleteEndpointGroup},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/endpoints", Policy: "identity:list_endpoints_associated_with_endpoint_group", Handler: h.endpointGroupEndpoints},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects", Policy: "identity:list_projects_associated_with_endpoint_group", Handler: h.endpointGroupProjects},
		{Method: "PUT", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}", Policy: "identity:add_endpoint_group_to_project", Handler: h.addEndpointGroupProject},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}", Policy: "identity:get_endpoint_group_in_project", Handler: h.showEndpointGroupProject},
		{Method: "HEAD", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}", Policy: "identity:get_endpoint_group_in_project", Handler: h.showEndpointGroupProject},
		{Method: "DELETE", Pattern: "/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}", Policy: "identity:remove_endpoint_group_from_project", Handler: h.removeEndpointGroupProject},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoint_groups", Policy: "identity:list_endpoint_groups_for_project", Handler: h.projectEndpointGroups},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoints", Policy: "identity:list_endpoints_for_project", Handler: h.projectEndpoints},
		{Method: "PUT", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}", Policy: "identity:add_endpoint_to_project", Handler: h.addProjectEndpoint},
		{Method: "HEAD", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}", Policy: "identity:check_endpoint_in_project", Handler: h.checkProjectEndpoint},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}", Policy: "identity:check_endpoint_in_project", Handler: h.checkProjectEndpoint},
		{Method: "DELETE", Pattern: "/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}", Policy: "identity:remove_endpoint_from_project", Handler: h.removeProjectEndpoint},
		{Method: "GET", Pattern: "/v3/OS-EP-FILTER/endpoints/{endpoint_id}/projects", Policy: "identity:list_projects_for_endpoint", Handler: h.endpointProjects},

		// Credentials and OS-EC2.
		{Method: "GET", Pattern: "/v3/credentials", Policy: "identity:list_credentials", Handler: h.listCredentials},
		{Method: "POST", Pattern: "/v3/credentials", Policy: "identity:create_credential", Target: newCredentialTarget, Handler: h.createCredential},
		{Method: "GET", Pattern: "/v3/credentials/{credential_id}", Policy: "identity:get_credential", Target: h.credentialTarget, Handler: h.showCredential},
		{Method: "PATCH", Pattern: "/v3/credentials/{credential_id}", Policy: "identity:update_credential", Target: h.credentialTarget, Handler: h.updateCredential},
		{Method: "DELETE", Pattern: "/v3/credentials/{credential_id}", Policy: "identity:delete_credential", Target: h.credentialTarget, Handler: h.deleteCredential},
		{Method: "GET", Pattern: "/v3/users/{user_id}/credentials/OS-EC2", Policy: "identity:ec2_list_credentials", Target: ec2Target, Handler: h.listEC2},
		{Method: "POST", Pattern: "/v3/users/{user_id}/credentials/OS-EC2", Policy: "identity:ec2_create_credential", Target: ec2Target, Handler: h.createEC2},
		{Method: "GET", Pattern: "/v3/users/{user_id}/credentials/OS-EC2/{access}", Policy: "identity:ec2_get_credential", Target: ec2Target, Handler: h.showEC2},
		{Method: "DELETE", Pattern: "/v3/users/{user_id}/credentials/OS-EC2/{access}", Policy: "identity:ec2_delete_credential", Target: ec2Target, Handler: h.deleteEC2},

		// Policy blobs.
		{Method: "GET", Pattern: "/v3/policies", Policy: "identity:list_policies", Handler: h.listPolicies},
		{Method: "POST", Pattern: "/v3/policies", Policy: "identity:create_policy", Handler: h.createPolicy},
		{Method: "GET", Pattern: "/v3/policies/{policy_id}", Policy: "identity:get_policy", Handler: h.showPolicy},
		{Method: "PATCH", Pattern: "/v3/policies/{policy_id}", Policy: "identity:update_policy", Handler: h.updatePolicy},
		{Method: "DELETE", Pattern: "/v3/policies/{policy_id}", Policy: "identity:delete_policy", Handler: h.deletePolicy},

		// OAuth1: consumers; the token flow is not implemented.
		{Method: "GET", Pattern: "/v3/OS-OAUTH1/consumers", Policy: "identity:list_consumers", Handler: h.listConsumers},
		{Method: "POST", Pattern: "/v3/OS-OAUTH1/consumers", Policy: "identity:create_consumer", Handler: h.createConsumer},
		{Method: "GET", Pattern: "/v3/OS-OAUTH1/consumers/{consumer_id}", Policy: "identity:get_consumer", Handler: h.showConsumer},
		{Method: "PATCH", Pattern: "/v3/OS-OAUTH1/consumers/{consumer_id}", Policy: "identity:update_consumer", Handler: h.updateConsumer},
		{Method: "DELETE", Pattern: "/v3/OS-OAUTH1/consumers/{consumer_id}", Policy: "identity:delete_consumer", Handler: h.deleteConsumer},
		{Method: "POST", Pattern: "/v3/OS-OAUTH1/request_token", Public: true, Handler: h.oauth1NotImplemented},
		{Method: "POST", Pattern: "/v3/OS-OAUTH1/access_token", Public: true, Handler: h.oauth1NotImplemented},
		{Method: "PUT", Pattern: "/v3/OS-OAUTH1/authorize/{request_token_id}", Handler: h.oauth1NotImplemented},
		{Method: "GET", Pattern: "/v3/users/{user_id}/OS-OAUTH1/access_tokens", Handler: h.oauth1NotImplemented},
		{Method: "GET", Pattern: "/v3/users/{user_id}/OS-OAUTH1/access_tokens/{rest...}", Handler: h.oauth1NotImplemented},
		{Method: "DELETE", Pattern: "/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}", Handler: h.oauth1NotImplemented},

		// Unified limits.
		{Method: "GET", Pattern: "/v3/limits/model", Policy: "identity:get_limit_model", Handler: h.showLimitModel},
		{Method: "GET", Pattern: "/v3/registered_limits", Policy: "identity:list_registered_limits", Handler: h.listRegisteredLimits},
		{Method: "POST", Pattern: "/v3/registered_limits", Policy: "identity:create_registered_limits", Handler: h.createRegisteredLimits},
		{Method: "GET", Pattern: "/v3/registered_limits/{registered_limit_id}", Policy: "identity:get_registered_limit", Handler: h.showRegisteredLimit},
		{Method: "PATCH", Pattern: "/v3/registered_limits/{registered_limit_id}", Policy: "identity:update_registered_limit", Handler: h.updateRegisteredLimit},
		{Method: "DELETE", Pattern: "/v3/registered_limits/{registered_limit_id}", Policy: "identity:delete_registered_limit", Handler: h.deleteRegisteredLimit},
		{Method: "GET", Pattern: "/v3/limits", Policy: "identity:list_limits", Handler: h.listLimits},
		{Method: "POST", Pattern: "/v3/limits", Policy: "identity:create_limits", Handler: h.createLimits},
		{Method: "GET", Pattern: "/v3/limits/{limit_id}", Policy: "identity:get_limit", Target: h.limitTarget, Handler: h.showLimit},
		{Method: "PATCH", Pattern: "/v3/limits/{limit_id}", Policy: "identity:update_limit", Target: h.limitTarget, Handler: h.updateLimit},
		{Method: "DELETE", Pattern: "/v3/limits/{limit_id}", Policy: "identity:delete_limit", Target: h.limitTarget, Handler: h.deleteLimit},
	}
}
