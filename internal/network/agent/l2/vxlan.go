package l2

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// VXLANPort is the IANA VXLAN UDP port, which Neutron's linuxbridge
// agent uses too.
const VXLANPort = 4789

// errNoDevice is what the kernel answers for a device that is gone.
var errNoDevice = unix.ENODEV

// vxlan makes n's VXLAN device (remade when its VNI, port, local
// address or underlay device differ), enslaves it to n's bridge and
// brings its forwarding entries to n.Remotes.
func (a *apply) vxlan(n *state.Network, br netlink.Link) error {
	if n.SegmentID < 1 || n.SegmentID > 1<<24-1 {
		return fmt.Errorf("l2: VXLAN id %d out of range 1-16777215", n.SegmentID)
	}
	name := state.VXLANDevice(n.SegmentID)
	want := &netlink.Vxlan{LinkAttrs: netlink.NewLinkAttrs(), VxlanId: int(n.SegmentID), Port: VXLANPort}
	want.Name = name
	want.MTU = n.MTU
	var tunnelErr error
	if a.h.TunnelIP.IsValid() {
		want.SrcAddr = net.IP(a.h.TunnelIP.AsSlice())
		idx, err := a.tunnelDevice()
		if err != nil {
			return err
		}
		if idx == 0 {
			// Still make the device: the network works on this host,
			// and reaches the others once the address is configured.
			tunnelErr = fmt.Errorf("l2: tunnel address %s is on no interface of the host", a.h.TunnelIP)
		}
		want.VtepDevIndex = idx
	}
	l := a.links[name]
	if l != nil {
		have, ok := l.(*netlink.Vxlan)
		if !ok || have.VxlanId != want.VxlanId || have.Port != want.Port || have.Learning ||
			!ipEqual(have.SrcAddr, want.SrcAddr) || have.VtepDevIndex != want.VtepDevIndex {
			a.r.log.Info("remaking VXLAN device that differs", "device", name)
			if err := a.nl.LinkDel(l); err != nil {
				return fmt.Errorf("l2: delete %s: %w", name, err)
			}
			l = nil
		}
	}
	if l == nil {
		if err := a.nl.LinkAdd(want); err != nil {
			return fmt.Errorf("l2: create VXLAN device %s: %w", name, err)
		}
		a.r.log.Info("created VXLAN device", "device", name, "local", a.h.TunnelIP)
		var err error
		if l, err = a.refresh(name); err != nil {
			return err
		}
	}
	if err := a.tune(l, n.MTU, br.Attrs().Index); err != nil {
		return err
	}
	if err := a.fdb(l, n.Remotes); err != nil {
		return err
	}
	return tunnelErr
}

func ipEqual(a, b net.IP) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b) || a.IsUnspecified() || b.IsUnspecified()
	}
	return a.Equal(b)
}

// tunnelDevice returns the index of the link holding the tunnel
// address (0: none), listing the host's addresses once per Apply.
func (a *apply) tunnelDevice() (int, error) {
	if a.byAddr == nil {
		addrs, err := nsutil.Dump(func() ([]netlink.Addr, error) { return a.nl.AddrList(nil, netlink.FAMILY_ALL) })
		if err != nil {
			return 0, fmt.Errorf("l2: list addresses: %w", err)
		}
		a.byAddr = map[string]int{}
		for _, ad := range addrs {
			if ip, ok := netip.AddrFromSlice(ad.IP); ok {
				a.byAddr[ip.Unmap().String()] = ad.LinkIndex
			}
		}
	}
	return a.byAddr[a.h.TunnelIP.Unmap().String()], nil
}

// fdbKey names one forwarding entry of a VXLAN device: a MAC and the
// tunnel endpoint it is sent to.
type fdbKey struct {
	mac    string
	remote netip.Addr
}

// zeroMAC is the all-zero MAC whose entries a VXLAN device floods
// broadcast, multicast and unknown unicast to (head-end replication).
var zeroMAC = net.HardwareAddr{0, 0, 0, 0, 0, 0}

// fdb brings the VXLAN device's forwarding entries to remotes, as
// Neutron's l2population does: one all-zero entry per remote host, and
// one per MAC of a port on it.
func (a *apply) fdb(l netlink.Link, remotes map[netip.Addr][]net.HardwareAddr) error {
	want := map[fdbKey]net.HardwareAddr{}
	for remote, macs := range remotes {
		remote = remote.Unmap()
		if !remote.IsValid() {
			continue
		}
		want[fdbKey{zeroMAC.String(), remote}] = zeroMAC
		for _, mac := range macs {
			if len(mac) == 6 {
				want[fdbKey{mac.String(), remote}] = mac
			}
		}
	}
	have, err := nsutil.Dump(func() ([]netlink.Neigh, error) { return a.nl.NeighList(l.Attrs().Index, unix.AF_BRIDGE) })
	if err != nil {
		return fmt.Errorf("l2: list forwarding entries of %s: %w", l.Attrs().Name, err)
	}
	for _, e := range have {
		// The device's own entries carry a remote; the bridge's learned
		// entries on the port (NTF_MASTER) are not ours.
		if e.Flags&netlink.NTF_SELF == 0 || len(e.IP) == 0 {
			continue
		}
		ip, ok := netip.AddrFromSlice(e.IP)
		if !ok {
			continue
		}
		k := fdbKey{e.HardwareAddr.String(), ip.Unmap()}
		if _, ok := want[k]; ok {
			delete(want, k)
			continue
		}
		e := e
		if err := a.nl.NeighDel(&e); err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("l2: delete forwarding entry %s → %s on %s: %w", k.mac, k.remote, l.Attrs().Name, err)
		}
	}
	for k, mac := range want {
		err := a.nl.NeighAppend(&netlink.Neigh{
			LinkIndex:    l.Attrs().Index,
			Family:       unix.AF_BRIDGE,
			Flags:        netlink.NTF_SELF,
			State:        netlink.NUD_PERMANENT,
			HardwareAddr: mac,
			IP:           net.IP(k.remote.AsSlice()),
		})
		if err != nil {
			return fmt.Errorf("l2: add forwarding entry %s → %s on %s: %w", k.mac, k.remote, l.Attrs().Name, err)
		}
	}
	return nil
}
