package qemu

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/nbd"
	"github.com/gostack/gostack/internal/compute/driver/qemu/proc"
	"github.com/gostack/gostack/internal/compute/driver/qemu/qmp"
)

// hmpIO runs a qemu-io command on a drive of the running QEMU q, as the
// guest's own I/O would reach the disk.
func hmpIO(ctx context.Context, q *qmp.Conn, drive, cmd string) (string, error) {
	var out string
	err := q.Run(ctx, "human-monitor-command", map[string]any{"command-line": fmt.Sprintf("qemu-io %s %q", drive, cmd)}, &out)
	if err == nil && (strings.Contains(out, "failed") || strings.Contains(out, "error")) {
		err = fmt.Errorf("qemu-io %s %q: %s", drive, cmd, out)
	}
	return out, err
}

// monitor is the QMP connection of instance uuid on d.
func monitor(t *testing.T, d *Driver, uuid string) *qmp.Conn {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	in := d.insts[uuid]
	if in == nil || in.proc == nil {
		t.Fatalf("instance %s runs no QEMU", uuid)
	}
	return in.proc.QMP
}

// checkDisk reads pattern byte p at offset off (64 KiB) of the disk file
// of format with qemu-io.
func checkDisk(t *testing.T, file, format string, off int64, p byte) {
	t.Helper()
	out, err := exec.Command("qemu-io", "-f", format, "-c", fmt.Sprintf("read -P %d %d 64k", p, off), file).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("failed")) {
		t.Errorf("%s at %d: want pattern %d: %v: %s", filepath.Base(file), off, p, err, out)
	}
}

// TestLiveMigrationDisks live-migrates a guest with a root, an ephemeral
// and a swap disk between two drivers with their own state directories,
// on the NBD path that current QEMU has (no block migration): what was
// written to each disk before, and every write that succeeded while the
// migration ran, is on the destination's disks; the guest keeps its
// console output and boot time.
func TestLiveMigrationDisks(t *testing.T) {
	requireQEMU(t)
	if _, err := exec.LookPath("qemu-io"); err != nil {
		t.Skip("qemu-io not installed")
	}
	ctx := t.Context()
	a, b := started(t, testOptions()), started(t, testOptions())
	spec := testSpec(t, 5)
	spec.Flavor.EphemeralGB, spec.Flavor.SwapMB = 1, 16
	if err := a.Spawn(ctx, spec); err != nil {
		t.Fatal(err)
	}
	waitConsole(t, a, spec.UUID, bootMarker, 30*time.Second)
	before, _ := a.Info(ctx, spec.UUID)
	q := monitor(t, a, spec.UUID)
	for drive, p := range map[string]int{instdir.RootDrive: 0x5a, instdir.EphDrive: 0x6b, instdir.SwapDrive: 0x7c} {
		if _, err := hmpIO(ctx, q, drive, fmt.Sprintf("write -P %d 4M 64k", p)); err != nil {
			t.Fatal(err)
		}
	}

	m := &driver.Migration{ID: "mig-1", Instance: spec.UUID, Source: "a", Dest: "b", NewFlavor: spec.Flavor}
	if err := b.PrepareLiveMigration(ctx, spec, m); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(m.Data, []byte(a.stateDir)) || bytes.Contains(m.Data, []byte(b.stateDir)) {
		t.Errorf("the hand-over names a state directory: %s", m.Data)
	}
	// The guest writes on while it moves: each write that succeeded must
	// arrive. The source stops before its switch-over (QEMU's
	// pause-before-switchover) until the writer has written there too,
	// with the guest stopped and its disks still live, which is the last
	// moment a write can reach them: the test knows where the migration
	// stands without a race.
	if err := q.Run(ctx, "migrate-set-capabilities", map[string]any{"capabilities": []map[string]any{
		{"capability": "pause-before-switchover", "state": true}}}, nil); err != nil {
		t.Fatal(err)
	}
	written, last := 0, 0
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		bg := context.WithoutCancel(ctx)
		write := func() error {
			_, err := hmpIO(bg, q, instdir.RootDrive, fmt.Sprintf("write -P %d %d 64k", written%200+1, int64(8<<20)+int64(written)*64<<10))
			if err == nil {
				written++
			}
			return err
		}
		for {
			var mi struct {
				Status string `json:"status"`
			}
			if q.Run(bg, "query-migrate", nil, &mi) != nil {
				return
			}
			switch mi.Status {
			case "pre-switchover":
				last = written
				for range 3 {
					write()
				}
				q.Run(bg, "migrate-continue", map[string]any{"state": "pre-switchover"}, nil)
				return
			case "completed", "failed", "cancelled":
				return
			}
			if written < 400 && write() != nil {
				return
			}
		}
	}()
	err := a.LiveMigrate(ctx, m)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.FinishLiveMigration(ctx, *m); err != nil {
		t.Fatal(err)
	}
	after, err := b.Info(ctx, spec.UUID)
	if err != nil || after.PowerState != driver.Running || !after.StartedAt.Equal(before.StartedAt) {
		t.Errorf("after the move: %+v, %v; want it running since %v", after, err, before.StartedAt)
	}
	if out, _ := b.ConsoleOutput(ctx, spec.UUID, 0); !bytes.Contains(out, []byte(bootMarker)) {
		t.Errorf("the destination's console lost the output from before the move: %q", out)
	}
	t.Logf("%d writes while the guest moved, %d of them after its memory", written, written-last)
	if written == last {
		t.Error("no write at the switch-over")
	}

	if err := b.PowerOff(ctx, spec.UUID, 0); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(b.stateDir, "instances", spec.UUID)
	checkDisk(t, filepath.Join(dir, instdir.RootDisk), "qcow2", 4<<20, 0x5a)
	checkDisk(t, filepath.Join(dir, instdir.EphDisk), "qcow2", 4<<20, 0x6b)
	checkDisk(t, filepath.Join(dir, instdir.SwapDisk), "raw", 4<<20, 0x7c)
	for i := range written {
		checkDisk(t, filepath.Join(dir, instdir.RootDisk), "qcow2", int64(8<<20)+int64(i)*64<<10, byte(i%200+1))
	}
	// The image under the root disk came from b's own cache, not a's
	// files: b's root disk is an overlay of the same image.
	if out, _ := exec.Command("qemu-img", "info", "-U", filepath.Join(dir, instdir.RootDisk)).Output(); !bytes.Contains(out, []byte(spec.Image.Path)) {
		t.Errorf("the destination's root disk is no overlay of the image:\n%s", out)
	}
}

