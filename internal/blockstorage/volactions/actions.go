package volactions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/usermsg"
	"github.com/gostack/gostack/internal/blockstorage/volumes"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Extend grows a volume to newSize GB: an available one, or an in-use
// one when attached is set (3.42). The volume is "extending" while the
// backend works; a backend failure leaves it "error_extending". An
// in-use volume's servers are then told (compute's volume-extended
// event), for their hosts to make the guests see the new size. A volume
// that a host opens as a file (the file backend's qcow2) is locked by
// the hypervisor that runs the guest, so it is the hypervisor that grows
// it, on that event, as Cinder leaves the online extend of its file
// drivers to Nova: the backend is not asked.
func (a Actions) Extend(ctx context.Context, sc blockstorage.Scope, id string, newSize int, attached bool) error {
	limits, err := a.limitsOf(ctx, sc, id)
	if err != nil {
		return err
	}
	var vol *blockstorage.Volume
	var prev string
	var servers []string // the servers of an in-use volume
	var hostGrows bool   // a host holding the volume grows it
	err = a.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if vol, err = volumes.Visible(ctx, tx, sc, id); err != nil {
			return err
		}
		if newSize <= vol.SizeGB {
			return blockstorage.BadRequest("Invalid input received: New size for extend must be greater than current size. (current: %d, extended: %d).", vol.SizeGB, newSize)
		}
		expected := blockstorage.StatusAvailable
		if attached && vol.Status == blockstorage.StatusInUse {
			expected = blockstorage.StatusInUse
		}
		if vol.Status != expected {
			return blockstorage.InvalidVolume("Volume %s status must be '{'status': '%s'}' to extend, currently %s.", vol.ID, expected, vol.Status)
		}
		if max, ok := limits["per_volume_gigabytes"]; ok && max >= 0 && int64(newSize) > max {
			return apierr.New(413, "Requested volume size %dG is larger than maximum allowed limit %dG.", newSize, max)
		}
		grow := int64(newSize - vol.SizeGB)
		deltas := map[string]int64{"gigabytes": grow}
		if t, err := tx.GetType(ctx, vol.TypeID); err == nil {
			deltas["gigabytes_"+t.Name] = grow
		}
		if err := a.svc.CheckQuota(ctx, tx, vol.ProjectID, deltas, limits); err != nil {
			return err
		}
		prev, vol.Status = vol.Status, blockstorage.StatusExtending
		// The new size is kept with the volume until the backend is done,
		// so that the start-up repair and the quota see it.
		if vol.AdminMetadata == nil {
			vol.AdminMetadata = map[string]string{}
		}
		vol.AdminMetadata["extend_new_size"] = fmt.Sprint(newSize)
		if prev == blockstorage.StatusInUse {
			if servers, hostGrows, err = attachedServers(ctx, tx, vol.ID); err != nil {
				return err
			}
		}
		return tx.UpdateVolume(ctx, vol)
	})
	if err != nil {
		return err
	}
	a.svc.Go("extend volume", id, func(ctx context.Context) error {
		var cause error
		if !hostGrows {
			cause = a.svc.Backend().ExtendVolume(ctx, vol.Host, volumes.Ref(vol), newSize)
		}
		err := a.settle(ctx, id, blockstorage.StatusExtending, cause, func(tx blockstorage.Tx, cur *blockstorage.Volume) {
			delete(cur.AdminMetadata, "extend_new_size")
			if cause != nil {
				cur.Status = blockstorage.StatusErrorExtending
				a.vols.Record(ctx, tx, cur, usermsg.ActionExtendVolume, usermsg.DetailDriverFailedExtend)
				return
			}
			cur.Status, cur.SizeGB = prev, newSize
		})
		if err != nil || len(servers) == 0 {
			return err
		}
		return a.notifyExtended(ctx, vol, servers)
	})
	return nil
}

// attachedServers lists the servers an in-use volume is attached to, and
// whether one of their hosts opens it as a file: then the hypervisor
// that holds it grows it, not the backend.
func attachedServers(ctx context.Context, tx blockstorage.Tx, volumeID string) (servers []string, hostGrows bool, err error) {
	atts, err := tx.ListAttachments(ctx, []string{volumeID})
	if err != nil {
		return nil, false, err
	}
	for _, at := range atts {
		if at.InstanceID != "" && !slices.Contains(servers, at.InstanceID) {
			servers = append(servers, at.InstanceID)
		}
		// An attachment without a connection (a shelved server's) has
		// no host holding the volume.
		if at.Connection != nil && at.Connection.DriverVolumeType == "file" {
			hostGrows = true
		}
	}
	return servers, hostGrows, nil
}

