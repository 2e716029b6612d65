package l3

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/api/wire"
	"github.com/gostack/gostack/internal/network/routers"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// RenderRouter is a router as Neutron shows it.
func RenderRouter(rt *network.Router) wire.Item {
	it := wire.Std(wire.Item{}, rt.Std)
	it["admin_state_up"] = rt.AdminStateUp
	it["status"] = rt.Status
	it["external_gateway_info"] = nil
	if g := rt.Gateway; g != nil {
		it["external_gateway_info"] = wire.Item{"network_id": g.NetworkID, "enable_snat": g.EnableSNAT,
			"external_fixed_ips": fixedIPs(g.FixedIPs)}
	}
	routes := make([]wire.Item, len(rt.Routes))
	for i, x := range rt.Routes {
		routes[i] = wire.Item{"destination": x.Destination.String(), "nexthop": x.NextHop.String()}
	}
	it["routes"] = routes
	it["distributed"] = rt.Distributed
	it["ha"] = rt.HA
	it["availability_zone_hints"] = rt.AZHints
	// Every router is in the one availability zone there is.
	it["availability_zones"] = []string{"nova"}
	it["flavor_id"] = str(rt.FlavorID)
	return it
}

// renderRouters renders the routers the caller may see, with their tags.
func (h Handlers) renderRouters(r *http.Request, rs []*network.Router) ([]wire.Item, error) {
	ids := make([]string, len(rs))
	for i, x := range rs {
		ids[i] = x.ID
	}
	tags, err := h.Svc.Tags(r.Context(), "routers", ids)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Item, 0, len(rs))
	for _, x := range rs {
		x.Tags = tags[x.ID]
		it := RenderRouter(x)
		if !h.Allowed(r, "get_router", it) {
			continue
		}
		out = append(out, h.Hide(r, "get_router", it))
	}
	return out, nil
}

// renderRouter renders one router the caller may see (404 otherwise).
func (h Handlers) renderRouter(r *http.Request, rt *network.Router) (wire.Item, error) {
	items, err := h.renderRouters(r, []*network.Router{rt})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, network.NotFound("Router", rt.ID)
	}
	return items[0], nil
}

