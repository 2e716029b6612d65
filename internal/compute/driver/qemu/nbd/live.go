package nbd

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
)

// A live migration's disks, the way libvirt migrates non-shared
// storage:
//
//	dest:   QEMU -incoming defer -S ── ExportDrives: its NBD server, each writable drive exported
//	source: Mirror: blockdev-mirror of each drive into its export, until all are ready
//	source: migrate (memory only) … completed: EndMirrors copies the last writes, then the source quits
//	dest:   FinishDrives: the NBD server stops; the guest continues (cont)
//
// The destination stays paused (-S) until the source's mirrors have
// ended: a guest that ran before would write to disks the source is still
// copying into.

// Listen opens a listening TCP socket on a free port of host and returns
// it as a file, to pass to a QEMU process, and its address.
func Listen(host string) (*os.File, string, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return nil, "", err
	}
	defer l.Close() // the file is a copy of the socket, which keeps listening
	f, err := l.(*net.TCPListener).File()
	return f, l.Addr().String(), err
}

// ExportDrives starts the NBD server of the incoming QEMU q on a free
// port of host and exports each of drives, writable, under a name made
// with a random token. It fills h.Mirror and h.Drives for the source.
func ExportDrives(ctx context.Context, q *qmp.Conn, host string, drives []string, h *instdir.Handover) error {
	if len(drives) == 0 {
		return nil
	}
	f, addr, err := Listen(host)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := q.NBDServerStart(ctx, f); err != nil {
		return err
	}
	token, err := Token()
	if err != nil {
		return err
	}
	h.Mirror, h.Drives = addr, map[string]string{}
	for _, drive := range drives {
		name := token + "-" + drive
		if err := q.ExportDrive(ctx, drive, name); err != nil {
			return err
		}
		h.Drives[drive] = name
	}
	return nil
}

// FinishDrives stops the NBD server of the arrived guest's QEMU q, if
// ExportDrives started one.
func FinishDrives(ctx context.Context, q *qmp.Conn, drives []string) error {
	if len(drives) == 0 {
		return nil
	}
	return q.NBDServerStop(ctx)
}

// Mirror starts the mirror of each of the source QEMU q's drives into
// the export the destination made for it (h, from ExportDrives) and
// waits until all are ready: they hold a copy of the disk and follow the
// guest's writes. The root disk, when rootFormat is qcow2, sends only its
// overlay: the destination's root disk sits on the same image. It returns
// the mirror jobs for EndMirrors; on failure none is left.
func Mirror(ctx context.Context, q *qmp.Conn, drives []string, rootFormat string, h instdir.Handover) ([]string, error) {
	var jobs []string
	fail := func(err error) ([]string, error) {
		q.EndJobs(context.WithoutCancel(ctx), jobs, true)
		return nil, err
	}
	for _, drive := range drives {
		export, ok := h.Drives[drive]
		if !ok || h.Mirror == "" {
			return fail(fmt.Errorf("qemu: the migration destination takes no copy of %s", drive))
		}
		job := "mirror-" + drive
		full := drive != instdir.RootDrive || rootFormat != "qcow2"
		if err := q.MirrorToNBD(ctx, job, drive, qmp.MirrorTarget{Addr: h.Mirror, Export: export}, full); err != nil {
			return fail(err)
		}
		jobs = append(jobs, job)
	}
	if err := q.WaitJobs(ctx, jobs, "ready"); err != nil {
		return fail(err)
	}
	return jobs, nil
}

// EndMirrors ends the mirror jobs once the memory has moved and the
// source guest is stopped: what the guest wrote last is copied first, so
// the destination's disks are whole (see qmp.Conn.EndJobs). force drops
// the copies of a migration that failed.
func EndMirrors(ctx context.Context, q *qmp.Conn, jobs []string, force bool) error {
	if len(jobs) == 0 {
		return nil
	}
	return q.EndJobs(ctx, jobs, force)
}

// ConsoleTail is how much of its console log a live-migrated guest takes
// along: what the console API shows of it, and more.
const ConsoleTail = 256 << 10

// ContinueConsole puts before the console log of the instance directory
// dir what the source's log held (instdir.Handover.Console), so that the
// guest's console goes on from it. QEMU must not be writing: the guest is
// paused, and QEMU appends to the file wherever it then ends.
func ContinueConsole(dir string, before []byte) error {
	if len(before) == 0 {
		return nil
	}
	path := filepath.Join(dir, instdir.ConsoleLog)
	cur, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	return os.WriteFile(path, append(before, cur...), 0o600)
}

// Migrate moves the running (or paused) guest of the source QEMU q to
// the destination QEMU at destAddr, prepared with ExportDrives (dest):
// its drives are mirrored (Mirror), then its memory sent (migrate, no
// block migration, which QEMU 9.1 removed), wait waiting for that to
// complete, then the mirrors end (EndMirrors). On failure the guest goes
// on here, running again when it ran (running).
func Migrate(ctx context.Context, q *qmp.Conn, drives []string, rootFormat string, dest instdir.Handover, destAddr string, running bool, wait func() error) error {
	jobs, err := Mirror(ctx, q, drives, rootFormat, dest)
	if err != nil {
		return err
	}
	bg := context.WithoutCancel(ctx)
	err = q.Run(ctx, "migrate", map[string]any{"uri": "tcp:" + destAddr}, nil)
	if err == nil {
		err = wait()
	}
	if err == nil {
		err = EndMirrors(bg, q, jobs, false)
	} else {
		EndMirrors(bg, q, jobs, true)
	}
	if err != nil && running {
		if st, _ := q.Status(bg); st != "running" {
			q.Run(bg, "cont", nil, nil)
		}
	}
	return err
}

// Arrive settles the guest arrived in the destination QEMU q (of the
// instance directory dir, drives exported by ExportDrives) once its state
// is loaded: the NBD server stops, the console log goes on from the
// source's (h.Console), and the guest runs, or stays paused when it was
// paused on the source (h.Power).
func Arrive(ctx context.Context, q *qmp.Conn, dir string, drives []string, h instdir.Handover) error {
	st, err := q.WaitIncoming(ctx)
	if err == nil {
		err = FinishDrives(ctx, q, drives)
	}
	if err != nil {
		return err
	}
	if st == "paused" {
		// Paused since it arrived (-S): QEMU writes nothing to the log.
		ContinueConsole(dir, h.Console) // a convenience; losing it fails nothing
	}
	switch {
	case h.Power != driver.Paused:
		return q.WaitRunning(ctx)
	case st == "running":
		return q.Run(ctx, "stop", nil, nil)
	}
	return nil
}
