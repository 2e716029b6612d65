package core_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gostack/gostack/internal/network/nettest"
)

// The refusals the API owes a client, with Neutron's types and messages,
// and nothing left half-created behind them.
func TestBadInput(t *testing.T) {
	c := nettest.Start(t, "alice", "bob")
	net := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "n"})
	nid := net["id"].(string)
	sub := c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.0.0.0/24"})
	sid := sub["id"].(string)
	c.MustCreate(t, "alice", "ports", "port", map[string]any{"network_id": nid, "fixed_ips": []any{map[string]any{"subnet_id": sid, "ip_address": "10.0.0.5"}}})
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		typ, msg           string
	}{
		{"overlapping cidr", "POST", "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.0.0.128/25"}},
			400, "InvalidInput", "Invalid input for operation: Requested subnet with cidr: 10.0.0.128/25 for network: " + nid + " overlaps with another subnet."},
		{"gateway is the broadcast address", "POST", "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.1.0.0/24", "gateway_ip": "10.1.0.255"}},
			400, "InvalidInput", "Invalid input for operation: Gateway is not valid on subnet."},
		{"gateway of the other family", "POST", "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.1.0.0/24", "gateway_ip": "2001:db8::1"}},
			400, "InvalidInput", "Invalid input for operation: gateway_ip '2001:db8::1' does not match the ip_version '4'."},
		{"pool holds the gateway", "POST", "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.1.0.0/24",
			"allocation_pools": []any{map[string]any{"start": "10.1.0.1", "end": "10.1.0.10"}}}},
			409, "GatewayConflictWithAllocationPools", "Gateway ip 10.1.0.1 conflicts with allocation pool 10.1.0.1-10.1.0.10."},
		{"cidr with host bits", "POST", "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.1.0.1/24"}},
			400, "HTTPBadRequest", "Invalid input for cidr. Reason: '10.1.0.1/24' isn't a recommended IP subnet, '10.1.0.0/24' is recommended."},
		{"fixed ip outside the subnet", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": nid, "fixed_ips": []any{map[string]any{"subnet_id": sid, "ip_address": "10.9.9.9"}}}},
			400, "InvalidIpForSubnet", "IP address 10.9.9.9 is not a valid IP for the specified subnet."},
		{"fixed ip taken", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": nid, "fixed_ips": []any{map[string]any{"subnet_id": sid, "ip_address": "10.0.0.5"}}}},
			409, "IpAddressAlreadyAllocated", "IP address 10.0.0.5 already allocated in subnet " + sid},
		{"not an address", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": nid, "fixed_ips": []any{map[string]any{"ip_address": "10.0.0.x"}}}},
			400, "HTTPBadRequest", "Invalid input for fixed_ips. Reason: '10.0.0.x' is not a valid IP address."},
		{"unknown attribute", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": nid, "colour": "red"}},
			400, "HTTPBadRequest", "Unrecognized attribute(s) 'colour'"},
		{"port on a missing network", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": "nope"}},
			404, "NetworkNotFound", "Network nope could not be found."},
		{"delete network with ports in use", "DELETE", "/v2.0/networks/" + nid, nil,
			409, "NetworkInUse", "Unable to complete operation on network " + nid + ". There are one or more ports still in use on the network."},
		{"delete subnet in use", "DELETE", "/v2.0/subnets/" + sid, nil,
			409, "SubnetInUse", "Unable to complete operation on subnet " + sid + ": One or more ports have an IP allocation from this subnet."},
		{"read-only cidr", "PUT", "/v2.0/subnets/" + sid, map[string]any{"subnet": map[string]any{"cidr": "10.0.1.0/24"}},
			400, "HTTPBadRequest", "Cannot update read-only attribute cidr"},
		{"missing subnet", "GET", "/v2.0/subnets/nope", nil, 404, "SubnetNotFound", "Subnet nope could not be found."},
		{"missing port", "DELETE", "/v2.0/ports/nope", nil, 404, "PortNotFound", "Port nope could not be found."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := c.Call(t, "alice", tc.method, tc.path, tc.body)
			typ, msg := nettest.Fault(body)
			if st != tc.status || typ != tc.typ || msg != tc.msg {
				t.Errorf("= %d %s %q\nwant %d %s %q", st, typ, msg, tc.status, tc.typ, tc.msg)
			}
		})
	}
	// Nothing refused was half-written.
	_, body := c.Call(t, "alice", "GET", "/v2.0/subnets", nil)
	if n := len(body["subnets"].([]any)); n != 1 {
		t.Errorf("subnets = %d, want 1", n)
	}
	_, body = c.Call(t, "alice", "GET", "/v2.0/ports", nil)
	if n := len(body["ports"].([]any)); n != 1 {
		t.Errorf("ports = %d, want 1", n)
	}
	// Another project neither sees alice's network's ports nor may put
	// one on it.
	if st, _ := c.Call(t, "bob", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": nid}}); st != 404 {
		t.Errorf("bob's port on alice's network = %d, want 404", st)
	}
	_, body = c.Call(t, "bob", "GET", "/v2.0/ports", nil)
	if n := len(body["ports"].([]any)); n != 0 {
		t.Errorf("bob sees %d ports", n)
	}
}

