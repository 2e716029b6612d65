package core

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/network/networks"
	"github.com/gostack/gostack/internal/network/subnets"
)

// RenderSubnet is a subnet as Neutron shows it; external is its
// network's router:external.
func RenderSubnet(sn *network.Subnet, external bool) wire.Item {
	it := wire.Std(wire.Item{}, sn.Std)
	it["network_id"] = sn.NetworkID
	it["ip_version"] = sn.IPVersion
	it["cidr"] = sn.CIDR.String()
	it["gateway_ip"] = nil
	if sn.GatewayIP != nil {
		it["gateway_ip"] = sn.GatewayIP.String()
	}
	it["enable_dhcp"] = sn.EnableDHCP
	it["ipv6_ra_mode"] = sn.IPv6RAMode
	it["ipv6_address_mode"] = sn.IPv6AddressMode
	pools := make([]wire.Item, len(sn.Pools))
	for i, p := range sn.Pools {
		pools[i] = wire.Item{"start": p.Start.String(), "end": p.End.String()}
	}
	it["allocation_pools"] = pools
	it["dns_nameservers"] = orNone(sn.DNSNameservers)
	routes := make([]wire.Item, len(sn.HostRoutes))
	for i, hr := range sn.HostRoutes {
		routes[i] = wire.Item{"destination": hr.Destination.String(), "nexthop": hr.NextHop.String()}
	}
	it["host_routes"] = routes
	it["service_types"] = orNone(sn.ServiceTypes)
	it["subnetpool_id"] = sn.SubnetPoolID
	it["segment_id"] = sn.SegmentID
	it["dns_publish_fixed_ip"] = sn.DNSPublishFixed
	it["router:external"] = external
	return it
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// renderSubnets renders subnets with their tags, keeping those the
// caller may see (get_subnet, whose target says whether the network is
// shared).
func (h Handlers) renderSubnets(r *http.Request, ss []*network.Subnet) ([]wire.Item, error) {
	ids := make([]string, len(ss))
	netIDs := []string{}
	seen := map[string]bool{}
	for i, sn := range ss {
		ids[i] = sn.ID
		if !seen[sn.NetworkID] {
			seen[sn.NetworkID] = true
			netIDs = append(netIDs, sn.NetworkID)
		}
	}
	tags, err := h.Svc.Tags(r.Context(), "subnets", ids)
	if err != nil {
		return nil, err
	}
	nets := map[string]*network.Network{}
	if len(netIDs) > 0 {
		ns, err := networks.New(h.Svc).ListNetworks(r.Context(), network.Filter{Scope: network.Scope{Admin: true}, IDs: netIDs})
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			nets[n.ID] = n
		}
	}
	out := make([]wire.Item, 0, len(ss))
	for _, sn := range ss {
		sn.Tags = tags[sn.ID]
		n := nets[sn.NetworkID]
		it := RenderSubnet(sn, n != nil && n.External)
		target := make(wire.Item, len(it)+2)
		for k, v := range it {
			target[k] = v
		}
		if n != nil {
			target["shared"] = n.Shared || n.External
			target["network:tenant_id"] = n.ProjectID
		}
		if !h.Allowed(r, "get_subnet", target) && !(n != nil && h.Scope(r).ProjectID == n.ProjectID) {
			continue
		}
		out = append(out, h.Hide(r, "get_subnet", it))
	}
	return out, nil
}

// LoadSubnet renders the subnet of the request's {id} path value.
func (h Handlers) LoadSubnet(r *http.Request) (wire.Item, error) {
	sn, err := subnets.New(h.Svc).GetSubnet(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	items, err := h.renderSubnets(r, []*network.Subnet{sn})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, network.NotFound("Subnet", sn.ID)
	}
	return items[0], nil
}

