package qemu

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
)

// waitMigration waits for the outgoing migration of in to complete,
// reporting its progress as op; a canceled ctx cancels it.
func (d *Driver) waitMigration(ctx context.Context, in *instance, q *qmp.Conn, op string) error {
	return q.WaitMigration(ctx, op+" of instance "+in.uuid(), func(pct int) {
		d.emit(driver.Event{Kind: driver.EventProgress, Instance: in.uuid(), Op: op, Percent: pct})
	})
}

// MigrateDisk powers the instance off (ACPI first, for up to
// Options.ShutdownTimeout) and moves its directory to StateDir/migrating,
// where it waits for ConfirmMigration or RevertMigration.
func (d *Driver) MigrateDisk(ctx context.Context, m *driver.Migration) error {
	uuid := m.Instance
	return d.op(uuid, "migrate", is(driver.Running, driver.Shutdown), func(in *instance) (driver.EventKind, error) {
		d.mu.Lock()
		was := in.rec.Power
		d.mu.Unlock()
		if was == driver.Running {
			d.shutdown(ctx, in, d.opts.ShutdownTimeout)
		}
		d.stop(in)
		dst := filepath.Join(d.stateDir, "migrating", uuid)
		os.RemoveAll(dst)
		d.mu.Lock()
		defer d.mu.Unlock()
		in.rec.Stopped()
		if err := os.Rename(in.dir, dst); err != nil {
			in.persist()
			return driver.EventStopped, err
		}
		in.dir = dst
		in.rec.Migrating = true
		in.persist()
		delete(d.insts, uuid)
		d.migSrc[uuid] = in
		m.Data = instdir.Handover{Host: d.name, Dir: dst, RootFormat: in.rec.RootFormat, Power: was}.Encode()
		if was == driver.Shutdown {
			return 0, nil
		}
		return driver.EventStopped, nil
	})
}

// FinishMigration copies the source copy's disks into a new instance,
// grows the root disk to the new flavor, rebuilds swap and the config
// drive and powers it on when asked.
func (d *Driver) FinishMigration(ctx context.Context, spec driver.Spec, m driver.Migration, powerOn bool) error {
	h, err := instdir.DecodeHandover(m.Data)
	if err != nil || h.Dir == "" {
		return fmt.Errorf("qemu: migration %s: bad hand-over data %q", m.ID, m.Data)
	}
	if spec.UUID != m.Instance {
		return fmt.Errorf("qemu: migration %s is for instance %s, not %s", m.ID, m.Instance, spec.UUID)
	}
	in, err := d.create(spec, "FinishMigration")
	if err != nil {
		return err
	}
	err = d.copyDisks(ctx, in, spec, h)
	if err == nil && powerOn {
		err = d.boot(ctx, in, "", false)
	}
	if err != nil {
		d.discard(in)
		return err
	}
	d.mu.Lock()
	in.busy = ""
	if !powerOn {
		in.rec.Power = driver.Shutdown
		in.persist()
	}
	d.mu.Unlock()
	if powerOn {
		d.emit(driver.Event{Kind: driver.EventStarted, Instance: spec.UUID})
	}
	return nil
}

// copyDisks makes in's directory and disks from the source copy of h.
func (d *Driver) copyDisks(ctx context.Context, in *instance, spec driver.Spec, h instdir.Handover) error {
	if err := os.Mkdir(in.dir, 0o700); err != nil {
		return err
	}
	d.mu.Lock()
	in.rec.RootFormat = h.RootFormat
	in.persist()
	d.mu.Unlock()
	hasConfig, err := d.tools.Migrate(ctx, h.Dir, in.dir, h.RootFormat, spec.Image, spec.Flavor, spec.ConfigDrive)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	in.rec.HasConfig = hasConfig
	in.rec.Power = driver.Shutdown
	return in.persist()
}

