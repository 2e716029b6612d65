// Package cloud assembles a running cloud from the configuration: the
// database, the bus, every registered service and its listener, and the
// bootstrap (admin user, roles, catalog, openrc, clouds.yaml), and the
// Prometheus /metrics listener beside the APIs (not in the catalog: it is
// for operators, not OpenStack clients). `gostack up`, `gostack serve`
// and the in-process test cloud all start clouds through it. A serve
// replica's configuration is API-only (config.APIOnly): its services run
// no host agents, it closes the listeners they leave without a handler,
// and instead of bootstrapping it checks that `gostack admin bootstrap`
// prepared the shared database (ConfiguredURLs and CatalogEntries are the
// catalog that command registers).
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
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/config"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/lease"
	"github.com/gostack/gostack/internal/platform/metrics"
	"github.com/gostack/gostack/internal/platform/notify"
	"github.com/gostack/gostack/internal/platform/service"
	"github.com/gostack/gostack/internal/platform/worker"
)

// Cloud is a running cloud.
type Cloud struct {
	Config   config.Config
	Env      *service.Env
	AuthURL  string
	Admin    service.BootstrapResult
	Password string // admin password, when known
	// Endpoints lists each service's catalog type and URL, in start order.
	Endpoints [][2]string
	// MetricsURL is where the process figures are served
	// (http://HOST:PORT/metrics).
	MetricsURL string
	listeners  []listener
	metrics    net.Listener
	servers    []*http.Server
	wg         sync.WaitGroup
	errc       chan error
	busServer  *bus.Server
	stopWork   context.CancelFunc
	remote     map[string]string
}

// startBus connects to the configured NATS, or starts one in-process.
func (c *Cloud) startBus(ctx context.Context) error {
	var err error
	if c.Config.BusURL != "" {
		c.Env.Bus, err = bus.Connect(c.Config.BusURL, bus.Name("gostack"), bus.Logger(c.Env.Log), bus.CAFile(c.Config.BusCAFile))
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
	// Periodic work that must run once per period in the whole cluster
	// (Workers.AddOnce) holds a lease in the shared database.
	leases, err := lease.Open(ctx, c.Env.DB)
	if err != nil {
		return fmt.Errorf("leases: %w", err)
	}
	c.Env.Workers = worker.NewGroup(c.Env.Log, worker.WithLeases(leases))
	return nil
}

// startWorkers adds a heartbeat for every service of this process and
// starts the background workers.
func (c *Cloud) startWorkers(specs []service.Spec) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	for _, s := range specs {
		hb := &bus.Heartbeat{Bus: c.Env.Bus, Service: s.Type, Host: host, Binary: "gostack-" + s.Name}
		c.Env.Workers.Add("heartbeat-"+s.Type, 10*time.Second, hb.Beat)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.stopWork = cancel
	c.Env.Workers.Start(ctx)
}

// listener is one listening socket of a service.
type listener struct {
	service string // the spec's name
	key     string // its URL's key in Env.URLs: the catalog type or the listener name
	path    string
	l       net.Listener
	url     string
}

// Option changes how Start assembles a cloud.
type Option func(*Cloud)

// WithRemote gives the URLs (by catalog type) of services this process
// does not run: a replica serving some services reaches the others there
// (gostack serve --services).
func WithRemote(urls map[string]string) Option {
	return func(c *Cloud) { c.remote = urls }
}

// Start opens the database, starts every service and bootstraps.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger, specs []service.Spec, opts ...Option) (*Cloud, error) {
	c := &Cloud{Config: cfg, errc: make(chan error, 8*len(specs)+8)}
	for _, o := range opts {
		o(c)
	}
	// Listen first so that a busy port fails the start before anything is
	// written, not even the data dir.
	for _, s := range specs {
		if err := c.listen(s.Name, s.Type, s.Path, s.Port(cfg)); err != nil {
			c.Close()
			return nil, err
		}
		for _, x := range s.Listeners {
			if err := c.listen(s.Name, x.Name, x.Path, x.Port(cfg)); err != nil {
				c.Close()
				return nil, err
			}
		}
	}
	if err := c.listenMetrics(); err != nil {
		c.Close()
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		c.Close()
		return nil, err
	}
	d, err := db.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		c.Close()
		return nil, err
	}
	c.Env = service.NewEnv(randomPassword() + randomPassword())
	c.Env.Config, c.Env.DB, c.Env.Log = cfg, d, log
	if err := c.startBus(ctx); err != nil {
		c.Close()
		return nil, err
	}
	c.Env.URLs = map[string]string{}
	for k, u := range c.remote {
		c.Env.URLs[k] = u
	}
	for _, l := range c.listeners {
		c.Env.URLs[l.key] = l.url
	}
	for _, s := range specs {
		c.Endpoints = append(c.Endpoints, [2]string{s.Type, c.Env.URLs[s.Type]})
		for _, x := range s.Listeners {
			c.Endpoints = append(c.Endpoints, [2]string{x.Name, c.Env.URLs[x.Name]})
		}
	}

	handlers := map[string]http.Handler{}
	for _, s := range specs {
		h, err := s.Start(ctx, c.Env)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("start %s: %w", s.Name, err)
		}
		handlers[s.Type] = h
		for _, x := range s.Listeners {
			if handlers[x.Name] = c.Env.Handler(x.Name); handlers[x.Name] == nil && !cfg.APIOnly {
				c.Close()
				return nil, fmt.Errorf("start %s: no handler for its %s listener", s.Name, x.Name)
			}
		}
		if s.Type == "identity" {
			c.AuthURL = c.Env.URLs[s.Type]
			// A replica checks the database was bootstrapped before its
			// other services set anything up on it.
			if err := c.checkBootstrapped(ctx); err != nil {
				c.Close()
				return nil, err
			}
		}
	}
	if c.Env.Identity() == nil {
		c.Close()
		return nil, errors.New("the identity service is not registered")
	}
	// An API-only process leaves the listeners of this host's agents (the
	// storage node's servers) without handlers: it closes them.
	c.dropUnhandled(handlers)
	// Services reach each other in-process at their catalog addresses.
	for _, l := range c.listeners {
		c.Env.Serve(l.l.Addr().String(), handlers[l.key])
		if u, err := url.Parse(l.url); err == nil {
			c.Env.Serve(u.Host, handlers[l.key])
		}
	}

	if err := c.bootstrap(ctx, specs); err != nil {
		c.Close()
		return nil, err
	}

	c.startWorkers(specs)
	for _, l := range c.listeners {
		c.serve(l.l, l.service, handlers[l.key], log)
	}
	// The process figures: the database pools and the bus connection of
	// this cloud, and the Go runtime and process of the binary.
	// /healthz beside /metrics: 503 naming the database or the bus when
	// either is out of reach, for load balancers and probes.
	src := metrics.Sources{DB: c.Env.DB, Bus: c.Env.Bus}
	c.serve(c.metrics, "metrics", metrics.Handler(metrics.New(src), metrics.Checks(src)...), log)
	return c, nil
}

