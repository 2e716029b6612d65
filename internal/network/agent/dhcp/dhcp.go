// Package dhcp is the network agent's DHCP realizer: for every network
// whose DHCP server this host runs, a namespace (<prefix>qdhcp-<network>)
// holding the namespace end of the DHCP port's veth pair, an in-process
// DHCPv4 server answering the network's static leases on it, and the
// metadata proxy on 169.254.169.254:80, which signs the asking
// instance's id and forwards to Nova's metadata API, as Neutron's DHCP
// and metadata agents do.
//
//	guest ──DHCP──▶ ns-<port> ─▶ server4 handler ─▶ lease table (swapped on Apply)
//	guest ──HTTP 169.254.169.254──▶ proxy ─▶ lease by source IP
//	                                      ─▶ X-Instance-ID(+HMAC), X-Tenant-ID ─▶ Nova metadata API
//
// Only DHCPv4 is served: IPv6 guests configure themselves by SLAAC from
// the router's advertisements, and dhcpv6-stateful subnets get no
// DHCPv6 server yet.
package dhcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"syscall"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// Config configures the realizer.
type Config struct {
	// Root is the agent's host namespace, where the host ends of the DHCP
	// ports' veth pairs are made ("" = the process's own).
	Root string
	// Prefix sets apart the namespaces of the agents sharing one machine.
	Prefix string
	Log    *slog.Logger
	// MetadataURL is the base URL of Nova's metadata API (for example
	// http://127.0.0.1:8775); "" runs no metadata proxy.
	MetadataURL string
	// MetadataSecret is Neutron's metadata_proxy_shared_secret, as Nova's
	// metadata API is configured with it (the hex text, whose bytes are
	// the HMAC key).
	MetadataSecret string
	// HTTPClient's transport carries the proxied requests to Nova;
	// http.DefaultTransport when nil.
	HTTPClient *http.Client
}

// Realizer runs the DHCP servers and metadata proxies of one host.
type Realizer struct {
	cfg Config

	mu sync.Mutex
	// servers are the running servers, by namespace name.
	servers map[string]*server
}

// New returns a realizer; it starts nothing until Apply.
func New(cfg Config) *Realizer {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Realizer{cfg: cfg, servers: map[string]*server{}}
}

// Apply brings the host's DHCP namespaces, devices, servers and proxies
// to h, and removes the namespaces of networks h no longer serves.
func (r *Realizer) Apply(ctx context.Context, h *state.Host) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	want := map[string]bool{}
	ids := make([]string, 0, len(h.DHCP))
	for id := range h.DHCP {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := h.DHCP[id]
		ns := state.DHCPNamespace(r.cfg.Prefix, id)
		want[ns] = true
		if err := r.applyOne(d, ns); err != nil {
			errs = append(errs, fmt.Errorf("dhcp: network %s: %w", id, err))
		}
	}
	stale, err := nsutil.List(r.cfg.Prefix + state.DHCPNSPrefix)
	if err != nil {
		errs = append(errs, err)
	}
	for _, ns := range stale {
		if want[ns] {
			continue
		}
		r.stop(ns)
		if err := nsutil.Delete(ns); err != nil {
			errs = append(errs, err)
			continue
		}
		r.cfg.Log.Info("dhcp: removed stale namespace", "namespace", ns)
	}
	// Servers whose namespace went away by other hands.
	for ns := range r.servers {
		if !want[ns] {
			r.stop(ns)
		}
	}
	return errors.Join(errs...)
}

// applyOne brings one network's namespace and server to d.
func (r *Realizer) applyOne(d *state.DHCP, ns string) error {
	if d.Port == nil {
		return errors.New("no DHCP port")
	}
	// A namespace deleted (or deleted and made again) by hand took the
	// server's sockets with it: the server is started afresh.
	if s := r.servers[ns]; s != nil && (!s.alive() || s.nsID != nsIdentity(ns)) {
		r.cfg.Log.Warn("dhcp: restarting server whose namespace or sockets went away", "namespace", ns)
		r.stop(ns)
	}
	if err := nsutil.Ensure(ns); err != nil {
		return err
	}
	dev, err := plumb(r.cfg.Root, ns, d)
	if err != nil {
		return err
	}
	t := newTable(d)
	s := r.servers[ns]
	if s != nil && (s.dev != dev || s.v4 != t.v4()) {
		r.stop(ns)
		s = nil
	}
	if s == nil {
		s, err = r.start(ns, dev, t)
		if err != nil {
			return err
		}
		r.servers[ns] = s
		return nil
	}
	s.table.Store(t)
	return nil
}

// stop stops the server of namespace ns, if it runs.
func (r *Realizer) stop(ns string) {
	if s := r.servers[ns]; s != nil {
		s.close()
		delete(r.servers, ns)
	}
}

// Close stops every server and proxy; the namespaces and devices stay
// for the next agent to adopt.
func (r *Realizer) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ns := range slices.Sorted(maps.Keys(r.servers)) {
		r.stop(ns)
	}
}

// nsIdentity is the inode of the named namespace (0 when it is gone),
// which tells a namespace made again under the same name from the one a
// server's sockets live in.
func nsIdentity(ns string) uint64 {
	fi, err := os.Stat(filepath.Join(nsutil.RunDir, ns))
	if err != nil {
		return 0
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
