package conductor

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/core"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/sysmeta"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// opSnapshot is createImage and createBackup: the host snapshots the root
// disk and uploads it into the queued image the Service created; task
// state goes image_pending_upload → image_uploading → none. A backup then
// deletes the oldest backups of its type beyond the rotation.
func (c *ops) opSnapshot(ctx context.Context, op compute.Op, inst *compute.Instance) {
	name := "compute_snapshot_instance"
	if op.Kind == compute.OpBackup {
		name = "compute_backup_instance"
	}
	finish := c.Event(ctx, inst, op.Caller.RequestID, name, inst.Host)
	err := c.upload(ctx, op, inst, compute.TaskImagePendingUpload, compute.TaskImageUploading)
	if err != nil {
		if c.Stopping() || errors.Is(err, compute.ErrGone) {
			return
		}
		finish(err)
		c.deleteImage(op, op.ImageID)
		c.FailOp(inst.ID, "", err)
		return
	}
	if op.Kind == compute.OpBackup {
		c.rotateBackups(ctx, op, inst)
	}
	_, err = c.Finish(inst.ID, compute.Outcome{})
	finish(err)
}

// upload snapshots inst into op.ImageID, moving through the two task
// states given.
func (c *ops) upload(ctx context.Context, op compute.Op, inst *compute.Instance, pending, uploading string) error {
	if c.Cfg.Images == nil {
		return apierr.Unavailable("The image service is not available.")
	}
	h, err := c.Host(inst.Host)
	if err != nil {
		return err
	}
	for _, ts := range []string{pending, uploading} {
		if _, err := compute.Step(ctx, c.Store, inst.ID, func(i *compute.Instance) error {
			i.TaskState = ts
			return nil
		}); err != nil {
			return err
		}
	}
	up := hostrpc.Upload{ImageID: op.ImageID, Token: op.Caller.Token}
	if img, err := c.Cfg.Images.Get(ctx, op.Caller.Token, op.ImageID); err == nil {
		up.DiskFormat = img.DiskFormat
	}
	return h.SnapshotUpload(ctx, inst.ID, up)
}

func (c *ops) deleteImage(op compute.Op, id string) {
	if id == "" || c.Cfg.Images == nil {
		return
	}
	ctx, cancel := c.DBContext()
	defer cancel()
	if err := c.Cfg.Images.Delete(ctx, op.Caller.Token, id); err != nil && !errors.Is(err, apierr.ErrNotFound) {
		c.Log.Warn("conductor: delete image", "image", id, "err", err)
	}
}

// rotateBackups keeps the newest op.Rotation backups of op.BackupType of
// the instance (Nova's _rotate_backups).
func (c *ops) rotateBackups(ctx context.Context, op compute.Op, inst *compute.Instance) {
	imgs, err := c.Cfg.Images.List(ctx, op.Caller.Token, map[string]string{
		"image_type": "backup", "backup_type": op.BackupType, "instance_uuid": inst.ID,
	})
	if err != nil {
		c.Log.Warn("conductor: list backups", "instance", inst.ID, "err", err)
		return
	}
	if len(imgs) <= op.Rotation {
		return
	}
	sort.SliceStable(imgs, func(a, b int) bool { return imgs[a].CreatedAt.After(imgs[b].CreatedAt) })
	for _, img := range imgs[op.Rotation:] {
		c.deleteImage(op, img.ID)
	}
}

