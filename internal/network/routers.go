package network

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// Router is a Neutron router. Its interfaces and its gateway are ports
// whose device_id is the router's id; the router keeps the rest.
//
// Distributed and HA are the dvr and l3-ha extensions' attributes. There
// are no L3 agents to place a router on, so they change nothing but what
// the API shows: an admin may set them and read them back, as Neutron
// with DVR and HA enabled lets an admin do.
type Router struct {
	Std
	AdminStateUp bool
	Status       string
	Gateway      *Gateway
	Distributed  bool
	HA           bool
	AZHints      []string
	Routes       []Route
	FlavorID     *string
}

// Gateway is a router's external gateway: a port on an external network.
type Gateway struct {
	NetworkID  string
	PortID     string
	EnableSNAT bool
	// FixedIPs are the gateway port's addresses (read only).
	FixedIPs []FixedIP
}

// Route is an extra route of a router (the extraroute extension).
type Route struct {
	Destination netip.Prefix
	NextHop     netip.Addr
}

// maxExtraRoutes is Neutron's max_routes default.
const maxExtraRoutes = 30

// RouterTx is the L3 part of a transaction: routers, floating IPs and
// their port forwardings.
type RouterTx interface {
	InsertRouter(ctx context.Context, r *Router) error
	// GetRouter returns apierr.ErrNotFound for a missing id. The
	// gateway's FixedIPs are not filled.
	GetRouter(ctx context.Context, id string) (*Router, error)
	// LockRouter bumps a router's revision and updated_at first thing in
	// a transaction that changes its interfaces: on PostgreSQL the row
	// lock it takes makes the changes of one router take turns, so two
	// concurrent interface additions cannot both pass the overlap check.
	// apierr.ErrNotFound for a missing id.
	LockRouter(ctx context.Context, id string) error
	// ListRouters lists the routers of f's scope, narrowed by id, project
	// and name.
	ListRouters(ctx context.Context, f Filter) ([]*Router, error)
	// UpdateRouter writes r as it is (the caller bumps its revision).
	UpdateRouter(ctx context.Context, r *Router) error
	DeleteRouter(ctx context.Context, id string) error
	// CountFloatingIPsOn counts the floating IPs allocated from network.
	CountFloatingIPsOn(ctx context.Context, network string) (int64, error)
	FloatingIPTx
	PortForwardingTx
}

// RouterCreate is a create request; nil fields take Neutron's defaults.
type RouterCreate struct {
	ProjectID    string
	Name         string
	Description  string
	AdminStateUp *bool
	Gateway      *GatewayRequest
	Distributed  *bool
	HA           *bool
	AZHints      []string
	FlavorID     *string
}

// GatewayRequest is external_gateway_info as a request gives it: an empty
// NetworkID clears the gateway.
type GatewayRequest struct {
	NetworkID  string
	EnableSNAT *bool
	// FixedIPs, when set, are the addresses the gateway port asks for.
	FixedIPs *[]FixedIPRequest
}

// RouterUpdate holds what a PUT may change; nil fields stay.
type RouterUpdate struct {
	Name         *string
	Description  *string
	AdminStateUp *bool
	Gateway      *GatewayRequest
	Distributed  *bool
	HA           *bool
	// Routes, when set, replace the router's extra routes.
	Routes   *[]Route
	Revision *int64
}

// Interface is what adding or removing a router interface answers.
type Interface struct {
	RouterID  string
	ProjectID string
	PortID    string
	NetworkID string
	SubnetID  string
	SubnetIDs []string
}

// InterfaceRequest names an interface by subnet, by port or both.
type InterfaceRequest struct {
	SubnetID string
	PortID   string
}

// routerBadRequest is Neutron's BadRequest(resource='router').
func routerBadRequest(format string, args ...any) *apierr.Error {
	return apierr.BadRequest("Bad router request: "+format+".", args...).WithType("BadRequest")
}

