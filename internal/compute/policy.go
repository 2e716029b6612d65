package compute

// Policy rule names, Nova's own.
const (
	RuleFlavorCreate           = "os_compute_api:os-flavor-manage:create"
	RuleFlavorUpdate           = "os_compute_api:os-flavor-manage:update"
	RuleFlavorDelete           = "os_compute_api:os-flavor-manage:delete"
	RuleExtraSpecsIndex        = "os_compute_api:os-flavor-extra-specs:index"
	RuleExtraSpecsShow         = "os_compute_api:os-flavor-extra-specs:show"
	RuleExtraSpecsCreate       = "os_compute_api:os-flavor-extra-specs:create"
	RuleExtraSpecsUpdate       = "os_compute_api:os-flavor-extra-specs:update"
	RuleExtraSpecsDelete       = "os_compute_api:os-flavor-extra-specs:delete"
	RuleFlavorAccessList       = "os_compute_api:os-flavor-access"
	RuleFlavorAccessAdd        = "os_compute_api:os-flavor-access:add_tenant_access"
	RuleFlavorAccessRemove     = "os_compute_api:os-flavor-access:remove_tenant_access"
	RuleKeypairsIndex          = "os_compute_api:os-keypairs:index"
	RuleKeypairsCreate         = "os_compute_api:os-keypairs:create"
	RuleKeypairsShow           = "os_compute_api:os-keypairs:show"
	RuleKeypairsDelete         = "os_compute_api:os-keypairs:delete"
	RuleZonesList              = "os_compute_api:os-availability-zone:list"
	RuleZonesDetail            = "os_compute_api:os-availability-zone:detail"
	RuleLimits                 = "os_compute_api:limits"
	RuleLimitsOtherProject     = "os_compute_api:limits:other_project"
	RuleQuotaShow              = "os_compute_api:os-quota-sets:show"
	RuleQuotaUpdate            = "os_compute_api:os-quota-sets:update"
	RuleQuotaDefaults          = "os_compute_api:os-quota-sets:defaults"
	RuleQuotaDelete            = "os_compute_api:os-quota-sets:delete"
	RuleQuotaDetail            = "os_compute_api:os-quota-sets:detail"
	RuleQuotaClassShow         = "os_compute_api:os-quota-class-sets:show"
	RuleQuotaClassUpdate       = "os_compute_api:os-quota-class-sets:update"
	RuleGroupsIndex            = "os_compute_api:os-server-groups:index"
	RuleGroupsIndexAllProjects = "os_compute_api:os-server-groups:index:all_projects"
	RuleGroupsCreate           = "os_compute_api:os-server-groups:create"
	RuleGroupsShow             = "os_compute_api:os-server-groups:show"
	RuleGroupsDelete           = "os_compute_api:os-server-groups:delete"
)

// PolicyDefaults returns Nova's default rules (the secure-RBAC defaults):
// admin manages flavors and quotas; project members act on their own
// project; keypairs belong to their user.
func PolicyDefaults() map[string]string {
	const (
		admin         = "role:admin"
		projectReader = "role:admin or (role:reader and project_id:%(project_id)s)"
		projectMember = "role:admin or (role:member and project_id:%(project_id)s)"
		owner         = "role:admin or user_id:%(user_id)s"
		any           = ""
	)
	return map[string]string{
		RuleFlavorCreate:           admin,
		RuleFlavorUpdate:           admin,
		RuleFlavorDelete:           admin,
		RuleExtraSpecsIndex:        any,
		RuleExtraSpecsShow:         any,
		RuleExtraSpecsCreate:       admin,
		RuleExtraSpecsUpdate:       admin,
		RuleExtraSpecsDelete:       admin,
		RuleFlavorAccessList:       admin,
		RuleFlavorAccessAdd:        admin,
		RuleFlavorAccessRemove:     admin,
		RuleKeypairsIndex:          owner,
		RuleKeypairsCreate:         owner,
		RuleKeypairsShow:           owner,
		RuleKeypairsDelete:         owner,
		RuleZonesList:              any,
		RuleZonesDetail:            admin,
		RuleLimits:                 any,
		RuleLimitsOtherProject:     admin,
		RuleQuotaShow:              projectReader,
		RuleQuotaUpdate:            admin,
		RuleQuotaDefaults:          any,
		RuleQuotaDelete:            admin,
		RuleQuotaDetail:            projectReader,
		RuleQuotaClassShow:         admin,
		RuleQuotaClassUpdate:       admin,
		RuleGroupsIndex:            projectReader,
		RuleGroupsIndexAllProjects: admin,
		RuleGroupsCreate:           projectMember,
		RuleGroupsShow:             projectReader,
		RuleGroupsDelete:           projectMember,
	}
}
