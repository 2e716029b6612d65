package routers

import (
	"context"
	"errors"
	"net/netip"
	"slices"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/ports"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// maxExtraRoutes is Neutron's max_routes default.
const maxExtraRoutes = 30

// Create is a create request; nil fields take Neutron's defaults.
type Create struct {
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
	FixedIPs *[]network.FixedIPRequest
}

// Update holds what a PUT may change; nil fields stay.
type Update struct {
	Name         *string
	Description  *string
	AdminStateUp *bool
	Gateway      *GatewayRequest
	Distributed  *bool
	HA           *bool
	// Routes, when set, replace the router's extra routes.
	Routes   *[]network.Route
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
func (s *Service) CreateRouter(ctx context.Context, sc network.Scope, c Create) (*network.Router, error) {
	if err := s.net.CheckAZHints(ctx, "router", c.AZHints); err != nil {
		return nil, err
	}
	if c.FlavorID != nil {
		// There is no flavors framework: no flavor exists to name.
		return nil, network.NotFound("Flavor", *c.FlavorID)
	}
	r := newRouter(c)
	limit, err := s.net.Limit(ctx, r.ProjectID, "router")
	if err != nil {
		return nil, err
	}
	err = s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if err := s.net.CheckQuota(ctx, tx, r.ProjectID, "router", 1, limit); err != nil {
			return err
		}
		return s.insert(ctx, tx, sc, r, c.Gateway)
	})
	if err != nil {
		return nil, err
	}
	r.Tags = []string{}
	return r, nil
}

// AddRouter creates a router with its gateway inside the caller's
// transaction (the auto-allocated topology's); the caller has checked
// quota, AZ hints and flavor.
func (s *Service) AddRouter(ctx context.Context, tx network.Tx, sc network.Scope, c Create) (*network.Router, error) {
	r := newRouter(c)
	return r, s.insert(ctx, tx, sc, r, c.Gateway)
}

