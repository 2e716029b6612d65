package core

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/portview"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/network/networks"
	"github.com/gostack/gostack/internal/network/ports"
)

// RenderPort is a port as Neutron shows it.
func (h Handlers) RenderPort(p *network.Port) wire.Item {
	return portview.Item(p, ports.New(h.Svc).DNSAssignments(p))
}

// renderPorts renders ports with their tags, keeping those the caller
// may see (get_port, whose target carries the network's owner) and
// hiding the attributes it may not read.
func (h Handlers) renderPorts(r *http.Request, ps []*network.Port) ([]wire.Item, error) {
	ids := make([]string, len(ps))
	nets := map[string]bool{}
	for i, p := range ps {
		ids[i] = p.ID
		nets[p.NetworkID] = true
	}
	tags, err := h.Svc.Tags(r.Context(), "ports", ids)
	if err != nil {
		return nil, err
	}
	owners, err := h.networkOwners(r, nets)
	if err != nil {
		return nil, err
	}
	cl := h.Caller(r)
	out := make([]wire.Item, 0, len(ps))
	for _, p := range ps {
		p.Tags = tags[p.ID]
		it := h.RenderPort(p)
		target := make(wire.Item, len(it)+1)
		for k, v := range it {
			target[k] = v
		}
		target["network:tenant_id"] = owners[p.NetworkID]
		if !cl.Allowed("get_port", target) {
			continue
		}
		out = append(out, cl.Hide("get_port", it))
	}
	return out, nil
}

// listPlain writes a list that asks for nothing the store has not done
// (see plain) straight from the ports, without a map per port.
func (h Handlers) listPlain(w http.ResponseWriter, r *http.Request, ps []*network.Port) error {
	ids := make([]string, len(ps))
	nets := map[string]bool{}
	for i, p := range ps {
		ids[i] = p.ID
		nets[p.NetworkID] = true
	}
	tags, err := h.Svc.Tags(r.Context(), "ports", ids)
	if err != nil {
		return err
	}
	owners, err := h.networkOwners(r, nets)
	if err != nil {
		return err
	}
	for _, p := range ps {
		p.Tags = tags[p.ID]
	}
	// wire.List orders by id; the store does too, but in its collation.
	byID := func(a, b *network.Port) int { return strings.Compare(a.ID, b.ID) }
	if !slices.IsSortedFunc(ps, byID) {
		slices.SortStableFunc(ps, byID)
	}
	svc := ports.New(h.Svc)
	buf, done := h.Buf()
	defer done()
	body, err := portview.List{Caller: h.Caller(r), DNS: svc.DNSAssignments, Owners: owners, Buf: *buf, Cache: h.Ports}.Render(ps)
	if err != nil {
		return err
	}
	*buf = body
	return wire.WriteRaw(w, http.StatusOK, body)
}

// storeFilters are the list filters the store applies exactly as
// wire.Query.Match would (ListPorts in internal/network/store).
var storeFilters = map[string]bool{"id": true, "network_id": true, "device_id": true, "device_owner": true,
	"project_id": true, "tenant_id": true, "mac_address": true, "name": true, "binding:host_id": true}

// plain reports whether a list query leaves nothing for wire.List to do
// once the store has read the ports: no fields, sorting, paging or tag
// filters, and only filters the store has applied.
func plain(q wire.Query) bool {
	if len(q.Fields)+len(q.SortKeys)+len(q.Tags)+len(q.TagsAny)+len(q.NotTags)+len(q.NotTagsAny) > 0 ||
		q.Limit > 0 || q.Marker != "" {
		return false
	}
	for k, vs := range q.Filters {
		if k == "fixed_ips" {
			for _, v := range vs {
				if f, _, _ := strings.Cut(v, "="); f != "ip_address" && f != "subnet_id" {
					return false
				}
			}
			continue
		}
		if !storeFilters[k] {
			return false
		}
	}
	return true
}

// networkOwners returns the projects of networks, by id, in one read.
func (h Handlers) networkOwners(r *http.Request, nets map[string]bool) (map[string]string, error) {
	out := make(map[string]string, len(nets))
	if len(nets) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(nets))
	for id := range nets {
		ids = append(ids, id)
	}
	ns, err := networks.New(h.Svc).ListNetworks(r.Context(), network.Filter{Scope: network.Scope{Admin: true}, IDs: ids})
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		out[n.ID] = n.ProjectID
	}
	return out, nil
}

