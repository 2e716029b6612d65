package qmp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Status is query-status's "status": running, paused, inmigrate,
// postmigrate, …
func (q *Conn) Status(ctx context.Context) (string, error) {
	var st struct {
		Status string `json:"status"`
	}
	err := q.Run(ctx, "query-status", nil, &st)
	return st.Status, err
}

// WaitRunning waits for an incoming guest (a resumed suspend or a live
// migration) to run, continuing it when it arrives paused.
func (q *Conn) WaitRunning(ctx context.Context) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := q.Status(ctx)
		if err != nil {
			return err
		}
		switch st {
		case "running":
			return nil
		case "paused", "postmigrate", "prelaunch":
			return q.Run(ctx, "cont", nil, nil)
		case "inmigrate", "finish-migrate", "restore-vm":
		default:
			return fmt.Errorf("qemu: guest is %s after loading its state", st)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("qemu: guest state not loaded after 2 minutes")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// WaitMigration polls query-migrate until the outgoing migration
// completes, calling progress with the share of memory sent (0–99, then
// 100 on completion) whenever it changes. what names the migration in
// errors ("suspend of instance …"). A canceled ctx cancels the migration.
func (q *Conn) WaitMigration(ctx context.Context, what string, progress func(percent int)) error {
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
		// The poll itself must not be canceled: a canceled ctx still
		// needs the migrate_cancel below to stop QEMU sending.
		if err := q.Run(context.WithoutCancel(ctx), "query-migrate", nil, &mi); err != nil {
			return err
		}
		switch mi.Status {
		case "completed":
			progress(100)
			return nil
		case "failed", "cancelled":
			return fmt.Errorf("qemu: %s %s: %s", what, mi.Status, mi.ErrorDesc)
		}
		if mi.RAM != nil && mi.RAM.Total > 0 {
			if pct := int((mi.RAM.Total - mi.RAM.Remaining) * 99 / mi.RAM.Total); pct != last && pct >= 0 {
				last = pct
				progress(pct)
			}
		}
		select {
		case <-ctx.Done():
			q.Run(context.WithoutCancel(ctx), "migrate_cancel", nil, nil)
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// MigrateIncoming makes a QEMU started with -incoming defer listen for
// the migration on a free TCP port of host, and returns the addresses it
// listens on.
func (q *Conn) MigrateIncoming(ctx context.Context, host string) ([]string, error) {
	if err := q.Run(ctx, "migrate-incoming", map[string]any{"uri": "tcp:" + net.JoinHostPort(host, "0")}, nil); err != nil {
		return nil, err
	}
	var mi struct {
		Sockets []struct {
			Host string `json:"host"`
			Port string `json:"port"`
		} `json:"socket-address"`
	}
	if err := q.Run(ctx, "query-migrate", nil, &mi); err != nil {
		return nil, err
	}
	var addrs []string
	for _, s := range mi.Sockets {
		addrs = append(addrs, net.JoinHostPort(s.Host, s.Port))
	}
	return addrs, nil
}

// ErrNotReleased says a device_del was not completed in time: the guest
// did not acknowledge the unplug (PCI(e) devices need it to).
var ErrNotReleased = errors.New("the guest did not release the device")

// DeviceDel removes device id and waits up to timeout for QEMU's
// DEVICE_DELETED, after which the device's drive or backend can be
// deleted; on timeout the error wraps ErrNotReleased.
func (q *Conn) DeviceDel(ctx context.Context, id string, timeout time.Duration) error {
	events, cancel := q.Subscribe("DEVICE_DELETED")
	defer cancel()
	t := time.NewTimer(timeout)
	defer t.Stop()
	// A PCIe slot the guest is still powering on, just after a hot-plug,
	// refuses an unplug for a moment ("guest is busy (power indicator
	// blinking)"). QEMU gives every refusal the class GenericError, so
	// each is tried again until timeout, and the last one returned.
	for {
		err := q.Run(ctx, "device_del", map[string]any{"id": id}, nil)
		var qe *Error
		if err == nil || !errors.As(err, &qe) || qe.Class != "GenericError" {
			if err != nil {
				return err
			}
			break
		}
		select {
		case <-t.C:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	for {
		select {
		case ev := <-events:
			var data struct {
				Device string `json:"device"`
			}
			json.Unmarshal(ev.Data, &data)
			if data.Device == id {
				return nil
			}
		case <-q.done:
			return ErrClosed
		case <-t.C:
			return fmt.Errorf("qemu: device %s still present %v after device_del: %w", id, timeout, ErrNotReleased)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// CPU is one vCPU of query-cpus-fast.
type CPU struct {
	Index    int `json:"cpu-index"`
	ThreadID int `json:"thread-id"`
}

// CPUs lists the guest's vCPUs and the host threads that run them.
func (q *Conn) CPUs(ctx context.Context) ([]CPU, error) {
	var cpus []CPU
	err := q.Run(ctx, "query-cpus-fast", nil, &cpus)
	return cpus, err
}

// BlockStats is one drive of query-blockstats.
type BlockStats struct {
	Device string `json:"device"`
	Node   string `json:"node-name"`
	QDev   string `json:"qdev"`
	Stats  struct {
		RdBytes  int64 `json:"rd_bytes"`
		WrBytes  int64 `json:"wr_bytes"`
		RdOps    int64 `json:"rd_operations"`
		WrOps    int64 `json:"wr_operations"`
		FailedRd int64 `json:"failed_rd_operations"`
		FailedWr int64 `json:"failed_wr_operations"`
	} `json:"stats"`
}

// BlockStats reports the I/O counters of every drive.
func (q *Conn) BlockStats(ctx context.Context) ([]BlockStats, error) {
	var stats []BlockStats
	err := q.Run(ctx, "query-blockstats", nil, &stats)
	return stats, err
}

// VNC is query-vnc's answer: whether the server runs and where.
type VNC struct {
	Enabled bool   `json:"enabled"`
	Host    string `json:"host"`
	Service string `json:"service"`
}

// VNC asks where the guest's VNC server listens.
func (q *Conn) VNC(ctx context.Context) (VNC, error) {
	var v VNC
	err := q.Run(ctx, "query-vnc", nil, &v)
	return v, err
}

// Port is the VNC server's TCP port; an error when it does not run or
// listens elsewhere than on a TCP port.
func (v VNC) Port() (int, error) {
	port, err := strconv.Atoi(v.Service)
	if err != nil || !v.Enabled {
		return 0, fmt.Errorf("qmp: no VNC server on a TCP port (%+v)", v)
	}
	return port, nil
}

// AddSCSIDisk plugs the image file path (of format, read-only when ro)
// as a disk with QEMU id id on the virtio-scsi controller scsi0, whose
// unplug, unlike PCI's, needs no help from the guest. On failure the
// block node is removed again.
func (q *Conn) AddSCSIDisk(ctx context.Context, id, format, path string, ro bool) error {
	node := map[string]any{"driver": format, "node-name": id, "read-only": ro,
		"file": map[string]any{"driver": "file", "filename": path}}
	if err := q.Run(ctx, "blockdev-add", node, nil); err != nil {
		return err
	}
	if err := q.Run(ctx, "device_add", map[string]any{"driver": "scsi-hd", "bus": "scsi0.0", "drive": id, "id": id}, nil); err != nil {
		q.Run(context.WithoutCancel(ctx), "blockdev-del", map[string]any{"node-name": id}, nil)
		return err
	}
	return nil
}

// BlockResize grows the disk of block node (or, when device is set, of
// the drive named node, as -drive names it) to size bytes: QEMU grows
// the image (a qcow2 file's virtual size, a raw file's length) or reads
// a grown block device's size again, and tells the guest's device.
func (q *Conn) BlockResize(ctx context.Context, node string, device bool, size int64) error {
	key := "node-name"
	if device {
		key = "device"
	}
	return q.Run(ctx, "block_resize", map[string]any{key: node, "size": size}, nil)
}

// DelSCSIDisk unplugs the disk that AddSCSIDisk plugged as id, waiting up
// to timeout for the device to go, then removes its block node.
func (q *Conn) DelSCSIDisk(ctx context.Context, id string, timeout time.Duration) error {
	if err := q.DeviceDel(ctx, id, timeout); err != nil {
		return err
	}
	return q.Run(ctx, "blockdev-del", map[string]any{"node-name": id}, nil)
}

// StateURI is the migration URI that saves a guest's state to the file
// path (save) or loads it from there: QEMU runs "exec:" URIs with
// /bin/sh, so the path is quoted for it.
func StateURI(path string, save bool) string {
	quoted := "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
	if save {
		return "exec:cat > " + quoted
	}
	return "exec:cat " + quoted
}
