// Package l3 builds a host's routers: one network namespace per router
// (<prefix>qrouter-<id>) with IP forwarding on, a veth leg per router
// interface ("qr-") and gateway ("qg-") whose host ends the l2 realizer
// plugs into the networks' bridges, the router's default and extra
// routes, and its NAT in an nftables table of the namespace: SNAT of the
// tenant subnets to the gateway address, 1:1 DNAT/SNAT for floating IPs
// and DNAT for port forwardings.
//
//	root namespace                 <prefix>qrouter-<id>
//	  brq<tenant> ── tap<port> ═══ qr-<port>  10.0.0.1/24
//	  brq<ext>    ── tap<gw>   ═══ qg-<gw>    172.24.4.10/24, FIP/32 …
//	                                 table ip gostack-nat: DNAT FIP → fixed,
//	                                 SNAT fixed → FIP, SNAT subnets → gateway
//
// The realizer owns every namespace named <prefix>qrouter-*, the qr-/qg-
// devices in them, the routes in them tagged with its route protocol,
// and their nftables table gostack-nat.
package l3

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"sync"

	"github.com/vishvananda/netlink"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// Config configures the realizer.
type Config struct {
	// Root is the agent's host namespace, where the host ends of the
	// router legs live ("" = the process's own).
	Root string
	// Prefix sets apart the namespaces of the agents sharing a machine.
	Prefix string
	Log    *slog.Logger
}

// L3 is the router realizer.
type L3 struct {
	cfg Config

	// mu guards seen, which remembers per router what the kernel was last
	// given, so that an unchanged router costs a few netlink reads.
	mu   sync.Mutex
	seen map[string]*applied
}

// applied is what the realizer last put into one router's namespace.
type applied struct {
	// sysctls is set once forwarding has been switched on.
	sysctls bool
	// nat is the rendering of the NAT rules last loaded ("" = none yet).
	nat string
	// fips maps each floating IP to its fixed address, and fwds holds the
	// port forwardings, as last loaded: their removal or change drops the
	// conntrack entries that would keep the old mapping alive.
	fips map[netip.Addr]netip.Addr
	fwds map[state.Forwarding]bool
}

// New returns a realizer.
func New(cfg Config) *L3 {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &L3{cfg: cfg, seen: map[string]*applied{}}
}

// Close does nothing: the realizer runs no goroutines, and the kernel
// state it built stays for a restarted agent to adopt.
func (x *L3) Close() {}

// Apply brings the host's routers to h: every router's namespace, legs,
// routes and NAT, and no namespace of a router h no longer holds. An
// error in one router does not keep the others from being applied.
func (x *L3) Apply(ctx context.Context, h *state.Host) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	root, err := nsutil.Handle(x.cfg.Root)
	if err != nil {
		return fmt.Errorf("l3: root namespace: %w", err)
	}
	defer root.Close()

	var errs []error
	for id, r := range h.Routers {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := x.router(root, h, r); err != nil {
			errs = append(errs, fmt.Errorf("l3: router %s: %w", id, err))
		}
	}
	errs = append(errs, x.removeStale(h))
	return errors.Join(errs...)
}

// removeStale deletes the namespaces of routers h no longer holds; the
// veth pairs inside them go with them.
func (x *L3) removeStale(h *state.Host) error {
	nsPrefix := state.RouterNamespace(x.cfg.Prefix, "")
	names, err := nsutil.List(nsPrefix)
	if err != nil {
		return fmt.Errorf("l3: list namespaces: %w", err)
	}
	var errs []error
	for _, name := range names {
		id := strings.TrimPrefix(name, nsPrefix)
		if _, ok := h.Routers[id]; ok {
			continue
		}
		x.cfg.Log.Info("l3: removing router namespace", "namespace", name)
		// The legs go first: a namespace outlives its name for as long as
		// anything (a socket, a process) still holds it, and its veths
		// with it.
		if err := removeLegs(name); err != nil {
			errs = append(errs, err)
		}
		if err := nsutil.Delete(name); err != nil {
			errs = append(errs, err)
			continue
		}
		delete(x.seen, id)
	}
	for id := range x.seen {
		if _, ok := h.Routers[id]; !ok {
			delete(x.seen, id)
		}
	}
	return errors.Join(errs...)
}

