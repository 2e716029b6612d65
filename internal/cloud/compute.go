package cloud

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/agent"
	capi "github.com/gostack/gostack/internal/compute/api"
	"github.com/gostack/gostack/internal/compute/conductor"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/scheduler"
	cstore "github.com/gostack/gostack/internal/compute/store"
	imgclient "github.com/gostack/gostack/internal/image/client"
	plclient "github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/policy"
)

// ComputeSpec is Nova: the compute API, the scheduler, the conductor and,
// in the all-in-one, the compute agent of this host.
var ComputeSpec = ServiceSpec{
	Name:        "nova",
	Type:        "compute",
	Description: "OpenStack Compute",
	Port:        func(c config.Config) int { return c.Compute.Port },
	Path:        "/v2.1",
	Start:       startCompute,
}

func startCompute(ctx context.Context, env *Env) (http.Handler, error) {
	cfg := env.Config
	store := cstore.New(env.DB)
	// Nova's default quota driver: limits kept by compute itself (os-quota-sets).
	svc, err := compute.New(ctx, compute.Config{}, store)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{
		MaxIdleConns: 128, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute,
	}}
	placement := plclient.New(env.URLs["placement"], hc, env.ServiceToken)
	images := imageService{imgclient.New(env.URLs["image"], hc)}
	sched := scheduler.New(scheduler.Config{}, placement, store, env.Liveness)
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	cond := conductor.New(conductor.Config{
		Store:     store,
		Scheduler: timedScheduler{sched, env},
		Placement: placement,
		Dial:      func(h string) hostrpc.Host { return hostrpc.Dial(env.Bus, h) },
		Images:    images,
		Log:       env.Log,
		HostName:  host,
	})
	reports, err := hostrpc.ServeReports(env.Bus, cond, env.Log)
	if err != nil {
		cond.Close()
		return nil, err
	}
	svc.SetDeps(compute.Deps{Conductor: cond, Images: images, Liveness: env.Liveness})

	drivers, err := computeDrivers(cfg, env)
	if err != nil {
		reports.Unsubscribe()
		cond.Close()
		return nil, err
	}
	ag, err := agent.New(agent.Config{
		Bus:       env.Bus,
		Drivers:   drivers,
		Placement: placement,
		Images:    images,
		StateDir:  filepath.Join(cfg.DataDir, "compute"),
		HostIP:    cfg.AdvertisedHost(),
		Log:       env.Log,
	})
	if err != nil {
		reports.Unsubscribe()
		cond.Close()
		return nil, err
	}
	// The agent registers its hosts in Placement over HTTP, so it starts
	// with the workers, once the APIs serve.
	env.Workers.Add("compute-agent", 0, func(ctx context.Context) error {
		if err := ag.Start(ctx); err != nil {
			return err
		}
		<-ctx.Done()
		return nil
	})
	// Crash repair at start and then periodically: builds and actions a
	// previous process left half done, allocations out of step.
	env.Workers.Add("compute-recover", 30*time.Second, cond.Recover)
	env.OnClose(func() {
		ag.Close()
		reports.Unsubscribe()
		cond.Close()
	})

	pol, err := policy.New(compute.PolicyDefaults())
	if err != nil {
		return nil, err
	}
	if err := pol.LoadFile(filepath.Join(cfg.PolicyDir, "compute.yaml")); err != nil {
		return nil, err
	}
	return capi.New(svc, pol, env.validator(), env.Log).Handler(), nil
}

// computeDrivers returns the hypervisors of this process's compute agent.
func computeDrivers(cfg config.Config, env *Env) ([]driver.Driver, error) {
	switch cfg.Compute.Driver {
	case "fake":
		opts := fake.Options{HostName: cfg.Compute.HostName, Delay: cfg.Compute.FakeDelay}
		if opts.HostName == "" {
			opts.HostName = "fake-host"
		}
		if opts.Delay < 0 {
			opts.Delay = fake.Instant
		}
		hosts := fake.NewHosts(cfg.Compute.FakeHypervisors, opts)
		out := make([]driver.Driver, len(hosts))
		for i, h := range hosts {
			out[i] = h
		}
		env.Log.Info("compute: fake hypervisor driver", "hosts", len(out))
		return out, nil
	}
	return nil, fmt.Errorf("compute driver %q is not available in this build", cfg.Compute.Driver)
}

// timedScheduler logs each scheduling decision with its duration, the
// figure the boot benchmark reads.
type timedScheduler struct {
	*scheduler.Scheduler
	env *Env
}

func (t timedScheduler) Select(ctx context.Context, spec scheduler.RequestSpec) (scheduler.Selection, []scheduler.Selection, error) {
	start := time.Now()
	sel, alts, err := t.Scheduler.Select(ctx, spec)
	ms := float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		t.env.Log.Info("instance not scheduled", "instance", spec.InstanceID, "select_ms", ms, "err", err)
	} else {
		t.env.Log.Info("instance scheduled", "instance", spec.InstanceID, "host", sel.Host, "select_ms", ms)
	}
	return sel, alts, err
}
