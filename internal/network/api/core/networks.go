package core

import (
	"encoding/json"
	"net/http"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/network/networks"
	"github.com/gostack/gostack/internal/network/subnets"
)

// RenderNetwork is a network as Neutron shows it.
func RenderNetwork(n *network.Network) wire.Item {
	it := wire.Std(wire.Item{}, n.Std)
	it["admin_state_up"] = n.AdminStateUp
	it["status"] = n.Status
	it["shared"] = n.Shared
	it["router:external"] = n.External
	it["is_default"] = n.IsDefault
	it["mtu"] = n.MTU
	it["port_security_enabled"] = n.PortSecurity
	it["provider:network_type"] = n.NetworkType
	it["provider:physical_network"] = n.Physnet
	it["provider:segmentation_id"] = n.SegmentID
	it["dns_domain"] = n.DNSDomain
	it["availability_zone_hints"] = n.AZHints
	it["availability_zones"] = []string{"nova"}
	it["qos_policy_id"] = n.QoSPolicyID
	it["ipv4_address_scope"] = nil
	it["ipv6_address_scope"] = nil
	it["l2_adjacency"] = true
	subs := n.Subnets
	if subs == nil {
		subs = []string{}
	}
	it["subnets"] = subs
	return it
}

// RenderNetworks renders networks with their tags and address scopes,
// keeping those the caller may see.
func (h Handlers) RenderNetworks(r *http.Request, ns []*network.Network) ([]wire.Item, error) {
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	tags, err := h.Svc.Tags(r.Context(), "networks", ids)
	if err != nil {
		return nil, err
	}
	scopes, err := subnets.New(h.Svc).NetworkScopes(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Item, 0, len(ns))
	for _, n := range ns {
		n.Tags = tags[n.ID]
		it := RenderNetwork(n)
		if sc, ok := scopes[n.ID][4]; ok {
			it["ipv4_address_scope"] = sc
		}
		if sc, ok := scopes[n.ID][6]; ok {
			it["ipv6_address_scope"] = sc
		}
		if !h.Allowed(r, "get_network", it) {
			continue
		}
		out = append(out, h.Hide(r, "get_network", it))
	}
	return out, nil
}

// LoadNetwork renders the network of the request's {id} path value.
func (h Handlers) LoadNetwork(r *http.Request) (wire.Item, error) {
	n, err := networks.New(h.Svc).GetNetwork(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	items, err := h.RenderNetworks(r, []*network.Network{n})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, network.NotFound("Network", n.ID)
	}
	return items[0], nil
}

