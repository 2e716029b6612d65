package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

func newInstance(spec driver.Spec) *instance {
	in := &instance{
		UUID: spec.UUID, Name: spec.Name, Hostname: spec.Hostname, Flavor: spec.Flavor,
		ImageID: spec.Image.ID, ImagePath: spec.Image.Path, ImageFmt: spec.Image.Format,
		ConfigDrv: spec.ConfigDrive != nil,
	}
	if in.Hostname == "" {
		in.Hostname = spec.UUID
	}
	for _, bd := range spec.BlockDevices {
		in.Volumes = append(in.Volumes, bd.VolumeID)
	}
	for _, n := range spec.NICs {
		in.Ports = append(in.Ports, n.PortID)
		in.MACs = append(in.MACs, n.MAC)
	}
	return in
}

// create claims resources for a new instance and adds it, busy with op.
func (d *Driver) create(spec driver.Spec, op string) (*instance, error) {
	if err := d.ready(); err != nil {
		return nil, err
	}
	if spec.UUID == "" {
		return nil, fmt.Errorf("fake: %s: spec has no uuid", op)
	}
	if _, ok := d.insts[spec.UUID]; ok {
		return nil, driver.Exists(spec.UUID)
	}
	if err := d.claim(spec.Flavor); err != nil {
		return nil, err
	}
	in := newInstance(spec)
	in.busy = op
	d.nextVNC++
	in.VNCPort = 5900 + d.nextVNC
	if d.insts == nil {
		d.insts = make(map[string]*instance)
	}
	d.insts[spec.UUID] = in
	return in, nil
}

// finishCreate ends a create: on err the instance is removed and its
// resources released, as if nothing had happened.
func (d *Driver) finishCreate(in *instance, op string, err error, commit func()) error {
	d.mu.Lock()
	in.busy = ""
	if err == nil {
		err = d.fault(op)
	}
	if err != nil {
		delete(d.insts, in.UUID)
		d.release(in.Flavor)
		d.mu.Unlock()
		return err
	}
	commit()
	d.persist()
	d.mu.Unlock()
	return nil
}

func (d *Driver) Spawn(ctx context.Context, spec driver.Spec) error {
	d.mu.Lock()
	in, err := d.create(spec, "Spawn")
	d.mu.Unlock()
	if err != nil {
		return err
	}
	err = d.wait(ctx, spec.UUID, "spawn", 4)
	err = d.finishCreate(in, "Spawn", err, func() { in.boot("image " + spec.Image.ID) })
	if err == nil {
		d.emit(driver.Event{Kind: driver.EventStarted, Instance: spec.UUID})
	}
	return err
}

func (d *Driver) Destroy(ctx context.Context, uuid string) error {
	d.mu.Lock()
	if err := d.ready(); err != nil {
		d.mu.Unlock()
		return err
	}
	var in *instance
	if i, ok := d.insts[uuid]; ok {
		in = i
	} else if i, ok := d.migSrc[uuid]; ok {
		in = i
	}
	switch {
	case in == nil:
		d.mu.Unlock()
		return driver.NotFound("instance", uuid)
	case in.busy != "":
		d.mu.Unlock()
		return driver.InvalidState(uuid, "destroy", driver.Busy)
	}
	in.busy = "Destroy"
	d.mu.Unlock()
	err := d.wait(ctx, uuid, "destroy", 1)
	d.mu.Lock()
	defer d.mu.Unlock()
	in.busy = ""
	if err == nil {
		err = d.fault("Destroy")
	}
	if err != nil {
		return err
	}
	if d.insts[uuid] == in {
		delete(d.insts, uuid)
	} else {
		delete(d.migSrc, uuid)
	}
	d.release(in.Flavor)
	d.persist()
	return nil
}

func (d *Driver) PowerOff(ctx context.Context, uuid string, timeout time.Duration) error {
	steps := 2
	if timeout == 0 {
		steps = 1
	}
	return d.op(ctx, uuid, "PowerOff", steps,
		is(driver.Running, driver.Paused, driver.Suspended, driver.Shutdown, driver.Crashed),
		func(in *instance) driver.EventKind {
			if in.Power == driver.Shutdown {
				return 0
			}
			in.stop()
			return driver.EventStopped
		})
}

