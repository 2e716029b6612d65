package policies

// Backup rule names (Cinder's cinder/policies/backups.py and
// backup_actions.py).
const (
	BackupCreate           = "backup:create"
	BackupGet              = "backup:get"
	BackupGetAll           = "backup:get_all"
	BackupUpdate           = "backup:update"
	BackupDelete           = "backup:delete"
	BackupRestore          = "backup:restore"
	BackupImport           = "backup:backup-import"
	BackupExport           = "backup:export-import"
	BackupProjectAttribute = "backup:backup_project_attribute"
	BackupResetStatus      = "volume_extension:backup_admin_actions:reset_status"
	BackupForceDelete      = "volume_extension:backup_admin_actions:force_delete"
)

// backupRules are the rules of backups.
func backupRules() map[string]string {
	return map[string]string{
		BackupCreate:           AdminOrOwner,
		BackupGet:              AdminOrOwner,
		BackupGetAll:           AdminOrOwner,
		BackupUpdate:           AdminOrOwner,
		BackupDelete:           AdminOrOwner,
		BackupRestore:          AdminOrOwner,
		BackupImport:           Admin,
		BackupExport:           Admin,
		BackupProjectAttribute: Admin,
		BackupResetStatus:      Admin,
		BackupForceDelete:      Admin,
	}
}
