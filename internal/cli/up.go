package cli

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gostack/gostack/internal"
	"github.com/gostack/gostack/internal/cloud"
)

func runUp(args []string, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig("up", args, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("up: unexpected arguments %v", rest)
	}
	log := newLogger(cfg, stderr)
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
