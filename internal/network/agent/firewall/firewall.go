// Package firewall enforces security groups and anti-spoofing on the
// ports of one host with nftables, in the host namespace the agent
// works in.
//
// Guests' taps and the host ends of DHCP and router veths are ports of
// Linux bridges, so their traffic is bridged. The bridge family has no
// conntrack, but br_netfilter (bridge-nf-call-iptables) sends bridged IP
// packets through the inet family's hooks, where conntrack works; there,
// though, the input and output devices are the bridge, not the ports.
// So the bridge family numbers the ports in the packet mark and the inet
// family filters by those numbers, in two tables named "gostack":
//
//	bridge gostack                          inet gostack
//	pre  (prerouting, -300)                 zone (prerouting, -300)
//	  iifname → in-<port>:                    conntrack zone of the sender's network
//	    MAC/IP/ARP anti-spoofing            fwd  (forward, 0)
//	    mark = sender << 16                   mark>>16 → eg-<sender>:
//	fwd  (forward, -200)                        ct state, eg-deny, egress rules → return,
//	  oifname → out-<port>:                     goto eg-allow (DHCP, ND, else drop)
//	    mark |= receiver                      mark&0xffff → ing-<receiver>:
//	                                            ct state, ingress rules → accept,
//	                                            goto ing-allow (DHCP, ND, else drop)
//
// Every port is numbered and zoned; only ports with port security on
// that are not the networking service's own (router, DHCP) have
// anti-spoofing and egress/ingress chains. Each network gets a
// conntrack zone of its own, so tenants using the same addresses do not
// share flows.
//
// Every Apply replaces both tables in one netlink batch, so packets see
// the old ruleset or the new one, never none. Remote groups are sets of
// their members' addresses. When a port loses an allowance, its
// conntrack entries are deleted, so established flows the new rules no
// longer allow stop at once.
package firewall

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"

	"github.com/google/nftables"
	mnl "github.com/mdlayher/netlink"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// setIDs serializes the Applies of every Firewall of the process:
// github.com/google/nftables numbers new sets from a package counter
// that it increments without a lock (two agents in one process, as the
// tests run them, would race on it).
var setIDs sync.Mutex

// Config configures a Firewall.
type Config struct {
	// Root is the host namespace ("" = the process's own).
	Root string
	Log  *slog.Logger
}

// Firewall realizes the security groups of a Host.
type Firewall struct {
	cfg Config

	mu    sync.Mutex
	force bool
	// applied is set once a ruleset is in the kernel; hash, chains and
	// allow describe it.
	applied bool
	hash    [32]byte
	chains  [2]int // chains of the bridge and inet tables
	allow   map[string]map[string]bool
}

// New returns a Firewall working in cfg.Root.
func New(cfg Config) *Firewall {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Firewall{cfg: cfg}
}

// Force makes the next Apply rewrite the ruleset even when it looks
// unchanged (the agent's periodic resync: it restores rules deleted by
// hand).
func (f *Firewall) Force() {
	f.mu.Lock()
	f.force = true
	f.mu.Unlock()
}

// Close releases nothing: the firewall runs no goroutines, and its
// rules stay in the kernel for a restarted agent to adopt.
func (f *Firewall) Close() {}

