// Package volinfo is what compute knows of block-storage volumes: the
// volumes, snapshots and connections the block-storage service answers
// with (Service, which the compute spec implements over that service's
// client), and a server's block device mappings with what compute
// records of each volume it attached (BlockDevice).
package volinfo

import (
	"context"
	"slices"
	"time"
)

// Volume is a block-storage volume as compute reads it (Cinder's volume
// as Nova's cinder API wrapper returns it).
type Volume struct {
	ID          string
	Name        string
	Description string
	Status      string // available, in-use, reserved, attaching, detaching, creating, error, ...
	SizeGB      int
	Zone        string
	VolumeType  string // the type's name
	SnapshotID  string
	ImageID     string // the image the volume was made from, if any
	Bootable    bool
	Multiattach bool
	Metadata    map[string]string
	// ImageMetadata is volume_image_metadata: the properties of the
	// image the volume was made from (a volume-backed server's image
	// properties).
	ImageMetadata map[string]string
	Attachments   []Attachment
	CreatedAt     time.Time
}

// Attachment is one attachment of a volume to a server, as the
// block-storage service lists it on the volume.
type Attachment struct {
	ID       string // the attachment's id
	ServerID string
	Device   string // the mountpoint
	Host     string
}

// AttachedTo reports whether v has an attachment to server id.
func (v *Volume) AttachedTo(id string) bool {
	return slices.ContainsFunc(v.Attachments, func(a Attachment) bool { return a.ServerID == id })
}

// CreateRequest is a new volume: empty, or from one source.
type CreateRequest struct {
	Name        string
	Description string
	SizeGB      int
	Zone        string
	VolumeType  string
	SnapshotID  string
	ImageID     string
	Metadata    map[string]string
}

// Snapshot is a snapshot of a volume.
type Snapshot struct {
	ID          string
	VolumeID    string
	Name        string
	Description string
	Status      string
	SizeGB      int
	CreatedAt   time.Time
}

// SnapshotRequest is a new snapshot of a volume; Force takes it of an
// in-use volume.
type SnapshotRequest struct {
	VolumeID    string
	Name        string
	Description string
	Force       bool
}

// Connection is Cinder's connection_info: how the host reaches
// the volume (for the file backend {"driver_volume_type": "file",
// "data": {"device_path": ..., "format": "qcow2"}}).
type Connection struct {
	DriverVolumeType string         `json:"driver_volume_type"`
	Data             map[string]any `json:"data,omitempty"`
}

// Path is where the host opens the volume: the data's device_path.
func (c *Connection) Path() string {
	if c == nil {
		return ""
	}
	s, _ := c.Data["device_path"].(string)
	return s
}

// Format is the volume's data format: the data's format, raw by default.
func (c *Connection) Format() string {
	if c != nil {
		if s, _ := c.Data["format"].(string); s != "" {
			return s
		}
	}
	return "raw"
}

// Service is the block-storage service as compute uses it (Nova's
// nova.volume.cinder.API). Every call carries a token: the user's, for
// what Nova does with the user's token, or "" for the service's own
// (work that outlives the request). A missing or invisible volume,
// snapshot or attachment is apierr.ErrNotFound; the service's refusals
// come back as *apierr.Error with its status and message.
type Service interface {
	GetVolume(ctx context.Context, token, id string) (*Volume, error)
	ListVolumes(ctx context.Context, token string) ([]Volume, error)
	CreateVolume(ctx context.Context, token string, req CreateRequest) (*Volume, error)
	DeleteVolume(ctx context.Context, token, id string) error

	// AttachmentCreate reserves the volume for the instance (the volume
	// becomes reserved, or stays in-use when it is multiattach). With a
	// connector it also exports the volume and returns the connection.
	AttachmentCreate(ctx context.Context, token, volumeID, instanceID string, connector map[string]any) (id string, conn *Connection, err error)
	// AttachmentUpdate exports the volume to the host of connector.
	AttachmentUpdate(ctx context.Context, token, id string, connector map[string]any) (*Connection, error)
	// AttachmentComplete marks the volume in-use.
	AttachmentComplete(ctx context.Context, token, id string) error
	// AttachmentDelete ends the attachment; the volume becomes available
	// when it was the last.
	AttachmentDelete(ctx context.Context, token, id string) error

	GetSnapshot(ctx context.Context, token, id string) (*Snapshot, error)
	ListSnapshots(ctx context.Context, token string) ([]Snapshot, error)
	CreateSnapshot(ctx context.Context, token string, req SnapshotRequest) (*Snapshot, error)
	DeleteSnapshot(ctx context.Context, token, id string) error
}

