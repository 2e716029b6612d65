package policies

// backupRules are the rules of backups.
func backupRules() map[string]string {
	return map[string]string{}
}