// ConfirmMigration removes the source copy.
func (d *Driver) ConfirmMigration(ctx context.Context, m driver.Migration) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	in, err := d.source(m.Instance)
	if err != nil {
		return err
	}
	if in.busy != "" {
		return driver.InvalidState(m.Instance, "confirm the migration of", driver.Busy)
	}
	if err := os.RemoveAll(in.dir); err != nil {
		return err
	}
	delete(d.migSrc, m.Instance)
	d.inv.Release(in.rec.Spec.Flavor)
	return nil
}

// source returns the source copy of the cold migration of instance
// uuid; d.mu is held.
func (d *Driver) source(uuid string) (*instance, error) {
	if err := d.ready(); err != nil {
		return nil, err
	}
	in, ok := d.migSrc[uuid]
	if !ok {
		return nil, driver.NotFound("migration source of instance", uuid)
	}
	return in, nil
}

// RevertMigration moves the source copy back and powers it on when asked.
// On the same host the destination's copy must have been destroyed first.
func (d *Driver) RevertMigration(ctx context.Context, m driver.Migration, powerOn bool) error {
	uuid := m.Instance
	d.mu.Lock()
	in, err := d.source(uuid)
	if _, ok := d.insts[uuid]; ok && err == nil {
		err = driver.Exists(uuid)
	}
	if err != nil {
		d.mu.Unlock()
		return err
	}
	dst := filepath.Join(d.stateDir, "instances", uuid)
	if err := os.Rename(in.dir, dst); err != nil {
		d.mu.Unlock()
		return err
	}
	in.dir = dst
	in.rec.Migrating = false
	in.persist()
	delete(d.migSrc, uuid)
	d.insts[uuid] = in
	in.busy = "RevertMigration"
	d.mu.Unlock()

	if powerOn {
		err = d.boot(ctx, in, "", false)
	}
	d.mu.Lock()
	in.busy = ""
	d.mu.Unlock()
	if err == nil && powerOn {
		d.emit(driver.Event{Kind: driver.EventStarted, Instance: uuid})
	}
	return err
}

// PrepareLiveMigration creates the instance's disks on this host (a new
// overlay on the same cached image: the source sends what its overlay
// holds) and starts QEMU waiting for the migration on a free port of
// Options.ListenAddress.
func (d *Driver) PrepareLiveMigration(ctx context.Context, spec driver.Spec, m *driver.Migration) error {
	if spec.UUID != m.Instance {
		return fmt.Errorf("qemu: migration %s is for instance %s, not %s", m.ID, m.Instance, spec.UUID)
	}
	in, err := d.create(spec, "PrepareLiveMigration")
	if err != nil {
		return err
	}
	d.mu.Lock()
	in.rec.Incoming = true
	d.mu.Unlock()
	addr, err := d.prepareIncoming(ctx, in, spec)
	if err != nil {
		d.discard(in)
		return err
	}
	d.mu.Lock()
	in.busy = ""
	in.rec.Power = driver.Paused
	in.persist()
	d.mu.Unlock()
	m.DestAddr = addr
	return nil
}

func (d *Driver) prepareIncoming(ctx context.Context, in *instance, spec driver.Spec) (string, error) {
	if err := d.build(ctx, in, spec); err != nil {
		return "", err
	}
	if err := d.boot(ctx, in, "defer", false); err != nil {
		return "", err
	}
	q, err := d.qmp(in)
	if err != nil {
		return "", err
	}
	addrs, err := q.MigrateIncoming(ctx, d.opts.ListenAddress)
	if err != nil {
		return "", err
	}
	if len(addrs) == 0 {
		return "", fmt.Errorf("qemu: incoming migration of %s listens nowhere", in.uuid())
	}
	return addrs[0], nil
}