// LoadPort renders the port of the request's {id} path value.
func (h Handlers) LoadPort(r *http.Request) (wire.Item, error) {
	p, err := ports.New(h.Svc).GetPort(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	items, err := h.renderPorts(r, []*network.Port{p})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, network.NotFound("Port", p.ID)
	}
	return items[0], nil
}

// ListPorts is GET /v2.0/ports.
func (h Handlers) ListPorts(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	// fixed_ips=ip_address_substr=... (ip-substring-filtering) is matched
	// here; the other fixed_ips filters in the store and by wire.List.
	var substr []string
	var exact []string
	for _, v := range q.Filters["fixed_ips"] {
		if s, ok := strings.CutPrefix(v, "ip_address_substr="); ok {
			substr = append(substr, s)
		} else {
			exact = append(exact, v)
		}
	}
	if len(q.Filters["fixed_ips"]) > 0 {
		q.Filters["fixed_ips"] = exact
		if len(exact) == 0 {
			delete(q.Filters, "fixed_ips")
		}
	}
	ps, err := ports.New(h.Svc).ListPorts(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	if len(substr) > 0 {
		kept := ps[:0]
		for _, p := range ps {
			if hasSubstr(p, substr) {
				kept = append(kept, p)
			}
		}
		ps = kept
	}
	if plain(q) {
		return h.listPlain(w, r, ps)
	}
	items, err := h.renderPorts(r, ps)
	if err != nil {
		return err
	}
	return wire.List(w, r, "ports", items, q)
}

func hasSubstr(p *network.Port, subs []string) bool {
	for _, f := range p.FixedIPs {
		for _, s := range subs {
			if strings.Contains(f.IP.String(), s) {
				return true
			}
		}
	}
	return false
}

// ShowPort is GET /v2.0/ports/{id}.
func (h Handlers) ShowPort(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadPort(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "port", it)
}

type fixedIPBody struct {
	SubnetID  *string `json:"subnet_id"`
	IPAddress *string `json:"ip_address"`
}

type pairBody struct {
	IPAddress  string `json:"ip_address"`
	MACAddress string `json:"mac_address"`
}

type optBody struct {
	Name      string          `json:"opt_name"`
	Value     *string         `json:"opt_value"`
	IPVersion json.RawMessage `json:"ip_version"`
}

type portBody struct {
	ProjectID      string         `json:"project_id"`
	TenantID       string         `json:"tenant_id"`
	NetworkID      *string        `json:"network_id"`
	Name           *string        `json:"name"`
	Description    *string        `json:"description"`
	AdminStateUp   *bool          `json:"admin_state_up"`
	MAC            *string        `json:"mac_address"`
	FixedIPs       []fixedIPBody  `json:"fixed_ips"`
	DeviceID       *string        `json:"device_id"`
	DeviceOwner    *string        `json:"device_owner"`
	PortSecurity   *bool          `json:"port_security_enabled"`
	SecurityGroups []string       `json:"security_groups"`
	AddressPairs   []pairBody     `json:"allowed_address_pairs"`
	ExtraDHCPOpts  []optBody      `json:"extra_dhcp_opts"`
	HostID         *string        `json:"binding:host_id"`
	VNICType       *string        `json:"binding:vnic_type"`
	Profile        map[string]any `json:"binding:profile"`
	DNSName        *string        `json:"dns_name"`
	QoSPolicyID    *string        `json:"qos_policy_id"`
}

// fixedIPs converts a body's fixed_ips, checking each address.
func fixedIPs(in []fixedIPBody) ([]network.FixedIPRequest, error) {
	out := make([]network.FixedIPRequest, 0, len(in))
	for _, f := range in {
		var req network.FixedIPRequest
		if f.SubnetID != nil {
			req.SubnetID = *f.SubnetID
		}
		if f.IPAddress != nil {
			a, err := netip.ParseAddr(*f.IPAddress)
			if err != nil || a.Zone() != "" {
				return nil, network.BadRequest("Invalid input for fixed_ips. Reason: '%s' is not a valid IP address.", *f.IPAddress)
			}
			req.IP = a
		}
		if req.SubnetID == "" && !req.IP.IsValid() {
			return nil, network.BadRequest("Invalid input for fixed_ips. Reason: Exactly one of subnet_id or ip_address is required.")
		}
		out = append(out, req)
	}
	return out, nil
}

func ipVersion(raw json.RawMessage) (int, error) {
	s := strings.Trim(string(raw), `"`)
	if len(raw) == 0 || s == "null" {
		return 4, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || (v != 4 && v != 6) {
		return 0, network.BadRequest("Invalid input for ip_version. Reason: '%s' is not in [4, 6].", s)
	}
	return v, nil
}

// checkPortAttrs enforces the attribute rules of a port create or
// update; fixed_ips is checked per sub-attribute, as Neutron does.
func (h Handlers) checkPortAttrs(r *http.Request, action string, body map[string]json.RawMessage, ips []fixedIPBody, target wire.Item) error {
	rest := make(map[string]json.RawMessage, len(body))
	for k, v := range body {
		if k != "fixed_ips" {
			rest[k] = v
		}
	}
	if err := h.CheckAttrs(r, action, rest, target); err != nil {
		return err
	}
	for _, f := range ips {
		if f.IPAddress != nil && !h.Allowed(r, action+":fixed_ips:ip_address", target) {
			return wire.Forbidden(action + ":fixed_ips:ip_address")
		}
		if f.SubnetID != nil && !h.Allowed(r, action+":fixed_ips:subnet_id", target) {
			return wire.Forbidden(action + ":fixed_ips:subnet_id")
		}
	}
	return nil
}

// CreatePort is POST /v2.0/ports, one or in bulk (one transaction).
func (h Handlers) CreatePort(w http.ResponseWriter, r *http.Request) error {
	bodies, bulk, err := wire.Body(r, "port", "ports")
	if err != nil {
		return err
	}
	cs := make([]ports.Create, 0, len(bodies))
	for _, body := range bodies {
		c, err := h.portCreate(r, body)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	ps, err := ports.New(h.Svc).CreatePorts(r.Context(), cs)
	if err != nil {
		return err
	}
	items := make([]wire.Item, len(ps))
	for i, p := range ps {
		items[i] = h.Hide(r, "get_port", h.RenderPort(p))
	}
	if !bulk {
		return wire.Reply(w, r, http.StatusCreated, "port", items[0])
	}
	return wire.ReplyMany(w, r, http.StatusCreated, "ports", items)
}

func (h Handlers) portCreate(r *http.Request, body map[string]json.RawMessage) (ports.Create, error) {
	var b portBody
	if err := wire.Fields(body, &b); err != nil {
		return ports.Create{}, err
	}
	if b.NetworkID == nil {
		return ports.Create{}, network.BadRequest("Failed to parse request. Required attribute 'network_id' not specified")
	}
	project, err := h.Project(r, b.ProjectID, b.TenantID)
	if err != nil {
		return ports.Create{}, err
	}
	n, err := networks.New(h.Svc).GetNetwork(r.Context(), h.Scope(r), *b.NetworkID)
	if err != nil {
		return ports.Create{}, err
	}
	target := wire.Item{"project_id": project, "tenant_id": project, "network_id": n.ID,
		"network:tenant_id": n.ProjectID, "network:shared": n.Shared, "shared": n.Shared}
	if b.DeviceOwner != nil {
		target["device_owner"] = *b.DeviceOwner
	}
	if err := h.checkPortAttrs(r, "create_port", body, b.FixedIPs, target); err != nil {
		return ports.Create{}, err
	}
	c := ports.Create{ProjectID: project, NetworkID: n.ID, MAC: b.MAC, AdminStateUp: b.AdminStateUp,
		PortSecurity: b.PortSecurity, HostID: b.HostID, VNICType: b.VNICType, Profile: b.Profile, DNSName: b.DNSName,
		QoSPolicyID: b.QoSPolicyID}
	set(&c.Name, b.Name)
	set(&c.Description, b.Description)
	set(&c.DeviceID, b.DeviceID)
	set(&c.DeviceOwner, b.DeviceOwner)
	if _, ok := body["fixed_ips"]; ok {
		if c.FixedIPs, err = fixedIPs(b.FixedIPs); err != nil {
			return ports.Create{}, err
		}
	}
	if _, ok := body["security_groups"]; ok {
		groups := b.SecurityGroups
		if groups == nil {
			groups = []string{}
		}
		c.SecurityGroups = &groups
	}
	for _, ap := range b.AddressPairs {
		c.AddressPairs = append(c.AddressPairs, network.AddressPair{IP: ap.IPAddress, MAC: ap.MACAddress})
	}
	for _, o := range b.ExtraDHCPOpts {
		v, err := ipVersion(o.IPVersion)
		if err != nil {
			return ports.Create{}, err
		}
		if o.Value == nil {
			continue
		}
		c.ExtraDHCPOpts = append(c.ExtraDHCPOpts, network.DHCPOpt{Name: o.Name, Value: *o.Value, IPVersion: v})
	}
	return c, nil
}

// set assigns *p to *dst when p is set.
func set[T any](dst *T, p *T) {
	if p != nil {
		*dst = *p
	}
}

// UpdatePort is PUT /v2.0/ports/{id}.
func (h Handlers) UpdatePort(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "port", "")
	if err != nil {
		return err
	}
	body := bodies[0]
	var b portBody
	if err := wire.Fields(body, &b); err != nil {
		return err
	}
	for _, ro := range []string{"network_id", "project_id", "tenant_id"} {
		if _, ok := body[ro]; ok {
			return network.BadRequest("Cannot update read-only attribute %s", ro)
		}
	}
	cur, err := h.LoadPort(r)
	if err != nil {
		return err
	}
	target := wire.Item{}
	for k, v := range cur {
		target[k] = v
	}
	owners, err := h.networkOwners(r, map[string]bool{cur["network_id"].(string): true})
	if err != nil {
		return err
	}
	target["network:tenant_id"] = owners[cur["network_id"].(string)]
	if b.DeviceOwner != nil {
		target["device_owner"] = *b.DeviceOwner
	}
	if err := h.checkPortAttrs(r, "update_port", body, b.FixedIPs, target); err != nil {
		return err
	}
	rev, err := wire.Revision(r)
	if err != nil {
		return err
	}
	u := ports.Update{Name: b.Name, Description: b.Description, DeviceID: b.DeviceID, DeviceOwner: b.DeviceOwner,
		MAC: b.MAC, HostID: b.HostID, VNICType: b.VNICType, DNSName: b.DNSName, AdminStateUp: b.AdminStateUp,
		PortSecurity: b.PortSecurity, Revision: rev}
	if _, ok := body["fixed_ips"]; ok {
		ips, err := fixedIPs(b.FixedIPs)
		if err != nil {
			return err
		}
		u.FixedIPs = &ips
	}
	if _, ok := body["binding:profile"]; ok {
		p := b.Profile
		u.Profile = &p
	}
	if _, ok := body["security_groups"]; ok {
		groups := b.SecurityGroups
		if groups == nil {
			groups = []string{}
		}
		u.SecurityGroups = &groups
	}
	if _, ok := body["allowed_address_pairs"]; ok {
		pairs := []network.AddressPair{}
		for _, ap := range b.AddressPairs {
			pairs = append(pairs, network.AddressPair{IP: ap.IPAddress, MAC: ap.MACAddress})
		}
		u.AddressPairs = &pairs
	}
	if _, ok := body["extra_dhcp_opts"]; ok {
		u.ExtraDHCPOpts = []ports.DHCPOptChange{}
		for _, o := range b.ExtraDHCPOpts {
			v, err := ipVersion(o.IPVersion)
			if err != nil {
				return err
			}
			u.ExtraDHCPOpts = append(u.ExtraDHCPOpts, ports.DHCPOptChange{Name: o.Name, Value: o.Value, IPVersion: v})
		}
	}
	if _, ok := body["qos_policy_id"]; ok {
		u.QoSPolicyID = &b.QoSPolicyID
	}
	p, err := ports.New(h.Svc).UpdatePort(r.Context(), h.Scope(r), r.PathValue("id"), u)
	if err != nil {
		return err
	}
	items, err := h.renderPorts(r, []*network.Port{p})
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return network.NotFound("Port", p.ID)
	}
	return wire.Reply(w, r, http.StatusOK, "port", items[0])
}

// DeletePort is DELETE /v2.0/ports/{id}.
func (h Handlers) DeletePort(w http.ResponseWriter, r *http.Request) error {
	if err := ports.New(h.Svc).DeletePort(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
