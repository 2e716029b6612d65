package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/volinfo"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Connector is what the block-storage service exports a volume to: the
// compute host, as os-brick describes a host to Cinder, with the device
// name the volume gets (Nova adds the mapping's mount_device as
// "mountpoint", which Cinder records as the attachment's device).
func Connector(host, mountpoint string) map[string]any {
	c := map[string]any{"host": host, "platform": "x86_64", "os_type": "linux", "multipath": false, "do_local_attach": false}
	if mountpoint != "" {
		c["mountpoint"] = mountpoint
	}
	return c
}

// VolumeWait bounds how long a build waits for a volume it made to
// become available (Nova's block_device_allocate_retries × interval).
const VolumeWait = 3 * time.Minute

// ConnectVolumes readies the instance's volumes for a spawn on host:
// the volumes compute makes (from an image, a snapshot, blank) are made
// with the user's token and awaited, each volume is reserved for the
// instance if it is not yet, exported to host (the attachment updated
// with host's connector) and marked in-use. What is done is stored with
// the instance at each step, so that a retry goes on from there. It
// returns the instance as stored.
func (b *Base) ConnectVolumes(ctx context.Context, inst *compute.Instance, host, token string) (*compute.Instance, error) {
	if !slices.ContainsFunc(inst.BlockDevices, func(d compute.BlockDeviceMapping) bool { return d.IsVolume() }) {
		return inst, nil
	}
	vols := b.Cfg.Volumes
	if vols == nil {
		return nil, errors.New("the server has volumes, and this cloud has no block-storage service")
	}
	cur := inst
	for _, bdm := range inst.BlockDevices {
		if !bdm.IsVolume() || bdm.Detaching {
			continue
		}
		id := bdm.ID
		if bdm.VolumeID == "" {
			v, err := b.makeVolume(ctx, cur, bdm, token)
			if err != nil {
				return nil, err
			}
			if cur, err = b.setBDM(ctx, cur.ID, id, func(d *compute.BlockDeviceMapping) { d.VolumeID, d.Created = v, true }); err != nil {
				_ = vols.DeleteVolume(context.WithoutCancel(ctx), token, v)
				return nil, err
			}
			bdm.VolumeID = v
		}
		if bdm.AttachmentID == "" {
			att, _, err := vols.AttachmentCreate(ctx, token, bdm.VolumeID, cur.ID, nil)
			if err != nil {
				return nil, fmt.Errorf("reserve volume %s: %w", bdm.VolumeID, err)
			}
			if cur, err = b.setBDM(ctx, cur.ID, id, func(d *compute.BlockDeviceMapping) { d.AttachmentID = att }); err != nil {
				_ = vols.AttachmentDelete(context.WithoutCancel(ctx), token, att)
				return nil, err
			}
			bdm.AttachmentID = att
		}
		if bdm.Connection != nil && bdm.ConnectedHost == host {
			continue
		}
		conn, err := vols.AttachmentUpdate(ctx, token, bdm.AttachmentID, Connector(host, bdm.DeviceName))
		if err != nil {
			return nil, fmt.Errorf("connect volume %s: %w", bdm.VolumeID, err)
		}
		if err := vols.AttachmentComplete(ctx, token, bdm.AttachmentID); err != nil {
			return nil, fmt.Errorf("complete the attachment of volume %s: %w", bdm.VolumeID, err)
		}
		if cur, err = b.setBDM(ctx, cur.ID, id, func(d *compute.BlockDeviceMapping) {
			d.Connection, d.ConnectedHost = conn, host
			if d.DeviceName == "" {
				d.DeviceName = nextDevice(cur, d.IsRoot())
			}
		}); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

// makeVolume creates the volume of a mapping whose source is an image,
// a snapshot or nothing, and waits until it is available.
func (b *Base) makeVolume(ctx context.Context, inst *compute.Instance, bdm compute.BlockDeviceMapping, token string) (string, error) {
	if token == "" {
		return "", fmt.Errorf("volume of %s: the user's token is gone, the volume cannot be made on their behalf", inst.ID)
	}
	req := volinfo.CreateRequest{SizeGB: bdm.VolumeSize, VolumeType: bdm.VolumeType,
		Name: inst.ID + "-blank-vol"}
	switch bdm.SourceType {
	case "image":
		req.ImageID, req.Name = bdm.UUID, inst.ID+"-image-vol"
	case "snapshot":
		req.SnapshotID, req.Name = bdm.UUID, inst.ID+"-snapshot-vol"
	}
	v, err := b.Cfg.Volumes.CreateVolume(ctx, token, req)
	if err != nil {
		return "", fmt.Errorf("create a volume for %s: %w", inst.ID, err)
	}
	if err := b.AwaitVolume(ctx, token, v.ID, "available", VolumeWait); err != nil {
		_ = b.Cfg.Volumes.DeleteVolume(context.WithoutCancel(ctx), token, v.ID)
		return "", err
	}
	return v.ID, nil
}

// AwaitVolume waits until the volume has status want; a volume in error
// or still not there after wait is an error (Nova's
// VolumeNotCreated).
func (b *Base) AwaitVolume(ctx context.Context, token, id, want string, wait time.Duration) error {
	deadline := b.Now().Add(wait)
	delay := 100 * time.Millisecond
	for {
		v, err := b.Cfg.Volumes.GetVolume(ctx, token, id)
		if err != nil {
			return err
		}
		if v.Status == want {
			return nil
		}
		if v.Status == "error" || !b.Now().Before(deadline) {
			return fmt.Errorf("Volume %s did not finish being created even after we waited %d seconds. And its status is %s.", id, int(wait.Seconds()), v.Status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 2*time.Second)
	}
}

// setBDM changes the instance's mapping id with fn and returns the
// instance as stored.
func (b *Base) setBDM(ctx context.Context, instID, id string, fn func(*compute.BlockDeviceMapping)) (*compute.Instance, error) {
	return compute.Step(ctx, b.Store, instID, func(i *compute.Instance) error {
		j := slices.IndexFunc(i.BlockDevices, func(d compute.BlockDeviceMapping) bool { return d.ID == id })
		if j < 0 {
			return fmt.Errorf("block device %s of %s: %w", id, instID, compute.ErrStale)
		}
		fn(&i.BlockDevices[j])
		return nil
	})
}

// DropBDM removes the instance's mapping id (a detach done, an attach
// undone), with a fault when cause is not nil. It does not clear the
// task_state: an action queued behind may have set it.
func (b *Base) DropBDM(instID, id string, cause error) {
	ctx, cancel := b.DBContext()
	defer cancel()
	_, err := compute.Step(ctx, b.Store, instID, func(i *compute.Instance) error {
		i.BlockDevices = slices.DeleteFunc(i.BlockDevices, func(d compute.BlockDeviceMapping) bool { return d.ID == id })
		if cause != nil {
			i.Fault = b.Fault(cause)
		}
		return nil
	})
	if err != nil && !errors.Is(err, compute.ErrGone) {
		b.Log.Warn("conductor: remove a block device", "instance", instID, "err", err)
	}
}

// nextDevice names a volume connected without a name (attached while
// the server had no host): /dev/vda for the root, else the first free
// /dev/vdX.
func nextDevice(inst *compute.Instance, root bool) string {
	if root {
		return "/dev/vda"
	}
	used := map[string]bool{"/dev/vda": true}
	for _, d := range inst.BlockDevices {
		used[d.DeviceName] = true
	}
	for c := 'b'; c <= 'z'; c++ {
		if n := "/dev/vd" + string(c); !used[n] {
			return n
		}
	}
	return ""
}

// BlockDevices are the instance's connected volumes as its driver
// attaches them.
func BlockDevices(inst *compute.Instance) []driver.BlockDevice {
	var out []driver.BlockDevice
	for _, d := range inst.BlockDevices {
		if !d.IsVolume() || d.Connection == nil || d.Detaching {
			continue
		}
		out = append(out, DriverBlockDevice(d))
	}
	return out
}

// DriverBlockDevice is mapping d as the driver attaches it.
func DriverBlockDevice(d compute.BlockDeviceMapping) driver.BlockDevice {
	bd := driver.BlockDevice{VolumeID: d.VolumeID, Path: d.Connection.Path(), Format: d.Connection.Format(),
		Bus: d.DiskBus, Device: d.DeviceName, BootIndex: -1}
	if d.IsRoot() {
		bd.BootIndex = 0
	}
	return bd
}

// ReleaseVolumes ends the attachments of a deleted instance's volumes
// and deletes those marked delete_on_termination (Nova's
// _cleanup_volumes), with the service's token: the user's may be long
// gone. Failures are logged: the volume stays, as in Nova.
func (b *Base) ReleaseVolumes(ctx context.Context, inst *compute.Instance) {
	vols := b.Cfg.Volumes
	if vols == nil {
		return
	}
	for _, d := range inst.BlockDevices {
		if !d.IsVolume() || d.VolumeID == "" {
			continue
		}
		if d.AttachmentID != "" {
			if err := vols.AttachmentDelete(ctx, "", d.AttachmentID); err != nil && !apierr.IsNotFound(err) && !errors.Is(err, apierr.ErrNotFound) {
				b.Log.Warn("conductor: end a volume attachment", "instance", inst.ID, "volume", d.VolumeID, "err", err)
				continue
			}
		}
		if !d.DeleteOnTermination {
			continue
		}
		// The attachment's end may take the volume a moment to become
		// available again.
		if err := b.AwaitVolume(ctx, "", d.VolumeID, "available", time.Minute); err != nil && !apierr.IsNotFound(err) && !errors.Is(err, apierr.ErrNotFound) {
			b.Log.Warn("conductor: volume to delete with its server", "instance", inst.ID, "volume", d.VolumeID, "err", err)
		}
		if err := vols.DeleteVolume(ctx, "", d.VolumeID); err != nil && !apierr.IsNotFound(err) && !errors.Is(err, apierr.ErrNotFound) {
			b.Log.Warn("conductor: delete a volume with its server", "instance", inst.ID, "volume", d.VolumeID, "err", err)
		}
	}
}