func TestPortLifecycle(t *testing.T) {
	c := nettest.Start(t, "alice")
	net := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "n"})
	nid := net["id"].(string)
	v4 := c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": nid, "ip_version": "4", "cidr": "10.0.0.0/24",
		"dns_nameservers": []any{"8.8.8.8"}, "host_routes": []any{map[string]any{"destination": "10.20.0.0/16", "nexthop": "10.0.0.254"}}})
	v6 := c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": nid, "ip_version": 6, "cidr": "2001:db8::/64",
		"ipv6_ra_mode": "slaac", "ipv6_address_mode": "slaac"})
	if v4["gateway_ip"] != "10.0.0.1" || fmt.Sprint(v4["allocation_pools"]) != "[map[end:10.0.0.254 start:10.0.0.2]]" {
		t.Errorf("v4 subnet = %v", v4)
	}
	_, body := c.Call(t, "alice", "GET", "/v2.0/networks/"+nid, nil)
	if subs := body["network"].(map[string]any)["subnets"].([]any); len(subs) != 2 {
		t.Errorf("network subnets = %v", subs)
	}
	p := c.MustCreate(t, "alice", "ports", "port", map[string]any{"network_id": nid, "name": "p", "mac_address": "fa:16:3e:aa:bb:cc",
		"extra_dhcp_opts":       []any{map[string]any{"opt_name": "bootfile-name", "opt_value": "pxelinux.0"}},
		"allowed_address_pairs": []any{map[string]any{"ip_address": "10.0.0.100"}}})
	ips := fmt.Sprint(p["fixed_ips"])
	if !strings.Contains(ips, "10.0.0.2") || !strings.Contains(ips, "2001:db8::f816:3eff:feaa:bbcc") {
		t.Errorf("fixed_ips = %s", ips)
	}
	if p["status"] != "DOWN" || p["ip_allocation"] != "immediate" || p["binding:vif_type"] != nil {
		t.Errorf("port = status %v ip_allocation %v vif_type %v (hidden from a member)", p["status"], p["ip_allocation"], p["binding:vif_type"])
	}
	if fmt.Sprint(p["allowed_address_pairs"]) != "[map[ip_address:10.0.0.100 mac_address:fa:16:3e:aa:bb:cc]]" {
		t.Errorf("pairs = %v", p["allowed_address_pairs"])
	}
	if fmt.Sprint(p["dns_assignment"]) == "[]" {
		t.Errorf("dns_assignment empty")
	}
	pid := p["id"].(string)
	for _, q := range []string{"fixed_ips=ip_address%3D10.0.0.2", "fixed_ips=subnet_id%3D" + v4["id"].(string), "fixed_ips=ip_address_substr%3D0.0.2", "mac_address=fa:16:3e:aa:bb:cc"} {
		_, body := c.Call(t, "alice", "GET", "/v2.0/ports?"+q, nil)
		if ps := body["ports"].([]any); len(ps) != 1 {
			t.Errorf("%s: %d ports", q, len(ps))
		}
	}
	_, body = c.Call(t, "alice", "GET", "/v2.0/ports?fixed_ips=ip_address%3D10.0.0.3", nil)
	if ps := body["ports"].([]any); len(ps) != 0 {
		t.Errorf("filter on a free address: %d ports", len(ps))
	}
	// Update: remove the DHCP option, a second address, then bind.
	st, body := c.Call(t, "alice", "PUT", "/v2.0/ports/"+pid, map[string]any{"port": map[string]any{"name": "q",
		"extra_dhcp_opts": []any{map[string]any{"opt_name": "bootfile-name", "opt_value": nil}},
		"fixed_ips":       []any{map[string]any{"subnet_id": v4["id"]}, map[string]any{"ip_address": "10.0.0.50"}}}})
	up, _ := body["port"].(map[string]any)
	if st != 200 || fmt.Sprint(up["extra_dhcp_opts"]) != "[]" || !strings.Contains(fmt.Sprint(up["fixed_ips"]), "10.0.0.50") ||
		!strings.Contains(fmt.Sprint(up["fixed_ips"]), "10.0.0.2") || !strings.Contains(fmt.Sprint(up["fixed_ips"]), "2001:db8::") {
		t.Errorf("update = %d %v", st, body)
	}
	if st, _ := c.Call(t, "alice", "PUT", "/v2.0/ports/"+pid, map[string]any{"port": map[string]any{"binding:host_id": "h1"}}); st != 403 {
		t.Errorf("member binds a port: %d, want 403", st)
	}
	_, body = c.Call(t, "", "PUT", "/v2.0/ports/"+pid, map[string]any{"port": map[string]any{"binding:host_id": "h1"}})
	if b := body["port"].(map[string]any); b["status"] != "ACTIVE" || b["binding:vif_type"] != "tap" || b["binding:host_id"] != "h1" {
		t.Errorf("bound port = %v", b)
	}
	// The SLAAC subnet goes with its addresses; the IPv4 one is in use.
	if st, _ := c.Call(t, "alice", "DELETE", "/v2.0/subnets/"+v6["id"].(string), nil); st != 204 {
		t.Errorf("delete SLAAC subnet = %d", st)
	}
	if st, _ := c.Call(t, "alice", "DELETE", "/v2.0/ports/"+pid, nil); st != 204 {
		t.Errorf("delete port = %d", st)
	}
	if st, _ := c.Call(t, "alice", "DELETE", "/v2.0/networks/"+nid, nil); st != 204 {
		t.Errorf("delete network = %d", st)
	}
	if st, _ := c.Call(t, "alice", "GET", "/v2.0/subnets/"+v4["id"].(string), nil); st != 404 {
		t.Errorf("subnet after its network = %d", st)
	}
}

