package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"syscall"

	"github.com/gostack/gostack/internal/network/spec"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
)

// runAgent runs one host's agent on its own: `gostack agent network`
// builds this host's part of the network data plane from the shared
// database (gostack up runs the same agent in process).
func runAgent(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "network" {
		fmt.Fprintln(stderr, "usage: gostack agent network [flags]   (compute, volume and object agents are not separate commands yet)")
		return errUsage
	}
	fs := flag.NewFlagSet("gostack agent network", flag.ContinueOnError)
	fs.SetOutput(stderr)
	l := config.Bind(fs)
	dhcpOn := fs.Bool("dhcp", true, "run the networks' DHCP servers and metadata proxies on this host")
	l3On := fs.Bool("l3", true, "run the routers on this host")
	cleanup := fs.Bool("cleanup", false, "remove everything the agent built on this host (namespaces, bridges, VXLAN devices, rules) and exit")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := l.Load()
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("agent network: unexpected arguments %v", fs.Args())
	}
	log := newLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *cleanup {
		// Taking things down needs no database: the agent removes all it
		// recognises as its own.
		ag, err := spec.StandaloneAgent(ctx, cfg, nil, *dhcpOn, *l3On, log)
		if err != nil {
			return err
		}
		return ag.Cleanup(ctx)
	}
	d, err := db.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return err
	}
	defer d.Close()
	ag, err := spec.StandaloneAgent(ctx, cfg, d, *dhcpOn, *l3On, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gostack network agent is running (data dir %s)\n", cfg.DataDir)
	if err := ag.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
