package floatingips_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/network/nettest"

	"github.com/gostack/gostack/internal/network/floatingips"
	"github.com/gostack/gostack/internal/network/routers"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/networks"
	"github.com/gostack/gostack/internal/network/ports"
	"github.com/gostack/gostack/internal/network/subnets"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// l3Cloud is a service with an external network (ext, 172.24.4.0/24,
// the admin's) and a project p1 with a network (net1, 10.0.0.0/24) and a
// router (router) without gateway or interfaces.
type l3Cloud struct {
	svc            *network.Service
	ext, extSubnet string
	net1, subnet1  string
	router         string
	admin, p1, p2  network.Scope
	ctx            context.Context
}

func newL3Cloud(t *testing.T) *l3Cloud {
	t.Helper()
	ctx := context.Background()
	svc, _ := nettest.Service(t, network.Config{})
	c := &l3Cloud{svc: svc, ctx: ctx, admin: network.Scope{ProjectID: "admin", Admin: true},
		p1: network.Scope{ProjectID: "p1"}, p2: network.Scope{ProjectID: "p2"}}
	c.ext, c.extSubnet = c.network(t, c.admin, true, "172.24.4.0/24")
	c.net1, c.subnet1 = c.network(t, c.p1, false, "10.0.0.0/24")
	r, err := routers.New(svc).CreateRouter(ctx, c.p1, routers.Create{ProjectID: "p1", Name: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	c.router = r.ID
	return c
}

// network creates a network with one subnet of cidr for sc's project.
func (c *l3Cloud) network(t *testing.T, sc network.Scope, external bool, cidr string) (string, string) {
	t.Helper()
	n, err := networks.New(c.svc).CreateNetwork(c.ctx, networks.Create{ProjectID: sc.ProjectID, External: &external})
	if err != nil {
		t.Fatal(err)
	}
	return n.ID, c.subnet(t, sc, n.ID, cidr)
}

func (c *l3Cloud) subnet(t *testing.T, sc network.Scope, net, cidr string) string {
	t.Helper()
	p := netip.MustParsePrefix(cidr)
	subs, err := subnets.New(c.svc).CreateSubnets(c.ctx, sc, []subnets.Create{{ProjectID: sc.ProjectID, NetworkID: net,
		IPVersion: 4 + 2*btoi(p.Addr().Is6()), CIDR: &p}})
	if err != nil {
		t.Fatal(err)
	}
	return subs[0].ID
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// port creates a port of sc's project on net.
func (c *l3Cloud) port(t *testing.T, sc network.Scope, net string) *network.Port {
	t.Helper()
	ps, err := ports.New(c.svc).CreatePorts(c.ctx, []ports.Create{{ProjectID: sc.ProjectID, NetworkID: net}})
	if err != nil {
		t.Fatal(err)
	}
	return ps[0]
}

// l3Err checks err is an *apierr.Error of Neutron type typ, status code,
// whose message holds msg.
func l3Err(t *testing.T, err error, code int, typ, msg string) {
	t.Helper()
	var ae *apierr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %d %s", err, code, typ)
	}
	if ae.Code != code || ae.Type != typ || !strings.Contains(ae.Message, msg) {
		t.Fatalf("error = %d %s %q, want %d %s containing %q", ae.Code, ae.Type, ae.Message, code, typ, msg)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func TestRouterGateway(t *testing.T) {
	c := newL3Cloud(t)
	ctx := c.ctx
	// A private network is no gateway; a missing one is 404.
	_, err := routers.New(c.svc).UpdateRouter(ctx, c.p1, c.router, routers.Update{Gateway: &routers.GatewayRequest{NetworkID: c.net1}})
	l3Err(t, err, 400, "BadRequest", "Bad router request: Network "+c.net1+" is not an external network.")
	_, err = routers.New(c.svc).UpdateRouter(ctx, c.p1, c.router, routers.Update{Gateway: &routers.GatewayRequest{NetworkID: c.router}})
	l3Err(t, err, 404, "NetworkNotFound", "")

	r := must[*network.Router](t)(routers.New(c.svc).UpdateRouter(ctx, c.p1, c.router, routers.Update{Gateway: &routers.GatewayRequest{NetworkID: c.ext}}))
	if r.Gateway == nil || r.Gateway.NetworkID != c.ext || !r.Gateway.EnableSNAT || len(r.Gateway.FixedIPs) != 1 || r.Gateway.FixedIPs[0].SubnetID != c.extSubnet {
		t.Fatalf("gateway = %+v", r.Gateway)
	}
	// The gateway port is nobody's: p1 does not see it, the admin does.
	mine := must[[]*network.Port](t)(ports.New(c.svc).ListPorts(ctx, network.Filter{Scope: c.p1, Eq: map[string][]string{"device_id": {c.router}}}))
	if len(mine) != 0 {
		t.Fatalf("p1 sees %d gateway ports", len(mine))
	}
	all := must[[]*network.Port](t)(ports.New(c.svc).ListPorts(ctx, network.Filter{Scope: c.admin, Eq: map[string][]string{"device_id": {c.router}}}))
	if len(all) != 1 || all[0].DeviceOwner != network.OwnerRouterGateway || all[0].ProjectID != "" {
		t.Fatalf("gateway ports = %+v", all)
	}
	// The port API may not delete it.
	err = c.svc.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error { return c.svc.CheckPortDelete(ctx, tx, all[0]) })
	l3Err(t, err, 409, "ServicePortInUse", "cannot be deleted directly via the port API")

	// SNAT changes in place; clearing removes the port.
	off := false
	r = must[*network.Router](t)(routers.New(c.svc).UpdateRouter(ctx, c.p1, c.router, routers.Update{Gateway: &routers.GatewayRequest{NetworkID: c.ext, EnableSNAT: &off}}))
	if r.Gateway.EnableSNAT || r.Gateway.PortID != all[0].ID {
		t.Fatalf("gateway = %+v, want SNAT off on port %s", r.Gateway, all[0].ID)
	}
	r = must[*network.Router](t)(routers.New(c.svc).UpdateRouter(ctx, c.p1, c.router, routers.Update{Gateway: &routers.GatewayRequest{}}))
	if r.Gateway != nil {
		t.Fatalf("gateway = %+v, want none", r.Gateway)
	}
	all = must[[]*network.Port](t)(ports.New(c.svc).ListPorts(ctx, network.Filter{Scope: c.admin, Eq: map[string][]string{"device_id": {c.router}}}))
	if len(all) != 0 {
		t.Fatalf("gateway ports left: %+v", all)
	}

	// A taken address is refused, and nothing of the router is created.
	taken := c.port(t, c.admin, c.ext)
	want := []network.FixedIPRequest{{SubnetID: c.extSubnet, IP: taken.FixedIPs[0].IP}}
	_, err = routers.New(c.svc).CreateRouter(ctx, c.admin, routers.Create{ProjectID: "admin", Name: "taken",
		Gateway: &routers.GatewayRequest{NetworkID: c.ext, FixedIPs: &want}})
	if code := apiCode(err); code != 409 {
		t.Fatalf("create with a taken gateway address = %v, want 409", err)
	}
	rs := must[[]*network.Router](t)(routers.New(c.svc).ListRouters(ctx, network.Filter{Scope: c.admin, Eq: map[string][]string{"name": {"taken"}}}))
	if len(rs) != 0 {
		t.Fatalf("half-created routers: %+v", rs)
	}
	// A free one is given.
	free := netip.MustParseAddr("172.24.4.200")
	want = []network.FixedIPRequest{{SubnetID: c.extSubnet, IP: free}}
	r = must[*network.Router](t)(routers.New(c.svc).CreateRouter(ctx, c.admin, routers.Create{ProjectID: "admin",
		Gateway: &routers.GatewayRequest{NetworkID: c.ext, FixedIPs: &want}}))
	if r.Gateway.FixedIPs[0].IP != free {
		t.Fatalf("gateway addresses = %+v, want %s", r.Gateway.FixedIPs, free)
	}
}

func apiCode(err error) int {
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

func TestRouterInterfaces(t *testing.T) {
	c := newL3Cloud(t)
	ctx := c.ctx
	add := func(req routers.InterfaceRequest) (*routers.Interface, error) {
		return routers.New(c.svc).AddInterface(ctx, c.p1, c.router, req)
	}
	_, err := add(routers.InterfaceRequest{})
	l3Err(t, err, 400, "BadRequest", "Either subnet_id or port_id must be specified")
	_, err = add(routers.InterfaceRequest{SubnetID: c.subnet1, PortID: "x"})
	l3Err(t, err, 400, "BadRequest", "Cannot specify both subnet-id and port-id")
	_, err = routers.New(c.svc).AddInterface(ctx, c.p2, c.router, routers.InterfaceRequest{SubnetID: c.subnet1})
	l3Err(t, err, 404, "RouterNotFound", "")

	i := must[*routers.Interface](t)(add(routers.InterfaceRequest{SubnetID: c.subnet1}))
	if i.SubnetID != c.subnet1 || i.NetworkID != c.net1 || i.RouterID != c.router || i.ProjectID != "p1" || len(i.SubnetIDs) != 1 {
		t.Fatalf("interface = %+v", i)
	}
	p := must[*network.Port](t)(ports.New(c.svc).GetPort(ctx, c.p1, i.PortID))
	if p.DeviceID != c.router || p.DeviceOwner != network.OwnerRouterInterface || p.FixedIPs[0].IP != netip.MustParseAddr("10.0.0.1") {
		t.Fatalf("interface port = %+v", p)
	}
	_, err = add(routers.InterfaceRequest{SubnetID: c.subnet1})
	l3Err(t, err, 400, "BadRequest", "Router already has a port on subnet "+c.subnet1)
	_, overlapping := c.network(t, c.p1, false, "10.0.0.0/24")
	_, err = add(routers.InterfaceRequest{SubnetID: overlapping})
	l3Err(t, err, 400, "BadRequest", "Cidr 10.0.0.0/24 of subnet "+overlapping+" overlaps with cidr 10.0.0.0/24 of subnet "+c.subnet1)

	// By port: the port becomes the interface; a port in use is refused.
	net2, _ := c.network(t, c.p1, false, "10.0.2.0/24")
	p2 := c.port(t, c.p1, net2)
	i2 := must[*routers.Interface](t)(add(routers.InterfaceRequest{PortID: p2.ID}))
	if i2.PortID != p2.ID || i2.NetworkID != net2 {
		t.Fatalf("interface = %+v", i2)
	}
	_, err = add(routers.InterfaceRequest{PortID: p2.ID})
	l3Err(t, err, 409, "PortInUse", "Port already has an attached device "+c.router)

	// A router with interfaces is in use.
	err = routers.New(c.svc).DeleteRouter(ctx, c.p1, c.router)
	l3Err(t, err, 409, "RouterInUse", "Router "+c.router+" still has ports")

	// Extra routes need a connected next hop.
	bad := []network.Route{{Destination: netip.MustParsePrefix("192.168.0.0/24"), NextHop: netip.MustParseAddr("10.9.9.9")}}
	_, err = routers.New(c.svc).UpdateRouter(ctx, c.p1, c.router, routers.Update{Routes: &bad})
	l3Err(t, err, 400, "InvalidRoutes", "the nexthop is not connected with router")
	own := []network.Route{{Destination: netip.MustParsePrefix("192.168.0.0/24"), NextHop: netip.MustParseAddr("10.0.0.1")}}
	_, err = routers.New(c.svc).UpdateRouter(ctx, c.p1, c.router, routers.Update{Routes: &own})
	l3Err(t, err, 400, "InvalidRoutes", "the nexthop is used by router")
	good := []network.Route{{Destination: netip.MustParsePrefix("192.168.0.0/24"), NextHop: netip.MustParseAddr("10.0.0.5")}}
	r := must[*network.Router](t)(routers.New(c.svc).UpdateRouter(ctx, c.p1, c.router, routers.Update{Routes: &good}))
	if len(r.Routes) != 1 || r.Routes[0] != good[0] {
		t.Fatalf("routes = %+v", r.Routes)
	}
	_, err = routers.New(c.svc).RemoveInterface(ctx, c.p1, c.router, routers.InterfaceRequest{SubnetID: c.subnet1})
	l3Err(t, err, 409, "RouterInterfaceInUseByRoute", "")
	more := []network.Route{{Destination: netip.MustParsePrefix("192.168.1.0/24"), NextHop: netip.MustParseAddr("10.0.2.9")}}
	r = must[*network.Router](t)(routers.New(c.svc).EditRoutes(ctx, c.p1, c.router, more, true))
	if len(r.Routes) != 2 {
		t.Fatalf("routes after add = %+v", r.Routes)
	}
	r = must[*network.Router](t)(routers.New(c.svc).EditRoutes(ctx, c.p1, c.router, append(good, more...), false))
	if len(r.Routes) != 0 {
		t.Fatalf("routes after remove = %+v", r.Routes)
	}

	// Removal: unknown ones are 404, a mismatched subnet 400.
	_, err = routers.New(c.svc).RemoveInterface(ctx, c.p1, c.router, routers.InterfaceRequest{SubnetID: overlapping})
	l3Err(t, err, 404, "RouterInterfaceNotFoundForSubnet", "has no interface on subnet "+overlapping)
	_, err = routers.New(c.svc).RemoveInterface(ctx, c.p1, c.router, routers.InterfaceRequest{PortID: c.router})
	l3Err(t, err, 404, "RouterInterfaceNotFound", "does not have an interface with id "+c.router)
	_, err = routers.New(c.svc).RemoveInterface(ctx, c.p1, c.router, routers.InterfaceRequest{PortID: p2.ID, SubnetID: c.subnet1})
	l3Err(t, err, 400, "SubnetMismatchForPort", "")
	for _, req := range []routers.InterfaceRequest{{SubnetID: c.subnet1}, {PortID: p2.ID}} {
		out := must[*routers.Interface](t)(routers.New(c.svc).RemoveInterface(ctx, c.p1, c.router, req))
		if _, err := ports.New(c.svc).GetPort(ctx, c.admin, out.PortID); apiCode(err) != 404 {
			t.Fatalf("interface port %s left after removal: %v", out.PortID, err)
		}
	}
	if err := routers.New(c.svc).DeleteRouter(ctx, c.p1, c.router); err != nil {
		t.Fatal(err)
	}
	_, err = routers.New(c.svc).GetRouter(ctx, c.p1, c.router)
	l3Err(t, err, 404, "RouterNotFound", "Router "+c.router+" could not be found.")
}

func TestSubnetWithoutGateway(t *testing.T) {
	c := newL3Cloud(t)
	n := must[*network.Network](t)(networks.New(c.svc).CreateNetwork(c.ctx, networks.Create{ProjectID: "p1"}))
	cidr := netip.MustParsePrefix("10.5.0.0/24")
	subs := must[[]*network.Subnet](t)(subnets.New(c.svc).CreateSubnets(c.ctx, c.p1, []subnets.Create{{ProjectID: "p1", NetworkID: n.ID,
		IPVersion: 4, CIDR: &cidr, GatewaySet: true}}))
	_, err := routers.New(c.svc).AddInterface(c.ctx, c.p1, c.router, routers.InterfaceRequest{SubnetID: subs[0].ID})
	l3Err(t, err, 400, "BadRequest", "Subnet for router interface must have a gateway IP")
}

func TestFloatingIPs(t *testing.T) {
	c := newL3Cloud(t)
	ctx := c.ctx
	create := func(sc network.Scope, fc floatingips.Create) (*network.FloatingIP, error) {
		fc.ProjectID = sc.ProjectID
		return floatingips.New(c.svc).CreateFloatingIP(ctx, sc, fc)
	}
	_, err := create(c.p1, floatingips.Create{NetworkID: c.net1})
	l3Err(t, err, 400, "BadRequest", "Bad floatingip request: Network "+c.net1+" is not a valid external network.")
	vm := c.port(t, c.p1, c.net1)
	// Unreachable: the router has neither gateway nor interface yet.
	_, err = create(c.p1, floatingips.Create{NetworkID: c.ext, PortID: &vm.ID})
	l3Err(t, err, 404, "ExternalGatewayForFloatingIPNotFound", "External network "+c.ext+" is not reachable from subnet "+c.subnet1)
	// Nothing was left behind: no floating IP, no port on ext.
	if fs := must[[]*network.FloatingIP](t)(floatingips.New(c.svc).ListFloatingIPs(ctx, network.Filter{Scope: c.admin})); len(fs) != 0 {
		t.Fatalf("half-created floating IPs: %+v", fs)
	}
	if ps := must[[]*network.Port](t)(ports.New(c.svc).ListPorts(ctx, network.Filter{Scope: c.admin, Eq: map[string][]string{"network_id": {c.ext}}})); len(ps) != 0 {
		t.Fatalf("half-created ports: %+v", ps)
	}

	f := must[*network.FloatingIP](t)(create(c.p1, floatingips.Create{NetworkID: c.ext}))
	if f.Status != "DOWN" || f.PortID != nil || f.RouterID != nil || !netip.MustParsePrefix("172.24.4.0/24").Contains(f.Address) {
		t.Fatalf("floating IP = %+v", f)
	}
	_, err = floatingips.New(c.svc).UpdateFloatingIP(ctx, c.p1, f.ID, floatingips.Update{SetPort: true, PortID: &vm.ID})
	l3Err(t, err, 404, "ExternalGatewayForFloatingIPNotFound", "")

	must[*network.Router](t)(routers.New(c.svc).UpdateRouter(ctx, c.p1, c.router, routers.Update{Gateway: &routers.GatewayRequest{NetworkID: c.ext}}))
	must[*routers.Interface](t)(routers.New(c.svc).AddInterface(ctx, c.p1, c.router, routers.InterfaceRequest{SubnetID: c.subnet1}))
	f = must[*network.FloatingIP](t)(floatingips.New(c.svc).UpdateFloatingIP(ctx, c.p1, f.ID, floatingips.Update{SetPort: true, PortID: &vm.ID}))
	if f.Status != "ACTIVE" || *f.PortID != vm.ID || *f.RouterID != c.router || *f.FixedIP != vm.FixedIPs[0].IP || f.PortDetails == nil || f.PortDetails.ID != vm.ID {
		t.Fatalf("associated floating IP = %+v", f)
	}
	// One floating IP per fixed address and external network.
	_, err = create(c.p1, floatingips.Create{NetworkID: c.ext, PortID: &vm.ID})
	l3Err(t, err, 409, "FloatingIPPortAlreadyAssociated", "as that fixed IP already has a floating IP on external network "+c.ext)
	// Another project's port is refused.
	other := must[*network.FloatingIP](t)(create(c.p2, floatingips.Create{NetworkID: c.ext}))
	_, err = floatingips.New(c.svc).UpdateFloatingIP(ctx, c.p2, other.ID, floatingips.Update{SetPort: true, PortID: &vm.ID})
	l3Err(t, err, 404, "PortNotFound", "")
	bogus := netip.MustParseAddr("10.0.0.77")
	_, err = floatingips.New(c.svc).UpdateFloatingIP(ctx, c.p1, f.ID, floatingips.Update{SetPort: true, PortID: &vm.ID, FixedIP: &bogus})
	l3Err(t, err, 400, "BadRequest", "Port "+vm.ID+" does not have fixed ip 10.0.0.77")
	_, err = floatingips.New(c.svc).UpdateFloatingIP(ctx, c.p1, f.ID, floatingips.Update{FixedIP: &bogus})
	l3Err(t, err, 400, "BadRequest", "fixed_ip_address cannot be specified without a port_id")

	// The router's interface and gateway are needed by it.
	_, err = routers.New(c.svc).RemoveInterface(ctx, c.p1, c.router, routers.InterfaceRequest{SubnetID: c.subnet1})
	l3Err(t, err, 409, "RouterInterfaceInUseByFloatingIP", "Router interface for subnet "+c.subnet1+" on router "+c.router+" cannot be deleted")
	_, err = routers.New(c.svc).UpdateRouter(ctx, c.p1, c.router, routers.Update{Gateway: &routers.GatewayRequest{}})
	l3Err(t, err, 409, "RouterExternalGatewayInUseByFloatingIp", "")
	// Its own port may not be deleted through the port API.
	err = c.svc.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		p, err := tx.GetPort(ctx, f.FloatingPortID)
		if err != nil {
			return err
		}
		return c.svc.CheckPortDelete(ctx, tx, p)
	})
	l3Err(t, err, 409, "ServicePortInUse", "")

	// Deleting the port disassociates.
	err = c.svc.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error { return c.svc.PortDeleted(ctx, tx, vm.ID) })
	if err != nil {
		t.Fatal(err)
	}
	f = must[*network.FloatingIP](t)(floatingips.New(c.svc).GetFloatingIP(ctx, c.p1, f.ID))
	if f.PortID != nil || f.FixedIP != nil || f.RouterID != nil || f.Status != "DOWN" {
		t.Fatalf("floating IP after its port's deletion = %+v", f)
	}
	// Others do not see it; its deletion frees its port.
	_, err = floatingips.New(c.svc).GetFloatingIP(ctx, c.p2, f.ID)
	l3Err(t, err, 404, "FloatingIPNotFound", "Floating IP "+f.ID+" could not be found.")
	if err := floatingips.New(c.svc).DeleteFloatingIP(ctx, c.p1, f.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ports.New(c.svc).GetPort(ctx, c.admin, f.FloatingPortID); apiCode(err) != 404 {
		t.Fatalf("floating IP port left: %v", err)
	}

	// An external network's deletion takes its floating IPs along.
	err = c.svc.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error { return c.svc.NetworkDeleting(ctx, tx, c.ext) })
	if err != nil {
		t.Fatal(err)
	}
	if fs := must[[]*network.FloatingIP](t)(floatingips.New(c.svc).ListFloatingIPs(ctx, network.Filter{Scope: c.admin})); len(fs) != 0 {
		t.Fatalf("floating IPs left: %+v", fs)
	}
}

func TestFloatingIPAddress(t *testing.T) {
	c := newL3Cloud(t)
	want := netip.MustParseAddr("172.24.4.77")
	f := must[*network.FloatingIP](t)(floatingips.New(c.svc).CreateFloatingIP(c.ctx, c.admin, floatingips.Create{ProjectID: "admin", NetworkID: c.ext, Address: &want}))
	if f.Address != want || f.SubnetID != c.extSubnet {
		t.Fatalf("floating IP = %+v, want %s", f, want)
	}
	_, err := floatingips.New(c.svc).CreateFloatingIP(c.ctx, c.admin, floatingips.Create{ProjectID: "admin", NetworkID: c.ext, Address: &want})
	if apiCode(err) != 409 {
		t.Fatalf("second floating IP on %s = %v, want 409", want, err)
	}
	outside := netip.MustParseAddr("192.0.2.1")
	_, err = floatingips.New(c.svc).CreateFloatingIP(c.ctx, c.admin, floatingips.Create{ProjectID: "admin", NetworkID: c.ext, Address: &outside})
	l3Err(t, err, 400, "InvalidIpForNetwork", "")
}

func TestPortForwardings(t *testing.T) {
	c := newL3Cloud(t)
	ctx := c.ctx
	must[*network.Router](t)(routers.New(c.svc).UpdateRouter(ctx, c.p1, c.router, routers.Update{Gateway: &routers.GatewayRequest{NetworkID: c.ext}}))
	must[*routers.Interface](t)(routers.New(c.svc).AddInterface(ctx, c.p1, c.router, routers.InterfaceRequest{SubnetID: c.subnet1}))
	vm := c.port(t, c.p1, c.net1)
	f := must[*network.FloatingIP](t)(floatingips.New(c.svc).CreateFloatingIP(ctx, c.p1, floatingips.Create{ProjectID: "p1", NetworkID: c.ext}))
	ip := vm.FixedIPs[0].IP
	pfc := func(proto string, ext, in int) floatingips.PortForwardingChange {
		return floatingips.PortForwardingChange{Protocol: &proto, ExternalPort: &ext, InternalPort: &in, InternalPortID: &vm.ID, InternalIP: &ip}
	}
	pf := must[*network.PortForwarding](t)(floatingips.New(c.svc).CreatePortForwarding(ctx, c.p1, f.ID, pfc("tcp", 2222, 22)))
	f = must[*network.FloatingIP](t)(floatingips.New(c.svc).GetFloatingIP(ctx, c.p1, f.ID))
	if f.RouterID == nil || *f.RouterID != c.router || len(f.PortForwardings) != 1 || f.Status != "ACTIVE" {
		t.Fatalf("floating IP with a port forwarding = %+v", f)
	}
	for _, tc := range []struct {
		name          string
		change        floatingips.PortForwardingChange
		code          int
		typ, contains string
	}{
		{"same external port", pfc("tcp", 2222, 23), 400, "BadRequest", "A duplicate port forwarding entry"},
		{"same internal socket", pfc("tcp", 2223, 22), 400, "BadRequest", "'internal_port': 22"},
		{"bad protocol", pfc("icmp", 1, 1), 400, "HTTPBadRequest", "'icmp' is not in ['tcp', 'udp', 'udplite', 'sctp']"},
		{"bad port", pfc("udp", 0, 1), 400, "HTTPBadRequest", "Invalid input for external_port"},
	} {
		_, err := floatingips.New(c.svc).CreatePortForwarding(ctx, c.p1, f.ID, tc.change)
		if err == nil {
			t.Fatalf("%s: created", tc.name)
		}
		l3Err(t, err, tc.code, tc.typ, tc.contains)
	}
	// The same port on another protocol is another socket.
	must[*network.PortForwarding](t)(floatingips.New(c.svc).CreatePortForwarding(ctx, c.p1, f.ID, pfc("udp", 2222, 22)))
	// A floating IP with port forwardings takes no port.
	_, err := floatingips.New(c.svc).UpdateFloatingIP(ctx, c.p1, f.ID, floatingips.Update{SetPort: true, PortID: &vm.ID})
	l3Err(t, err, 409, "FipInUseByPortForwarding", "")
	// The interface is needed by them.
	_, err = routers.New(c.svc).RemoveInterface(ctx, c.p1, c.router, routers.InterfaceRequest{SubnetID: c.subnet1})
	l3Err(t, err, 409, "RouterInterfaceInUseByFloatingIP", "")

	desc := "ssh"
	got := must[*network.PortForwarding](t)(floatingips.New(c.svc).UpdatePortForwarding(ctx, c.p1, f.ID, pf.ID, floatingips.PortForwardingChange{Description: &desc}))
	if got.Description != "ssh" || got.ExternalPort != 2222 {
		t.Fatalf("updated = %+v", got)
	}
	_, err = floatingips.New(c.svc).GetPortForwarding(ctx, c.p2, f.ID, pf.ID)
	l3Err(t, err, 404, "FloatingIPNotFound", "")
	_, err = floatingips.New(c.svc).GetPortForwarding(ctx, c.p1, f.ID, "nope")
	l3Err(t, err, 404, "PortForwardingNotFound", "")

	// The port's deletion takes its port forwardings; the floating IP
	// leaves the router with the last one.
	err = c.svc.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error { return c.svc.PortDeleted(ctx, tx, vm.ID) })
	if err != nil {
		t.Fatal(err)
	}
	f = must[*network.FloatingIP](t)(floatingips.New(c.svc).GetFloatingIP(ctx, c.p1, f.ID))
	if len(f.PortForwardings) != 0 || f.RouterID != nil || f.Status != "DOWN" {
		t.Fatalf("floating IP after the port's deletion = %+v", f)
	}
}

