package firewall

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/network/agent/state"
)

// Protocol numbers the rules name.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
	protoSCTP   = 132
	protoUDPLit = 136
)

// plan is the ruleset one Host asks for, independent of the kernel: the
// filtered ports with their anti-spoofing addresses and security group
// rules, and the remote-group address sets those rules look up.
type plan struct {
	ports []*portPlan // every port of the host, in id order
	// groups are the remote-group sets by set name ("g-<id11>-4"/"-6"),
	// each with its sorted, distinct addresses.
	groups map[string][]netip.Addr
	// allow is, per port of the Host (filtered or not), what it is
	// allowed: the keys of its effective rules, one per remote member for
	// remote-group rules, or "*" for an unfiltered port. A port whose
	// allowances lose a key has its conntrack entries flushed.
	allow map[string]map[string]bool
	// ips are the addresses of every port of the Host, by port id.
	ips map[string][]netip.Addr
}

// portPlan is one port of the host. Every port is numbered, and its
// packets are given its network's conntrack zone; only a filtered one
// has anti-spoofing and security group rules.
type portPlan struct {
	id     string
	short  string // the id cut to 11 characters, as chain names use it
	device string
	// idx is the port's number in packet marks: bits 16-31 carry the
	// sending port's, bits 0-15 the receiving port's.
	idx uint32
	// zone is the conntrack zone of the port's network, which keeps
	// apart the flows of tenants that use the same addresses.
	zone uint16
	// bridge is the port's network's bridge, which the zone is given by:
	// br_netfilter hands bridged packets to the inet hooks with the
	// bridge as their input device, whichever port or uplink (VXLAN,
	// physical interface) they came in by.
	bridge   string
	filtered bool
	macs     []net.HardwareAddr
	src4     []netip.Prefix // allowed IPv4 sources (anti-spoofing)
	src6     []netip.Prefix // allowed IPv6 sources
	stateful bool
	rules    []rule // effective security group rules, sorted and distinct
}

// rule is a security group rule in the form the firewall matches it.
type rule struct {
	ingress bool
	v6      bool
	proto   int // -1: any
	// min and max are the destination port range (TCP, UDP, SCTP), or
	// the ICMP type and code (-1: any); 0 and 0 when the rule has none.
	min, max int
	prefix   netip.Prefix // invalid: any
	group    string       // remote group set name, "" for none
}

func (r rule) key() string {
	dir := "egress"
	if r.ingress {
		dir = "ingress"
	}
	eth := "IPv4"
	if r.v6 {
		eth = "IPv6"
	}
	return fmt.Sprintf("%s %s proto=%d range=%d-%d prefix=%v group=%s", dir, eth, r.proto, r.min, r.max, r.prefix, r.group)
}

// unfiltered reports whether a port gets no chains: port security off,
// or a port of the networking service itself (router and DHCP ports),
// which Neutron never filters by security group.
func unfiltered(p *state.Port) bool {
	return !p.PortSecurity || strings.HasPrefix(p.DeviceOwner, "network:")
}

