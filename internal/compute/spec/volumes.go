package spec

import (
	"context"
	"time"

	bsclient "github.com/gostack/gostack/internal/blockstorage/client"
	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/volinfo"
)

// volumeService is the block-storage service as compute uses it
// (compute.Volumes), through its client: with the caller's token where
// Nova uses the user's, and with the service token when the token given
// is "" (the conductor's work after the request: attachments of a delete,
// a recovery).
type volumeService struct {
	c       *bsclient.Client
	service func(context.Context) (string, error)
}

var _ compute.Volumes = volumeService{}

// tok is token, or the service's own when it is "".
func (v volumeService) tok(ctx context.Context, token string) (string, error) {
	if token != "" {
		return token, nil
	}
	return v.service(ctx)
}

// cinderTime reads the block-storage service's times (with or without
// fractions and zone).
func cinderTime(s string) time.Time {
	for _, l := range []string{"2006-01-02T15:04:05.000000", time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func volume(v *bsclient.Volume) *volinfo.Volume {
	out := &volinfo.Volume{
		ID: v.ID, Name: v.Name, Description: v.Description, Status: v.Status, SizeGB: v.Size,
		Zone: v.AvailabilityZone, VolumeType: v.VolumeType, SnapshotID: v.SnapshotID,
		Bootable: v.Bootable, Multiattach: v.Multiattach, Metadata: v.Metadata,
		ImageMetadata: v.ImageMetadata, CreatedAt: cinderTime(v.CreatedAt),
	}
	out.ImageID = v.ImageMetadata["image_id"]
	for _, a := range v.Attachments {
		out.Attachments = append(out.Attachments, volinfo.Attachment{ID: a.AttachmentID, ServerID: a.ServerID, Device: a.Device, Host: a.HostName})
	}
	return out
}

func snapshot(s *bsclient.Snapshot) *volinfo.Snapshot {
	return &volinfo.Snapshot{ID: s.ID, VolumeID: s.VolumeID, Name: s.Name, Description: s.Description,
		Status: s.Status, SizeGB: s.Size, CreatedAt: cinderTime(s.CreatedAt)}
}

func connection(a *bsclient.Attachment) *volinfo.Connection {
	if a == nil || a.Connection == nil {
		return nil
	}
	return &volinfo.Connection{DriverVolumeType: a.Connection.DriverVolumeType, Data: a.Connection.Data}
}

func (v volumeService) GetVolume(ctx context.Context, token, id string) (*volinfo.Volume, error) {
	t, err := v.tok(ctx, token)
	if err != nil {
		return nil, err
	}
	vol, err := v.c.GetVolume(ctx, t, id)
	if err != nil {
		return nil, err
	}
	return volume(vol), nil
}

func (v volumeService) ListVolumes(ctx context.Context, token string) ([]volinfo.Volume, error) {
	t, err := v.tok(ctx, token)
	if err != nil {
		return nil, err
	}
	l, err := v.c.ListVolumes(ctx, t, nil)
	if err != nil {
		return nil, err
	}
	out := make([]volinfo.Volume, len(l))
	for i := range l {
		out[i] = *volume(&l[i])
	}
	return out, nil
}

func (v volumeService) CreateVolume(ctx context.Context, token string, req volinfo.CreateRequest) (*volinfo.Volume, error) {
	t, err := v.tok(ctx, token)
	if err != nil {
		return nil, err
	}
	vol, err := v.c.CreateVolume(ctx, t, bsclient.CreateVolumeRequest{
		Size: req.SizeGB, Name: req.Name, Description: req.Description, ImageRef: req.ImageID,
		SnapshotID: req.SnapshotID, VolumeType: req.VolumeType, AvailabilityZone: req.Zone, Metadata: req.Metadata,
	})
	if err != nil {
		return nil, err
	}
	return volume(vol), nil
}

func (v volumeService) DeleteVolume(ctx context.Context, token, id string) error {
	t, err := v.tok(ctx, token)
	if err != nil {
		return err
	}
	return v.c.DeleteVolume(ctx, t, id)
}

func (v volumeService) AttachmentCreate(ctx context.Context, token, volumeID, instanceID string, connector map[string]any) (string, *volinfo.Connection, error) {
	t, err := v.tok(ctx, token)
	if err != nil {
		return "", nil, err
	}
	a, err := v.c.AttachmentCreate(ctx, t, volumeID, instanceID, connector)
	if err != nil {
		return "", nil, err
	}
	return a.ID, connection(a), nil
}

func (v volumeService) AttachmentUpdate(ctx context.Context, token, id string, connector map[string]any) (*volinfo.Connection, error) {
	t, err := v.tok(ctx, token)
	if err != nil {
		return nil, err
	}
	a, err := v.c.AttachmentUpdate(ctx, t, id, connector)
	if err != nil {
		return nil, err
	}
	return connection(a), nil
}

func (v volumeService) AttachmentComplete(ctx context.Context, token, id string) error {
	t, err := v.tok(ctx, token)
	if err != nil {
		return err
	}
	return v.c.AttachmentComplete(ctx, t, id)
}

func (v volumeService) AttachmentDelete(ctx context.Context, token, id string) error {
	t, err := v.tok(ctx, token)
	if err != nil {
		return err
	}
	return v.c.AttachmentDelete(ctx, t, id)
}

func (v volumeService) GetSnapshot(ctx context.Context, token, id string) (*volinfo.Snapshot, error) {
	t, err := v.tok(ctx, token)
	if err != nil {
		return nil, err
	}
	s, err := v.c.GetSnapshot(ctx, t, id)
	if err != nil {
		return nil, err
	}
	return snapshot(s), nil
}

func (v volumeService) ListSnapshots(ctx context.Context, token string) ([]volinfo.Snapshot, error) {
	t, err := v.tok(ctx, token)
	if err != nil {
		return nil, err
	}
	l, err := v.c.ListSnapshots(ctx, t, nil)
	if err != nil {
		return nil, err
	}
	out := make([]volinfo.Snapshot, len(l))
	for i := range l {
		out[i] = *snapshot(&l[i])
	}
	return out, nil
}

func (v volumeService) CreateSnapshot(ctx context.Context, token string, req volinfo.SnapshotRequest) (*volinfo.Snapshot, error) {
	t, err := v.tok(ctx, token)
	if err != nil {
		return nil, err
	}
	s, err := v.c.CreateSnapshot(ctx, t, bsclient.CreateSnapshotRequest{VolumeID: req.VolumeID, Name: req.Name, Description: req.Description, Force: req.Force})
	if err != nil {
		return nil, err
	}
	return snapshot(s), nil
}

func (v volumeService) DeleteSnapshot(ctx context.Context, token, id string) error {
	t, err := v.tok(ctx, token)
	if err != nil {
		return err
	}
	return v.c.DeleteSnapshot(ctx, t, id)
}
