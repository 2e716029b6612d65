package qemu

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/nbd"
	"github.com/gostack/gostack/internal/compute/driver/qemu/proc"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
	"github.com/gostack/gostack/internal/compute/driver/qemu/vm"
)

// op runs a state change of an existing instance: check its state under
// the lock, mark it busy, do the work unlocked, emit the work's event.
func (d *Driver) op(uuid, op string, allowed func(*instance) bool, work func(*instance) (driver.EventKind, error)) error {
	d.mu.Lock()
	in, err := d.get(uuid)
	if err != nil {
		d.mu.Unlock()
		return err
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

// is allows an operation in the given power states, never while rescued.
func is(states ...driver.PowerState) func(*instance) bool {
	return func(in *instance) bool {
		return !in.rec.Rescued && slices.Contains(states, in.rec.Power)
	}
}

// set changes in's record under the lock and persists it.
func (d *Driver) set(in *instance, f func(r *instdir.Record)) {
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

// restart boots in again after an operation stopped it.
func (d *Driver) restart(ctx context.Context, in *instance) (driver.EventKind, error) {
	if err := d.boot(ctx, in, "", false); err != nil {
		return d.stopped(in, err)
	}
	return driver.EventStarted, nil
}

// stopped ends an operation that err left with in's guest powered off:
// the record says so, and EventStopped tells the agent.
func (d *Driver) stopped(in *instance, err error) (driver.EventKind, error) {
	d.set(in, (*instdir.Record).Stopped)
	return driver.EventStopped, err
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
	if err := d.inv.Claim(spec.Flavor); err != nil {
		return nil, err
	}
	kept := spec
	kept.AdminPassword, kept.ConfigDrive = "", nil
	in := &instance{rec: instdir.Record{Spec: kept}, dir: dir, busy: op}
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
	proc.Kill(vm.PID(in.dir), in.uuid())
	os.RemoveAll(in.dir)
	d.mu.Lock()
	if d.insts[in.uuid()] == in {
		delete(d.insts, in.uuid())
	}
	d.inv.Release(in.rec.Spec.Flavor)
	d.mu.Unlock()
}

// Destroy kills the instance's QEMU and removes its directory. A source
// copy kept by MigrateDisk is destroyed when no live instance remains.
func (d *Driver) Destroy(ctx context.Context, uuid string) error {
	d.mu.Lock()
	in, m, err := d.find(uuid)
	if err == nil && in.busy != "" {
		err = driver.InvalidState(uuid, "destroy", driver.Busy)
	}
	if err != nil {
		d.mu.Unlock()
		return err
	}
	in.busy = "Destroy"
	d.mu.Unlock()
	if err := d.remove(in, m); err != nil {
		return fmt.Errorf("qemu: destroying instance %s: %w", uuid, err)
	}
	return nil
}

// remove kills in's QEMU and removes its directory, then drops in from m
// and releases its resources. in is busy; on failure it stays in m, no
// longer busy.
func (d *Driver) remove(in *instance, m map[string]*instance) error {
	d.stop(in)
	proc.Kill(vm.PID(in.dir), in.uuid())
	nbd.Stop(in.dir, in.uuid()) // a cold migration's source copy may be served
	err := os.RemoveAll(in.dir)
	d.mu.Lock()
	defer d.mu.Unlock()
	in.busy = ""
	if err != nil {
		return err
	}
	delete(m, in.uuid())
	d.inv.Release(in.rec.Spec.Flavor)
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
				d.shutdown(ctx, in, timeout)
			} else {
				d.stop(in)
			}
			os.Remove(in.path(instdir.Memory))
			d.set(in, (*instdir.Record).Stopped)
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
			d.shutdown(ctx, in, d.opts.ShutdownTimeout)
		} else {
			d.stop(in)
			os.Remove(in.path(instdir.Memory))
		}
		return d.restart(ctx, in)
	})
}

// Pause stops the guest's CPUs (QMP stop).
func (d *Driver) Pause(ctx context.Context, uuid string) error {
	return d.cpus(ctx, uuid, "pause", "stop", driver.Running, driver.Paused, driver.EventPaused)
}

// Unpause restarts the guest's CPUs (QMP cont).
func (d *Driver) Unpause(ctx context.Context, uuid string) error {
	return d.cpus(ctx, uuid, "unpause", "cont", driver.Paused, driver.Running, driver.EventResumed)
}

