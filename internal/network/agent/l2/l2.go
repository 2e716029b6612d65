// Package l2 realizes the layer 2 part of a host's desired network
// state (state.Host) with netlink, as Neutron's linuxbridge agent does:
// a Linux bridge per network, the network's uplink enslaved to it (a
// VXLAN device with l2population forwarding entries, a physical
// interface, or a VLAN subinterface of one), every port's host-side
// device plugged into its network's bridge, and the external subnets'
// gateway addresses on the mapped host bridges (DevStack's br-ex).
//
// It owns the devices the state package names brq* and vxlan-*, the
// VLAN subinterfaces of the mapped interfaces, and the mapped bridges'
// addresses; it never deletes a port's device (the hypervisor, dhcp or
// l3 made it) nor a mapped bridge.
//
// Watch tells the agent, within milliseconds, when a port's device
// appears or a device this package owns is deleted, so that a guest's
// tap is plugged as soon as the hypervisor makes it.
package l2

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"

	"github.com/vishvananda/netlink"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// Plugged maps a port id to whether its device exists, is enslaved to
// its network's bridge and is up: the agent sets those ports ACTIVE and
// the others DOWN.
type Plugged map[string]bool

// Config configures a Realizer.
type Config struct {
	// Root is the host namespace ("" = the process's own).
	Root string
	Log  *slog.Logger
}

// Realizer brings a host's bridges, uplinks and port devices to a
// state.Host.
type Realizer struct {
	cfg Config
	log *slog.Logger
}

// New returns a Realizer.
func New(cfg Config) *Realizer {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Realizer{cfg: cfg, log: log.With("realizer", "l2")}
}

// Close releases nothing: the Realizer runs no goroutine and holds no
// socket between Applies, and the kernel state stays as it is so that
// a restarted agent adopts it.
func (r *Realizer) Close() {}

// Apply brings the host namespace to h: it makes the bridges and
// uplinks h needs, fixes what differs, plugs the ports' devices, and
// removes the brq*/vxlan-* devices and mapped-bridge addresses h no
// longer asks for. One network's failure (a VLAN on a kernel without
// 802.1q, a missing interface) does not stop the others: the errors are
// joined into the returned error, and Plugged is complete either way.
func (r *Realizer) Apply(ctx context.Context, h *state.Host) (Plugged, error) {
	nh, err := nsutil.Handle(r.cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("l2: %w", err)
	}
	defer nh.Close()
	a := &apply{ctx: ctx, r: r, h: h, nl: nh, bridges: map[string]netlink.Link{}}
	if err := a.load(); err != nil {
		return nil, err
	}
	a.removeStale()
	a.mappedBridges()
	ids := make([]string, 0, len(h.Networks))
	for id := range h.Networks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return a.ports(), err
		}
		if err := a.network(h.Networks[id]); err != nil {
			r.log.Error("network not wired", "network", id, "err", err)
			a.errs = append(a.errs, err)
		}
	}
	return a.ports(), errors.Join(a.errs...)
}

// apply is the work of one Apply: the links as they were listed once at
// its start, kept up to date with what it changes.
type apply struct {
	ctx    context.Context
	r      *Realizer
	h      *state.Host
	nl     *netlink.Handle
	links  map[string]netlink.Link
	byAddr map[string]int // address → index of the link holding it
	// bridges are the bridges made ready in this Apply, by name.
	bridges map[string]netlink.Link
	errs    []error
}

func (a *apply) load() error {
	list, err := nsutil.Dump(a.nl.LinkList)
	if err != nil {
		return fmt.Errorf("l2: list links: %w", err)
	}
	a.links = make(map[string]netlink.Link, len(list))
	for _, l := range list {
		a.links[l.Attrs().Name] = l
	}
	return nil
}

// refresh reads one link again after a change the cached copy does not
// reflect (a creation, mostly).
func (a *apply) refresh(name string) (netlink.Link, error) {
	l, err := a.nl.LinkByName(name)
	if err != nil {
		return nil, fmt.Errorf("l2: read %s: %w", name, err)
	}
	a.links[name] = l
	return l, nil
}

func (a *apply) fail(err error) {
	a.r.log.Error("l2", "err", err)
	a.errs = append(a.errs, err)
}

// wanted returns the names of the bridges, VXLAN devices and VLAN
// subinterfaces h asks for.
func (a *apply) wanted() (bridges, vxlans, vlans map[string]bool) {
	bridges, vxlans, vlans = map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, br := range a.h.Bridges {
		bridges[br] = true
	}
	for _, n := range a.h.Networks {
		bridges[a.h.BridgeOf(n)] = true
		switch n.Type {
		case "vxlan":
			vxlans[state.VXLANDevice(n.SegmentID)] = true
		case "vlan":
			if iface := a.h.Interfaces[n.Physnet]; iface != "" {
				vlans[vlanName(iface, n.SegmentID)] = true
			}
		}
	}
	return bridges, vxlans, vlans
}

