package vm

import (
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/probe"
	"github.com/gostack/gostack/internal/compute/driver/qemu/proc"
)

// guest makes an instance directory whose raw root disk is a boot sector
// running then after printing a line, and returns it with its command line.
func guest(t *testing.T, uuid, then string) (dir string, args []string) {
	t.Helper()
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 not installed")
	}
	dir = t.TempDir()
	disk := make([]byte, 1<<20)
	copy(disk, probe.BootSector("hello\r\n", then))
	if err := os.WriteFile(filepath.Join(dir, instdir.RootDisk), disk, 0o600); err != nil {
		t.Fatal(err)
	}
	rec := instdir.Record{RootFormat: "raw", Spec: driver.Spec{UUID: uuid, Flavor: driver.Flavor{VCPUs: 1, MemoryMB: 32}}}
	return dir, instdir.Args(instdir.Host{Machine: "q35", Accel: "tcg", Listen: "127.0.0.1"}, dir, rec, "")
}

func TestStartQuit(t *testing.T) {
	const uuid = "00000000-0000-4000-8000-0000000000a1"
	dir, args := guest(t, uuid, "")
	q, err := Start(t.Context(), "qemu-system-x86_64", dir, uuid, args, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Quit() })
	if !q.Alive() || PID(dir) != q.PID {
		t.Fatalf("started QEMU: alive %v, pid %d, pid file %d", q.Alive(), q.PID, PID(dir))
	}
	dg, err := Diagnostics(t.Context(), instdir.Record{Power: driver.Running, RootFormat: "raw",
		Spec: driver.Spec{Flavor: driver.Flavor{VCPUs: 1, MemoryMB: 32}}}, q)
	if err != nil || dg.NumDisks != 1 || len(dg.CPUTimeNS) != 1 {
		t.Errorf("Diagnostics = %+v, %v; want one disk, one vCPU", dg, err)
	}
	q.Quit()
	if !q.WaitGone(5 * time.Second) {
		t.Error("Quit left QEMU running")
	}
}

// TestPowerDown: a guest that ignores the ACPI button (the boot sector
// only halts) keeps running, and PowerDown says so once the timeout is up.
func TestPowerDown(t *testing.T) {
	const uuid = "00000000-0000-4000-8000-0000000000a2"
	dir, args := guest(t, uuid, "")
	q, err := Start(t.Context(), "qemu-system-x86_64", dir, uuid, args, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Quit() })
	if err := q.PowerDown(t.Context(), 300*time.Millisecond, slog.New(slog.DiscardHandler)); !errors.Is(err, ErrIgnored) {
		t.Fatalf("PowerDown of a guest without ACPI = %v, want ErrIgnored", err)
	}
	if !q.Alive() {
		t.Error("QEMU is gone after an ignored power button")
	}
}

func TestStartFails(t *testing.T) {
	const uuid = "00000000-0000-4000-8000-0000000000a3"
	dir, args := guest(t, uuid, "")
	_, err := Start(t.Context(), "qemu-system-x86_64", dir, uuid, append(args, "-device", "gostack-no-such-device"), nil)
	if err == nil || !strings.Contains(err.Error(), "gostack-no-such-device") {
		t.Fatalf("Start = %v, want QEMU's complaint", err)
	}
	if pid := PID(dir); pid != 0 && proc.Alive(pid, uuid) {
		t.Error("a failed Start left QEMU running")
	}
}
