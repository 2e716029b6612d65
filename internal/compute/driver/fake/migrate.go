package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// handover is what the fake passes from one migration step to the next in
// Migration.Data: the guest's console and, for live migration, its power
// state and boot time, so that its uptime goes on at the destination.
type handover struct {
	Host      string
	Power     driver.PowerState
	StartedAt time.Time
	Console   []byte
}

func (d *Driver) MigrateDisk(ctx context.Context, m *driver.Migration) error {
	uuid := m.Instance
	if m.Dest == d.HostName() && m.Source != m.Dest {
		return fmt.Errorf("fake: migration %s: destination %s is this host but source is %s", m.ID, m.Dest, m.Source)
	}
	return d.op(ctx, uuid, "MigrateDisk", 4, is(driver.Running, driver.Shutdown), func(in *instance) driver.EventKind {
		was := in.Power
		in.stop()
		in.Migrating = true
		delete(d.insts, uuid)
		if d.migSrc == nil {
			d.migSrc = make(map[string]*instance)
		}
		d.migSrc[uuid] = in
		m.Data, _ = json.Marshal(handover{Host: d.name, Power: was, Console: in.Console})
		if was == driver.Shutdown {
			return 0
		}
		return driver.EventStopped
	})
}

func (d *Driver) FinishMigration(ctx context.Context, spec driver.Spec, m driver.Migration, powerOn bool) error {
	var h handover
	if err := json.Unmarshal(m.Data, &h); err != nil {
		return fmt.Errorf("fake: migration %s: bad hand-over data: %w", m.ID, err)
	}
	if spec.UUID != m.Instance {
		return fmt.Errorf("fake: migration %s is for instance %s, not %s", m.ID, m.Instance, spec.UUID)
	}
	d.mu.Lock()
	in, err := d.create(spec, "FinishMigration")
	d.mu.Unlock()
	if err != nil {
		return err
	}
	err = d.wait(ctx, spec.UUID, "migrate", 3)
	err = d.finishCreate(in, "FinishMigration", err, func() {
		in.Console = h.Console
		if powerOn {
			in.boot("migrated disk of image " + in.ImageID)
		} else {
			in.Power = driver.Shutdown
		}
	})
	if err == nil && powerOn {
		d.emit(driver.Event{Kind: driver.EventStarted, Instance: spec.UUID})
	}
	return err
}

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
	if err := d.fault("ConfirmMigration"); err != nil {
		return err
	}
	delete(d.migSrc, m.Instance)
	d.release(in.Flavor)
	d.persist()
	return nil
}

func (d *Driver) RevertMigration(ctx context.Context, m driver.Migration, powerOn bool) error {
	d.mu.Lock()
	if err := d.ready(); err != nil {
		d.mu.Unlock()
		return err
	}
	in, ok := d.migSrc[m.Instance]
	if !ok {
		d.mu.Unlock()
		return driver.NotFound("migration source of instance", m.Instance)
	}
	if _, ok := d.insts[m.Instance]; ok {
		// Resize to the same host: the destination copy must be destroyed first.
		d.mu.Unlock()
		return driver.Exists(m.Instance)
	}
	if err := d.fault("RevertMigration"); err != nil {
		d.mu.Unlock()
		return err
	}
	delete(d.migSrc, m.Instance)
	if d.insts == nil {
		d.insts = make(map[string]*instance)
	}
	d.insts[m.Instance] = in
	in.Migrating = false
	if powerOn {
		in.boot("reverted disk of image " + in.ImageID)
	}
	d.persist()
	d.mu.Unlock()
	if powerOn {
		d.emit(driver.Event{Kind: driver.EventStarted, Instance: m.Instance})
	}
	return nil
}

func (d *Driver) PrepareLiveMigration(ctx context.Context, spec driver.Spec, m *driver.Migration) error {
	if spec.UUID != m.Instance {
		return fmt.Errorf("fake: migration %s is for instance %s, not %s", m.ID, m.Instance, spec.UUID)
	}
	d.mu.Lock()
	in, err := d.create(spec, "PrepareLiveMigration")
	name := d.name
	d.mu.Unlock()
	if err != nil {
		return err
	}
	err = d.wait(ctx, spec.UUID, "live-migrate", 1)
	err = d.finishCreate(in, "PrepareLiveMigration", err, func() {
		in.Incoming, in.Power = true, driver.Paused
	})
	if err == nil {
		m.DestAddr = "fake://" + name
	}
	return err
}

func (d *Driver) LiveMigrate(ctx context.Context, m *driver.Migration) error {
	if m.DestAddr == "" {
		return fmt.Errorf("fake: live migration %s: no destination address; call PrepareLiveMigration on %s first", m.ID, m.Dest)
	}
	if m.DestAddr == "fake://"+d.HostName() {
		return fmt.Errorf("fake: live migration %s: destination is this host", m.ID)
	}
	uuid := m.Instance
	return d.op(ctx, uuid, "LiveMigrate", 5, is(driver.Running, driver.Paused), func(in *instance) driver.EventKind {
		m.Data, _ = json.Marshal(handover{Host: d.name, Power: in.Power, StartedAt: in.StartedAt, Console: in.Console})
		delete(d.insts, uuid)
		d.release(in.Flavor)
		return 0
	})
}

func (d *Driver) incoming(m driver.Migration) (*instance, error) {
	if err := d.ready(); err != nil {
		return nil, err
	}
	in, ok := d.insts[m.Instance]
	if !ok {
		return nil, driver.NotFound("instance", m.Instance)
	}
	if !in.Incoming || in.busy != "" {
		return nil, driver.InvalidState(m.Instance, "finish the live migration of", in.state())
	}
	return in, nil
}

func (d *Driver) FinishLiveMigration(ctx context.Context, m driver.Migration) error {
	var h handover
	if err := json.Unmarshal(m.Data, &h); err != nil {
		return fmt.Errorf("fake: live migration %s: bad hand-over data: %w", m.ID, err)
	}
	d.mu.Lock()
	in, err := d.incoming(m)
	if err != nil {
		d.mu.Unlock()
		return err
	}
	if err := d.fault("FinishLiveMigration"); err != nil {
		d.mu.Unlock()
		return err
	}
	in.Incoming = false
	in.Power, in.StartedAt, in.Console = h.Power, h.StartedAt, h.Console
	d.persist()
	d.mu.Unlock()
	d.emit(driver.Event{Kind: driver.EventResumed, Instance: m.Instance})
	return nil
}

func (d *Driver) AbortLiveMigration(ctx context.Context, m driver.Migration) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	in, err := d.incoming(m)
	if err != nil {
		return err
	}
	delete(d.insts, m.Instance)
	d.release(in.Flavor)
	d.persist()
	return nil
}
