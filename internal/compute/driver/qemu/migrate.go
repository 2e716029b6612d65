package qemu

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// handover is what the driver passes from one migration step to the next
// in Migration.Data.
type handover struct {
	Host string
	// Dir is the source copy's directory (cold migration). The
	// destination copies the disks from it, so source and destination
	// must share the file system: two drivers on one machine, or a
	// shared instances path.
	Dir        string            `json:",omitempty"`
	RootFormat string            `json:",omitempty"`
	Power      driver.PowerState `json:",omitempty"`
	StartedAt  time.Time         `json:",omitzero"`
}

// waitMigration polls query-migrate until the outgoing migration of in
// completes, reporting progress as op; a canceled ctx cancels it.
func (d *Driver) waitMigration(ctx context.Context, in *instance, q *qmpConn, op string) error {
	last := -1
	for {
		var mi struct {
			Status    string `json:"status"`
			ErrorDesc string `json:"error-desc"`
			RAM       *struct {
				Transferred int64 `json:"transferred"`
				Total       int64 `json:"total"`
				Remaining   int64 `json:"remaining"`
			} `json:"ram"`
		}
		if err := q.run(context.WithoutCancel(ctx), "query-migrate", nil, &mi); err != nil {
			return err
		}
		switch mi.Status {
		case "completed":
			d.emit(driver.Event{Kind: driver.EventProgress, Instance: in.uuid(), Op: op, Percent: 100})
			return nil
		case "failed", "cancelled":
			return fmt.Errorf("qemu: %s of instance %s %s: %s", op, in.uuid(), mi.Status, mi.ErrorDesc)
		}
		if mi.RAM != nil && mi.RAM.Total > 0 {
			if pct := int((mi.RAM.Total - mi.RAM.Remaining) * 99 / mi.RAM.Total); pct != last && pct >= 0 {
				last = pct
				d.emit(driver.Event{Kind: driver.EventProgress, Instance: in.uuid(), Op: op, Percent: pct})
			}
		}
		select {
		case <-ctx.Done():
			q.run(context.WithoutCancel(ctx), "migrate_cancel", nil, nil)
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
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
		if was == driver.Running && !d.powerdown(ctx, in, d.opts.ShutdownTimeout) {
			d.stop(in)
		}
		d.stop(in)
		dst := filepath.Join(d.stateDir, "migrating", uuid)
		os.RemoveAll(dst)
		d.mu.Lock()
		defer d.mu.Unlock()
		in.rec.Power, in.rec.StartedAt = driver.Shutdown, time.Time{}
		if err := os.Rename(in.dir, dst); err != nil {
			in.persist()
			return driver.EventStopped, err
		}
		in.dir = dst
		in.rec.Migrating = true
		in.persist()
		delete(d.insts, uuid)
		d.migSrc[uuid] = in
		m.Data, _ = json.Marshal(handover{Host: d.name, Dir: dst, RootFormat: in.rec.RootFormat, Power: was})
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
	var h handover
	if err := json.Unmarshal(m.Data, &h); err != nil || h.Dir == "" {
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

func (d *Driver) copyDisks(ctx context.Context, in *instance, spec driver.Spec, h handover) error {
	if err := os.Mkdir(in.dir, 0o700); err != nil {
		return err
	}
	f := spec.Flavor
	src := func(name string) string { return filepath.Join(h.Dir, name) }
	d.mu.Lock()
	in.rec.RootFormat = h.RootFormat
	in.persist()
	d.mu.Unlock()
	if h.RootFormat != "" {
		if err := copyFile(src(fileRoot), in.path(fileRoot)); err != nil {
			return err
		}
		if h.RootFormat == "qcow2" && spec.Image.Path != "" {
			// Point the overlay at this host's cached copy of the image.
			base, err := filepath.Abs(spec.Image.Path)
			if err != nil {
				return err
			}
			if _, err := d.qemuImg(ctx, "rebase", "-u", "-f", "qcow2", "-F", imageFormat(spec.Image), "-b", base, in.path(fileRoot)); err != nil {
				return err
			}
		}
		if err := d.grow(ctx, in.path(fileRoot), h.RootFormat, f.RootGB); err != nil {
			return err
		}
	}
	if f.EphemeralGB > 0 {
		if exists(src(fileEph)) {
			if err := copyFile(src(fileEph), in.path(fileEph)); err != nil {
				return err
			}
			if err := d.grow(ctx, in.path(fileEph), "qcow2", f.EphemeralGB); err != nil {
				return err
			}
		} else if _, err := d.qemuImg(ctx, "create", "-q", "-f", "qcow2", in.path(fileEph), strconv.Itoa(f.EphemeralGB)+"G"); err != nil {
			return err
		}
	}
	if f.SwapMB > 0 {
		if err := d.makeSwap(ctx, in.path(fileSwap), f.SwapMB); err != nil {
			return err
		}
	}
	if exists(src(fileConsole)) {
		copyFile(src(fileConsole), in.path(fileConsole))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if spec.ConfigDrive != nil {
		if err := d.makeConfigDrive(ctx, in, spec.ConfigDrive); err != nil {
			return err
		}
	} else if exists(src(fileConfig)) {
		if err := copyFile(src(fileConfig), in.path(fileConfig)); err != nil {
			return err
		}
		in.rec.HasConfig = true
	}
	in.rec.Power = driver.Shutdown
	return in.persist()
}

// grow resizes a disk to gb GiB when that is larger than it is.
func (d *Driver) grow(ctx context.Context, file, format string, gb int) error {
	info, err := imgInfo(ctx, d.opts.QemuImg, file, format)
	if err != nil {
		return err
	}
	if size := int64(gb) * gib; size > info.VirtualSize {
		_, err = d.qemuImg(ctx, "resize", "-q", "-f", format, file, strconv.FormatInt(size, 10))
	}
	return err
}

// ConfirmMigration removes the source copy.
func (d *Driver) ConfirmMigration(ctx context.Context, m driver.Migration) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ready(); err != nil {
		return err
	}
	in, ok := d.migSrc[m.Instance]
	if !ok {
		return driver.NotFound("migration source of instance", m.Instance)
	}
	if in.busy != "" {
		return driver.InvalidState(m.Instance, "confirm the migration of", driver.Busy)
	}
	if err := os.RemoveAll(in.dir); err != nil {
		return err
	}
	delete(d.migSrc, m.Instance)
	d.release(in.rec.Spec.Flavor)
	return nil
}

// RevertMigration moves the source copy back and powers it on when asked.
// On the same host the destination's copy must have been destroyed first.
func (d *Driver) RevertMigration(ctx context.Context, m driver.Migration, powerOn bool) error {
	uuid := m.Instance
	d.mu.Lock()
	if err := d.ready(); err != nil {
		d.mu.Unlock()
		return err
	}
	in, ok := d.migSrc[uuid]
	if !ok {
		d.mu.Unlock()
		return driver.NotFound("migration source of instance", uuid)
	}
	if _, ok := d.insts[uuid]; ok {
		d.mu.Unlock()
		return driver.Exists(uuid)
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

	var err error
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
	host := d.opts.ListenAddress
	if err := q.run(ctx, "migrate-incoming", map[string]any{"uri": "tcp:" + net.JoinHostPort(host, "0")}, nil); err != nil {
		return "", err
	}
	var mi struct {
		Sockets []struct {
			Host string `json:"host"`
			Port string `json:"port"`
		} `json:"socket-address"`
	}
	if err := q.run(ctx, "query-migrate", nil, &mi); err != nil {
		return "", err
	}
	if len(mi.Sockets) == 0 {
		return "", fmt.Errorf("qemu: incoming migration of %s listens nowhere", in.uuid())
	}
	return net.JoinHostPort(mi.Sockets[0].Host, mi.Sockets[0].Port), nil
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
		h := handover{Host: d.name, Power: in.rec.Power, StartedAt: in.rec.StartedAt}
		d.mu.Unlock()
		uri := "tcp:" + m.DestAddr
		if strings.Contains(m.DestAddr, "://") {
			return 0, fmt.Errorf("qemu: live migration %s: bad destination address %q", m.ID, m.DestAddr)
		}
		if err := q.run(ctx, "migrate", map[string]any{"uri": uri, "blk": true, "inc": true}, nil); err != nil {
			return 0, err
		}
		if err := d.waitMigration(ctx, in, q, "live-migrate"); err != nil {
			// The source goes on where it was.
			if h.Power == driver.Running {
				if st, _ := status(context.WithoutCancel(ctx), q); st != "running" {
					q.run(context.WithoutCancel(ctx), "cont", nil, nil)
				}
			}
			return 0, err
		}
		m.Data, _ = json.Marshal(h)
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
		d.release(done.rec.Spec.Flavor)
	}
	d.mu.Unlock()
	return nil
}

// incoming returns the incoming guest of m, marked busy with op.
func (d *Driver) incoming(m driver.Migration, op string) (*instance, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ready(); err != nil {
		return nil, err
	}
	in, ok := d.insts[m.Instance]
	if !ok {
		return nil, driver.NotFound("instance", m.Instance)
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
	var h handover
	if err := json.Unmarshal(m.Data, &h); err != nil {
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
		err = d.waitRunning(ctx, q)
	}
	if err == nil && h.Power == driver.Paused {
		err = q.run(ctx, "stop", nil, nil)
	}
	if err != nil {
		return err
	}
	d.set(in, func(r *record) {
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
	d.stop(in)
	killPID(readPID(in.dir), in.uuid())
	err = os.RemoveAll(in.dir)
	d.mu.Lock()
	defer d.mu.Unlock()
	in.busy = ""
	if err != nil {
		return err
	}
	delete(d.insts, m.Instance)
	d.release(in.rec.Spec.Flavor)
	return nil
}
