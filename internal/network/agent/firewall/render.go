package firewall

import (
	"encoding/binary"
	"net/netip"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// TableName is the name of the firewall's tables, one in the bridge
// family (port identification and anti-spoofing) and one in the inet
// family (stateful security group rules).
const TableName = "gostack"

// Mark bits: the sending port's number in the high half, the receiving
// port's in the low half.
const (
	markIn  = 0xffff0000
	markOut = 0x0000ffff
)

// Names of the chains and maps.
const (
	chainPre     = "pre"
	chainFwd     = "fwd"
	mapIn        = "in"
	mapOut       = "out"
	mapEgress    = "egress"
	mapIngress   = "ingress"
	mapZones     = "zones"
	chainZone    = "zone"
	prefixIn     = "in-"
	prefixOut    = "out-"
	prefixEgress = "eg-"
	prefixIngr   = "ing-"
	// Shared chains of the inet table (port chains are named with an
	// 11-character id, so these never collide).
	chainEgDeny   = "eg-deny"
	chainEgAllow  = "eg-allow"
	chainIngAllow = "ing-allow"
)

// Ethertypes and ARP header offsets the anti-spoofing rules read.
var (
	etherIPv4 = []byte{0x08, 0x00}
	etherIPv6 = []byte{0x86, 0xdd}
	etherARP  = []byte{0x08, 0x06}
)

const arpSenderIP = 14 // offset of the sender IPv4 address in an Ethernet/IPv4 ARP packet

// ICMPv6 types Neutron lets through whatever the rules say: multicast
// listener discovery and neighbour discovery, and router
// advertisements only towards a port (the egress side drops them before
// the rules).
var (
	icmp6Egress  = []int{130, 131, 132, 133, 135, 136, 143}
	icmp6Ingress = []int{130, 131, 132, 134, 135, 136, 143}
)

// tables are the two tables, as render adds them.
func tables() (br, inet *nftables.Table) {
	return &nftables.Table{Name: TableName, Family: nftables.TableFamilyBridge},
		&nftables.Table{Name: TableName, Family: nftables.TableFamilyINet}
}

// render queues on c, as one batch, the replacement of both tables by
// the plan's, and returns how many chains each table then has.
func render(c *nftables.Conn, p *plan) (nBridge, nInet int, err error) {
	br, inet := tables()
	// Adding before deleting makes the delete valid when the table does
	// not exist yet; the whole batch is one transaction, so packets see
	// either the old ruleset or the new one.
	for _, t := range []*nftables.Table{br, inet} {
		c.AddTable(t)
		c.DelTable(t)
		c.AddTable(t)
	}

	// Per-port chains first: the verdict maps' elements name them.
	filtered := 0
	for _, pp := range p.ports {
		c.AddChain(&nftables.Chain{Name: prefixIn + pp.short, Table: br})
		c.AddChain(&nftables.Chain{Name: prefixOut + pp.short, Table: br})
		if pp.filtered {
			filtered++
			c.AddChain(&nftables.Chain{Name: prefixEgress + pp.short, Table: inet})
			c.AddChain(&nftables.Chain{Name: prefixIngr + pp.short, Table: inet})
		}
	}
	renderShared(c, inet)
	nBridge, nInet = 2+2*len(p.ports), 5+2*filtered

	in := &nftables.Set{Table: br, Name: mapIn, IsMap: true, KeyType: nftables.TypeIFName, DataType: nftables.TypeVerdict}
	out := &nftables.Set{Table: br, Name: mapOut, IsMap: true, KeyType: nftables.TypeIFName, DataType: nftables.TypeVerdict}
	egress := &nftables.Set{Table: inet, Name: mapEgress, IsMap: true, KeyType: nftables.TypeMark, DataType: nftables.TypeVerdict}
	ingress := &nftables.Set{Table: inet, Name: mapIngress, IsMap: true, KeyType: nftables.TypeMark, DataType: nftables.TypeVerdict}
	zoneType := nftables.TypeInteger
	zoneType.Bytes = 2
	zones := &nftables.Set{Table: inet, Name: mapZones, IsMap: true, KeyType: nftables.TypeIFName, DataType: zoneType}
	zoned := map[string]bool{}
	var inE, outE, egE, ingE, zoneE []nftables.SetElement
	for _, pp := range p.ports {
		dev := ifname(pp.device)
		inE = append(inE, nftables.SetElement{Key: dev, VerdictData: &expr.Verdict{Kind: expr.VerdictJump, Chain: prefixIn + pp.short}})
		outE = append(outE, nftables.SetElement{Key: dev, VerdictData: &expr.Verdict{Kind: expr.VerdictJump, Chain: prefixOut + pp.short}})
		if pp.bridge != "" && !zoned[pp.bridge] {
			zoned[pp.bridge] = true
			zoneE = append(zoneE, nftables.SetElement{Key: ifname(pp.bridge), Val: binary.NativeEndian.AppendUint16(nil, pp.zone)})
		}
		if pp.filtered {
			egE = append(egE, nftables.SetElement{Key: u32(pp.idx << 16), VerdictData: &expr.Verdict{Kind: expr.VerdictJump, Chain: prefixEgress + pp.short}})
			ingE = append(ingE, nftables.SetElement{Key: u32(pp.idx), VerdictData: &expr.Verdict{Kind: expr.VerdictJump, Chain: prefixIngr + pp.short}})
		}
	}
	for _, s := range []struct {
		set  *nftables.Set
		elem []nftables.SetElement
	}{{in, inE}, {out, outE}, {egress, egE}, {ingress, ingE}, {zones, zoneE}} {
		if err := c.AddSet(s.set, s.elem); err != nil {
			return 0, 0, err
		}
	}

	groups := map[string]*nftables.Set{}
	for name, addrs := range p.groups {
		s := &nftables.Set{Table: inet, Name: name, KeyType: nftables.TypeIPAddr}
		if len(name) > 2 && name[len(name)-1] == '6' {
			s.KeyType = nftables.TypeIP6Addr
		}
		elems := make([]nftables.SetElement, 0, len(addrs))
		for _, a := range addrs {
			elems = append(elems, nftables.SetElement{Key: a.AsSlice()})
		}
		if err := c.AddSet(s, elems); err != nil {
			return 0, 0, err
		}
		groups[name] = s
	}

	// The bridge family's base chains find the ports by device and
	// jump to their chains; priority -300 runs before br_netfilter hands
	// the packet to the inet prerouting hooks (conntrack), -200 before it
	// hands it to the inet forward hook.
	pre := c.AddChain(&nftables.Chain{Name: chainPre, Table: br, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityRef(-300)})
	c.AddRule(&nftables.Rule{Table: br, Chain: pre, Exprs: []expr.Any{
		&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
		&expr.Lookup{SourceRegister: 1, SetName: in.Name, SetID: in.ID, IsDestRegSet: true, DestRegister: 0},
	}})
	fwdBr := c.AddChain(&nftables.Chain{Name: chainFwd, Table: br, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityRef(-200)})
	c.AddRule(&nftables.Rule{Table: br, Chain: fwdBr, Exprs: []expr.Any{
		&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
		&expr.Lookup{SourceRegister: 1, SetName: out.Name, SetID: out.ID, IsDestRegSet: true, DestRegister: 0},
	}})

	// Before conntrack (-200) sees a bridged packet, it gets the zone of
	// its network, found by its bridge: br_netfilter runs the inet hooks
	// with the bridge as the input device, so packets from the network's
	// uplink (VXLAN, a physical interface) get the zone of the ports'
	// own, and a reply is matched to its request.
	zone := c.AddChain(&nftables.Chain{Name: chainZone, Table: inet, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityRef(-300)})
	c.AddRule(&nftables.Rule{Table: inet, Chain: zone, Exprs: []expr.Any{
		&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
		&expr.Lookup{SourceRegister: 1, SetName: zones.Name, SetID: zones.ID, IsDestRegSet: true, DestRegister: 1},
		&expr.Ct{Key: expr.CtKeyZONE, SourceRegister: true, Register: 1},
	}})

	// The inet forward chain, which br_netfilter runs bridged IP
	// packets through with their conntrack state: the sender's egress
	// rules, then the receiver's ingress rules.
	fwd := c.AddChain(&nftables.Chain{Name: chainFwd, Table: inet, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityFilter})
	for _, m := range []struct {
		mask uint32
		set  *nftables.Set
	}{{markIn, egress}, {markOut, ingress}} {
		c.AddRule(&nftables.Rule{Table: inet, Chain: fwd, Exprs: []expr.Any{
			&expr.Meta{Key: expr.MetaKeyMARK, Register: 1},
			&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: u32(m.mask), Xor: u32(0)},
			&expr.Lookup{SourceRegister: 1, SetName: m.set.Name, SetID: m.set.ID, IsDestRegSet: true, DestRegister: 0},
		}})
	}

	for _, pp := range p.ports {
		if err := renderPort(c, br, inet, pp, groups); err != nil {
			return 0, 0, err
		}
	}
	return nBridge, nInet, nil
}