// CreateRouter creates a router, with its gateway port when it has one.
func (s *Service) CreateRouter(ctx context.Context, sc Scope, c RouterCreate) (*Router, error) {
	if err := s.CheckAZHints(ctx, "router", c.AZHints); err != nil {
		return nil, err
	}
	if c.FlavorID != nil {
		// There is no flavors framework: no flavor exists to name.
		return nil, NotFound("Flavor", *c.FlavorID)
	}
	now := db.Now()
	r := &Router{
		Std:          Std{ID: uuid.NewString(), ProjectID: c.ProjectID, Name: c.Name, Description: c.Description, CreatedAt: now, UpdatedAt: now},
		AdminStateUp: orBool(c.AdminStateUp, true),
		Status:       "ACTIVE",
		Distributed:  orBool(c.Distributed, false),
		HA:           orBool(c.HA, false),
		AZHints:      c.AZHints,
		Routes:       []Route{},
	}
	if r.AZHints == nil {
		r.AZHints = []string{}
	}
	limit, err := s.Limit(ctx, r.ProjectID, "router")
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := s.CheckQuota(ctx, tx, r.ProjectID, "router", 1, limit); err != nil {
			return err
		}
		if err := tx.InsertRouter(ctx, r); err != nil {
			return err
		}
		if c.Gateway == nil || c.Gateway.NetworkID == "" {
			return nil
		}
		if err := s.setGateway(ctx, tx, sc, r, c.Gateway); err != nil {
			return err
		}
		return tx.UpdateRouter(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	r.Tags = []string{}
	return r, nil
}

// visibleRouter reads a router of the scope (404 otherwise).
func (s *Service) visibleRouter(ctx context.Context, tx Tx, sc Scope, id string) (*Router, error) {
	r, err := tx.GetRouter(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(r.ProjectID)) {
		return nil, NotFound("Router", id)
	}
	if err != nil {
		return nil, err
	}
	return r, s.fillGateways(ctx, tx, []*Router{r})
}

// fillGateways reads the addresses of the routers' gateway ports.
func (s *Service) fillGateways(ctx context.Context, tx Tx, rs []*Router) error {
	var ids []string
	byPort := map[string]*Gateway{}
	for _, r := range rs {
		if r.Gateway != nil {
			r.Gateway.FixedIPs = []FixedIP{}
			ids = append(ids, r.Gateway.PortID)
			byPort[r.Gateway.PortID] = r.Gateway
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ports, err := tx.ListPorts(ctx, Filter{Scope: Scope{Admin: true}, IDs: ids})
	if err != nil {
		return err
	}
	for _, p := range ports {
		if g := byPort[p.ID]; g != nil {
			g.FixedIPs = p.FixedIPs
		}
	}
	return nil
}

// GetRouter returns a router the scope sees.
func (s *Service) GetRouter(ctx context.Context, sc Scope, id string) (*Router, error) {
	var r *Router
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		r, err = s.visibleRouter(ctx, tx, sc, id)
		return err
	})
	return r, err
}

// ListRouters lists the routers the scope sees, narrowed by f.
func (s *Service) ListRouters(ctx context.Context, f Filter) ([]*Router, error) {
	var rs []*Router
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if rs, err = tx.ListRouters(ctx, f); err != nil {
			return err
		}
		return s.fillGateways(ctx, tx, rs)
	})
	return rs, err
}

// UpdateRouter changes a router: its attributes, its gateway and its
// extra routes.
func (s *Service) UpdateRouter(ctx context.Context, sc Scope, id string, u RouterUpdate) (*Router, error) {
	var r *Router
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		// The lock's revision bump is this update's.
		if err := tx.LockRouter(ctx, id); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		var err error
		if r, err = s.visibleRouter(ctx, tx, sc, id); err != nil {
			return err
		}
		if err := CheckRevision(u.Revision, r.Revision-1); err != nil {
			return err
		}
		// Neutron's router-admin-state-down-before-update: a router
		// changes between centralized and distributed (or HA) only while
		// it is down, as its agents would have to move it.
		changes := u.Distributed != nil && *u.Distributed != r.Distributed || u.HA != nil && *u.HA != r.HA
		if changes && r.AdminStateUp && (u.AdminStateUp == nil || *u.AdminStateUp) {
			return routerBadRequest("Cannot change the 'distributed' or 'ha' attribute of active routers. Please set router admin_state_up to False prior to upgrade")
		}
		set(&r.Name, u.Name)
		set(&r.Description, u.Description)
		set(&r.AdminStateUp, u.AdminStateUp)
		set(&r.Distributed, u.Distributed)
		set(&r.HA, u.HA)
		if u.Gateway != nil {
			if err := s.setGateway(ctx, tx, sc, r, u.Gateway); err != nil {
				return err
			}
		}
		if u.Routes != nil {
			if err := s.checkRoutes(ctx, tx, r, *u.Routes); err != nil {
				return err
			}
			r.Routes = *u.Routes
		}
		return tx.UpdateRouter(ctx, r)
	})
	return r, err
}

