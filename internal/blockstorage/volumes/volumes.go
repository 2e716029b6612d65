// Package volumes holds the use cases of volumes: create (and the
// asynchronous work on the backend that follows), read, list and delete.
// Each is one transaction over the Service's store; the backend is
// reached after the transaction commits, in the background, and the
// outcome is written by a second transaction that re-reads the volume.
package volumes

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Volumes are the volume use cases over a Service.
type Volumes struct{ svc *blockstorage.Service }

// New returns the use cases over svc.
func New(svc *blockstorage.Service) Volumes { return Volumes{svc: svc} }

// CreateRequest is a new volume.
type CreateRequest struct {
	Name, Description string
	SizeGB            int
	Zone              string
	Metadata          map[string]string
}

// Create stores a new volume as "creating", counted against the
// project's quotas, and builds it on a backend in the background.
func (v Volumes) Create(ctx context.Context, sc blockstorage.Scope, req CreateRequest) (*blockstorage.Volume, error) {
	if req.SizeGB <= 0 {
		return nil, blockstorage.BadRequest("Invalid input received: Volume size '%d' must be an integer and greater than 0.", req.SizeGB)
	}
	zone := req.Zone
	if zone == "" {
		zone = v.svc.Config().Zone
	}
	limits, err := v.svc.Limits(ctx, sc.ProjectID)
	if err != nil {
		return nil, err
	}
	vol := &blockstorage.Volume{
		ID: uuid.NewString(), ProjectID: sc.ProjectID, UserID: sc.UserID, Name: req.Name, Description: req.Description,
		SizeGB: req.SizeGB, Status: blockstorage.StatusCreating, AttachStatus: blockstorage.AttachDetached,
		AvailabilityZone: zone, Metadata: req.Metadata, ConsumesQuota: true,
	}
	err = v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if err := v.svc.CheckQuota(ctx, tx, sc.ProjectID, map[string]int64{"volumes": 1, "gigabytes": int64(req.SizeGB)}, limits); err != nil {
			return err
		}
		return tx.CreateVolume(ctx, vol)
	})
	if err != nil {
		return nil, err
	}
	v.svc.Go("create volume", vol.ID, func(ctx context.Context) error { return v.build(ctx, vol) })
	return vol, nil
}

// build schedules the volume and has the chosen backend make it; the end
// state is "available", or "error" when no pool fits or the backend
// fails.
func (v Volumes) build(ctx context.Context, vol *blockstorage.Volume) error {
	be := v.svc.Backend()
	host, err := be.Schedule(ctx, blockstorage.ScheduleRequest{SizeGB: vol.SizeGB, Zone: vol.AvailabilityZone})
	if err != nil {
		return v.finish(ctx, vol.ID, "", blockstorage.VolumeUpdate{}, err)
	}
	upd, err := be.CreateVolume(ctx, host, blockstorage.CreateVolume{Volume: blockstorage.VolumeRef{ID: vol.ID, SizeGB: vol.SizeGB}})
	return v.finish(ctx, vol.ID, host, upd, err)
}

// finish writes a build's outcome, unless the volume went away or left
// "creating" meanwhile (a delete or a reset won).
func (v Volumes) finish(ctx context.Context, id, host string, upd blockstorage.VolumeUpdate, cause error) error {
	return v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := tx.GetVolume(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if vol.Status != blockstorage.StatusCreating {
			return nil
		}
		vol.Host = host
		if cause != nil {
			vol.Status = blockstorage.StatusError
		} else {
			vol.Status, vol.ProviderLocation = blockstorage.StatusAvailable, upd.ProviderLocation
			vol.LaunchedAt = vol.UpdatedAt
		}
		if err := tx.UpdateVolume(ctx, vol); err != nil {
			return err
		}
		return cause
	})
}

// Get returns a volume the caller may see.
func (v Volumes) Get(ctx context.Context, sc blockstorage.Scope, id string) (*blockstorage.Volume, error) {
	var vol *blockstorage.Volume
	err := v.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		vol, err = visible(ctx, tx, sc, id)
		return err
	})
	return vol, err
}

// visible reads a volume, answering 404 for one of another project
// unless the caller is an admin.
func visible(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, id string) (*blockstorage.Volume, error) {
	vol, err := tx.GetVolume(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(vol.ProjectID)) {
		return nil, blockstorage.NotFound("Volume", id)
	}
	return vol, err
}

// List returns the volumes the filter selects.
func (v Volumes) List(ctx context.Context, f blockstorage.VolumeFilter) ([]*blockstorage.Volume, error) {
	var out []*blockstorage.Volume
	err := v.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		out, err = tx.ListVolumes(ctx, f)
		return err
	})
	return out, err
}

// Delete marks a volume "deleting" and removes it from its backend in
// the background; the row goes once the backend let go of it.
func (v Volumes) Delete(ctx context.Context, sc blockstorage.Scope, id string) error {
	var vol *blockstorage.Volume
	err := v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if vol, err = visible(ctx, tx, sc, id); err != nil {
			return err
		}
		switch vol.Status {
		case blockstorage.StatusAvailable, blockstorage.StatusError, blockstorage.StatusErrorRestoring,
			blockstorage.StatusErrorExtending, blockstorage.StatusErrorDeleting:
		default:
			return blockstorage.InvalidVolume("Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.")
		}
		vol.Status = blockstorage.StatusDeleting
		return tx.UpdateVolume(ctx, vol)
	})
	if err != nil {
		return err
	}
	v.svc.Go("delete volume", id, func(ctx context.Context) error { return v.destroy(ctx, vol) })
	return nil
}

// destroy removes a volume from its backend, then its row; a backend
// failure leaves it "error_deleting".
func (v Volumes) destroy(ctx context.Context, vol *blockstorage.Volume) error {
	var cause error
	if vol.Host != "" {
		cause = v.svc.Backend().DeleteVolume(ctx, vol.Host, blockstorage.VolumeRef{ID: vol.ID, SizeGB: vol.SizeGB, ProviderLocation: vol.ProviderLocation})
	}
	return v.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if cause == nil {
			if err := tx.DeleteVolume(ctx, vol.ID); err != nil && !errors.Is(err, apierr.ErrNotFound) {
				return err
			}
			return nil
		}
		cur, err := tx.GetVolume(ctx, vol.ID)
		if err != nil {
			return err
		}
		cur.Status = blockstorage.StatusErrorDeleting
		if err := tx.UpdateVolume(ctx, cur); err != nil {
			return err
		}
		return cause
	})
}
