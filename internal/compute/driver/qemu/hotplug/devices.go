package hotplug

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/disk"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
)

// Host runs operations on the driver's instances; the device operations
// run as its others do, one at a time on an instance.
type Host interface {
	// Change runs op on instance uuid: allowed decides from its record,
	// under the driver's lock, whether op may run now (else an
	// InvalidState error); work gets the monitor of the QEMU that runs
	// the guest, nil when none does; then record, unless nil, changes
	// the record, which is saved.
	Change(uuid, op string, allowed func(*instdir.Record) bool, work func(q *qmp.Conn) error, record func(*instdir.Record)) error
}

// Devices are the QEMU driver's device operations (driver.Driver's
// AttachVolume … DetachInterface): the devices plugged into a running
// guest as this package's functions do, and kept in the record for the
// next boots.
type Devices struct {
	Host    Host
	Machine string        // the QEMU machine type, where NICs go
	Tools   disk.Tools    // to grow a volume no QEMU has open
	Unplug  time.Duration // how long a NIC unplug waits for the guest (default 30s)
}

// plug attaches (attach set) or detaches the device the record has at
// at (-1: none) in the states ok allows, failing with bad when it is
// there (absent), or invalid: hot plugs or unplugs it in the running
// QEMU, if any (the next boot has it), and rec records the change.
func (v *Devices) plug(uuid, op string, attach bool, bad, invalid error, at func(*instdir.Record) int,
	ok func(*instdir.Record) bool, hot func(q *qmp.Conn) error, rec func(*instdir.Record)) error {
	var was bool
	err := v.Host.Change(uuid, op, func(r *instdir.Record) bool {
		was = (at(r) >= 0) == attach
		return !was && ok(r)
	}, func(q *qmp.Conn) error {
		if invalid != nil || q == nil {
			return invalid
		}
		return hot(q)
	}, rec)
	if was {
		return bad
	}
	return err
}

// AttachVolume plugs a volume and records it for the next boots.
func (v *Devices) AttachVolume(ctx context.Context, uuid string, bd driver.BlockDevice) error {
	op := "attach volume " + bd.VolumeID
	bd.Format, bd.BootIndex = cmp.Or(bd.Format, "raw"), -1
	var invalid error
	if bd.Path == "" {
		invalid = fmt.Errorf("qemu: volume %s has no path", bd.VolumeID)
	}
	// A q35 guest launched without SCSI volumes has no controller yet.
	var controller, plugged bool
	return v.plug(uuid, op, true, driver.InvalidState(uuid, op, "already attached"), invalid,
		func(r *instdir.Record) int { return r.VolumeAt(bd.VolumeID) },
		func(r *instdir.Record) bool {
			controller = (instdir.Host{Machine: v.Machine}).PCIe() && !r.Legacy() && !r.SCSI
			return !r.Rescued
		},
		func(q *qmp.Conn) error { plugged = true; return AddVolume(ctx, q, bd, controller) },
		func(r *instdir.Record) {
			r.Spec.BlockDevices = append(r.Spec.BlockDevices, bd)
			r.SCSI = r.SCSI || plugged && controller
		})
}

// DetachVolume unplugs a volume, not the boot volume, and forgets it.
func (v *Devices) DetachVolume(ctx context.Context, uuid, volumeID string) error {
	at := func(r *instdir.Record) int { return r.VolumeAt(volumeID) }
	return v.plug(uuid, "detach volume "+volumeID, false, driver.NotFound("volume", volumeID), nil, at,
		func(r *instdir.Record) bool {
			return !(r.Spec.BlockDevices[at(r)].BootIndex == 0 && r.RootFormat == "")
		},
		func(q *qmp.Conn) error { return DelVolume(ctx, q, volumeID, 30*time.Second) },
		func(r *instdir.Record) { r.Spec.BlockDevices = slices.Delete(r.Spec.BlockDevices, at(r), at(r)+1) })
}

// ExtendVolume makes the guest see an attached volume at size bytes
// (see GrowVolume): with the running QEMU's monitor, or with qemu-img
// when none runs.
func (v *Devices) ExtendVolume(ctx context.Context, uuid, volumeID string, size int64) error {
	var bd driver.BlockDevice
	var boot, missing bool
	err := v.Host.Change(uuid, "extend volume "+volumeID, func(r *instdir.Record) bool {
		i := r.VolumeAt(volumeID)
		if missing = i < 0; !missing {
			bd, boot = r.Spec.BlockDevices[i], r.Spec.BlockDevices[i].BootIndex == 0 && r.RootFormat == ""
		}
		return !missing
	}, func(q *qmp.Conn) error { return GrowVolume(ctx, q, v.Tools, bd, boot, size) }, nil)
	if missing {
		return driver.NotFound("volume", volumeID)
	}
	return err
}

// nicStates are Nova's for NIC hot-plug (active, paused, stopped): not
// suspended, whose saved state holds the devices, nor rescued.
func nicStates(r *instdir.Record) bool {
	return !r.Rescued && slices.Contains([]driver.PowerState{driver.Running, driver.Paused, driver.Shutdown, driver.Crashed}, r.Power)
}

// AttachInterface plugs a NIC into the network agent's tap device nic.Tap
// and records it for the next boots.
func (v *Devices) AttachInterface(ctx context.Context, uuid string, nic driver.NIC) error {
	op := "attach port " + nic.PortID
	var invalid error
	if nic.PortID == "" || nic.MAC == "" {
		invalid = fmt.Errorf("qemu: port %q has no id or no MAC address", nic.PortID)
	}
	var n int // the record's NICs, counted under the lock
	return v.plug(uuid, op, true, driver.InvalidState(uuid, op, "already attached"), invalid,
		func(r *instdir.Record) int { return r.NICAt(nic.PortID) },
		func(r *instdir.Record) bool { n = len(r.Spec.NICs); return nicStates(r) },
		func(q *qmp.Conn) error { return AddNIC(ctx, q, instdir.Host{Machine: v.Machine}, nic, n) },
		func(r *instdir.Record) { r.Spec.NICs = append(r.Spec.NICs, nic) })
}

// DetachInterface unplugs a NIC and forgets it. The guest must release
// the device; one that does not within Unplug keeps it, and the record
// is left as it was.
func (v *Devices) DetachInterface(ctx context.Context, uuid, portID string) error {
	at := func(r *instdir.Record) int { return r.NICAt(portID) }
	var nic driver.NIC
	return v.plug(uuid, "detach port "+portID, false, driver.NotFound("port", portID), nil, at,
		func(r *instdir.Record) bool { nic = r.Spec.NICs[at(r)]; return nicStates(r) },
		func(q *qmp.Conn) error { return DelNIC(ctx, q, nic, cmp.Or(v.Unplug, 30*time.Second)) },
		func(r *instdir.Record) { r.Spec.NICs = slices.Delete(r.Spec.NICs, at(r), at(r)+1) })
}