// notifyExtended tells compute that the in-use volume grew. When compute
// cannot be told, the owner gets a user message: the guests do not see
// the new size (and a file volume stays at its old size) until the
// volume is attached again.
func (a Actions) notifyExtended(ctx context.Context, vol *blockstorage.Volume, servers []string) error {
	c := a.svc.Config().Compute
	var err error
	if c == nil {
		err = errors.New("this cloud has no compute service to tell")
	} else {
		err = c.VolumeExtended(ctx, vol.ID, servers)
	}
	if err == nil {
		return nil
	}
	_ = a.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		a.vols.Record(ctx, tx, vol, usermsg.ActionExtendVolume, usermsg.DetailComputeExtendFailed)
		return nil
	})
	return fmt.Errorf("tell compute that volume %s grew: %w", vol.ID, err)
}

// Statuses Cinder's os-reset_status accepts.
func validStatus(s string) bool {
	switch s {
	case "creating", "available", "deleting", "error", "error_deleting", "error_managing", "managing", "attaching",
		"in-use", "detaching", "maintenance", "restoring-backup", "error_restoring", "reserved", "awaiting-transfer",
		"backing-up", "error_backing-up", "error_extending", "downloading", "uploading", "retyping", "extending":
		return true
	}
	return false
}

// ResetRequest is an admin's os-reset_status: the fields set are written
// as they are, without the state machine.
type ResetRequest struct {
	Status, AttachStatus, MigrationStatus *string
}

// ResetStatus writes a volume's statuses (an admin's repair). Resetting
// the attach status to detached also ends the volume's attachments.
func (a Actions) ResetStatus(ctx context.Context, sc blockstorage.Scope, id string, req ResetRequest) error {
	lower := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.ToLower(*p)
	}
	status, attach, mig := lower(req.Status), lower(req.AttachStatus), lower(req.MigrationStatus)
	if status == "" && attach == "" && mig == "" {
		return blockstorage.BadRequest("Must specify 'status', 'attach_status' or 'migration_status' for update.")
	}
	if status != "" && !validStatus(status) {
		return blockstorage.BadRequest("Volume status: %s is invalid, valid statuses are: ('creating', 'available', 'deleting', 'error', 'error_deleting', 'error_managing', 'managing', 'attaching', 'in-use', 'detaching', 'maintenance', 'restoring-backup', 'error_restoring', 'reserved', 'awaiting-transfer', 'backing-up', 'error_backing-up', 'error_extending', 'downloading', 'uploading', 'retyping', 'extending').", *req.Status)
	}
	if attach != "" && attach != blockstorage.AttachAttached && attach != blockstorage.AttachDetached {
		return blockstorage.BadRequest("Volume attach status: %s is invalid, valid statuses are: ['attached', 'detached'].", *req.AttachStatus)
	}
	switch mig {
	case "", "migrating", "error", "success", "completing", "none", "starting":
	default:
		return blockstorage.BadRequest("Volume migration status: %s is invalid, valid statuses are: ('migrating', 'error', 'success', 'completing', 'none', 'starting').", *req.MigrationStatus)
	}
	if status == blockstorage.StatusDeleting {
		return blockstorage.BadRequest("Cannot reset-state to %s", status)
	}
	return a.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := volumes.Visible(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if status == blockstorage.StatusInUse {
			atts, err := tx.ListAttachments(ctx, []string{id})
			if err != nil {
				return err
			}
			if len(atts) == 0 {
				return blockstorage.BadRequest("Cannot reset-state to in-use because volume does not have any attachments.")
			}
		}
		if status != "" {
			vol.Status = status
		}
		if attach != "" {
			vol.AttachStatus = attach
		}
		switch mig {
		case "":
		case "none":
			vol.MigrationStatus = ""
		default:
			vol.MigrationStatus = mig
		}
		if attach == blockstorage.AttachDetached {
			if err := tx.DeleteAttachments(ctx, id); err != nil {
				return err
			}
			delete(vol.AdminMetadata, "attached_mode")
		}
		return tx.UpdateVolume(ctx, vol)
	})
}
