package qemu

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// op runs a state change of an existing instance: check its state under
// the lock, mark it busy, do the work unlocked, emit the work's event.
func (d *Driver) op(uuid, op string, allowed func(*instance) bool, work func(*instance) (driver.EventKind, error)) error {
	d.mu.Lock()
	if err := d.ready(); err != nil {
		d.mu.Unlock()
		return err
	}
	in, ok := d.insts[uuid]
	if !ok {
		d.mu.Unlock()
		return driver.NotFound("instance", uuid)
	}
	evs := d.refresh(in)
	if in.busy != "" || in.rec.Incoming || !allowed(in) {
		err := driver.InvalidState(uuid, op, in.state())
		d.mu.Unlock()
		d.emit(evs...)
		return err
	}
	in.busy = op
	d.mu.Unlock()
	d.emit(evs...)

	kind, err := work(in)

	d.mu.Lock()
	in.busy = ""
	d.mu.Unlock()
	if kind != 0 {
		d.emit(driver.Event{Kind: kind, Instance: uuid})
	}
	return err
}

func is(states ...driver.PowerState) func(*instance) bool {
	return func(in *instance) bool {
		return !in.rec.Rescued && slices.Contains(states, in.rec.Power)
	}
}

// set changes in's record under the lock and persists it.
func (d *Driver) set(in *instance, f func(r *record)) {
	d.mu.Lock()
	f(&in.rec)
	in.persist()
	d.mu.Unlock()
}

// boot starts in's QEMU and records it Running (booted now unless keepStart).
func (d *Driver) boot(ctx context.Context, in *instance, incoming string, keepStart bool) error {
	d.mu.Lock()
	extra := d.failNext
	d.failNext = nil
	d.mu.Unlock()
	p, err := d.launch(ctx, in, incoming, extra)
	if err != nil {
		return err
	}
	d.mu.Lock()
	in.proc = p
	in.rec.Power = driver.Running
	if !keepStart {
		in.rec.StartedAt = time.Now()
	}
	in.persist()
	d.mu.Unlock()
	return nil
}

// Spawn creates the instance's directory and disks and boots it. On
// failure the process and the directory are removed.
func (d *Driver) Spawn(ctx context.Context, spec driver.Spec) error {
	in, err := d.create(spec, "Spawn")
	if err != nil {
		return err
	}
	err = d.build(ctx, in, spec)
	if err == nil {
		err = d.boot(ctx, in, "", false)
	}
	if err != nil {
		d.discard(in)
		return err
	}
	d.mu.Lock()
	in.busy = ""
	d.mu.Unlock()
	d.emit(driver.Event{Kind: driver.EventStarted, Instance: spec.UUID})
	return nil
}

// create claims resources for a new instance and adds it, busy with op.
func (d *Driver) create(spec driver.Spec, op string) (*instance, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ready(); err != nil {
		return nil, err
	}
	if spec.UUID == "" || strings.ContainsAny(spec.UUID, "/\\") || spec.UUID == "." || spec.UUID == ".." {
		return nil, fmt.Errorf("qemu: %s: bad instance uuid %q", op, spec.UUID)
	}
	if _, ok := d.insts[spec.UUID]; ok {
		return nil, driver.Exists(spec.UUID)
	}
	dir := filepath.Join(d.stateDir, "instances", spec.UUID)
	if exists(dir) {
		return nil, driver.Exists(spec.UUID)
	}
	if err := d.claim(spec.Flavor); err != nil {
		return nil, err
	}
	kept := spec
	kept.AdminPassword, kept.ConfigDrive = "", nil
	in := &instance{rec: record{Spec: kept}, dir: dir, busy: op}
	d.insts[spec.UUID] = in
	return in, nil
}

// build makes in's directory, disks and record.
func (d *Driver) build(ctx context.Context, in *instance, spec driver.Spec) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Mkdir(in.dir, 0o700); err != nil {
		return err
	}
	d.mu.Lock()
	err := in.persist()
	d.mu.Unlock()
	if err != nil {
		return err
	}
	if err := d.makeDisks(ctx, in, spec); err != nil {
		return err
	}
	d.mu.Lock()
	err = in.persist()
	d.mu.Unlock()
	return err
}