func TestRouterUpdates(t *testing.T) {
	c := newL3Cloud(t)
	ctx := c.ctx
	yes := true
	_, err := routers.New(c.svc).UpdateRouter(ctx, c.admin, c.router, routers.Update{Distributed: &yes})
	l3Err(t, err, 400, "BadRequest", "Please set router admin_state_up to False prior to upgrade")
	no := false
	r := must[*network.Router](t)(routers.New(c.svc).UpdateRouter(ctx, c.admin, c.router, routers.Update{AdminStateUp: &no}))
	rev := r.Revision
	r = must[*network.Router](t)(routers.New(c.svc).UpdateRouter(ctx, c.admin, c.router, routers.Update{Distributed: &yes, Revision: &rev}))
	if !r.Distributed || r.Revision != rev+1 {
		t.Fatalf("router = %+v, want distributed at revision %d", r, rev+1)
	}
	_, err = routers.New(c.svc).UpdateRouter(ctx, c.admin, c.router, routers.Update{Name: &r.Name, Revision: &rev})
	l3Err(t, err, 412, "RevisionNumberConstraintFailed", "")
	_, err = routers.New(c.svc).CreateRouter(ctx, c.p1, routers.Create{ProjectID: "p1", AZHints: []string{"mars"}})
	l3Err(t, err, 404, "AvailabilityZoneNotFound", "")
	flavor := "gold"
	_, err = routers.New(c.svc).CreateRouter(ctx, c.p1, routers.Create{ProjectID: "p1", FlavorID: &flavor})
	l3Err(t, err, 404, "FlavorNotFound", "")
}

func TestRouterQuota(t *testing.T) {
	c := newL3Cloud(t)
	for i := 1; i < 10; i++ { // p1 has one router already
		must[*network.Router](t)(routers.New(c.svc).CreateRouter(c.ctx, c.p1, routers.Create{ProjectID: "p1"}))
	}
	_, err := routers.New(c.svc).CreateRouter(c.ctx, c.p1, routers.Create{ProjectID: "p1"})
	l3Err(t, err, 409, "OverQuota", "['router']")
}

// Concurrent additions of overlapping subnets to one router: the router
// lock lets exactly one in.
func TestConcurrentInterfaces(t *testing.T) {
	c := newL3Cloud(t)
	const n = 4
	subnets := make([]string, n)
	for i := range subnets {
		_, subnets[i] = c.network(t, c.p1, false, "10.9.0.0/24")
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = routers.New(c.svc).AddInterface(c.ctx, c.p1, c.router, routers.InterfaceRequest{SubnetID: subnets[i]})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case apiCode(err) != 400:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d overlapping interfaces added, want 1: %v", ok, n, errs)
	}
}
