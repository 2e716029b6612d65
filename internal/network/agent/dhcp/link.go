package dhcp

import (
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/vishvananda/netlink"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// metadataPrefix is the metadata address, held by every DHCP namespace
// with an IPv4 subnet so the proxy can listen on it.
var metadataPrefix = netip.MustParsePrefix(state.MetadataAddr + "/32")

// plumb makes the DHCP port's veth pair (host end in root, left down for
// the l2 realizer to plug; the other end in ns) unless it exists, and
// brings the namespace end's MAC, MTU, state and addresses to d. It
// returns the namespace end's name.
func plumb(root, ns string, d *state.DHCP) (string, error) {
	host := state.Device(d.Port.ID)
	inner := state.InnerDevice(state.DHCPDevPrefix, d.Port.ID)
	nh, err := nsutil.Handle(ns)
	if err != nil {
		return "", err
	}
	defer nh.Close()
	links, err := nsutil.Dump(nh.LinkList)
	if err != nil {
		return "", err
	}
	var link netlink.Link
	for _, l := range links {
		name := l.Attrs().Name
		switch {
		case name == inner:
			link = l
		case strings.HasPrefix(name, state.DHCPDevPrefix):
			// The end of a former DHCP port of this network; deleting it
			// deletes its host end too.
			if err := nh.LinkDel(l); err != nil {
				return "", fmt.Errorf("delete old DHCP device %s: %w", name, err)
			}
		}
	}
	if link == nil {
		if link, err = makeVeth(root, ns, host, inner, d); err != nil {
			return "", err
		}
	}
	a := link.Attrs()
	if len(d.Port.MAC) > 0 && a.HardwareAddr.String() != d.Port.MAC.String() {
		if err := nh.LinkSetHardwareAddr(link, d.Port.MAC); err != nil {
			return "", fmt.Errorf("set MAC of %s: %w", inner, err)
		}
	}
	if d.MTU > 0 && a.MTU != d.MTU {
		if err := nh.LinkSetMTU(link, d.MTU); err != nil {
			return "", fmt.Errorf("set MTU of %s: %w", inner, err)
		}
	}
	if a.Flags&net.FlagUp == 0 {
		if err := nh.LinkSetUp(link); err != nil {
			return "", fmt.Errorf("set %s up: %w", inner, err)
		}
	}
	if _, err := nsutil.SyncAddrs(nh, link, slices.Collect(maps.Keys(wantAddrs(d)))); err != nil {
		return "", fmt.Errorf("addresses of %s: %w", inner, err)
	}
	return inner, nil
}

// makeVeth makes the veth pair with its namespace end in ns.
func makeVeth(root, ns, host, inner string, d *state.DHCP) (netlink.Link, error) {
	rh, err := nsutil.Handle(root)
	if err != nil {
		return nil, err
	}
	defer rh.Close()
	// A host end whose peer went away with nothing else (a half-made pair
	// from a crash) holds the name; it is ours by its name.
	if old, err := rh.LinkByName(host); err == nil {
		if err := rh.LinkDel(old); err != nil {
			return nil, fmt.Errorf("delete stale %s: %w", host, err)
		}
	}
	target, err := nsutil.Open(ns)
	if err != nil {
		return nil, err
	}
	defer target.Close()
	veth := &netlink.Veth{
		LinkAttrs:        netlink.LinkAttrs{Name: host, MTU: d.MTU},
		PeerName:         inner,
		PeerHardwareAddr: d.Port.MAC,
		PeerNamespace:    netlink.NsFd(target),
		PeerMTU:          uint32(max(d.MTU, 0)),
	}
	if err := rh.LinkAdd(veth); err != nil {
		return nil, fmt.Errorf("make veth %s/%s: %w", host, inner, err)
	}
	nh, err := nsutil.Handle(ns)
	if err != nil {
		return nil, err
	}
	defer nh.Close()
	return nh.LinkByName(inner)
}

// wantAddrs are the namespace end's addresses: the DHCP port's, with
// their subnets' prefix lengths, and the metadata address when the port
// serves IPv4.
func wantAddrs(d *state.DHCP) map[netip.Prefix]bool {
	want := map[netip.Prefix]bool{}
	v4 := false
	for _, ip := range d.Port.IPs {
		bits := ip.IP.BitLen()
		if sub := subnetOf(d, ip.SubnetID); sub != nil && sub.CIDR.Addr().BitLen() == bits {
			bits = sub.CIDR.Bits()
		}
		want[netip.PrefixFrom(ip.IP.Unmap(), bits)] = true
		v4 = v4 || ip.IP.Unmap().Is4()
	}
	if v4 {
		want[metadataPrefix] = true
	}
	return want
}

func subnetOf(d *state.DHCP, id string) *state.Subnet {
	for _, s := range d.Subnets {
		if s.ID == id {
			return s
		}
	}
	return nil
}
