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

	// Servers and what hangs off them; hosts, aggregates, usage, migrations.
	RuleServersIndex                   = "os_compute_api:servers:index"
	RuleServersDetail                  = "os_compute_api:servers:detail"
	RuleServersIndexAllTenants         = "os_compute_api:servers:index:get_all_tenants"
	RuleServersDetailAllTenants        = "os_compute_api:servers:detail:get_all_tenants"
	RuleServersAllFilters              = "os_compute_api:servers:allow_all_filters"
	RuleServersShow                    = "os_compute_api:servers:show"
	RuleServersShowExtraSpecs          = "os_compute_api:servers:show:flavor-extra-specs"
	RuleServersShowHostStatus          = "os_compute_api:servers:show:host_status"
	RuleServersShowHostStatusUnknown   = "os_compute_api:servers:show:host_status:unknown-only"
	RuleServersCreate                  = "os_compute_api:servers:create"
	RuleServersCreateForcedHost        = "os_compute_api:servers:create:forced_host"
	RuleServersCreateRequestedDest     = "os_compute_api:servers:create:requested_destination"
	RuleServersCreateAttachVolume      = "os_compute_api:servers:create:attach_volume"
	RuleServersCreateAttachNetwork     = "os_compute_api:servers:create:attach_network"
	RuleServersCreateTrustedCerts      = "os_compute_api:servers:create:trusted_certs"
	RuleServersCreateZeroDisk          = "os_compute_api:servers:create:zero_disk_flavor"
	RuleServersUpdate                  = "os_compute_api:servers:update"
	RuleServersDelete                  = "os_compute_api:servers:delete"
	RuleServersReboot                  = "os_compute_api:servers:reboot"
	RuleServersStart                   = "os_compute_api:servers:start"
	RuleServersStop                    = "os_compute_api:servers:stop"
	RuleServersResize                  = "os_compute_api:servers:resize"
	RuleServersConfirmResize           = "os_compute_api:servers:confirm_resize"
	RuleServersRevertResize            = "os_compute_api:servers:revert_resize"
	RuleServersRebuild                 = "os_compute_api:servers:rebuild"
	RuleServersRebuildTrustedCerts     = "os_compute_api:servers:rebuild:trusted_certs"
	RuleServersCreateImage             = "os_compute_api:servers:create_image"
	RuleServersCreateImageVolumeBacked = "os_compute_api:servers:create_image:allow_volume_backed"
	RuleServersCrashDump               = "os_compute_api:servers:trigger_crash_dump"
	RuleServerMigrationsIndex          = "os_compute_api:servers:migrations:index"
	RuleServerMigrationsShow           = "os_compute_api:servers:migrations:show"
	RuleServerMigrationsForce          = "os_compute_api:servers:migrations:force_complete"
	RuleServerMigrationsDelete         = "os_compute_api:servers:migrations:delete"
	RuleResetState                     = "os_compute_api:os-admin-actions:reset_state"
	RuleInjectNetworkInfo              = "os_compute_api:os-admin-actions:inject_network_info"
	RuleAdminPassword                  = "os_compute_api:os-admin-password"
	RuleCreateBackup                   = "os_compute_api:os-create-backup"
	RuleConsoleOutput                  = "os_compute_api:os-console-output"
	RuleRemoteConsoles                 = "os_compute_api:os-remote-consoles"
	RuleRestore                        = "os_compute_api:os-deferred-delete:restore"
	RuleForceDelete                    = "os_compute_api:os-deferred-delete:force"
	RuleEvacuate                       = "os_compute_api:os-evacuate"
	RuleExtendedAttributes             = "os_compute_api:os-extended-server-attributes"
	RuleLock                           = "os_compute_api:os-lock-server:lock"
	RuleUnlock                         = "os_compute_api:os-lock-server:unlock"
	RuleUnlockOverride                 = "os_compute_api:os-lock-server:unlock:unlock_override"
	RuleMigrate                        = "os_compute_api:os-migrate-server:migrate"
	RuleMigrateHost                    = "os_compute_api:os-migrate-server:migrate:host"
	RuleMigrateLive                    = "os_compute_api:os-migrate-server:migrate_live"
	RulePause                          = "os_compute_api:os-pause-server:pause"
	RuleUnpause                        = "os_compute_api:os-pause-server:unpause"
	RuleSuspend                        = "os_compute_api:os-suspend-server:suspend"
	RuleResume                         = "os_compute_api:os-suspend-server:resume"
	RuleRescue                         = "os_compute_api:os-rescue"
	RuleUnrescue                       = "os_compute_api:os-unrescue"
	RuleShelve                         = "os_compute_api:os-shelve:shelve"
	RuleShelveOffload                  = "os_compute_api:os-shelve:shelve_offload"
	RuleUnshelve                       = "os_compute_api:os-shelve:unshelve"
	RuleUnshelveToHost                 = "os_compute_api:os-shelve:unshelve_to_host"
	RuleSecurityGroupsAdd              = "os_compute_api:os-security-groups:add"
	RuleSecurityGroupsRemove           = "os_compute_api:os-security-groups:remove"
	RuleSecurityGroupsList             = "os_compute_api:os-security-groups:list"
	RuleIPsIndex                       = "os_compute_api:ips:index"
	RuleIPsShow                        = "os_compute_api:ips:show"
	RuleMetadataIndex                  = "os_compute_api:server-metadata:index"
	RuleMetadataShow                   = "os_compute_api:server-metadata:show"
	RuleMetadataCreate                 = "os_compute_api:server-metadata:create"
	RuleMetadataUpdate                 = "os_compute_api:server-metadata:update"
	RuleMetadataUpdateAll              = "os_compute_api:server-metadata:update_all"
	RuleMetadataDelete                 = "os_compute_api:server-metadata:delete"
	RuleTagsIndex                      = "os_compute_api:os-server-tags:index"
	RuleTagsShow                       = "os_compute_api:os-server-tags:show"
	RuleTagsUpdate                     = "os_compute_api:os-server-tags:update"
	RuleTagsUpdateAll                  = "os_compute_api:os-server-tags:update_all"
	RuleTagsDelete                     = "os_compute_api:os-server-tags:delete"
	RuleTagsDeleteAll                  = "os_compute_api:os-server-tags:delete_all"
	RuleInstanceActionsList            = "os_compute_api:os-instance-actions:list"
	RuleInstanceActionsShow            = "os_compute_api:os-instance-actions:show"
	RuleInstanceActionsEvents          = "os_compute_api:os-instance-actions:events"
	RuleInstanceActionsEventsDetails   = "os_compute_api:os-instance-actions:events:details"
	RuleDiagnostics                    = "os_compute_api:os-server-diagnostics"
	RuleExternalEvents                 = "os_compute_api:os-server-external-events:create"
	RulePasswordShow                   = "os_compute_api:os-server-password:show"
	RulePasswordClear                  = "os_compute_api:os-server-password:clear"
	RuleInterfacesList                 = "os_compute_api:os-attach-interfaces:list"
	RuleInterfacesShow                 = "os_compute_api:os-attach-interfaces:show"
	RuleInterfacesCreate               = "os_compute_api:os-attach-interfaces:create"
	RuleInterfacesDelete               = "os_compute_api:os-attach-interfaces:delete"
	RuleVolumeAttachIndex              = "os_compute_api:os-volumes-attachments:index"
	RuleVolumeAttachShow               = "os_compute_api:os-volumes-attachments:show"
	RuleVolumeAttachCreate             = "os_compute_api:os-volumes-attachments:create"
	RuleVolumeAttachUpdate             = "os_compute_api:os-volumes-attachments:update"
	RuleVolumeAttachSwap               = "os_compute_api:os-volumes-attachments:swap"
	RuleVolumeAttachDelete             = "os_compute_api:os-volumes-attachments:delete"
	RuleTopology                       = "compute:server:topology:index"
	RuleTopologyHost                   = "compute:server:topology:host:index"
	RuleServicesList                   = "os_compute_api:os-services:list"
	RuleServicesUpdate                 = "os_compute_api:os-services:update"
	RuleServicesDelete                 = "os_compute_api:os-services:delete"
	RuleHypervisorsList                = "os_compute_api:os-hypervisors:list"
	RuleHypervisorsDetail              = "os_compute_api:os-hypervisors:list-detail"
	RuleHypervisorsShow                = "os_compute_api:os-hypervisors:show"
	RuleHypervisorsStatistics          = "os_compute_api:os-hypervisors:statistics"
	RuleHypervisorsUptime              = "os_compute_api:os-hypervisors:uptime"
	RuleHypervisorsSearch              = "os_compute_api:os-hypervisors:search"
	RuleHypervisorsServers             = "os_compute_api:os-hypervisors:servers"
	RuleAggregatesIndex                = "os_compute_api:os-aggregates:index"
	RuleAggregatesCreate               = "os_compute_api:os-aggregates:create"
	RuleAggregatesShow                 = "os_compute_api:os-aggregates:show"
	RuleAggregatesUpdate               = "os_compute_api:os-aggregates:update"
	RuleAggregatesDelete               = "os_compute_api:os-aggregates:delete"
	RuleAggregatesAddHost              = "os_compute_api:os-aggregates:add_host"
	RuleAggregatesRemoveHost           = "os_compute_api:os-aggregates:remove_host"
	RuleAggregatesSetMetadata          = "os_compute_api:os-aggregates:set_metadata"
	RuleAggregatesImages               = "compute:aggregates:images"
	RuleHostsList                      = "os_compute_api:os-hosts:list"
	RuleHostsShow                      = "os_compute_api:os-hosts:show"
	RuleHostsUpdate                    = "os_compute_api:os-hosts:update"
	RuleHostsReboot                    = "os_compute_api:os-hosts:reboot"
	RuleHostsShutdown                  = "os_compute_api:os-hosts:shutdown"
	RuleHostsStart                     = "os_compute_api:os-hosts:start"
	RuleAuditLogList                   = "os_compute_api:os-instance-usage-audit-log:list"
	RuleAuditLogShow                   = "os_compute_api:os-instance-usage-audit-log:show"
	RuleExtensions                     = "os_compute_api:extensions"
	RuleUsageList                      = "os_compute_api:os-simple-tenant-usage:list"
	RuleUsageShow                      = "os_compute_api:os-simple-tenant-usage:show"
	RuleMigrationsIndex                = "os_compute_api:os-migrations:index"
)