// discard removes a half-created instance: its process, its directory,
// its claim.
func (d *Driver) discard(in *instance) {
	d.stop(in)
	killPID(readPID(in.dir), in.uuid())
	os.RemoveAll(in.dir)
	d.mu.Lock()
	if d.insts[in.uuid()] == in {
		delete(d.insts, in.uuid())
	}
	d.release(in.rec.Spec.Flavor)
	d.mu.Unlock()
}

// Destroy kills the instance's QEMU and removes its directory. A source
// copy kept by MigrateDisk is destroyed when no live instance remains.
func (d *Driver) Destroy(ctx context.Context, uuid string) error {
	d.mu.Lock()
	if err := d.ready(); err != nil {
		d.mu.Unlock()
		return err
	}
	m := d.insts
	in, ok := m[uuid]
	if !ok {
		m = d.migSrc
		in, ok = m[uuid]
	}
	switch {
	case !ok:
		d.mu.Unlock()
		return driver.NotFound("instance", uuid)
	case in.busy != "":
		d.mu.Unlock()
		return driver.InvalidState(uuid, "destroy", driver.Busy)
	}
	in.busy = "Destroy"
	d.mu.Unlock()

	d.stop(in)
	killPID(readPID(in.dir), uuid)
	err := os.RemoveAll(in.dir)

	d.mu.Lock()
	defer d.mu.Unlock()
	in.busy = ""
	if err != nil {
		return fmt.Errorf("qemu: destroying instance %s: %w", uuid, err)
	}
	delete(m, uuid)
	d.release(in.rec.Spec.Flavor)
	return nil
}

// PowerOff asks the guest to power off (ACPI) for up to timeout, then
// stops QEMU. A suspended guest's saved memory is discarded.
func (d *Driver) PowerOff(ctx context.Context, uuid string, timeout time.Duration) error {
	return d.op(uuid, "power off", is(driver.Running, driver.Paused, driver.Suspended, driver.Shutdown, driver.Crashed),
		func(in *instance) (driver.EventKind, error) {
			d.mu.Lock()
			was := in.rec.Power
			d.mu.Unlock()
			if was == driver.Running && timeout > 0 {
				if !d.powerdown(ctx, in, timeout) {
					d.stop(in)
				}
			} else {
				d.stop(in)
			}
			os.Remove(in.path(fileMemory))
			d.set(in, func(r *record) { r.Power, r.StartedAt = driver.Shutdown, time.Time{} })
			if was == driver.Shutdown {
				return 0, nil
			}
			return driver.EventStopped, nil
		})
}

// PowerOn starts QEMU again from the record.
func (d *Driver) PowerOn(ctx context.Context, uuid string) error {
	return d.op(uuid, "power on", is(driver.Running, driver.Shutdown, driver.Crashed),
		func(in *instance) (driver.EventKind, error) {
			d.mu.Lock()
			running := in.rec.Power == driver.Running && in.proc != nil
			d.mu.Unlock()
			if running {
				return 0, nil
			}
			if err := d.boot(ctx, in, "", false); err != nil {
				return 0, err
			}
			return driver.EventStarted, nil
		})
}

// Reboot: Soft powers the guest down (ACPI) and starts it again, stopping
// it hard after Options.ShutdownTimeout; Hard starts a new QEMU from any
// state.
func (d *Driver) Reboot(ctx context.Context, uuid string, kind driver.RebootKind) error {
	allowed := is(driver.Running)
	switch kind {
	case driver.Soft:
	case driver.Hard:
		allowed = is(driver.Running, driver.Paused, driver.Suspended, driver.Shutdown, driver.Crashed)
	default:
		return fmt.Errorf("qemu: unknown reboot kind %q", kind)
	}
	return d.op(uuid, "reboot", allowed, func(in *instance) (driver.EventKind, error) {
		if kind == driver.Soft {
			if !d.powerdown(ctx, in, d.opts.ShutdownTimeout) {
				d.stop(in)
			}
		} else {
			d.stop(in)
			os.Remove(in.path(fileMemory))
		}
		if err := d.boot(ctx, in, "", false); err != nil {
			d.set(in, func(r *record) { r.Power, r.StartedAt = driver.Shutdown, time.Time{} })
			return driver.EventStopped, err
		}
		return driver.EventStarted, nil
	})
}

