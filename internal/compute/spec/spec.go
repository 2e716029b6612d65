// Package spec is the compute service's entry in the cloud: Nova's API,
// scheduler, conductor, the compute agent of this host with its drivers,
// the noVNC console proxy and the metadata API, wired from the
// configuration.
package spec

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"time"

	bsclient "github.com/gostack/gostack/internal/blockstorage/client"
	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/agent"
	capi "github.com/gostack/gostack/internal/compute/api"
	"github.com/gostack/gostack/internal/compute/conductor"
	"github.com/gostack/gostack/internal/compute/console"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/qemu"
	"github.com/gostack/gostack/internal/compute/driver/qemu/inventory"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/metadata"
	"github.com/gostack/gostack/internal/compute/netinfo"
	"github.com/gostack/gostack/internal/compute/policies"
	"github.com/gostack/gostack/internal/compute/scheduler"
	cstore "github.com/gostack/gostack/internal/compute/store"
	imgclient "github.com/gostack/gostack/internal/image/client"
	netclient "github.com/gostack/gostack/internal/network/client"
	plclient "github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/service"
)

// Spec is Nova: the compute API, the scheduler, the conductor and, in the
// all-in-one, the compute agent of this host; its noVNC console proxy (the
// URLs of `openstack console url show --novnc` point there) and its
// metadata API (what cloud-init reads) listen on ports of their own,
// outside the catalog, as Nova's novncproxy and metadata API do.
var Spec = service.Spec{
	Name:        "nova",
	Type:        "compute",
	Description: "OpenStack Compute",
	Port:        func(c config.Config) int { return c.Compute.Port },
	Path:        "/v2.1",
	Listeners: []service.Listener{
		{Name: "console", Port: func(c config.Config) int { return c.Compute.ConsolePort }},
		{Name: "metadata", Port: func(c config.Config) int { return c.Compute.MetadataPort }},
	},
	Migrate: func(ctx context.Context, d *db.DB) error { return cstore.New(d).Migrate(ctx) },
	Start:   startCompute,
}

