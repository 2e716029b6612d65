package spec

import (
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute/conductor"
	"github.com/gostack/gostack/internal/compute/driver/qemu/inventory"
	"github.com/gostack/gostack/internal/platform/config"
)

// TestShutdownTimeoutWired: shutdown_timeout reaches both the conductor
// (the stops it asks of the hosts) and every qemu host (its soft reboots
// and resizes), and the qemu hosts of one process share the machine.
func TestShutdownTimeoutWired(t *testing.T) {
	for _, tc := range []struct {
		timeout time.Duration
		hosts   int
	}{
		{0, 1}, // unset: each part's own default, Nova's 60 s
		{7 * time.Second, 1},
		{90 * time.Second, 3},
	} {
		cfg := config.Default()
		cfg.Compute.HostName = "node"
		cfg.Compute.ShutdownTimeout = tc.timeout
		cfg.Compute.QEMUHosts = tc.hosts
		if got := conductorConfig(cfg, conductor.Config{Workers: 16}); got.ShutdownTimeout != tc.timeout || got.Workers != 16 {
			t.Errorf("shutdown_timeout %v: conductor config %+v", tc.timeout, got)
		}
		opts := qemuOptions(cfg)
		if len(opts) != tc.hosts {
			t.Fatalf("%d qemu hosts configured, %d made", tc.hosts, len(opts))
		}
		for i, o := range opts {
			if o.ShutdownTimeout != tc.timeout {
				t.Errorf("shutdown_timeout %v: qemu host %s waits %v", tc.timeout, o.HostName, o.ShutdownTimeout)
			}
			if want := (inventory.Share{Index: i, Of: tc.hosts}); o.Share != want {
				t.Errorf("qemu host %s: share %+v, want %+v", o.HostName, o.Share, want)
			}
		}
	}
}