// removeLegs deletes every qr-/qg- device in the namespace.
func removeLegs(ns string) error {
	h, err := nsutil.Handle(ns)
	if err != nil {
		return err
	}
	defer h.Close()
	return removeStaleLegs(h, nil)
}

// router brings one router's namespace to r.
func (x *L3) router(root *netlink.Handle, h *state.Host, r *state.Router) error {
	ns := state.RouterNamespace(x.cfg.Prefix, r.ID)
	fresh := !nsutil.Exists(ns)
	if err := nsutil.Ensure(ns); err != nil {
		return err
	}
	a := x.seen[r.ID]
	if a == nil || fresh {
		a = &applied{}
		x.seen[r.ID] = a
	}
	if !a.sysctls {
		if err := forwarding(ns); err != nil {
			return err
		}
		a.sysctls = true
	}

	fd, err := nsutil.Open(ns)
	if err != nil {
		return err
	}
	defer fd.Close()
	inner, err := netlink.NewHandleAt(fd)
	if err != nil {
		return fmt.Errorf("netlink in %s: %w", ns, err)
	}
	defer inner.Close()

	var errs []error
	want := map[string]bool{}
	for _, p := range r.Interfaces {
		l := leg{ns: ns, port: p, inner: state.InnerDevice(state.RouterIntPrfx, p.ID)}
		want[l.inner] = true
		if l.addrs, err = portAddrs(h, p); err == nil {
			err = l.ensure(root, inner, int(fd), x.cfg.Log)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("interface %s: %w", p.ID, err))
		}
	}
	gwDev := ""
	if p := r.Gateway; p != nil {
		gwDev = state.InnerDevice(state.GatewayPrefix, p.ID)
		l := leg{ns: ns, port: p, inner: gwDev}
		want[l.inner] = true
		if l.addrs, err = portAddrs(h, p); err == nil {
			l.addrs = append(l.addrs, floatingAddrs(r)...)
			err = l.ensure(root, inner, int(fd), x.cfg.Log)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("gateway %s: %w", p.ID, err))
		}
	}
	errs = append(errs, removeStaleLegs(inner, want))
	errs = append(errs, syncRoutes(inner, wantRoutes(r)))
	errs = append(errs, x.syncNAT(inner, int(fd), r, gwDev, a))
	return errors.Join(errs...)
}

// forwarding turns on IPv4 and IPv6 forwarding in the namespace; a
// kernel without IPv6 has no IPv6 switch to turn.
func forwarding(ns string) error {
	if err := nsutil.Sysctl(ns, "ipv4/ip_forward", "1"); err != nil {
		return fmt.Errorf("ipv4 forwarding: %w", err)
	}
	if err := nsutil.Sysctl(ns, "ipv6/conf/all/forwarding", "1"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("ipv6 forwarding: %w", err)
	}
	return nil
}

// portAddrs are p's addresses, each with its subnet's prefix length.
func portAddrs(h *state.Host, p *state.Port) ([]netip.Prefix, error) {
	n := h.Networks[p.NetworkID]
	if n == nil {
		return nil, fmt.Errorf("network %s of port %s is not in the host state", p.NetworkID, p.ID)
	}
	var out []netip.Prefix
	for _, ip := range p.IPs {
		var sub *state.Subnet
		for _, s := range n.Subnets {
			if s.ID == ip.SubnetID {
				sub = s
				break
			}
		}
		if sub == nil {
			return nil, fmt.Errorf("subnet %s of port %s is not in the host state", ip.SubnetID, p.ID)
		}
		out = append(out, netip.PrefixFrom(ip.IP, sub.CIDR.Bits()))
	}
	return out, nil
}

// floatingAddrs are the floating addresses the gateway answers ARP for:
// those of floating IPs and of port forwardings, each a host prefix.
func floatingAddrs(r *state.Router) []netip.Prefix {
	seen := map[netip.Addr]bool{}
	var out []netip.Prefix
	add := func(a netip.Addr) {
		if a.IsValid() && !seen[a] {
			seen[a] = true
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	for _, f := range r.FloatingIPs {
		add(f.Address)
	}
	for _, f := range r.Forwardings {
		add(f.Address)
	}
	return out
}