func renderPort(c *nftables.Conn, br, inet *nftables.Table, pp *portPlan, groups map[string]*nftables.Set) error {
	rule := func(t *nftables.Table, ch *nftables.Chain, e ...expr.Any) {
		c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: e})
	}
	in := &nftables.Chain{Name: prefixIn + pp.short, Table: br}
	// On the way out, the receiving port's number goes in the low half.
	out := &nftables.Chain{Name: prefixOut + pp.short, Table: br}
	rule(br, out,
		&expr.Meta{Key: expr.MetaKeyMARK, Register: 1},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: u32(markIn), Xor: u32(pp.idx)},
		&expr.Meta{Key: expr.MetaKeyMARK, SourceRegister: true, Register: 1})
	setMark := []expr.Any{
		&expr.Immediate{Register: 1, Data: u32(pp.idx << 16)},
		&expr.Meta{Key: expr.MetaKeyMARK, SourceRegister: true, Register: 1},
	}
	if !pp.filtered {
		// Numbered all the same, for its network's conntrack zone.
		rule(br, in, setMark...)
		return nil
	}
	// Anti-spoofing: the source MAC, and the IPv4, ARP sender and IPv6
	// source addresses must be the port's own (or its address pairs'),
	// then the packet carries the port's number.
	src4 := &nftables.Set{Table: br, Name: "a4-" + pp.short, KeyType: nftables.TypeIPAddr, Interval: true}
	src6 := &nftables.Set{Table: br, Name: "a6-" + pp.short, KeyType: nftables.TypeIP6Addr, Interval: true}
	for _, s := range []struct {
		set  *nftables.Set
		elem []nftables.SetElement
	}{{src4, intervals(pp.src4)}, {src6, intervals(pp.src6)}} {
		if err := c.AddSet(s.set, s.elem); err != nil {
			return err
		}
	}
	// Most ports have one MAC: a comparison costs the kernel (and the
	// batch) less than a set.
	var macOK expr.Any
	switch len(pp.macs) {
	case 0:
		// A port without a usable MAC may send nothing.
		rule(br, in, &expr.Verdict{Kind: expr.VerdictDrop})
		return nil
	case 1:
		macOK = &expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: pp.macs[0]}
	default:
		macs := &nftables.Set{Table: br, Name: "mac-" + pp.short, KeyType: nftables.TypeEtherAddr}
		var macE []nftables.SetElement
		for _, m := range pp.macs {
			macE = append(macE, nftables.SetElement{Key: []byte(m)})
		}
		if err := c.AddSet(macs, macE); err != nil {
			return err
		}
		macOK = notIn(macs)
	}
	drop := &expr.Verdict{Kind: expr.VerdictDrop}
	rule(br, in,
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseLLHeader, Offset: 6, Len: 6},
		macOK, drop)
	rule(br, in,
		&expr.Meta{Key: expr.MetaKeyPROTOCOL, Register: 1}, eq(etherIPv4),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 4},
		notIn(src4), drop)
	rule(br, in,
		&expr.Meta{Key: expr.MetaKeyPROTOCOL, Register: 1}, eq(etherARP),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: arpSenderIP, Len: 4},
		notIn(src4), drop)
	rule(br, in,
		&expr.Meta{Key: expr.MetaKeyPROTOCOL, Register: 1}, eq(etherIPv6),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 8, Len: 16},
		notIn(src6), drop)
	rule(br, in, setMark...)

	eg := &nftables.Chain{Name: prefixEgress + pp.short, Table: inet}
	ing := &nftables.Chain{Name: prefixIngr + pp.short, Table: inet}
	ret := &expr.Verdict{Kind: expr.VerdictReturn}
	accept := &expr.Verdict{Kind: expr.VerdictAccept}
	if pp.stateful {
		rule(inet, eg, append(ctState(expr.CtStateBitINVALID), drop)...)
		rule(inet, eg, append(ctState(expr.CtStateBitESTABLISHED|expr.CtStateBitRELATED), ret)...)
		rule(inet, ing, append(ctState(expr.CtStateBitINVALID), drop)...)
		rule(inet, ing, append(ctState(expr.CtStateBitESTABLISHED|expr.CtStateBitRELATED), accept)...)
	}
	// What no rule may allow is dropped before the rules.
	rule(inet, eg, &expr.Verdict{Kind: expr.VerdictJump, Chain: chainEgDeny})
	for _, r := range pp.rules {
		e := match(r, groups)
		if r.ingress {
			rule(inet, ing, append(e, accept)...)
		} else {
			rule(inet, eg, append(e, ret)...)
		}
	}
	// A goto, not a jump: the shared chain's return ends the port's
	// chain too, and its final drop is the port's.
	rule(inet, eg, &expr.Verdict{Kind: expr.VerdictGoto, Chain: chainEgAllow})
	rule(inet, ing, &expr.Verdict{Kind: expr.VerdictGoto, Chain: chainIngAllow})
	return nil
}

