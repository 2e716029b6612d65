package placement

// Policy rule names, Placement's own.
const (
	RuleProvidersList   = "placement:resource_providers:list"
	RuleProvidersCreate = "placement:resource_providers:create"
	RuleProvidersShow   = "placement:resource_providers:show"
	RuleProvidersUpdate = "placement:resource_providers:update"
	RuleProvidersDelete = "placement:resource_providers:delete"

	RuleClassesList   = "placement:resource_classes:list"
	RuleClassesCreate = "placement:resource_classes:create"
	RuleClassesShow   = "placement:resource_classes:show"
	RuleClassesUpdate = "placement:resource_classes:update"
	RuleClassesDelete = "placement:resource_classes:delete"

	RuleInventoriesList   = "placement:resource_providers:inventories:list"
	RuleInventoriesCreate = "placement:resource_providers:inventories:create"
	RuleInventoriesShow   = "placement:resource_providers:inventories:show"
	RuleInventoriesUpdate = "placement:resource_providers:inventories:update"
	RuleInventoriesDelete = "placement:resource_providers:inventories:delete"

	RuleAggregatesList   = "placement:resource_providers:aggregates:list"
	RuleAggregatesUpdate = "placement:resource_providers:aggregates:update"

	RuleProviderUsages = "placement:resource_providers:usages"
	RuleUsages         = "placement:usages"

	RuleTraitsList   = "placement:traits:list"
	RuleTraitsShow   = "placement:traits:show"
	RuleTraitsUpdate = "placement:traits:update"
	RuleTraitsDelete = "placement:traits:delete"

	RuleProviderTraitsList   = "placement:resource_providers:traits:list"
	RuleProviderTraitsUpdate = "placement:resource_providers:traits:update"
	RuleProviderTraitsDelete = "placement:resource_providers:traits:delete"

	RuleAllocationsManage  = "placement:allocations:manage"
	RuleAllocationsList    = "placement:allocations:list"
	RuleAllocationsUpdate  = "placement:allocations:update"
	RuleAllocationsDelete  = "placement:allocations:delete"
	RuleProviderAllocsList = "placement:resource_providers:allocations:list"

	RuleCandidatesList = "placement:allocation_candidates:list"
	RuleReshape        = "placement:reshaper:reshape"
)

// PolicyDefaults returns placement's default rules. Placement is an
// operator and service API: admin or the service role may do everything;
// a system-scoped reader may read, and a project reader may read its own
// project's usages.
func PolicyDefaults() map[string]string {
	const (
		write = "role:admin or role:service"
		read  = "role:admin or role:service or (role:reader and system_scope:all)"
	)
	m := map[string]string{}
	for _, r := range []string{
		RuleProvidersList, RuleProvidersShow, RuleClassesList, RuleClassesShow,
		RuleInventoriesList, RuleInventoriesShow, RuleAggregatesList,
		RuleProviderUsages, RuleTraitsList, RuleTraitsShow,
		RuleProviderTraitsList, RuleAllocationsList, RuleProviderAllocsList,
		RuleCandidatesList,
	} {
		m[r] = read
	}
	for _, r := range []string{
		RuleProvidersCreate, RuleProvidersUpdate, RuleProvidersDelete,
		RuleClassesCreate, RuleClassesUpdate, RuleClassesDelete,
		RuleInventoriesCreate, RuleInventoriesUpdate, RuleInventoriesDelete,
		RuleAggregatesUpdate, RuleTraitsUpdate, RuleTraitsDelete,
		RuleProviderTraitsUpdate, RuleProviderTraitsDelete,
		RuleAllocationsManage, RuleAllocationsUpdate, RuleAllocationsDelete,
		RuleReshape,
	} {
		m[r] = write
	}
	// A project's readers may see their own project's usages (Placement's
	// admin_or_project_reader_or_service_api).
	m[RuleUsages] = "role:admin or role:service or (role:reader and project_id:%(project_id)s)"
	return m
}
