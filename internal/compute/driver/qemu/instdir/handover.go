package instdir

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Handover is what the driver passes from one migration step to the next
// in driver.Migration.Data. Source and destination share nothing but
// this and the network: the disks travel over NBD.
type Handover struct {
	Host string
	// Export is where the source serves the stopped source copy's files
	// (cold migration), for the destination to pull.
	Export *Export `json:",omitempty"`
	// Mirror is where the incoming guest's QEMU takes its writable disks
	// (live migration, from PrepareLiveMigration to LiveMigrate): the
	// NBD server's host:port and the export of each drive.
	Mirror     string            `json:",omitempty"`
	Drives     map[string]string `json:",omitempty"`
	RootFormat string            `json:",omitempty"`
	Power      driver.PowerState `json:",omitempty"`
	StartedAt  time.Time         `json:",omitzero"`
	// Console is the newest output of the guest's console log on the
	// source (live migration), which the destination's log goes on from.
	Console []byte `json:",omitempty"`
	// HotplugPorts is the incoming guest's Record.HotplugPorts (live
	// migration): the source refuses to send a guest whose machine has
	// another number of ports, which the destination's QEMU would not
	// take.
	HotplugPorts int `json:",omitempty"`
	// SCSI is the incoming guest's Record.SCSI: a source whose guest has
	// the controller without volumes unplugs it first.
	SCSI bool `json:",omitempty"`
}

// SameMachine refuses a live migration's destination (h) whose q35
// machine is laid out otherwise than the guest's (rec): the destination's
// QEMU would not take the migration stream. (A SCSI controller the guest
// has without volumes the source unplugs first.)
func (h Handover) SameMachine(rec Record, machine string) error {
	if h.HotplugPorts == 0 || !(Host{Machine: machine}).PCIe() {
		return nil
	}
	if rec.Legacy() {
		return fmt.Errorf("the guest was started by an older gostack, with another machine layout: reboot it first")
	}
	if h.HotplugPorts != rec.Ports() {
		return fmt.Errorf("the guest's machine has %d empty PCIe ports and the destination's %d: give both hosts the same --qemu-hotplug-ports, or reboot the guest first", rec.Ports(), h.HotplugPorts)
	}
	return nil
}

// ShedSCSI reports whether the guest (rec) must lose its SCSI controller
// before it goes to h: it has one without volumes (detached since its
// boot), and h, building the machine from the volumes, has none.
func (h Handover) ShedSCSI(rec Record) bool {
	return rec.SCSI && !h.SCSI && h.HotplugPorts != 0 && !rec.SCSIVolumes()
}

// Export is an NBD server that serves files of an instance directory,
// each read-only as its bytes.
type Export struct {
	Addr  string          // host:port
	Files map[string]File // by file name in the instance directory
	// Flat is the export of the root disk as the guest sees it, its
	// backing image folded in ("" when the root disk has none), for a
	// destination that does not hold the backing image.
	Flat string `json:",omitempty"`
}

// File is one file of an Export.
type File struct {
	Export string `json:",omitempty"` // "" for an empty file, which is not exported
	// Size is the file's length: NBD serves whole 512-byte sectors, so
	// the pulled copy is cut back to it.
	Size int64
}

// Encode is the hand-over as Migration.Data carries it.
func (h Handover) Encode() []byte {
	b, _ := json.Marshal(h) // strings, maps of strings, a time and bytes always encode
	return b
}

// DecodeHandover reads what Encode wrote.
func DecodeHandover(data []byte) (Handover, error) {
	var h Handover
	err := json.Unmarshal(data, &h)
	return h, err
}

// Drive ids of an instance's own writable disks, as Args names them.
const (
	RootDrive = "drive-root"
	EphDrive  = "drive-eph0"
	SwapDrive = "drive-swap"
)

// LocalDrives are the drives of rec that live in the instance directory
// and that the guest writes: a live migration copies them to the
// destination. The config drive is read-only and made on both sides;
// volumes are reached by both hosts.
func LocalDrives(rec Record) []string {
	var ids []string
	if rec.RootFormat != "" {
		ids = append(ids, RootDrive)
	}
	if rec.Spec.Flavor.EphemeralGB > 0 {
		ids = append(ids, EphDrive)
	}
	if rec.Spec.Flavor.SwapMB > 0 {
		ids = append(ids, SwapDrive)
	}
	return ids
}
