package blockstorage

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Message is a user message (Cinder's messages, microversion 3.3): what
// an operation that failed in the background tells the project that
// asked for it, kept until ExpiresAt.
type Message struct {
	ID        string
	ProjectID string
	// RequestID is the request that started the operation.
	RequestID string
	// ResourceType is Cinder's resource kind: "VOLUME",
	// "VOLUME_SNAPSHOT", "VOLUME_BACKUP" ...; ResourceUUID its id.
	ResourceType string
	ResourceUUID string
	// EventID is "VOLUME_<resource type>_<action id>_<detail id>" and
	// UserMessage "<action>: <detail>" (NewMessage composes both).
	EventID     string
	Level       string
	UserMessage string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Resource types of messages, as Cinder names them.
const (
	ResourceVolume   = "VOLUME"
	ResourceSnapshot = "VOLUME_SNAPSHOT"
	ResourceBackup   = "VOLUME_BACKUP"
	ResourceGroup    = "VOLUME_GROUP"
)

// MessageTTL is how long a message is kept (Cinder's message_ttl).
const MessageTTL = 30 * 24 * time.Hour

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

// NewMessage is the ERROR message of an action on a resource that failed
// for a reason, worded and numbered as Cinder does (event_id
// "VOLUME_<resource type>_<action>_<detail>").
func NewMessage(project, resourceType, resourceID string, a Action, d Detail) Message {
	return Message{
		ProjectID:    project,
		ResourceType: resourceType,
		ResourceUUID: resourceID,
		EventID:      "VOLUME_" + resourceType + "_" + string(a) + "_" + string(d),
		Level:        "ERROR",
		UserMessage:  a.Text() + ": " + d.Text(),
	}
}

// MessageFilter narrows a message list.
type MessageFilter struct {
	// Project, when set, is one project's messages (a non-admin's list,
	// or an admin's without all_tenants).
	Project string
}

// ExtrasTx is what a transaction does with user messages and quota
// classes (the usage counts are QuotaTx's).
type ExtrasTx interface {
	CreateMessage(ctx context.Context, m *Message) error
	// GetMessage returns apierr.ErrNotFound for an unknown or expired
	// message.
	GetMessage(ctx context.Context, id string) (*Message, error)
	ListMessages(ctx context.Context, f MessageFilter) ([]*Message, error)
	DeleteMessage(ctx context.Context, id string) error
	// DeleteExpiredMessages removes the messages expired at now.
	DeleteExpiredMessages(ctx context.Context, now time.Time) error

	// QuotaClass returns the limits stored for a quota class other than
	// "default" (whose limits are the quota defaults); SetQuotaClass
	// stores one.
	QuotaClass(ctx context.Context, name string) (map[string]int64, error)
	SetQuotaClass(ctx context.Context, name, resource string, limit int64) error
}

// RecordMessage stores a user message about an operation that failed
// (in the background, most often) inside the caller's transaction. Its
// id, level, times and request id are filled when left empty: the
// request id is the one of ctx when ctx is a request's.
func (s *Service) RecordMessage(ctx context.Context, tx Tx, m Message) error {
	if m.ID == "" {
		m.ID = uuid.NewString()
	}
	if m.Level == "" {
		m.Level = "ERROR"
	}
	if m.RequestID == "" {
		m.RequestID = httpapi.RequestID(ctx)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = db.Now()
	}
	if m.ExpiresAt.IsZero() {
		m.ExpiresAt = m.CreatedAt.Add(MessageTTL)
	}
	return tx.CreateMessage(ctx, &m)
}