// setGateway sets, changes or (an empty NetworkID) clears the router's
// gateway inside tx; the caller writes r.
func (s *Service) setGateway(ctx context.Context, tx Tx, sc Scope, r *Router, g *GatewayRequest) error {
	if g.NetworkID == "" {
		return s.clearGateway(ctx, tx, r)
	}
	n, err := s.visibleNetwork(ctx, tx, sc, g.NetworkID)
	if err != nil {
		return err
	}
	if !n.External {
		return routerBadRequest("Network %s is not an external network", n.ID)
	}
	snat := true
	if r.Gateway != nil {
		snat = r.Gateway.EnableSNAT
	}
	if g.EnableSNAT != nil {
		snat = *g.EnableSNAT
	}
	same := r.Gateway != nil && r.Gateway.NetworkID == n.ID
	if same && (g.FixedIPs == nil || sameAddresses(r.Gateway.FixedIPs, *g.FixedIPs)) {
		r.Gateway.EnableSNAT = snat
		return nil
	}
	if !same {
		if err := s.clearGateway(ctx, tx, r); err != nil {
			return err
		}
	} else if err := s.removeGatewayPort(ctx, tx, r); err != nil {
		return err
	}
	var reqs []FixedIPRequest
	if g.FixedIPs != nil {
		reqs = *g.FixedIPs
		if reqs == nil {
			reqs = []FixedIPRequest{}
		}
	}
	// Neutron gives a gateway port no project: it is the router's, and
	// no project sees it in its port list or counts it in its quota.
	p, err := s.AddPort(ctx, tx, PortCreate{NetworkID: n.ID, DeviceID: r.ID, DeviceOwner: OwnerRouterGateway, FixedIPs: reqs})
	if err != nil {
		return err
	}
	if err := s.checkGatewayOverlap(ctx, tx, r, p); err != nil {
		return err
	}
	r.Gateway = &Gateway{NetworkID: n.ID, PortID: p.ID, EnableSNAT: snat, FixedIPs: p.FixedIPs}
	return nil
}

// sameAddresses reports whether the requested addresses are those the
// gateway has: each request names one of them, and all are named.
func sameAddresses(have []FixedIP, want []FixedIPRequest) bool {
	if len(have) != len(want) {
		return false
	}
	for _, w := range want {
		if !slices.ContainsFunc(have, func(f FixedIP) bool {
			return (w.SubnetID == "" || w.SubnetID == f.SubnetID) && (!w.IP.IsValid() || w.IP == f.IP)
		}) {
			return false
		}
	}
	return true
}

