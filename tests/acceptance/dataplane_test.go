//go:build acceptance && linux

package acceptance

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// TestQEMUDataPlane is issue #13's walkthrough with real guests, through
// the real CLI: two QEMU guests on a tenant network get their addresses
// by DHCP and their identity from the metadata service; one gets a
// floating IP that the host pings and SSHes to; from inside it reaches
// its neighbour and the external network; deleting the ICMP rule stops
// the host's ping within 2 s; deleting everything leaves no namespace
// or bridge behind.
func TestQEMUDataPlane(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the linuxbridge data plane needs root")
	}
	img := guestImage(t)
	c, rc := startCloud(t, "--compute-driver", "qemu", "--network-driver", "linuxbridge")
	killGuestsOf(t, c.DataDir)
	scratch := t.TempDir()
	t.Cleanup(func() {
		// Stop the cloud, then take down what its agent built, as
		// tests/tempest/run.sh does.
		_ = c.Stop()
		_ = exec.Command(c.Cmd.Path, "agent", "network", "--cleanup", "--data-dir", scratch).Run()
	})
	admin := creds(rc).with("OS_CLOUD", "")
	cl := &client{t: t, home: t.TempDir()}

	cl.ok(admin, "image", "create", "--disk-format", "qcow2", "--container-format", "bare", "--public",
		"--min-ram", "96", "--file", filepath.Join(img, "disk.qcow2"), "guest")
	cl.ok(admin, "flavor", "create", "--ram", "128", "--vcpus", "1", "--disk", "1", "g.tiny")
	cl.ok(admin, "network", "create", "--external", "--provider-network-type", "flat",
		"--provider-physical-network", "public", "public")
	cl.ok(admin, "subnet", "create", "--network", "public", "--subnet-range", "172.24.4.0/24",
		"--gateway", "172.24.4.1", "--no-dhcp", "public-subnet")
	cl.ok(admin, "network", "create", "private")
	cl.ok(admin, "subnet", "create", "--network", "private", "--subnet-range", "10.0.0.0/24", "private-subnet")
	cl.ok(admin, "router", "create", "r1")
	cl.ok(admin, "router", "set", "--external-gateway", "public", "r1")
	cl.ok(admin, "router", "add", "subnet", "r1", "private-subnet")
	icmp := cl.obj(admin, "security", "group", "rule", "create", "--protocol", "icmp", "default")
	cl.ok(admin, "security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "22", "default")

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := ssh.NewPublicKey(pub)
	keyFile := filepath.Join(t.TempDir(), "k.pub")
	if err := os.WriteFile(keyFile, ssh.MarshalAuthorizedKey(sp), 0o600); err != nil {
		t.Fatal(err)
	}
	cl.ok(admin, "keypair", "create", "--public-key", keyFile, "k")

	var guests []*guest
	var addrs []string
	for _, name := range []string{"vm1", "vm2"} {
		s := cl.obj(admin, "server", "create", "--image", "guest", "--flavor", "g.tiny", "--network", "private",
			"--key-name", "k", "--wait", name)
		g := &guest{t: t, cl: cl, as: admin, id: str(s, "id"), dataDir: c.DataDir}
		show := cl.obj(admin, "server", "show", g.id)
		addr := strings.TrimPrefix(fmt.Sprint(show["addresses"]), "map[private:[")
		addr = strings.TrimSuffix(addr, "]]")
		guests, addrs = append(guests, g), append(addrs, addr)
	}
	for i, g := range guests {
		// The address from DHCP is the port's; meta_data.json came from
		// 169.254.169.254 (there is no config drive).
		g.waitConsole(mark{}, "GOSTACK-GUEST: ip "+addrs[i], "GOSTACK-GUEST: metadata metadata-service",
			"GOSTACK-GUEST: instance-id "+g.id, "GOSTACK-GUEST: ssh ready")
	}
	fip := strings.TrimSpace(cl.ok(admin, "floating", "ip", "create", "public", "-f", "value", "-c", "floating_ip_address"))
	cl.ok(admin, "server", "add", "floating", "ip", guests[0].id, fip)
	ping := func(addr string) bool {
		return exec.Command("busybox", "ping", "-c", "1", "-W", "1", addr).Run() == nil
	}
	if !eventually(30*time.Second, func() bool { return ping(fip) }) {
		t.Fatalf("the host cannot ping vm1's floating IP %s", fip)
	}

	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	var cli *ssh.Client
	if !eventually(60*time.Second, func() bool {
		cli, err = ssh.Dial("tcp", fip+":22", &ssh.ClientConfig{User: "cirros", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
			HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
		return err == nil
	}) {
		t.Fatalf("ssh cirros@%s: %v", fip, err)
	}
	defer cli.Close()
	run := func(cmd string) string {
		s, err := cli.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		out, err := s.CombinedOutput(cmd)
		if err != nil {
			t.Fatalf("in vm1: %s: %v\n%s", cmd, err, out)
		}
		return string(out)
	}
	run("ping -c 1 -W 3 " + addrs[1]) // the neighbour, through the default group
	run("ping -c 1 -W 3 172.24.4.1")  // the external network's gateway (br-ex), through the router
	if md := run("curl http://169.254.169.254/openstack/latest/meta_data.json"); !strings.Contains(md, guests[0].id) {
		t.Errorf("meta_data.json from inside vm1: %s", md)
	}

	cl.ok(admin, "security", "group", "rule", "delete", str(icmp, "id"))
	deleted := time.Now()
	if !eventually(5*time.Second, func() bool { return !ping(fip) }) {
		t.Fatalf("the floating IP still answers ping 5 s after the ICMP rule was deleted")
	}
	// The failed ping itself waits a second.
	if d := time.Since(deleted); d > 3*time.Second {
		t.Errorf("ping stopped %s after the rule was deleted, want within 2 s", d)
	}

	for _, g := range guests {
		cl.ok(admin, "server", "delete", "--wait", g.id)
	}
	cl.ok(admin, "floating", "ip", "delete", fip)
	cl.ok(admin, "router", "remove", "subnet", "r1", "private-subnet")
	cl.ok(admin, "router", "delete", "r1")
	cl.ok(admin, "network", "delete", "private")
	if !eventually(15*time.Second, func() bool { return leftovers() == "" }) {
		t.Errorf("left behind after the resources were deleted: %s", leftovers())
	}
}

// leftovers lists the routers', DHCP servers' and tenant networks'
// namespaces and bridges on the host.
func leftovers() string {
	var out []string
	ents, _ := os.ReadDir("/run/netns")
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "qdhcp-") || strings.HasPrefix(e.Name(), "qrouter-") {
			out = append(out, e.Name())
		}
	}
	links, _ := os.ReadDir("/sys/class/net")
	for _, l := range links {
		if strings.HasPrefix(l.Name(), "brq") || strings.HasPrefix(l.Name(), "vxlan-") {
			out = append(out, l.Name())
		}
	}
	return strings.Join(out, " ")
}

func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}
