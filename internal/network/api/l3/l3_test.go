package l3_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/network/nettest"
	"github.com/gostack/gostack/internal/platform/httpapi/apitest"
)

// world is an admin's external network with a subnet, and alice's
// network with a subnet and a router.
type world struct {
	c                         *nettest.Cloud
	ext, extSubnet            string
	net, subnet, router, port string
}

func setup(t *testing.T) *world {
	t.Helper()
	c := nettest.Start(t, "alice", "bob")
	w := &world{c: c}
	ext := c.MustCreate(t, "", "networks", "network", map[string]any{"name": "public", "router:external": true})
	w.ext = ext["id"].(string)
	w.extSubnet = c.MustCreate(t, "", "subnets", "subnet", map[string]any{"network_id": w.ext, "ip_version": 4,
		"cidr": "172.24.4.0/24", "enable_dhcp": false})["id"].(string)
	w.net = c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "private"})["id"].(string)
	w.subnet = c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": w.net, "ip_version": 4,
		"cidr": "10.0.0.0/24"})["id"].(string)
	w.router = c.MustCreate(t, "alice", "routers", "router", map[string]any{"name": "r1", "external_gateway_info": map[string]any{}})["id"].(string)
	w.port = c.MustCreate(t, "alice", "ports", "port", map[string]any{"network_id": w.net})["id"].(string)
	return w
}

// call is one request and what must come back: the status, the Neutron
// error type when it fails, and strings the body holds.
type call struct {
	name, token, method, path string
	body                      any
	status                    int
	fault                     string
	has                       []string
}

func (w *world) run(t *testing.T, calls []call) {
	t.Helper()
	for _, c := range calls {
		r := w.c.Do(t, nettestRequest(c))
		if r.Status != c.status {
			t.Fatalf("%s: %s %s = %d, want %d: %s", c.name, c.method, c.path, r.Status, c.status, r.Body)
		}
		if c.fault != "" {
			if typ, _ := nettest.Fault(r.JSON()); typ != c.fault {
				t.Fatalf("%s: fault %s, want %s: %s", c.name, typ, c.fault, r.Body)
			}
		}
		for _, h := range c.has {
			if !strings.Contains(string(r.Body), h) {
				t.Fatalf("%s: body %s lacks %q", c.name, r.Body, h)
			}
		}
	}
}

// nettestRequest is c as a request; no token is the admin's.
func nettestRequest(c call) apitest.Request {
	token := c.token
	if token == "" {
		token = apitest.Admin
	}
	return apitest.Request{Method: c.method, Path: c.path, Token: token, Body: c.body}
}

