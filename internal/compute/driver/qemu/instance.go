package qemu

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/proc"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
	"github.com/gostack/gostack/internal/compute/driver/qemu/vm"
)

// instance is one guest; d.mu guards its fields.
type instance struct {
	rec  instdir.Record
	dir  string
	busy string   // the operation in progress
	proc *process // the running QEMU, nil when none
}

// process is one QEMU process of an instance and what the driver knows
// of the meaning of its exit.
type process struct {
	*vm.QEMU
	expected bool // the driver is stopping it: its exit is no crash
	guestOff bool // SHUTDOWN seen: the guest powered itself off
	detached bool // the driver closed: the exit is not ours to report
}

func (in *instance) uuid() string { return in.rec.Spec.UUID }

func (in *instance) path(name string) string { return filepath.Join(in.dir, name) }

func (in *instance) info() driver.InstanceInfo {
	info := driver.InstanceInfo{
		UUID: in.uuid(), Name: in.rec.Spec.Name, PowerState: in.rec.Power, Rescued: in.rec.Rescued,
		Migrating: in.rec.Migrating || in.rec.Incoming, Flavor: in.rec.Spec.Flavor, StartedAt: in.rec.StartedAt,
	}
	for _, bd := range in.rec.Spec.BlockDevices {
		info.Volumes = append(info.Volumes, bd.VolumeID)
	}
	for _, n := range in.rec.Spec.NICs {
		info.Ports = append(info.Ports, n.PortID)
	}
	return info
}

// state is the name an InvalidState error gives the instance's state.
func (in *instance) state() string {
	switch {
	case in.busy != "":
		return driver.Busy
	case in.rec.Incoming, in.rec.Migrating:
		return "migrating"
	case in.rec.Rescued:
		return "rescued"
	}
	return in.rec.Power.String()
}

// persist writes the record; d.mu is held.
func (in *instance) persist() error { return instdir.Save(in.dir, in.rec) }

// refresh notices a QEMU that died without the driver (a crash, or the
// guest powering itself off); d.mu is held. It returns the events to emit.
func (d *Driver) refresh(in *instance) []driver.Event {
	p := in.proc
	if p == nil || p.Alive() {
		return nil
	}
	return d.exited(in, p)
}

// exited records that p is gone; d.mu is held.
func (d *Driver) exited(in *instance, p *process) []driver.Event {
	if in.proc != p || p.detached {
		return nil
	}
	in.proc = nil
	if p.expected {
		return nil
	}
	in.rec.StartedAt = time.Time{}
	kind := driver.EventCrashed
	in.rec.Power = driver.Crashed
	if p.guestOff || in.rec.Incoming {
		kind, in.rec.Power = driver.EventStopped, driver.Shutdown
	}
	in.persist()
	if in.rec.Incoming {
		return nil
	}
	return []driver.Event{{Kind: kind, Instance: in.uuid()}}
}

// onEvent handles a QMP event of p.
func (d *Driver) onEvent(in *instance, p *process, ev qmp.Event) {
	d.mu.Lock()
	var evs []driver.Event
	switch ev.Name {
	case "SHUTDOWN":
		var data struct {
			Guest bool `json:"guest"`
		}
		json.Unmarshal(ev.Data, &data)
		if data.Guest {
			p.guestOff = true
		}
	case "STOP", "RESUME":
		// Changes the driver did not ask for: a guest panic or an I/O
		// error pausing it, or someone else on the monitor.
		if in.proc == p && in.busy == "" && !in.rec.Incoming && !p.expected {
			if ev.Name == "STOP" && in.rec.Power == driver.Running {
				in.rec.Power = driver.Paused
				evs = append(evs, driver.Event{Kind: driver.EventPaused, Instance: in.uuid()})
				in.persist()
			} else if ev.Name == "RESUME" && in.rec.Power == driver.Paused {
				in.rec.Power = driver.Running
				evs = append(evs, driver.Event{Kind: driver.EventResumed, Instance: in.uuid()})
				in.persist()
			}
		}
	}
	d.mu.Unlock()
	d.emit(evs...)
}

// watch reports p's exit when its monitor connection ends.
func (d *Driver) watch(in *instance, p *process) {
	<-p.QMP.Done()
	d.mu.Lock()
	detached := p.detached
	d.mu.Unlock()
	if detached {
		return
	}
	// QEMU closes the monitor just before it exits; give it a moment.
	p.WaitGone(2 * time.Second)
	d.mu.Lock()
	var evs []driver.Event
	if !p.Alive() {
		evs = d.exited(in, p)
	}
	d.mu.Unlock()
	d.emit(evs...)
}

