// Package policies holds the compute API's policy rules: Nova's rule
// names (os_compute_api:...) and their defaults, the secure-RBAC ones. The
// route table of compute/api names a rule for every route; an operator's
// compute.yaml overrides the defaults rule by rule.
package policies

// Rule names, Nova's own.
const (
	// IsAdmin is Nova's context_is_admin: who counts as an administrator
	// where Nova asks context.is_admin (seeing every project's servers,
	// sorting by host, locks and errors shown in full).
	IsAdmin = "context_is_admin"

	FlavorCreate           = "os_compute_api:os-flavor-manage:create"
	FlavorUpdate           = "os_compute_api:os-flavor-manage:update"
	FlavorDelete           = "os_compute_api:os-flavor-manage:delete"
	ExtraSpecsIndex        = "os_compute_api:os-flavor-extra-specs:index"
	ExtraSpecsShow         = "os_compute_api:os-flavor-extra-specs:show"
	ExtraSpecsCreate       = "os_compute_api:os-flavor-extra-specs:create"
	ExtraSpecsUpdate       = "os_compute_api:os-flavor-extra-specs:update"
	ExtraSpecsDelete       = "os_compute_api:os-flavor-extra-specs:delete"
	FlavorAccessList       = "os_compute_api:os-flavor-access"
	FlavorAccessAdd        = "os_compute_api:os-flavor-access:add_tenant_access"
	FlavorAccessRemove     = "os_compute_api:os-flavor-access:remove_tenant_access"
	KeypairsIndex          = "os_compute_api:os-keypairs:index"
	KeypairsCreate         = "os_compute_api:os-keypairs:create"
	KeypairsShow           = "os_compute_api:os-keypairs:show"
	KeypairsDelete         = "os_compute_api:os-keypairs:delete"
	ZonesList              = "os_compute_api:os-availability-zone:list"
	ZonesDetail            = "os_compute_api:os-availability-zone:detail"
	Limits                 = "os_compute_api:limits"
	LimitsOtherProject     = "os_compute_api:limits:other_project"
	QuotaShow              = "os_compute_api:os-quota-sets:show"
	QuotaUpdate            = "os_compute_api:os-quota-sets:update"
	QuotaDefaults          = "os_compute_api:os-quota-sets:defaults"
	QuotaDelete            = "os_compute_api:os-quota-sets:delete"
	QuotaDetail            = "os_compute_api:os-quota-sets:detail"
	QuotaClassShow         = "os_compute_api:os-quota-class-sets:show"
	QuotaClassUpdate       = "os_compute_api:os-quota-class-sets:update"
	GroupsIndex            = "os_compute_api:os-server-groups:index"
	GroupsIndexAllProjects = "os_compute_api:os-server-groups:index:all_projects"
	GroupsCreate           = "os_compute_api:os-server-groups:create"
	GroupsShow             = "os_compute_api:os-server-groups:show"
	GroupsDelete           = "os_compute_api:os-server-groups:delete"

	// Servers and what hangs off them; hosts, aggregates, usage, migrations.
	ServersIndex                   = "os_compute_api:servers:index"
	ServersDetail                  = "os_compute_api:servers:detail"
	ServersIndexAllTenants         = "os_compute_api:servers:index:get_all_tenants"
	ServersDetailAllTenants        = "os_compute_api:servers:detail:get_all_tenants"
	ServersAllFilters              = "os_compute_api:servers:allow_all_filters"
	ServersShow                    = "os_compute_api:servers:show"
	ServersShowExtraSpecs          = "os_compute_api:servers:show:flavor-extra-specs"
	ServersShowHostStatus          = "os_compute_api:servers:show:host_status"
	ServersShowHostStatusUnknown   = "os_compute_api:servers:show:host_status:unknown-only"
	ServersCreate                  = "os_compute_api:servers:create"
	ServersCreateForcedHost        = "os_compute_api:servers:create:forced_host"
	ServersCreateRequestedDest     = "os_compute_api:servers:create:requested_destination"
	ServersCreateAttachVolume      = "os_compute_api:servers:create:attach_volume"
	ServersCreateAttachNetwork     = "os_compute_api:servers:create:attach_network"
	ServersCreateTrustedCerts      = "os_compute_api:servers:create:trusted_certs"
	ServersCreateZeroDisk          = "os_compute_api:servers:create:zero_disk_flavor"
	ServersUpdate                  = "os_compute_api:servers:update"
	ServersDelete                  = "os_compute_api:servers:delete"
	ServersReboot                  = "os_compute_api:servers:reboot"
	ServersStart                   = "os_compute_api:servers:start"
	ServersStop                    = "os_compute_api:servers:stop"
	ServersResize                  = "os_compute_api:servers:resize"
	ServersConfirmResize           = "os_compute_api:servers:confirm_resize"
	ServersRevertResize            = "os_compute_api:servers:revert_resize"
	ServersRebuild                 = "os_compute_api:servers:rebuild"
	ServersRebuildTrustedCerts     = "os_compute_api:servers:rebuild:trusted_certs"
	ServersCreateImage             = "os_compute_api:servers:create_image"
	ServersCreateImageVolumeBacked = "os_compute_api:servers:create_image:allow_volume_backed"
	ServersCrashDump               = "os_compute_api:servers:trigger_crash_dump"
	ServerMigrationsIndex          = "os_compute_api:servers:migrations:index"
	ServerMigrationsShow           = "os_compute_api:servers:migrations:show"
	ServerMigrationsForce          = "os_compute_api:servers:migrations:force_complete"
	ServerMigrationsDelete         = "os_compute_api:servers:migrations:delete"
	ResetState                     = "os_compute_api:os-admin-actions:reset_state"
	InjectNetworkInfo              = "os_compute_api:os-admin-actions:inject_network_info"
	AdminPassword                  = "os_compute_api:os-admin-password"
	CreateBackup                   = "os_compute_api:os-create-backup"
	ConsoleOutput                  = "os_compute_api:os-console-output"
	RemoteConsoles                 = "os_compute_api:os-remote-consoles"
	Restore                        = "os_compute_api:os-deferred-delete:restore"
	ForceDelete                    = "os_compute_api:os-deferred-delete:force"
	Evacuate                       = "os_compute_api:os-evacuate"
	ExtendedAttributes             = "os_compute_api:os-extended-server-attributes"
	Lock                           = "os_compute_api:os-lock-server:lock"
	Unlock                         = "os_compute_api:os-lock-server:unlock"
	UnlockOverride                 = "os_compute_api:os-lock-server:unlock:unlock_override"
	Migrate                        = "os_compute_api:os-migrate-server:migrate"
	MigrateHost                    = "os_compute_api:os-migrate-server:migrate:host"
	MigrateLive                    = "os_compute_api:os-migrate-server:migrate_live"
	Pause                          = "os_compute_api:os-pause-server:pause"
	Unpause                        = "os_compute_api:os-pause-server:unpause"
	Suspend                        = "os_compute_api:os-suspend-server:suspend"
	Resume                         = "os_compute_api:os-suspend-server:resume"
	Rescue                         = "os_compute_api:os-rescue"
	Unrescue                       = "os_compute_api:os-unrescue"
	Shelve                         = "os_compute_api:os-shelve:shelve"
	ShelveOffload                  = "os_compute_api:os-shelve:shelve_offload"
	Unshelve                       = "os_compute_api:os-shelve:unshelve"
	UnshelveToHost                 = "os_compute_api:os-shelve:unshelve_to_host"
	SecurityGroupsAdd              = "os_compute_api:os-security-groups:add"
	SecurityGroupsRemove           = "os_compute_api:os-security-groups:remove"
	SecurityGroupsList             = "os_compute_api:os-security-groups:list"
	SecurityGroupsGet              = "os_compute_api:os-security-groups:get"
	SecurityGroupsShow             = "os_compute_api:os-security-groups:show"
	SecurityGroupsCreate           = "os_compute_api:os-security-groups:create"
	SecurityGroupsUpdate           = "os_compute_api:os-security-groups:update"
	SecurityGroupsDelete           = "os_compute_api:os-security-groups:delete"
	SecurityGroupRuleCreate        = "os_compute_api:os-security-groups:rule:create"
	SecurityGroupRuleDelete        = "os_compute_api:os-security-groups:rule:delete"
	FloatingIPsList                = "os_compute_api:os-floating-ips:list"
	FloatingIPsShow                = "os_compute_api:os-floating-ips:show"
	FloatingIPsCreate              = "os_compute_api:os-floating-ips:create"
	FloatingIPsDelete              = "os_compute_api:os-floating-ips:delete"
	FloatingIPsAdd                 = "os_compute_api:os-floating-ips:add"
	FloatingIPsRemove              = "os_compute_api:os-floating-ips:remove"
	FloatingIPPools                = "os_compute_api:os-floating-ip-pools"
	NetworksList                   = "os_compute_api:os-networks:list"
	NetworksView                   = "os_compute_api:os-networks:view"
	TenantNetworksList             = "os_compute_api:os-tenant-networks:list"
	TenantNetworksShow             = "os_compute_api:os-tenant-networks:show"
	IPsIndex                       = "os_compute_api:ips:index"
	IPsShow                        = "os_compute_api:ips:show"
	MetadataIndex                  = "os_compute_api:server-metadata:index"
	MetadataShow                   = "os_compute_api:server-metadata:show"
	MetadataCreate                 = "os_compute_api:server-metadata:create"
	MetadataUpdate                 = "os_compute_api:server-metadata:update"
	MetadataUpdateAll              = "os_compute_api:server-metadata:update_all"
	MetadataDelete                 = "os_compute_api:server-metadata:delete"
	TagsIndex                      = "os_compute_api:os-server-tags:index"
	TagsShow                       = "os_compute_api:os-server-tags:show"
	TagsUpdate                     = "os_compute_api:os-server-tags:update"
	TagsUpdateAll                  = "os_compute_api:os-server-tags:update_all"
	TagsDelete                     = "os_compute_api:os-server-tags:delete"
	TagsDeleteAll                  = "os_compute_api:os-server-tags:delete_all"
	InstanceActionsList            = "os_compute_api:os-instance-actions:list"
	InstanceActionsShow            = "os_compute_api:os-instance-actions:show"
	InstanceActionsEvents          = "os_compute_api:os-instance-actions:events"
	InstanceActionsEventsDetails   = "os_compute_api:os-instance-actions:events:details"
	Diagnostics                    = "os_compute_api:os-server-diagnostics"
	ExternalEvents                 = "os_compute_api:os-server-external-events:create"
	PasswordShow                   = "os_compute_api:os-server-password:show"
	PasswordClear                  = "os_compute_api:os-server-password:clear"
	InterfacesList                 = "os_compute_api:os-attach-interfaces:list"
	InterfacesShow                 = "os_compute_api:os-attach-interfaces:show"
	InterfacesCreate               = "os_compute_api:os-attach-interfaces:create"
	InterfacesDelete               = "os_compute_api:os-attach-interfaces:delete"
	VolumeAttachIndex              = "os_compute_api:os-volumes-attachments:index"
	VolumeAttachShow               = "os_compute_api:os-volumes-attachments:show"
	VolumeAttachCreate             = "os_compute_api:os-volumes-attachments:create"
	VolumeAttachUpdate             = "os_compute_api:os-volumes-attachments:update"
	VolumeAttachSwap               = "os_compute_api:os-volumes-attachments:swap"
	VolumeAttachDelete             = "os_compute_api:os-volumes-attachments:delete"
	VolumesList                    = "os_compute_api:os-volumes:list"
	VolumesDetail                  = "os_compute_api:os-volumes:detail"
	VolumesShow                    = "os_compute_api:os-volumes:show"
	VolumesCreate                  = "os_compute_api:os-volumes:create"
	VolumesDelete                  = "os_compute_api:os-volumes:delete"
	SnapshotsList                  = "os_compute_api:os-volumes:snapshots:list"
	SnapshotsDetail                = "os_compute_api:os-volumes:snapshots:detail"
	SnapshotsShow                  = "os_compute_api:os-volumes:snapshots:show"
	SnapshotsCreate                = "os_compute_api:os-volumes:snapshots:create"
	SnapshotsDelete                = "os_compute_api:os-volumes:snapshots:delete"
	Topology                       = "compute:server:topology:index"
	TopologyHost                   = "compute:server:topology:host:index"
	ServicesList                   = "os_compute_api:os-services:list"
	ServicesUpdate                 = "os_compute_api:os-services:update"
	ServicesDelete                 = "os_compute_api:os-services:delete"
	HypervisorsList                = "os_compute_api:os-hypervisors:list"
	HypervisorsDetail              = "os_compute_api:os-hypervisors:list-detail"
	HypervisorsShow                = "os_compute_api:os-hypervisors:show"
	HypervisorsStatistics          = "os_compute_api:os-hypervisors:statistics"
	HypervisorsUptime              = "os_compute_api:os-hypervisors:uptime"
	HypervisorsSearch              = "os_compute_api:os-hypervisors:search"
	HypervisorsServers             = "os_compute_api:os-hypervisors:servers"
	AggregatesIndex                = "os_compute_api:os-aggregates:index"
	AggregatesCreate               = "os_compute_api:os-aggregates:create"
	AggregatesShow                 = "os_compute_api:os-aggregates:show"
	AggregatesUpdate               = "os_compute_api:os-aggregates:update"
	AggregatesDelete               = "os_compute_api:os-aggregates:delete"
	AggregatesAddHost              = "os_compute_api:os-aggregates:add_host"
	AggregatesRemoveHost           = "os_compute_api:os-aggregates:remove_host"
	AggregatesSetMetadata          = "os_compute_api:os-aggregates:set_metadata"
	AggregatesImages               = "compute:aggregates:images"
	HostsList                      = "os_compute_api:os-hosts:list"
	HostsShow                      = "os_compute_api:os-hosts:show"
	HostsUpdate                    = "os_compute_api:os-hosts:update"
	HostsReboot                    = "os_compute_api:os-hosts:reboot"
	HostsShutdown                  = "os_compute_api:os-hosts:shutdown"
	HostsStart                     = "os_compute_api:os-hosts:start"
	AuditLogList                   = "os_compute_api:os-instance-usage-audit-log:list"
	AuditLogShow                   = "os_compute_api:os-instance-usage-audit-log:show"
	Extensions                     = "os_compute_api:extensions"
	UsageList                      = "os_compute_api:os-simple-tenant-usage:list"
	UsageShow                      = "os_compute_api:os-simple-tenant-usage:show"
	MigrationsIndex                = "os_compute_api:os-migrations:index"
)