// opShelve powers the instance off, uploads its snapshot into the queued
// image (none when it boots from volume) and leaves it SHELVED; with a
// zero ShelvedOffloadTime it is offloaded at once. A failure powers the
// guest back on if it was running and keeps vm_state with a fault.
func (c *ops) opShelve(ctx context.Context, op compute.Op, inst *compute.Instance) {
	finish := c.Event(ctx, inst, op.Caller.RequestID, "compute_shelve_instance", inst.Host)
	wasOn := inst.VMState == compute.VMActive
	h, err := c.Host(inst.Host)
	if err == nil {
		err = h.PowerOff(ctx, inst.ID, c.Cfg.ShutdownTimeout)
	}
	if err == nil && op.ImageID != "" {
		err = c.upload(ctx, op, inst, compute.TaskShelvingImagePend, compute.TaskShelvingImageUpload)
	}
	if err != nil {
		if c.Stopping() || errors.Is(err, compute.ErrGone) {
			return
		}
		finish(err)
		c.deleteImage(op, op.ImageID)
		if wasOn && h != nil {
			h.PowerOn(context.WithoutCancel(ctx), inst.ID)
		}
		c.FailOp(inst.ID, "", err)
		return
	}
	now := c.Now().UTC()
	cur, err := c.Finish(inst.ID, compute.Outcome{VMState: compute.VMShelved, Power: compute.Power(driver.Shutdown), Apply: func(i *compute.Instance) {
		// Nova's shelve bookkeeping, which unshelve reads.
		if i.SystemMetadata == nil {
			i.SystemMetadata = map[string]string{}
		}
		i.SystemMetadata[sysmeta.ShelvedAt] = now.Format(time.RFC3339Nano)
		i.SystemMetadata[sysmeta.ShelvedHost] = inst.Host
		if op.ImageID != "" {
			i.SystemMetadata[sysmeta.ShelvedImage] = op.ImageID
		} else {
			delete(i.SystemMetadata, sysmeta.ShelvedImage)
		}
	}})
	finish(err)
	if err == nil && c.Cfg.ShelvedOffloadTime == 0 {
		c.offload(ctx, op, cur)
	}
}

// opShelveOffload offloads a shelved instance.
func (c *ops) opShelveOffload(ctx context.Context, op compute.Op, inst *compute.Instance) {
	c.offload(ctx, op, inst)
}

// offload destroys a shelved instance on its host and frees its claim:
// SHELVED_OFFLOADED, without host or node.
func (c *ops) offload(ctx context.Context, op compute.Op, inst *compute.Instance) {
	finish := c.Event(ctx, inst, op.Caller.RequestID, "compute_shelve_offload_instance", inst.Host)
	_, err := compute.Step(ctx, c.Store, inst.ID, func(i *compute.Instance) error {
		if i.VMState != compute.VMShelved {
			return compute.ErrStale
		}
		i.TaskState = compute.TaskShelvingOffloading
		return nil
	})
	if err == nil && inst.Host != "" {
		err = c.DestroyEverywhere(ctx, inst.Host, inst.ID)
	}
	if err != nil {
		if c.Stopping() || errors.Is(err, compute.ErrGone) {
			return
		}
		finish(err)
		if !errors.Is(err, compute.ErrStale) {
			c.FailOp(inst.ID, "", err)
		}
		return
	}
	c.FreeAllocations(inst.ID)
	// An offloaded server is on no host, and neither are its ports
	// (Nova's cleanup_instance_network_on_host); unshelve binds them
	// where it lands.
	c.RebindOrLog(ctx, inst, "")
	_, err = c.Finish(inst.ID, compute.Outcome{VMState: compute.VMShelvedOf, Power: compute.Power(driver.Shutdown),
		Place: &compute.Place{}})
	finish(err)
}