// LoadRouter renders the router of the request's {id} path value.
func (h Handlers) LoadRouter(r *http.Request) (wire.Item, error) {
	rt, err := routers.New(h.Svc).GetRouter(r.Context(), h.Scope(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return h.renderRouter(r, rt)
}

// ListRouters is GET /v2.0/routers.
func (h Handlers) ListRouters(w http.ResponseWriter, r *http.Request) error {
	q, err := wire.ParseQuery(r)
	if err != nil {
		return err
	}
	rs, err := routers.New(h.Svc).ListRouters(r.Context(), q.Filter(h.Scope(r)))
	if err != nil {
		return err
	}
	items, err := h.renderRouters(r, rs)
	if err != nil {
		return err
	}
	return wire.List(w, r, "routers", items, q)
}

// ShowRouter is GET /v2.0/routers/{id}.
func (h Handlers) ShowRouter(w http.ResponseWriter, r *http.Request) error {
	it, err := h.LoadRouter(r)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "router", it)
}

// gatewayBody is external_gateway_info as a request sends it.
type gatewayBody struct {
	NetworkID  *string `json:"network_id"`
	EnableSNAT *bool   `json:"enable_snat"`
	FixedIPs   *[]struct {
		SubnetID  string `json:"subnet_id"`
		IPAddress string `json:"ip_address"`
	} `json:"external_fixed_ips"`
}

// gateway decodes external_gateway_info (nil when the body lacks it) and
// enforces the attribute rules of its keys ("create_router:
// external_gateway_info:enable_snat" is the admin's). Null or {} asks
// for no gateway.
func (h Handlers) gateway(r *http.Request, action string, body map[string]json.RawMessage, target wire.Item) (*routers.GatewayRequest, error) {
	raw, ok := body["external_gateway_info"]
	if !ok {
		return nil, nil
	}
	if isNull(raw) {
		return &routers.GatewayRequest{}, nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, network.BadRequest("Invalid input for external_gateway_info. Reason: '%s' is not a dictionary.", raw)
	}
	var g gatewayBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		var names []string
		for k := range keys {
			if !slices.Contains([]string{"network_id", "enable_snat", "external_fixed_ips"}, k) {
				names = append(names, k)
			}
		}
		if len(names) > 0 {
			slices.Sort(names)
			return nil, network.BadRequest("Invalid input for external_gateway_info. Reason: Unexpected keys supplied: %s.", strings.Join(names, ", "))
		}
		return nil, network.BadRequest("Invalid input for external_gateway_info. Reason: %s.", err)
	}
	if len(keys) == 0 {
		return &routers.GatewayRequest{}, nil
	}
	if g.NetworkID == nil || *g.NetworkID == "" {
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, "'"+k+"'")
		}
		slices.Sort(names)
		return nil, network.BadRequest("Invalid input for external_gateway_info. Reason: Validation of dictionary's keys failed. Expected keys: {'network_id'} Provided keys: {%s}.", strings.Join(names, ", "))
	}
	for k := range keys {
		rule := action + ":external_gateway_info:" + k
		if h.Policy.Has(rule) && !h.Allowed(r, rule, target) {
			return nil, wire.Forbidden(rule)
		}
	}
	out := &routers.GatewayRequest{NetworkID: *g.NetworkID, EnableSNAT: g.EnableSNAT}
	if g.FixedIPs != nil {
		reqs := make([]network.FixedIPRequest, 0, len(*g.FixedIPs))
		for _, f := range *g.FixedIPs {
			req := network.FixedIPRequest{SubnetID: f.SubnetID}
			if f.IPAddress != "" {
				a, err := parseAddr("external_fixed_ips", f.IPAddress)
				if err != nil {
					return nil, err
				}
				req.IP = a
			}
			reqs = append(reqs, req)
		}
		out.FixedIPs = &reqs
	}
	return out, nil
}

// routerBody holds the attributes a router create accepts besides
// external_gateway_info, which gateway reads.
type routerBody struct {
	ProjectID    string           `json:"project_id"`
	TenantID     string           `json:"tenant_id"`
	Name         *string          `json:"name"`
	Description  *string          `json:"description"`
	AdminStateUp *bool            `json:"admin_state_up"`
	Gateway      *json.RawMessage `json:"external_gateway_info"`
	Distributed  *bool            `json:"distributed"`
	HA           *bool            `json:"ha"`
	AZHints      []string         `json:"availability_zone_hints"`
	FlavorID     *string          `json:"flavor_id"`
}

// CreateRouter is POST /v2.0/routers.
func (h Handlers) CreateRouter(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "router", "")
	if err != nil {
		return err
	}
	body := bodies[0]
	if _, ok := body["routes"]; ok {
		return network.BadRequest("Attribute 'routes' not allowed in POST")
	}
	var b routerBody
	if err := wire.Fields(body, &b); err != nil {
		return err
	}
	project, err := h.Project(r, b.ProjectID, b.TenantID)
	if err != nil {
		return err
	}
	target := wire.Item{"project_id": project, "tenant_id": project}
	if err := h.CheckAttrs(r, "create_router", body, target); err != nil {
		return err
	}
	gw, err := h.gateway(r, "create_router", body, target)
	if err != nil {
		return err
	}
	c := routers.Create{ProjectID: project, AdminStateUp: b.AdminStateUp, Gateway: gw, Distributed: b.Distributed,
		HA: b.HA, AZHints: b.AZHints, FlavorID: b.FlavorID}
	if b.Name != nil {
		c.Name = *b.Name
	}
	if b.Description != nil {
		c.Description = *b.Description
	}
	if err := checkText(c.Name, c.Description); err != nil {
		return err
	}
	rt, err := routers.New(h.Svc).CreateRouter(r.Context(), h.Scope(r), c)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusCreated, "router", h.Hide(r, "get_router", RenderRouter(rt)))
}

