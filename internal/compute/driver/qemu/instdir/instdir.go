// Package instdir is the layout of a QEMU instance's directory,
// StateDir/instances/<uuid>/ (StateDir/migrating/<uuid>/ for the source
// copy of a cold migration): the names of its files, the Record kept in
// spec.json, and the QEMU command line built from the two (Args). The
// record holds enough to build that command line again, which is how an
// instance survives an agent restart or a power-off; Scan finds the
// directories again at start. The console log, the guest's first serial
// port, is read and kept under its size cap here too (Console,
// TrimConsole).
package instdir

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/proc"
)

// Files of an instance directory.
const (
	RecordFile = "spec.json"
	RootDisk   = "disk"        // qcow2 overlay on the cached image, or a raw copy
	EphDisk    = "disk.eph0"   // ephemeral disk, qcow2
	SwapDisk   = "disk.swap"   // swap, raw and mkswap'd
	ConfigISO  = "disk.config" // config drive, ISO 9660 labelled config-2
	RescueDisk = "disk.rescue" // the rescue overlay while rescued
	QMPSocket  = "qmp.sock"    // the monitor
	PIDFile    = "qemu.pid"
	ConsoleLog = "console.log"   // serial port 0, which QEMU appends to
	ConsoleOld = "console.log.1" // what TrimConsole kept of it, where it cannot cut the file
	Memory     = "memory.state"  // the saved guest while suspended
)

// Record is an instance's persisted state.
type Record struct {
	Spec       driver.Spec // AdminPassword and ConfigDrive are not kept
	RootFormat string      // qcow2, raw, or "" when booting from a volume
	Power      driver.PowerState
	Rescued    bool
	Rescue     driver.Image `json:",omitzero"`
	Migrating  bool         // the source copy of a cold migration
	Incoming   bool         // an incoming live migration
	StartedAt  time.Time
	HasConfig  bool
	// HotplugPorts is how many empty PCIe root ports the guest's machine
	// was launched with (q35): a resumed suspend and a live migration's
	// destination must build the same machine. 0 in a record written
	// before it was kept, whose guests have LegacyHotplugPorts.
	HotplugPorts int `json:",omitzero"`
	// SCSI says the q35 machine has the virtio-scsi controller that
	// volumes other than a boot volume go on: a guest launched without
	// such volumes gets it, on a root port of its own, when the first is
	// plugged, and sheds it at its next boot. The controller costs a
	// guest's boot about 0.3 s under TCG, most guests never have one.
	SCSI bool `json:",omitzero"`
}

// Ports is how many empty PCIe root ports the record's machine has.
func (r *Record) Ports() int { return cmp.Or(r.HotplugPorts, LegacyHotplugPorts) }

// Legacy reports whether the record's guest was launched before its
// machine's layout was kept in the record (no HotplugPorts): eight spare
// ports, and the SCSI controller on the root bus, always.
func (r *Record) Legacy() bool { return r.HotplugPorts == 0 }

// SCSIVolumes reports whether the record has volumes on the SCSI
// controller: every volume but a boot volume the guest boots from.
func (r *Record) SCSIVolumes() bool {
	return slices.ContainsFunc(r.Spec.BlockDevices, func(b driver.BlockDevice) bool { return !(b.BootIndex == 0 && r.RootFormat == "") })
}

// Stopped records that no QEMU runs the guest any more: it is shut
// down, with no boot time.
func (r *Record) Stopped() { r.Power, r.StartedAt = driver.Shutdown, time.Time{} }

// VolumeAt is the index of volume id in the record's block devices, -1
// when it has none.
func (r *Record) VolumeAt(id string) int {
	return slices.IndexFunc(r.Spec.BlockDevices, func(b driver.BlockDevice) bool { return b.VolumeID == id })
}

// NICAt is the index of port id in the record's NICs, -1 when it has none.
func (r *Record) NICAt(id string) int {
	return slices.IndexFunc(r.Spec.NICs, func(n driver.NIC) bool { return n.PortID == id })
}

// Load reads the record of the instance directory dir.
func Load(dir string) (Record, error) {
	var rec Record
	data, err := os.ReadFile(filepath.Join(dir, RecordFile))
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return rec, fmt.Errorf("qemu: %s: %w", filepath.Join(dir, RecordFile), err)
	}
	return rec, nil
}

// Save writes rec into dir atomically (a new file renamed into place),
// so that a crash leaves the old record or the new one, never half.
func Save(dir string, rec Record) error {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, RecordFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, RecordFile))
}

// Scan reads the records of the instance directories under root, by
// directory. The directories of spawns that never finished (no record
// yet, or one with no power state that is no incoming migration) are
// removed, their QEMU killed.
func Scan(root string) (map[string]Record, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	out := map[string]Record{}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		rec, err := Load(dir)
		if errors.Is(err, os.ErrNotExist) || (err == nil && rec.Power == driver.NoState && !rec.Incoming) {
			proc.Kill(proc.ReadPID(filepath.Join(dir, PIDFile)), e.Name())
			os.RemoveAll(dir)
			continue
		}
		if err != nil {
			return nil, err
		}
		out[dir] = rec
	}
	return out, nil
}