func startCompute(ctx context.Context, env *service.Env) (http.Handler, error) {
	cfg := env.Config
	store := cstore.New(env.DB)
	// The scheduler keeps its view of services and aggregates for a few
	// seconds; the API's changes to them reach it at once.
	var sched *scheduler.Scheduler
	apiStore := hostChanges{Store: store, changed: func() {
		if sched != nil {
			sched.Invalidate()
		}
	}}
	if err := store.Migrate(ctx); err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: 5 * time.Minute, Transport: env.HTTPClient().Transport}
	placement := plclient.New(env.URLs["placement"], hc, env.ServiceToken)
	images := imageService{imgclient.New(env.URLs["image"], hc)}
	// The networking service, when this cloud runs one: ports for the
	// servers, their addresses, and Nova's network proxy APIs.
	// Both stay nil interfaces without one.
	var (
		network compute.Network
		ports   conductor.Network
	)
	if u := env.URLs["network"]; u != "" {
		n := netinfo.New(netclient.New(u, hc), env.ServiceToken)
		network, ports = n, n
	}
	// The block-storage service, when this cloud runs one: volumes
	// attached to servers, booted from, and Nova's os-volumes proxy.
	var volumes compute.Volumes
	if u := env.URLs["block-storage"]; u != "" {
		volumes = volumeService{c: bsclient.New(u, hc), service: env.ServiceToken}
	}
	sched = scheduler.New(scheduler.Config{ServiceRefresh: 2 * time.Second}, placement, store, env.Liveness)
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	// Remote consoles: stateless tokens any process with the key can check,
	// served by the noVNC proxy (ConsoleSpec).
	key, err := console.LoadOrCreateKey(cmp.Or(cfg.ConsoleKeyFile, filepath.Join(cfg.DataDir, "console.key")))
	if err != nil {
		return nil, err
	}
	consoles := console.NewAuthority(key, 0)
	env.Handle("console", &console.Proxy{Authority: consoles, WebDir: console.WebDir(cfg.Compute.NoVNCDir), Log: env.Log.With("service", "novncproxy")})
	// The agent exists before the conductor, which re-runs interrupted
	// operations once the agent has reported its hosts (Ready) and waits
	// for a host's agent only while its heartbeats say it is coming back.
	// An API-only process (gostack serve) has no agent of its own: the
	// conductor waits on the agents' heartbeats alone.
	var (
		ag      *agent.Agent
		drivers []driver.Driver
		ready   <-chan struct{}
	)
	if !cfg.APIOnly {
		if drivers, err = computeDrivers(cfg, env, images); err != nil {
			return nil, err
		}
		ag, err = agent.New(agent.Config{
			Bus:       env.Bus,
			Drivers:   drivers,
			Placement: placement,
			Images:    images,
			StateDir:  filepath.Join(cfg.DataDir, "compute"),
			HostIP:    cfg.AdvertisedHost(),
			Log:       env.Log,
			// The operator's ratios and reserved amounts, in every host's
			// Placement inventories whatever the driver.
			Allocation: allocation(cfg),
		})
		if err != nil {
			return nil, err
		}
		ready = ag.Reported()
	}
	claims, err := newClaims(ctx, env, store)
	if err != nil {
		closeAgent(ag)
		return nil, err
	}
	cond := conductor.New(conductorConfig(cfg, conductor.Config{
		Store:     store,
		Workers:   16,
		Scheduler: timedScheduler{sched, env},
		Placement: placement,
		Dial:      func(h string) hostrpc.Host { return hostrpc.Dial(env.Bus, h) },
		Images:    images,
		Network:   ports,
		Volumes:   volumes,
		Log:       env.Log,
		HostName:  host,
		Liveness:  env.Liveness,
		Ready:     ready,
		Claims:    claims,
		NoVNCBase: env.URLs["console"] + "/vnc_lite.html",
		ConsoleToken: func(ctx context.Context, inst *compute.Instance, vnc driver.VNCConsole) (string, error) {
			return consoles.Issue(console.Target{InstanceID: inst.ID, Host: vnc.Host, Port: vnc.Port, Password: vnc.Password})
		},
	}))
	// The metadata API: guests reach it through the network data plane,
	// which signs the instance id with the shared secret.
	secret, err := console.LoadOrCreateKey(cmp.Or(cfg.MetadataProxyKeyFile, filepath.Join(cfg.DataDir, "metadata-proxy.key")))
	if err != nil {
		closeAgent(ag)
		cond.Close()
		claims.Close()
		return nil, err
	}
	env.Handle("metadata", metadata.Handler(metadataLookup{store}, metadata.Options{
		ProxySharedSecret: hex.EncodeToString(secret),
		Passwords:         metadata.Passwords{Store: store},
		Log:               env.Log.With("service", "metadata"),
	}))
	reports, err := hostrpc.ServeReports(env.Bus, cond, env.Log)
	if err != nil {
		closeAgent(ag)
		cond.Close()
		claims.Close()
		return nil, err
	}

	// The agent registers its hosts in Placement over HTTP, so it starts
	// with the workers, once the APIs serve.
	if ag != nil {
		env.Workers.Add("compute-agent", 0, func(ctx context.Context) error {
			if err := ag.Start(ctx); err != nil {
				return err
			}
			// Once every host is known, load the scheduler's view of them and
			// Placement's candidate snapshot, so that the first builds do not
			// all wait for the first read of every host.
			select {
			case <-ag.Reported():
				if err := sched.Warm(ctx); err != nil {
					env.Log.Warn("compute: warming the scheduler", "err", err)
				}
				_, _ = placement.AllocationCandidates(ctx, plclient.CandidateRequest{
					Groups: []plclient.Group{{Resources: map[string]int64{"VCPU": 1}}}, Limit: 1})
			case <-ctx.Done():
			}
			<-ctx.Done()
			return nil
		})
	}
	// Crash repair at start and then periodically: builds and actions a
	// previous process left half done, allocations out of step.
	// Every 10 s, so that a dead replica's work, claimed by a conductor
	// whose lease expires claim.TTL after its last renewal, is taken over
	// within 25 s.
	env.Workers.Add("compute-recover", 10*time.Second, cond.Recover)
	env.OnClose(func() {
		if ag != nil {
			logKeptGuests(env.Log, cfg.DataDir, drivers)
		}
		closeAgent(ag)
		reports.Unsubscribe()
		cond.Close()
		claims.Close()
	})

	pol, err := env.Policy("compute", policies.Defaults())
	if err != nil {
		return nil, err
	}
	// Nova's default quota driver: limits kept by compute itself
	// (os-quota-sets).
	h, err := capi.New(capi.Options{
		Store:     apiStore,
		Deps:      compute.Deps{Conductor: cond, Images: images, Liveness: env.Liveness, Network: network, Volumes: volumes},
		Policy:    pol,
		Validator: env.Validator(),
		Log:       env.Log,
	})
	if err != nil {
		return nil, err
	}
	return h.Handler(), nil
}

