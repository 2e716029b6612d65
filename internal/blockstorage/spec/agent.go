package spec

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/agent"
	"github.com/gostack/gostack/internal/blockstorage/driver"
	"github.com/gostack/gostack/internal/blockstorage/driver/chunks"
	"github.com/gostack/gostack/internal/blockstorage/driver/file"
	"github.com/gostack/gostack/internal/blockstorage/driver/lvm"
	"github.com/gostack/gostack/internal/blockstorage/hosts"
	"github.com/gostack/gostack/internal/blockstorage/rpc"
	bsstore "github.com/gostack/gostack/internal/blockstorage/store"
	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/service"
)

// startBackend starts this host's volume agent and returns the bus
// client of the backends through which the service reaches every agent.
// The service's side stores the agents' heartbeats and beats itself as
// this host's cinder-scheduler; the first heartbeat of the local agent
// is stored before the API serves, so that the first create finds a
// pool. An API-only process (gostack serve) runs no volume agent: the
// hosts' agents (gostack agent volume) report over the bus.
func startBackend(ctx context.Context, env *service.Env) (blockstorage.Backend, error) {
	st := bsstore.New(env.DB)
	sub, err := rpc.ServeReports(env.Bus, func(ctx context.Context, r rpc.Report) error {
		return hosts.Record(ctx, st, r)
	})
	if err != nil {
		return nil, err
	}
	env.OnClose(func() { sub.Unsubscribe() })
	host, err := hostName()
	if err != nil {
		return nil, err
	}
	sched := blockstorage.VolumeService{Host: host, Binary: blockstorage.BinaryScheduler, Zone: env.Config.Volume.Zone}
	if err := hosts.Beat(ctx, st, sched); err != nil {
		return nil, err
	}
	env.Workers.Add("volume-scheduler-heartbeat", agent.ReportInterval, func(ctx context.Context) error {
		return hosts.Beat(ctx, st, sched)
	})

	backends := rpc.NewClient(env.Bus, st, env.URLs["image"], env.ServiceToken)
	if env.Config.APIOnly {
		return backends, nil
	}
	ag, err := newAgent(env.Config, env.Bus, env.HTTPClient(), env.Log)
	if err != nil {
		return nil, err
	}
	if err := ag.Start(); err != nil {
		return nil, err
	}
	env.OnClose(ag.Stop)
	if err := ag.Beat(ctx); err != nil {
		env.Log.Warn("volume agent: first heartbeat failed", "host", ag.ServiceHost(), "err", err)
	}
	env.Workers.Add("volume-agent-heartbeat", agent.ReportInterval, ag.Beat)
	env.Log.Info("blockstorage: volume agent", "host", ag.ServiceHost(), "backend", env.Config.Volume.Backend)
	return backends, nil
}

// StandaloneAgent is the volume agent of `gostack agent volume`: the
// same agent as in gostack up, reaching the service over b. Run it with
// Agent.Run.
func StandaloneAgent(cfg config.Config, b *bus.Bus, log *slog.Logger) (*agent.Agent, error) {
	return newAgent(cfg, b, http.DefaultClient, log)
}

func newAgent(cfg config.Config, b *bus.Bus, hc *http.Client, log *slog.Logger) (*agent.Agent, error) {
	host, err := hostName()
	if err != nil {
		return nil, err
	}
	var drv driver.Driver
	switch cfg.Volume.Backend {
	case "", "file":
		drv, err = file.New(file.Config{Dir: filepath.Join(cfg.DataDir, "volumes"), CapacityGB: cfg.Volume.CapacityGB})
	case "lvm":
		drv, err = lvm.New(lvm.Config{VolumeGroup: cfg.Volume.VolumeGroup, TempDir: filepath.Join(cfg.DataDir, "volumes")})
	default:
		err = fmt.Errorf("volume backend %q: want file or lvm", cfg.Volume.Backend)
	}
	if err != nil {
		return nil, err
	}
	backups, err := chunks.New(filepath.Join(cfg.DataDir, "backups"))
	if err != nil {
		return nil, err
	}
	zone := cfg.Volume.Zone
	if zone == "" {
		zone = "nova"
	}
	return agent.New(agent.Config{Host: host, Zone: zone, Driver: drv, Backups: backups, Bus: b, HTTPClient: hc, Log: log}), nil
}

// hostName is this machine's name, Cinder's host of its services.
func hostName() (string, error) {
	h, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("blockstorage: host name: %w", err)
	}
	return h, nil
}
