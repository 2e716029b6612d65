package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/agent/dhcp"
	"github.com/gostack/gostack/internal/network/agent/firewall"
	"github.com/gostack/gostack/internal/network/agent/l2"
	"github.com/gostack/gostack/internal/network/agent/l3"
	"github.com/gostack/gostack/internal/network/agent/state"
	"github.com/gostack/gostack/internal/network/extras"
	"github.com/gostack/gostack/internal/network/ports"
)

// Agent types the agent registers as, Neutron's names.
const (
	AgentType     = "Linux bridge agent"
	AgentMetadata = "Metadata agent"
)

// Config is one host's agent configuration.
type Config struct {
	// Host is the host's name: the ports bound to it are wired here, and
	// so are those bound to Aliases (the other compute hosts this process
	// runs on the same machine).
	Host    string
	Aliases []string
	// Root is the namespace the agent treats as its host ("" = the
	// process's own); Prefix prefixes the names of the namespaces it
	// makes. Tests run several agents on one machine with these.
	Root, Prefix string
	// TunnelIP is the host's VXLAN endpoint, an address of one of its
	// interfaces (invalid: VXLAN networks stay on this host).
	TunnelIP netip.Addr
	// Bridges maps physical networks to host bridges the agent uses as
	// their flat networks' bridge (DevStack's public:br-ex); Interfaces
	// maps physical networks to host interfaces a flat network's bridge
	// enslaves (physical_interface_mappings).
	Bridges, Interfaces map[string]string
	// DHCP and L3: this host runs the networks' DHCP servers and the
	// routers (one network node per cloud for now).
	DHCP, L3 bool
	// MetadataURL is Nova's metadata API; MetadataSecret the shared
	// secret (hex) it checks the signed instance ids with.
	MetadataURL, MetadataSecret string
	HTTPClient                  *http.Client
	// DNSDomain is the DHCP domain (the network service's dns_domain).
	DNSDomain string
	// Resync is how often the agent checks the host against the
	// database with nothing changed (default 5 s); Report how often it
	// reports its state (default 30 s).
	Resync, Report time.Duration
	Log            *slog.Logger
}

// Agent is one host's network agent.
type Agent struct {
	cfg   Config
	svc   *network.Service
	ports *ports.Service
	extra *extras.Service

	l2   *l2.Realizer
	dhcp *dhcp.Realizer
	l3   *l3.L3
	fw   *firewall.Firewall

	kick chan struct{}

	mu       sync.Mutex
	reported time.Time
	started  bool
	// counts are what the last reconciliation wired (ports, DHCP
	// networks, routers), the figures the agents' reports show.
	counts [3]int
}

// New returns the agent of a host over the networking service.
func New(svc *network.Service, cfg Config) *Agent {
	if cfg.Resync == 0 {
		cfg.Resync = 5 * time.Second
	}
	if cfg.Report == 0 {
		cfg.Report = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	log := cfg.Log.With("agent", "network", "host", cfg.Host)
	cfg.Log = log
	return &Agent{
		cfg: cfg, svc: svc, ports: ports.New(svc), extra: extras.New(svc),
		l2:   l2.New(l2.Config{Root: cfg.Root, Log: log}),
		dhcp: dhcp.New(dhcp.Config{Root: cfg.Root, Prefix: cfg.Prefix, Log: log, MetadataURL: cfg.MetadataURL, MetadataSecret: cfg.MetadataSecret, HTTPClient: cfg.HTTPClient}),
		l3:   l3.New(l3.Config{Root: cfg.Root, Prefix: cfg.Prefix, Log: log}),
		fw:   firewall.New(firewall.Config{Root: cfg.Root, Log: log}),
		kick: make(chan struct{}, 1),
	}
}

// Kick asks for a reconciliation soon: something changed in the
// database or on the host. It never blocks.
func (a *Agent) Kick() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// Run reconciles the host with the database until ctx ends: at once, on
// every Kick (after a few milliseconds that gather the kicks of one
// change), and every Resync.
func (a *Agent) Run(ctx context.Context) error {
	defer a.Close()
	go func() {
		if err := l2.Watch(ctx, a.cfg.Root, a.Kick); err != nil && ctx.Err() == nil {
			a.cfg.Log.Warn("watching links", "err", err)
		}
	}()
	tick := time.NewTicker(a.cfg.Resync)
	defer tick.Stop()
	force := true
	for {
		if err := a.Reconcile(ctx, force); err != nil && ctx.Err() == nil {
			a.cfg.Log.Warn("reconcile", "err", err)
		}
		force = false
		select {
		case <-ctx.Done():
			return nil
		case <-a.kick:
			select {
			case <-time.After(20 * time.Millisecond):
			case <-ctx.Done():
				return nil
			}
		case <-tick.C:
			force = true
		}
	}
}

// Reconcile brings the host to the database once. force re-applies what
// the realizers would otherwise skip as unchanged (a rule deleted by
// hand is restored).
func (a *Agent) Reconcile(ctx context.Context, force bool) error {
	if err := a.report(ctx); err != nil {
		a.cfg.Log.Warn("reporting agent state", "err", err)
	}
	snap, err := read(ctx, a.svc.Store())
	if err != nil {
		return err
	}
	if a.cfg.DHCP {
		changed, err := a.ensureDHCPPorts(ctx, snap)
		if err != nil {
			a.cfg.Log.Warn("DHCP ports", "err", err)
		}
		if changed {
			if snap, err = read(ctx, a.svc.Store()); err != nil {
				return err
			}
		}
	}
	h := build(snap, &a.cfg)
	a.mu.Lock()
	a.counts = [3]int{len(h.Ports), len(h.DHCP), len(h.Routers)}
	a.mu.Unlock()
	if force {
		a.fw.Force()
	}
	plugged, err := a.apply(ctx, h)
	if perr := a.reportPorts(ctx, h, plugged); perr != nil {
		err = errors.Join(err, perr)
	}
	return err
}

// apply hands h to every realizer: the firewall first, so that a port
// is filtered before it is plugged; DHCP and routers make their veths,
// which l2 then plugs. One realizer's failure (or panic: a bug must not
// take the cloud down) does not stop the others.
func (a *Agent) apply(ctx context.Context, h *state.Host) (l2.Plugged, error) {
	var plugged l2.Plugged
	type step struct {
		name string
		fn   func() error
	}
	steps := []step{{"firewall", func() error { return a.fw.Apply(ctx, h) }}}
	// A host that runs no DHCP servers (routers) leaves the DHCP (router)
	// namespaces alone, as Neutron's L2 agent does: on a machine shared by
	// several agents' hosts they are another's.
	if a.cfg.DHCP {
		steps = append(steps, step{"dhcp", func() error { return a.dhcp.Apply(ctx, h) }})
	}
	if a.cfg.L3 {
		steps = append(steps, step{"l3", func() error { return a.l3.Apply(ctx, h) }})
	}
	steps = append(steps, step{"l2", func() (err error) { plugged, err = a.l2.Apply(ctx, h); return err }})
	var errs []error
	for _, st := range steps {
		if err := guard(st.name, st.fn); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", st.name, err))
		}
	}
	return plugged, errors.Join(errs...)
}