// Pause stops the guest's CPUs (QMP stop).
func (d *Driver) Pause(ctx context.Context, uuid string) error {
	return d.op(uuid, "pause", is(driver.Running), func(in *instance) (driver.EventKind, error) {
		q, err := d.qmp(in)
		if err == nil {
			err = q.run(ctx, "stop", nil, nil)
		}
		if err != nil {
			return 0, err
		}
		d.set(in, func(r *record) { r.Power = driver.Paused })
		return driver.EventPaused, nil
	})
}

// Unpause restarts the guest's CPUs (QMP cont).
func (d *Driver) Unpause(ctx context.Context, uuid string) error {
	return d.op(uuid, "unpause", is(driver.Paused), func(in *instance) (driver.EventKind, error) {
		q, err := d.qmp(in)
		if err == nil {
			err = q.run(ctx, "cont", nil, nil)
		}
		if err != nil {
			return 0, err
		}
		d.set(in, func(r *record) { r.Power = driver.Running })
		return driver.EventResumed, nil
	})
}

// Suspend migrates the guest's state into the file memory.state (QMP
// migrate to "exec:cat > file": QEMU 7.2 has no file: URI) and stops QEMU.
func (d *Driver) Suspend(ctx context.Context, uuid string) error {
	return d.op(uuid, "suspend", is(driver.Running, driver.Paused), func(in *instance) (driver.EventKind, error) {
		q, err := d.qmp(in)
		if err != nil {
			return 0, err
		}
		state := in.path(fileMemory)
		if err := q.run(ctx, "migrate", map[string]any{"uri": "exec:cat > " + shellQuote(state)}, nil); err != nil {
			return 0, err
		}
		if err := d.waitMigration(ctx, in, q, "suspend"); err != nil {
			os.Remove(state)
			return 0, err
		}
		d.stop(in)
		d.set(in, func(r *record) { r.Power = driver.Suspended })
		return driver.EventSuspended, nil
	})
}

// Resume starts QEMU with -incoming from the saved state; the guest goes
// on where it was, its boot time kept.
func (d *Driver) Resume(ctx context.Context, uuid string) error {
	return d.op(uuid, "resume", is(driver.Suspended), func(in *instance) (driver.EventKind, error) {
		state := in.path(fileMemory)
		if err := d.boot(ctx, in, "exec:cat "+shellQuote(state), true); err != nil {
			return 0, err
		}
		q, err := d.qmp(in)
		if err == nil {
			err = d.waitRunning(ctx, q)
		}
		if err != nil {
			d.stop(in)
			d.set(in, func(r *record) { r.Power = driver.Suspended })
			return 0, err
		}
		os.Remove(state)
		return driver.EventResumed, nil
	})
}