// AttachSubnet adds an interface on subnet to r inside the caller's
// transaction, as AddInterface does by subnet.
func (s *Service) AttachSubnet(ctx context.Context, tx network.Tx, sc network.Scope, r *network.Router, subnet string) error {
	ifaces, err := s.interfacePorts(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	_, err = s.addInterfaceSubnet(ctx, tx, sc, r, ifaces, subnet)
	return err
}

// newRouter is the router c asks for, with Neutron's defaults.
func newRouter(c Create) *network.Router {
	now := db.Now()
	r := &network.Router{
		Std:          network.Std{ID: uuid.NewString(), ProjectID: c.ProjectID, Name: c.Name, Description: c.Description, CreatedAt: now, UpdatedAt: now},
		AdminStateUp: network.OrBool(c.AdminStateUp, true),
		Status:       "ACTIVE",
		Distributed:  network.OrBool(c.Distributed, false),
		HA:           network.OrBool(c.HA, false),
		AZHints:      c.AZHints,
		Routes:       []network.Route{},
	}
	if r.AZHints == nil {
		r.AZHints = []string{}
	}
	return r
}

// insert writes r and, when g names a network, its gateway.
func (s *Service) insert(ctx context.Context, tx network.Tx, sc network.Scope, r *network.Router, g *GatewayRequest) error {
	if err := tx.InsertRouter(ctx, r); err != nil {
		return err
	}
	if g == nil || g.NetworkID == "" {
		return nil
	}
	if err := s.setGateway(ctx, tx, sc, r, g); err != nil {
		return err
	}
	return tx.UpdateRouter(ctx, r)
}

// visibleRouter reads a router of the scope (404 otherwise).
func (s *Service) visibleRouter(ctx context.Context, tx network.Tx, sc network.Scope, id string) (*network.Router, error) {
	r, err := tx.GetRouter(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(r.ProjectID)) {
		return nil, network.NotFound("Router", id)
	}
	if err != nil {
		return nil, err
	}
	return r, s.fillGateways(ctx, tx, []*network.Router{r})
}

// fillGateways reads the addresses of the routers' gateway ports.
func (s *Service) fillGateways(ctx context.Context, tx network.Tx, rs []*network.Router) error {
	var ids []string
	byPort := map[string]*network.Gateway{}
	for _, r := range rs {
		if r.Gateway != nil {
			r.Gateway.FixedIPs = []network.FixedIP{}
			ids = append(ids, r.Gateway.PortID)
			byPort[r.Gateway.PortID] = r.Gateway
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ifaces, err := tx.ListPorts(ctx, network.Filter{Scope: network.Scope{Admin: true}, IDs: ids})
	if err != nil {
		return err
	}
	for _, p := range ifaces {
		if g := byPort[p.ID]; g != nil {
			g.FixedIPs = p.FixedIPs
		}
	}
	return nil
}

// GetRouter returns a router the scope sees.
func (s *Service) GetRouter(ctx context.Context, sc network.Scope, id string) (*network.Router, error) {
	var r *network.Router
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		r, err = s.visibleRouter(ctx, tx, sc, id)
		return err
	})
	return r, err
}

// ListRouters lists the routers the scope sees, narrowed by f.
func (s *Service) ListRouters(ctx context.Context, f network.Filter) ([]*network.Router, error) {
	var rs []*network.Router
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
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
func (s *Service) UpdateRouter(ctx context.Context, sc network.Scope, id string, u Update) (*network.Router, error) {
	var r *network.Router
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		// The lock's revision bump is this update's.
		if err := tx.LockRouter(ctx, id); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		var err error
		if r, err = s.visibleRouter(ctx, tx, sc, id); err != nil {
			return err
		}
		if err := network.CheckRevision(u.Revision, r.Revision-1); err != nil {
			return err
		}
		// Neutron's router-admin-state-down-before-update: a router
		// changes between centralized and distributed (or HA) only while
		// it is down, as its agents would have to move it.
		changes := u.Distributed != nil && *u.Distributed != r.Distributed || u.HA != nil && *u.HA != r.HA
		if changes && r.AdminStateUp && (u.AdminStateUp == nil || *u.AdminStateUp) {
			return routerBadRequest("Cannot change the 'distributed' or 'ha' attribute of active routers. Please set router admin_state_up to False prior to upgrade")
		}
		network.Set(&r.Name, u.Name)
		network.Set(&r.Description, u.Description)
		network.Set(&r.AdminStateUp, u.AdminStateUp)
		network.Set(&r.Distributed, u.Distributed)
		network.Set(&r.HA, u.HA)
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
func (s *Service) setGateway(ctx context.Context, tx network.Tx, sc network.Scope, r *network.Router, g *GatewayRequest) error {
	if g.NetworkID == "" {
		return s.clearGateway(ctx, tx, r)
	}
	n, err := s.net.VisibleNetwork(ctx, tx, sc, g.NetworkID)
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
	var reqs []network.FixedIPRequest
	if g.FixedIPs != nil {
		reqs = *g.FixedIPs
		if reqs == nil {
			reqs = []network.FixedIPRequest{}
		}
	}
	// Neutron gives a gateway port no project: it is the router's, and
	// no project sees it in its port list or counts it in its quota.
	p, err := ports.New(s.net).AddPort(ctx, tx, ports.Create{NetworkID: n.ID, DeviceID: r.ID, DeviceOwner: network.OwnerRouterGateway, FixedIPs: reqs})
	if err != nil {
		return err
	}
	if err := s.checkGatewayOverlap(ctx, tx, r, p); err != nil {
		return err
	}
	r.Gateway = &network.Gateway{NetworkID: n.ID, PortID: p.ID, EnableSNAT: snat, FixedIPs: p.FixedIPs}
	return nil
}

// sameAddresses reports whether the requested addresses are those the
// gateway has: each request names one of them, and all are named.
func sameAddresses(have []network.FixedIP, want []network.FixedIPRequest) bool {
	if len(have) != len(want) {
		return false
	}
	for _, w := range want {
		if !slices.ContainsFunc(have, func(f network.FixedIP) bool {
			return (w.SubnetID == "" || w.SubnetID == f.SubnetID) && (!w.IP.IsValid() || w.IP == f.IP)
		}) {
			return false
		}
	}
	return true
}

// checkGatewayOverlap refuses a gateway whose subnets overlap the
// router's internal subnets: the router could not tell them apart.
func (s *Service) checkGatewayOverlap(ctx context.Context, tx network.Tx, r *network.Router, gw *network.Port) error {
	ifaces, err := s.interfacePorts(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	for _, ip := range gw.FixedIPs {
		if err := s.checkSubnetFits(ctx, tx, r, ifaces, ip.SubnetID, ""); err != nil {
			return err
		}
	}
	return nil
}

// clearGateway removes the router's gateway, refused while floating IPs
// reach their ports through it.
func (s *Service) clearGateway(ctx context.Context, tx network.Tx, r *network.Router) error {
	if r.Gateway == nil {
		return nil
	}
	fips, err := tx.ListFloatingIPs(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{
		"router_id": {r.ID}, "floating_network_id": {r.Gateway.NetworkID}}})
	if err != nil {
		return err
	}
	if len(fips) > 0 {
		return network.Conflict("RouterExternalGatewayInUseByFloatingIp", "Gateway cannot be updated for router %s, since a gateway to external network %s is required by one or more floating IPs.", r.ID, r.Gateway.NetworkID)
	}
	if err := s.removeGatewayPort(ctx, tx, r); err != nil {
		return err
	}
	r.Gateway = nil
	return nil
}

func (s *Service) removeGatewayPort(ctx context.Context, tx network.Tx, r *network.Router) error {
	p, err := tx.GetPort(ctx, r.Gateway.PortID)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return ports.New(s.net).RemovePort(ctx, tx, p)
}

// interfacePorts are the router's internal interface ports.
func (s *Service) interfacePorts(ctx context.Context, tx network.Tx, router string) ([]*network.Port, error) {
	ifaces, err := tx.ListPorts(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"device_id": {router}}})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ifaces, func(p *network.Port) bool { return !network.IsRouterPort(p.DeviceOwner) }), nil
}

