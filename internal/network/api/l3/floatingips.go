package l3

import (
	"encoding/json"
	"net/http"
	"net/netip"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/network/floatingips"
)

// RenderFloatingIP is a floating IP as Neutron shows it, with its port's
// details (fip-port-details) and its port forwardings
// (expose-port-forwarding-in-fip).
func RenderFloatingIP(f *network.FloatingIP) wire.Item {
	it := wire.Std(wire.Item{}, f.Std)
	// A floating IP has no name in Neutron.
	delete(it, "name")
	it["floating_network_id"] = f.NetworkID
	it["floating_ip_address"] = f.Address.String()
	it["router_id"] = str(f.RouterID)
	it["port_id"] = str(f.PortID)
	it["fixed_ip_address"] = addr(f.FixedIP)
	it["status"] = f.Status
	it["dns_name"] = f.DNSName
	it["dns_domain"] = f.DNSDomain
	it["port_details"] = nil
	if p := f.PortDetails; p != nil {
		it["port_details"] = wire.Item{"name": p.Name, "network_id": p.NetworkID, "mac_address": p.MAC,
			"admin_state_up": p.AdminStateUp, "status": p.Status, "device_id": p.DeviceID, "device_owner": p.DeviceOwner}
	}
	pfs := make([]wire.Item, len(f.PortForwardings))
	for i, pf := range f.PortForwardings {
		pfs[i] = RenderPortForwarding(&pf)
	}
	it["port_forwardings"] = pfs
	return it
}

// renderFloatingIPs renders the floating IPs the caller may see, with
// their tags.
func (h Handlers) renderFloatingIPs(r *http.Request, fs []*network.FloatingIP) ([]wire.Item, error) {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	tags, err := h.Svc.Tags(r.Context(), "floatingips", ids)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Item, 0, len(fs))
	for _, f := range fs {
		f.Tags = tags[f.ID]
		it := RenderFloatingIP(f)
		if !h.Allowed(r, "get_floatingip", it) {
			continue
		}
		out = append(out, h.Hide(r, "get_floatingip", it))
	}
	return out, nil
}

func (h Handlers) renderFloatingIP(r *http.Request, f *network.FloatingIP) (wire.Item, error) {
	items, err := h.renderFloatingIPs(r, []*network.FloatingIP{f})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, network.NotFound("Floating IP", f.ID)
	}
	return items[0], nil
}

