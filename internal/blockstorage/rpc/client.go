package rpc

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/scheduler"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/bus"
)

// Client is the service's side: blockstorage.Backend over the bus.
type Client struct {
	bus      *bus.Bus
	store    blockstorage.Store
	imageURL string
	token    func(context.Context) (string, error)
}

var _ blockstorage.Backend = (*Client)(nil)

// NewClient returns the backend that calls the agents over b, schedules
// over the pools in st, and gives agents the image service at imageURL
// with the tokens of token.
func NewClient(b *bus.Bus, st blockstorage.Store, imageURL string, token func(context.Context) (string, error)) *Client {
	return &Client{bus: b, store: st, imageURL: imageURL, token: token}
}

// unavailable turns "no agent serves the host" (and an agent that did
// not answer in time) into a 503 the use cases record as the resource's
// error.
func unavailable(host string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bus.ErrNoResponders):
		return apierr.Unavailable("The volume service %s is not running.", blockstorage.ServiceHost(host)).WithCause(err)
	case errors.Is(err, context.DeadlineExceeded):
		return apierr.Unavailable("The volume service %s did not answer in time.", blockstorage.ServiceHost(host)).WithCause(err)
	}
	return err
}

func (c *Client) image(ctx context.Context) (ImageAccess, error) {
	tok, err := c.token(ctx)
	if err != nil {
		return ImageAccess{}, err
	}
	return ImageAccess{URL: c.imageURL, Token: tok}, nil
}

// Schedule picks a pool from the services and pools the agents reported.
func (c *Client) Schedule(ctx context.Context, req blockstorage.ScheduleRequest) (string, error) {
	var pools []*blockstorage.Pool
	var svcs []*blockstorage.VolumeService
	err := c.store.View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if pools, err = tx.ListPools(ctx); err != nil {
			return err
		}
		svcs, err = tx.ListVolumeServices(ctx)
		return err
	})
	if err != nil {
		return "", err
	}
	return scheduler.Pick(req, pools, svcs)
}

// CreateVolume asks the host's agent to make the volume.
func (c *Client) CreateVolume(ctx context.Context, host string, req blockstorage.CreateVolume) (blockstorage.VolumeUpdate, error) {
	r := CreateRequest{CreateVolume: req}
	if req.ImageID != "" {
		var err error
		if r.Image, err = c.image(ctx); err != nil {
			return blockstorage.VolumeUpdate{}, err
		}
	}
	return createVolume.call(ctx, c.bus, host, r)
}

// DeleteVolume removes the volume's data.
func (c *Client) DeleteVolume(ctx context.Context, host string, v blockstorage.VolumeRef) error {
	_, err := deleteVolume.call(ctx, c.bus, host, v)
	return err
}

// ExtendVolume grows the volume.
func (c *Client) ExtendVolume(ctx context.Context, host string, v blockstorage.VolumeRef, newSizeGB int) error {
	_, err := extendVolume.call(ctx, c.bus, host, ExtendRequest{Volume: v, NewSizeGB: newSizeGB})
	return err
}

// CreateSnapshot snapshots the volume.
func (c *Client) CreateSnapshot(ctx context.Context, host string, snap blockstorage.SnapshotRef) (blockstorage.VolumeUpdate, error) {
	return createSnapshot.call(ctx, c.bus, host, snap)
}

// DeleteSnapshot removes the snapshot's data.
func (c *Client) DeleteSnapshot(ctx context.Context, host string, snap blockstorage.SnapshotRef) error {
	_, err := deleteSnapshot.call(ctx, c.bus, host, snap)
	return err
}

// Connect exports the volume to the connector.
func (c *Client) Connect(ctx context.Context, host string, v blockstorage.VolumeRef, connector map[string]any) (blockstorage.Connection, error) {
	return connect.call(ctx, c.bus, host, ConnectRequest{Volume: v, Connector: connector})
}

// Disconnect ends the export.
func (c *Client) Disconnect(ctx context.Context, host string, v blockstorage.VolumeRef, connector map[string]any) error {
	_, err := disconnect.call(ctx, c.bus, host, ConnectRequest{Volume: v, Connector: connector})
	return err
}

// Backup backs the volume up on its host.
func (c *Client) Backup(ctx context.Context, host string, req blockstorage.BackupRequest) (blockstorage.BackupResult, error) {
	return backup.call(ctx, c.bus, host, req)
}

// Restore writes a backup into the volume.
func (c *Client) Restore(ctx context.Context, host string, req blockstorage.RestoreRequest) error {
	_, err := restore.call(ctx, c.bus, host, req)
	return err
}

// DeleteBackup removes the backup's data.
func (c *Client) DeleteBackup(ctx context.Context, host string, req blockstorage.BackupRequest) error {
	_, err := deleteBackup.call(ctx, c.bus, host, req)
	return err
}

// UploadImage copies the volume to the image.
func (c *Client) UploadImage(ctx context.Context, host string, req blockstorage.UploadImage) error {
	acc, err := c.image(ctx)
	if err != nil {
		return err
	}
	_, err = uploadImage.call(ctx, c.bus, host, UploadRequest{UploadImage: req, Image: acc})
	return err
}
