// Package vm runs one QEMU process of an instance directory: starting it
// daemonized from its command line, connecting to its monitor, stopping
// it, cleanly through the guest (ACPI) or hard, and reporting what the
// guest does (Diagnostics).
//
// QEMU is started with -daemonize: the parent exits once the guest is
// set up, reporting start-up errors on stderr and in its exit status, and
// the guest runs in its own session, re-parented to init, so that it
// outlives the agent that started it. A later agent finds it again by its
// pid file and re-attaches to its monitor (Attach). What the process's
// exit means for the instance (a crash, a guest power-off, a stop the
// driver asked for) is the driver's to decide; this package only reports
// that the monitor closed (QEMU.QMP.Done).
package vm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/proc"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
)

// QEMU is one running QEMU process and its monitor connection.
type QEMU struct {
	UUID string // the instance's, which the process's command line holds
	PID  int
	QMP  *qmp.Conn
}

// Start runs bin with args in the instance directory dir (whose command
// line, instdir.Args, daemonizes QEMU and writes its pid file and monitor
// socket there) and connects to its monitor, passing its events to
// onEvent. On failure nothing of the process is left, and the error holds
// what QEMU said.
func Start(ctx context.Context, bin, dir, uuid string, args []string, onEvent func(qmp.Event)) (*QEMU, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	os.Remove(filepath.Join(dir, instdir.QMPSocket))
	os.Remove(filepath.Join(dir, instdir.PIDFile))
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	pid := proc.ReadPID(filepath.Join(dir, instdir.PIDFile))
	if err != nil {
		proc.Kill(pid, uuid)
		msg := strings.TrimSpace(out.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("qemu: starting instance %s failed: %s", uuid, msg)
	}
	q, err := Attach(context.WithoutCancel(ctx), dir, uuid, pid, onEvent)
	if err != nil {
		proc.Kill(pid, uuid)
		return nil, fmt.Errorf("qemu: instance %s: %w", uuid, err)
	}
	if pid == 0 || !proc.Alive(pid, uuid) {
		q.QMP.Close()
		return nil, fmt.Errorf("qemu: instance %s: QEMU exited right after starting: %s", uuid, strings.TrimSpace(out.String()))
	}
	return q, nil
}

// Attach connects to the monitor of the QEMU at pid that runs the
// instance directory dir, passing its events to onEvent.
func Attach(ctx context.Context, dir, uuid string, pid int, onEvent func(qmp.Event)) (*QEMU, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := qmp.Dial(ctx, filepath.Join(dir, instdir.QMPSocket), onEvent)
	if err != nil {
		return nil, err
	}
	return &QEMU{UUID: uuid, PID: pid, QMP: c}, nil
}

// PID is the pid in the pid file of the instance directory dir, 0 when
// there is none.
func PID(dir string) int { return proc.ReadPID(filepath.Join(dir, instdir.PIDFile)) }

// Alive says whether the process still runs.
func (q *QEMU) Alive() bool { return proc.Alive(q.PID, q.UUID) }

// WaitGone waits up to timeout for the process to exit; it says whether
// it did.
func (q *QEMU) WaitGone(timeout time.Duration) bool { return proc.WaitGone(q.PID, q.UUID, timeout) }

// Quit ends the process: "quit" on the monitor, SIGKILL when that does
// not work within a few seconds. The monitor connection is closed.
func (q *QEMU) Quit() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	err := q.QMP.Run(ctx, "quit", nil, nil)
	cancel()
	if err != nil || !q.WaitGone(5*time.Second) {
		proc.Kill(q.PID, q.UUID)
	}
	q.QMP.Close()
}

// shutdownRetry is how often a clean shutdown presses the power button
// again.
const shutdownRetry = 5 * time.Second

// ErrIgnored is PowerDown's error when the guest did not power off
// within the timeout.
var ErrIgnored = errors.New("the guest did not power off")

// PowerDown asks the guest to power off (ACPI) and waits up to timeout
// for QEMU to exit: nil once it has, else why not (ErrIgnored when the
// timeout passed). A guest still booting may miss the button (its ACPI
// handling is not up yet), so it is pressed again every few seconds
// until the timeout, as Nova's libvirt driver retries its clean shutdown.
// Both ends go to log: a guest that ignores the button holds the stop,
// reboot or resize waiting on it for the whole timeout, which the
// operator should not have to guess.
func (q *QEMU) PowerDown(ctx context.Context, timeout time.Duration, log *slog.Logger) error {
	log.Info(fmt.Sprintf("qemu: asked instance %s to power off (ACPI shutdown); it is stopped if it has not within %s", q.UUID, timeout),
		"instance", q.UUID, "timeout", timeout)
	start := time.Now()
	err := q.powerDown(ctx, timeout)
	took := time.Since(start).Round(time.Millisecond)
	switch {
	case err == nil:
		log.Info(fmt.Sprintf("qemu: instance %s powered off in %s", q.UUID, took), "instance", q.UUID)
	case errors.Is(err, ErrIgnored):
		log.Warn(fmt.Sprintf("qemu: instance %s did not power off within %s of ACPI shutdown; stopping it", q.UUID, timeout),
			"instance", q.UUID, "timeout", timeout)
	default:
		log.Warn(fmt.Sprintf("qemu: instance %s: ACPI shutdown failed after %s; stopping it", q.UUID, took), "instance", q.UUID, "err", err)
	}
	return err
}

func (q *QEMU) powerDown(ctx context.Context, timeout time.Duration) error {
	if err := q.QMP.Run(ctx, "system_powerdown", nil, nil); err != nil {
		return err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	retry := time.NewTicker(shutdownRetry)
	defer retry.Stop()
	for {
		select {
		case <-q.QMP.Done():
			if !q.WaitGone(5 * time.Second) {
				return errors.New("QEMU closed its monitor but did not exit")
			}
			return nil
		case <-retry.C:
			_ = q.QMP.Run(ctx, "system_powerdown", nil, nil)
		case <-t.C:
			return ErrIgnored
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
