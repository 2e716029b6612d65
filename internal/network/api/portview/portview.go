// Package portview renders ports as Neutron shows them, in two forms: the
// map (wire.Item) that the list machinery — filters on any attribute,
// fields=, sorting, paging — and the policy targets work on, and the
// bytes of a plain list, written straight from the ports without a map
// per port or reflection, for the lists of a thousand ports that Nova and
// the agents ask for. Both forms give the same JSON, byte for byte. A
// Cache keeps the bytes of each port at its revision, so that a list
// renders only the ports that changed since the last.
package portview

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/network/ports"
)

// Item is a port as Neutron shows it, dns its DNS assignments.
func Item(p *network.Port, dns []ports.DNSAssignment) wire.Item {
	it := wire.Std(make(wire.Item, len(keys)), p.Std)
	it["network_id"] = p.NetworkID
	it["mac_address"] = p.MAC
	it["admin_state_up"] = p.AdminStateUp
	it["status"] = p.Status
	it["device_id"] = p.DeviceID
	it["device_owner"] = p.DeviceOwner
	it["port_security_enabled"] = p.PortSecurity
	ips := make([]wire.Item, len(p.FixedIPs))
	for i, f := range p.FixedIPs {
		ips[i] = wire.Item{"subnet_id": f.SubnetID, "ip_address": f.IP.String()}
	}
	it["fixed_ips"] = ips
	pairs := make([]wire.Item, len(p.AddressPairs))
	for i, ap := range p.AddressPairs {
		pairs[i] = wire.Item{"ip_address": ap.IP, "mac_address": ap.MAC}
	}
	it["allowed_address_pairs"] = pairs
	opts := make([]wire.Item, len(p.ExtraDHCPOpts))
	for i, o := range p.ExtraDHCPOpts {
		opts[i] = wire.Item{"opt_name": o.Name, "opt_value": o.Value, "ip_version": o.IPVersion}
	}
	it["extra_dhcp_opts"] = opts
	groups := p.SecurityGroups
	if groups == nil {
		groups = []string{}
	}
	it["security_groups"] = groups
	it["binding:host_id"] = p.HostID
	it["binding:vnic_type"] = p.VNICType
	it["binding:vif_type"] = p.VIFType
	it["binding:vif_details"] = orEmpty(p.VIFDetails)
	it["binding:profile"] = orEmpty(p.Profile)
	it["dns_name"] = p.DNSName
	ds := make([]wire.Item, len(dns))
	for i, d := range dns {
		ds[i] = wire.Item{"hostname": d.Hostname, "ip_address": d.IP, "fqdn": d.FQDN}
	}
	it["dns_assignment"] = ds
	it["ip_allocation"] = "immediate"
	it["qos_policy_id"] = p.QoSPolicyID
	it["resource_request"] = nil
	return it
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// keys are a port's attributes in the order encoding/json writes a map's
// keys (sorted), which the bytes form keeps; a port's attribute is known
// by its index here.
var keys = [...]string{
	"admin_state_up", "allowed_address_pairs", "binding:host_id", "binding:profile", "binding:vif_details",
	"binding:vif_type", "binding:vnic_type", "created_at", "description", "device_id", "device_owner",
	"dns_assignment", "dns_name", "extra_dhcp_opts", "fixed_ips", "id", "ip_allocation", "mac_address", "name",
	"network_id", "port_security_enabled", "project_id", "qos_policy_id", "resource_request", "revision_number",
	"security_groups", "status", "tags", "tenant_id", "updated_at",
}

// view is one port of a list, with its attributes looked up by name for
// policy targets; the attributes that rules commonly read come from the
// port, any other from its map form, built once when first asked for.
type view struct {
	p    *network.Port
	dnsf func(*network.Port) []ports.DNSAssignment
	dns  []ports.DNSAssignment
	full wire.Item
}

// assignments returns the port's DNS assignments, computed once.
func (v *view) assignments() []ports.DNSAssignment {
	if v.dns == nil {
		v.dns = v.dnsf(v.p)
	}
	return v.dns
}

func (v *view) get(key string) (any, bool) {
	switch key {
	case "id":
		return v.p.ID, true
	case "project_id", "tenant_id":
		return v.p.ProjectID, true
	case "network_id":
		return v.p.NetworkID, true
	case "device_owner":
		return v.p.DeviceOwner, true
	case "device_id":
		return v.p.DeviceID, true
	case "name":
		return v.p.Name, true
	case "status":
		return v.p.Status, true
	}
	if !slices.Contains(keys[:], key) {
		// Not an attribute of a port ("network:tenant_id" is the
		// caller's to add).
		return nil, false
	}
	if v.full == nil {
		v.full = Item(v.p, v.assignments())
	}
	x, ok := v.full[key]
	return x, ok
}

// target is the policy target of the port holding the keys named.
func (v *view) target(names []string) map[string]any {
	t := make(map[string]any, len(names)+1)
	for _, k := range names {
		if x, ok := v.get(k); ok {
			t[k] = x
		}
	}
	return t
}

// List is the bytes of a plain list of ports for one caller.
type List struct {
	// Caller is who lists.
	Caller *wire.Caller
	// DNS gives a port's DNS assignments.
	DNS func(*network.Port) []ports.DNSAssignment
	// Owners are the projects of the ports' networks, by network id.
	Owners map[string]string
	// Buf, when set, is the buffer Render appends to (from its start).
	Buf []byte
	// Cache, when set, keeps and gives the rendered bytes of the ports.
	Cache *Cache
}

// Render returns {"ports": [...]} for ps, in their order: the ports the
// caller may see (get_port, whose target also carries the network's
// owner as "network:tenant_id") without the attributes it may not read
// (get_port:<attribute>) — what rendering each port's map, checking and
// hiding it, and encoding the list gives.
func (l List) Render(ps []*network.Port) ([]byte, error) {
	const rule = "get_port"
	see := l.Caller.Policy.TargetKeys(rule)
	hiding := l.Caller.Hiding(rule)
	var fixed uint64
	type perItem struct {
		bit  uint64
		attr string
		keys []string
	}
	var varying []perItem
	for i, k := range keys {
		if hiding.Fixed[k] {
			fixed |= 1 << i
		}
		if ks, ok := hiding.PerItem[k]; ok {
			varying = append(varying, perItem{1 << i, k, ks})
		}
	}
	// About 1 KB a port; the buffer is sized so that it seldom grows.
	b := l.Buf[:0]
	if need := 64 + len(ps)*1200; cap(b) < need {
		b = make([]byte, 0, need)
	}
	b = append(b, `{"ports":[`...)
	first := true
	// get_port decides by the target keys it reads (see): the ports of a
	// list mostly share their values (one project, one network), so the
	// decision is kept per tuple of values and the rule evaluated once
	// per tuple.
	decided := map[seenKey]bool{}
	for _, p := range ps {
		v := &view{p: p, dnsf: l.DNS}
		owner := l.Owners[p.NetworkID]
		key, keyed := keyOf(v, see, owner)
		allowed, known := decided[key]
		if !keyed || !known {
			t := v.target(see)
			t["network:tenant_id"] = owner
			allowed = l.Caller.Allowed(rule, t)
			if keyed {
				decided[key] = allowed
			}
		}
		if !allowed {
			continue
		}
		hidden := fixed
		for _, x := range varying {
			if hiding.Refused(x.attr, v.target(x.keys)) {
				hidden |= x.bit
			}
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		var err error
		if b, err = l.appendPort(b, v, hidden); err != nil {
			return nil, err
		}
	}
	return append(b, "]}"...), nil
}

// seenKey is the values of the target keys a rule reads (at most five,
// which rules of a port read) and of the network's owner; set marks the
// keys the port has.
type seenKey struct {
	vals  [5]string
	set   uint8
	owner string
}

// keyOf returns the seenKey of v's port, or false when the rule reads
// more keys than it holds or a value that is not a string.
func keyOf(v *view, see []string, owner string) (seenKey, bool) {
	k := seenKey{owner: owner}
	if len(see) > len(k.vals) {
		return k, false
	}
	for i, name := range see {
		x, ok := v.get(name)
		if !ok {
			continue
		}
		s, isStr := x.(string)
		if !isStr {
			return k, false
		}
		k.vals[i], k.set = s, k.set|1<<i
	}
	return k, true
}

// appendPort appends the JSON object of v's port without the attributes
// whose bit is set in hidden: the tags as they are, the rest from the
// cache when it has them for the port's revision.
func (l List) appendPort(b []byte, v *view, hidden uint64) ([]byte, error) {
	p := v.p
	var head, tail []byte
	if l.Cache != nil {
		head, tail = l.Cache.get(p.ID, p.Revision, hidden)
	}
	if head == nil {
		var err error
		if head, err = appendAttrs(nil, p, v, hidden, 0, tagsAt); err != nil {
			return nil, err
		}
		if tail, err = appendAttrs(nil, p, v, hidden, tagsAt+1, len(keys)); err != nil {
			return nil, err
		}
		if l.Cache != nil {
			l.Cache.put(p.ID, p.Revision, hidden, head, tail)
		}
	}
	b = append(b, '{')
	b = append(b, head...)
	some := len(head) > 0 // an attribute is written: the next needs a comma
	if hidden&(1<<tagsAt) == 0 {
		if some {
			b = append(b, ',')
		}
		b = append(b, `"tags":`...)
		b = appendStrings(b, p.Tags)
		some = true
	}
	if some && len(tail) > 0 {
		b = append(b, ',')
	}
	b = append(b, tail...)
	return append(b, '}'), nil
}

// appendAttrs appends "key":value for the attributes keys[from:to] not
// hidden, comma-separated.
func appendAttrs(b []byte, p *network.Port, v *view, hidden uint64, from, to int) ([]byte, error) {
	n := 0
	for i := from; i < to; i++ {
		if hidden&(1<<i) != 0 {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, '"')
		b = append(b, keys[i]...)
		b = append(b, '"', ':')
		var err error
		if keys[i] == "dns_assignment" {
			b, err = appendValue(b, i, p, v.assignments())
		} else {
			b, err = appendValue(b, i, p, nil)
		}
		if err != nil {
			return nil, err
		}
	}
	if b == nil {
		b = []byte{} // rendered, and empty
	}
	return b, nil
}

// appendValue appends the value of the attribute keys[i] of p.
func appendValue(b []byte, i int, p *network.Port, dns []ports.DNSAssignment) ([]byte, error) {
	switch keys[i] {
	case "binding:profile":
		return appendMap(b, p.Profile)
	case "binding:vif_details":
		return appendMap(b, p.VIFDetails)
	}
	return appendPlain(b, i, p, dns), nil
}

// appendPlain appends the value of any attribute but the binding maps.
func appendPlain(b []byte, i int, p *network.Port, dns []ports.DNSAssignment) []byte {
	switch keys[i] {
	case "admin_state_up":
		return strconv.AppendBool(b, p.AdminStateUp)
	case "allowed_address_pairs":
		b = append(b, '[')
		for j, ap := range p.AddressPairs {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"ip_address":`...)
			b = appendString(b, ap.IP)
			b = append(b, `,"mac_address":`...)
			b = appendString(b, ap.MAC)
			b = append(b, '}')
		}
		return append(b, ']')
	case "binding:host_id":
		return appendString(b, p.HostID)
	case "binding:vif_type":
		return appendString(b, p.VIFType)
	case "binding:vnic_type":
		return appendString(b, p.VNICType)
	case "created_at":
		return appendTime(b, p.CreatedAt)
	case "description":
		return appendString(b, p.Description)
	case "device_id":
		return appendString(b, p.DeviceID)
	case "device_owner":
		return appendString(b, p.DeviceOwner)
	case "dns_assignment":
		b = append(b, '[')
		for j, d := range dns {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"fqdn":`...)
			b = appendString(b, d.FQDN)
			b = append(b, `,"hostname":`...)
			b = appendString(b, d.Hostname)
			b = append(b, `,"ip_address":`...)
			b = appendString(b, d.IP)
			b = append(b, '}')
		}
		return append(b, ']')
	case "dns_name":
		return appendString(b, p.DNSName)
	case "extra_dhcp_opts":
		b = append(b, '[')
		for j, o := range p.ExtraDHCPOpts {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"ip_version":`...)
			b = strconv.AppendInt(b, int64(o.IPVersion), 10)
			b = append(b, `,"opt_name":`...)
			b = appendString(b, o.Name)
			b = append(b, `,"opt_value":`...)
			b = appendString(b, o.Value)
			b = append(b, '}')
		}
		return append(b, ']')
	case "fixed_ips":
		b = append(b, '[')
		for j, f := range p.FixedIPs {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"ip_address":`...)
			b = appendString(b, f.IP.String())
			b = append(b, `,"subnet_id":`...)
			b = appendString(b, f.SubnetID)
			b = append(b, '}')
		}
		return append(b, ']')
	case "id":
		return appendString(b, p.ID)
	case "ip_allocation":
		return append(b, `"immediate"`...)
	case "mac_address":
		return appendString(b, p.MAC)
	case "name":
		return appendString(b, p.Name)
	case "network_id":
		return appendString(b, p.NetworkID)
	case "port_security_enabled":
		return strconv.AppendBool(b, p.PortSecurity)
	case "project_id", "tenant_id":
		return appendString(b, p.ProjectID)
	case "qos_policy_id":
		if p.QoSPolicyID == nil {
			return append(b, "null"...)
		}
		return appendString(b, *p.QoSPolicyID)
	case "resource_request":
		return append(b, "null"...)
	case "revision_number":
		return strconv.AppendInt(b, p.Revision, 10)
	case "security_groups":
		return appendStrings(b, p.SecurityGroups)
	case "status":
		return appendString(b, p.Status)
	case "tags":
		return appendStrings(b, p.Tags)
	case "updated_at":
		return appendTime(b, p.UpdatedAt)
	}
	panic("portview: no value for " + keys[i])
}

// appendString appends s as encoding/json writes it: a string of plain
// characters as it is, any other through encoding/json itself (which
// escapes <, > and & for HTML and replaces invalid UTF-8).
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(s)
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendMap appends a binding map; nil is the empty object, as the map
// form shows it. The map came from JSON in the database, so it encodes;
// should it not, the error is the list's, as encoding the map form
// would fail the list.
func appendMap(b []byte, m map[string]any) ([]byte, error) {
	if len(m) == 0 {
		return append(b, "{}"...), nil
	}
	j, err := json.Marshal(m)
	return append(b, j...), err
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
	return append(b, '"')
}