// removeStale deletes the devices this package owns that h no longer
// asks for. Deleting a bridge frees its ports, which stay (they are not
// ours).
func (a *apply) removeStale() {
	bridges, vxlans, vlans := a.wanted()
	parents := map[int]bool{}
	for _, iface := range a.h.Interfaces {
		if l := a.links[iface]; l != nil {
			parents[l.Attrs().Index] = true
		}
	}
	for name, l := range a.links {
		stale := false
		switch l.Type() {
		case "bridge":
			stale = strings.HasPrefix(name, state.BridgePrefix) && !bridges[name]
		case "vxlan":
			stale = strings.HasPrefix(name, state.VXLANPrefix) && !vxlans[name]
		case "vlan":
			// Only the subinterfaces named as this package names them on
			// a mapped interface are ours.
			if v, ok := l.(*netlink.Vlan); ok && parents[l.Attrs().ParentIndex] {
				parent := a.linkByIndex(l.Attrs().ParentIndex)
				stale = parent != nil && name == vlanName(parent.Attrs().Name, int64(v.VlanId)) && !vlans[name]
			}
		}
		if !stale {
			continue
		}
		if err := a.nl.LinkDel(l); err != nil && !errors.Is(err, errNoDevice) {
			a.fail(fmt.Errorf("l2: delete stale %s: %w", name, err))
			continue
		}
		a.r.log.Info("deleted stale device", "device", name)
		delete(a.links, name)
	}
}

func (a *apply) linkByIndex(i int) netlink.Link {
	for _, l := range a.links {
		if l.Attrs().Index == i {
			return l
		}
	}
	return nil
}

// ensureBridge makes the named bridge unless it exists, and brings its
// MTU (when mtu > 0) and state up to date. The bridges this package
// names (not the mapped ones) get no IPv6 address, so the host takes no
// part in the tenant networks they carry, as Neutron's agent does.
func (a *apply) ensureBridge(name string, mtu int) (netlink.Link, error) {
	if l, ok := a.bridges[name]; ok {
		return l, nil
	}
	l := a.links[name]
	if l != nil && l.Type() != "bridge" {
		return nil, fmt.Errorf("l2: device %s exists and is not a bridge (%s)", name, l.Type())
	}
	if l == nil {
		attrs := netlink.NewLinkAttrs()
		attrs.Name = name
		attrs.MTU = mtu
		if err := a.nl.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil {
			return nil, fmt.Errorf("l2: create bridge %s: %w", name, err)
		}
		a.r.log.Info("created bridge", "bridge", name, "mtu", mtu)
		if strings.HasPrefix(name, state.BridgePrefix) {
			if err := nsutil.Sysctl(a.r.cfg.Root, "ipv6/conf/"+name+"/disable_ipv6", "1"); err != nil {
				a.r.log.Warn("could not disable IPv6 on bridge", "bridge", name, "err", err)
			}
		}
		var err error
		if l, err = a.refresh(name); err != nil {
			return nil, err
		}
	}
	if err := a.tune(l, mtu, 0); err != nil {
		return nil, err
	}
	a.bridges[name] = l
	return l, nil
}

// tune brings a link's MTU (when mtu > 0) and master (when master > 0)
// to the wanted ones, and sets it up.
func (a *apply) tune(l netlink.Link, mtu, master int) error {
	at := l.Attrs()
	if master > 0 && at.MasterIndex != master {
		if err := a.nl.LinkSetMasterByIndex(l, master); err != nil {
			return fmt.Errorf("l2: enslave %s: %w", at.Name, err)
		}
		at.MasterIndex = master
	}
	if mtu > 0 && at.MTU != mtu {
		if err := a.nl.LinkSetMTU(l, mtu); err != nil {
			return fmt.Errorf("l2: set MTU %d on %s: %w", mtu, at.Name, err)
		}
		at.MTU = mtu
	}
	if at.Flags&net.FlagUp == 0 {
		if err := a.nl.LinkSetUp(l); err != nil {
			return fmt.Errorf("l2: set %s up: %w", at.Name, err)
		}
		at.Flags |= net.FlagUp
	}
	return nil
}

// network wires one network: its bridge and its uplink.
func (a *apply) network(n *state.Network) error {
	br, err := a.ensureBridge(a.h.BridgeOf(n), a.bridgeMTU(n))
	if err != nil {
		return fmt.Errorf("network %s: %w", n.ID, err)
	}
	switch n.Type {
	case "local":
		return nil
	case "vxlan":
		err = a.vxlan(n, br)
	case "flat":
		if _, mapped := a.h.Bridges[n.Physnet]; mapped {
			return nil
		}
		err = a.flat(n, br)
	case "vlan":
		err = a.vlan(n, br)
	default:
		err = fmt.Errorf("l2: network type %q is not supported by the linuxbridge agent", n.Type)
	}
	if err != nil {
		return fmt.Errorf("network %s: %w", n.ID, err)
	}
	return nil
}