// renderShared adds the inet chains every port's chains share: what an
// egress chain drops before its rules, and what egress and ingress
// chains allow whatever the rules say, ending in the default drop.
func renderShared(c *nftables.Conn, inet *nftables.Table) {
	deny := c.AddChain(&nftables.Chain{Name: chainEgDeny, Table: inet})
	egAllow := c.AddChain(&nftables.Chain{Name: chainEgAllow, Table: inet})
	ingAllow := c.AddChain(&nftables.Chain{Name: chainIngAllow, Table: inet})
	rule := func(ch *nftables.Chain, e ...expr.Any) {
		c.AddRule(&nftables.Rule{Table: inet, Chain: ch, Exprs: e})
	}
	drop := &expr.Verdict{Kind: expr.VerdictDrop}
	ret := &expr.Verdict{Kind: expr.VerdictReturn}
	accept := &expr.Verdict{Kind: expr.VerdictAccept}
	// A port never answers DHCP nor advertises itself as a router.
	rule(deny, append(udpPorts(false, 67, 68), drop)...)
	rule(deny, append(udpPorts(true, 547, 546), drop)...)
	rule(deny, append(icmp6Type(134), drop)...)
	// It may ask for an address and take part in neighbour discovery.
	rule(egAllow, append(udpPorts(false, 68, 67), ret)...)
	rule(egAllow, append(udpPorts(true, 546, 547), ret)...)
	for _, t := range icmp6Egress {
		rule(egAllow, append(icmp6Type(t), ret)...)
	}
	rule(egAllow, drop)
	rule(ingAllow, append(udpPorts(false, 67, 68), accept)...)
	rule(ingAllow, append(udpPorts(true, 547, 546), accept)...)
	for _, t := range icmp6Ingress {
		rule(ingAllow, append(icmp6Type(t), accept)...)
	}
	rule(ingAllow, drop)
}