// cpus runs the QMP command that stops or continues the guest's CPUs,
// taking it from power state from to to.
func (d *Driver) cpus(ctx context.Context, uuid, op, cmd string, from, to driver.PowerState, kind driver.EventKind) error {
	return d.op(uuid, op, is(from), func(in *instance) (driver.EventKind, error) {
		q, err := d.qmp(in)
		if err == nil {
			err = q.Run(ctx, cmd, nil, nil)
		}
		if err != nil {
			return 0, err
		}
		d.set(in, func(r *instdir.Record) { r.Power = to })
		return kind, nil
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
		state := in.path(instdir.Memory)
		if err := q.Run(ctx, "migrate", map[string]any{"uri": qmp.StateURI(state, true)}, nil); err != nil {
			return 0, err
		}
		if err := d.waitMigration(ctx, in, q, "suspend"); err != nil {
			os.Remove(state)
			return 0, err
		}
		d.stop(in)
		d.set(in, func(r *instdir.Record) { r.Power = driver.Suspended })
		return driver.EventSuspended, nil
	})
}

// Resume starts QEMU with -incoming from the saved state; the guest goes
// on where it was, its boot time kept.
func (d *Driver) Resume(ctx context.Context, uuid string) error {
	return d.op(uuid, "resume", is(driver.Suspended), func(in *instance) (driver.EventKind, error) {
		state := in.path(instdir.Memory)
		if err := d.boot(ctx, in, qmp.StateURI(state, false), true); err != nil {
			return 0, err
		}
		q, err := d.qmp(in)
		if err == nil {
			err = q.WaitRunning(ctx)
		}
		if err != nil {
			d.stop(in)
			d.set(in, func(r *instdir.Record) { r.Power = driver.Suspended })
			return 0, err
		}
		os.Remove(state)
		return driver.EventResumed, nil
	})
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
		if err := d.tools.Root(ctx, in.path(instdir.RescueDisk), "qcow2", img, 0); err != nil {
			return d.stopped(in, err)
		}
		d.set(in, func(r *instdir.Record) { r.Rescued, r.Rescue = true, img })
		if err := d.boot(ctx, in, "", false); err != nil {
			os.Remove(in.path(instdir.RescueDisk))
			d.set(in, func(r *instdir.Record) { r.Rescued, r.Rescue = false, driver.Image{} })
			return d.stopped(in, err)
		}
		return driver.EventStarted, nil
	})
}

// Unrescue boots the instance from its own disk again.
func (d *Driver) Unrescue(ctx context.Context, uuid string) error {
	return d.op(uuid, "unrescue", func(in *instance) bool { return in.rec.Rescued }, func(in *instance) (driver.EventKind, error) {
		d.stop(in)
		os.Remove(in.path(instdir.RescueDisk))
		d.set(in, func(r *instdir.Record) { r.Rescued, r.Rescue = false, driver.Image{} })
		return d.restart(ctx, in)
	})
}

// Rebuild recreates the root disk and the config drive from spec and boots.
func (d *Driver) Rebuild(ctx context.Context, spec driver.Spec) error {
	return d.op(spec.UUID, "rebuild", is(driver.Running, driver.Shutdown, driver.Crashed), func(in *instance) (driver.EventKind, error) {
		d.stop(in)
		d.mu.Lock()
		root, flavor := in.rec.RootFormat, in.rec.Spec.Flavor
		d.mu.Unlock()
		if root != "" {
			tmp := in.path(instdir.RootDisk + ".new")
			os.Remove(tmp)
			if err := d.tools.Root(ctx, tmp, root, spec.Image, flavor.RootGB); err != nil {
				os.Remove(tmp)
				return d.stopped(in, err)
			}
			if err := os.Rename(tmp, in.path(instdir.RootDisk)); err != nil {
				return d.stopped(in, err)
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
			return d.stopped(in, err)
		}
		instdir.ClearConsole(in.dir)
		return d.restart(ctx, in)
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
			var q *qmp.Conn
			if running {
				q = in.proc.QMP
			}
			d.mu.Unlock()
			if root == "" {
				return 0, fmt.Errorf("qemu: instance %s boots from a volume: snapshot the volume", uuid)
			}
			if running {
				if err := q.Run(ctx, "stop", nil, nil); err != nil {
					return 0, err
				}
				defer q.Run(context.WithoutCancel(ctx), "cont", nil, nil)
			}
			var err error
			snap, err = d.tools.Snapshot(ctx, in.path(instdir.RootDisk), root, dir, uuid)
			return 0, err
		})
	return snap, err
}

// plugger runs the device operations of hotplug.Devices as the
// driver's own operations.
type plugger struct{ d *Driver }

func (p plugger) Change(uuid, op string, allowed func(*instdir.Record) bool, work func(*qmp.Conn) error, record func(*instdir.Record)) error {
	return p.d.op(uuid, op, func(in *instance) bool { return allowed(&in.rec) }, func(in *instance) (driver.EventKind, error) {
		q, _ := p.d.qmp(in) // nil when no QEMU runs
		if err := work(q); err != nil {
			return 0, err
		}
		if record != nil {
			p.d.set(in, record)
		}
		return 0, nil
	})
}
