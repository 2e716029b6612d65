package conductor

import (
	"context"
	"errors"
	"fmt"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/core"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/volinfo"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// opAttachVolume connects a volume the API reserved for the instance:
// the attachment is updated with the host's connector, the host plugs
// the volume and the attachment is completed (the volume is in-use). A
// failure undoes it all (the attachment deleted, the mapping removed)
// and leaves a fault, as Nova's attach_volume does; the instance's
// states do not change.
func (c *ops) opAttachVolume(ctx context.Context, op compute.Op, inst *compute.Instance) {
	i := volinfo.Find(inst.BlockDevices, op.VolumeID)
	if i < 0 {
		return // detached or never stored
	}
	bdm := inst.BlockDevices[i]
	finish := c.Event(ctx, inst, op.Caller.RequestID, "compute_attach_volume", inst.Host)
	err := c.attachVolume(ctx, op, inst, bdm)
	if c.Stopping() {
		return
	}
	finish(err)
	if err == nil || errors.Is(err, compute.ErrGone) {
		return
	}
	c.Log.Warn("conductor: attach volume", "instance", inst.ID, "volume", bdm.VolumeID, "err", err)
	if bdm.AttachmentID != "" && c.Cfg.Volumes != nil {
		if derr := c.Cfg.Volumes.AttachmentDelete(context.WithoutCancel(ctx), op.Caller.Token, bdm.AttachmentID); derr != nil && !apierr.IsNotFound(derr) {
			c.Log.Warn("conductor: undo a volume reservation", "instance", inst.ID, "volume", bdm.VolumeID, "err", derr)
		}
	}
	c.DropBDM(inst.ID, bdm.ID, err)
}

func (c *ops) attachVolume(ctx context.Context, op compute.Op, inst *compute.Instance, bdm compute.BlockDeviceMapping) error {
	vols := c.Cfg.Volumes
	if vols == nil {
		return errors.New("this cloud has no block-storage service")
	}
	if bdm.AttachmentID == "" {
		return fmt.Errorf("volume %s has no attachment", bdm.VolumeID)
	}
	if inst.Host == "" {
		// Offloaded meanwhile: it is connected at the unshelve.
		return vols.AttachmentComplete(ctx, op.Caller.Token, bdm.AttachmentID)
	}
	h, err := c.Host(inst.Host)
	if err != nil {
		return err
	}
	conn, err := vols.AttachmentUpdate(ctx, op.Caller.Token, bdm.AttachmentID, core.Connector(inst.Host, bdm.DeviceName))
	if err != nil {
		return fmt.Errorf("connect volume %s: %w", bdm.VolumeID, err)
	}
	bdm.Connection, bdm.ConnectedHost = conn, inst.Host
	if err := h.AttachVolume(ctx, inst.ID, core.DriverBlockDevice(bdm)); err != nil {
		return err
	}
	// From here the host holds the volume: a failure unplugs it again.
	undo := func(err error) error {
		if derr := h.DetachVolume(context.WithoutCancel(ctx), inst.ID, bdm.VolumeID); derr != nil && !driver.IsNotFound(derr) {
			c.Log.Warn("conductor: unplug a volume whose attach failed", "instance", inst.ID, "volume", bdm.VolumeID, "err", derr)
		}
		return err
	}
	if err := vols.AttachmentComplete(ctx, op.Caller.Token, bdm.AttachmentID); err != nil {
		return undo(fmt.Errorf("complete the attachment of volume %s: %w", bdm.VolumeID, err))
	}
	_, err = compute.Step(ctx, c.Store, inst.ID, func(i *compute.Instance) error {
		j := volinfo.Find(i.BlockDevices, bdm.VolumeID)
		if j < 0 {
			return compute.ErrGone
		}
		i.BlockDevices[j].Connection, i.BlockDevices[j].ConnectedHost = conn, inst.Host
		if i.BlockDevices[j].DeviceName == "" {
			i.BlockDevices[j].DeviceName = bdm.DeviceName
		}
		return nil
	})
	if errors.Is(err, compute.ErrGone) {
		// A delete won: it ends the attachment; the host's copy goes
		// with the guest.
		return err
	}
	if err != nil {
		return undo(err)
	}
	return nil
}

// opDetachVolume unplugs a volume from the instance on its host and
// ends its attachment (the volume becomes available); the mapping goes.
// A host that cannot unplug it keeps it attached, with a fault.
func (c *ops) opDetachVolume(ctx context.Context, op compute.Op, inst *compute.Instance) {
	i := volinfo.Find(inst.BlockDevices, op.VolumeID)
	if i < 0 {
		return
	}
	bdm := inst.BlockDevices[i]
	finish := c.Event(ctx, inst, op.Caller.RequestID, "compute_detach_volume", inst.Host)
	err := c.detachVolume(ctx, op, inst, bdm)
	if c.Stopping() {
		return
	}
	finish(err)
	if err != nil {
		c.Log.Warn("conductor: detach volume", "instance", inst.ID, "volume", bdm.VolumeID, "err", err)
		dctx, cancel := c.DBContext()
		defer cancel()
		_, _ = compute.Step(dctx, c.Store, inst.ID, func(i *compute.Instance) error {
			if j := volinfo.Find(i.BlockDevices, bdm.VolumeID); j >= 0 {
				i.BlockDevices[j].Detaching = false
			}
			i.Fault = c.Fault(err)
			return nil
		})
		return
	}
	c.DropBDM(inst.ID, bdm.ID, nil)
}

func (c *ops) detachVolume(ctx context.Context, op compute.Op, inst *compute.Instance, bdm compute.BlockDeviceMapping) error {
	vols := c.Cfg.Volumes
	if vols == nil {
		return errors.New("this cloud has no block-storage service")
	}
	if inst.Host != "" {
		h, err := c.Host(inst.Host)
		if err != nil {
			return err
		}
		if err := h.DetachVolume(ctx, inst.ID, bdm.VolumeID); err != nil && !driver.IsNotFound(err) {
			return err
		}
	}
	if bdm.AttachmentID == "" {
		return nil
	}
	err := vols.AttachmentDelete(ctx, op.Caller.Token, bdm.AttachmentID)
	if err != nil && !apierr.IsNotFound(err) && !errors.Is(err, apierr.ErrNotFound) {
		return fmt.Errorf("end the attachment of volume %s: %w", bdm.VolumeID, err)
	}
	return nil
}

// opExtendVolume makes the guest see an attached volume at the size the
// block-storage service gives it now (the volume-extended event): the
// host grows it (a file volume is grown by the hypervisor holding it)
// and the mapping records the size. A server without the volume, or
// whose volume no host holds (shelved), needs nothing: the next
// connection sees the new size.
func (c *ops) opExtendVolume(ctx context.Context, op compute.Op, inst *compute.Instance) {
	i := volinfo.Find(inst.BlockDevices, op.VolumeID)
	if i < 0 {
		c.Log.Warn("conductor: volume-extended for a volume the instance does not have", "instance", inst.ID, "volume", op.VolumeID)
		return
	}
	finish := c.Event(ctx, inst, op.Caller.RequestID, "compute_extend_volume", inst.Host)
	err := c.extendVolume(ctx, inst, inst.BlockDevices[i])
	if c.Stopping() {
		return
	}
	finish(err)
	if err != nil && !errors.Is(err, compute.ErrGone) {
		c.Log.Warn("conductor: extend volume", "instance", inst.ID, "volume", op.VolumeID, "err", err)
	}
}

func (c *ops) extendVolume(ctx context.Context, inst *compute.Instance, bdm compute.BlockDeviceMapping) error {
	vols := c.Cfg.Volumes
	if vols == nil {
		return errors.New("this cloud has no block-storage service")
	}
	if inst.Host == "" || bdm.Connection == nil {
		return nil
	}
	// The event says only which volume grew: the size is the block
	// storage service's, read with the service's token as Nova does.
	vol, err := vols.GetVolume(ctx, "", bdm.VolumeID)
	if err != nil {
		return fmt.Errorf("read volume %s: %w", bdm.VolumeID, err)
	}
	h, err := c.Host(inst.Host)
	if err != nil {
		return err
	}
	if err := h.ExtendVolume(ctx, inst.ID, bdm.VolumeID, int64(vol.SizeGB)<<30); err != nil {
		return err
	}
	_, err = compute.Step(ctx, c.Store, inst.ID, func(i *compute.Instance) error {
		j := volinfo.Find(i.BlockDevices, bdm.VolumeID)
		if j < 0 {
			return compute.ErrGone
		}
		i.BlockDevices[j].VolumeSize = vol.SizeGB
		return nil
	})
	return err
}