// checkGatewayOverlap refuses a gateway whose subnets overlap the
// router's internal subnets: the router could not tell them apart.
func (s *Service) checkGatewayOverlap(ctx context.Context, tx Tx, r *Router, gw *Port) error {
	ports, err := s.interfacePorts(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	for _, ip := range gw.FixedIPs {
		if err := s.checkSubnetFits(ctx, tx, r, ports, ip.SubnetID, ""); err != nil {
			return err
		}
	}
	return nil
}

// clearGateway removes the router's gateway, refused while floating IPs
// reach their ports through it.
func (s *Service) clearGateway(ctx context.Context, tx Tx, r *Router) error {
	if r.Gateway == nil {
		return nil
	}
	fips, err := tx.ListFloatingIPs(ctx, Filter{Scope: Scope{Admin: true}, Eq: map[string][]string{
		"router_id": {r.ID}, "floating_network_id": {r.Gateway.NetworkID}}})
	if err != nil {
		return err
	}
	if len(fips) > 0 {
		return Conflict("RouterExternalGatewayInUseByFloatingIp", "Gateway cannot be updated for router %s, since a gateway to external network %s is required by one or more floating IPs.", r.ID, r.Gateway.NetworkID)
	}
	if err := s.removeGatewayPort(ctx, tx, r); err != nil {
		return err
	}
	r.Gateway = nil
	return nil
}

func (s *Service) removeGatewayPort(ctx context.Context, tx Tx, r *Router) error {
	p, err := tx.GetPort(ctx, r.Gateway.PortID)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.RemovePort(ctx, tx, p)
}

// interfacePorts are the router's internal interface ports.
func (s *Service) interfacePorts(ctx context.Context, tx Tx, router string) ([]*Port, error) {
	ports, err := tx.ListPorts(ctx, Filter{Scope: Scope{Admin: true}, Eq: map[string][]string{"device_id": {router}}})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ports, func(p *Port) bool { return !IsRouterPort(p.DeviceOwner) }), nil
}

// checkSubnetFits refuses attaching subnet to a router that already has
// it (unless on port skip) or one overlapping it: Neutron's
// _check_for_dup_router_subnets.
func (s *Service) checkSubnetFits(ctx context.Context, tx Tx, r *Router, ports []*Port, subnet, skip string) error {
	sn, err := tx.GetSubnet(ctx, subnet)
	if err != nil {
		return err
	}
	for _, p := range ports {
		if p.ID == skip {
			continue
		}
		for _, ip := range p.FixedIPs {
			if ip.SubnetID == subnet {
				return routerBadRequest("Router already has a port on subnet %s", subnet)
			}
			other, err := tx.GetSubnet(ctx, ip.SubnetID)
			if errors.Is(err, apierr.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if other.CIDR.Overlaps(sn.CIDR) {
				return routerBadRequest("Cidr %s of subnet %s overlaps with cidr %s of subnet %s", sn.CIDR, sn.ID, other.CIDR, other.ID)
			}
		}
	}
	return nil
}

// checkRoutes validates extra routes: each next hop an address of a
// subnet the router is connected to and not the router's own.
func (s *Service) checkRoutes(ctx context.Context, tx Tx, r *Router, routes []Route) error {
	if len(routes) > maxExtraRoutes {
		return apierr.BadRequest("Unable to complete operation for %s. The number of routes exceeds the maximum %d.", r.ID, maxExtraRoutes).WithType("RoutesExhausted")
	}
	ports, err := s.interfacePorts(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	var cidrs []netip.Prefix
	var own []netip.Addr
	for _, p := range ports {
		for _, ip := range p.FixedIPs {
			own = append(own, ip.IP)
			sn, err := tx.GetSubnet(ctx, ip.SubnetID)
			if err != nil {
				return err
			}
			cidrs = append(cidrs, sn.CIDR)
		}
	}
	for _, rt := range routes {
		if rt.Destination.Addr().Is4() != rt.NextHop.Is4() {
			return invalidRoutes(rt, "the nexthop is not of the destination's IP version")
		}
		if slices.Contains(own, rt.NextHop) {
			return invalidRoutes(rt, "the nexthop is used by router")
		}
		if !slices.ContainsFunc(cidrs, func(c netip.Prefix) bool { return c.Contains(rt.NextHop) }) {
			return invalidRoutes(rt, "the nexthop is not connected with router")
		}
	}
	return nil
}

// invalidRoutes is Neutron's InvalidRoutes naming the offending route.
func invalidRoutes(rt Route, reason string) *apierr.Error {
	return apierr.BadRequest("Invalid format for routes: [%s], %s", rt, reason).WithType("InvalidRoutes")
}

// EditRoutes adds (add) or removes extra routes of a router in one
// transaction: the extraroute-atomic extension's add_extraroutes and
// remove_extraroutes. Adding a route the router has, or removing one it
// lacks, is no error.
func (s *Service) EditRoutes(ctx context.Context, sc Scope, id string, routes []Route, add bool) (*Router, error) {
	var r *Router
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.LockRouter(ctx, id); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		var err error
		if r, err = s.visibleRouter(ctx, tx, sc, id); err != nil {
			return err
		}
		next := slices.Clone(r.Routes)
		for _, rt := range routes {
			has := slices.Contains(next, rt)
			switch {
			case add && !has:
				next = append(next, rt)
			case !add && has:
				next = slices.DeleteFunc(next, func(x Route) bool { return x == rt })
			}
		}
		if add {
			if err := s.checkRoutes(ctx, tx, r, next); err != nil {
				return err
			}
		}
		r.Routes = next
		return tx.UpdateRouter(ctx, r)
	})
	return r, err
}