// launch starts the QEMU of in (see package vm) and watches for its exit.
func (d *Driver) launch(ctx context.Context, in *instance, incoming string, extra []string) (*process, error) {
	d.mu.Lock()
	host := instdir.Host{Machine: d.opts.Machine, Accel: d.accel, CPUModel: d.opts.CPUModel, Listen: d.opts.ListenAddress}
	if incoming == "" || in.rec.Incoming {
		// A new machine; a resumed suspend keeps its saved one.
		in.rec.HotplugPorts = d.opts.HotplugPorts
		in.rec.SCSI = in.rec.SCSIVolumes()
	}
	args := append(instdir.Args(host, in.dir, in.rec, incoming), extra...)
	err := in.persist()
	d.mu.Unlock()
	if err != nil {
		return nil, err
	}
	p := &process{}
	q, err := vm.Start(ctx, d.opts.QEMU, in.dir, in.uuid(), args, func(ev qmp.Event) { d.onEvent(in, p, ev) })
	if err != nil {
		return nil, err
	}
	p.QEMU = q
	go d.watch(in, p)
	return p, nil
}

// stop ends in's QEMU (vm.QEMU.Quit). It is called for the driver's own
// stops, with in busy.
func (d *Driver) stop(in *instance) {
	if p := d.expect(in); p != nil {
		p.Quit()
		d.gone(in, p)
	}
}

// shutdown asks the guest to power off (ACPI) and waits up to timeout
// for QEMU to exit, then stops it hard if it has not; vm.PowerDown logs
// both ends.
func (d *Driver) shutdown(ctx context.Context, in *instance, timeout time.Duration) {
	p := d.expect(in)
	if p == nil {
		return
	}
	if p.PowerDown(ctx, timeout, d.opts.Log) != nil {
		d.stop(in)
		return
	}
	d.gone(in, p)
}

// expect returns in's QEMU, marked as stopped by the driver so that its
// exit is not taken for a crash; nil when none runs.
func (d *Driver) expect(in *instance) *process {
	d.mu.Lock()
	defer d.mu.Unlock()
	if in.proc != nil {
		in.proc.expected = true
	}
	return in.proc
}

// gone forgets p, which has exited, unless in runs another QEMU already.
func (d *Driver) gone(in *instance, p *process) {
	d.mu.Lock()
	if in.proc == p {
		in.proc = nil
	}
	d.mu.Unlock()
}

// qmp returns in's monitor or an error when no QEMU runs.
func (d *Driver) qmp(in *instance) (*qmp.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if in.proc == nil {
		return nil, driver.InvalidState(in.uuid(), "talk to", in.rec.Power.String())
	}
	return in.proc.QMP, nil
}

// reattach loads the instances of StateDir/<sub> and connects to the QEMU
// processes still running. Directories of spawns that never finished are
// removed; a guest whose QEMU is gone is reported Shutdown (Suspended
// when its saved memory is there).
func (d *Driver) reattach(ctx context.Context, sub string) (map[string]*instance, error) {
	recs, err := instdir.Scan(filepath.Join(d.stateDir, sub))
	if err != nil {
		return nil, err
	}
	out := map[string]*instance{}
	for dir, rec := range recs {
		in := &instance{rec: rec, dir: dir}
		if pid := vm.PID(dir); proc.Alive(pid, rec.Spec.UUID) {
			p := &process{}
			q, err := vm.Attach(ctx, dir, rec.Spec.UUID, pid, func(ev qmp.Event) { d.onEvent(in, p, ev) })
			if err != nil {
				return nil, fmt.Errorf("qemu: re-attaching instance %s (pid %d): %w", rec.Spec.UUID, pid, err)
			}
			p.QEMU = q
			go d.watch(in, p)
			in.proc = p
			if st, err := q.QMP.Status(ctx); err == nil {
				switch st {
				case "running":
					in.rec.Power = driver.Running
				case "inmigrate":
				default:
					in.rec.Power = driver.Paused
				}
			}
		} else if rec.Power != driver.Suspended || !exists(in.path(instdir.Memory)) {
			in.rec.Stopped()
		}
		in.persist()
		out[rec.Spec.UUID] = in
	}
	return out, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
