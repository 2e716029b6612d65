// Package hotplug plugs volumes and NICs into a running guest, unplugs
// them, and grows its volumes, over its QMP monitor, in the layout
// instdir.Args gives the same devices at boot, so that a guest looks the
// same whether a device was plugged while it ran or at its last boot.
// Devices are the driver's device operations built on these, which keep
// the instance's record in step for its next boots.
//
// Volumes are scsi-hd on the virtio-scsi controller, whose unplug needs
// no help from the guest. NICs are tap devices owned by the network
// agent, plugged without vhost. On q35 each NIC sits on a PCIe root port
// of its own (the root bus takes no hot-plugged device), and the guest
// has a few spare ports (qemu.Options.HotplugPorts), with native PCIe hot-plug rather
// than ACPI's. Unplugging a NIC needs the guest to release it: Linux's
// pciehp does in about five seconds, and QEMU frees at once a slot the
// guest never powered. A hot-plugged NIC takes the port the next boot
// gives it when that one is free; after unplugging a NIC other than the
// last, the running guest's layout differs from its command line until
// it reboots, which a live migration in between does not survive.
package hotplug

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/disk"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// AddVolume plugs bd, whose Format is set (raw by default), into the
// guest q runs, plugging the SCSI controller first when controller is
// set (a q35 guest that has none yet, instdir.Record.SCSI).
func AddVolume(ctx context.Context, q *qmp.Conn, bd driver.BlockDevice, controller bool) error {
	if controller {
		if err := q.Run(ctx, "device_add", map[string]any{"driver": "virtio-scsi-pci", "id": "scsi0", "bus": instdir.SCSIPort}, nil); err != nil {
			return err
		}
	}
	return q.AddSCSIDisk(ctx, instdir.DevID("vol", bd.VolumeID), bd.Format, bd.Path, bd.ReadOnly)
}

// DropSCSI unplugs a guest's SCSI controller, which has no disks.
func DropSCSI(ctx context.Context, q *qmp.Conn) error {
	if err := q.DeviceDel(ctx, "scsi0", 30*time.Second); err != nil {
		return fmt.Errorf("qemu: unplug the unused SCSI controller: %w", err)
	}
	return nil
}

// DelVolume unplugs the volume volumeID, waiting up to timeout.
func DelVolume(ctx context.Context, q *qmp.Conn, volumeID string, timeout time.Duration) error {
	return q.DelSCSIDisk(ctx, instdir.DevID("vol", volumeID), timeout)
}

// GrowVolume makes the guest see the volume bd at size bytes. A QEMU
// that runs (q, paused too) does it with block_resize: it holds a file
// volume locked, so it grows the file itself (a qcow2's virtual size, a
// raw file's length), and it reads a grown block device's size again;
// either way the disk tells the guest, as virtio-scsi and virtio-blk
// both report a capacity change, which Linux picks up by itself. Without
// a QEMU (q nil: stopped, suspended) a file volume is grown with
// qemu-img, and a block device needs nothing: the next boot sees it. boot
// says bd is the virtio-blk boot disk, which QEMU names as a drive rather
// than a block node. A volume is never shrunk.
func GrowVolume(ctx context.Context, q *qmp.Conn, tools disk.Tools, bd driver.BlockDevice, boot bool, size int64) error {
	format := cmp.Or(bd.Format, "raw")
	info, err := tools.Info(ctx, bd.Path, format)
	if err != nil {
		return err
	}
	if size < info.VirtualSize {
		return fmt.Errorf("qemu: volume %s is %d bytes, will not shrink it to %d", bd.VolumeID, info.VirtualSize, size)
	}
	if q != nil {
		return q.BlockResize(ctx, instdir.DevID("vol", bd.VolumeID), boot, size)
	}
	if fi, err := os.Stat(bd.Path); err != nil || !fi.Mode().IsRegular() || size == info.VirtualSize {
		return err
	}
	_, err = tools.Img(ctx, "resize", "-q", "-f", format, bd.Path, strconv.FormatInt(size, 10))
	return err
}

// AddNIC plugs nic into the guest q runs on host h, which has n NICs in
// its record already.
func AddNIC(ctx context.Context, q *qmp.Conn, h instdir.Host, nic driver.NIC, n int) error {
	dev := qmp.NIC{ID: instdir.DevID("nic", nic.PortID), Tap: nic.Tap, Driver: instdir.NICModel(nic.Model), MAC: nic.MAC, MTU: nic.MTU}
	if h.PCIe() {
		// The guest has a port per NIC it booted with plus its record's
		// hot-plug ports; asking for more ids than that is harmless.
		ports := []string{instdir.Port(n)}
		for i := range n + 2*instdir.LegacyHotplugPorts {
			ports = append(ports, instdir.Port(i))
		}
		port, err := q.FreePort(ctx, ports)
		if err != nil {
			return err
		}
		if port == "" {
			return fmt.Errorf("qemu: no free PCIe port for port %s: reboot the instance to get more (each boot gets --qemu-hotplug-ports empty ones)", nic.PortID)
		}
		dev.Bus = port
	}
	return q.AddNIC(ctx, dev)
}

// DelNIC unplugs nic, waiting up to timeout for the guest to release it.
func DelNIC(ctx context.Context, q *qmp.Conn, nic driver.NIC, timeout time.Duration) error {
	err := q.DelNIC(ctx, instdir.DevID("nic", nic.PortID), nic.Tap != "", timeout)
	if errors.Is(err, qmp.ErrNotReleased) {
		// Nova's words for it, which its users and Tempest know; a
		// conflict (409) rather than a server error: the interface stays
		// attached and the caller may try again.
		return apierr.Conflict("Device detach failed for port %s: timed out after %v waiting for the guest to release the device", nic.PortID, timeout).WithCause(err)
	}
	return err
}
