package policies

// Attachment rule names: the attachments API's and the attach actions of
// a volume (Cinder's volume_extension:volume_actions:*).
const (
	AttachmentCreate     = "volume:attachment_create"
	AttachmentUpdate     = "volume:attachment_update"
	AttachmentDelete     = "volume:attachment_delete"
	AttachmentComplete   = "volume:attachment_complete"
	MultiattachBootable  = "volume:multiattach_bootable_volume"
	VolumeAttach         = "volume_extension:volume_actions:attach"
	VolumeDetach         = "volume_extension:volume_actions:detach"
	VolumeReserve        = "volume_extension:volume_actions:reserve"
	VolumeUnreserve      = "volume_extension:volume_actions:unreserve"
	VolumeBeginDetaching = "volume_extension:volume_actions:begin_detaching"
	VolumeRollDetaching  = "volume_extension:volume_actions:roll_detaching"
	VolumeInitConnection = "volume_extension:volume_actions:initialize_connection"
	VolumeTermConnection = "volume_extension:volume_actions:terminate_connection"
	VolumeForceDetach    = "volume_extension:volume_admin_actions:force_detach"
)

// attachmentRules are the rules of attachments and the attach actions:
// Cinder's legacy defaults (anyone may create an attachment of a volume
// it can see; the rest is the volume's project's; force detach is an
// admin's). Cinder has no rule for reading attachments: a caller sees
// its project's.
func attachmentRules() map[string]string {
	return map[string]string{
		AttachmentCreate:     Anyone,
		AttachmentUpdate:     AdminOrOwner,
		AttachmentDelete:     AdminOrOwner,
		AttachmentComplete:   AdminOrOwner,
		MultiattachBootable:  AdminOrOwner,
		VolumeAttach:         AdminOrOwner,
		VolumeDetach:         AdminOrOwner,
		VolumeReserve:        AdminOrOwner,
		VolumeUnreserve:      AdminOrOwner,
		VolumeBeginDetaching: AdminOrOwner,
		VolumeRollDetaching:  AdminOrOwner,
		VolumeInitConnection: AdminOrOwner,
		VolumeTermConnection: AdminOrOwner,
		VolumeForceDetach:    Admin,
	}
}