// LoadFloatingIP renders the floating IP of the request's {id} path
// value.
func (h Handlers) LoadFloatingIP(r *http.Request) (wire.Item, error) {
	f, err := floatingips.New(h.Svc).GetFloatingIP(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return h.renderFloatingIP(r, f)
}

// ListFloatingIPs is GET /v2.0/floatingips.
func (h Handlers) ListFloatingIPs(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	fs, err := floatingips.New(h.Svc).ListFloatingIPs(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	items, err := h.renderFloatingIPs(r, fs)
	if err != nil {
		return err
	}
	return wire.List(w, r, "floatingips", items, q)
}

// ShowFloatingIP is GET /v2.0/floatingips/{id}.
func (h Handlers) ShowFloatingIP(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadFloatingIP(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "floatingip", it)
}

// optAddr reads an optional address attribute.
func optAddr(attr string, s *string) (*netip.Addr, error) {
	if s == nil {
		return nil, nil
	}
	a, err := parseAddr(attr, *s)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// CreateFloatingIP is POST /v2.0/floatingips.
func (h Handlers) CreateFloatingIP(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "floatingip", "")
	if err != nil {
		return err
	}
	body := bodies[0]
	var b struct {
		ProjectID   string  `json:"project_id"`
		TenantID    string  `json:"tenant_id"`
		NetworkID   *string `json:"floating_network_id"`
		Address     *string `json:"floating_ip_address"`
		SubnetID    *string `json:"subnet_id"`
		PortID      *string `json:"port_id"`
		FixedIP     *string `json:"fixed_ip_address"`
		Description *string `json:"description"`
		DNSName     *string `json:"dns_name"`
		DNSDomain   *string `json:"dns_domain"`
	}
	if err := wire.Fields(body, &b); err != nil {
		return err
	}
	if err := required(body, "floating_network_id"); err != nil {
		return err
	}
	project, err := h.Project(r, b.ProjectID, b.TenantID)
	if err != nil {
		return err
	}
	if err := h.CheckAttrs(r, "create_floatingip", body, wire.Item{"project_id": project, "tenant_id": project}); err != nil {
		return err
	}
	c := floatingips.Create{ProjectID: project, NetworkID: *b.NetworkID, PortID: b.PortID}
	if b.SubnetID != nil {
		c.SubnetID = *b.SubnetID
	}
	if c.Address, err = optAddr("floating_ip_address", b.Address); err != nil {
		return err
	}
	if c.FixedIP, err = optAddr("fixed_ip_address", b.FixedIP); err != nil {
		return err
	}
	if b.Description != nil {
		c.Description = *b.Description
	}
	if b.DNSName != nil {
		c.DNSName = *b.DNSName
	}
	if b.DNSDomain != nil {
		c.DNSDomain = *b.DNSDomain
	}
	if err := checkText("", c.Description); err != nil {
		return err
	}
	f, err := floatingips.New(h.Svc).CreateFloatingIP(r.Context(), h.Scope(r), c)
	if err != nil {
		return err
	}
	f.Tags = []string{}
	return wire.Reply(w, r, http.StatusCreated, "floatingip", h.Hide(r, "get_floatingip", RenderFloatingIP(f)))
}

// UpdateFloatingIP is PUT /v2.0/floatingips/{id}: port_id (null
// disassociates), fixed_ip_address and description.
func (h Handlers) UpdateFloatingIP(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "floatingip", "")
	if err != nil {
		return err
	}
	body := bodies[0]
	var b struct {
		PortID      *json.RawMessage `json:"port_id"`
		FixedIP     *string          `json:"fixed_ip_address"`
		Description *string          `json:"description"`
	}
	if err := wire.Fields(body, &b); err != nil {
		return err
	}
	cur, err := h.LoadFloatingIP(r)
	if err != nil {
		return err
	}
	if err := h.CheckAttrs(r, "update_floatingip", body, cur); err != nil {
		return err
	}
	rev, err := wire.Revision(r)
	if err != nil {
		return err
	}
	u := floatingips.Update{Description: b.Description, Revision: rev}
	// A null decodes as an absent attribute: the body says whether
	// port_id was named (null disassociates).
	if raw, ok := body["port_id"]; ok {
		u.SetPort = true
		if !isNull(raw) {
			var id string
			if err := json.Unmarshal(raw, &id); err != nil {
				return network.BadRequest("Invalid input for port_id. Reason: '%s' is not a valid UUID.", raw)
			}
			u.PortID = &id
		}
	}
	if u.FixedIP, err = optAddr("fixed_ip_address", b.FixedIP); err != nil {
		return err
	}
	if b.Description != nil {
		if err := checkText("", *b.Description); err != nil {
			return err
		}
	}
	f, err := floatingips.New(h.Svc).UpdateFloatingIP(r.Context(), h.Scope(r), r.PathValue("id"), u)
	if err != nil {
		return err
	}
	it, err := h.renderFloatingIP(r, f)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "floatingip", it)
}

// DeleteFloatingIP is DELETE /v2.0/floatingips/{id}.
func (h Handlers) DeleteFloatingIP(w http.ResponseWriter, r *http.Request) error {
	if err := floatingips.New(h.Svc).DeleteFloatingIP(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ListPools is GET /v2.0/floatingip_pools (floatingip-pools): the IPv4
// subnets of the external networks.
func (h Handlers) ListPools(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	pools, err := floatingips.New(h.Svc).FloatingIPPools(r.Context())
	if err != nil {
		return err
	}
	// Pools have no id to page by: they are filtered, not paged.
	items := make([]wire.Item, 0, len(pools))
	for _, p := range pools {
		it := wire.Item{"subnet_id": p.SubnetID, "subnet_name": p.SubnetName, "network_id": p.NetworkID,
			"project_id": p.ProjectID, "tenant_id": p.ProjectID, "cidr": p.CIDR.String()}
		if q.Match(it) {
			items = append(items, it)
		}
	}
	return wire.ReplyMany(w, r, http.StatusOK, "floatingip_pools", items)
}
