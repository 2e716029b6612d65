package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/gostack/gostack/internal"
	"github.com/gostack/gostack/internal/cloud"
	"github.com/gostack/gostack/internal/compute/console"
	"github.com/gostack/gostack/internal/platform/config"
)

func runUp(args []string, stdout, stderr io.Writer) error {
	cfg, err := upConfig(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	c, err := cloud.Start(ctx, cfg, log, internal.Services)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gostack %s is up in %s\n", Version, time.Since(start).Round(time.Millisecond))
	for _, ep := range c.Endpoints {
		fmt.Fprintf(stdout, "  %-10s %s\n", ep[0], ep[1])
	}
	fmt.Fprintf(stdout, "  data dir   %s\n", cfg.DataDir)
	if dir := console.WebDir(cfg.Compute.NoVNCDir); !fileExists(filepath.Join(dir, "vnc_lite.html")) {
		fmt.Fprintf(stdout, "  noVNC is not in %s: console URLs show how to install it (apt-get install novnc) or name it (--novnc-dir)\n", dir)
	}
	if c.Password != "" {
		fmt.Fprintf(stdout, "  credentials: source %s  (or OS_CLOUD=gostack with %s)\n",
			filepath.Join(cfg.DataDir, "openrc"), filepath.Join(cfg.DataDir, "clouds.yaml"))
	} else {
		fmt.Fprintln(stdout, "  the admin password is not known to this start: run 'gostack admin bootstrap --admin-password ...' to reset it")
	}

	select {
	case <-ctx.Done():
	case err = <-c.Err():
	}
	fmt.Fprintln(stdout, "gostack: shutting down")
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}

// upConfig is the configuration of `up`: every configuration flag, and
// --novnc-dir.
func upConfig(args []string, stderr io.Writer) (config.Config, error) {
	fl := newFlags("up", stderr)
	// The noVNC directory is a flag of up alone: only the console proxy
	// of a running cloud reads it.
	novnc := fl.fs.String("novnc-dir", "", "directory of the noVNC files the console proxy serves (default: "+console.DefaultWebDir+" when present)")
	cfg, rest, err := fl.parse(args)
	if err != nil {
		return cfg, err
	}
	if fl.set["novnc-dir"] {
		cfg.Compute.NoVNCDir = *novnc
	}
	if len(rest) > 0 {
		return cfg, fmt.Errorf("up: unexpected arguments %v", rest)
	}
	return cfg, nil
}

// tuneGC makes the collector run less often than Go's default (GOGC=100)
// unless the operator set GOGC: the all-in-one's live heap is small (tens
// of MB) and its request paths allocate briskly, so at the default the
// collector takes a visible share of two cores under load. At 400 token
// validation at concurrency 16 went from ≈12 000/s (p99 5.4 ms) to
// ≈15 000/s (p99 4.6 ms) for about 13 MB more RSS (docs/benchmarks.md).
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
}

func fileExists(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && !fi.IsDir()
}
