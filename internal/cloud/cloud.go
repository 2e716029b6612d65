// Package cloud assembles a running cloud from the configuration: the
// database, the bus, every registered service and its listener, and the
// bootstrap (admin user, roles, catalog, openrc, clouds.yaml). `gostack up`
// and the in-process test cloud both start clouds through it.
package cloud

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/identity"
	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/notify"
	"github.com/gostack/gostack/internal/platform/worker"
)

// Env is what a service gets when it starts.
type Env struct {
	Config   config.Config
	DB       *db.DB
	Log      *slog.Logger
	Bus      *bus.Bus
	Notifier *notify.Notifier
	// Liveness knows which services on which hosts sent a heartbeat lately
	// (what `openstack compute service list` shows as up or down).
	Liveness *bus.Liveness
	// Workers are the cloud's background workers, started once every
	// service is up and stopped before the services close.
	Workers  *worker.Group
	Identity *identity.Service
	// URLs are the catalog URLs of the services of this process by
	// catalog type, known before any service starts (services reach each
	// other through their clients at these URLs).
	URLs map[string]string

	serviceToken string
	closers      []func()
	// Handed from the compute service to its internal companions.
	consoleProxy http.Handler
	metadataAPI  http.Handler
}

// OnClose registers fn to run when the cloud stops, after the HTTP servers
// and before the bus and the database; the last registered runs first.
func (e *Env) OnClose(fn func()) { e.closers = append(e.closers, fn) }

// ServiceSpec describes one API service of the cloud.
type ServiceSpec struct {
	Name        string // "identity"
	Type        string // catalog type
	Description string
	// Port returns the service's listening port from the configuration.
	Port func(config.Config) int
	// Path is appended to http://host:port for the catalog URL.
	Path string
	// Start builds the service's HTTP handler.
	Start func(ctx context.Context, env *Env) (http.Handler, error)
	// Internal services (the console proxy, the metadata API) have no
	// catalog entry and no heartbeat of their own.
	Internal bool
}

// Cloud is a running cloud.
type Cloud struct {
	Config   config.Config
	Env      *Env
	AuthURL  string
	Admin    identity.BootstrapResult
	Password string // admin password, when known
	// Endpoints lists each service's catalog type and URL, in start order.
	Endpoints [][2]string
	listeners []net.Listener
	servers   []*http.Server
	wg        sync.WaitGroup
	errc      chan error
	busServer *bus.Server
	stopWork  context.CancelFunc
}

// startBus connects to the configured NATS, or starts one in-process.
func (c *Cloud) startBus() error {
	var err error
	if c.Config.BusURL != "" {
		c.Env.Bus, err = bus.Connect(c.Config.BusURL, bus.Name("gostack"), bus.Logger(c.Env.Log))
		if err != nil {
			return fmt.Errorf("connect to the bus %s: %w", c.Config.BusURL, err)
		}
	} else {
		if c.busServer, err = bus.StartEmbedded(bus.Options{}); err != nil {
			return err
		}
		if c.Env.Bus, err = bus.ConnectServer(c.busServer, bus.Name("gostack"), bus.Logger(c.Env.Log)); err != nil {
			return err
		}
	}
	c.Env.Notifier = notify.New(c.Env.Bus, "gostack")
	c.Env.Liveness = bus.NewLiveness(0)
	if _, err := c.Env.Liveness.Watch(c.Env.Bus); err != nil {
		return err
	}
	c.Env.Workers = worker.NewGroup(c.Env.Log)
	return nil
}

// startWorkers adds a heartbeat for every service of this process and
// starts the background workers.
func (c *Cloud) startWorkers(specs []ServiceSpec) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	for _, s := range specs {
		if s.Internal {
			continue
		}
		hb := &bus.Heartbeat{Bus: c.Env.Bus, Service: s.Type, Host: host, Binary: "gostack-" + s.Name}
		c.Env.Workers.Add("heartbeat-"+s.Type, 10*time.Second, hb.Beat)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.stopWork = cancel
	c.Env.Workers.Start(ctx)
}

