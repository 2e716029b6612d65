package qemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
)

// Files of an instance directory.
const (
	fileRecord  = "spec.json"
	fileRoot    = "disk"
	fileEph     = "disk.eph0"
	fileSwap    = "disk.swap"
	fileConfig  = "disk.config"
	fileRescue  = "disk.rescue"
	fileQMP     = "qmp.sock"
	filePID     = "qemu.pid"
	fileConsole = "console.log"
	fileMemory  = "memory.state"
)

// record is an instance's persisted state, StateDir/…/<uuid>/spec.json:
// enough to build its command line again after an agent restart.
type record struct {
	Spec       driver.Spec // AdminPassword and ConfigDrive are not kept
	RootFormat string      // qcow2, raw, or "" when booting from a volume
	Power      driver.PowerState
	Rescued    bool
	Rescue     driver.Image `json:",omitzero"`
	Migrating  bool         // the source copy of a cold migration
	Incoming   bool         // an incoming live migration
	StartedAt  time.Time
	HasConfig  bool
}

// instance is one guest; d.mu guards its fields.
type instance struct {
	rec  record
	dir  string
	busy string   // the operation in progress
	proc *process // the running QEMU, nil when none
}

// process is one QEMU process and its monitor connection.
type process struct {
	pid      int
	qmp      *qmpConn
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

// persist writes the record atomically; d.mu is held.
func (in *instance) persist() error {
	data, err := json.MarshalIndent(in.rec, "", "  ")
	if err != nil {
		return err
	}
	tmp := in.path(fileRecord + ".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, in.path(fileRecord))
}

func loadRecord(dir string) (record, error) {
	var rec record
	data, err := os.ReadFile(filepath.Join(dir, fileRecord))
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return rec, fmt.Errorf("qemu: %s: %w", filepath.Join(dir, fileRecord), err)
	}
	return rec, nil
}

// refresh notices a QEMU that died without the driver (a crash, or the
// guest powering itself off); d.mu is held. It returns the events to emit.
func (d *Driver) refresh(in *instance) []driver.Event {
	p := in.proc
	if p == nil || alive(p.pid, in.uuid()) {
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
func (d *Driver) onEvent(in *instance, p *process, ev qmpEvent) {
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
	<-p.qmp.done
	d.mu.Lock()
	detached := p.detached
	d.mu.Unlock()
	if detached {
		return
	}
	// QEMU closes the monitor just before it exits; give it a moment.
	waitGone(p.pid, in.uuid(), 2*time.Second)
	d.mu.Lock()
	var evs []driver.Event
	if !alive(p.pid, in.uuid()) {
		evs = d.exited(in, p)
	}
	d.mu.Unlock()
	d.emit(evs...)
}

// alive says whether pid is a live QEMU of instance uuid (not a zombie,
// not a recycled pid).
func alive(pid int, uuid string) bool {
	if pid <= 0 {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
		return false
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return err == nil && bytes.Contains(cmdline, []byte(uuid))
}

// waitGone waits up to timeout for pid to exit; it says whether it did.
func waitGone(pid int, uuid string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for alive(pid, uuid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func readPID(dir string) int {
	data, err := os.ReadFile(filepath.Join(dir, filePID))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid
}

// devID is a short, stable QEMU id for a volume or port id.
func devID(prefix, id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("%s-%08x", prefix, h.Sum32())
}

// args builds the QEMU command line of in. incoming is "" or the
// -incoming argument.
func (d *Driver) args(in *instance, incoming string) []string {
	r := &in.rec
	s := &r.Spec
	cpu := d.opts.CPUModel
	if cpu == "" {
		cpu = "qemu64"
		if d.accel == "kvm" {
			cpu = "host"
		}
	}
	a := []string{
		"-name", "guest=" + nameOr(s.Name, s.UUID) + ",debug-threads=on",
		"-uuid", s.UUID,
		"-machine", d.opts.Machine + ",accel=" + d.accel,
		"-cpu", cpu,
		"-m", strconv.Itoa(max(s.Flavor.MemoryMB, 16)),
		"-smp", strconv.Itoa(max(s.Flavor.VCPUs, 1)),
		"-nodefaults", "-no-user-config",
		"-display", "none",
		"-vnc", d.opts.ListenAddress + ":0,to=4000",
		"-daemonize", "-pidfile", in.path(filePID),
		// A relative path: the socket is created in the instance directory
		// (QEMU's working directory until it daemonizes), which keeps it
		// under the 108-byte limit of unix socket paths.
		"-qmp", "unix:" + fileQMP + ",server=on,wait=off",
		"-chardev", "file,id=serial0,path=" + in.path(fileConsole) + ",append=on",
		"-serial", "chardev:serial0",
		"-device", "virtio-scsi-pci,id=scsi0",
		"-boot", "strict=on",
	}
	disk := func(id, file, format string, boot int, ro bool) {
		drive := "if=none,id=" + id + ",file=" + file + ",format=" + format + ",discard=unmap"
		if ro {
			drive += ",readonly=on"
		}
		dev := "virtio-blk-pci,drive=" + id + ",id=" + id + "-dev"
		if boot > 0 {
			dev += ",bootindex=" + strconv.Itoa(boot)
		}
		a = append(a, "-drive", drive, "-device", dev)
	}
	image := s.Image
	if r.Rescued {
		image = r.Rescue
		disk("drive-rescue", in.path(fileRescue), "qcow2", 1, false)
	}
	boot := 1
	if r.Rescued {
		boot = 0
	}
	if r.RootFormat != "" {
		disk("drive-root", in.path(fileRoot), r.RootFormat, boot, false)
	}
	if s.Flavor.EphemeralGB > 0 {
		disk("drive-eph0", in.path(fileEph), "qcow2", 0, false)
	}
	if s.Flavor.SwapMB > 0 {
		disk("drive-swap", in.path(fileSwap), "raw", 0, false)
	}
	for _, bd := range s.BlockDevices {
		id := devID("vol", bd.VolumeID)
		f := bd.Format
		if f == "" {
			f = "raw"
		}
		if bd.BootIndex == 0 && r.RootFormat == "" {
			disk(id, bd.Path, f, boot, bd.ReadOnly)
			continue
		}
		node := "node-name=" + id + ",driver=" + f + ",file.driver=file,file.filename=" + bd.Path
		if bd.ReadOnly {
			node += ",read-only=on"
		}
		a = append(a, "-blockdev", node, "-device", "scsi-hd,bus=scsi0.0,drive="+id+",id="+id)
	}
	if r.HasConfig {
		a = append(a, "-drive", "if=none,id=drive-config,file="+in.path(fileConfig)+",format=raw,readonly=on,media=cdrom",
			"-device", "ide-cd,drive=drive-config,id=config,bus=ide.0")
	}
	for _, n := range s.NICs {
		id := devID("nic", n.PortID)
		model := n.Model
		if model == "" || model == "virtio" {
			model = "virtio-net-pci"
		}
		dev := model + ",id=" + id + ",mac=" + n.MAC
		if n.Tap != "" {
			// No vhost: the kernel's vhost-net is not used on this host.
			a = append(a, "-netdev", "tap,id=net-"+id+",ifname="+n.Tap+",script=no,downscript=no,vhost=off")
			dev += ",netdev=net-" + id
		}
		if n.MTU > 0 && model == "virtio-net-pci" {
			dev += ",host_mtu=" + strconv.Itoa(n.MTU)
		}
		a = append(a, "-device", dev)
	}
	if image.KernelPath != "" {
		a = append(a, "-kernel", image.KernelPath)
		if image.RamdiskPath != "" {
			a = append(a, "-initrd", image.RamdiskPath)
		}
		args := image.KernelArgs
		if args == "" {
			args = "console=ttyS0 root=/dev/vda"
		}
		a = append(a, "-append", args)
	}
	if incoming != "" {
		a = append(a, "-incoming", incoming)
	}
	return a
}

func nameOr(name, uuid string) string {
	if name == "" {
		return "instance-" + uuid
	}
	return strings.ReplaceAll(name, ",", ",,")
}

// launch starts the QEMU of in and connects to its monitor. QEMU
// daemonizes itself (-daemonize): the parent exits once the guest is set
// up, reporting start-up errors on stderr and in its exit status, and the
// guest runs in its own session, re-parented to init, so that it outlives
// the agent. On failure nothing of the process is left.
func (d *Driver) launch(ctx context.Context, in *instance, incoming string, extra []string) (*process, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	os.Remove(in.path(fileQMP))
	os.Remove(in.path(filePID))
	d.mu.Lock()
	args := append(d.args(in, incoming), extra...)
	d.mu.Unlock()
	cmd := exec.Command(d.opts.QEMU, args...)
	cmd.Dir = in.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	pid := readPID(in.dir)
	if err != nil {
		killPID(pid, in.uuid())
		msg := strings.TrimSpace(out.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("qemu: starting instance %s failed: %s", in.uuid(), msg)
	}
	p := &process{pid: pid}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	p.qmp, err = dialQMP(dctx, in.path(fileQMP), func(ev qmpEvent) { d.onEvent(in, p, ev) })
	if err != nil {
		killPID(pid, in.uuid())
		return nil, fmt.Errorf("qemu: instance %s: %w", in.uuid(), err)
	}
	if pid == 0 || !alive(pid, in.uuid()) {
		p.qmp.Close()
		return nil, fmt.Errorf("qemu: instance %s: QEMU exited right after starting: %s", in.uuid(), strings.TrimSpace(out.String()))
	}
	go d.watch(in, p)
	return p, nil
}

// attach connects to the QEMU that a previous agent left running.
func (d *Driver) attach(ctx context.Context, in *instance, pid int) (*process, error) {
	p := &process{pid: pid}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var err error
	p.qmp, err = dialQMP(dctx, in.path(fileQMP), func(ev qmpEvent) { d.onEvent(in, p, ev) })
	if err != nil {
		return nil, err
	}
	go d.watch(in, p)
	return p, nil
}

// killPID kills the QEMU of uuid at pid, if it is still there, and waits
// for it to go.
func killPID(pid int, uuid string) {
	if !alive(pid, uuid) {
		return
	}
	syscall.Kill(pid, syscall.SIGKILL)
	waitGone(pid, uuid, 10*time.Second)
}

// stop ends in's QEMU: "quit" on the monitor, SIGKILL when that does not
// work. It is called for the driver's own stops, with in busy.
func (d *Driver) stop(in *instance) {
	d.mu.Lock()
	p := in.proc
	if p != nil {
		p.expected = true
	}
	d.mu.Unlock()
	if p == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	err := p.qmp.run(ctx, "quit", nil, nil)
	cancel()
	if err != nil || !waitGone(p.pid, in.uuid(), 5*time.Second) {
		killPID(p.pid, in.uuid())
	}
	p.qmp.Close()
	d.mu.Lock()
	if in.proc == p {
		in.proc = nil
	}
	d.mu.Unlock()
}

// powerdown asks the guest to power off (ACPI) and waits up to timeout
// for QEMU to exit; it says whether the guest did.
func (d *Driver) powerdown(ctx context.Context, in *instance, timeout time.Duration) bool {
	d.mu.Lock()
	p := in.proc
	if p != nil {
		p.expected = true
	}
	d.mu.Unlock()
	if p == nil {
		return true
	}
	if err := p.qmp.run(ctx, "system_powerdown", nil, nil); err != nil {
		return false
	}
	// A guest still booting may miss the button (its ACPI handling is not
	// up yet): press it again every few seconds until the timeout, as
	// Nova's libvirt driver retries its clean shutdown.
	t := time.NewTimer(timeout)
	defer t.Stop()
	retry := time.NewTicker(shutdownRetry)
	defer retry.Stop()
wait:
	for {
		select {
		case <-p.qmp.done:
			break wait
		case <-retry.C:
			_ = p.qmp.run(ctx, "system_powerdown", nil, nil)
		case <-t.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
	if !waitGone(p.pid, in.uuid(), 5*time.Second) {
		return false
	}
	d.mu.Lock()
	if in.proc == p {
		in.proc = nil
	}
	d.mu.Unlock()
	return true
}

// shutdownRetry is how often a clean shutdown presses the power button
// again.
const shutdownRetry = 5 * time.Second

// qmp returns in's monitor or an error when no QEMU runs.
func (d *Driver) qmp(in *instance) (*qmpConn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if in.proc == nil {
		return nil, driver.InvalidState(in.uuid(), "talk to", in.rec.Power.String())
	}
	return in.proc.qmp, nil
}

// status is query-status's "status": running, paused, inmigrate, postmigrate, …
func status(ctx context.Context, q *qmpConn) (string, error) {
	var st struct {
		Status string `json:"status"`
	}
	err := q.run(ctx, "query-status", nil, &st)
	return st.Status, err
}

// reattach loads the instances of StateDir/<sub> and connects to the QEMU
// processes still running. Directories of spawns that never finished are
// removed; a guest whose QEMU is gone is reported Shutdown (Suspended
// when its saved memory is there).
func (d *Driver) reattach(ctx context.Context, sub string) (map[string]*instance, error) {
	root := filepath.Join(d.stateDir, sub)
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	out := map[string]*instance{}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		rec, err := loadRecord(dir)
		pid := readPID(dir)
		if errors.Is(err, os.ErrNotExist) || (err == nil && rec.Power == driver.NoState && !rec.Incoming) {
			killPID(pid, e.Name())
			os.RemoveAll(dir)
			continue
		}
		if err != nil {
			return nil, err
		}
		in := &instance{rec: rec, dir: dir}
		if alive(pid, rec.Spec.UUID) {
			p, err := d.attach(ctx, in, pid)
			if err != nil {
				return nil, fmt.Errorf("qemu: re-attaching instance %s (pid %d): %w", rec.Spec.UUID, pid, err)
			}
			in.proc = p
			if st, err := status(ctx, p.qmp); err == nil {
				switch st {
				case "running":
					in.rec.Power = driver.Running
				case "inmigrate":
				default:
					in.rec.Power = driver.Paused
				}
			}
		} else if in.rec.Power != driver.Suspended || !exists(in.path(fileMemory)) {
			if in.rec.Power != driver.Shutdown {
				in.rec.Power, in.rec.StartedAt = driver.Shutdown, time.Time{}
			}
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

// shellQuote quotes s for /bin/sh, which runs QEMU's exec: migration URIs.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