func (d *Driver) PowerOn(ctx context.Context, uuid string) error {
	return d.op(ctx, uuid, "PowerOn", 2, is(driver.Running, driver.Shutdown, driver.Crashed),
		func(in *instance) driver.EventKind {
			if in.Power == driver.Running {
				return 0
			}
			in.boot("image " + in.ImageID)
			return driver.EventStarted
		})
}

func (d *Driver) Reboot(ctx context.Context, uuid string, kind driver.RebootKind) error {
	allowed := is(driver.Running)
	switch kind {
	case driver.Soft:
	case driver.Hard:
		allowed = is(driver.Running, driver.Paused, driver.Suspended, driver.Shutdown, driver.Crashed)
	default:
		return fmt.Errorf("fake: unknown reboot kind %q", kind)
	}
	return d.op(ctx, uuid, "Reboot", 3, allowed, func(in *instance) driver.EventKind {
		in.log("fake: reboot: Restarting system")
		in.boot("image " + in.ImageID)
		return driver.EventStarted
	})
}

func (d *Driver) Pause(ctx context.Context, uuid string) error {
	return d.op(ctx, uuid, "Pause", 1, is(driver.Running), func(in *instance) driver.EventKind {
		in.Power = driver.Paused
		return driver.EventPaused
	})
}

func (d *Driver) Unpause(ctx context.Context, uuid string) error {
	return d.op(ctx, uuid, "Unpause", 1, is(driver.Paused), func(in *instance) driver.EventKind {
		in.Power = driver.Running
		return driver.EventResumed
	})
}

func (d *Driver) Suspend(ctx context.Context, uuid string) error {
	return d.op(ctx, uuid, "Suspend", 3, is(driver.Running, driver.Paused), func(in *instance) driver.EventKind {
		in.Power = driver.Suspended
		return driver.EventSuspended
	})
}

func (d *Driver) Resume(ctx context.Context, uuid string) error {
	return d.op(ctx, uuid, "Resume", 3, is(driver.Suspended), func(in *instance) driver.EventKind {
		in.Power = driver.Running // the guest's uptime goes on: StartedAt is kept
		return driver.EventResumed
	})
}

func (d *Driver) Rescue(ctx context.Context, uuid string, rescue driver.RescueSpec) error {
	return d.op(ctx, uuid, "Rescue", 3, is(driver.Running, driver.Shutdown, driver.Crashed), func(in *instance) driver.EventKind {
		in.Rescued = true
		in.boot("rescue image " + rescue.Image.ID)
		return driver.EventStarted
	})
}

func (d *Driver) Unrescue(ctx context.Context, uuid string) error {
	return d.op(ctx, uuid, "Unrescue", 3, func(in *instance) bool { return in.Rescued }, func(in *instance) driver.EventKind {
		in.Rescued = false
		in.boot("image " + in.ImageID)
		return driver.EventStarted
	})
}

func (d *Driver) Rebuild(ctx context.Context, spec driver.Spec) error {
	return d.op(ctx, spec.UUID, "Rebuild", 4, is(driver.Running, driver.Shutdown, driver.Crashed), func(in *instance) driver.EventKind {
		in.ImageID, in.ImagePath, in.ImageFmt = spec.Image.ID, spec.Image.Path, spec.Image.Format
		in.ConfigDrv = spec.ConfigDrive != nil
		in.Console = nil
		in.boot("rebuilt image " + spec.Image.ID)
		return driver.EventStarted
	})
}

