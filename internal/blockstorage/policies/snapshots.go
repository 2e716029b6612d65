package policies

// snapshotRules are the rules of snapshots.
func snapshotRules() map[string]string {
	return map[string]string{}
}