func TestRouterAPI(t *testing.T) {
	w := setup(t)
	r := "/v2.0/routers/" + w.router
	w.run(t, []call{
		{name: "show", token: "alice", method: "GET", path: r, status: 200,
			has: []string{`"external_gateway_info":null`, `"routes":[]`, `"status":"ACTIVE"`, `"flavor_id":null`}},
		{name: "admin-only attributes hidden", token: "alice", method: "GET", path: r + "?fields=distributed&fields=id", status: 200,
			has: []string{`{"router":{"id":"` + w.router + `"}}`}},
		{name: "admin sees distributed", method: "GET", path: r, status: 200, has: []string{`"distributed":false`, `"ha":false`}},
		{name: "others do not see it", token: "bob", method: "GET", path: r, status: 404, fault: "RouterNotFound"},
		{name: "distributed is the admin's", token: "alice", method: "POST", path: "/v2.0/routers",
			body: map[string]any{"router": map[string]any{"distributed": true}}, status: 403, fault: "PolicyNotAuthorized"},
		{name: "enable_snat is the admin's", token: "alice", method: "PUT", path: r,
			body:   map[string]any{"router": map[string]any{"external_gateway_info": map[string]any{"network_id": w.ext, "enable_snat": false}}},
			status: 403, fault: "PolicyNotAuthorized", has: []string{"update_router:external_gateway_info:enable_snat"}},
		{name: "routes not in POST", token: "alice", method: "POST", path: "/v2.0/routers",
			body: map[string]any{"router": map[string]any{"routes": []any{}}}, status: 400, has: []string{"Attribute 'routes' not allowed in POST"}},
		{name: "gateway on a private network", token: "alice", method: "PUT", path: r,
			body:   map[string]any{"router": map[string]any{"external_gateway_info": map[string]any{"network_id": w.net}}},
			status: 400, fault: "BadRequest", has: []string{"is not an external network"}},
		{name: "gateway on a missing network", token: "alice", method: "PUT", path: r,
			body:   map[string]any{"router": map[string]any{"external_gateway_info": map[string]any{"network_id": w.router}}},
			status: 404, fault: "NetworkNotFound"},
		{name: "gateway without a network", token: "alice", method: "PUT", path: r,
			body:   map[string]any{"router": map[string]any{"external_gateway_info": map[string]any{"enable_snat": true}}},
			status: 400, has: []string{"Expected keys: {'network_id'}"}},
		{name: "set gateway", token: "alice", method: "PUT", path: r,
			body:   map[string]any{"router": map[string]any{"external_gateway_info": map[string]any{"network_id": w.ext}}},
			status: 200, has: []string{`"enable_snat":true`, `"network_id":"` + w.ext + `"`, `"subnet_id":"` + w.extSubnet + `"`}},
		{name: "no interface given", token: "alice", method: "PUT", path: r + "/add_router_interface", body: map[string]any{},
			status: 400, fault: "BadRequest", has: []string{"Either subnet_id or port_id must be specified"}},
		{name: "add interface", token: "alice", method: "PUT", path: r + "/add_router_interface", body: map[string]any{"subnet_id": w.subnet},
			status: 200, has: []string{`"subnet_id":"` + w.subnet + `"`, `"id":"` + w.router + `"`, `"subnet_ids":["` + w.subnet + `"]`, `"port_id"`, `"network_id":"` + w.net + `"`}},
		{name: "add it again", token: "alice", method: "PUT", path: r + "/add_router_interface", body: map[string]any{"subnet_id": w.subnet},
			status: 400, fault: "BadRequest", has: []string{"Router already has a port on subnet " + w.subnet}},
		{name: "interface port is the router's", token: "alice", method: "GET", path: "/v2.0/ports?device_id=" + w.router, status: 200,
			has: []string{`"device_owner":"network:router_interface"`, `"ip_address":"10.0.0.1"`}},
		{name: "in use", token: "alice", method: "DELETE", path: r, status: 409, fault: "RouterInUse", has: []string{"still has ports"}},
		{name: "bad route", token: "alice", method: "PUT", path: r,
			body:   map[string]any{"router": map[string]any{"routes": []any{map[string]any{"destination": "10.1.0.0/24", "nexthop": "192.0.2.1"}}}},
			status: 400, fault: "InvalidRoutes", has: []string{"the nexthop is not connected with router"}},
		{name: "malformed route", token: "alice", method: "PUT", path: r,
			body:   map[string]any{"router": map[string]any{"routes": []any{map[string]any{"destination": "nope", "nexthop": "10.0.0.9"}}}},
			status: 400, has: []string{"'nope' is not a valid IP subnet"}},
		{name: "route", token: "alice", method: "PUT", path: r,
			body:   map[string]any{"router": map[string]any{"routes": []any{map[string]any{"destination": "10.1.0.0/24", "nexthop": "10.0.0.9"}}}},
			status: 200, has: []string{`"routes":[{"destination":"10.1.0.0/24","nexthop":"10.0.0.9"}]`}},
		{name: "add extra routes", token: "alice", method: "PUT", path: r + "/add_extraroutes",
			body:   map[string]any{"router": map[string]any{"routes": []any{map[string]any{"destination": "10.2.0.0/24", "nexthop": "10.0.0.9"}}}},
			status: 200, has: []string{`"destination":"10.1.0.0/24"`, `"destination":"10.2.0.0/24"`}},
		{name: "clear routes", token: "alice", method: "PUT", path: r, body: map[string]any{"router": map[string]any{"routes": nil}},
			status: 200, has: []string{`"routes":[]`}},
		{name: "remove unknown interface", token: "alice", method: "PUT", path: r + "/remove_router_interface", body: map[string]any{"port_id": w.port},
			status: 404, fault: "RouterInterfaceNotFound"},
		{name: "remove interface", token: "alice", method: "PUT", path: r + "/remove_router_interface", body: map[string]any{"subnet_id": w.subnet},
			status: 200, has: []string{`"subnet_id":"` + w.subnet + `"`}},
		{name: "remove it again", token: "alice", method: "PUT", path: r + "/remove_router_interface", body: map[string]any{"subnet_id": w.subnet},
			status: 404, fault: "RouterInterfaceNotFoundForSubnet"},
		{name: "tag", token: "alice", method: "PUT", path: r + "/tags/blue", status: 201},
		{name: "tagged", token: "alice", method: "GET", path: "/v2.0/routers?tags=blue", status: 200, has: []string{w.router}},
		{name: "delete", token: "alice", method: "DELETE", path: r, status: 204},
		{name: "gone", token: "alice", method: "GET", path: r, status: 404, fault: "RouterNotFound"},
		{name: "gateway port gone", method: "GET", path: "/v2.0/ports?device_id=" + w.router, status: 200, has: []string{`{"ports":[]}`}},
	})
}

