package l3

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// routeProto tags the routes the realizer adds, so that it removes its
// own stale routes and never one the kernel or anybody else made. It is
// a private value: the kernel gives no meaning to those above
// RTPROT_STATIC, and none of the routing daemons' well-known ones is 77.
const routeProto netlink.RouteProtocol = 77

// leg is one router port: its veth end inside the router and the
// addresses that end holds.
type leg struct {
	ns    string
	port  *state.Port
	inner string
	addrs []netip.Prefix
}

// ensure makes the leg's veth pair unless its inner end exists, and sets
// the inner end's MAC, MTU, addresses and link state. The host end is
// left down and unplugged: the l2 realizer owns it from here.
func (l leg) ensure(root, inner *netlink.Handle, nsFd int, log *slog.Logger) error {
	link, err := inner.LinkByName(l.inner)
	if err != nil {
		if !isNotFound(err) {
			return err
		}
		if link, err = l.create(root, inner, nsFd); err != nil {
			return err
		}
	}
	a := link.Attrs()
	if len(l.port.MAC) > 0 && !bytes.Equal(a.HardwareAddr, l.port.MAC) {
		if err := inner.LinkSetHardwareAddr(link, l.port.MAC); err != nil {
			return fmt.Errorf("set MAC of %s: %w", l.inner, err)
		}
	}
	if l.port.MTU > 0 && a.MTU != l.port.MTU {
		if err := inner.LinkSetMTU(link, l.port.MTU); err != nil {
			return fmt.Errorf("set MTU of %s: %w", l.inner, err)
		}
	}
	if a.Flags&net.FlagUp == 0 {
		if err := inner.LinkSetUp(link); err != nil {
			return fmt.Errorf("set %s up: %w", l.inner, err)
		}
	}
	added, err := nsutil.SyncAddrs(inner, link, l.addrs)
	var v4 []netip.Addr
	for _, p := range added {
		if p.Addr().Is4() {
			v4 = append(v4, p.Addr())
		}
	}
	// A lost announcement only delays neighbours' learning of the
	// address, so it is logged rather than failing the router.
	if aerr := announce(l.ns, link.Attrs().Index, link.Attrs().HardwareAddr, v4); aerr != nil {
		log.Warn("l3: gratuitous ARP", "device", l.inner, "err", aerr)
	}
	return err
}

// create makes the veth pair in the root namespace with its peer born in
// the router's. A host end left without its peer (the namespace was
// deleted and made anew) is a veth no longer paired with anything here,
// so it is removed first.
func (l leg) create(root, inner *netlink.Handle, nsFd int) (netlink.Link, error) {
	host := l.port.Device()
	if old, err := root.LinkByName(host); err == nil {
		if old.Type() != "veth" {
			return nil, fmt.Errorf("%s exists and is a %s, not a veth", host, old.Type())
		}
		if err := root.LinkDel(old); err != nil {
			return nil, fmt.Errorf("remove orphan %s: %w", host, err)
		}
	}
	v := &netlink.Veth{
		LinkAttrs:        netlink.LinkAttrs{Name: host, MTU: l.port.MTU},
		PeerName:         l.inner,
		PeerHardwareAddr: l.port.MAC,
		PeerNamespace:    netlink.NsFd(nsFd),
	}
	if err := root.LinkAdd(v); err != nil {
		return nil, fmt.Errorf("create veth %s/%s: %w", host, l.inner, err)
	}
	link, err := inner.LinkByName(l.inner)
	if err != nil {
		return nil, fmt.Errorf("find %s after creating it: %w", l.inner, err)
	}
	return link, nil
}

// removeStaleLegs deletes the qr-/qg- devices of the router that are not
// its legs any more; deleting a veth end deletes its host end too.
func removeStaleLegs(h *netlink.Handle, want map[string]bool) error {
	links, err := nsutil.Dump(h.LinkList)
	if err != nil {
		return fmt.Errorf("list devices: %w", err)
	}
	var errs []error
	for _, link := range links {
		name := link.Attrs().Name
		if want[name] || !(strings.HasPrefix(name, state.RouterIntPrfx) || strings.HasPrefix(name, state.GatewayPrefix)) {
			continue
		}
		if err := h.LinkDel(link); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("remove stale %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// wantRoutes are the routes the router holds beside its connected ones:
// the default route through the gateway's next hop, and the extra routes.
func wantRoutes(r *state.Router) []state.Route {
	var out []state.Route
	if r.Gateway != nil && r.GatewayNextHop.IsValid() {
		nh := r.GatewayNextHop
		out = append(out, state.Route{Destination: netip.PrefixFrom(unspecified(nh), 0), NextHop: nh})
	}
	for _, rt := range r.Routes {
		if rt.Destination.IsValid() && rt.NextHop.IsValid() {
			out = append(out, state.Route{Destination: rt.Destination.Masked(), NextHop: rt.NextHop})
		}
	}
	return out
}

// syncRoutes makes the main table's routes of routeProto exactly want.
// A route whose next hop is on no connected subnet is reported and the
// others are still applied.
func syncRoutes(h *netlink.Handle, want []state.Route) error {
	got := map[state.Route]bool{}
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		rs, err := nsutil.Dump(func() ([]netlink.Route, error) {
			return h.RouteListFiltered(fam, &netlink.Route{Protocol: routeProto, Table: unix.RT_TABLE_MAIN},
				netlink.RT_FILTER_PROTOCOL|netlink.RT_FILTER_TABLE)
		})
		if err != nil {
			return fmt.Errorf("list routes: %w", err)
		}
		for _, r := range rs {
			gw, ok := netip.AddrFromSlice(r.Gw)
			if !ok {
				continue
			}
			gw = gw.Unmap()
			dst := netip.PrefixFrom(unspecified(gw), 0)
			if p, ok := nsutil.PrefixOf(r.Dst); ok {
				dst = p
			}
			got[state.Route{Destination: dst, NextHop: gw}] = true
		}
	}
	var errs []error
	wanted := map[state.Route]bool{}
	for _, rt := range want {
		wanted[rt] = true
		if got[rt] {
			continue
		}
		r := &netlink.Route{Dst: nsutil.IPNet(rt.Destination), Gw: rt.NextHop.AsSlice(), Protocol: routeProto, Table: unix.RT_TABLE_MAIN}
		if err := h.RouteReplace(r); err != nil {
			errs = append(errs, fmt.Errorf("route %s via %s: %w", rt.Destination, rt.NextHop, err))
		}
	}
	for rt := range got {
		if wanted[rt] {
			continue
		}
		r := &netlink.Route{Dst: nsutil.IPNet(rt.Destination), Gw: rt.NextHop.AsSlice(), Protocol: routeProto, Table: unix.RT_TABLE_MAIN}
		if err := h.RouteDel(r); err != nil && !errors.Is(err, unix.ESRCH) {
			errs = append(errs, fmt.Errorf("remove route %s via %s: %w", rt.Destination, rt.NextHop, err))
		}
	}
	return errors.Join(errs...)
}

func unspecified(a netip.Addr) netip.Addr {
	if a.Is4() {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

func isNotFound(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf) || errors.Is(err, unix.ENODEV)
}