// Start opens the database, starts every service and bootstraps.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger, specs []ServiceSpec) (*Cloud, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return nil, err
	}
	c := &Cloud{Config: cfg, errc: make(chan error, len(specs))}
	c.Env = &Env{Config: cfg, DB: d, Log: log}
	if err := c.startBus(); err != nil {
		c.Close()
		return nil, err
	}

	// Listen first so that a busy port fails the start before anything else.
	for _, s := range specs {
		addr := net.JoinHostPort(cfg.Host, strconv.Itoa(s.Port(cfg)))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("%s: listen on %s: %w", s.Name, addr, err)
		}
		c.listeners = append(c.listeners, l)
	}
	// Catalog URLs use the real ports (tests listen on port 0).
	urls := make([]string, len(specs))
	for i, s := range specs {
		port := c.listeners[i].Addr().(*net.TCPAddr).Port
		urls[i] = "http://" + net.JoinHostPort(cfg.AdvertisedHost(), strconv.Itoa(port)) + s.Path
		if s.Type == "identity" {
			c.Config.Identity.Port = port
		}
		c.Endpoints = append(c.Endpoints, [2]string{s.Type, urls[i]})
	}
	c.Env.Config = c.Config
	c.Env.URLs = map[string]string{}
	for _, e := range c.Endpoints {
		c.Env.URLs[e[0]] = e[1]
	}
	c.Env.serviceToken = randomPassword() + randomPassword()

	handlers := make([]http.Handler, len(specs))
	for i, s := range specs {
		h, err := s.Start(ctx, c.Env)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("start %s: %w", s.Name, err)
		}
		handlers[i] = h
		if s.Type == "identity" {
			c.AuthURL = urls[i]
		}
	}
	if c.Env.Identity == nil {
		c.Close()
		return nil, errors.New("the identity service is not registered")
	}

	if err := c.bootstrap(ctx, specs, urls); err != nil {
		c.Close()
		return nil, err
	}

	c.startWorkers(specs)
	for i, l := range c.listeners {
		srv := &http.Server{
			Handler:           handlers[i],
			ReadHeaderTimeout: 30 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		c.servers = append(c.servers, srv)
		c.wg.Add(1)
		go func(l net.Listener, name string) {
			defer c.wg.Done()
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				c.errc <- fmt.Errorf("%s: %w", name, err)
			}
		}(l, specs[i].Name)
	}
	return c, nil
}

func (c *Cloud) bootstrap(ctx context.Context, specs []ServiceSpec, urls []string) error {
	pw := c.Config.AdminPassword
	reset := pw != ""
	generated := false
	if pw == "" {
		// Keep the password of an earlier start when there was one.
		if _, err := c.Env.Identity.GetUserByName(ctx, identity.DefaultDomainID, "admin"); err != nil {
			pw, generated = randomPassword(), true
		} else {
			pw = readOpenrcPassword(filepath.Join(c.Config.DataDir, "openrc"))
		}
	}
	spec := identity.BootstrapSpec{
		AdminPassword: pw, ResetPassword: reset || generated, Region: c.Config.Region,
	}
	if spec.AdminPassword == "" {
		// Existing admin, no password known: bootstrap without touching it.
		spec.AdminPassword = randomPassword()
		spec.ResetPassword = false
		pw = ""
	}
	for i, s := range specs {
		if s.Internal {
			continue
		}
		spec.Services = append(spec.Services, identity.BootstrapService{
			Type: s.Type, Name: s.Name, Description: s.Description,
			PublicURL: urls[i], InternalURL: urls[i], AdminURL: urls[i],
		})
	}
	res, err := c.Env.Identity.Bootstrap(ctx, spec)
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	c.Admin, c.Password = *res, pw
	if pw != "" {
		if err := WriteClientFiles(c.Config.DataDir, c.AuthURL, c.Config.Region, pw); err != nil {
			return err
		}
	}
	return nil
}

// Err reports a server that stopped on its own.
func (c *Cloud) Err() <-chan error { return c.errc }

// Close stops the servers and closes the database.
func (c *Cloud) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range c.servers {
		s.Shutdown(ctx)
	}
	if len(c.servers) == 0 {
		for _, l := range c.listeners {
			l.Close()
		}
	}
	c.wg.Wait()
	if c.stopWork != nil {
		c.stopWork()
		c.Env.Workers.Wait()
	}
	if c.Env != nil {
		for i := len(c.Env.closers) - 1; i >= 0; i-- {
			c.Env.closers[i]()
		}
		c.Env.closers = nil
	}
	if c.Env != nil && c.Env.Bus != nil {
		c.Env.Bus.Close()
	}
	if c.busServer != nil {
		c.busServer.Shutdown()
	}
	if c.Env != nil && c.Env.DB != nil {
		return c.Env.DB.Close()
	}
	return nil
}

func randomPassword() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