func TestBulkAllOrNothing(t *testing.T) {
	c := nettest.Start(t, "alice")
	net := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "n"})
	nid := net["id"].(string)
	c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.0.0.0/24"})
	st, body := c.Call(t, "alice", "POST", "/v2.0/ports", map[string]any{"ports": []any{
		map[string]any{"network_id": nid, "fixed_ips": []any{map[string]any{"ip_address": "10.0.0.9"}}},
		map[string]any{"network_id": nid, "fixed_ips": []any{map[string]any{"ip_address": "10.0.0.9"}}},
	}})
	if typ, _ := nettest.Fault(body); st != 409 || typ != "IpAddressAlreadyAllocated" {
		t.Fatalf("bulk with a clash = %d %v", st, body)
	}
	_, body = c.Call(t, "alice", "GET", "/v2.0/ports", nil)
	if n := len(body["ports"].([]any)); n != 0 {
		t.Errorf("ports after a refused bulk = %d", n)
	}
	st, body = c.Call(t, "alice", "POST", "/v2.0/ports", map[string]any{"ports": []any{
		map[string]any{"network_id": nid}, map[string]any{"network_id": nid}}})
	if st != 201 || len(body["ports"].([]any)) != 2 {
		t.Errorf("bulk = %d %v", st, body)
	}
	st, body = c.Call(t, "alice", "POST", "/v2.0/subnets", map[string]any{"subnets": []any{
		map[string]any{"network_id": nid, "ip_version": 4, "cidr": "10.1.0.0/24"},
		map[string]any{"network_id": nid, "ip_version": 6, "cidr": "2001:db8::/64"}}})
	if st != 201 || len(body["subnets"].([]any)) != 2 {
		t.Errorf("bulk subnets = %d %v", st, body)
	}
}

