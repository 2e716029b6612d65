package policies

// Volume rule names.
const (
	VolumeCreate = "volume:create"
	VolumeGet    = "volume:get"
	VolumeGetAll = "volume:get_all"
	VolumeUpdate = "volume:update"
	VolumeDelete = "volume:delete"
)

// volumeRules are the rules of volumes and their actions.
func volumeRules() map[string]string {
	return map[string]string{
		VolumeCreate: Anyone,
		VolumeGet:    AdminOrOwner,
		VolumeGetAll: AdminOrOwner,
		VolumeUpdate: AdminOrOwner,
		VolumeDelete: AdminOrOwner,
	}
}
