package policies

// Snapshot rule names (Cinder's cinder/policies/snapshots.py,
// snapshot_metadata.py, snapshot_actions.py).
const (
	SnapshotCreate         = "volume:create_snapshot"
	SnapshotGet            = "volume:get_snapshot"
	SnapshotGetAll         = "volume:get_all_snapshots"
	SnapshotUpdate         = "volume:update_snapshot"
	SnapshotDelete         = "volume:delete_snapshot"
	SnapshotAttributes     = "volume_extension:extended_snapshot_attributes"
	SnapshotMetadataGet    = "volume:get_snapshot_metadata"
	SnapshotMetadataUpdate = "volume:update_snapshot_metadata"
	SnapshotMetadataDelete = "volume:delete_snapshot_metadata"
	SnapshotResetStatus    = "volume_extension:snapshot_admin_actions:reset_status"
	SnapshotForceDelete    = "volume_extension:snapshot_admin_actions:force_delete"
	SnapshotUpdateStatus   = "snapshot_extension:snapshot_actions:update_snapshot_status"
)

// snapshotRules are the rules of snapshots.
func snapshotRules() map[string]string {
	return map[string]string{
		SnapshotCreate:         AdminOrOwner,
		SnapshotGet:            AdminOrOwner,
		SnapshotGetAll:         AdminOrOwner,
		SnapshotUpdate:         AdminOrOwner,
		SnapshotDelete:         AdminOrOwner,
		SnapshotAttributes:     AdminOrOwner,
		SnapshotMetadataGet:    AdminOrOwner,
		SnapshotMetadataUpdate: AdminOrOwner,
		SnapshotMetadataDelete: AdminOrOwner,
		SnapshotResetStatus:    Admin,
		SnapshotForceDelete:    Admin,
		SnapshotUpdateStatus:   AdminOrOwner,
	}
}
