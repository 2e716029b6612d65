package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// Attachment is an attachment as the attachments API shows it.
// ConnectionInfo is what Cinder sends: the backend's connection data
// flattened with driver_volume_type and attachment_id beside it;
// Connection is the same in the nested form Nova's volume drivers take.
type Attachment struct {
	ID             string         `json:"id"`
	VolumeID       string         `json:"volume_id"`
	Instance       string         `json:"instance"`
	Status         string         `json:"status"`
	AttachMode     string         `json:"attach_mode"`
	AttachedAt     string         `json:"attached_at"`
	DetachedAt     string         `json:"detached_at"`
	ConnectionInfo map[string]any `json:"connection_info"`
	Connection     *Connection    `json:"-"`
}

// Connection is connection info in its nested form: {"driver_volume_type":
// "file", "data": {"device_path": ..., "access_mode": "rw", ...}}.
type Connection struct {
	DriverVolumeType string         `json:"driver_volume_type"`
	Data             map[string]any `json:"data"`
}

// UnmarshalJSON reads an attachment and nests its connection info as
// Nova does (the data are every key but driver_volume_type and
// attachment_id).
func (a *Attachment) UnmarshalJSON(b []byte) error {
	type plain Attachment
	if err := json.Unmarshal(b, (*plain)(a)); err != nil {
		return err
	}
	a.Connection = nil
	if len(a.ConnectionInfo) == 0 {
		return nil
	}
	conn := &Connection{Data: map[string]any{}}
	for k, v := range a.ConnectionInfo {
		switch k {
		case "driver_volume_type":
			conn.DriverVolumeType, _ = v.(string)
		case "attachment_id":
		default:
			conn.Data[k] = v
		}
	}
	a.Connection = conn
	return nil
}

// AttachmentCreate creates an attachment of a volume to a server. Without
// a connector the volume is only reserved (the attachment "reserved");
// with one the backend exports the volume and the answer carries its
// connection info (the attachment "attaching").
func (c *Client) AttachmentCreate(ctx context.Context, token, volumeID, instanceID string, connector map[string]any) (*Attachment, error) {
	in := map[string]any{"volume_uuid": volumeID}
	if instanceID != "" {
		in["instance_uuid"] = instanceID
	}
	if connector != nil {
		in["connector"] = connector
	}
	var a Attachment
	if err := c.peer.Keyed(ctx, http.MethodPost, token, "/v3/attachments", "attachment", in, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// AttachmentUpdate gives a reserved attachment the host's connector; the
// backend exports the volume to it and the answer carries the connection
// info.
func (c *Client) AttachmentUpdate(ctx context.Context, token, id string, connector map[string]any) (*Attachment, error) {
	var a Attachment
	if err := c.peer.Keyed(ctx, http.MethodPut, token, "/v3/attachments/"+esc(id), "attachment",
		map[string]any{"connector": connector}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// AttachmentComplete marks an attachment attached once the host uses the
// volume: the volume goes "in-use".
func (c *Client) AttachmentComplete(ctx context.Context, token, id string) error {
	return c.action(ctx, token, "/v3/attachments/"+esc(id)+"/action", "os-complete", nil)
}

// AttachmentDelete detaches: the backend stops exporting the volume to
// the attachment's host, and the volume is "available" again when no
// attachment is left.
func (c *Client) AttachmentDelete(ctx context.Context, token, id string) error {
	return c.call(ctx, http.MethodDelete, token, "/v3/attachments/"+esc(id), nil, nil)
}

// GetAttachment returns an attachment.
func (c *Client) GetAttachment(ctx context.Context, token, id string) (*Attachment, error) {
	var a Attachment
	if err := c.peer.Keyed(ctx, http.MethodGet, token, "/v3/attachments/"+esc(id), "attachment", nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// ListAttachments returns the detailed attachments the query selects
// (volume_id, instance_id, status; all_tenants for an admin).
func (c *Client) ListAttachments(ctx context.Context, token string, q url.Values) ([]Attachment, error) {
	var out []Attachment
	if err := c.peer.List(ctx, token, "/v3/attachments/detail", q, "attachments", &out); err != nil {
		return nil, err
	}
	return out, nil
}