func TestSubnetPoolsAPI(t *testing.T) {
	c := nettest.Start(t, "alice")
	scope := c.MustCreate(t, "alice", "address-scopes", "address_scope", map[string]any{"name": "s", "ip_version": 4})
	pool := c.MustCreate(t, "alice", "subnetpools", "subnetpool", map[string]any{"name": "p", "prefixes": []any{"10.10.0.0/16", "10.10.1.0/24"},
		"default_prefixlen": 26, "address_scope_id": scope["id"]})
	if fmt.Sprint(pool["prefixes"]) != "[10.10.0.0/16]" || pool["min_prefixlen"] != float64(8) || pool["max_prefixlen"] != float64(32) {
		t.Errorf("pool = %v", pool)
	}
	net := c.MustCreate(t, "alice", "networks", "network", map[string]any{"name": "n"})
	sn := c.MustCreate(t, "alice", "subnets", "subnet", map[string]any{"network_id": net["id"], "ip_version": 4, "subnetpool_id": pool["id"]})
	if sn["cidr"] != "10.10.0.0/26" || sn["subnetpool_id"] != pool["id"] {
		t.Errorf("subnet from pool = %v", sn)
	}
	_, body := c.Call(t, "alice", "GET", "/v2.0/networks/"+net["id"].(string), nil)
	if got := body["network"].(map[string]any)["ipv4_address_scope"]; got != scope["id"] {
		t.Errorf("ipv4_address_scope = %v", got)
	}
	st, body := c.Call(t, "alice", "PUT", "/v2.0/subnetpools/"+pool["id"].(string), map[string]any{"subnetpool": map[string]any{"name": "q"}})
	if st != 200 || body["subnetpool"].(map[string]any)["name"] != "q" {
		t.Errorf("update pool = %d %v", st, body)
	}
	if st, _ := c.Call(t, "alice", "POST", "/v2.0/subnetpools", map[string]any{"subnetpool": map[string]any{"name": "x", "prefixes": []any{"10.0.0.0/8"}, "shared": true}}); st != 403 {
		t.Errorf("member creates a shared pool = %d, want 403", st)
	}
	if st, body := c.Call(t, "alice", "DELETE", "/v2.0/subnetpools/"+pool["id"].(string), nil); st != 409 {
		t.Errorf("delete pool in use = %d %v", st, body)
	}
	c.Call(t, "alice", "DELETE", "/v2.0/subnets/"+sn["id"].(string), nil)
	if st, _ := c.Call(t, "alice", "DELETE", "/v2.0/subnetpools/"+pool["id"].(string), nil); st != 204 {
		t.Errorf("delete pool = %d", st)
	}
	if st, _ := c.Call(t, "alice", "GET", "/v2.0/subnetpools/"+pool["id"].(string), nil); st != 404 {
		t.Errorf("pool after delete = %d", st)
	}
}
