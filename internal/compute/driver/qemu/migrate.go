package qemu

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/disk"
	"github.com/gostack/gostack/internal/compute/driver/qemu/hotplug"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/nbd"
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
// Options.ShutdownTimeout), moves its directory to StateDir/migrating,
// where it waits for ConfirmMigration or RevertMigration, and serves its
// files over NBD (package nbd) for the destination to pull.
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
		kind := driver.EventStopped
		if was == driver.Shutdown {
			kind = 0
		}
		d.mu.Lock()
		in.rec.Stopped()
		in.persist()
		root := in.rec.RootFormat
		d.mu.Unlock()
		flat := ""
		if root == "qcow2" {
			flat = root // a raw disk's bytes are the disk
		}
		// The server keeps its files open across the move below.
		exp, err := nbd.Server{Listen: d.opts.ListenAddress}.Serve(ctx, in.dir, uuid, disk.Migrated(), flat)
		if err != nil {
			return kind, err
		}
		dst := filepath.Join(d.stateDir, "migrating", uuid)
		os.RemoveAll(dst)
		d.mu.Lock()
		defer d.mu.Unlock()
		if err := os.Rename(in.dir, dst); err != nil {
			nbd.Stop(in.dir, uuid)
			return kind, err
		}
		in.dir = dst
		in.rec.Migrating = true
		in.persist()
		delete(d.insts, uuid)
		d.migSrc[uuid] = in
		m.Data = instdir.Handover{Host: d.name, Export: exp, RootFormat: root, Power: was}.Encode()
		return kind, nil
	})
}

// FinishMigration pulls the source copy's disks into a new instance,
// grows the root disk to the new flavor, rebuilds swap and the config
// drive and powers it on when asked.
func (d *Driver) FinishMigration(ctx context.Context, spec driver.Spec, m driver.Migration, powerOn bool) error {
	h, err := instdir.DecodeHandover(m.Data)
	if err != nil || h.Export == nil {
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

// copyDisks makes in's directory and disks from the source copy of h,
// pulled over NBD.
func (d *Driver) copyDisks(ctx context.Context, in *instance, spec driver.Spec, h instdir.Handover) error {
	if err := os.Mkdir(in.dir, 0o700); err != nil {
		return err
	}
	d.mu.Lock()
	in.rec.RootFormat = h.RootFormat
	in.persist()
	d.mu.Unlock()
	src := nbd.Source{Export: *h.Export, Img: d.tools.Img}
	hasConfig, err := d.tools.Migrate(ctx, src, in.dir, h.RootFormat, spec.Image, spec.Flavor, spec.ConfigDrive)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	in.rec.HasConfig = hasConfig
	in.rec.Power = driver.Shutdown
	return in.persist()
}

// ConfirmMigration stops serving the source copy and removes it.
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
	nbd.Stop(in.dir, m.Instance)
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

// RevertMigration stops serving the source copy, moves it back and
// powers it on when asked.
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
	nbd.Stop(in.dir, uuid)
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

// PrepareLiveMigration creates the instance's disks on this host (the
// root disk a new overlay on the same cached image), starts QEMU paused
// (-S), waiting for the migration on a free port of
// Options.ListenAddress, and exports its writable disks over NBD for the
// source to mirror into (package nbd).
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
	h := instdir.Handover{Host: d.HostName()}
	addr, err := d.prepareIncoming(ctx, in, spec, &h)
	if err != nil {
		d.discard(in)
		return err
	}
	d.mu.Lock()
	in.busy = ""
	h.HotplugPorts, h.SCSI = in.rec.Ports(), in.rec.SCSI
	d.mu.Unlock()
	m.DestAddr, m.Data = addr, h.Encode()
	return nil
}

func (d *Driver) prepareIncoming(ctx context.Context, in *instance, spec driver.Spec, h *instdir.Handover) (string, error) {
	if err := d.build(ctx, in, spec); err != nil {
		return "", err
	}
	p, err := d.launch(ctx, in, "defer", []string{"-S"})
	if err != nil {
		return "", err
	}
	d.mu.Lock()
	in.proc = p
	in.rec.Power = driver.Paused
	in.persist()
	drives := instdir.LocalDrives(in.rec)
	d.mu.Unlock()
	addrs, err := p.QMP.MigrateIncoming(ctx, d.opts.ListenAddress)
	if err != nil {
		return "", err
	}
	if len(addrs) == 0 {
		return "", fmt.Errorf("qemu: incoming migration of %s listens nowhere", in.uuid())
	}
	return addrs[0], nbd.ExportDrives(ctx, p.QMP, d.opts.ListenAddress, drives, h)
}

// LiveMigrate mirrors the running guest's writable disks into the
// destination's exports (m.Data from PrepareLiveMigration), sends its
// memory to m.DestAddr once they are copied, ends the mirrors, then
// stops the source QEMU and removes the source copy. Volumes are not
// copied: both hosts reach them. On failure the guest goes on here.
func (d *Driver) LiveMigrate(ctx context.Context, m *driver.Migration) error {
	dest, err := instdir.DecodeHandover(m.Data)
	if err != nil || m.DestAddr == "" || strings.Contains(m.DestAddr, "://") {
		return fmt.Errorf("qemu: live migration %s: bad destination %q, %q; call PrepareLiveMigration on %s first", m.ID, m.DestAddr, m.Data, m.Dest)
	}
	uuid := m.Instance
	var done *instance
	err = d.op(uuid, "live-migrate", is(driver.Running, driver.Paused), func(in *instance) (driver.EventKind, error) {
		q, err := d.qmp(in)
		if err != nil {
			return 0, err
		}
		d.mu.Lock()
		h := instdir.Handover{Host: d.name, Power: in.rec.Power, StartedAt: in.rec.StartedAt}
		drives, root, rec := instdir.LocalDrives(in.rec), in.rec.RootFormat, in.rec
		d.mu.Unlock()
		if err := dest.SameMachine(rec, d.opts.Machine); err != nil {
			return 0, fmt.Errorf("qemu: live migration %s to %s: %w", m.ID, m.Dest, err)
		}
		if dest.ShedSCSI(rec) {
			if err := hotplug.DropSCSI(ctx, q); err != nil {
				return 0, err
			}
			d.mu.Lock()
			in.rec.SCSI = false
			err = in.persist()
			d.mu.Unlock()
			if err != nil {
				return 0, err
			}
		}
		err = nbd.Migrate(ctx, q, drives, root, dest, m.DestAddr, h.Power == driver.Running, func() error {
			return d.waitMigration(ctx, in, q, "live-migrate")
		})
		if err != nil {
			return 0, err
		}
		h.Console, _ = instdir.Console(in.dir, nbd.ConsoleTail)
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

// FinishLiveMigration makes the arrived guest this host's instance:
// once its state is loaded, the NBD server stops, its console log goes
// on from the source's, and it runs (or stays paused, as it was on the
// source) with its boot time kept.
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
	d.mu.Lock()
	drives := instdir.LocalDrives(in.rec)
	d.mu.Unlock()
	q, err := d.qmp(in)
	if err == nil {
		err = nbd.Arrive(ctx, q, in.dir, drives, h)
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