// Defaults returns Nova's default rules (the secure-RBAC defaults):
// admin manages flavors and quotas; project members act on their own
// project; keypairs belong to their user; readers of a project see its
// servers and members act on them; hosts, hypervisors, aggregates,
// migrations, evacuation, live migration, reset-state and the extended
// attributes are the admin's.
func Defaults() map[string]string {
	const (
		admin         = "role:admin"
		projectReader = "role:admin or (role:reader and project_id:%(project_id)s)"
		projectMember = "role:admin or (role:member and project_id:%(project_id)s)"
		owner         = "role:admin or user_id:%(user_id)s"
		any           = ""
	)
	return map[string]string{
		IsAdmin:                admin,
		FlavorCreate:           admin,
		FlavorUpdate:           admin,
		FlavorDelete:           admin,
		ExtraSpecsIndex:        any,
		ExtraSpecsShow:         any,
		ExtraSpecsCreate:       admin,
		ExtraSpecsUpdate:       admin,
		ExtraSpecsDelete:       admin,
		FlavorAccessList:       admin,
		FlavorAccessAdd:        admin,
		FlavorAccessRemove:     admin,
		KeypairsIndex:          owner,
		KeypairsCreate:         owner,
		KeypairsShow:           owner,
		KeypairsDelete:         owner,
		ZonesList:              any,
		ZonesDetail:            admin,
		Limits:                 any,
		LimitsOtherProject:     admin,
		QuotaShow:              projectReader,
		QuotaUpdate:            admin,
		QuotaDefaults:          any,
		QuotaDelete:            admin,
		QuotaDetail:            projectReader,
		QuotaClassShow:         admin,
		QuotaClassUpdate:       admin,
		GroupsIndex:            projectReader,
		GroupsIndexAllProjects: admin,
		GroupsCreate:           projectMember,
		GroupsShow:             projectReader,
		GroupsDelete:           projectMember,

		ServersIndex:                   projectReader,
		ServersDetail:                  projectReader,
		ServersIndexAllTenants:         admin,
		ServersDetailAllTenants:        admin,
		ServersAllFilters:              admin,
		ServersShow:                    projectReader,
		ServersShowExtraSpecs:          projectReader,
		ServersShowHostStatus:          admin,
		ServersShowHostStatusUnknown:   admin,
		ServersCreate:                  projectMember,
		ServersCreateForcedHost:        admin,
		ServersCreateRequestedDest:     admin,
		ServersCreateAttachVolume:      projectMember,
		ServersCreateAttachNetwork:     projectMember,
		ServersCreateTrustedCerts:      projectMember,
		ServersCreateZeroDisk:          admin,
		ServersUpdate:                  projectMember,
		ServersDelete:                  projectMember,
		ServersReboot:                  projectMember,
		ServersStart:                   projectMember,
		ServersStop:                    projectMember,
		ServersResize:                  projectMember,
		ServersConfirmResize:           projectMember,
		ServersRevertResize:            projectMember,
		ServersRebuild:                 projectMember,
		ServersRebuildTrustedCerts:     projectMember,
		ServersCreateImage:             projectMember,
		ServersCreateImageVolumeBacked: projectMember,
		ServersCrashDump:               projectMember,
		ServerMigrationsIndex:          admin,
		ServerMigrationsShow:           admin,
		ServerMigrationsForce:          admin,
		ServerMigrationsDelete:         admin,
		ResetState:                     admin,
		InjectNetworkInfo:              admin,
		AdminPassword:                  projectMember,
		CreateBackup:                   projectMember,
		ConsoleOutput:                  projectMember,
		RemoteConsoles:                 projectMember,
		Restore:                        projectMember,
		ForceDelete:                    projectMember,
		Evacuate:                       admin,
		ExtendedAttributes:             admin,
		Lock:                           projectMember,
		Unlock:                         projectMember,
		UnlockOverride:                 admin,
		Migrate:                        admin,
		MigrateHost:                    admin,
		MigrateLive:                    admin,
		Pause:                          projectMember,
		Unpause:                        projectMember,
		Suspend:                        projectMember,
		Resume:                         projectMember,
		Rescue:                         projectMember,
		Unrescue:                       projectMember,
		Shelve:                         projectMember,
		ShelveOffload:                  admin,
		Unshelve:                       projectMember,
		UnshelveToHost:                 admin,
		SecurityGroupsAdd:              projectMember,
		SecurityGroupsRemove:           projectMember,
		SecurityGroupsList:             projectReader,
		SecurityGroupsGet:              projectReader,
		SecurityGroupsShow:             projectReader,
		SecurityGroupsCreate:           projectMember,
		SecurityGroupsUpdate:           projectMember,
		SecurityGroupsDelete:           projectMember,
		SecurityGroupRuleCreate:        projectMember,
		SecurityGroupRuleDelete:        projectMember,
		FloatingIPsList:                projectReader,
		FloatingIPsShow:                projectReader,
		FloatingIPsCreate:              projectMember,
		FloatingIPsDelete:              projectMember,
		FloatingIPsAdd:                 projectMember,
		FloatingIPsRemove:              projectMember,
		FloatingIPPools:                "@",
		NetworksList:                   projectReader,
		NetworksView:                   projectReader,
		TenantNetworksList:             projectReader,
		TenantNetworksShow:             projectReader,
		IPsIndex:                       projectReader,
		IPsShow:                        projectReader,
		MetadataIndex:                  projectReader,
		MetadataShow:                   projectReader,
		MetadataCreate:                 projectMember,
		MetadataUpdate:                 projectMember,
		MetadataUpdateAll:              projectMember,
		MetadataDelete:                 projectMember,
		TagsIndex:                      projectReader,
		TagsShow:                       projectReader,
		TagsUpdate:                     projectMember,
		TagsUpdateAll:                  projectMember,
		TagsDelete:                     projectMember,
		TagsDeleteAll:                  projectMember,
		InstanceActionsList:            projectReader,
		InstanceActionsShow:            projectReader,
		InstanceActionsEvents:          admin,
		InstanceActionsEventsDetails:   projectReader,
		Diagnostics:                    admin,
		ExternalEvents:                 admin,
		PasswordShow:                   projectReader,
		PasswordClear:                  projectMember,
		InterfacesList:                 projectReader,
		InterfacesShow:                 projectReader,
		InterfacesCreate:               projectMember,
		InterfacesDelete:               projectMember,
		VolumeAttachIndex:              projectReader,
		VolumeAttachShow:               projectReader,
		VolumeAttachCreate:             projectMember,
		VolumeAttachUpdate:             projectMember,
		VolumeAttachSwap:               admin,
		VolumeAttachDelete:             projectMember,
		VolumesList:                    projectReader,
		VolumesDetail:                  projectReader,
		VolumesShow:                    projectReader,
		VolumesCreate:                  projectMember,
		VolumesDelete:                  projectMember,
		SnapshotsList:                  projectReader,
		SnapshotsDetail:                projectReader,
		SnapshotsShow:                  projectReader,
		SnapshotsCreate:                projectMember,
		SnapshotsDelete:                projectMember,
		Topology:                       projectReader,
		TopologyHost:                   admin,
		ServicesList:                   admin,
		ServicesUpdate:                 admin,
		ServicesDelete:                 admin,
		HypervisorsList:                admin,
		HypervisorsDetail:              admin,
		HypervisorsShow:                admin,
		HypervisorsStatistics:          admin,
		HypervisorsUptime:              admin,
		HypervisorsSearch:              admin,
		HypervisorsServers:             admin,
		AggregatesIndex:                admin,
		AggregatesCreate:               admin,
		AggregatesShow:                 admin,
		AggregatesUpdate:               admin,
		AggregatesDelete:               admin,
		AggregatesAddHost:              admin,
		AggregatesRemoveHost:           admin,
		AggregatesSetMetadata:          admin,
		AggregatesImages:               admin,
		HostsList:                      admin,
		HostsShow:                      admin,
		HostsUpdate:                    admin,
		HostsReboot:                    admin,
		HostsShutdown:                  admin,
		HostsStart:                     admin,
		AuditLogList:                   admin,
		AuditLogShow:                   admin,
		Extensions:                     any,
		UsageList:                      admin,
		UsageShow:                      projectReader,
		MigrationsIndex:                admin,
	}
}
