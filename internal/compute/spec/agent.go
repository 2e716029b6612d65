package spec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"path/filepath"

	"github.com/gostack/gostack/internal/compute/agent"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/driver/qemu"
	"github.com/gostack/gostack/internal/compute/driver/qemu/imagecache"
	"github.com/gostack/gostack/internal/compute/imagefetch"
	imgclient "github.com/gostack/gostack/internal/image/client"
	plclient "github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/config"
)

// ControlPlane is how a compute agent that runs on its own reaches the
// cloud: the bus (the conductor's calls and the agent's reports and
// heartbeats) and, over HTTP with its service user's token, Placement and
// the image service. It needs no database, as nova-compute.
type ControlPlane struct {
	Bus *bus.Bus
	// HTTPClient carries the service user's token (and logs in again on a
	// 401); Token is that same token for the clients that set it
	// themselves.
	HTTPClient *http.Client
	Token      func(ctx context.Context) (string, error)
	// PlacementURL and ImageURL come from the catalog.
	PlacementURL, ImageURL string
	Log                    *slog.Logger
}

// Validate reports what is missing from p.
func (p ControlPlane) Validate() error {
	switch {
	case p.Bus == nil:
		return errors.New("compute agent: no bus")
	case p.HTTPClient == nil || p.Token == nil:
		return errors.New("compute agent: no service credentials")
	case p.PlacementURL == "":
		return errors.New("compute agent: no placement endpoint")
	case p.ImageURL == "":
		return errors.New("compute agent: no image endpoint")
	}
	return nil
}

// Agent is the compute agent of `gostack agent compute`: the same agent
// as gostack up runs, with this host's drivers, on its own.
type Agent struct {
	ag      *agent.Agent
	drivers []driver.Driver
	cfg     config.Config
	log     *slog.Logger
}

// StandaloneAgent builds this host's compute agent from the configuration
// (--compute-driver, --compute-host, --fake-hypervisors, the allocation
// ratios, --data-dir for the drivers' state and the image cache) over
// the control plane p. Run it with Agent.Run.
func StandaloneAgent(cfg config.Config, p ControlPlane) (*Agent, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if p.Log == nil {
		p.Log = slog.Default()
	}
	images := imageService{imgclient.New(p.ImageURL, p.HTTPClient)}
	drivers, err := hostDrivers(cfg, p.Log, tokenImageSource{images: images, token: p.Token}, true)
	if err != nil {
		return nil, err
	}
	ag, err := agent.New(agent.Config{
		Bus:        p.Bus,
		Drivers:    drivers,
		Placement:  plclient.New(p.PlacementURL, p.HTTPClient, p.Token),
		Images:     images,
		StateDir:   filepath.Join(cfg.DataDir, "compute"),
		HostIP:     cfg.AdvertisedHost(),
		Log:        p.Log,
		Allocation: allocation(cfg),
	})
	if err != nil {
		return nil, err
	}
	return &Agent{ag: ag, drivers: drivers, cfg: cfg, log: p.Log}, nil
}

// Hosts are the names of the agent's compute hosts.
func (a *Agent) Hosts() []string { return a.ag.Hosts() }

// Run starts the agent — its hosts in Placement, their reports to a
// conductor, the bus services and heartbeats — and runs it until ctx ends;
// the guests keep running after it, and the next agent on the same data
// dir finds them again.
func (a *Agent) Run(ctx context.Context) error {
	if err := a.ag.Start(ctx); err != nil {
		return err
	}
	select {
	case <-a.ag.Reported():
		a.log.Info("compute agent: every host is known to the conductor", "hosts", len(a.drivers))
	case <-ctx.Done():
	}
	<-ctx.Done()
	logKeptGuests(a.log, a.cfg.DataDir, a.drivers)
	if err := a.ag.Close(); err != nil {
		return err
	}
	return ctx.Err()
}

// hostDrivers returns the hypervisors of a compute agent from the
// configuration: qemu hosts read images from src into the host's image
// cache. With exactName, a single fake host is named --compute-host
// itself, the host name an operator gives an agent of its own (Nova's
// `host` option); several are <name>-00001 ….
func hostDrivers(cfg config.Config, log *slog.Logger, src imagefetch.Source, exactName bool) ([]driver.Driver, error) {
	name := cfg.Compute.Driver
	if name == "auto" {
		if _, err := exec.LookPath("qemu-system-x86_64"); err == nil {
			name = "qemu"
		} else {
			name = "fake"
			log.Warn("compute: qemu-system-x86_64 is not installed, so servers run on the fake hypervisor driver (simulated, no real guests); install qemu-system-x86 for real ones")
		}
	}
	switch name {
	case "qemu":
		cache := &imagecache.Cache{Dir: filepath.Join(cfg.DataDir, "compute", "_base")}
		var out []driver.Driver
		for _, opts := range qemuOptions(cfg) {
			opts.Log = log
			qemuAllocation(cfg, &opts)
			out = append(out, imagefetch.Wrap(qemu.New(opts), cache, src))
		}
		log.Info("compute: qemu hypervisor driver", "hosts", len(out))
		return out, nil
	case "fake":
		opts := fake.Options{HostName: cfg.Compute.HostName, Delay: cfg.Compute.FakeDelay}
		if opts.HostName == "" {
			opts.HostName = "fake-host"
		}
		if opts.Delay < 0 {
			opts.Delay = fake.Instant
		}
		fakeAllocation(cfg, &opts)
		var out []driver.Driver
		if exactName && cfg.Compute.FakeHypervisors == 1 && cfg.Compute.HostName != "" {
			out = append(out, fake.New(opts))
		} else {
			for _, h := range fake.NewHosts(cfg.Compute.FakeHypervisors, opts) {
				out = append(out, h)
			}
		}
		log.Info("compute: fake hypervisor driver", "hosts", len(out))
		return out, nil
	}
	return nil, fmt.Errorf("compute driver %q is not available in this build", cfg.Compute.Driver)
}

// tokenImageSource reads images for a host's image cache with the token
// of token: the agent's service user, or the process's service token in
// the all-in-one.
type tokenImageSource struct {
	images imageService
	token  func(ctx context.Context) (string, error)
}

func (s tokenImageSource) Get(ctx context.Context, id string) (*imagefetch.Image, error) {
	tok, err := s.token(ctx)
	if err != nil {
		return nil, err
	}
	i, err := s.images.c.Get(ctx, tok, id)
	if err != nil {
		return nil, imageErr(err)
	}
	out := &imagefetch.Image{ID: i.ID, DiskFormat: i.DiskFormat, Properties: i.Properties}
	switch {
	case i.HashAlgo != "" && i.HashValue != "":
		out.Checksum = i.HashAlgo + ":" + i.HashValue
	case i.Checksum != "":
		out.Checksum = "md5:" + i.Checksum
	}
	return out, nil
}

func (s tokenImageSource) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	tok, err := s.token(ctx)
	if err != nil {
		return nil, err
	}
	r, _, err := s.images.c.Download(ctx, tok, id)
	return r, imageErr(err)
}