// checkSubnetFits refuses attaching subnet to a router that already has
// it (unless on port skip) or one overlapping it: Neutron's
// _check_for_dup_router_subnets.
func (s *Service) checkSubnetFits(ctx context.Context, tx network.Tx, r *network.Router, ifaces []*network.Port, subnet, skip string) error {
	sn, err := tx.GetSubnet(ctx, subnet)
	if err != nil {
		return err
	}
	for _, p := range ifaces {
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
func (s *Service) checkRoutes(ctx context.Context, tx network.Tx, r *network.Router, routes []network.Route) error {
	if len(routes) > maxExtraRoutes {
		return apierr.BadRequest("Unable to complete operation for %s. The number of routes exceeds the maximum %d.", r.ID, maxExtraRoutes).WithType("RoutesExhausted")
	}
	ifaces, err := s.interfacePorts(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	var cidrs []netip.Prefix
	var own []netip.Addr
	for _, p := range ifaces {
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
func invalidRoutes(rt network.Route, reason string) *apierr.Error {
	return apierr.BadRequest("Invalid format for routes: [%s], %s", rt, reason).WithType("InvalidRoutes")
}

// EditRoutes adds (add) or removes extra routes of a router in one
// transaction: the extraroute-atomic extension's add_extraroutes and
// remove_extraroutes. Adding a route the router has, or removing one it
// lacks, is no error.
func (s *Service) EditRoutes(ctx context.Context, sc network.Scope, id string, routes []network.Route, add bool) (*network.Router, error) {
	var r *network.Router
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
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
				next = slices.DeleteFunc(next, func(x network.Route) bool { return x == rt })
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
func (s *Service) DeleteRouter(ctx context.Context, sc network.Scope, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if err := tx.LockRouter(ctx, id); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		r, err := s.visibleRouter(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		ifaces, err := s.interfacePorts(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if len(ifaces) > 0 {
			return network.Conflict("RouterInUse", "Router %s still has ports", r.ID)
		}
		// Floating IPs with port forwardings reach their ports through the
		// router without an interface of theirs being counted above.
		fips, err := tx.ListFloatingIPs(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"router_id": {r.ID}}})
		if err != nil {
			return err
		}
		if len(fips) > 0 {
			return network.Conflict("RouterInUse", "Router %s still has ports", r.ID)
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
func (s *Service) AddInterface(ctx context.Context, sc network.Scope, id string, req InterfaceRequest) (*Interface, error) {
	switch {
	case req.SubnetID == "" && req.PortID == "":
		return nil, routerBadRequest("Either subnet_id or port_id must be specified")
	case req.SubnetID != "" && req.PortID != "":
		return nil, routerBadRequest("Cannot specify both subnet-id and port-id")
	}
	var out *Interface
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if err := tx.LockRouter(ctx, id); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		r, err := s.visibleRouter(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		ifaces, err := s.interfacePorts(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if req.PortID != "" {
			out, err = s.addInterfacePort(ctx, tx, sc, r, ifaces, req.PortID)
		} else {
			out, err = s.addInterfaceSubnet(ctx, tx, sc, r, ifaces, req.SubnetID)
		}
		return err
	})
	return out, err
}

func (s *Service) addInterfaceSubnet(ctx context.Context, tx network.Tx, sc network.Scope, r *network.Router, ifaces []*network.Port, subnet string) (*Interface, error) {
	sn, err := s.net.VisibleSubnet(ctx, tx, sc, subnet)
	if err != nil {
		return nil, err
	}
	if sn.GatewayIP == nil {
		return nil, routerBadRequest("Subnet for router interface must have a gateway IP")
	}
	if err := s.checkSubnetFits(ctx, tx, r, ifaces, sn.ID, ""); err != nil {
		return nil, err
	}
	if err := s.checkGatewayFits(ctx, tx, r, sn); err != nil {
		return nil, err
	}
	// Neutron gives the interface port the subnet's project.
	p, err := ports.New(s.net).AddPort(ctx, tx, ports.Create{ProjectID: sn.ProjectID, NetworkID: sn.NetworkID, DeviceID: r.ID,
		DeviceOwner: network.OwnerRouterInterface, FixedIPs: []network.FixedIPRequest{{SubnetID: sn.ID, IP: *sn.GatewayIP}}})
	if err != nil {
		return nil, err
	}
	return interfaceOf(r, p, sn.ID), nil
}

// checkGatewayFits refuses an internal subnet overlapping the router's
// gateway subnets.
func (s *Service) checkGatewayFits(ctx context.Context, tx network.Tx, r *network.Router, sn *network.Subnet) error {
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
	return s.checkSubnetFits(ctx, tx, r, []*network.Port{gw}, sn.ID, "")
}

func (s *Service) addInterfacePort(ctx context.Context, tx network.Tx, sc network.Scope, r *network.Router, ifaces []*network.Port, id string) (*Interface, error) {
	p, err := s.net.VisiblePort(ctx, tx, sc, id)
	if err != nil {
		return nil, err
	}
	if p.DeviceID != "" {
		return nil, network.Conflict("PortInUse", "Unable to complete operation on port %s for network %s. Port already has an attached device %s.", p.ID, p.NetworkID, p.DeviceID)
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
		if err := s.checkSubnetFits(ctx, tx, r, ifaces, ip.SubnetID, p.ID); err != nil {
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
	owner := network.OwnerRouterInterface
	if err := ports.New(s.net).ChangePort(ctx, tx, p, ports.Update{DeviceID: &r.ID, DeviceOwner: &owner}); err != nil {
		return nil, err
	}
	return interfaceOf(r, p, ""), nil
}

// interfaceOf is the answer about interface port p of r; subnet, when
// set, is the subnet asked for.
func interfaceOf(r *network.Router, p *network.Port, subnet string) *Interface {
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
func (s *Service) RemoveInterface(ctx context.Context, sc network.Scope, id string, req InterfaceRequest) (*Interface, error) {
	if req.SubnetID == "" && req.PortID == "" {
		return nil, routerBadRequest("Either subnet_id or port_id must be specified")
	}
	var out *Interface
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if err := tx.LockRouter(ctx, id); err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		r, err := s.visibleRouter(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		ifaces, err := s.interfacePorts(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		var port *network.Port
		if req.PortID != "" {
			i := slices.IndexFunc(ifaces, func(p *network.Port) bool { return p.ID == req.PortID })
			if i < 0 {
				return apierr.NotFound("Router %s does not have an interface with id %s", r.ID, req.PortID).WithType("RouterInterfaceNotFound")
			}
			port = ifaces[i]
			if req.SubnetID != "" && !slices.ContainsFunc(port.FixedIPs, func(f network.FixedIP) bool { return f.SubnetID == req.SubnetID }) {
				return apierr.BadRequest("Subnet on port %s does not match the requested subnet %s.", port.ID, req.SubnetID).WithType("SubnetMismatchForPort")
			}
		} else {
			if _, err := s.net.VisibleSubnet(ctx, tx, sc, req.SubnetID); err != nil {
				return err
			}
			i := slices.IndexFunc(ifaces, func(p *network.Port) bool {
				return slices.ContainsFunc(p.FixedIPs, func(f network.FixedIP) bool { return f.SubnetID == req.SubnetID })
			})
			if i < 0 {
				return apierr.NotFound("Router %s has no interface on subnet %s", r.ID, req.SubnetID).WithType("RouterInterfaceNotFoundForSubnet")
			}
			port = ifaces[i]
		}
		for _, ip := range port.FixedIPs {
			if err := s.checkInterfaceUnused(ctx, tx, r, ip.SubnetID); err != nil {
				return err
			}
		}
		out = interfaceOf(r, port, req.SubnetID)
		return ports.New(s.net).RemovePort(ctx, tx, port)
	})
	return out, err
}

// checkInterfaceUnused refuses removing the router's interface on subnet
// while a floating IP (or a port forwarding) reaches an address of the
// subnet through the router, or an extra route's next hop is on it.
func (s *Service) checkInterfaceUnused(ctx context.Context, tx network.Tx, r *network.Router, subnet string) error {
	sn, err := tx.GetSubnet(ctx, subnet)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	fips, err := tx.ListFloatingIPs(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"router_id": {r.ID}}})
	if err != nil {
		return err
	}
	inUse := network.Conflict("RouterInterfaceInUseByFloatingIP", "Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more floating IPs.", subnet, r.ID)
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
			return network.Conflict("RouterInterfaceInUseByRoute", "Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more routes.", subnet, r.ID)
		}
	}
	return nil
}

// RouterFor finds the router through which external network reaches
// subnet: one with a gateway on the network and an interface on the
// subnet — Neutron's get_router_for_floatingip.
func (s *Service) RouterFor(ctx context.Context, tx network.Tx, port *network.Port, subnet *network.Subnet, external string) (string, error) {
	if subnet.GatewayIP == nil {
		return "", apierr.BadRequest("Bad floatingip request: Cannot add floating IP to port on subnet %s which has no gateway_ip.", subnet.ID).WithType("BadRequest")
	}
	ifaces, err := tx.ListPorts(ctx, network.Filter{Scope: network.Scope{Admin: true}, Eq: map[string][]string{"network_id": {subnet.NetworkID}}})
	if err != nil {
		return "", err
	}
	var candidates []string
	for _, p := range ifaces {
		if network.IsRouterPort(p.DeviceOwner) && slices.ContainsFunc(p.FixedIPs, func(f network.FixedIP) bool { return f.SubnetID == subnet.ID }) {
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
func (s *Service) CheckPortDelete(ctx context.Context, tx network.Tx, p *network.Port) error {
	var exists bool
	switch {
	case network.IsRouterPort(p.DeviceOwner) || p.DeviceOwner == network.OwnerRouterGateway:
		_, err := tx.GetRouter(ctx, p.DeviceID)
		if err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		exists = err == nil
	case p.DeviceOwner == network.OwnerFloatingIP:
		_, err := tx.GetFloatingIP(ctx, p.DeviceID)
		if err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return err
		}
		exists = err == nil
	}
	if exists {
		return network.Conflict("ServicePortInUse", "Port %s cannot be deleted directly via the port API: has device owner %s.", p.ID, p.DeviceOwner)
	}
	return nil
}
