// Package policies holds the block storage API's policy rules: Cinder's
// rule names and their defaults, a file per area. The route table of
// blockstorage/api names a rule for every route; an operator's
// volume.yaml overrides the defaults rule by rule.
package policies

// Base rules every area's defaults refer to (Cinder's legacy defaults,
// which a cloud upgraded from an older release still has: an admin
// manages everything, a project member its own project's resources).
const (
	Admin        = "rule:admin_api"
	AdminOrOwner = "rule:admin_or_owner"
	Anyone       = ""
)

// Defaults are Cinder's default rules.
func Defaults() map[string]string {
	m := map[string]string{
		"context_is_admin": "role:admin",
		// Cinder's rules say "is_admin:True or (role:admin and
		// is_admin_project:True)"; its request context sets is_admin from
		// context_is_admin, so any caller with the admin role passes the
		// first half, whatever project its token is scoped to.
		"admin_or_owner": "rule:context_is_admin or project_id:%(project_id)s",
		"default":        AdminOrOwner,
		"admin_api":      "rule:context_is_admin",
	}
	for _, area := range []map[string]string{volumeRules(), typeRules(), snapshotRules(), backupRules(),
		transferRules(), attachmentRules(), hostRules(), extraRules(), groupRules()} {
		for k, v := range area {
			m[k] = v
		}
	}
	return m
}