func TestFloatingIPAPI(t *testing.T) {
	w := setup(t)
	r := "/v2.0/routers/" + w.router
	w.run(t, []call{
		{name: "missing network", token: "alice", method: "POST", path: "/v2.0/floatingips", body: map[string]any{"floatingip": map[string]any{}},
			status: 400, has: []string{"Required attribute 'floating_network_id' not specified"}},
		{name: "private network", token: "alice", method: "POST", path: "/v2.0/floatingips",
			body:   map[string]any{"floatingip": map[string]any{"floating_network_id": w.net}},
			status: 400, fault: "BadRequest", has: []string{"Bad floatingip request: Network " + w.net + " is not a valid external network."}},
		{name: "address is the admin's", token: "alice", method: "POST", path: "/v2.0/floatingips",
			body:   map[string]any{"floatingip": map[string]any{"floating_network_id": w.ext, "floating_ip_address": "172.24.4.9"}},
			status: 403, fault: "PolicyNotAuthorized"},
		{name: "unreachable port", token: "alice", method: "POST", path: "/v2.0/floatingips",
			body:   map[string]any{"floatingip": map[string]any{"floating_network_id": w.ext, "port_id": w.port}},
			status: 404, fault: "ExternalGatewayForFloatingIPNotFound"},
		{name: "nothing half-created", token: "alice", method: "GET", path: "/v2.0/floatingips", status: 200, has: []string{`{"floatingips":[]}`}},
		{name: "no port left on the external network", method: "GET", path: "/v2.0/ports?network_id=" + w.ext, status: 200, has: []string{`{"ports":[]}`}},
		{name: "gateway", token: "alice", method: "PUT", path: r,
			body: map[string]any{"router": map[string]any{"external_gateway_info": map[string]any{"network_id": w.ext}}}, status: 200},
		{name: "interface", token: "alice", method: "PUT", path: r + "/add_router_interface", body: map[string]any{"subnet_id": w.subnet}, status: 200},
	})
	c := w.c
	fip := c.MustCreate(t, "alice", "floatingips", "floatingip", map[string]any{"floating_network_id": w.ext, "port_id": w.port})
	id := fip["id"].(string)
	if fip["router_id"] != w.router || fip["status"] != "ACTIVE" || fip["port_id"] != w.port || fip["fixed_ip_address"] == nil {
		t.Fatalf("floating IP = %v", fip)
	}
	if _, ok := fip["name"]; ok {
		t.Errorf("floating IP has a name: %v", fip)
	}
	details, _ := fip["port_details"].(map[string]any)
	if details["network_id"] != w.net {
		t.Fatalf("port_details = %v", fip["port_details"])
	}
	f := "/v2.0/floatingips/" + id
	w.run(t, []call{
		{name: "second on the same port", token: "alice", method: "POST", path: "/v2.0/floatingips",
			body:   map[string]any{"floatingip": map[string]any{"floating_network_id": w.ext, "port_id": w.port}},
			status: 409, fault: "FloatingIPPortAlreadyAssociated"},
		{name: "interface needed", token: "alice", method: "PUT", path: r + "/remove_router_interface", body: map[string]any{"subnet_id": w.subnet},
			status: 409, fault: "RouterInterfaceInUseByFloatingIP"},
		{name: "gateway needed", token: "alice", method: "PUT", path: r, body: map[string]any{"router": map[string]any{"external_gateway_info": nil}},
			status: 409, fault: "RouterExternalGatewayInUseByFloatingIp"},
		{name: "bob does not see it", token: "bob", method: "GET", path: f, status: 404, fault: "FloatingIPNotFound"},
		{name: "list filter", token: "alice", method: "GET", path: "/v2.0/floatingips?port_id=" + w.port, status: 200, has: []string{id}},
		{name: "fixed address without port", token: "alice", method: "PUT", path: f,
			body: map[string]any{"floatingip": map[string]any{"fixed_ip_address": "10.0.0.5"}}, status: 400, fault: "BadRequest"},
		{name: "no name", token: "alice", method: "PUT", path: f, body: map[string]any{"floatingip": map[string]any{"name": "x"}},
			status: 400, has: []string{"Unrecognized attribute(s) 'name'"}},
		{name: "disassociate", token: "alice", method: "PUT", path: f, body: map[string]any{"floatingip": map[string]any{"port_id": nil}},
			status: 200, has: []string{`"port_id":null`, `"router_id":null`, `"fixed_ip_address":null`, `"status":"DOWN"`, `"port_details":null`}},
		{name: "port forwarding", token: "alice", method: "POST", path: f + "/port_forwardings",
			body: map[string]any{"port_forwarding": map[string]any{"protocol": "tcp", "external_port": 2222, "internal_port": 22,
				"internal_port_id": w.port, "internal_ip_address": fmt.Sprint(fip["fixed_ip_address"])}},
			status: 201, has: []string{`"external_port":2222`, `"protocol":"tcp"`}},
		{name: "duplicate port forwarding", token: "alice", method: "POST", path: f + "/port_forwardings",
			body: map[string]any{"port_forwarding": map[string]any{"protocol": "tcp", "external_port": 2222, "internal_port": 23,
				"internal_port_id": w.port, "internal_ip_address": fmt.Sprint(fip["fixed_ip_address"])}},
			status: 400, fault: "BadRequest", has: []string{"A duplicate port forwarding entry with same attributes already exists"}},
		{name: "incomplete port forwarding", token: "alice", method: "POST", path: f + "/port_forwardings",
			body:   map[string]any{"port_forwarding": map[string]any{"protocol": "tcp"}},
			status: 400, has: []string{"Required attribute 'external_port' not specified"}},
		{name: "port forwardings listed", token: "alice", method: "GET", path: f + "/port_forwardings", status: 200, has: []string{`"internal_port":22`}},
		{name: "shown in the floating IP", token: "alice", method: "GET", path: f, status: 200,
			has: []string{`"port_forwardings":[{`, `"router_id":"` + w.router + `"`}},
		{name: "pools", token: "alice", method: "GET", path: "/v2.0/floatingip_pools", status: 200,
			has: []string{`"subnet_id":"` + w.extSubnet + `"`, `"cidr":"172.24.4.0/24"`}},
		{name: "delete", token: "alice", method: "DELETE", path: f, status: 204},
		{name: "gone", token: "alice", method: "GET", path: f, status: 404, fault: "FloatingIPNotFound"},
	})
}