// ListSubnets is GET /v2.0/subnets.
func (h Handlers) ListSubnets(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	ss, err := subnets.New(h.Svc).ListSubnets(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	items, err := h.renderSubnets(r, ss)
	if err != nil {
		return err
	}
	return wire.List(w, r, "subnets", items, q)
}

// ShowSubnet is GET /v2.0/subnets/{id}.
func (h Handlers) ShowSubnet(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadSubnet(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "subnet", it)
}

type poolBody struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type routeBody struct {
	Destination string `json:"destination"`
	NextHop     string `json:"nexthop"`
}

type subnetBody struct {
	ProjectID       string          `json:"project_id"`
	TenantID        string          `json:"tenant_id"`
	NetworkID       *string         `json:"network_id"`
	Name            *string         `json:"name"`
	Description     *string         `json:"description"`
	IPVersion       json.RawMessage `json:"ip_version"`
	CIDR            *string         `json:"cidr"`
	GatewayIP       json.RawMessage `json:"gateway_ip"`
	EnableDHCP      *bool           `json:"enable_dhcp"`
	IPv6RAMode      *string         `json:"ipv6_ra_mode"`
	IPv6AddressMode *string         `json:"ipv6_address_mode"`
	Pools           []poolBody      `json:"allocation_pools"`
	DNSNameservers  []string        `json:"dns_nameservers"`
	HostRoutes      []routeBody     `json:"host_routes"`
	ServiceTypes    []string        `json:"service_types"`
	SubnetPoolID    *string         `json:"subnetpool_id"`
	UseDefaultPool  *bool           `json:"use_default_subnetpool"`
	PrefixLen       json.RawMessage `json:"prefixlen"`
	SegmentID       *string         `json:"segment_id"`
	DNSPublishFixed *bool           `json:"dns_publish_fixed_ip"`
}

// intValue reads an integer attribute sent as a number or a numeric
// string (python-neutronclient sends "4").
func intValue(name string, raw json.RawMessage) (*int, error) {
	s := strings.Trim(string(raw), `"`)
	if len(raw) == 0 || s == "null" {
		return nil, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return nil, network.BadRequest("Invalid input for %s. Reason: '%s' is not an integer.", name, s)
	}
	return &v, nil
}

// parseCIDR reads a cidr as Neutron's validate_subnet does: an IPv4
// CIDR with host bits set is refused with the one it should have been.
func parseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		if a, err2 := netip.ParseAddr(s); err2 == nil {
			return netip.Prefix{}, network.BadRequest("Invalid input for cidr. Reason: '%s' isn't a recommended IP subnet, '%s' is recommended.", s, netip.PrefixFrom(a, a.BitLen()))
		}
		return netip.Prefix{}, network.BadRequest("Invalid input for cidr. Reason: '%s' is not a valid IP subnet.", s)
	}
	if p.Addr().Is4() && p.Masked() != p {
		return netip.Prefix{}, network.BadRequest("Invalid input for cidr. Reason: '%s' isn't a recommended IP subnet, '%s' is recommended.", s, p.Masked())
	}
	return p.Masked(), nil
}

// gateway reads gateway_ip: set says it was sent; a null is no gateway.
func gateway(raw json.RawMessage) (set bool, gw *netip.Addr, err error) {
	if raw == nil {
		return false, nil, nil
	}
	if string(raw) == "null" {
		return true, nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return false, nil, network.BadRequest("Invalid input for gateway_ip. Reason: '%s' is not a valid IP address.", raw)
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return false, nil, network.BadRequest("Invalid input for gateway_ip. Reason: '%s' is not a valid IP address.", s)
	}
	return true, &a, nil
}

func pools(in []poolBody) ([]network.Pool, error) {
	out := make([]network.Pool, 0, len(in))
	for _, p := range in {
		s, err1 := netip.ParseAddr(p.Start)
		e, err2 := netip.ParseAddr(p.End)
		if err1 != nil || err2 != nil {
			return nil, network.BadRequest("The allocation pool {'start': '%s', 'end': '%s'} is not valid.", p.Start, p.End).WithType("InvalidAllocationPool")
		}
		out = append(out, network.Pool{Start: s, End: e})
	}
	return out, nil
}

func routes(in []routeBody) ([]network.HostRoute, error) {
	out := make([]network.HostRoute, 0, len(in))
	for _, r := range in {
		d, err1 := netip.ParsePrefix(r.Destination)
		n, err2 := netip.ParseAddr(r.NextHop)
		if err1 != nil || err2 != nil {
			return nil, network.InvalidInput("Invalid route: {'destination': '%s', 'nexthop': '%s'}", r.Destination, r.NextHop)
		}
		out = append(out, network.HostRoute{Destination: d.Masked(), NextHop: n})
	}
	return out, nil
}

