package qmp

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// This file holds the commands of a live migration with its disks over
// NBD, the way libvirt migrates non-shared storage and the only way left
// since QEMU 9.1 removed block migration ("blk"): the destination QEMU
// exports its empty disks over its NBD server (NBDServerStart,
// ExportDrive), the source mirrors each disk into them (MirrorToNBD),
// migrates the memory once every mirror is ready (WaitJobs), then ends
// the mirrors (EndJobs), which copies what the guest wrote last.

// SendFD passes the open file f to QEMU under name (QMP getfd), for a
// command that takes a file descriptor by name.
func (q *Conn) SendFD(ctx context.Context, name string, f *os.File) error {
	return q.run(ctx, "getfd", map[string]any{"fdname": name}, nil, []int{int(f.Fd())})
}

// NBDServerStart starts QEMU's NBD server on l, a listening socket the
// caller opened: the caller picks the port (the kernel's free one) and
// knows it, which QEMU's own nbd-server-start on port 0 would not tell.
func (q *Conn) NBDServerStart(ctx context.Context, l *os.File) error {
	const name = "gostack-nbd"
	if err := q.SendFD(ctx, name, l); err != nil {
		return err
	}
	return q.Run(ctx, "nbd-server-start", map[string]any{
		"addr": map[string]any{"type": "fd", "data": map[string]any{"str": name}},
	}, nil)
}

// NBDServerStop stops the NBD server and every export of it.
func (q *Conn) NBDServerStop(ctx context.Context) error {
	return q.Run(ctx, "nbd-server-stop", nil, nil)
}

// ExportDrive exports the disk of drive (a -drive id), writable, as the
// NBD export name.
func (q *Conn) ExportDrive(ctx context.Context, drive, name string) error {
	node, err := q.nodeOf(ctx, drive)
	if err != nil {
		return err
	}
	return q.Run(ctx, "block-export-add", map[string]any{
		"type": "nbd", "id": "export-" + drive, "node-name": node, "name": name, "writable": true,
	}, nil)
}

// nodeOf is the block node that the drive (a -drive id) reads and writes.
func (q *Conn) nodeOf(ctx context.Context, drive string) (string, error) {
	var blocks []struct {
		Device   string `json:"device"`
		Inserted *struct {
			Node string `json:"node-name"`
		} `json:"inserted"`
	}
	if err := q.Run(ctx, "query-block", nil, &blocks); err != nil {
		return "", err
	}
	for _, b := range blocks {
		if b.Device == drive && b.Inserted != nil && b.Inserted.Node != "" {
			return b.Inserted.Node, nil
		}
	}
	return "", fmt.Errorf("qemu: no drive %s with a disk", drive)
}

// MirrorTarget is where MirrorToNBD sends a disk: an NBD export.
type MirrorTarget struct {
	Addr   string // host:port
	Export string
}

// MirrorToNBD starts block job job copying drive (a -drive id) into the
// NBD export t and, until the job ends, every write of the guest too.
// full copies the whole disk; otherwise only its top image, over a
// backing image the destination has too. The job stays listed when it
// ends (auto-dismiss off), so that WaitJobs sees why it failed; EndJobs
// removes it with its target.
//
// Once the copy is made, each write of the guest reaches the target
// before it completes (copy-mode write-blocking), not some time after:
// when the migration stops the guest, QEMU deactivates every disk, the
// target included, and a background mirror still holding a write would
// then write to a deactivated target, which stops QEMU on an assertion
// (seen on 7.2).
func (q *Conn) MirrorToNBD(ctx context.Context, job, drive string, t MirrorTarget, full bool) error {
	host, port, err := net.SplitHostPort(t.Addr)
	if err != nil {
		return fmt.Errorf("qemu: mirror of %s: bad NBD address %q", drive, t.Addr)
	}
	node := job + "-target"
	if err := q.Run(ctx, "blockdev-add", map[string]any{
		"driver": "nbd", "node-name": node, "export": t.Export,
		"server": map[string]any{"type": "inet", "host": host, "port": port},
	}, nil); err != nil {
		return err
	}
	sync := "top"
	if full {
		sync = "full"
	}
	if err := q.Run(ctx, "blockdev-mirror", map[string]any{
		"job-id": job, "device": drive, "target": node, "sync": sync, "auto-dismiss": false,
		"copy-mode": "write-blocking",
	}, nil); err != nil {
		q.Run(context.WithoutCancel(ctx), "blockdev-del", map[string]any{"node-name": node}, nil)
		return err
	}
	return nil
}