// bridgeMTU is the MTU of n's bridge: n's own, or for a mapped bridge
// the smallest of the networks it carries (0: leave it as it is).
func (a *apply) bridgeMTU(n *state.Network) int {
	name := a.h.BridgeOf(n)
	mtu := 0
	for _, o := range a.h.Networks {
		if o.MTU > 0 && a.h.BridgeOf(o) == name && (mtu == 0 || o.MTU < mtu) {
			mtu = o.MTU
		}
	}
	return mtu
}

// flat enslaves the physical network's interface to n's bridge.
func (a *apply) flat(n *state.Network, br netlink.Link) error {
	iface := a.h.Interfaces[n.Physnet]
	if iface == "" {
		return fmt.Errorf("l2: physical network %q has neither a bridge nor an interface mapping", n.Physnet)
	}
	l := a.links[iface]
	if l == nil {
		return fmt.Errorf("l2: interface %s of physical network %q does not exist", iface, n.Physnet)
	}
	return a.tune(l, 0, br.Attrs().Index)
}

// vlanName is the VLAN subinterface of iface for vid, "<iface>.<vid>",
// with iface cut so that the name fits the kernel's 15 bytes.
func vlanName(iface string, vid int64) string {
	suffix := fmt.Sprintf(".%d", vid)
	if len(iface)+len(suffix) > 15 {
		iface = iface[:15-len(suffix)]
	}
	return iface + suffix
}

// vlan makes the VLAN subinterface of the physical network's interface
// and enslaves it to n's bridge.
func (a *apply) vlan(n *state.Network, br netlink.Link) error {
	iface := a.h.Interfaces[n.Physnet]
	if iface == "" {
		return fmt.Errorf("l2: physical network %q has no interface mapping for VLAN networks", n.Physnet)
	}
	parent := a.links[iface]
	if parent == nil {
		return fmt.Errorf("l2: interface %s of physical network %q does not exist", iface, n.Physnet)
	}
	if n.SegmentID < 1 || n.SegmentID > 4094 {
		return fmt.Errorf("l2: VLAN id %d out of range 1-4094", n.SegmentID)
	}
	name := vlanName(iface, n.SegmentID)
	l := a.links[name]
	if v, ok := l.(*netlink.Vlan); l != nil && (!ok || int64(v.VlanId) != n.SegmentID || l.Attrs().ParentIndex != parent.Attrs().Index) {
		return fmt.Errorf("l2: device %s exists and is not VLAN %d of %s", name, n.SegmentID, iface)
	}
	if l == nil {
		attrs := netlink.NewLinkAttrs()
		attrs.Name = name
		attrs.ParentIndex = parent.Attrs().Index
		attrs.MTU = n.MTU
		if err := a.nl.LinkAdd(&netlink.Vlan{LinkAttrs: attrs, VlanId: int(n.SegmentID)}); err != nil {
			return fmt.Errorf("l2: create VLAN subinterface %s of %s (needs the kernel's 802.1q support): %w", name, iface, err)
		}
		var err error
		if l, err = a.refresh(name); err != nil {
			return err
		}
	}
	if err := a.tune(parent, 0, 0); err != nil {
		return err
	}
	return a.tune(l, n.MTU, br.Attrs().Index)
}

// ports plugs every port's device that exists into its network's
// bridge, and reports which are plugged. A missing device is no error:
// the hypervisor or the dhcp/l3 realizer makes it later.
func (a *apply) ports() Plugged {
	out := make(Plugged, len(a.h.Ports))
	for id, p := range a.h.Ports {
		out[id] = false
		n := a.h.Networks[p.NetworkID]
		l := a.links[p.Device()]
		if n == nil || l == nil {
			continue
		}
		br := a.bridges[a.h.BridgeOf(n)]
		if br == nil {
			continue
		}
		if !p.AdminUp {
			// As Neutron's agent does, an administratively down port's
			// device is taken down: nothing passes, and it is not
			// reported plugged (the port shows DOWN).
			if l.Attrs().Flags&net.FlagUp != 0 {
				if err := a.nl.LinkSetDown(l); err != nil && !errors.Is(err, errNoDevice) {
					a.fail(fmt.Errorf("port %s: set %s down: %w", id, l.Attrs().Name, err))
				}
			}
			continue
		}
		mtu := n.MTU
		if mtu == 0 {
			mtu = p.MTU
		}
		if err := a.tune(l, mtu, br.Attrs().Index); err != nil {
			if errors.Is(err, errNoDevice) {
				// The device went away since the listing: not plugged,
				// and not an error either.
				continue
			}
			a.fail(fmt.Errorf("port %s: %w", id, err))
			continue
		}
		out[id] = true
	}
	return out
}