// checkText holds a name and a description to Neutron's 255 characters.
func checkText(name, description string) error {
	if len(name) > 255 {
		return network.BadRequest("Invalid input for name. Reason: '%s' exceeds maximum length of 255.", name)
	}
	if len(description) > 255 {
		return network.BadRequest("Invalid input for description. Reason: '%s' exceeds maximum length of 255.", description)
	}
	return nil
}

// routeBody is an extra route as a request sends it.
type routeBody struct {
	Destination string `json:"destination"`
	NextHop     string `json:"nexthop"`
}

// parseRoutes reads extra routes: each a destination CIDR and a next hop
// address, none repeated.
func parseRoutes(raw json.RawMessage) ([]network.Route, error) {
	if isNull(raw) {
		return []network.Route{}, nil
	}
	var rs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rs); err != nil {
		return nil, network.BadRequest("Invalid input for routes. Reason: Invalid data format for hostroute: '%s'.", raw)
	}
	out := make([]network.Route, 0, len(rs))
	for _, m := range rs {
		var b routeBody
		if err := wire.Fields(m, &b); err != nil {
			return nil, network.BadRequest("Invalid input for routes. Reason: Invalid data format for hostroute: '%s'.", raw)
		}
		d, err := netip.ParsePrefix(b.Destination)
		if err != nil || d != d.Masked() {
			return nil, network.BadRequest("Invalid input for routes. Reason: '%s' is not a valid IP subnet.", b.Destination)
		}
		n, err := netip.ParseAddr(b.NextHop)
		if err != nil {
			return nil, network.BadRequest("Invalid input for routes. Reason: '%s' is not a valid IP address.", b.NextHop)
		}
		rt := network.Route{Destination: d, NextHop: n}
		if slices.Contains(out, rt) {
			return nil, network.BadRequest("Invalid input for routes. Reason: Duplicate hostroute '%s'.", rt)
		}
		out = append(out, rt)
	}
	return out, nil
}

// UpdateRouter is PUT /v2.0/routers/{id}.
func (h Handlers) UpdateRouter(w http.ResponseWriter, r *http.Request) error {
	bodies, _, err := wire.Body(r, "router", "")
	if err != nil {
		return err
	}
	body := bodies[0]
	var b struct {
		Name         *string          `json:"name"`
		Description  *string          `json:"description"`
		AdminStateUp *bool            `json:"admin_state_up"`
		Gateway      *json.RawMessage `json:"external_gateway_info"`
		Distributed  *bool            `json:"distributed"`
		HA           *bool            `json:"ha"`
		Routes       *json.RawMessage `json:"routes"`
	}
	if err := wire.Fields(body, &b); err != nil {
		return err
	}
	cur, err := h.LoadRouter(r)
	if err != nil {
		return err
	}
	if err := h.CheckAttrs(r, "update_router", body, cur); err != nil {
		return err
	}
	gw, err := h.gateway(r, "update_router", body, cur)
	if err != nil {
		return err
	}
	rev, err := wire.Revision(r)
	if err != nil {
		return err
	}
	u := routers.Update{Name: b.Name, Description: b.Description, AdminStateUp: b.AdminStateUp, Gateway: gw,
		Distributed: b.Distributed, HA: b.HA, Revision: rev}
	var name, desc string
	if b.Name != nil {
		name = *b.Name
	}
	if b.Description != nil {
		desc = *b.Description
	}
	if err := checkText(name, desc); err != nil {
		return err
	}
	// A null decodes as an absent attribute: the body says whether
	// routes were named (null clears them).
	if raw, ok := body["routes"]; ok {
		routes, err := parseRoutes(raw)
		if err != nil {
			return err
		}
		u.Routes = &routes
	}
	rt, err := routers.New(h.Svc).UpdateRouter(r.Context(), h.Scope(r), r.PathValue("id"), u)
	if err != nil {
		return err
	}
	it, err := h.renderRouter(r, rt)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "router", it)
}

