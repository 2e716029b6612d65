package qemu

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu/instdir"
	"github.com/gostack/gostack/internal/compute/driver/qemu/probe"
)

// consoleSize is the size of the console log of d's instance uuid.
func consoleSize(t *testing.T, d *Driver, uuid string) int64 {
	t.Helper()
	fi, err := os.Stat(filepath.Join(d.stateDir, "instances", uuid, instdir.ConsoleLog))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// waitTrimmed waits until the console log of uuid is back under its cap.
func waitTrimmed(t *testing.T, d *Driver, uuid string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for consoleSize(t, d, uuid) > instdir.ConsoleMax {
		if time.Now().After(deadline) {
			t.Fatalf("the console log of %s stays at %d bytes, over its cap %d", uuid, consoleSize(t, d, uuid), instdir.ConsoleMax)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestConsoleLogCapped boots a guest that floods its serial port: its
// console log stays under the cap while it runs, the API returns the
// newest lines, and a driver started again after the guest wrote on
// without one trims what it finds and still returns the newest lines.
func TestConsoleLogCapped(t *testing.T) {
	requireQEMU(t)
	opts := testOptions()
	dir := t.TempDir()
	d := newTestDriver(t, opts)
	d.trim = 50 * time.Millisecond
	if err := d.Configure(t.Context(), driver.Config{StateDir: dir}); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })

	const line = "GOSTACK-TEST: the guest writes this line for ever\r\n"
	spec := testSpec(t, 5)
	data := make([]byte, 1<<20)
	copy(data, probe.BootSector(line, probe.Repeat))
	os.WriteFile(spec.Image.Path, data, 0o600)
	if err := d.Spawn(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	// Let the guest write twice the cap at least, trimmed meanwhile.
	deadline := time.Now().Add(2 * time.Minute)
	written := int64(0)
	for last := int64(0); written < 2*instdir.ConsoleMax; {
		if time.Now().After(deadline) {
			t.Fatalf("the guest wrote only %d bytes in 2 minutes", written)
		}
		size := consoleSize(t, d, spec.UUID)
		if size < last { // trimmed: count what was cut as written
			written += instdir.ConsoleMax - instdir.ConsoleKeep
		}
		written, last = max(written, size), size
		time.Sleep(10 * time.Millisecond)
	}
	// Paused, the guest writes no more: the next trim brings the log
	// under its cap, and what the API returns ends with whole lines.
	if err := d.Pause(t.Context(), spec.UUID); err != nil {
		t.Fatal(err)
	}
	waitTrimmed(t, d, spec.UUID)
	out, err := d.ConsoleOutput(t.Context(), spec.UUID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) > consoleTail || len(out) < len(line) {
		t.Errorf("ConsoleOutput returned %d bytes, want at most Nova's %d", len(out), consoleTail)
	}
	// The guest was paused in the middle of a line, perhaps.
	if i := bytes.LastIndex(out, []byte("\r\n")); i < 0 || !bytes.HasSuffix(out[:i+2], []byte(line)) {
		t.Errorf("ConsoleOutput does not end with the guest's line: %q", out[max(0, len(out)-2*len(line)):])
	}

	// The agent goes; the guest writes on (a writer standing in for it,
	// the guest being paused); a new agent takes the guest back.
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "instances", spec.UUID, instdir.ConsoleLog), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(bytes.Repeat([]byte("written while no agent ran\n"), 2*instdir.ConsoleMax/27))
	f.WriteString("the newest line\n")
	f.Close()
	d2 := newTestDriver(t, opts)
	if err := d2.Configure(t.Context(), driver.Config{StateDir: dir}); err != nil {
		t.Fatal(err)
	}
	if err := d2.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d2.Close() })
	waitTrimmed(t, d2, spec.UUID)
	tail, err := d2.ConsoleOutput(t.Context(), spec.UUID, 40)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(tail), "no agent ran\nthe newest line\n") {
		t.Errorf("ConsoleOutput(40) after a restart = %q, want the newest lines", tail)
	}
	if err := d2.Destroy(t.Context(), spec.UUID); err != nil {
		t.Fatal(err)
	}
}
