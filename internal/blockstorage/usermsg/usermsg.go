// Package usermsg is Cinder's catalog of user messages: the actions that
// can fail and the reasons they fail for, by Cinder's numbers
// (cinder/message/message_field.py), and their words. A message's
// event id and text are composed from one action and one detail
// (blockstorage.NewMessage).
package usermsg

// Action is what failed, by Cinder's action id (message_field.Action).
type Action string

// Cinder's actions.
const (
	ActionScheduleAllocateVolume Action = "001"
	ActionAttachVolume           Action = "002"
	ActionCopyVolumeToImage      Action = "003"
	ActionUpdateAttachment       Action = "004"
	ActionCopyImageToVolume      Action = "005"
	ActionUnmanageVolume         Action = "006"
	ActionExtendVolume           Action = "007"
	ActionCreateVolumeFromBacked Action = "008"
	ActionSnapshotCreate         Action = "009"
	ActionSnapshotDelete         Action = "010"
	ActionSnapshotUpdate         Action = "011"
	ActionSnapshotMetadataUpdate Action = "012"
	ActionBackupCreate           Action = "013"
	ActionBackupDelete           Action = "014"
	ActionBackupRestore          Action = "015"
	ActionReimageVolume          Action = "016"
)

// Text is the action's words in a user message.
func (a Action) Text() string {
	switch a {
	case ActionScheduleAllocateVolume:
		return "schedule allocate volume"
	case ActionAttachVolume:
		return "attach volume"
	case ActionCopyVolumeToImage:
		return "copy volume to image"
	case ActionUpdateAttachment:
		return "update attachment"
	case ActionCopyImageToVolume:
		return "copy image to volume"
	case ActionUnmanageVolume:
		return "unmanage volume"
	case ActionExtendVolume:
		return "extend volume"
	case ActionCreateVolumeFromBacked:
		return "create volume from backend storage"
	case ActionSnapshotCreate:
		return "create snapshot"
	case ActionSnapshotDelete:
		return "delete snapshot"
	case ActionSnapshotUpdate:
		return "update snapshot"
	case ActionSnapshotMetadataUpdate:
		return "update snapshot metadata"
	case ActionBackupCreate:
		return "create backup"
	case ActionBackupDelete:
		return "delete backup"
	case ActionBackupRestore:
		return "restore backup"
	case ActionReimageVolume:
		return "reimage volume"
	}
	return "unknown action"
}

// Detail is why it failed, by Cinder's detail id (message_field.Detail).
type Detail string

// Cinder's details.
const (
	DetailUnknownError           Detail = "001"
	DetailDriverNotInitialized   Detail = "002"
	DetailNoBackendAvailable     Detail = "003"
	DetailFailedToUploadVolume   Detail = "004"
	DetailAttachModeInvalid      Detail = "005"
	DetailQuotaExceed            Detail = "006"
	DetailNotEnoughSpaceForImage Detail = "007"
	DetailComputeExtendFailed    Detail = "009"
	DetailDriverFailedExtend     Detail = "010"
	DetailImageSignatureFailed   Detail = "011"
	DetailDriverFailedCreate     Detail = "012"
	DetailSnapshotCreateError    Detail = "013"
	DetailSnapshotMetadataFailed Detail = "014"
	DetailSnapshotIsBusy         Detail = "015"
	DetailSnapshotDeleteError    Detail = "016"
	DetailBackupCreateDeviceErr  Detail = "017"
	DetailBackupCreateDriverErr  Detail = "018"
	DetailAttachError            Detail = "019"
	DetailDetachError            Detail = "020"
	DetailBackupCreateCleanupErr Detail = "021"
	DetailBackupScheduleError    Detail = "022"
	DetailBackupServiceDown      Detail = "023"
	DetailBackupRestoreError     Detail = "024"
	DetailVolumeInvalidState     Detail = "025"
)

// Text is the detail's words in a user message.
func (d Detail) Text() string {
	switch d {
	case DetailUnknownError:
		return "An unknown error occurred."
	case DetailDriverNotInitialized:
		return "Driver is not initialized at present."
	case DetailNoBackendAvailable:
		return "Could not find any available weighted backend."
	case DetailFailedToUploadVolume:
		return "Failed to upload volume to image at backend."
	case DetailAttachModeInvalid:
		return "Volume's attach mode is invalid."
	case DetailQuotaExceed:
		return "Not enough quota resource for operation."
	case DetailNotEnoughSpaceForImage:
		return "Image used for creating volume exceeds available space."
	case DetailComputeExtendFailed:
		return "Compute service failed to extend volume."
	case DetailDriverFailedExtend:
		return "Driver failed to extend volume."
	case DetailImageSignatureFailed:
		return "Image signature verification failed."
	case DetailDriverFailedCreate:
		return "Driver failed to create the volume."
	case DetailSnapshotCreateError:
		return "Snapshot failed to create."
	case DetailSnapshotMetadataFailed:
		return "Volume snapshot update metadata failed."
	case DetailSnapshotIsBusy:
		return "Snapshot is busy."
	case DetailSnapshotDeleteError:
		return "Snapshot failed to delete."
	case DetailBackupCreateDeviceErr:
		return "Backup failed to create device."
	case DetailBackupCreateDriverErr:
		return "Backup failed to create in the driver."
	case DetailAttachError:
		return "Volume attach failed."
	case DetailDetachError:
		return "Volume detach failed."
	case DetailBackupCreateCleanupErr:
		return "Cleanup of the temporary volume or snapshot failed."
	case DetailBackupScheduleError:
		return "Backup failed to schedule. Service not found for creating backup."
	case DetailBackupServiceDown:
		return "Backup service is down."
	case DetailBackupRestoreError:
		return "Backup failed to restore."
	case DetailVolumeInvalidState:
		return "Volume status is invalid."
	}
	return "An unknown error occurred."
}