// Snapshot writes a copy of the instance's image file (or, when the image
// is not on this host, a small raw file) under dir.
func (d *Driver) Snapshot(ctx context.Context, uuid, dir string) (driver.SnapshotFile, error) {
	var src, format string
	err := d.op(ctx, uuid, "Snapshot", 4, is(driver.Running, driver.Paused, driver.Shutdown, driver.Crashed, driver.Suspended),
		func(in *instance) driver.EventKind {
			src, format = in.ImagePath, in.ImageFmt
			return 0
		})
	if err != nil {
		return driver.SnapshotFile{}, err
	}
	data, rerr := os.ReadFile(src)
	if src == "" || rerr != nil || format == "" {
		data, format = make([]byte, 1<<20), "raw"
	}
	f, err := os.CreateTemp(dir, uuid+"-*.snapshot")
	if err != nil {
		return driver.SnapshotFile{}, err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return driver.SnapshotFile{}, err
	}
	return driver.SnapshotFile{Path: f.Name(), Format: format, Size: int64(len(data))}, nil
}

func (d *Driver) AttachVolume(ctx context.Context, uuid string, bd driver.BlockDevice) error {
	var dup bool
	err := d.op(ctx, uuid, "AttachVolume", 1, func(in *instance) bool {
		dup = slices.Contains(in.Volumes, bd.VolumeID)
		return !dup
	}, func(in *instance) driver.EventKind {
		in.Volumes = append(in.Volumes, bd.VolumeID)
		return 0
	})
	if dup {
		return driver.InvalidState(uuid, "attach volume "+bd.VolumeID, "already attached")
	}
	return err
}

func (d *Driver) DetachVolume(ctx context.Context, uuid, volumeID string) error {
	var missing bool
	err := d.op(ctx, uuid, "DetachVolume", 1, func(in *instance) bool {
		missing = !slices.Contains(in.Volumes, volumeID)
		return !missing
	}, func(in *instance) driver.EventKind {
		in.Volumes = slices.DeleteFunc(in.Volumes, func(v string) bool { return v == volumeID })
		delete(in.VolumeSizes, volumeID)
		return 0
	})
	if missing {
		return driver.NotFound("volume", volumeID)
	}
	return err
}

// ExtendVolume records the volume's new size (VolumeSize reads it).
func (d *Driver) ExtendVolume(ctx context.Context, uuid, volumeID string, size int64) error {
	var missing, shrink bool
	err := d.op(ctx, uuid, "ExtendVolume", 1, func(in *instance) bool {
		missing = !slices.Contains(in.Volumes, volumeID)
		shrink = !missing && size < in.VolumeSizes[volumeID]
		return !missing && !shrink
	}, func(in *instance) driver.EventKind {
		if in.VolumeSizes == nil {
			in.VolumeSizes = map[string]int64{}
		}
		in.VolumeSizes[volumeID] = size
		return 0
	})
	switch {
	case missing:
		return driver.NotFound("volume", volumeID)
	case shrink:
		return fmt.Errorf("fake: will not shrink volume %s to %d bytes", volumeID, size)
	}
	return err
}

// VolumeSize is the size ExtendVolume last gave an attached volume of
// the instance (0 when none did).
func (d *Driver) VolumeSize(uuid, volumeID string) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if in, ok := d.insts[uuid]; ok {
		return in.VolumeSizes[volumeID]
	}
	return 0
}

func (d *Driver) AttachInterface(ctx context.Context, uuid string, nic driver.NIC) error {
	var dup bool
	err := d.op(ctx, uuid, "AttachInterface", 1, func(in *instance) bool {
		dup = slices.Contains(in.Ports, nic.PortID)
		return !dup
	}, func(in *instance) driver.EventKind {
		in.Ports = append(in.Ports, nic.PortID)
		in.MACs = append(in.MACs, nic.MAC)
		return 0
	})
	if dup {
		return driver.InvalidState(uuid, "attach port "+nic.PortID, "already attached")
	}
	return err
}

func (d *Driver) DetachInterface(ctx context.Context, uuid, portID string) error {
	var missing bool
	err := d.op(ctx, uuid, "DetachInterface", 1, func(in *instance) bool {
		missing = !slices.Contains(in.Ports, portID)
		return !missing
	}, func(in *instance) driver.EventKind {
		if i := slices.Index(in.Ports, portID); i >= 0 {
			in.Ports = slices.Delete(in.Ports, i, i+1)
			if i < len(in.MACs) {
				in.MACs = slices.Delete(in.MACs, i, i+1)
			}
		}
		return 0
	})
	if missing {
		return driver.NotFound("port", portID)
	}
	return err
}

