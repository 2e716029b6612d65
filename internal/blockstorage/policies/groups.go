package policies

// Group and group snapshot rule names (Cinder's cinder/policies/groups.py,
// group_actions.py, group_snapshots.py, group_snapshot_actions.py).
const (
	GroupCreate              = "group:create"
	GroupGet                 = "group:get"
	GroupGetAll              = "group:get_all"
	GroupUpdate              = "group:update"
	GroupDelete              = "group:delete"
	GroupResetStatus         = "group:reset_status"
	GroupSnapshotCreate      = "group:create_group_snapshot"
	GroupSnapshotGet         = "group:get_group_snapshot"
	GroupSnapshotGetAll      = "group:get_all_group_snapshots"
	GroupSnapshotDelete      = "group:delete_group_snapshot"
	GroupSnapshotResetStatus = "group:reset_group_snapshot_status"
)

// groupRules are the rules of groups and group snapshots.
func groupRules() map[string]string {
	return map[string]string{
		GroupCreate:              AdminOrOwner,
		GroupGet:                 AdminOrOwner,
		GroupGetAll:              AdminOrOwner,
		GroupUpdate:              AdminOrOwner,
		GroupDelete:              AdminOrOwner,
		GroupResetStatus:         Admin,
		GroupSnapshotCreate:      AdminOrOwner,
		GroupSnapshotGet:         AdminOrOwner,
		GroupSnapshotGetAll:      AdminOrOwner,
		GroupSnapshotDelete:      AdminOrOwner,
		GroupSnapshotResetStatus: Admin,
	}
}