// dropUnhandled closes the listeners no service gave a handler, and takes
// them out of the endpoints.
func (c *Cloud) dropUnhandled(handlers map[string]http.Handler) {
	kept := c.listeners[:0]
	for _, l := range c.listeners {
		if handlers[l.key] != nil {
			kept = append(kept, l)
			continue
		}
		l.l.Close()
		delete(c.Env.URLs, l.key)
		c.Endpoints = slices.DeleteFunc(c.Endpoints, func(ep [2]string) bool { return ep[0] == l.key })
	}
	c.listeners = kept
}

// serve runs an HTTP server on l until Close; a server that stops on its
// own is reported on Err.
func (c *Cloud) serve(l net.Listener, name string, h http.Handler, log *slog.Logger) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	c.servers = append(c.servers, srv)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.errc <- fmt.Errorf("%s: %w", name, err)
		}
	}()
}

// listenMetrics opens the /metrics listener with the service listeners, so
// that a busy port fails the start before anything is written.
func (c *Cloud) listenMetrics() error {
	addr := net.JoinHostPort(c.Config.Host, strconv.Itoa(c.Config.MetricsPort))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	c.metrics = l
	p := l.Addr().(*net.TCPAddr).Port
	c.MetricsURL = "http://" + net.JoinHostPort(c.Config.AdvertisedHost(), strconv.Itoa(p)) + "/metrics"
	return nil
}