// BlockDevice is one block_device_mapping_v2 entry of a server, with
// what compute records of the volume it attached for it.
type BlockDevice struct {
	BootIndex           *int   `json:"boot_index,omitempty"`
	UUID                string `json:"uuid,omitempty"`
	SourceType          string `json:"source_type,omitempty"`      // image, volume, snapshot, blank
	DestinationType     string `json:"destination_type,omitempty"` // local, volume
	VolumeSize          int    `json:"volume_size,omitempty"`
	DeviceName          string `json:"device_name,omitempty"`
	DeviceType          string `json:"device_type,omitempty"`
	DiskBus             string `json:"disk_bus,omitempty"`
	GuestFormat         string `json:"guest_format,omitempty"`
	DeleteOnTermination bool   `json:"delete_on_termination,omitempty"`
	Tag                 string `json:"tag,omitempty"`
	VolumeType          string `json:"volume_type,omitempty"`
	NoDevice            bool   `json:"no_device,omitempty"`

	// What compute records of a volume it attached (package volumes and
	// the conductor write them; the request never sets them).

	// ID is the mapping's uuid (bdm_uuid, 2.89).
	ID string `json:"id,omitempty"`
	// VolumeID is the volume: UUID for a volume source, the volume
	// compute made for an image, snapshot or blank one.
	VolumeID string `json:"volume_id,omitempty"`
	// Created says compute made the volume (from an image, a snapshot or
	// blank) for this server.
	Created bool `json:"created,omitempty"`
	// AttachmentID is the block-storage attachment.
	AttachmentID string `json:"attachment_id,omitempty"`
	// Connection is how ConnectedHost reaches the volume; nil until the
	// volume is exported to the instance's host.
	Connection    *Connection `json:"connection_info,omitempty"`
	ConnectedHost string      `json:"connected_host,omitempty"`
	// Detaching is set while a detach is under way.
	Detaching bool `json:"detaching,omitempty"`
}

// IsVolume reports whether b is a volume of the server (destination
// volume), as opposed to a local disk.
func (b *BlockDevice) IsVolume() bool {
	return b.DestinationType == "volume" || b.SourceType == "volume" && b.DestinationType == ""
}

// IsRoot reports whether b is the boot device (boot_index 0).
func (b *BlockDevice) IsRoot() bool { return b.BootIndex != nil && *b.BootIndex == 0 }

// Attached are the volumes among a server's block devices, in the order
// they were attached.
func Attached(bdms []BlockDevice) []BlockDevice {
	var out []BlockDevice
	for _, b := range bdms {
		if b.IsVolume() && b.VolumeID != "" {
			out = append(out, b)
		}
	}
	return out
}

// Backed reports whether a server with these block devices boots from a
// volume (its root disk is not the flavor's).
func Backed(bdms []BlockDevice) bool {
	return slices.ContainsFunc(bdms, func(b BlockDevice) bool { return b.IsRoot() && b.IsVolume() })
}

// Find returns the index of the block device holding volume id, or -1.
func Find(bdms []BlockDevice, volumeID string) int {
	return slices.IndexFunc(bdms, func(b BlockDevice) bool { return b.IsVolume() && b.VolumeID == volumeID })
}