// match is the expressions matching a security group rule; on the
// egress side the remote is the destination, on the ingress side the
// source.
func match(r rule, groups map[string]*nftables.Set) []expr.Any {
	nfproto, addrOff, addrLen := byte(unix.NFPROTO_IPV4), uint32(16), uint32(4)
	if r.v6 {
		nfproto, addrOff, addrLen = unix.NFPROTO_IPV6, 24, 16
	}
	if r.ingress {
		addrOff -= addrLen // the source address comes right before
	}
	e := []expr.Any{&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1}, eq([]byte{nfproto})}
	if r.prefix.IsValid() {
		e = append(e,
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: addrOff, Len: addrLen},
			&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: addrLen, Mask: mask(r.prefix), Xor: make([]byte, addrLen)},
			eq(r.prefix.Addr().AsSlice()))
	}
	if r.group != "" {
		s := groups[r.group]
		e = append(e,
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: addrOff, Len: addrLen},
			&expr.Lookup{SourceRegister: 1, SetName: s.Name, SetID: s.ID})
	}
	if r.proto < 0 {
		return e
	}
	e = append(e, &expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1}, eq([]byte{byte(r.proto)}))
	switch r.proto {
	case protoICMP, protoICMPv6:
		if r.min >= 0 {
			e = append(e, &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 0, Len: 1}, eq([]byte{byte(r.min)}))
		}
		if r.max >= 0 {
			e = append(e, &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 1, Len: 1}, eq([]byte{byte(r.max)}))
		}
	default:
		if r.min > 0 {
			e = append(e, &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2})
			if r.min == r.max {
				e = append(e, eq(u16(r.min)))
			} else {
				e = append(e, &expr.Range{Op: expr.CmpOpEq, Register: 1, FromData: u16(r.min), ToData: u16(r.max)})
			}
		}
	}
	return e
}