// TestLiveMigrationFails: a migration whose destination is gone leaves
// the guest running on the source, with no block job behind.
func TestLiveMigrationFails(t *testing.T) {
	requireQEMU(t)
	ctx := t.Context()
	a, b := started(t, testOptions()), started(t, testOptions())
	spec := testSpec(t, 6)
	if err := a.Spawn(ctx, spec); err != nil {
		t.Fatal(err)
	}
	m := &driver.Migration{ID: "mig-1", Instance: spec.UUID, Source: "a", Dest: "b", NewFlavor: spec.Flavor}
	if err := b.PrepareLiveMigration(ctx, spec, m); err != nil {
		t.Fatal(err)
	}
	if err := b.AbortLiveMigration(ctx, *m); err != nil {
		t.Fatal(err)
	}
	if err := a.LiveMigrate(ctx, m); err == nil {
		t.Fatal("LiveMigrate to an aborted destination succeeded")
	}
	info, err := a.Info(ctx, spec.UUID)
	if err != nil || info.PowerState != driver.Running {
		t.Fatalf("after the failed migration: %+v, %v; want it running on the source", info, err)
	}
	q := monitor(t, a, spec.UUID)
	if st, _ := q.Status(ctx); st != "running" {
		t.Errorf("source QEMU is %s, want running", st)
	}
	if jobs, err := q.Jobs(ctx); err != nil || len(jobs) != 0 {
		t.Errorf("block jobs left on the source: %v, %v", jobs, err)
	}
}