// Job is one job of query-jobs.
type Job struct {
	ID      string `json:"id"`
	Status  string `json:"status"` // created, running, ready, concluded, …
	Error   string `json:"error"`
	Current int64  `json:"current-progress"`
	Total   int64  `json:"total-progress"`
}

// Jobs lists QEMU's jobs by id.
func (q *Conn) Jobs(ctx context.Context) (map[string]Job, error) {
	var jobs []Job
	if err := q.Run(ctx, "query-jobs", nil, &jobs); err != nil {
		return nil, err
	}
	out := make(map[string]Job, len(jobs))
	for _, j := range jobs {
		out[j.ID] = j
	}
	return out, nil
}

// WaitJobs polls until every job of ids has the status want ("ready":
// a mirror has copied its disk and now follows the guest's writes;
// "concluded": it has ended). A job that concludes (or goes) before it
// is ready is an error with QEMU's reason, as is one that concludes with
// an error.
func (q *Conn) WaitJobs(ctx context.Context, ids []string, want string) error {
	for {
		jobs, err := q.Jobs(context.WithoutCancel(ctx))
		if err != nil {
			return err
		}
		done := 0
		for _, id := range ids {
			j, ok := jobs[id]
			switch {
			case !ok:
				return fmt.Errorf("qemu: block job %s is gone", id)
			case j.Error != "":
				return fmt.Errorf("qemu: block job %s failed: %s", id, j.Error)
			case j.Status == want:
				done++
			case j.Status == "concluded" || j.Status == "null" || j.Status == "aborting":
				return fmt.Errorf("qemu: block job %s ended (%s) before it was %s", id, j.Status, want)
			}
		}
		if done == len(ids) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// EndJobs ends the mirror jobs ids (of MirrorToNBD) and removes them and
// their targets. A mirror that is ready, ended without force after the
// guest has stopped, first copies what the guest wrote last, which leaves
// its target a consistent copy of the disk: this is how a live
// migration's mirrors end once the memory has moved (libvirt cancels them
// the same way, without switching the source over to the target). force
// drops the copy at once, for a migration that failed. The error is the
// first job's failure: then the target is no copy of the disk.
func (q *Conn) EndJobs(ctx context.Context, ids []string, force bool) error {
	var errs []string
	jobs, err := q.Jobs(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if j, ok := jobs[id]; ok && j.Status != "concluded" && j.Status != "null" {
			if err := q.Run(ctx, "block-job-cancel", map[string]any{"device": id, "force": force}, nil); err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	deadline := time.Now().Add(10 * time.Minute)
	for pending := ids; len(pending) > 0; {
		jobs, err := q.Jobs(ctx)
		if err != nil {
			return err
		}
		var still []string
		for _, id := range pending {
			j, ok := jobs[id]
			switch {
			case !ok:
			case j.Status == "concluded" || j.Status == "null":
				if j.Error != "" && !force {
					errs = append(errs, fmt.Sprintf("block job %s: %s", id, j.Error))
				}
				q.Run(ctx, "job-dismiss", map[string]any{"id": id}, nil)
			default:
				still = append(still, id)
			}
		}
		pending = still
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("qemu: block jobs %v did not end", pending)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	for _, id := range ids {
		q.Run(ctx, "blockdev-del", map[string]any{"node-name": id + "-target"}, nil)
	}
	if len(errs) > 0 {
		return fmt.Errorf("qemu: ending the disk mirrors: %s", strings.Join(errs, "; "))
	}
	return nil
}

// WaitIncoming waits for an incoming migration to finish loading and
// returns the state it left the guest in: "paused" for a QEMU started
// with -S, "running" for one that continued it.
func (q *Conn) WaitIncoming(ctx context.Context) (string, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := q.Status(ctx)
		if err != nil {
			return "", err
		}
		switch st {
		case "inmigrate", "finish-migrate", "restore-vm":
		default:
			return st, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("qemu: guest state not loaded after 2 minutes")
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
