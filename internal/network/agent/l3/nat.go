package l3

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/gostack/gostack/internal/network/agent/nsutil"
	"github.com/gostack/gostack/internal/network/agent/state"
)

// natTable is the nftables table (family ip) holding a router's NAT.
const natTable = "gostack-nat"

// natRule is one NAT rule in a plain form: it matches the set fields
// and translates to To (and ToPort when not zero).
type natRule struct {
	DNAT   bool // in prerouting; else SNAT in postrouting
	Src    netip.Prefix
	Dst    netip.Addr
	Proto  uint8 // with DPort: a port forwarding
	DPort  uint16
	OutDev string
	To     netip.Addr
	ToPort uint16
}

func (r natRule) String() string {
	var b strings.Builder
	if r.DNAT {
		b.WriteString("dnat")
	} else {
		b.WriteString("snat")
	}
	if r.Src.IsValid() {
		fmt.Fprintf(&b, " saddr %s", r.Src)
	}
	if r.Dst.IsValid() {
		fmt.Fprintf(&b, " daddr %s", r.Dst)
	}
	if r.Proto != 0 {
		fmt.Fprintf(&b, " proto %d dport %d", r.Proto, r.DPort)
	}
	if r.OutDev != "" {
		fmt.Fprintf(&b, " oif %s", r.OutDev)
	}
	fmt.Fprintf(&b, " to %s", r.To)
	if r.ToPort != 0 {
		fmt.Fprintf(&b, ":%d", r.ToPort)
	}
	return b.String()
}

// natRules are the router's NAT rules in order: port forwardings and
// floating IPs' DNAT, then floating IPs' SNAT before the gateway's SNAT
// of the tenant subnets, so that a server with a floating IP leaves
// under it. Only IPv4 is translated (Neutron does not NAT IPv6). gwDev
// is the gateway's device in the router; without a gateway there is
// nothing to translate.
func natRules(r *state.Router, gwDev string) []natRule {
	if r.Gateway == nil || gwDev == "" {
		return nil
	}
	var out []natRule
	fwds := append([]state.Forwarding(nil), r.Forwardings...)
	sort.Slice(fwds, func(i, j int) bool { return fwds[i].ID < fwds[j].ID })
	for _, f := range fwds {
		proto := protoNumber(f.Protocol)
		if proto == 0 || !f.Address.Is4() || !f.InternalIP.Is4() || !validPort(f.ExternalPort) || !validPort(f.InternalPort) {
			continue
		}
		out = append(out, natRule{DNAT: true, Dst: f.Address, Proto: proto, DPort: uint16(f.ExternalPort), To: f.InternalIP, ToPort: uint16(f.InternalPort)})
	}
	fips := floating4(r)
	for _, f := range fips {
		out = append(out, natRule{DNAT: true, Dst: f.Address, To: f.Fixed})
	}
	for _, f := range fips {
		out = append(out, natRule{Src: netip.PrefixFrom(f.Fixed, 32), OutDev: gwDev, To: f.Address})
	}
	if gw := gatewayIPv4(r.Gateway); r.EnableSNAT && gw.IsValid() {
		for _, s := range r.SNATSubnets {
			if s.Addr().Is4() {
				out = append(out, natRule{Src: s.Masked(), OutDev: gwDev, To: gw})
			}
		}
	}
	return out
}

// floating4 are the router's IPv4 floating IPs with a fixed address, in
// address order so that the rules do not change with map order upstream.
func floating4(r *state.Router) []state.FloatingIP {
	var out []state.FloatingIP
	for _, f := range r.FloatingIPs {
		if f.Address.Is4() && f.Fixed.Is4() {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address.Less(out[j].Address) })
	return out
}

func gatewayIPv4(p *state.Port) netip.Addr {
	for _, ip := range p.IPs {
		if ip.IP.Is4() {
			return ip.IP
		}
	}
	return netip.Addr{}
}

func protoNumber(name string) uint8 {
	switch strings.ToLower(name) {
	case "tcp":
		return unix.IPPROTO_TCP
	case "udp":
		return unix.IPPROTO_UDP
	}
	return 0
}

func validPort(p int) bool { return p > 0 && p < 65536 }

// syncNAT loads the router's NAT table when its rules changed since the
// last load or the table is gone, and drops the conntrack entries of
// floating IPs and forwardings that were removed or re-pointed.
func (x *L3) syncNAT(inner *netlink.Handle, nsFd int, r *state.Router, gwDev string, a *applied) error {
	rules := natRules(r, gwDev)
	var b strings.Builder
	for _, rl := range rules {
		b.WriteString(rl.String())
		b.WriteByte('\n')
	}
	key := "v1\n" + b.String()

	conn, err := nftables.New(nftables.WithNetNSFd(nsFd))
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	if key == a.nat {
		present, err := hasTable(conn)
		if err != nil {
			return err
		}
		if present {
			return nil
		}
	}
	if err := loadNAT(conn, rules); err != nil {
		return err
	}
	// The rules are remembered only once the old mappings' flows are
	// gone, so that a failure here is retried on the next Apply.
	if err := x.dropConntrack(inner, r, a); err != nil {
		return err
	}
	a.nat = key
	return nil
}

