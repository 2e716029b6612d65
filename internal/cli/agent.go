package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"syscall"

	bsspec "github.com/gostack/gostack/internal/blockstorage/spec"
	"github.com/gostack/gostack/internal/network/spec"
	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/metrics"
)

// runAgent runs one host's agent on its own: `gostack agent compute` runs
// this host's hypervisors for the conductor over the bus, with its own
// service user for Placement and the image service; `gostack agent
// network` builds this host's part of the network data plane from the
// shared database, `gostack agent volume` serves this host's volume
// backend to the block storage service over the bus (gostack up runs the
// same agents in process).
func runAgent(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "volume" {
		return runVolumeAgent(args, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "compute" {
		return runComputeAgent(args, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "object" {
		return runObjectAgent(args, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "network" {
		fmt.Fprintln(stderr, "usage: gostack agent compute|network|volume|object [flags]")
		return errUsage
	}
	fs, parse := agentFlags("network", stderr)
	dhcpOn := fs.Bool("dhcp", true, "run the networks' DHCP servers and metadata proxies on this host")
	l3On := fs.Bool("l3", true, "run the routers on this host")
	cleanup := fs.Bool("cleanup", false, "remove everything the agent built on this host (namespaces, bridges, VXLAN devices, rules) and exit")
	cfg, err := parse(args[1:])
	if err != nil {
		return err
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
	closeMetrics, err := agentMetrics(fs, cfg, metrics.Sources{DB: d}, log)
	if err != nil {
		return fmt.Errorf("agent network: %w", err)
	}
	defer closeMetrics()
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

// runVolumeAgent runs this host's volume agent: its backend (--volume-backend,
// --volume-group, --volume-capacity-gb) served on the cloud's bus
// (--bus-url), with a heartbeat every 10 seconds.
func runVolumeAgent(args []string, stdout, stderr io.Writer) error {
	fs, parse := agentFlags("volume", stderr)
	cfg, err := parse(args[1:])
	if err != nil {
		return err
	}
	if cfg.BusURL == "" {
		return errors.New("agent volume: --bus-url is required: the agent reaches the block storage service over the cloud's bus")
	}
	log := newLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	b, err := bus.Connect(cfg.BusURL, bus.Name("gostack-volume-agent"), bus.Logger(log), bus.CAFile(cfg.BusCAFile))
	if err != nil {
		return fmt.Errorf("agent volume: connect to the bus %s: %w", cfg.BusURL, err)
	}
	defer b.Close()
	closeMetrics, err := agentMetrics(fs, cfg, metrics.Sources{Bus: b}, log)
	if err != nil {
		return fmt.Errorf("agent volume: %w", err)
	}
	defer closeMetrics()
	ag, err := bsspec.StandaloneAgent(cfg, b, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gostack volume agent %s is running (data dir %s)\n", ag.ServiceHost(), cfg.DataDir)
	if err := ag.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// agentFlags starts the flags of `gostack agent NAME`: the config tree's
// (config.Bind); the command adds its own to fs, then parse reads them
// all and loads the configuration, refusing stray arguments.
func agentFlags(name string, stderr io.Writer) (fs *flag.FlagSet, parse func(args []string) (config.Config, error)) {
	fs = flag.NewFlagSet("gostack agent "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	l := config.Bind(fs)
	return fs, func(args []string) (config.Config, error) {
		if err := fs.Parse(args); err != nil {
			return config.Config{}, err
		}
		if fs.NArg() > 0 {
			return config.Config{}, fmt.Errorf("agent %s: unexpected arguments %v", name, fs.Args())
		}
		return l.Load()
	}
}