// build makes the plan of h. Port numbers are given in port id order,
// so they stay the same while the set of ports does.
func build(h *state.Host) (*plan, error) {
	p := &plan{
		groups: map[string][]netip.Addr{},
		allow:  map[string]map[string]bool{},
		ips:    map[string][]netip.Addr{},
	}
	ids := make([]string, 0, len(h.Ports))
	for id := range h.Ports {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	// Conntrack zones are numbered per network in order of first port,
	// which the sorted ports make stable.
	zones := map[string]uint16{}
	for _, id := range ids {
		port := h.Ports[id]
		for _, ip := range port.IPs {
			p.ips[id] = append(p.ips[id], ip.IP)
		}
		if len(p.ports) == 0xffff {
			return nil, fmt.Errorf("firewall: more than %d ports", 0xffff)
		}
		zone, ok := zones[port.NetworkID]
		if !ok {
			zone = uint16(len(zones) + 1)
			zones[port.NetworkID] = zone
		}
		pp := &portPlan{
			id:       id,
			short:    short(id),
			device:   port.Device(),
			idx:      uint32(len(p.ports) + 1),
			zone:     zone,
			bridge:   bridgeOf(h, port),
			stateful: true,
		}
		p.ports = append(p.ports, pp)
		if unfiltered(port) {
			p.allow[id] = map[string]bool{"*": true}
			continue
		}
		pp.filtered = true
		pp.macs, pp.src4, pp.src6 = sources(port)
		allow := map[string]bool{}
		seen := map[string]bool{}
		for _, gid := range port.Groups {
			g, ok := h.Groups[gid]
			if !ok {
				// A group the agent could not read has no rules here:
				// its traffic stays denied, which errs on the safe side.
				continue
			}
			if !g.Stateful {
				pp.stateful = false
			}
			for _, sr := range g.Rules {
				r, ok := convert(sr)
				if !ok {
					continue
				}
				var members []netip.Addr
				if sr.RemoteGroup != "" {
					r.group = groupSet(sr.RemoteGroup, r.v6)
					members = groupMembers(h.Groups[sr.RemoteGroup], r.v6)
					p.groups[r.group] = members
				}
				k := r.key()
				if seen[k] {
					continue
				}
				seen[k] = true
				pp.rules = append(pp.rules, r)
				if r.group == "" {
					allow[k] = true
				}
				for _, m := range members {
					allow[k+" member="+m.String()] = true
				}
			}
		}
		if pp.stateful {
			allow["stateful"] = true
		}
		slices.SortFunc(pp.rules, func(a, b rule) int { return strings.Compare(a.key(), b.key()) })
		p.allow[id] = allow
	}
	return p, nil
}

// convert turns a security group rule into a rule; ok is false for one
// the firewall cannot express (an unknown direction or ethertype), which
// then allows nothing.
func convert(sr state.Rule) (r rule, ok bool) {
	switch sr.Direction {
	case "ingress":
		r.ingress = true
	case "egress":
	default:
		return r, false
	}
	switch sr.Ethertype {
	case "IPv4":
	case "IPv6":
		r.v6 = true
	default:
		return r, false
	}
	r.proto = sr.Protocol
	if r.proto < 0 || r.proto > 255 {
		r.proto = -1
	}
	// Neutron lets "icmp" stand for ICMPv6 in an IPv6 rule.
	if r.v6 && r.proto == protoICMP {
		r.proto = protoICMPv6
	}
	switch r.proto {
	case protoTCP, protoUDP, protoSCTP, protoUDPLit:
		if sr.PortMin > 0 || sr.PortMax > 0 {
			r.min, r.max = sr.PortMin, sr.PortMax
			if r.min <= 0 {
				r.min = 1
			}
			if r.max < r.min {
				r.max = r.min
			}
		}
	case protoICMP, protoICMPv6:
		// state.Any is an unset type or code; 0 is echo reply.
		r.min, r.max = -1, -1
		if sr.PortMin >= 0 && sr.PortMin <= 255 {
			r.min = sr.PortMin
			if sr.PortMax >= 0 && sr.PortMax <= 255 {
				r.max = sr.PortMax
			}
		}
	}
	if sr.RemotePrefix.IsValid() {
		// A prefix of the other family matches nothing (Neutron refuses
		// to store one).
		if sr.RemotePrefix.Addr().Is6() != r.v6 {
			return r, false
		}
		if sr.RemotePrefix.Bits() > 0 {
			r.prefix = sr.RemotePrefix.Masked()
		}
	}
	return r, true
}

// sources are the MACs and addresses a port may send from: its own,
// its allowed address pairs', and the unspecified and link-local
// addresses DHCP and IPv6 neighbour discovery send from.
func sources(p *state.Port) (macs []net.HardwareAddr, v4, v6 []netip.Prefix) {
	if len(p.MAC) == 6 {
		macs = append(macs, p.MAC)
	}
	for _, ip := range p.IPs {
		if ip.IP.Unmap().Is4() {
			v4 = append(v4, netip.PrefixFrom(ip.IP.Unmap(), 32))
		} else {
			v6 = append(v6, netip.PrefixFrom(ip.IP, 128))
		}
	}
	for _, ap := range p.AddressPairs {
		if len(ap.MAC) == 6 && !slices.ContainsFunc(macs, func(m net.HardwareAddr) bool { return bytes.Equal(m, ap.MAC) }) {
			macs = append(macs, ap.MAC)
		}
		if !ap.Prefix.IsValid() {
			continue
		}
		if ap.Prefix.Addr().Unmap().Is4() {
			v4 = append(v4, netip.PrefixFrom(ap.Prefix.Addr().Unmap(), min(ap.Prefix.Bits(), 32)).Masked())
		} else {
			v6 = append(v6, ap.Prefix.Masked())
		}
	}
	v4 = append(v4, netip.MustParsePrefix("0.0.0.0/32"))
	v6 = append(v6, netip.MustParsePrefix("fe80::/64"), netip.MustParsePrefix("::/128"))
	return macs, v4, v6
}

func groupMembers(g *state.Group, v6 bool) []netip.Addr {
	if g == nil {
		return nil
	}
	var out []netip.Addr
	for _, a := range g.Members {
		a = a.Unmap()
		if a.Is6() == v6 {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// groupSet names the set of a remote group's addresses of one family.
func groupSet(groupID string, v6 bool) string {
	if v6 {
		return "g-" + short(groupID) + "-6"
	}
	return "g-" + short(groupID) + "-4"
}

func short(id string) string {
	if len(id) > 11 {
		return id[:11]
	}
	return id
}

// hash is a digest of everything the plan puts in the kernel.
func (p *plan) hash() [32]byte {
	var b strings.Builder
	for _, pp := range p.ports {
		fmt.Fprintf(&b, "port %s %s %d %d %s %v %v %v %v %v\n", pp.id, pp.device, pp.idx, pp.zone, pp.bridge, pp.filtered, pp.macs, pp.src4, pp.src6, pp.stateful)
		for _, r := range pp.rules {
			b.WriteString(r.key())
			b.WriteByte('\n')
		}
	}
	names := make([]string, 0, len(p.groups))
	for n := range p.groups {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "set %s %v\n", n, p.groups[n])
	}
	return sha256.Sum256([]byte(b.String()))
}

// ranges turns prefixes into the sorted, merged, inclusive address
// ranges an interval set must be given (the kernel refuses overlapping
// elements).
func ranges(ps []netip.Prefix) [][2]netip.Addr {
	var rs [][2]netip.Addr
	for _, p := range ps {
		p = p.Masked()
		rs = append(rs, [2]netip.Addr{p.Addr(), last(p)})
	}
	slices.SortFunc(rs, func(a, b [2]netip.Addr) int { return a[0].Compare(b[0]) })
	var out [][2]netip.Addr
	for _, r := range rs {
		if n := len(out); n > 0 {
			prev := &out[n-1]
			// Overlapping or adjacent ranges merge.
			if next := prev[1].Next(); !next.IsValid() || r[0].Compare(next) <= 0 {
				if r[1].Compare(prev[1]) > 0 {
					prev[1] = r[1]
				}
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// last is the highest address of a prefix.
func last(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// bridgeOf is the bridge of a port's network ("" when the host does not
// hold the network).
func bridgeOf(h *state.Host, p *state.Port) string {
	n, ok := h.Networks[p.NetworkID]
	if !ok {
		return ""
	}
	return h.BridgeOf(n)
}