func udpPorts(v6 bool, sport, dport int) []expr.Any {
	nfproto := byte(unix.NFPROTO_IPV4)
	if v6 {
		nfproto = unix.NFPROTO_IPV6
	}
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1}, eq([]byte{nfproto}),
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1}, eq([]byte{protoUDP}),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 0, Len: 4},
		eq(append(u16(sport), u16(dport)...)),
	}
}

func icmp6Type(t int) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1}, eq([]byte{unix.NFPROTO_IPV6}),
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1}, eq([]byte{protoICMPv6}),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 0, Len: 1},
		eq([]byte{byte(t)}),
	}
}

// ctState matches packets whose conntrack state is one of bits.
func ctState(bits uint32) []expr.Any {
	return []expr.Any{
		&expr.Ct{Register: 1, Key: expr.CtKeySTATE},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: u32(bits), Xor: u32(0)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: u32(0)},
	}
}

func eq(b []byte) *expr.Cmp { return &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: b} }

func notIn(s *nftables.Set) *expr.Lookup {
	return &expr.Lookup{SourceRegister: 1, SetName: s.Name, SetID: s.ID, Invert: true}
}

// intervals are the elements of an interval set holding prefixes: each
// merged range's first address, and the address after its last as an
// interval end (none when the range runs to the top of the family).
func intervals(ps []netip.Prefix) []nftables.SetElement {
	var out []nftables.SetElement
	for _, r := range ranges(ps) {
		out = append(out, nftables.SetElement{Key: r[0].AsSlice()})
		if next := r[1].Next(); next.IsValid() {
			out = append(out, nftables.SetElement{Key: next.AsSlice(), IntervalEnd: true})
		}
	}
	return out
}

func mask(p netip.Prefix) []byte {
	m := make([]byte, p.Addr().BitLen()/8)
	for i := range p.Bits() {
		m[i/8] |= 0x80 >> (i % 8)
	}
	return m
}

// ifname is an interface name as the kernel compares it: 16 bytes,
// zero-padded.
func ifname(n string) []byte {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, n)
	return b
}

// u32 is a value in host byte order, as marks and conntrack states are
// compared.
func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// u16 is a port in network byte order.
func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