// Apply brings the firewall to h. It does nothing when the ruleset
// would be the one applied last and the kernel still holds it.
func (f *Firewall) Apply(ctx context.Context, h *state.Host) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := build(h)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	setIDs.Lock()
	defer setIDs.Unlock()

	ns, err := nsutil.Open(f.cfg.Root)
	if err != nil {
		return err
	}
	defer ns.Close()
	c, err := nftables.New(nftables.WithNetNSFd(int(ns)), nftables.WithSockOptions(bigBuffer))
	if err != nil {
		return fmt.Errorf("firewall: nftables: %w", err)
	}

	hash := p.hash()
	if f.applied && !f.force && hash == f.hash {
		nb, ni, err := counts(c)
		if err != nil {
			return err
		}
		if nb == f.chains[0] && ni == f.chains[1] {
			return nil
		}
		f.cfg.Log.Warn("firewall: kernel ruleset differs from the applied one, restoring", "bridge_chains", nb, "inet_chains", ni)
	}

	// Without br_netfilter's hand-over bridged packets never reach the
	// inet table (and get no conntrack).
	for _, key := range []string{"bridge/bridge-nf-call-iptables", "bridge/bridge-nf-call-ip6tables"} {
		if err := nsutil.Sysctl(f.cfg.Root, key, "1"); err != nil {
			return fmt.Errorf("firewall: %w", err)
		}
	}
	nb, ni, err := render(c, p)
	if err != nil {
		return fmt.Errorf("firewall: %w", err)
	}
	if err := c.Flush(); err != nil {
		f.applied = false
		return fmt.Errorf("firewall: apply ruleset: %w", err)
	}
	old := f.allow
	f.applied, f.force, f.hash, f.chains, f.allow = true, false, hash, [2]int{nb, ni}, p.allow

	if err := f.flushConntrack(p, old); err != nil {
		// The rules are in place; only flows established before them
		// go on until they time out, so this is worth a warning, not a
		// failed Apply.
		f.cfg.Log.Warn("firewall: delete conntrack entries", "err", err)
	}
	return nil
}

// flushConntrack deletes the conntrack entries of the ports that lost
// an allowance since the last Apply.
func (f *Firewall) flushConntrack(p *plan, old map[string]map[string]bool) error {
	var ips []netip.Addr
	for id, was := range old {
		now, ok := p.allow[id]
		if !ok {
			continue // the port is gone from this host
		}
		for k := range was {
			if !now[k] {
				f.cfg.Log.Debug("firewall: port lost an allowance, deleting its conntrack entries", "port", id, "allowance", k)
				ips = append(ips, p.ips[id]...)
				break
			}
		}
	}
	if len(ips) == 0 {
		return nil
	}
	h, err := nsutil.Handle(f.cfg.Root)
	if err != nil {
		return err
	}
	defer h.Delete()
	var v4, v6 []netlink.CustomConntrackFilter
	for _, ip := range ips {
		for _, t := range []netlink.ConntrackFilterType{netlink.ConntrackOrigSrcIP, netlink.ConntrackOrigDstIP, netlink.ConntrackReplyAnyIP} {
			flt := &netlink.ConntrackFilter{}
			if err := flt.AddIP(t, net.IP(ip.Unmap().AsSlice())); err != nil {
				return err
			}
			if ip.Unmap().Is4() {
				v4 = append(v4, flt)
			} else {
				v6 = append(v6, flt)
			}
		}
	}
	var errs error
	if len(v4) > 0 {
		_, err := h.ConntrackDeleteFilters(netlink.ConntrackTable, unix.AF_INET, v4...)
		errs = errors.Join(errs, err)
	}
	if len(v6) > 0 {
		_, err := h.ConntrackDeleteFilters(netlink.ConntrackTable, unix.AF_INET6, v6...)
		errs = errors.Join(errs, err)
	}
	return errs
}

// counts returns how many chains the kernel's bridge and inet gostack
// tables hold (0 for a missing table).
func counts(c *nftables.Conn) (nb, ni int, err error) {
	for i, fam := range []nftables.TableFamily{nftables.TableFamilyBridge, nftables.TableFamilyINet} {
		chains, err := c.ListChainsOfTableFamily(fam)
		if err != nil {
			return 0, 0, fmt.Errorf("firewall: list chains: %w", err)
		}
		n := 0
		for _, ch := range chains {
			if ch.Table.Name == TableName {
				n++
			}
		}
		if i == 0 {
			nb = n
		} else {
			ni = n
		}
	}
	return nb, ni, nil
}

// bigBuffer lets the socket send a large batch in one message (the
// kernel refuses one larger than the send buffer) and queue the kernel's
// acknowledgement of each of its messages (hundreds of ports make
// thousands of them); the default buffers hold neither.
func bigBuffer(c *mnl.Conn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = raw.Control(func(fd uintptr) {
		serr = errors.Join(
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 32<<20),
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 32<<20))
	})
	return errors.Join(err, serr)
}