// PolicyDefaults returns Nova's default rules (the secure-RBAC defaults):
// admin manages flavors and quotas; project members act on their own
// project; keypairs belong to their user; readers of a project see its
// servers and members act on them; hosts, hypervisors, aggregates,
// migrations, evacuation, live migration, reset-state and the extended
// attributes are the admin's.
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

		RuleServersIndex:                   projectReader,
		RuleServersDetail:                  projectReader,
		RuleServersIndexAllTenants:         admin,
		RuleServersDetailAllTenants:        admin,
		RuleServersAllFilters:              admin,
		RuleServersShow:                    projectReader,
		RuleServersShowExtraSpecs:          projectReader,
		RuleServersShowHostStatus:          admin,
		RuleServersShowHostStatusUnknown:   admin,
		RuleServersCreate:                  projectMember,
		RuleServersCreateForcedHost:        admin,
		RuleServersCreateRequestedDest:     admin,
		RuleServersCreateAttachVolume:      projectMember,
		RuleServersCreateAttachNetwork:     projectMember,
		RuleServersCreateTrustedCerts:      projectMember,
		RuleServersCreateZeroDisk:          admin,
		RuleServersUpdate:                  projectMember,
		RuleServersDelete:                  projectMember,
		RuleServersReboot:                  projectMember,
		RuleServersStart:                   projectMember,
		RuleServersStop:                    projectMember,
		RuleServersResize:                  projectMember,
		RuleServersConfirmResize:           projectMember,
		RuleServersRevertResize:            projectMember,
		RuleServersRebuild:                 projectMember,
		RuleServersRebuildTrustedCerts:     projectMember,
		RuleServersCreateImage:             projectMember,
		RuleServersCreateImageVolumeBacked: projectMember,
		RuleServersCrashDump:               projectMember,
		RuleServerMigrationsIndex:          admin,
		RuleServerMigrationsShow:           admin,
		RuleServerMigrationsForce:          admin,
		RuleServerMigrationsDelete:         admin,
		RuleResetState:                     admin,
		RuleInjectNetworkInfo:              admin,
		RuleAdminPassword:                  projectMember,
		RuleCreateBackup:                   projectMember,
		RuleConsoleOutput:                  projectMember,
		RuleRemoteConsoles:                 projectMember,
		RuleRestore:                        projectMember,
		RuleForceDelete:                    projectMember,
		RuleEvacuate:                       admin,
		RuleExtendedAttributes:             admin,
		RuleLock:                           projectMember,
		RuleUnlock:                         projectMember,
		RuleUnlockOverride:                 admin,
		RuleMigrate:                        admin,
		RuleMigrateHost:                    admin,
		RuleMigrateLive:                    admin,
		RulePause:                          projectMember,
		RuleUnpause:                        projectMember,
		RuleSuspend:                        projectMember,
		RuleResume:                         projectMember,
		RuleRescue:                         projectMember,
		RuleUnrescue:                       projectMember,
		RuleShelve:                         projectMember,
		RuleShelveOffload:                  admin,
		RuleUnshelve:                       projectMember,
		RuleUnshelveToHost:                 admin,
		RuleSecurityGroupsAdd:              projectMember,
		RuleSecurityGroupsRemove:           projectMember,
		RuleSecurityGroupsList:             projectReader,
		RuleIPsIndex:                       projectReader,
		RuleIPsShow:                        projectReader,
		RuleMetadataIndex:                  projectReader,
		RuleMetadataShow:                   projectReader,
		RuleMetadataCreate:                 projectMember,
		RuleMetadataUpdate:                 projectMember,
		RuleMetadataUpdateAll:              projectMember,
		RuleMetadataDelete:                 projectMember,
		RuleTagsIndex:                      projectReader,
		RuleTagsShow:                       projectReader,
		RuleTagsUpdate:                     projectMember,
		RuleTagsUpdateAll:                  projectMember,
		RuleTagsDelete:                     projectMember,
		RuleTagsDeleteAll:                  projectMember,
		RuleInstanceActionsList:            projectReader,
		RuleInstanceActionsShow:            projectReader,
		RuleInstanceActionsEvents:          admin,
		RuleInstanceActionsEventsDetails:   projectReader,
		RuleDiagnostics:                    admin,
		RuleExternalEvents:                 admin,
		RulePasswordShow:                   projectReader,
		RulePasswordClear:                  projectMember,
		RuleInterfacesList:                 projectReader,
		RuleInterfacesShow:                 projectReader,
		RuleInterfacesCreate:               projectMember,
		RuleInterfacesDelete:               projectMember,
		RuleVolumeAttachIndex:              projectReader,
		RuleVolumeAttachShow:               projectReader,
		RuleVolumeAttachCreate:             projectMember,
		RuleVolumeAttachUpdate:             projectMember,
		RuleVolumeAttachSwap:               admin,
		RuleVolumeAttachDelete:             projectMember,
		RuleTopology:                       projectReader,
		RuleTopologyHost:                   admin,
		RuleServicesList:                   admin,
		RuleServicesUpdate:                 admin,
		RuleServicesDelete:                 admin,
		RuleHypervisorsList:                admin,
		RuleHypervisorsDetail:              admin,
		RuleHypervisorsShow:                admin,
		RuleHypervisorsStatistics:          admin,
		RuleHypervisorsUptime:              admin,
		RuleHypervisorsSearch:              admin,
		RuleHypervisorsServers:             admin,
		RuleAggregatesIndex:                admin,
		RuleAggregatesCreate:               admin,
		RuleAggregatesShow:                 admin,
		RuleAggregatesUpdate:               admin,
		RuleAggregatesDelete:               admin,
		RuleAggregatesAddHost:              admin,
		RuleAggregatesRemoveHost:           admin,
		RuleAggregatesSetMetadata:          admin,
		RuleAggregatesImages:               admin,
		RuleHostsList:                      admin,
		RuleHostsShow:                      admin,
		RuleHostsUpdate:                    admin,
		RuleHostsReboot:                    admin,
		RuleHostsShutdown:                  admin,
		RuleHostsStart:                     admin,
		RuleAuditLogList:                   admin,
		RuleAuditLogShow:                   admin,
		RuleExtensions:                     any,
		RuleUsageList:                      admin,
		RuleUsageShow:                      projectReader,
		RuleMigrationsIndex:                admin,
	}
}