// DeleteRouter deletes a router and its gateway port; a router with
// interfaces is in use (409).
func (s *Service) DeleteRouter(ctx context.Context, sc Scope, id string) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.LockRouter(ctx, id); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		r, err := s.visibleRouter(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		ports, err := s.interfacePorts(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if len(ports) > 0 {
			return Conflict("RouterInUse", "Router %s still has ports", r.ID)
		}
		// Floating IPs with port forwardings reach their ports through the
		// router without an interface of theirs being counted above.
		fips, err := tx.ListFloatingIPs(ctx, Filter{Scope: Scope{Admin: true}, Eq: map[string][]string{"router_id": {r.ID}}})
		if err != nil {
			return err
		}
		if len(fips) > 0 {
			return Conflict("RouterInUse", "Router %s still has ports", r.ID)
		}
		if err := s.clearGateway(ctx, tx, r); err != nil {
			return err
		}
		if err := tx.SetTags(ctx, "routers", r.ID, nil); err != nil {
			return err
		}
		return tx.DeleteRouter(ctx, r.ID)
	})
}

// AddInterface connects a subnet to a router: through a new port with
// the subnet's gateway address (by subnet) or through an existing port
// of the caller's (by port).
func (s *Service) AddInterface(ctx context.Context, sc Scope, id string, req InterfaceRequest) (*Interface, error) {
	switch {
	case req.SubnetID == "" && req.PortID == "":
		return nil, routerBadRequest("Either subnet_id or port_id must be specified")
	case req.SubnetID != "" && req.PortID != "":
		return nil, routerBadRequest("Cannot specify both subnet-id and port-id")
	}
	var out *Interface
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.LockRouter(ctx, id); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		r, err := s.visibleRouter(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		ports, err := s.interfacePorts(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if req.PortID != "" {
			out, err = s.addInterfacePort(ctx, tx, sc, r, ports, req.PortID)
		} else {
			out, err = s.addInterfaceSubnet(ctx, tx, sc, r, ports, req.SubnetID)
		}
		return err
	})
	return out, err
}

func (s *Service) addInterfaceSubnet(ctx context.Context, tx Tx, sc Scope, r *Router, ports []*Port, subnet string) (*Interface, error) {
	sn, err := s.visibleSubnet(ctx, tx, sc, subnet)
	if err != nil {
		return nil, err
	}
	if sn.GatewayIP == nil {
		return nil, routerBadRequest("Subnet for router interface must have a gateway IP")
	}
	if err := s.checkSubnetFits(ctx, tx, r, ports, sn.ID, ""); err != nil {
		return nil, err
	}
	if err := s.checkGatewayFits(ctx, tx, r, sn); err != nil {
		return nil, err
	}
	// Neutron gives the interface port the subnet's project.
	p, err := s.AddPort(ctx, tx, PortCreate{ProjectID: sn.ProjectID, NetworkID: sn.NetworkID, DeviceID: r.ID,
		DeviceOwner: OwnerRouterInterface, FixedIPs: []FixedIPRequest{{SubnetID: sn.ID, IP: *sn.GatewayIP}}})
	if err != nil {
		return nil, err
	}
	return interfaceOf(r, p, sn.ID), nil
}

// checkGatewayFits refuses an internal subnet overlapping the router's
// gateway subnets.
func (s *Service) checkGatewayFits(ctx context.Context, tx Tx, r *Router, sn *Subnet) error {
	if r.Gateway == nil {
		return nil
	}
	gw, err := tx.GetPort(ctx, r.Gateway.PortID)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.checkSubnetFits(ctx, tx, r, []*Port{gw}, sn.ID, "")
}