func guard(name string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in the %s realizer: %v\n%s", name, r, debug.Stack())
		}
	}()
	return fn()
}

// Cleanup removes everything the agent built on the host: namespaces,
// bridges, VXLAN devices, rules (the mapped bridges stay, without the
// addresses it gave them). The agent must not be running.
func (a *Agent) Cleanup(ctx context.Context) error {
	h := &state.Host{Name: a.cfg.Host, Networks: map[string]*state.Network{}, Ports: map[string]*state.Port{},
		DHCP: map[string]*state.DHCP{}, Routers: map[string]*state.Router{}, Groups: map[string]*state.Group{},
		Bridges: a.cfg.Bridges, Interfaces: a.cfg.Interfaces}
	a.fw.Force()
	_, err := a.apply(ctx, h)
	a.Close()
	return err
}

// reportPorts sets the status of the ports whose device came or went,
// and binds the router ports it wires to this host.
func (a *Agent) reportPorts(ctx context.Context, h *state.Host, plugged l2.Plugged) error {
	r := ports.StatusReport{Host: a.cfg.Host, Status: map[string]string{}}
	for id, p := range h.Ports {
		want := "DOWN"
		if plugged[id] && p.AdminUp {
			want = "ACTIVE"
		}
		if want != p.Status {
			r.Status[id] = want
		}
	}
	for _, rt := range h.Routers {
		for _, p := range append(append([]*state.Port{}, rt.Interfaces...), rt.Gateway) {
			if p != nil && p.Status != "ACTIVE" && plugged[p.ID] {
				r.Bind = append(r.Bind, p.ID)
			}
		}
	}
	if len(r.Status) == 0 && len(r.Bind) == 0 {
		return nil
	}
	return a.ports.ReportStatus(ctx, r)
}

// report registers the agent and sends its heartbeat every Report.
func (a *Agent) report(ctx context.Context) error {
	a.mu.Lock()
	due := time.Since(a.reported) >= a.cfg.Report
	start := !a.started
	counts := a.counts
	a.mu.Unlock()
	if !due {
		return nil
	}
	conf := map[string]any{"bridge_mappings": a.cfg.Bridges, "interface_mappings": a.cfg.Interfaces,
		"l2_population": true, "tunnel_types": []string{"vxlan"}, "devices": counts[0]}
	if a.cfg.TunnelIP.IsValid() {
		conf["tunneling_ip"] = a.cfg.TunnelIP.String()
	}
	reports := []extras.AgentReport{{Type: AgentType, Binary: "neutron-linuxbridge-agent", Topic: "N/A", Host: a.cfg.Host, Configuration: conf, Start: start}}
	if a.cfg.DHCP {
		nova := "nova"
		reports = append(reports,
			extras.AgentReport{Type: network.AgentDHCP, Binary: "neutron-dhcp-agent", Topic: "dhcp_agent", Host: a.cfg.Host, AZ: &nova,
				Configuration: map[string]any{"dhcp_driver": "gostack", "networks": counts[1]}, Start: start},
			extras.AgentReport{Type: AgentMetadata, Binary: "neutron-metadata-agent", Topic: "N/A", Host: a.cfg.Host,
				Configuration: map[string]any{"metadata_proxy_socket": "in-process"}, Start: start})
	}
	if a.cfg.L3 {
		nova := "nova"
		reports = append(reports, extras.AgentReport{Type: network.AgentL3, Binary: "neutron-l3-agent", Topic: "l3_agent", Host: a.cfg.Host, AZ: &nova,
			Configuration: map[string]any{"agent_mode": "legacy", "routers": counts[2]}, Start: start})
	}
	for _, r := range reports {
		if _, err := a.extra.ReportAgent(ctx, r); err != nil {
			return err
		}
	}
	a.mu.Lock()
	a.reported, a.started = time.Now(), true
	a.mu.Unlock()
	return nil
}

// Close stops what the realizers run (DHCP servers, metadata proxies),
// leaving the kernel state for the next agent to adopt.
func (a *Agent) Close() {
	a.dhcp.Close()
	a.l3.Close()
	a.fw.Close()
	a.l2.Close()
}
