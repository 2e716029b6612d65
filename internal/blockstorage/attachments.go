package blockstorage

import (
	"context"
	"time"
)

// Attachment modes.
const (
	ModeRW = "rw"
	ModeRO = "ro"
)

// Attachment is one attachment of a volume to a server (or a host): the
// new-style attachments API's record, which the legacy volume actions
// (os-attach, os-detach) keep too. Status is one of the Attach*
// constants: reserved (no connector yet), attaching (connected, not
// completed; without Connection while the backend is being asked),
// attached, detaching (the backend is disconnecting it),
// error_attaching (the backend failed to connect). A detach removes the
// record, so "detached" is never stored.
type Attachment struct {
	ID       string
	VolumeID string
	// ProjectID is the volume's project, copied so that a project's
	// attachments list without reading the volumes.
	ProjectID string
	// InstanceID is the server's id; Host (attached_host) is set instead
	// when a volume is attached to a host (os-attach with host_name).
	InstanceID string
	Host       string
	Mountpoint string
	Status     string
	// Mode is "rw" or "ro" (attach_mode); "" while an attachment made
	// without a mode (before 3.54) has no connector yet, which Cinder
	// shows as "null".
	Mode string
	// Connector is what the consumer told of itself (its host, initiator
	// ...); nil while reserved. Connection is what the backend answered
	// (connection_info), nil until connected.
	Connector  map[string]any
	Connection *Connection
	AttachedAt time.Time
	DetachedAt time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// AttachmentFilter narrows an attachment list.
type AttachmentFilter struct {
	// Scope limits the list to the caller's project unless AllProjects
	// (an admin's all_tenants) is set.
	Scope       Scope
	AllProjects bool
	VolumeID    string
	InstanceID  string
	Status      string
}

// AttachmentTx is what a transaction does with attachments of volumes to
// servers.
type AttachmentTx interface {
	// ListAttachments returns the attachments of volumes that are not
	// detached, oldest first.
	ListAttachments(ctx context.Context, volumeIDs []string) ([]*Attachment, error)
	// DeleteAttachments removes every attachment record of a volume (the
	// volume is going away).
	DeleteAttachments(ctx context.Context, volumeID string) error
	CreateAttachment(ctx context.Context, a *Attachment) error
	// GetAttachment returns apierr.ErrNotFound for an unknown id.
	GetAttachment(ctx context.Context, id string) (*Attachment, error)
	// UpdateAttachment writes every column.
	UpdateAttachment(ctx context.Context, a *Attachment) error
	DeleteAttachment(ctx context.Context, id string) error
	// FindAttachments lists the attachments a filter selects, detached
	// ones included when the filter asks for that status, oldest first.
	FindAttachments(ctx context.Context, f AttachmentFilter) ([]*Attachment, error)
	// UnsettledAttachments are the attachments a crash may have cut
	// short, for the start-up repair: those "attaching" or "detaching".
	UnsettledAttachments(ctx context.Context) ([]*Attachment, error)
}