// waitRunning waits for an incoming guest to run, continuing it when it
// arrives paused.
func (d *Driver) waitRunning(ctx context.Context, q *qmpConn) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := status(ctx, q)
		if err != nil {
			return err
		}
		switch st {
		case "running":
			return nil
		case "paused", "postmigrate", "prelaunch":
			return q.run(ctx, "cont", nil, nil)
		case "inmigrate", "finish-migrate", "restore-vm":
		default:
			return fmt.Errorf("qemu: guest is %s after loading its state", st)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("qemu: guest state not loaded after 2 minutes")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Rescue boots the rescue image (the instance's own image when the rescue
// spec names no file) with the instance's root disk as second disk.
func (d *Driver) Rescue(ctx context.Context, uuid string, rescue driver.RescueSpec) error {
	return d.op(uuid, "rescue", is(driver.Running, driver.Shutdown, driver.Crashed), func(in *instance) (driver.EventKind, error) {
		d.mu.Lock()
		img := rescue.Image
		if img.Path == "" {
			img = in.rec.Spec.Image
		}
		d.mu.Unlock()
		d.stop(in)
		if err := d.makeRoot(ctx, in.path(fileRescue), "qcow2", img, 0); err != nil {
			d.set(in, func(r *record) { r.Power, r.StartedAt = driver.Shutdown, time.Time{} })
			return driver.EventStopped, err
		}
		d.set(in, func(r *record) { r.Rescued, r.Rescue = true, img })
		if err := d.boot(ctx, in, "", false); err != nil {
			os.Remove(in.path(fileRescue))
			d.set(in, func(r *record) {
				r.Rescued, r.Rescue, r.Power, r.StartedAt = false, driver.Image{}, driver.Shutdown, time.Time{}
			})
			return driver.EventStopped, err
		}
		return driver.EventStarted, nil
	})
}

// Unrescue boots the instance from its own disk again.
func (d *Driver) Unrescue(ctx context.Context, uuid string) error {
	return d.op(uuid, "unrescue", func(in *instance) bool { return in.rec.Rescued }, func(in *instance) (driver.EventKind, error) {
		d.stop(in)
		os.Remove(in.path(fileRescue))
		d.set(in, func(r *record) { r.Rescued, r.Rescue = false, driver.Image{} })
		if err := d.boot(ctx, in, "", false); err != nil {
			d.set(in, func(r *record) { r.Power, r.StartedAt = driver.Shutdown, time.Time{} })
			return driver.EventStopped, err
		}
		return driver.EventStarted, nil
	})
}

// Rebuild recreates the root disk and the config drive from spec and boots.
func (d *Driver) Rebuild(ctx context.Context, spec driver.Spec) error {
	return d.op(spec.UUID, "rebuild", is(driver.Running, driver.Shutdown, driver.Crashed), func(in *instance) (driver.EventKind, error) {
		d.stop(in)
		d.mu.Lock()
		root, flavor := in.rec.RootFormat, in.rec.Spec.Flavor
		d.mu.Unlock()
		fail := func(err error) (driver.EventKind, error) {
			d.set(in, func(r *record) { r.Power, r.StartedAt = driver.Shutdown, time.Time{} })
			return driver.EventStopped, err
		}
		if root != "" {
			tmp := in.path(fileRoot + ".new")
			os.Remove(tmp)
			if err := d.makeRoot(ctx, tmp, root, spec.Image, flavor.RootGB); err != nil {
				os.Remove(tmp)
				return fail(err)
			}
			if err := os.Rename(tmp, in.path(fileRoot)); err != nil {
				return fail(err)
			}
		}
		d.mu.Lock()
		err := d.makeConfigDrive(ctx, in, spec.ConfigDrive)
		in.rec.Spec.Image = spec.Image
		in.rec.Spec.Metadata, in.rec.Spec.UserData, in.rec.Spec.KeyData = spec.Metadata, spec.UserData, spec.KeyData
		in.rec.Spec.Name, in.rec.Spec.Hostname = spec.Name, spec.Hostname
		in.persist()
		d.mu.Unlock()
		if err != nil {
			return fail(err)
		}
		os.Truncate(in.path(fileConsole), 0)
		if err := d.boot(ctx, in, "", false); err != nil {
			return fail(err)
		}
		return driver.EventStarted, nil
	})
}

// Snapshot writes the root disk, flattened, as a qcow2 file under dir. A
// running guest is paused while its disk is copied, so that the copy is
// consistent: QMP stop drains and flushes its I/O first.
func (d *Driver) Snapshot(ctx context.Context, uuid, dir string) (driver.SnapshotFile, error) {
	var snap driver.SnapshotFile
	err := d.op(uuid, "snapshot", is(driver.Running, driver.Paused, driver.Shutdown, driver.Crashed, driver.Suspended),
		func(in *instance) (driver.EventKind, error) {
			d.mu.Lock()
			root, running := in.rec.RootFormat, in.rec.Power == driver.Running && in.proc != nil
			var q *qmpConn
			if in.proc != nil {
				q = in.proc.qmp
			}
			d.mu.Unlock()
			if root == "" {
				return 0, fmt.Errorf("qemu: instance %s boots from a volume: snapshot the volume", uuid)
			}
			if running {
				if err := q.run(ctx, "stop", nil, nil); err != nil {
					return 0, err
				}
				defer q.run(context.WithoutCancel(ctx), "cont", nil, nil)
			}
			f, err := os.CreateTemp(dir, uuid+"-*.qcow2")
			if err != nil {
				return 0, err
			}
			f.Close()
			if _, err := d.qemuImg(ctx, "convert", "-U", "-f", root, "-O", "qcow2", in.path(fileRoot), f.Name()); err != nil {
				os.Remove(f.Name())
				return 0, err
			}
			fi, err := os.Stat(f.Name())
			if err != nil {
				return 0, err
			}
			snap = driver.SnapshotFile{Path: f.Name(), Format: "qcow2", Size: fi.Size()}
			return 0, nil
		})
	return snap, err
}

// AttachVolume plugs a volume into the virtio-scsi controller (its unplug
// needs no help from the guest) and records it for the next boots.
func (d *Driver) AttachVolume(ctx context.Context, uuid string, bd driver.BlockDevice) error {
	var dup bool
	err := d.op(uuid, "attach volume "+bd.VolumeID, func(in *instance) bool {
		dup = slices.ContainsFunc(in.rec.Spec.BlockDevices, func(b driver.BlockDevice) bool { return b.VolumeID == bd.VolumeID })
		return !dup && !in.rec.Rescued
	}, func(in *instance) (driver.EventKind, error) {
		if bd.Path == "" {
			return 0, fmt.Errorf("qemu: volume %s has no path", bd.VolumeID)
		}
		if bd.Format == "" {
			bd.Format = "raw"
		}
		bd.BootIndex = -1
		d.mu.Lock()
		var q *qmpConn
		if in.proc != nil {
			q = in.proc.qmp
		}
		d.mu.Unlock()
		if q != nil {
			id := devID("vol", bd.VolumeID)
			node := map[string]any{"driver": bd.Format, "node-name": id, "read-only": bd.ReadOnly,
				"file": map[string]any{"driver": "file", "filename": bd.Path}}
			if err := q.run(ctx, "blockdev-add", node, nil); err != nil {
				return 0, err
			}
			if err := q.run(ctx, "device_add", map[string]any{"driver": "scsi-hd", "bus": "scsi0.0", "drive": id, "id": id}, nil); err != nil {
				q.run(context.WithoutCancel(ctx), "blockdev-del", map[string]any{"node-name": id}, nil)
				return 0, err
			}
		}
		d.set(in, func(r *record) { r.Spec.BlockDevices = append(r.Spec.BlockDevices, bd) })
		return 0, nil
	})
	if dup {
		return driver.InvalidState(uuid, "attach volume "+bd.VolumeID, "already attached")
	}
	return err
}

// DetachVolume unplugs a volume and forgets it.
func (d *Driver) DetachVolume(ctx context.Context, uuid, volumeID string) error {
	var missing bool
	err := d.op(uuid, "detach volume "+volumeID, func(in *instance) bool {
		i := slices.IndexFunc(in.rec.Spec.BlockDevices, func(b driver.BlockDevice) bool { return b.VolumeID == volumeID })
		missing = i < 0
		return !missing && !(in.rec.Spec.BlockDevices[i].BootIndex == 0 && in.rec.RootFormat == "")
	}, func(in *instance) (driver.EventKind, error) {
		d.mu.Lock()
		var q *qmpConn
		if in.proc != nil {
			q = in.proc.qmp
		}
		d.mu.Unlock()
		if q != nil {
			id := devID("vol", volumeID)
			if err := unplug(ctx, q, id, 30*time.Second); err != nil {
				return 0, err
			}
			if err := q.run(ctx, "blockdev-del", map[string]any{"node-name": id}, nil); err != nil {
				return 0, err
			}
		}
		d.set(in, func(r *record) {
			r.Spec.BlockDevices = slices.DeleteFunc(r.Spec.BlockDevices, func(b driver.BlockDevice) bool { return b.VolumeID == volumeID })
		})
		return 0, nil
	})
	if missing {
		return driver.NotFound("volume", volumeID)
	}
	return err
}

// unplug removes device id and waits for QEMU's DEVICE_DELETED, after
// which its drive can be deleted.
func unplug(ctx context.Context, q *qmpConn, id string, timeout time.Duration) error {
	events, cancel := q.subscribe("DEVICE_DELETED")
	defer cancel()
	if err := q.run(ctx, "device_del", map[string]any{"id": id}, nil); err != nil {
		return err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case ev := <-events:
			var data struct {
				Device string `json:"device"`
			}
			json.Unmarshal(ev.Data, &data)
			if data.Device == id {
				return nil
			}
		case <-q.done:
			return errQMPClosed
		case <-t.C:
			return fmt.Errorf("qemu: device %s still present %v after device_del", id, timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// AttachInterface is not supported: PCI hot-unplug needs the guest's
// cooperation, so it cannot be offered reliably (see doc.go).
func (d *Driver) AttachInterface(ctx context.Context, uuid string, nic driver.NIC) error {
	return driver.Unsupported("qemu", "AttachInterface")
}

// DetachInterface is not supported; see AttachInterface.
func (d *Driver) DetachInterface(ctx context.Context, uuid, portID string) error {
	return driver.Unsupported("qemu", "DetachInterface")
}

// get returns a live instance; d.mu is held.
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

// ConsoleOutput returns the tail of console.log, where QEMU writes the
// guest's first serial port.
func (d *Driver) ConsoleOutput(ctx context.Context, uuid string, maxBytes int) ([]byte, error) {
	d.mu.Lock()
	in, err := d.get(uuid)
	d.mu.Unlock()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(in.path(fileConsole))
	if os.IsNotExist(err) {
		return []byte{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	off := int64(0)
	if maxBytes > 0 && fi.Size() > int64(maxBytes) {
		off = fi.Size() - int64(maxBytes)
	}
	buf := make([]byte, fi.Size()-off)
	n, err := f.ReadAt(buf, off)
	if err != nil && n < len(buf) {
		return nil, err
	}
	return buf[:n], nil
}

// VNCConsole asks QEMU where its VNC server listens (QEMU picks a free
// port from 5900 up).
func (d *Driver) VNCConsole(ctx context.Context, uuid string) (driver.VNCConsole, error) {
	d.mu.Lock()
	in, err := d.get(uuid)
	var q *qmpConn
	if err == nil {
		d.refresh(in)
		if in.proc == nil || (in.rec.Power != driver.Running && in.rec.Power != driver.Paused) {
			err = driver.InvalidState(uuid, "open a VNC console on", in.state())
		} else {
			q = in.proc.qmp
		}
	}
	d.mu.Unlock()
	if err != nil {
		return driver.VNCConsole{}, err
	}
	var vnc struct {
		Enabled bool   `json:"enabled"`
		Host    string `json:"host"`
		Service string `json:"service"`
	}
	if err := q.run(ctx, "query-vnc", nil, &vnc); err != nil {
		return driver.VNCConsole{}, err
	}
	port, err := strconv.Atoi(vnc.Service)
	if err != nil || !vnc.Enabled {
		return driver.VNCConsole{}, fmt.Errorf("qemu: instance %s has no VNC server (%+v)", uuid, vnc)
	}
	return driver.VNCConsole{Host: vnc.Host, Port: port}, nil
}
