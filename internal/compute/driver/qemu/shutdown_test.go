package qemu

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/platform/logtest"
)

// TestShutdownTimeoutLogged: a guest that ignores the ACPI power button
// (the test guest only halts) holds a stop or a soft reboot for the
// whole shutdown timeout, and the log says so when the button is
// pressed and when the timeout cuts the guest.
func TestShutdownTimeoutLogged(t *testing.T) {
	requireQEMU(t)
	var log logtest.Buffer
	opts := testOptions()
	opts.ShutdownTimeout = 400 * time.Millisecond
	opts.Log = slog.New(slog.NewTextHandler(&log, nil))
	d := started(t, opts)
	spec := testSpec(t, 6)
	if err := d.Spawn(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		op      string
		run     func() error
		timeout string
	}{
		// A soft reboot waits Options.ShutdownTimeout (shutdown_timeout).
		{"soft reboot", func() error { return d.Reboot(t.Context(), spec.UUID, driver.Soft) }, "400ms"},
		// A stop waits what the conductor passes (its shutdown_timeout).
		{"stop", func() error { return d.PowerOff(t.Context(), spec.UUID, 300*time.Millisecond) }, "300ms"},
	} {
		before := len(log.String())
		start := time.Now()
		if err := tc.run(); err != nil {
			t.Fatalf("%s: %v", tc.op, err)
		}
		took := time.Since(start)
		got := log.String()[before:]
		for _, want := range []string{
			"asked instance " + spec.UUID + " to power off (ACPI shutdown); it is stopped if it has not within " + tc.timeout,
			"instance " + spec.UUID + " did not power off within " + tc.timeout + " of ACPI shutdown; stopping it",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: the log has no %q; it has:\n%s", tc.op, want, got)
			}
		}
		if d, _ := time.ParseDuration(tc.timeout); took < d {
			t.Errorf("%s took %v, less than the shutdown timeout %v", tc.op, took, d)
		}
	}
}