func (s *Service) addInterfacePort(ctx context.Context, tx Tx, sc Scope, r *Router, ports []*Port, id string) (*Interface, error) {
	p, err := s.visiblePort(ctx, tx, sc, id)
	if err != nil {
		return nil, err
	}
	if p.DeviceID != "" {
		return nil, Conflict("PortInUse", "Unable to complete operation on port %s for network %s. Port already has an attached device %s.", p.ID, p.NetworkID, p.DeviceID)
	}
	if len(p.FixedIPs) == 0 {
		return nil, routerBadRequest("Router port must have at least one fixed IP")
	}
	v4 := 0
	for _, ip := range p.FixedIPs {
		if ip.IP.Is4() {
			v4++
		}
	}
	if v4 > 1 {
		return nil, routerBadRequest("Cannot have multiple IPv4 subnets on router port")
	}
	for _, ip := range p.FixedIPs {
		if err := s.checkSubnetFits(ctx, tx, r, ports, ip.SubnetID, p.ID); err != nil {
			return nil, err
		}
		sn, err := tx.GetSubnet(ctx, ip.SubnetID)
		if err != nil {
			return nil, err
		}
		if err := s.checkGatewayFits(ctx, tx, r, sn); err != nil {
			return nil, err
		}
	}
	owner := OwnerRouterInterface
	if err := s.ChangePort(ctx, tx, p, PortUpdate{DeviceID: &r.ID, DeviceOwner: &owner}); err != nil {
		return nil, err
	}
	return interfaceOf(r, p, ""), nil
}

// interfaceOf is the answer about interface port p of r; subnet, when
// set, is the subnet asked for.
func interfaceOf(r *Router, p *Port, subnet string) *Interface {
	ids := make([]string, 0, len(p.FixedIPs))
	for _, ip := range p.FixedIPs {
		if !slices.Contains(ids, ip.SubnetID) {
			ids = append(ids, ip.SubnetID)
		}
	}
	if subnet == "" && len(ids) > 0 {
		subnet = ids[0]
	}
	return &Interface{RouterID: r.ID, ProjectID: p.ProjectID, PortID: p.ID, NetworkID: p.NetworkID, SubnetID: subnet, SubnetIDs: ids}
}

// RemoveInterface disconnects a subnet from a router and deletes the
// interface port, refused while floating IPs or extra routes need it.
func (s *Service) RemoveInterface(ctx context.Context, sc Scope, id string, req InterfaceRequest) (*Interface, error) {
	if req.SubnetID == "" && req.PortID == "" {
		return nil, routerBadRequest("Either subnet_id or port_id must be specified")
	}
	var out *Interface
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.LockRouter(ctx, id); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		r, err := s.visibleRouter(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		ports, err := s.interfacePorts(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		var port *Port
		if req.PortID != "" {
			i := slices.IndexFunc(ports, func(p *Port) bool { return p.ID == req.PortID })
			if i < 0 {
				return apierr.NotFound("Router %s does not have an interface with id %s", r.ID, req.PortID).WithType("RouterInterfaceNotFound")
			}
			port = ports[i]
			if req.SubnetID != "" && !slices.ContainsFunc(port.FixedIPs, func(f FixedIP) bool { return f.SubnetID == req.SubnetID }) {
				return apierr.BadRequest("Subnet on port %s does not match the requested subnet %s.", port.ID, req.SubnetID).WithType("SubnetMismatchForPort")
			}
		} else {
			if _, err := s.visibleSubnet(ctx, tx, sc, req.SubnetID); err != nil {
				return err
			}
			i := slices.IndexFunc(ports, func(p *Port) bool {
				return slices.ContainsFunc(p.FixedIPs, func(f FixedIP) bool { return f.SubnetID == req.SubnetID })
			})
			if i < 0 {
				return apierr.NotFound("Router %s has no interface on subnet %s", r.ID, req.SubnetID).WithType("RouterInterfaceNotFoundForSubnet")
			}
			port = ports[i]
		}
		for _, ip := range port.FixedIPs {
			if err := s.checkInterfaceUnused(ctx, tx, r, ip.SubnetID); err != nil {
				return err
			}
		}
		out = interfaceOf(r, port, req.SubnetID)
		return s.RemovePort(ctx, tx, port)
	})
	return out, err
}

