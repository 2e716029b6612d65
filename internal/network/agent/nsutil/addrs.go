package nsutil

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// SyncAddrs gives link exactly the addresses want, beside its IPv6
// link-local ones (the kernel's). Old addresses come off first, then the
// missing ones go on (read again, as removing a primary IPv4 address can
// take secondaries with it); IPv6 ones skip duplicate address detection (they
// are the ports' by allocation, and detection would hold them unusable
// for a second or more, as Neutron knows). It returns the addresses it
// added.
func SyncAddrs(h *netlink.Handle, link netlink.Link, want []netip.Prefix) ([]netip.Prefix, error) {
	wanted := map[netip.Prefix]bool{}
	for _, p := range want {
		wanted[p] = true
	}
	got, err := addrs(h, link)
	if err != nil {
		return nil, err
	}
	var errs []error
	for p := range got {
		if wanted[p] || p.Addr().Is6() && p.Addr().IsLinkLocalUnicast() {
			continue
		}
		if err := h.AddrDel(link, &netlink.Addr{IPNet: IPNet(p)}); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
			errs = append(errs, fmt.Errorf("remove %s from %s: %w", p, link.Attrs().Name, err))
		}
	}
	// Read again: without promote_secondaries, removing a primary IPv4
	// address takes the secondaries of its subnet with it.
	if got, err = addrs(h, link); err != nil {
		return nil, err
	}
	var added []netip.Prefix
	for _, p := range want {
		if got[p] {
			continue
		}
		a := &netlink.Addr{IPNet: IPNet(p)}
		if p.Addr().Is6() {
			a.Flags = unix.IFA_F_NODAD
		}
		if err := h.AddrAdd(link, a); err != nil && !errors.Is(err, unix.EEXIST) {
			errs = append(errs, fmt.Errorf("add %s to %s: %w", p, link.Attrs().Name, err))
			continue
		}
		added = append(added, p)
	}
	return added, errors.Join(errs...)
}

func addrs(h *netlink.Handle, link netlink.Link) (map[netip.Prefix]bool, error) {
	have, err := Dump(func() ([]netlink.Addr, error) { return h.AddrList(link, netlink.FAMILY_ALL) })
	if err != nil {
		return nil, fmt.Errorf("list addresses of %s: %w", link.Attrs().Name, err)
	}
	got := map[netip.Prefix]bool{}
	for _, a := range have {
		if p, ok := PrefixOf(a.IPNet); ok {
			got[p] = true
		}
	}
	return got, nil
}

// IPNet is p as netlink takes it.
func IPNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// PrefixOf converts an address with its mask (an interface address or a
// route destination) to a prefix that keeps the host bits.
func PrefixOf(n *net.IPNet) (netip.Prefix, bool) {
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
