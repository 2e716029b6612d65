package qemu

import (
	"context"
	"fmt"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
)

// consoleTail is the most ConsoleOutput returns, Nova's MAX_CONSOLE_BYTES.
const consoleTail = 100 << 10

// ConsoleOutput returns the tail of console.log, where QEMU writes the
// guest's first serial port: at most maxBytes, and at most Nova's 100 KiB,
// trimmed first (instdir.TrimConsole) so that it is the newest output.
func (d *Driver) ConsoleOutput(ctx context.Context, uuid string, maxBytes int) ([]byte, error) {
	d.mu.Lock()
	in, err := d.get(uuid)
	d.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if maxBytes <= 0 || maxBytes > consoleTail {
		maxBytes = consoleTail
	}
	if err := instdir.TrimConsole(in.dir); err != nil {
		d.opts.Log.Warn("qemu: trimming the console log", "instance", uuid, "err", err)
	}
	return instdir.Console(in.dir, maxBytes)
}

// dirs are the directories of every instance.
func (d *Driver) dirs() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var dirs []string
	for _, m := range []map[string]*instance{d.insts, d.migSrc} {
		for _, in := range m {
			dirs = append(dirs, in.dir)
		}
	}
	return dirs
}

// VNCConsole asks QEMU where its VNC server listens (QEMU picks a free
// port from 5900 up).
func (d *Driver) VNCConsole(ctx context.Context, uuid string) (driver.VNCConsole, error) {
	d.mu.Lock()
	in, err := d.get(uuid)
	var q *qmp.Conn
	if err == nil {
		d.refresh(in)
		if in.proc == nil || (in.rec.Power != driver.Running && in.rec.Power != driver.Paused) {
			err = driver.InvalidState(uuid, "open a VNC console on", in.state())
		} else {
			q = in.proc.QMP
		}
	}
	d.mu.Unlock()
	if err != nil {
		return driver.VNCConsole{}, err
	}
	vnc, err := q.VNC(ctx)
	if err != nil {
		return driver.VNCConsole{}, err
	}
	port, err := vnc.Port()
	if err != nil {
		return driver.VNCConsole{}, fmt.Errorf("qemu: instance %s: %w", uuid, err)
	}
	return driver.VNCConsole{Host: vnc.Host, Port: port}, nil
}