// listen opens one listener; its URL uses the real port (tests listen on
// port 0).
func (c *Cloud) listen(name, key, path string, port int) error {
	addr := net.JoinHostPort(c.Config.Host, strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: listen on %s: %w", name, addr, err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	url := "http://" + net.JoinHostPort(c.Config.AdvertisedHost(), strconv.Itoa(p)) + path
	c.listeners = append(c.listeners, listener{service: name, key: key, path: path, l: l, url: url})
	return nil
}

func (c *Cloud) bootstrap(ctx context.Context, specs []service.Spec) error {
	id := c.Env.Identity()
	if c.Config.APIOnly {
		return c.joinCluster(ctx, specs)
	}
	pw := c.Config.AdminPassword
	reset := pw != ""
	if pw == "" {
		// Keep the password of an earlier start when there was one.
		exists, err := id.AdminExists(ctx)
		if err != nil {
			return err
		}
		if !exists {
			pw, reset = randomPassword(), true
		} else {
			pw = readOpenrcPassword(filepath.Join(c.Config.DataDir, "openrc"))
		}
	}
	req := service.BootstrapRequest{AdminPassword: pw, ResetPassword: reset, Region: c.Config.Region}
	if req.AdminPassword == "" {
		// Existing admin, no password known: bootstrap without touching it.
		req.AdminPassword, req.ResetPassword = randomPassword(), false
	}
	req.Roles, req.Catalog = Roles(specs), CatalogEntries(specs, c.Env.URLs)
	res, err := id.Bootstrap(ctx, req)
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	c.Admin, c.Password = *res, pw
	c.Env.SetServiceProject(res.ServiceProjectID)
	if pw != "" {
		if err := WriteClientFiles(c.Config.DataDir, c.AuthURL, c.Config.Region, pw); err != nil {
			return err
		}
	}
	return nil
}

// joinCluster is the bootstrap of an API-only replica (gostack serve): the
// database must have been bootstrapped (`gostack admin bootstrap`, once
// per cloud), and the replica only makes sure of its services' roles and
// learns the service project. It never changes the admin password — the
// operator gave it once, and a replica restarting with another value
// must not lock everyone out — nor the catalog, which names the address
// clients use (a load balancer, the public host), not one replica's.
func (c *Cloud) joinCluster(ctx context.Context, specs []service.Spec) error {
	if err := c.checkBootstrapped(ctx); err != nil {
		return err
	}
	res, err := c.Env.Identity().Bootstrap(ctx, service.BootstrapRequest{AdminPassword: randomPassword(), Region: c.Config.Region, Roles: Roles(specs)})
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	c.Admin = *res
	c.Env.SetServiceProject(res.ServiceProjectID)
	return nil
}

// checkBootstrapped fails an API-only start on a database that `gostack
// admin bootstrap` has not prepared.
func (c *Cloud) checkBootstrapped(ctx context.Context) error {
	if !c.Config.APIOnly {
		return nil
	}
	exists, err := c.Env.Identity().AdminExists(ctx)
	if err != nil {
		return err
	}
	if !exists {
		return errors.New("the database is not bootstrapped: run 'gostack admin bootstrap --database-url ... --admin-password ...' once first")
	}
	return nil
}

// Roles are the further roles the services of specs need (Swift's
// ResellerAdmin).
func Roles(specs []service.Spec) []string {
	var roles []string
	for _, s := range specs {
		roles = append(roles, s.Roles...)
	}
	return roles
}

// CatalogEntries are the catalog entries of specs at urls (by catalog
// type), with their aliases.
func CatalogEntries(specs []service.Spec, urls map[string]string) []service.CatalogEntry {
	var out []service.CatalogEntry
	for _, s := range specs {
		if s.NoCatalog {
			continue
		}
		out = append(out, service.CatalogEntry{Type: s.Type, Name: s.Name, Description: s.Description, URL: urls[s.Type]})
		for _, a := range s.Aliases {
			out = append(out, service.CatalogEntry{Type: a, Name: s.Name + a, Description: s.Description, URL: urls[s.Type]})
		}
	}
	return out
}

// ConfiguredURLs are the services' URLs as the configuration gives them
// (the public host, else the listen host, and each service's port), by
// catalog type: what `gostack admin bootstrap` registers for replicas
// that all answer at one address.
func ConfiguredURLs(cfg config.Config, specs []service.Spec) map[string]string {
	urls := map[string]string{}
	for _, s := range specs {
		urls[s.Type] = cfg.URL(s.Port(cfg)) + s.Path
	}
	return urls
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
			l.l.Close()
		}
		if c.metrics != nil {
			c.metrics.Close()
		}
	}
	c.wg.Wait()
	if c.stopWork != nil {
		c.stopWork()
		c.Env.Workers.Wait()
	}
	if c.Env != nil {
		for _, fn := range c.Env.Closers() {
			fn()
		}
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
