//go:build acceptance && linux

package acceptance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNetworkWalkthrough is the operator's networking walkthrough through
// the real openstack CLI: an external flat network with its subnet, a
// tenant network, a router between them, a security group allowing ICMP
// and SSH, a server on the tenant network with a floating IP — both
// addresses in `server show` — and everything deleted again in order,
// leaving no port behind.
func TestNetworkWalkthrough(t *testing.T) {
	_, rc := startCloud(t, "--compute-driver", "fake")
	admin := creds(rc).with("OS_CLOUD", "")
	cl := &client{t: t, home: t.TempDir()}
	if types := cl.ok(admin, "catalog", "list", "-f", "value", "-c", "Type"); !strings.Contains(types, "network") {
		t.Fatalf("no network service in the catalog:\n%s", types)
	}

	// The external network and its subnet.
	ext := cl.obj(admin, "network", "create", "--external", "--provider-network-type", "flat",
		"--provider-physical-network", "physnet1", "net-gre")
	if ext["router:external"] != true {
		t.Fatalf("net-gre is not external: %v", ext)
	}
	sub := cl.obj(admin, "subnet", "create", "--network", "net-gre", "--subnet-range", "192.168.20.0/24",
		"--gateway", "192.168.20.2", "--dns-nameserver", "114.114.114.114", "sub-gre")
	want(t, "external subnet", sub, "gateway_ip", "192.168.20.2")
	if dns, _ := json.Marshal(sub["dns_nameservers"]); !strings.Contains(string(dns), "114.114.114.114") {
		t.Fatalf("dns_nameservers of sub-gre: %s", dns)
	}

	// The tenant network, the router and its legs.
	cl.obj(admin, "network", "create", "int-gre")
	isub := cl.obj(admin, "subnet", "create", "--network", "int-gre", "--subnet-range", "10.10.0.0/24",
		"--gateway", "10.10.0.1", "sub-int")
	want(t, "tenant subnet", isub, "gateway_ip", "10.10.0.1")
	cl.obj(admin, "router", "create", "r-gre")
	cl.ok(admin, "router", "set", "--external-gateway", "net-gre", "r-gre")
	cl.ok(admin, "router", "add", "subnet", "r-gre", "sub-int")
	rt := cl.obj(admin, "router", "show", "r-gre")
	if gw, _ := json.Marshal(rt["external_gateway_info"]); !strings.Contains(string(gw), str(ext, "id")) {
		t.Fatalf("router gateway: %s", gw)
	}
	ifaces := cl.rows(admin, "port", "list", "--router", "r-gre")
	if len(ifaces) != 2 {
		t.Fatalf("router ports (gateway and interface): %v", ifaces)
	}

	// A security group allowing ICMP and SSH.
	cl.obj(admin, "security", "group", "create", "sg-gre")
	cl.obj(admin, "security", "group", "rule", "create", "--protocol", "icmp", "sg-gre")
	cl.obj(admin, "security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "22", "sg-gre")
	rules := cl.rows(admin, "security", "group", "rule", "list", "sg-gre")
	if len(rules) != 4 { // two egress defaults, ICMP and SSH
		t.Fatalf("rules of sg-gre: %v", rules)
	}

	// A server on int-gre with a floating IP.
	cl.obj(admin, "flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", "small")
	img := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(img, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	cl.ok(admin, "image", "create", "--disk-format", "raw", "--container-format", "bare", "--file", img, "base")
	srv := cl.obj(admin, "server", "create", "--flavor", "small", "--image", "base", "--network", "int-gre",
		"--security-group", "sg-gre", "--wait", "vm-gre")
	want(t, "server", srv, "status", "ACTIVE")
	fip := cl.obj(admin, "floating", "ip", "create", "net-gre")
	addr := str(fip, "floating_ip_address")
	if !strings.HasPrefix(addr, "192.168.20.") {
		t.Fatalf("floating IP from net-gre: %v", fip)
	}
	cl.ok(admin, "server", "add", "floating", "ip", "vm-gre", addr)
	show := cl.obj(admin, "server", "show", "vm-gre")
	addrs, _ := json.Marshal(show["addresses"])
	if !strings.Contains(string(addrs), "10.10.0.") || !strings.Contains(string(addrs), addr) {
		t.Fatalf("server show lists %s, want a 10.10.0.x address and %s", addrs, addr)
	}
	ports := cl.rows(admin, "port", "list", "--server", "vm-gre")
	if len(ports) != 1 {
		t.Fatalf("ports of vm-gre: %v", ports)
	}

	// Everything deleted again, in order.
	cl.ok(admin, "server", "remove", "floating", "ip", "vm-gre", addr)
	cl.ok(admin, "floating", "ip", "delete", addr)
	cl.ok(admin, "server", "delete", "--wait", "vm-gre")
	cl.ok(admin, "router", "remove", "subnet", "r-gre", "sub-int")
	cl.ok(admin, "router", "unset", "--external-gateway", "r-gre")
	cl.ok(admin, "router", "delete", "r-gre")
	cl.ok(admin, "security", "group", "delete", "sg-gre")
	cl.ok(admin, "subnet", "delete", "sub-int", "sub-gre")
	cl.ok(admin, "network", "delete", "int-gre", "net-gre")
	if left := cl.rows(admin, "port", "list"); len(left) != 0 {
		t.Fatalf("ports left after the walkthrough: %v", left)
	}
	if left := cl.rows(admin, "network", "list"); len(left) != 0 {
		t.Fatalf("networks left: %v", left)
	}
}
