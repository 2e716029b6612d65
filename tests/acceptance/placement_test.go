//go:build acceptance && linux

package acceptance

import (
	"os"
	"strings"
	"testing"
)

// TestPlacementCLI drives Placement with Debian's python3-osc-placement:
// a resource provider, its inventory, and allocation candidates.
func TestPlacementCLI(t *testing.T) {
	if _, err := os.Stat("/usr/lib/python3/dist-packages/osc_placement"); err != nil {
		t.Fatalf("python3-osc-placement is not installed (tools/test.sh installs it): %v", err)
	}
	_, rc := startCloud(t)
	admin := creds(rc).with("OS_CLOUD", "")
	cl := &client{t: t, home: t.TempDir()}
	if !strings.Contains(cl.ok(admin, "catalog", "list", "-f", "value", "-c", "Type"), "placement") {
		t.Fatal("no placement service in the catalog")
	}
	rp := cl.obj(admin, "resource", "provider", "create", "host-1")
	want(t, "resource provider", rp, "name", "host-1")
	uuid := str(rp, "uuid")
	// The all-in-one's compute host registered its own provider too.
	found := false
	for _, p := range cl.rows(admin, "resource", "provider", "list") {
		found = found || str(p, "uuid") == uuid
	}
	if !found {
		t.Fatalf("resource provider list has no %s", uuid)
	}
	cl.ok(admin, "resource", "provider", "inventory", "set", uuid,
		"--resource", "VCPU=8", "--resource", "MEMORY_MB=16384", "--resource", "DISK_GB=100")
	inv := cl.rows(admin, "resource", "provider", "inventory", "list", uuid)
	if len(inv) != 3 {
		t.Fatalf("inventory list: %v", inv)
	}
	// A custom resource class only host-1 has: one candidate.
	cl.ok(admin, "resource", "class", "create", "CUSTOM_GADGET")
	cl.ok(admin, "resource", "provider", "inventory", "set", uuid,
		"--resource", "VCPU=8", "--resource", "MEMORY_MB=16384", "--resource", "DISK_GB=100", "--resource", "CUSTOM_GADGET=2")
	cands := cl.rows(admin, "--os-placement-api-version", "1.10", "allocation", "candidate", "list", "--resource", "CUSTOM_GADGET=1")
	if len(cands) != 1 || !strings.Contains(str(cands[0], "allocation"), "CUSTOM_GADGET=1") {
		t.Fatalf("allocation candidates: %v", cands)
	}
	// More than the host has: no candidate.
	if none := cl.rows(admin, "--os-placement-api-version", "1.10", "allocation", "candidate", "list", "--resource", "CUSTOM_GADGET=3"); len(none) != 0 {
		t.Fatalf("candidates beyond capacity: %v", none)
	}
}