// TestLiveMigrationOtherMachine: a destination whose guests get another
// number of hot-plug ports (--qemu-hotplug-ports) would build a machine
// the source's migration stream does not fit; the source refuses before
// it sends anything, and the guest goes on where it was, with the ports
// its record says it was launched with.
func TestLiveMigrationOtherMachine(t *testing.T) {
	requireQEMU(t)
	ctx := t.Context()
	oa, ob := testOptions(), testOptions()
	oa.HotplugPorts, ob.HotplugPorts = 2, 3
	a, b := started(t, oa), started(t, ob)
	spec := testSpec(t, 6)
	if err := a.Spawn(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if rec, err := instdir.Load(filepath.Join(a.stateDir, "instances", spec.UUID)); err != nil || rec.HotplugPorts != 2 {
		t.Fatalf("record after the boot: %d hot-plug ports, %v; want 2", rec.HotplugPorts, err)
	}
	m := &driver.Migration{ID: "mig-1", Instance: spec.UUID, Source: "a", Dest: "b", NewFlavor: spec.Flavor}
	if err := b.PrepareLiveMigration(ctx, spec, m); err != nil {
		t.Fatal(err)
	}
	err := a.LiveMigrate(ctx, m)
	if err == nil || !strings.Contains(err.Error(), "--qemu-hotplug-ports") {
		t.Fatalf("LiveMigrate to a machine with other ports: %v; want the ports named", err)
	}
	if err := b.AbortLiveMigration(ctx, *m); err != nil {
		t.Fatal(err)
	}
	if info, err := a.Info(ctx, spec.UUID); err != nil || info.PowerState != driver.Running {
		t.Fatalf("after the refused migration: %+v, %v; want it running on the source", info, err)
	}
}

// TestLiveMigrationSheds: a guest that had a volume plugged and
// unplugged since its boot still has the SCSI controller, which the
// destination, building the machine from the volumes, does not: the
// source unplugs it first and the guest moves.
func TestLiveMigrationShedsSCSI(t *testing.T) {
	requireQEMU(t)
	ctx := t.Context()
	a, b := started(t, testOptions()), started(t, testOptions())
	spec := testSpec(t, 6)
	if err := a.Spawn(ctx, spec); err != nil {
		t.Fatal(err)
	}
	waitConsole(t, a, spec.UUID, bootMarker, 30*time.Second)
	vol := filepath.Join(t.TempDir(), "vol")
	if err := os.WriteFile(vol, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := a.AttachVolume(ctx, spec.UUID, driver.BlockDevice{VolumeID: "vol-1", Path: vol, Format: "raw"}); err != nil {
		t.Fatal(err)
	}
	if err := a.DetachVolume(ctx, spec.UUID, "vol-1"); err != nil {
		t.Fatal(err)
	}
	m := &driver.Migration{ID: "mig-1", Instance: spec.UUID, Source: "a", Dest: "b", NewFlavor: spec.Flavor}
	if err := b.PrepareLiveMigration(ctx, spec, m); err != nil {
		t.Fatal(err)
	}
	if err := a.LiveMigrate(ctx, m); err != nil {
		t.Fatalf("LiveMigrate of a guest with an unused SCSI controller: %v", err)
	}
	if err := b.FinishLiveMigration(ctx, *m); err != nil {
		t.Fatal(err)
	}
	if info, err := b.Info(ctx, spec.UUID); err != nil || info.PowerState != driver.Running {
		t.Fatalf("after the move: %+v, %v; want it running", info, err)
	}
}

// TestColdMigrationOverNBD resizes a guest to another driver, with its
// own state directory, while the source's state directory is out of
// reach: the disks and the console log travel over the source's NBD
// server only, which confirm (or destroy) stops.
func TestColdMigrationOverNBD(t *testing.T) {
	requireQEMU(t)
	ctx := t.Context()
	a, b := started(t, testOptions()), started(t, testOptions())
	for _, end := range []string{"confirm", "destroy"} {
		spec := testSpec(t, 7)
		spec.Flavor.EphemeralGB = 1
		if err := a.Spawn(ctx, spec); err != nil {
			t.Fatal(err)
		}
		waitConsole(t, a, spec.UUID, bootMarker, 30*time.Second)
		q := monitor(t, a, spec.UUID)
		if _, err := hmpIO(ctx, q, instdir.EphDrive, "write -P 0x33 1M 64k"); err != nil {
			t.Fatal(err)
		}
		m := &driver.Migration{ID: "mig-" + end, Instance: spec.UUID, Source: "a", Dest: "b", NewFlavor: bigger(spec.Flavor)}
		if err := a.MigrateDisk(ctx, m); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(m.Data, []byte(a.stateDir)) {
			t.Errorf("the hand-over names the source's state directory: %s", m.Data)
		}
		src := filepath.Join(a.stateDir, "migrating", spec.UUID)
		pid := proc.ReadPID(filepath.Join(src, nbd.PIDFile))
		t.Cleanup(func() { nbd.Stop(src, spec.UUID) })
		hidden := a.stateDir + ".away"
		if err := os.Rename(a.stateDir, hidden); err != nil {
			t.Fatal(err)
		}
		newSpec := spec
		newSpec.Flavor = m.NewFlavor
		err := b.FinishMigration(ctx, newSpec, *m, true)
		os.Rename(hidden, a.stateDir)
		if err != nil {
			t.Fatal(err)
		}
		out := waitConsole(t, b, spec.UUID, bootMarker, 30*time.Second)
		for bytes.Count(out, []byte(bootMarker)) < 2 {
			// The source's boot, kept, then the destination's.
			time.Sleep(50 * time.Millisecond)
			out, _ = b.ConsoleOutput(ctx, spec.UUID, 0)
		}
		if err := b.PowerOff(ctx, spec.UUID, 0); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(b.stateDir, "instances", spec.UUID)
		checkDisk(t, filepath.Join(dir, instdir.EphDisk), "qcow2", 1<<20, 0x33)
		if end == "confirm" {
			err = a.ConfirmMigration(ctx, *m)
		} else {
			err = a.Destroy(ctx, spec.UUID)
		}
		if err != nil {
			t.Fatal(err)
		}
		if pid == 0 || proc.Alive(pid, spec.UUID) {
			t.Errorf("%s: the source's NBD server (pid %d) was not stopped", end, pid)
		}
		if err := b.Destroy(ctx, spec.UUID); err != nil {
			t.Fatal(err)
		}
	}
}

func bigger(f driver.Flavor) driver.Flavor {
	f.ID, f.MemoryMB, f.RootGB = f.ID+"-big", f.MemoryMB*2, f.RootGB+1
	return f
}