// ListNetworks is GET /v2.0/networks.
func (h Handlers) ListNetworks(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	ns, err := networks.New(h.Svc).ListNetworks(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	items, err := h.RenderNetworks(r, ns)
	if err != nil {
		return err
	}
	return wire.List(w, r, "networks", items, q)
}

// ShowNetwork is GET /v2.0/networks/{id}.
func (h Handlers) ShowNetwork(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadNetwork(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "network", it)
}

type networkBody struct {
	ProjectID    string   `json:"project_id"`
	TenantID     string   `json:"tenant_id"`
	Name         *string  `json:"name"`
	Description  *string  `json:"description"`
	AdminStateUp *bool    `json:"admin_state_up"`
	Shared       *bool    `json:"shared"`
	External     *bool    `json:"router:external"`
	IsDefault    *bool    `json:"is_default"`
	MTU          *int     `json:"mtu"`
	PortSecurity *bool    `json:"port_security_enabled"`
	NetworkType  *string  `json:"provider:network_type"`
	Physnet      *string  `json:"provider:physical_network"`
	SegmentID    *int64   `json:"provider:segmentation_id"`
	DNSDomain    *string  `json:"dns_domain"`
	AZHints      []string `json:"availability_zone_hints"`
	QoSPolicyID  *string  `json:"qos_policy_id"`
	// Segments (multi-provider) with one segment is the provider triple.
	Segments []struct {
		NetworkType *string `json:"provider:network_type"`
		Physnet     *string `json:"provider:physical_network"`
		SegmentID   *int64  `json:"provider:segmentation_id"`
	} `json:"segments"`
}

// CreateNetwork is POST /v2.0/networks, one or in bulk.
func (h Handlers) CreateNetwork(w http.ResponseWriter, r *http.Request) error {
	bodies, bulk, err := wire.Body(r, "network", "networks")
	if err != nil {
		return err
	}
	var made []wire.Item
	for _, body := range bodies {
		it, err := h.createNetwork(r, body)
		if err != nil {
			// A bulk create is all or nothing.
			for _, m := range made {
				_ = networks.New(h.Svc).DeleteNetwork(r.Context(), network.Scope{Admin: true}, m["id"].(string))
			}
			return err
		}
		made = append(made, it)
	}
	if !bulk {
		return wire.Reply(w, r, http.StatusCreated, "network", made[0])
	}
	return wire.ReplyMany(w, r, http.StatusCreated, "networks", made)
}

func (h Handlers) createNetwork(r *http.Request, body map[string]json.RawMessage) (wire.Item, error) {
	var b networkBody
	if err := wire.Fields(body, &b); err != nil {
		return nil, err
	}
	project, err := h.Project(r, b.ProjectID, b.TenantID)
	if err != nil {
		return nil, err
	}
	target := wire.Item{"project_id": project, "tenant_id": project}
	if err := h.CheckAttrs(r, "create_network", body, target); err != nil {
		return nil, err
	}
	c := networks.Create{ProjectID: project, AdminStateUp: b.AdminStateUp, Shared: b.Shared, External: b.External,
		IsDefault: b.IsDefault, MTU: b.MTU, PortSecurity: b.PortSecurity, NetworkType: b.NetworkType, Physnet: b.Physnet,
		SegmentID: b.SegmentID, DNSDomain: b.DNSDomain, AZHints: b.AZHints, QoSPolicyID: b.QoSPolicyID}
	if b.Name != nil {
		c.Name = *b.Name
	}
	if b.Description != nil {
		c.Description = *b.Description
	}
	if len(b.Segments) > 1 {
		return nil, network.InvalidInput("only one segment per network is supported")
	}
	if len(b.Segments) == 1 {
		c.NetworkType, c.Physnet, c.SegmentID = b.Segments[0].NetworkType, b.Segments[0].Physnet, b.Segments[0].SegmentID
	}
	n, err := networks.New(h.Svc).CreateNetwork(r.Context(), c)
	if err != nil {
		return nil, err
	}
	return h.Hide(r, "get_network", RenderNetwork(n)), nil
}

// UpdateNetwork is PUT /v2.0/networks/{id}.
func (h Handlers) UpdateNetwork(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "network", "")
	if err != nil {
		return err
	}
	var b struct {
		Name         *string          `json:"name"`
		Description  *string          `json:"description"`
		AdminStateUp *bool            `json:"admin_state_up"`
		Shared       *bool            `json:"shared"`
		External     *bool            `json:"router:external"`
		IsDefault    *bool            `json:"is_default"`
		MTU          *int             `json:"mtu"`
		PortSecurity *bool            `json:"port_security_enabled"`
		DNSDomain    *string          `json:"dns_domain"`
		QoSPolicyID  *json.RawMessage `json:"qos_policy_id"`
	}
	if err := wire.Fields(bodies[0], &b); err != nil {
		return err
	}
	for _, ro := range []string{"provider:network_type", "provider:physical_network", "provider:segmentation_id", "segments"} {
		if _, ok := bodies[0][ro]; ok {
			return network.InvalidInput("Plugin does not support updating provider attributes")
		}
	}
	cur, err := h.LoadNetwork(r)
	if err != nil {
		return err
	}
	if err := h.CheckAttrs(r, "update_network", bodies[0], cur); err != nil {
		return err
	}
	rev, err := wire.Revision(r)
	if err != nil {
		return err
	}
	u := networks.Update{Name: b.Name, Description: b.Description, AdminStateUp: b.AdminStateUp, Shared: b.Shared,
		External: b.External, IsDefault: b.IsDefault, MTU: b.MTU, PortSecurity: b.PortSecurity, DNSDomain: b.DNSDomain, Revision: rev}
	if b.QoSPolicyID != nil {
		var id *string
		if err := json.Unmarshal(*b.QoSPolicyID, &id); err != nil {
			return network.BadRequest("Invalid input for qos_policy_id. Reason: not a valid UUID.")
		}
		u.QoSPolicyID = &id
	}
	n, err := networks.New(h.Svc).UpdateNetwork(r.Context(), h.Scope(r), r.PathValue("id"), u)
	if err != nil {
		return err
	}
	items, err := h.RenderNetworks(r, []*network.Network{n})
	if err != nil || len(items) == 0 {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "network", items[0])
}

// DeleteNetwork is DELETE /v2.0/networks/{id}.
func (h Handlers) DeleteNetwork(w http.ResponseWriter, r *http.Request) error {
	if err := networks.New(h.Svc).DeleteNetwork(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