// opUnshelve brings a shelved instance back: a SHELVED one is powered on
// where it is; a SHELVED_OFFLOADED one is scheduled and spawned from the
// shelved image, which is then deleted. A failure leaves it shelved
// with a fault.
func (c *ops) opUnshelve(ctx context.Context, op compute.Op, inst *compute.Instance) {
	reqID := op.Caller.RequestID
	if inst.VMState == compute.VMShelved && inst.Host != "" {
		finish := c.Event(ctx, inst, reqID, "compute_start_instance", inst.Host)
		h, err := c.Host(inst.Host)
		if err == nil {
			err = h.PowerOn(ctx, inst.ID)
		}
		if err != nil {
			c.Fail(finish, inst.ID, "", err)
			return
		}
		_, err = c.Finish(inst.ID, compute.Outcome{VMState: compute.VMActive, Power: compute.Power(driver.Running),
			Apply: clearShelved})
		finish(err)
		if op.Image == nil {
			op.Image = c.shelvedImage(ctx, op, inst)
		}
		c.deleteShelvedImage(op, inst)
		return
	}
	finish := c.Event(ctx, inst, reqID, "conductor_unshelve_instance", "")
	if op.Image == nil {
		op.Image = c.shelvedImage(ctx, op, inst)
	}
	spec := c.MoveSpec(ctx, inst, inst.Flavor, op.Host, nil)
	spec.Image = op.Image
	if op.AZ != "" {
		spec.AZ = op.AZ
	}
	c.FreeAllocations(inst.ID) // an offloaded instance holds none; a stale one would block the claim
	sel, _, err := c.Cfg.Scheduler.Select(ctx, spec)
	if err != nil {
		c.Fail(finish, inst.ID, "", err)
		return
	}
	finish(nil)
	at := c.Place(sel)
	cur, err := compute.Step(ctx, c.Store, inst.ID, func(i *compute.Instance) error {
		at.Put(i)
		i.TaskState = compute.TaskSpawning
		return nil
	})
	if err != nil {
		c.FreeAllocations(inst.ID)
		return
	}
	finishSpawn := c.Event(ctx, cur, reqID, "compute_unshelve_instance", sel.Host)
	cur, err = c.Rebind(ctx, cur, sel.Host)
	if err == nil {
		// Volumes attached while the server had no host are exported
		// to the new one now.
		cur, err = c.ConnectVolumes(ctx, cur, sel.Host, op.Caller.Token)
	}
	var h hostrpc.Host
	if err == nil {
		h, err = c.Host(sel.Host)
	}
	if err == nil {
		cp := *cur
		if op.Image != nil {
			cp.ImageRef = op.Image.ID
		}
		err = h.Spawn(ctx, core.Spec(&cp, op.Image, ""))
	}
	if err != nil {
		if c.Stopping() {
			return
		}
		finishSpawn(err)
		c.FreeAllocations(inst.ID)
		c.RebindOrLog(context.WithoutCancel(ctx), inst, "")
		c.Finish(inst.ID, compute.Outcome{VMState: compute.VMShelvedOf, Fault: c.Fault(err), Place: &compute.Place{}})
		return
	}
	now := c.Now().UTC()
	_, err = c.Finish(inst.ID, compute.Outcome{VMState: compute.VMActive, Power: compute.Power(driver.Running),
		LaunchedAt: &now, ClearFault: true, Apply: clearShelved})
	if errors.Is(err, compute.ErrGone) {
		c.DestroyAndFree(h, inst.ID)
	}
	finishSpawn(err)
	c.deleteShelvedImage(op, inst)
}

// shelvedImage returns the snapshot the instance was shelved into: the
// image of its system metadata shelved_image_id, as Nova's unshelve
// reads it. An instance shelved before that was kept falls back to the
// newest "<name>-shelved" snapshot image of the instance. Without either
// the instance boots its own image again.
func (c *ops) shelvedImage(ctx context.Context, op compute.Op, inst *compute.Instance) *compute.ImageMeta {
	if c.Cfg.Images == nil {
		return nil
	}
	if id := inst.SystemMetadata[sysmeta.ShelvedImage]; id != "" {
		img, err := c.Cfg.Images.Get(ctx, op.Caller.Token, id)
		if err == nil {
			return img
		}
		c.Log.Warn("conductor: read the shelved image", "instance", inst.ID, "image", id, "err", err)
		return nil
	}
	imgs, err := c.Cfg.Images.List(ctx, op.Caller.Token, map[string]string{"instance_uuid": inst.ID, "image_type": "snapshot"})
	if err != nil {
		c.Log.Warn("conductor: find the shelved image", "instance", inst.ID, "err", err)
		return nil
	}
	var best *compute.ImageMeta
	for i := range imgs {
		img := &imgs[i]
		if !strings.HasSuffix(img.Name, "-shelved") || (img.Status != "" && img.Status != "active") {
			continue
		}
		if best == nil || img.CreatedAt.After(best.CreatedAt) {
			best = img
		}
	}
	return best
}

// clearShelved removes the shelve bookkeeping of an unshelved instance.
func clearShelved(i *compute.Instance) {
	for _, k := range []string{sysmeta.ShelvedImage, sysmeta.ShelvedAt, sysmeta.ShelvedHost} {
		delete(i.SystemMetadata, k)
	}
}

// deleteShelvedImage deletes the snapshot an unshelved instance was
// shelved into (never the image it was built from).
func (c *ops) deleteShelvedImage(op compute.Op, inst *compute.Instance) {
	if op.Image == nil || op.Image.ID == "" || op.Image.ID == inst.ImageRef {
		return
	}
	c.deleteImage(op, op.Image.ID)
}
