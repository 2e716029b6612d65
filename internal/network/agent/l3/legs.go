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
	added, err := syncAddrs(inner, link, l.addrs)
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

// syncAddrs gives link exactly the addresses want, beside its IPv6
// link-local one. New addresses go on before old ones come off, so that
// removing a primary IPv4 address cannot take a wanted secondary with it.
// It returns the addresses it added.
func syncAddrs(h *netlink.Handle, link netlink.Link, want []netip.Prefix) ([]netip.Prefix, error) {
	have, err := h.AddrList(link, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("list addresses of %s: %w", link.Attrs().Name, err)
	}
	got := map[netip.Prefix]bool{}
	for _, a := range have {
		if p, ok := prefixOf(a.IPNet); ok {
			got[p] = true
		}
	}
	wanted := map[netip.Prefix]bool{}
	var added []netip.Prefix
	var errs []error
	for _, p := range want {
		wanted[p] = true
		if got[p] {
			continue
		}
		a := &netlink.Addr{IPNet: ipNet(p)}
		if p.Addr().Is6() {
			// Duplicate address detection would hold a router address
			// unusable for a second or more; Neutron skips it too.
			a.Flags = unix.IFA_F_NODAD
		}
		if err := h.AddrAdd(link, a); err != nil && !errors.Is(err, unix.EEXIST) {
			errs = append(errs, fmt.Errorf("add %s to %s: %w", p, link.Attrs().Name, err))
			continue
		}
		added = append(added, p)
	}
	for p := range got {
		if wanted[p] || p.Addr().IsLinkLocalUnicast() {
			continue
		}
		if err := h.AddrDel(link, &netlink.Addr{IPNet: ipNet(p)}); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
			errs = append(errs, fmt.Errorf("remove %s from %s: %w", p, link.Attrs().Name, err))
		}
	}
	return added, errors.Join(errs...)
}

// removeStaleLegs deletes the qr-/qg- devices of the router that are not
// its legs any more; deleting a veth end deletes its host end too.
func removeStaleLegs(h *netlink.Handle, want map[string]bool) error {
	links, err := h.LinkList()
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
		rs, err := h.RouteListFiltered(fam, &netlink.Route{Protocol: routeProto, Table: unix.RT_TABLE_MAIN},
			netlink.RT_FILTER_PROTOCOL|netlink.RT_FILTER_TABLE)
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
			if p, ok := prefixOf(r.Dst); ok {
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
		r := &netlink.Route{Dst: ipNet(rt.Destination), Gw: rt.NextHop.AsSlice(), Protocol: routeProto, Table: unix.RT_TABLE_MAIN}
		if err := h.RouteReplace(r); err != nil {
			errs = append(errs, fmt.Errorf("route %s via %s: %w", rt.Destination, rt.NextHop, err))
		}
	}
	for rt := range got {
		if wanted[rt] {
			continue
		}
		r := &netlink.Route{Dst: ipNet(rt.Destination), Gw: rt.NextHop.AsSlice(), Protocol: routeProto, Table: unix.RT_TABLE_MAIN}
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

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// prefixOf converts an address with its mask (an interface address or a
// route destination) to a prefix that keeps the host bits.
func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, bits := n.Mask.Size()
	if bits == 0 {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a.Unmap(), ones), true
}

func isNotFound(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf) || errors.Is(err, unix.ENODEV)
}
