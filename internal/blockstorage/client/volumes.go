package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// Volume is a volume as the API shows it (GET /v3/volumes/{id}).
type Volume struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Description      string            `json:"description"`
	Status           string            `json:"status"`
	Size             int               `json:"size"`
	Multiattach      bool              `json:"multiattach"`
	Bootable         bool              `json:"-"`
	Encrypted        bool              `json:"encrypted"`
	AvailabilityZone string            `json:"availability_zone"`
	VolumeType       string            `json:"volume_type"`
	SnapshotID       string            `json:"snapshot_id"`
	SourceVolID      string            `json:"source_volid"`
	ProjectID        string            `json:"os-vol-tenant-attr:tenant_id"`
	UserID           string            `json:"user_id"`
	Metadata         map[string]string `json:"metadata"`
	// ImageMetadata is volume_image_metadata: the properties of the image
	// the volume was made from (Nova reads min_ram, hw_* from it).
	ImageMetadata map[string]string  `json:"volume_image_metadata"`
	Attachments   []VolumeAttachment `json:"attachments"`
	CreatedAt     string             `json:"created_at"`
	UpdatedAt     string             `json:"updated_at"`
}

// UnmarshalJSON reads a volume, whose bootable Cinder sends as a string.
func (v *Volume) UnmarshalJSON(b []byte) error {
	type plain Volume
	var w struct {
		*plain
		Bootable boolish `json:"bootable"`
	}
	w.plain = (*plain)(v)
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	v.Bootable = bool(w.Bootable)
	return nil
}

// VolumeAttachment is one entry of a volume's attachments: ID is the
// volume's id (Cinder's quirk), AttachmentID the attachment's.
type VolumeAttachment struct {
	ID           string `json:"id"`
	AttachmentID string `json:"attachment_id"`
	VolumeID     string `json:"volume_id"`
	ServerID     string `json:"server_id"`
	HostName     string `json:"host_name"`
	Device       string `json:"device"`
	AttachedAt   string `json:"attached_at"`
}

// CreateVolumeRequest is a new volume; at most one source (ImageRef,
// SnapshotID, SourceVolID) is set. Zero values are not sent.
type CreateVolumeRequest struct {
	Size             int
	Name             string
	Description      string
	ImageRef         string
	SnapshotID       string
	SourceVolID      string
	VolumeType       string
	AvailabilityZone string
	Metadata         map[string]string
}

// GetVolume returns a volume.
func (c *Client) GetVolume(ctx context.Context, token, id string) (*Volume, error) {
	var v Volume
	if err := c.peer.Keyed(ctx, http.MethodGet, token, "/v3/volumes/"+esc(id), "volume", nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// ListVolumes returns the detailed volumes the query selects (q may be
// nil; all_tenants, limit, marker, sort ... are Cinder's).
func (c *Client) ListVolumes(ctx context.Context, token string, q url.Values) ([]Volume, error) {
	var out []Volume
	if err := c.peer.List(ctx, token, "/v3/volumes/detail", q, "volumes", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateVolume asks for a new volume; it is "creating" when this returns
// and the caller polls GetVolume until it is "available" or "error".
func (c *Client) CreateVolume(ctx context.Context, token string, req CreateVolumeRequest) (*Volume, error) {
	in := map[string]any{"size": req.Size}
	for k, v := range map[string]string{"name": req.Name, "description": req.Description, "imageRef": req.ImageRef,
		"snapshot_id": req.SnapshotID, "source_volid": req.SourceVolID, "volume_type": req.VolumeType,
		"availability_zone": req.AvailabilityZone} {
		if v != "" {
			in[k] = v
		}
	}
	if len(req.Metadata) > 0 {
		in["metadata"] = req.Metadata
	}
	var v Volume
	if err := c.peer.Keyed(ctx, http.MethodPost, token, "/v3/volumes", "volume", in, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// DeleteVolume asks for a volume's deletion (it goes "deleting", then
// away).
func (c *Client) DeleteVolume(ctx context.Context, token, id string) error {
	return c.call(ctx, http.MethodDelete, token, "/v3/volumes/"+esc(id), nil, nil)
}

// ReserveVolume marks an available volume "attaching" (legacy attach
// flow, os-reserve).
func (c *Client) ReserveVolume(ctx context.Context, token, id string) error {
	return c.action(ctx, token, "/v3/volumes/"+esc(id)+"/action", "os-reserve", map[string]any{})
}

// UnreserveVolume undoes ReserveVolume (os-unreserve).
func (c *Client) UnreserveVolume(ctx context.Context, token, id string) error {
	return c.action(ctx, token, "/v3/volumes/"+esc(id)+"/action", "os-unreserve", map[string]any{})
}
