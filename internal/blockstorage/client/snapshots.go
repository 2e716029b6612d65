package client

import (
	"context"
	"net/http"
	"net/url"
)

// Snapshot is a snapshot as the API shows it (GET /v3/snapshots/{id}).
type Snapshot struct {
	ID          string            `json:"id"`
	VolumeID    string            `json:"volume_id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Status      string            `json:"status"`
	Size        int               `json:"size"`
	Metadata    map[string]string `json:"metadata"`
	CreatedAt   string            `json:"created_at"`
	UpdatedAt   string            `json:"updated_at"`
	Progress    string            `json:"os-extended-snapshot-attributes:progress"`
	ProjectID   string            `json:"os-extended-snapshot-attributes:project_id"`
}

// CreateSnapshotRequest is a new snapshot of a volume; Force snapshots
// an in-use volume.
type CreateSnapshotRequest struct {
	VolumeID    string
	Name        string
	Description string
	Force       bool
	Metadata    map[string]string
}

// CreateSnapshot asks for a snapshot; it is "creating" when this returns.
func (c *Client) CreateSnapshot(ctx context.Context, token string, req CreateSnapshotRequest) (*Snapshot, error) {
	in := map[string]any{"volume_id": req.VolumeID}
	if req.Name != "" {
		in["name"] = req.Name
	}
	if req.Description != "" {
		in["description"] = req.Description
	}
	if req.Force {
		in["force"] = true
	}
	if len(req.Metadata) > 0 {
		in["metadata"] = req.Metadata
	}
	var s Snapshot
	if err := c.peer.Keyed(ctx, http.MethodPost, token, "/v3/snapshots", "snapshot", in, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// GetSnapshot returns a snapshot.
func (c *Client) GetSnapshot(ctx context.Context, token, id string) (*Snapshot, error) {
	var s Snapshot
	if err := c.peer.Keyed(ctx, http.MethodGet, token, "/v3/snapshots/"+esc(id), "snapshot", nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// DeleteSnapshot asks for a snapshot's deletion.
func (c *Client) DeleteSnapshot(ctx context.Context, token, id string) error {
	return c.call(ctx, http.MethodDelete, token, "/v3/snapshots/"+esc(id), nil, nil)
}

// ListSnapshots returns the detailed snapshots the query selects (q may
// be nil).
func (c *Client) ListSnapshots(ctx context.Context, token string, q url.Values) ([]Snapshot, error) {
	var out []Snapshot
	if err := c.peer.List(ctx, token, "/v3/snapshots/detail", q, "snapshots", &out); err != nil {
		return nil, err
	}
	return out, nil
}
