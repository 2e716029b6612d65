package policies

// Volume rule names (Cinder's cinder/policies/volumes.py,
// volume_actions.py and volume_metadata.py).
const (
	VolumeCreate          = "volume:create"
	VolumeCreateFromImage = "volume:create_from_image"
	VolumeGet             = "volume:get"
	VolumeGetAll          = "volume:get_all"
	VolumeUpdate          = "volume:update"
	VolumeDelete          = "volume:delete"
	// VolumeForceDelete is DELETE /volumes/{id}?force=true (3.23).
	VolumeForceDelete = "volume:force_delete"
	VolumeMultiattach = "volume:multiattach"

	// The attributes only some callers see in a shown volume.
	VolumeHostAttribute   = "volume_extension:volume_host_attribute"
	VolumeTenantAttribute = "volume_extension:volume_tenant_attribute"
	VolumeMigAttribute    = "volume_extension:volume_mig_status_attribute"

	VolumeMetadataGet    = "volume:get_volume_metadata"
	VolumeMetadataCreate = "volume:create_volume_metadata"
	VolumeMetadataUpdate = "volume:update_volume_metadata"
	VolumeMetadataDelete = "volume:delete_volume_metadata"

	VolumeImageMetadataShow   = "volume_extension:volume_image_metadata:show"
	VolumeImageMetadataSet    = "volume_extension:volume_image_metadata:set"
	VolumeImageMetadataRemove = "volume_extension:volume_image_metadata:remove"

	VolumeExtend         = "volume:extend"
	VolumeExtendAttached = "volume:extend_attached_volume"
	VolumeRevert         = "volume:revert_to_snapshot"
	VolumeResetStatus    = "volume_extension:volume_admin_actions:reset_status"
	VolumeRetype         = "volume:retype"
	VolumeUpdateReadonly = "volume:update_readonly_flag"
	// VolumeAdminForceDelete is the os-force_delete action.
	VolumeAdminForceDelete = "volume_extension:volume_admin_actions:force_delete"
	VolumeUploadPublic     = "volume_extension:volume_actions:upload_public"
	VolumeUploadImage      = "volume_extension:volume_actions:upload_image"
	VolumeMigrate          = "volume_extension:volume_admin_actions:migrate_volume"
	VolumeUnmanage         = "volume_extension:volume_unmanage"
)

// volumeRules are the rules of volumes and their actions: Cinder's
// legacy defaults (the admin-only ones say admin_api).
func volumeRules() map[string]string {
	return map[string]string{
		VolumeCreate:          Anyone,
		VolumeCreateFromImage: Anyone,
		VolumeGet:             AdminOrOwner,
		VolumeGetAll:          AdminOrOwner,
		VolumeUpdate:          AdminOrOwner,
		VolumeDelete:          AdminOrOwner,
		VolumeForceDelete:     Admin,
		VolumeMultiattach:     AdminOrOwner,

		VolumeHostAttribute:   Admin,
		VolumeTenantAttribute: AdminOrOwner,
		VolumeMigAttribute:    Admin,

		VolumeMetadataGet:    AdminOrOwner,
		VolumeMetadataCreate: AdminOrOwner,
		VolumeMetadataUpdate: AdminOrOwner,
		VolumeMetadataDelete: AdminOrOwner,

		VolumeImageMetadataShow:   AdminOrOwner,
		VolumeImageMetadataSet:    AdminOrOwner,
		VolumeImageMetadataRemove: AdminOrOwner,

		VolumeExtend:           AdminOrOwner,
		VolumeExtendAttached:   AdminOrOwner,
		VolumeRevert:           AdminOrOwner,
		VolumeResetStatus:      Admin,
		VolumeRetype:           AdminOrOwner,
		VolumeUpdateReadonly:   AdminOrOwner,
		VolumeAdminForceDelete: Admin,
		VolumeUploadPublic:     Admin,
		VolumeUploadImage:      AdminOrOwner,
		VolumeMigrate:          Admin,
		VolumeUnmanage:         Admin,
	}
}