func (d *Driver) ConsoleOutput(ctx context.Context, uuid string, maxBytes int) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	in, err := d.get(uuid)
	if err != nil {
		return nil, err
	}
	out := in.Console
	if maxBytes > 0 && len(out) > maxBytes {
		out = out[len(out)-maxBytes:]
	}
	return append([]byte(nil), out...), nil
}

func (d *Driver) VNCConsole(ctx context.Context, uuid string) (driver.VNCConsole, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	in, err := d.get(uuid)
	if err != nil {
		return driver.VNCConsole{}, err
	}
	if in.Power != driver.Running && in.Power != driver.Paused {
		return driver.VNCConsole{}, driver.InvalidState(uuid, "open a VNC console on", in.state())
	}
	return driver.VNCConsole{Host: "127.0.0.1", Port: in.VNCPort}, nil
}

func (d *Driver) Diagnostics(ctx context.Context, uuid string) (driver.Diagnostics, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	in, err := d.get(uuid)
	if err != nil {
		return driver.Diagnostics{}, err
	}
	dg := driver.Diagnostics{
		State: in.Power, Driver: "fake", Hypervisor: "fake", HypervisorOS: "fake",
		ConfigDrive: in.ConfigDrv, NumCPUs: in.Flavor.VCPUs, NumNICs: len(in.MACs),
		NumDisks: 1 + len(in.Volumes), MemoryMaxMB: in.Flavor.MemoryMB, MemoryUsedMB: in.Flavor.MemoryMB / 2,
		CPUTimeNS: make([]int64, in.Flavor.VCPUs),
	}
	if !in.StartedAt.IsZero() {
		dg.Uptime = time.Since(in.StartedAt)
	}
	for _, m := range in.MACs {
		dg.NICs = append(dg.NICs, driver.NICDiagnostics{MAC: m})
	}
	dg.Disks = make([]driver.DiskDiagnostics, dg.NumDisks)
	return dg, nil
}

// get returns a live, settled instance; d.mu is held.
func (d *Driver) get(uuid string) (*instance, error) {
	if err := d.ready(); err != nil {
		return nil, err
	}
	in, ok := d.insts[uuid]
	if !ok {
		return nil, driver.NotFound("instance", uuid)
	}
	return in, nil
}

// persist writes the state file; d.mu is held. Instances whose Spawn has
// not finished are left out: after a restart they never existed, as a
// real host would have no guest for them.
func (d *Driver) persist() {
	if d.stateFile == "" {
		return
	}
	var st state
	for _, in := range d.insts {
		if in.Power != driver.NoState {
			st.Instances = append(st.Instances, in)
		}
	}
	for _, in := range d.migSrc {
		st.Migrating = append(st.Migrating, in)
	}
	data, err := json.Marshal(st)
	if err != nil {
		return
	}
	tmp := d.stateFile + ".tmp"
	if err := os.MkdirAll(filepath.Dir(tmp), 0o700); err != nil {
		return
	}
	if err := os.WriteFile(tmp, data, 0o600); err == nil {
		os.Rename(tmp, d.stateFile)
	}
}

type state struct {
	Instances []*instance
	Migrating []*instance
}

func (d *Driver) load() error {
	data, err := os.ReadFile(d.stateFile)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("fake: state file %s: %w", d.stateFile, err)
	}
	d.insts = make(map[string]*instance, len(st.Instances))
	d.migSrc = make(map[string]*instance, len(st.Migrating))
	for _, in := range st.Instances {
		d.insts[in.UUID] = in
		d.used.Add(in.Flavor)
		d.nextVNC = max(d.nextVNC, in.VNCPort-5900)
	}
	for _, in := range st.Migrating {
		d.migSrc[in.UUID] = in
		d.used.Add(in.Flavor)
	}
	return nil
}