// checkInterfaceUnused refuses removing the router's interface on subnet
// while a floating IP (or a port forwarding) reaches an address of the
// subnet through the router, or an extra route's next hop is on it.
func (s *Service) checkInterfaceUnused(ctx context.Context, tx Tx, r *Router, subnet string) error {
	sn, err := tx.GetSubnet(ctx, subnet)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	fips, err := tx.ListFloatingIPs(ctx, Filter{Scope: Scope{Admin: true}, Eq: map[string][]string{"router_id": {r.ID}}})
	if err != nil {
		return err
	}
	inUse := Conflict("RouterInterfaceInUseByFloatingIP", "Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more floating IPs.", subnet, r.ID)
	for _, f := range fips {
		if f.FixedIP != nil && sn.CIDR.Contains(*f.FixedIP) {
			return inUse
		}
		for _, pf := range f.PortForwardings {
			if sn.CIDR.Contains(pf.InternalIP) {
				return inUse
			}
		}
	}
	for _, rt := range r.Routes {
		if sn.CIDR.Contains(rt.NextHop) {
			return Conflict("RouterInterfaceInUseByRoute", "Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more routes.", subnet, r.ID)
		}
	}
	return nil
}

// routerFor finds the router through which external network reaches
// subnet: one with a gateway on the network and an interface on the
// subnet — Neutron's get_router_for_floatingip.
func (s *Service) routerFor(ctx context.Context, tx Tx, port *Port, subnet *Subnet, external string) (string, error) {
	if subnet.GatewayIP == nil {
		return "", apierr.BadRequest("Bad floatingip request: Cannot add floating IP to port on subnet %s which has no gateway_ip.", subnet.ID).WithType("BadRequest")
	}
	ports, err := tx.ListPorts(ctx, Filter{Scope: Scope{Admin: true}, Eq: map[string][]string{"network_id": {subnet.NetworkID}}})
	if err != nil {
		return "", err
	}
	var candidates []string
	for _, p := range ports {
		if IsRouterPort(p.DeviceOwner) && slices.ContainsFunc(p.FixedIPs, func(f FixedIP) bool { return f.SubnetID == subnet.ID }) {
			candidates = append(candidates, p.DeviceID)
		}
	}
	slices.Sort(candidates)
	for _, id := range slices.Compact(candidates) {
		r, err := tx.GetRouter(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", err
		}
		if r.Gateway != nil && r.Gateway.NetworkID == external {
			return r.ID, nil
		}
	}
	return "", apierr.NotFound("External network %s is not reachable from subnet %s.  Therefore, cannot associate Port %s with a Floating IP.",
		external, subnet.ID, port.ID).WithType("ExternalGatewayForFloatingIPNotFound")
}

// CheckPortDelete refuses deleting through the port API a port that
// belongs to a router or a floating IP that still exists: Neutron's
// ServicePortInUse (409). The router or floating IP removes it.
func (s *Service) CheckPortDelete(ctx context.Context, tx Tx, p *Port) error {
	var exists bool
	switch {
	case IsRouterPort(p.DeviceOwner) || p.DeviceOwner == OwnerRouterGateway:
		_, err := tx.GetRouter(ctx, p.DeviceID)
		if err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		exists = err == nil
	case p.DeviceOwner == OwnerFloatingIP:
		_, err := tx.GetFloatingIP(ctx, p.DeviceID)
		if err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		exists = err == nil
	}
	if exists {
		return Conflict("ServicePortInUse", "Port %s cannot be deleted directly via the port API: has device owner %s.", p.ID, p.DeviceOwner)
	}
	return nil
}

// String renders a route as Neutron's messages do (a Python dict).
func (rt Route) String() string {
	return fmt.Sprintf("{'destination': '%s', 'nexthop': '%s'}", rt.Destination, rt.NextHop)
}