// CreateSubnet is POST /v2.0/subnets, one or in bulk (one transaction).
func (h Handlers) CreateSubnet(w http.ResponseWriter, r *http.Request) error {
	bodies, bulk, err := wire.Body(r, "subnet", "subnets")
	if err != nil {
		return err
	}
	cs := make([]subnets.Create, 0, len(bodies))
	for _, body := range bodies {
		c, err := h.subnetCreate(r, body)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	ss, err := subnets.New(h.Svc).CreateSubnets(r.Context(), h.Scope(r), cs)
	if err != nil {
		return err
	}
	items, err := h.renderSubnets(r, ss)
	if err != nil {
		return err
	}
	if len(items) != len(ss) {
		return network.NotFound("Subnet", ss[0].ID)
	}
	if !bulk {
		return wire.Reply(w, r, http.StatusCreated, "subnet", items[0])
	}
	return wire.ReplyMany(w, r, http.StatusCreated, "subnets", items)
}

func (h Handlers) subnetCreate(r *http.Request, body map[string]json.RawMessage) (subnets.Create, error) {
	var b subnetBody
	if err := wire.Fields(body, &b); err != nil {
		return subnets.Create{}, err
	}
	if b.NetworkID == nil {
		return subnets.Create{}, network.BadRequest("Failed to parse request. Required attribute 'network_id' not specified")
	}
	v, err := intValue("ip_version", b.IPVersion)
	if err != nil {
		return subnets.Create{}, err
	}
	if v == nil {
		return subnets.Create{}, network.BadRequest("Failed to parse request. Required attribute 'ip_version' not specified")
	}
	project, err := h.Project(r, b.ProjectID, b.TenantID)
	if err != nil {
		return subnets.Create{}, err
	}
	n, err := networks.New(h.Svc).GetNetwork(r.Context(), h.Scope(r), *b.NetworkID)
	if err != nil {
		return subnets.Create{}, err
	}
	target := wire.Item{"project_id": project, "tenant_id": project, "network_id": n.ID, "network:tenant_id": n.ProjectID, "shared": n.Shared}
	if !h.Allowed(r, "create_subnet", target) {
		return subnets.Create{}, wire.Forbidden("create_subnet")
	}
	if err := h.CheckAttrs(r, "create_subnet", body, target); err != nil {
		return subnets.Create{}, err
	}
	c := subnets.Create{ProjectID: project, NetworkID: n.ID, IPVersion: *v, EnableDHCP: b.EnableDHCP,
		IPv6RAMode: b.IPv6RAMode, IPv6AddressMode: b.IPv6AddressMode, DNSNameservers: b.DNSNameservers,
		ServiceTypes: b.ServiceTypes, SubnetPoolID: b.SubnetPoolID, SegmentID: b.SegmentID, DNSPublishFixed: b.DNSPublishFixed}
	set(&c.Name, b.Name)
	set(&c.Description, b.Description)
	if b.UseDefaultPool != nil {
		c.UseDefaultPool = *b.UseDefaultPool
	}
	if b.CIDR != nil {
		p, err := parseCIDR(*b.CIDR)
		if err != nil {
			return subnets.Create{}, err
		}
		c.CIDR = &p
	}
	if c.PrefixLen, err = intValue("prefixlen", b.PrefixLen); err != nil {
		return subnets.Create{}, err
	}
	if c.GatewaySet, c.GatewayIP, err = gateway(b.GatewayIP); err != nil {
		return subnets.Create{}, err
	}
	if _, ok := body["allocation_pools"]; ok && b.Pools != nil {
		if c.Pools, err = pools(b.Pools); err != nil {
			return subnets.Create{}, err
		}
	}
	if c.HostRoutes, err = routes(b.HostRoutes); err != nil {
		return subnets.Create{}, err
	}
	return c, nil
}

// UpdateSubnet is PUT /v2.0/subnets/{id}.
func (h Handlers) UpdateSubnet(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "subnet", "")
	if err != nil {
		return err
	}
	body := bodies[0]
	var b subnetBody
	if err := wire.Fields(body, &b); err != nil {
		return err
	}
	for _, ro := range []string{"cidr", "ip_version", "network_id", "ipv6_ra_mode", "ipv6_address_mode", "subnetpool_id",
		"use_default_subnetpool", "prefixlen", "project_id", "tenant_id"} {
		if _, ok := body[ro]; ok {
			return network.BadRequest("Cannot update read-only attribute %s", ro)
		}
	}
	cur, err := h.LoadSubnet(r)
	if err != nil {
		return err
	}
	target := wire.Item{}
	for k, v := range cur {
		target[k] = v
	}
	n, err := networks.New(h.Svc).GetNetwork(r.Context(), network.Scope{Admin: true}, cur["network_id"].(string))
	if err != nil {
		return err
	}
	target["network:tenant_id"] = n.ProjectID
	if err := h.CheckAttrs(r, "update_subnet", body, target); err != nil {
		return err
	}
	rev, err := wire.Revision(r)
	if err != nil {
		return err
	}
	u := subnets.Update{Name: b.Name, Description: b.Description, EnableDHCP: b.EnableDHCP,
		DNSPublishFixed: b.DNSPublishFixed, Revision: rev}
	if u.GatewaySet, u.GatewayIP, err = gateway(b.GatewayIP); err != nil {
		return err
	}
	if _, ok := body["allocation_pools"]; ok {
		ps, err := pools(b.Pools)
		if err != nil {
			return err
		}
		u.Pools = &ps
	}
	if _, ok := body["dns_nameservers"]; ok {
		d := orNone(b.DNSNameservers)
		u.DNSNameservers = &d
	}
	if _, ok := body["host_routes"]; ok {
		rs, err := routes(b.HostRoutes)
		if err != nil {
			return err
		}
		u.HostRoutes = &rs
	}
	if _, ok := body["service_types"]; ok {
		st := orNone(b.ServiceTypes)
		u.ServiceTypes = &st
	}
	if _, ok := body["segment_id"]; ok {
		u.SegmentID = &b.SegmentID
	}
	sn, err := subnets.New(h.Svc).UpdateSubnet(r.Context(), h.Scope(r), r.PathValue("id"), u)
	if err != nil {
		return err
	}
	items, err := h.renderSubnets(r, []*network.Subnet{sn})
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return network.NotFound("Subnet", sn.ID)
	}
	return wire.Reply(w, r, http.StatusOK, "subnet", items[0])
}

// DeleteSubnet is DELETE /v2.0/subnets/{id}.
func (h Handlers) DeleteSubnet(w http.ResponseWriter, r *http.Request) error {
	if err := subnets.New(h.Svc).DeleteSubnet(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