// LiveMigrate sends the running guest, memory and the writable disks'
// own data (QMP migrate with blk and inc: the destination's overlay sits
// on the same image), to m.DestAddr, then stops the source QEMU and
// removes the source copy.
func (d *Driver) LiveMigrate(ctx context.Context, m *driver.Migration) error {
	if m.DestAddr == "" {
		return fmt.Errorf("qemu: live migration %s: no destination address; call PrepareLiveMigration on %s first", m.ID, m.Dest)
	}
	uuid := m.Instance
	var done *instance
	err := d.op(uuid, "live-migrate", is(driver.Running, driver.Paused), func(in *instance) (driver.EventKind, error) {
		q, err := d.qmp(in)
		if err != nil {
			return 0, err
		}
		d.mu.Lock()
		h := instdir.Handover{Host: d.name, Power: in.rec.Power, StartedAt: in.rec.StartedAt}
		d.mu.Unlock()
		uri := "tcp:" + m.DestAddr
		if strings.Contains(m.DestAddr, "://") {
			return 0, fmt.Errorf("qemu: live migration %s: bad destination address %q", m.ID, m.DestAddr)
		}
		if err := q.Run(ctx, "migrate", map[string]any{"uri": uri, "blk": true, "inc": true}, nil); err != nil {
			return 0, err
		}
		if err := d.waitMigration(ctx, in, q, "live-migrate"); err != nil {
			// The source goes on where it was.
			if h.Power == driver.Running {
				if st, _ := q.Status(context.WithoutCancel(ctx)); st != "running" {
					q.Run(context.WithoutCancel(ctx), "cont", nil, nil)
				}
			}
			return 0, err
		}
		m.Data = h.Encode()
		d.stop(in)
		done = in
		return 0, nil
	})
	if err != nil || done == nil {
		return err
	}
	os.RemoveAll(done.dir)
	d.mu.Lock()
	if d.insts[uuid] == done {
		delete(d.insts, uuid)
		d.inv.Release(done.rec.Spec.Flavor)
	}
	d.mu.Unlock()
	return nil
}

// incoming returns the incoming guest of m, marked busy with op.
func (d *Driver) incoming(m driver.Migration, op string) (*instance, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	in, err := d.get(m.Instance)
	if err != nil {
		return nil, err
	}
	if !in.rec.Incoming || in.busy != "" {
		return nil, driver.InvalidState(m.Instance, op, in.state())
	}
	in.busy = op
	return in, nil
}

// FinishLiveMigration makes the arrived guest this host's instance: it
// runs (or stays paused, as it was on the source) with its boot time kept.
func (d *Driver) FinishLiveMigration(ctx context.Context, m driver.Migration) error {
	h, err := instdir.DecodeHandover(m.Data)
	if err != nil {
		return fmt.Errorf("qemu: live migration %s: bad hand-over data: %w", m.ID, err)
	}
	in, err := d.incoming(m, "finish the live migration of")
	if err != nil {
		return err
	}
	defer func() {
		d.mu.Lock()
		in.busy = ""
		d.mu.Unlock()
	}()
	q, err := d.qmp(in)
	if err == nil {
		err = q.WaitRunning(ctx)
	}
	if err == nil && h.Power == driver.Paused {
		err = q.Run(ctx, "stop", nil, nil)
	}
	if err != nil {
		return err
	}
	d.set(in, func(r *instdir.Record) {
		r.Incoming = false
		r.Power = driver.Running
		if h.Power == driver.Paused {
			r.Power = driver.Paused
		}
		r.StartedAt = h.StartedAt
		if r.StartedAt.IsZero() {
			r.StartedAt = time.Now()
		}
	})
	d.emit(driver.Event{Kind: driver.EventResumed, Instance: m.Instance})
	return nil
}

// AbortLiveMigration stops the incoming QEMU and removes its directory.
func (d *Driver) AbortLiveMigration(ctx context.Context, m driver.Migration) error {
	in, err := d.incoming(m, "abort the live migration of")
	if err != nil {
		return err
	}
	return d.remove(in, d.insts)
}
