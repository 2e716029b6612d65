//go:build acceptance && linux

package acceptance

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// TestComputeCLI is the operator's and user's first hour with compute,
// through the real openstack CLI on the fake hypervisor driver with two
// hosts: flavors, keypairs, servers and their actions, snapshots, server
// groups, services, hypervisors, quotas, usage and Placement.
func TestComputeCLI(t *testing.T) {
	_, rc := startCloud(t, "--compute-driver", "fake", "--fake-hypervisors", "2")
	admin := creds(rc).with("OS_CLOUD", "")
	cl := &client{t: t, home: t.TempDir()}
	types := cl.ok(admin, "catalog", "list", "-f", "value", "-c", "Type")
	for _, s := range []string{"compute", "placement", "image"} {
		if !strings.Contains(types, s) {
			t.Fatalf("no %s service in the catalog:\n%s", s, types)
		}
	}

	// Operator: flavors, an image, a quota.
	fl := cl.obj(admin, "flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", "small")
	want(t, "flavor", fl, "name", "small")
	cl.obj(admin, "flavor", "create", "--ram", "512", "--vcpus", "2", "--disk", "2", "medium")
	img := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(img, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	cl.ok(admin, "image", "create", "--disk-format", "raw", "--container-format", "bare",
		"--public", "--file", img, "base")
	want(t, "image", cl.obj(admin, "image", "show", "base"), "status", "active")
	cl.ok(admin, "quota", "set", "--instances", "20", "--cores", "40", "admin")
	q := cl.obj(admin, "quota", "show", "admin")
	if v, _ := q["instances"].(float64); v != 20 {
		t.Fatalf("quota show: instances %v, want 20: %v", q["instances"], q)
	}

	// Compute services and hypervisors report up.
	svcs := cl.rows(admin, "compute", "service", "list")
	computes := 0
	for _, s := range svcs {
		if str(s, "Binary") == "nova-compute" {
			computes++
			if str(s, "State") != "up" || str(s, "Status") != "enabled" {
				t.Fatalf("compute service not up and enabled: %v", s)
			}
		}
	}
	if computes != 2 {
		t.Fatalf("compute service list: %d nova-compute services, want 2: %v", computes, svcs)
	}
	hyps := cl.rows(admin, "hypervisor", "list")
	if len(hyps) != 2 {
		t.Fatalf("hypervisor list: %v", hyps)
	}
	rps := cl.rows(admin, "resource", "provider", "list")
	if len(rps) != 2 {
		t.Fatalf("resource provider list: %v", rps)
	}
	inv := cl.rows(admin, "resource", "provider", "inventory", "list", str(rps[0], "uuid"))
	if len(inv) != 3 {
		t.Fatalf("inventory of a compute node: %v", inv)
	}

	// User: a keypair from a public key.
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "id.pub")
	if err := os.WriteFile(keyFile, ssh.MarshalAuthorizedKey(sp), 0o600); err != nil {
		t.Fatal(err)
	}
	kp := cl.obj(admin, "keypair", "create", "--public-key", keyFile, "k1")
	want(t, "keypair", kp, "name", "k1")

	// A server, waited for.
	srv := cl.obj(admin, "server", "create", "--image", "base", "--flavor", "small", "--key-name", "k1",
		"--property", "role=web", "--wait", "web-1")
	want(t, "server create --wait", srv, "status", "ACTIVE")
	id := str(srv, "id")
	list := cl.rows(admin, "server", "list")
	if len(list) != 1 || str(list[0], "ID") != id || str(list[0], "Status") != "ACTIVE" {
		t.Fatalf("server list: %v", list)
	}
	show := cl.obj(admin, "server", "show", id)
	want(t, "server show", show, "key_name", "k1")
	if str(show, "OS-EXT-SRV-ATTR:host") == "" {
		t.Fatalf("server show: no host: %v", show)
	}

	// Power actions.
	waitStatus := func(id, status string) map[string]any {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			s := cl.obj(admin, "server", "show", id)
			if str(s, "status") == status {
				return s
			}
			if str(s, "status") == "ERROR" || time.Now().After(deadline) {
				t.Fatalf("server %s: status %s, want %s: %v", id, str(s, "status"), status, s)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	cl.ok(admin, "server", "stop", id)
	s := waitStatus(id, "SHUTOFF")
	if ps := fmt.Sprint(s["OS-EXT-STS:power_state"]); ps != "Shutdown" && ps != "4" {
		t.Fatalf("stopped server power state: %v", s["OS-EXT-STS:power_state"])
	}
	cl.ok(admin, "server", "start", id)
	waitStatus(id, "ACTIVE")
	cl.ok(admin, "server", "reboot", "--wait", id)
	waitStatus(id, "ACTIVE")

	// Resize and confirm: the flavor changes, and Placement follows.
	cl.ok(admin, "server", "resize", "--flavor", "medium", "--wait", id)
	s = waitStatus(id, "VERIFY_RESIZE")
	cl.ok(admin, "server", "resize", "confirm", id)
	s = waitStatus(id, "ACTIVE")
	if !strings.Contains(str(s, "flavor"), "medium") {
		t.Fatalf("resized server flavor: %v", s["flavor"])
	}

	// A snapshot: a new image in Glance, and a server booted from it.
	cl.ok(admin, "server", "image", "create", "--name", "web-snap", "--wait", id)
	snap := cl.obj(admin, "image", "show", "web-snap")
	want(t, "snapshot", snap, "status", "active")
	srv2 := cl.obj(admin, "server", "create", "--image", "web-snap", "--flavor", "medium", "--wait", "web-2")
	want(t, "server from snapshot", srv2, "status", "ACTIVE")

	// Anti-affinity: two members of the group land on different hosts.
	grp := cl.obj(admin, "server", "group", "create", "--policy", "anti-affinity", "spread")
	gid := str(grp, "id")
	hosts := map[string]bool{}
	for _, n := range []string{"a-1", "a-2"} {
		m := cl.obj(admin, "server", "create", "--image", "base", "--flavor", "small", "--hint", "group="+gid, "--wait", n)
		want(t, "group member", m, "status", "ACTIVE")
		hosts[str(cl.obj(admin, "server", "show", n), "OS-EXT-SRV-ATTR:host")] = true
	}
	if len(hosts) != 2 {
		t.Fatalf("anti-affinity members share a host: %v", hosts)
	}
	// A third cannot fit on two hosts: it goes to ERROR with a fault.
	r := cl.run(admin, "server", "create", "--image", "base", "--flavor", "small", "--hint", "group="+gid, "--wait", "a-3")
	// (Debian's OSC 6.0 reports "Error creating server" but exits 0.)
	if r.code == 0 && !strings.Contains(r.stdout+r.stderr, "Error creating server") {
		t.Fatalf("third anti-affinity member on two hosts built: %s", r.stdout)
	}
	f := cl.obj(admin, "server", "show", "a-3")
	want(t, "third member", f, "status", "ERROR")
	if !strings.Contains(fmt.Sprint(f["fault"]), "No valid host") {
		t.Fatalf("third member fault: %v", f["fault"])
	}

	// Usage and allocation candidates see the servers.
	if u := cl.rows(admin, "usage", "list"); len(u) == 0 {
		t.Fatalf("usage list is empty")
	}
	cands := cl.rows(admin, "--os-placement-api-version", "1.10", "allocation", "candidate", "list", "--resource", "VCPU=1")
	if len(cands) != 2 {
		t.Fatalf("allocation candidates: %v", cands)
	}

	// Delete everything; allocations go with the servers.
	for _, n := range []string{"web-1", "web-2", "a-1", "a-2", "a-3"} {
		cl.ok(admin, "server", "delete", "--wait", n)
	}
	if l := cl.rows(admin, "server", "list"); len(l) != 0 {
		t.Fatalf("servers left after delete: %v", l)
	}
	for _, rp := range rps {
		u := cl.rows(admin, "resource", "provider", "usage", "show", str(rp, "uuid"))
		for _, row := range u {
			if v, _ := row["usage"].(float64); v != 0 {
				t.Fatalf("provider %s still has usage after every server was deleted: %v", str(rp, "uuid"), u)
			}
		}
	}
}
