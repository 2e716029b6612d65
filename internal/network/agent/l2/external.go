package l2

import (
	"fmt"
	"net"
	"net/netip"
	"slices"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// mappedBridges makes the mapped host bridges (DevStack's br-ex) and
// gives each the gateway address of every external flat network's
// subnet on it, so that the host reaches router gateways and floating
// IPs with no extra setup. Every mapped bridge is the agent's: its other
// global addresses are removed (its IPv6 link-local one stays).
func (a *apply) mappedBridges() {
	names := make([]string, 0, len(a.h.Bridges))
	for _, br := range a.h.Bridges {
		if !slices.Contains(names, br) {
			names = append(names, br)
		}
	}
	slices.Sort(names)
	want := map[string]map[netip.Prefix]bool{}
	for _, n := range a.h.Networks {
		br, ok := a.h.Bridges[n.Physnet]
		if !ok || n.Type != "flat" || !n.External {
			continue
		}
		for _, s := range n.Subnets {
			if !s.Gateway.IsValid() || !s.CIDR.IsValid() {
				continue
			}
			if want[br] == nil {
				want[br] = map[netip.Prefix]bool{}
			}
			want[br][netip.PrefixFrom(s.Gateway.Unmap(), s.CIDR.Bits())] = true
		}
	}
	for _, name := range names {
		mtu := 0
		for _, n := range a.h.Networks {
			if n.MTU > 0 && n.Type == "flat" && a.h.BridgeOf(n) == name && (mtu == 0 || n.MTU < mtu) {
				mtu = n.MTU
			}
		}
		l, err := a.ensureBridge(name, mtu)
		if err != nil {
			a.fail(err)
			continue
		}
		if err := a.addresses(l, want[name]); err != nil {
			a.fail(err)
		}
	}
}

// addresses brings a link's global addresses to want.
func (a *apply) addresses(l netlink.Link, want map[netip.Prefix]bool) error {
	have, err := nsutil.Dump(func() ([]netlink.Addr, error) { return a.nl.AddrList(l, netlink.FAMILY_ALL) })
	if err != nil {
		return fmt.Errorf("l2: list addresses of %s: %w", l.Attrs().Name, err)
	}
	missing := make(map[netip.Prefix]bool, len(want))
	for p := range want {
		missing[p] = true
	}
	for _, ad := range have {
		ip, ok := netip.AddrFromSlice(ad.IP)
		if !ok || ad.IPNet == nil {
			continue
		}
		ip = ip.Unmap()
		if ip.IsLinkLocalUnicast() {
			continue
		}
		ones, _ := ad.Mask.Size()
		p := netip.PrefixFrom(ip, ones)
		if want[p] {
			delete(missing, p)
			continue
		}
		if err := a.nl.AddrDel(l, &ad); err != nil {
			return fmt.Errorf("l2: remove address %s from %s: %w", p, l.Attrs().Name, err)
		}
		a.r.log.Info("removed address", "device", l.Attrs().Name, "address", p)
	}
	for p := range missing {
		ad := &netlink.Addr{IPNet: &net.IPNet{
			IP:   net.IP(p.Addr().AsSlice()),
			Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
		}}
		if p.Addr().Is6() {
			// The gateway address is the subnet's by definition; waiting
			// for duplicate address detection only delays the host's
			// reach into the external network.
			ad.Flags = unix.IFA_F_NODAD
		}
		if err := a.nl.AddrAdd(l, ad); err != nil {
			return fmt.Errorf("l2: add address %s to %s: %w", p, l.Attrs().Name, err)
		}
		a.r.log.Info("added address", "device", l.Attrs().Name, "address", p)
	}
	return nil
}