// DeleteRouter is DELETE /v2.0/routers/{id}.
func (h Handlers) DeleteRouter(w http.ResponseWriter, r *http.Request) error {
	if err := routers.New(h.Svc).DeleteRouter(r.Context(), h.Scope(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// interfaceRequest reads the body of add_router_interface and
// remove_router_interface: {"subnet_id": ..} or {"port_id": ..}, not
// wrapped.
func interfaceRequest(r *http.Request) (routers.InterfaceRequest, error) {
	var b struct {
		SubnetID *string `json:"subnet_id"`
		PortID   *string `json:"port_id"`
	}
	var raw map[string]json.RawMessage
	if err := httpapi.Decode(r, &raw, httpapi.DecodeOptions{}); err != nil || raw == nil {
		return routers.InterfaceRequest{}, network.BadRequest("Resource body required")
	}
	// Neutron reads the two keys and ignores any other.
	known := map[string]json.RawMessage{}
	for _, k := range []string{"subnet_id", "port_id"} {
		if v, ok := raw[k]; ok {
			known[k] = v
		}
	}
	if err := wire.Fields(known, &b); err != nil {
		return routers.InterfaceRequest{}, err
	}
	var req routers.InterfaceRequest
	if b.SubnetID != nil {
		req.SubnetID = *b.SubnetID
	}
	if b.PortID != nil {
		req.PortID = *b.PortID
	}
	return req, nil
}

// renderInterface is Neutron's answer about a router interface.
func renderInterface(i *routers.Interface) wire.Item {
	return wire.Item{"id": i.RouterID, "tenant_id": i.ProjectID, "project_id": i.ProjectID, "port_id": i.PortID,
		"network_id": i.NetworkID, "subnet_id": i.SubnetID, "subnet_ids": i.SubnetIDs}
}

// AddInterface is PUT /v2.0/routers/{id}/add_router_interface.
func (h Handlers) AddInterface(w http.ResponseWriter, r *http.Request) error {
	req, err := interfaceRequest(r)
	if err != nil {
		return err
	}
	i, err := routers.New(h.Svc).AddInterface(r.Context(), h.Scope(r), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, renderInterface(i))
}

// RemoveInterface is PUT /v2.0/routers/{id}/remove_router_interface.
func (h Handlers) RemoveInterface(w http.ResponseWriter, r *http.Request) error {
	req, err := interfaceRequest(r)
	if err != nil {
		return err
	}
	i, err := routers.New(h.Svc).RemoveInterface(r.Context(), h.Scope(r), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	return httpapi.WriteJSON(w, http.StatusOK, renderInterface(i))
}

// AddRoutes is PUT /v2.0/routers/{id}/add_extraroutes.
func (h Handlers) AddRoutes(w http.ResponseWriter, r *http.Request) error {
	return h.editRoutes(w, r, true)
}

// RemoveRoutes is PUT /v2.0/routers/{id}/remove_extraroutes.
func (h Handlers) RemoveRoutes(w http.ResponseWriter, r *http.Request) error {
	return h.editRoutes(w, r, false)
}

func (h Handlers) editRoutes(w http.ResponseWriter, r *http.Request, add bool) error {
	bodies, _, err := wire.Body(r, "router", "")
	if err != nil {
		return err
	}
	var b struct {
		Routes *json.RawMessage `json:"routes"`
	}
	if err := wire.Fields(bodies[0], &b); err != nil {
		return err
	}
	if err := required(bodies[0], "routes"); err != nil {
		return err
	}
	routes, err := parseRoutes(bodies[0]["routes"])
	if err != nil {
		return err
	}
	rt, err := routers.New(h.Svc).EditRoutes(r.Context(), h.Scope(r), r.PathValue("id"), routes, add)
	if err != nil {
		return err
	}
	it, err := h.renderRouter(r, rt)
	if err != nil {
		return err
	}
	return wire.Reply(w, r, http.StatusOK, "router", it)
}