func hasTable(conn *nftables.Conn) (bool, error) {
	ts, err := conn.ListTablesOfFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return false, fmt.Errorf("list nftables tables: %w", err)
	}
	for _, t := range ts {
		if t.Name == natTable {
			return true, nil
		}
	}
	return false, nil
}

// loadNAT replaces the NAT table in one batch, so that packets never see
// it half built: adding the table first makes deleting it succeed when it
// does not exist yet.
func loadNAT(conn *nftables.Conn, rules []natRule) error {
	t := &nftables.Table{Name: natTable, Family: nftables.TableFamilyIPv4}
	conn.AddTable(t)
	conn.DelTable(t)
	conn.AddTable(t)
	pre := conn.AddChain(&nftables.Chain{Name: "prerouting", Table: t, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityNATDest})
	post := conn.AddChain(&nftables.Chain{Name: "postrouting", Table: t, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource})
	for _, rl := range rules {
		c := post
		if rl.DNAT {
			c = pre
		}
		conn.AddRule(&nftables.Rule{Table: t, Chain: c, Exprs: rl.exprs()})
	}
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("load nftables table %s: %w", natTable, err)
	}
	return nil
}

// exprs compiles the rule to nftables expressions.
func (r natRule) exprs() []expr.Any {
	var e []expr.Any
	if r.Src.IsValid() {
		e = append(e, &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 4})
		if r.Src.Bits() < 32 {
			mask := nsutil.IPNet(r.Src).Mask
			e = append(e, &expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: mask, Xor: make([]byte, 4)})
		}
		e = append(e, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: r.Src.Masked().Addr().AsSlice()})
	}
	if r.Dst.IsValid() {
		e = append(e,
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 16, Len: 4},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: r.Dst.AsSlice()})
	}
	if r.Proto != 0 {
		e = append(e,
			&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{r.Proto}},
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.BigEndian.PutUint16(r.DPort)})
	}
	if r.OutDev != "" {
		e = append(e,
			&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifname(r.OutDev)})
	}
	nat := &expr.NAT{Type: expr.NATTypeSourceNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: 1}
	if r.DNAT {
		nat.Type = expr.NATTypeDestNAT
	}
	e = append(e, &expr.Immediate{Register: 1, Data: r.To.AsSlice()})
	if r.ToPort != 0 {
		e = append(e, &expr.Immediate{Register: 2, Data: binaryutil.BigEndian.PutUint16(r.ToPort)})
		nat.RegProtoMin = 2
	}
	return append(e, nat)
}

// ifname is an interface name as the kernel compares it: NUL-padded to
// IFNAMSIZ.
func ifname(n string) []byte {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, n)
	return b
}

// dropConntrack deletes the conntrack entries of the floating IPs and
// port forwardings the router had at the last load and no longer has
// (or has pointing elsewhere): without this, a flow that began under the
// old mapping would keep it as long as packets keep coming. It then
// remembers the current mappings.
func (x *L3) dropConntrack(h *netlink.Handle, r *state.Router, a *applied) error {
	fips := map[netip.Addr]netip.Addr{}
	for _, f := range floating4(r) {
		fips[f.Address] = f.Fixed
	}
	fwds := map[state.Forwarding]bool{}
	for _, f := range r.Forwardings {
		if protoNumber(f.Protocol) == 0 || !f.Address.Is4() || !validPort(f.ExternalPort) {
			continue
		}
		f.ID = ""
		fwds[f] = true
	}
	var filters []netlink.CustomConntrackFilter
	for fip, fixed := range a.fips {
		if now, ok := fips[fip]; ok && now == fixed {
			continue
		}
		// Flows towards the floating IP were DNATed by it; flows from the
		// fixed address leaving under it answer to it.
		in := &netlink.ConntrackFilter{}
		out := &netlink.ConntrackFilter{}
		if err := errors.Join(in.AddIP(netlink.ConntrackOrigDstIP, fip.AsSlice()),
			out.AddIP(netlink.ConntrackReplyDstIP, fip.AsSlice())); err != nil {
			return err
		}
		filters = append(filters, in, out)
	}
	for f := range a.fwds {
		if fwds[f] {
			continue
		}
		ft := &netlink.ConntrackFilter{}
		if err := errors.Join(ft.AddProtocol(protoNumber(f.Protocol)),
			ft.AddIP(netlink.ConntrackOrigDstIP, f.Address.AsSlice()),
			ft.AddPort(netlink.ConntrackOrigDstPort, uint16(f.ExternalPort))); err != nil {
			return err
		}
		filters = append(filters, ft)
	}
	if len(filters) > 0 {
		n, err := h.ConntrackDeleteFilters(netlink.ConntrackTable, unix.AF_INET, filters...)
		if err != nil {
			return fmt.Errorf("delete conntrack entries: %w", err)
		}
		x.cfg.Log.Debug("l3: dropped conntrack entries of removed floating IPs", "router", r.ID, "entries", n)
	}
	a.fips, a.fwds = fips, fwds
	return nil
}