// closeAgent closes this process's compute agent, when it runs one.
func closeAgent(ag *agent.Agent) {
	if ag != nil {
		ag.Close()
	}
}

// computeDrivers returns the hypervisors of this process's compute agent.
func computeDrivers(cfg config.Config, env *service.Env, images imageService) ([]driver.Driver, error) {
	return hostDrivers(cfg, env.Log, tokenImageSource{images: images, token: env.ServiceToken}, false)
}

// conductorConfig is c with the conductor's settings that the
// configuration holds: how long a stop waits for a guest to power off
// (Nova's shutdown_timeout).
func conductorConfig(cfg config.Config, c conductor.Config) conductor.Config {
	c.ShutdownTimeout = cfg.Compute.ShutdownTimeout
	return c
}

// qemuOptions are the qemu driver's settings of each compute host this
// process runs, from the configuration: the hosts split the machine
// between them, and a soft reboot or a resize cuts a guest that ignores
// ACPI after shutdown_timeout, as the conductor's stops do.
func qemuOptions(cfg config.Config) []qemu.Options {
	names := cfg.Compute.QEMUHostNames()
	out := make([]qemu.Options, len(names))
	for i, name := range names {
		out[i] = qemu.Options{HostName: name, ListenAddress: cfg.Host, ShutdownTimeout: cfg.Compute.ShutdownTimeout, HotplugPorts: cfg.Compute.HotplugPorts,
			Share: inventory.Share{Index: i, Of: len(names)}}
	}
	return out
}

// metadataLookup finds the instance a metadata request is about.
type metadataLookup struct{ store compute.Store }

func (l metadataLookup) ByInstanceID(ctx context.Context, id string) (metadata.Input, error) {
	inst, err := l.store.GetInstance(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || err == nil && inst.Deleted {
		return metadata.Input{}, apierr.ErrNotFound
	}
	if err != nil {
		return metadata.Input{}, err
	}
	return metadata.WithNetwork(metadata.Input{Instance: *inst}), nil
}

// ByAddress finds nothing until the network service gives instances
// addresses.
func (l metadataLookup) ByAddress(ctx context.Context, ip string) (metadata.Input, error) {
	return metadata.Input{}, apierr.ErrNotFound
}

// hostChanges tells the scheduler when the API changed a service or an
// aggregate (a host disabled, moved to a zone, given metadata).
type hostChanges struct {
	compute.Store
	changed func()
}

func (h hostChanges) UpdateService(ctx context.Context, id string, fn func(*compute.HostService) error) (*compute.HostService, error) {
	out, err := h.Store.UpdateService(ctx, id, fn)
	h.changed()
	return out, err
}

func (h hostChanges) DeleteService(ctx context.Context, id string) error {
	err := h.Store.DeleteService(ctx, id)
	h.changed()
	return err
}

func (h hostChanges) CreateAggregate(ctx context.Context, a *compute.Aggregate) error {
	err := h.Store.CreateAggregate(ctx, a)
	h.changed()
	return err
}

func (h hostChanges) UpdateAggregate(ctx context.Context, id int64, fn func(*compute.Aggregate) error) (*compute.Aggregate, error) {
	out, err := h.Store.UpdateAggregate(ctx, id, fn)
	h.changed()
	return out, err
}

func (h hostChanges) DeleteAggregate(ctx context.Context, id int64) error {
	err := h.Store.DeleteAggregate(ctx, id)
	h.changed()
	return err
}

// timedScheduler logs each scheduling decision with its duration, the
// figure the boot benchmark reads.
type timedScheduler struct {
	*scheduler.Scheduler
	env *service.Env
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
