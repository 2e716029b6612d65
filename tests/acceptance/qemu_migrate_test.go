//go:build acceptance && linux

package acceptance

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestQEMUColdMigration moves a guest to the other of two compute hosts
// of one machine and back: a cold migration confirmed, then one
// reverted. The disk and the console log travel over the source host's
// NBD server (the hosts share no path), which confirm and revert stop.
func TestQEMUColdMigration(t *testing.T) {
	img := guestImage(t)
	c, rc := startCloud(t, "--compute-driver", "qemu", "--qemu-hosts", "2", "--compute-host", "cm")
	killGuestsOf(t, c.DataDir)
	admin := creds(rc).with("OS_CLOUD", "")
	cl := &client{t: t, home: t.TempDir()}
	cl.ok(admin, "image", "create", "--disk-format", "qcow2", "--container-format", "bare", "--public",
		"--file", filepath.Join(img, "disk.qcow2"), "guest")
	cl.ok(admin, "flavor", "create", "--ram", "192", "--vcpus", "1", "--disk", "1", "g.small")
	s := cl.obj(admin, "server", "create", "--image", "guest", "--flavor", "g.small", "--wait", "mover")
	g := &guest{t: t, cl: cl, as: admin, id: str(s, "id"), dataDir: c.DataDir}
	g.waitConsole(mark{}, "GOSTACK-GUEST: ready")
	from := str(cl.obj(admin, "server", "show", g.id), "OS-EXT-SRV-ATTR:host")
	to := map[string]string{"cm-1": "cm-2", "cm-2": "cm-1"}[from]
	if to == "" {
		t.Fatalf("server on unexpected host %q", from)
	}

	for _, end := range []string{"confirm", "revert"} {
		n := g.mark()
		log1 := g.console()
		cl.ok(admin, "--os-compute-api-version", "2.56", "server", "migrate", "--host", to, "--wait", g.id)
		s = g.status("VERIFY_RESIZE")
		if h := str(s, "OS-EXT-SRV-ATTR:host"); h != to {
			t.Fatalf("migrated server is on %s, want %s", h, to)
		}
		// A new boot on the destination, after the source's output.
		g.waitConsole(n, "GOSTACK-GUEST: ready")
		if log2 := g.console(); !strings.Contains(log2, log1[max(0, len(log1)-2000):]) {
			t.Fatalf("the console log did not travel; before:\n%s\nafter:\n%s", lastLines(log1, 5), lastLines(log2, 10))
		}
		if !strings.Contains(g.cmdline(), filepath.Join("compute", to)) {
			t.Fatalf("QEMU does not run from %s: %s", to, g.cmdline())
		}
		if exportsOf(g.id) == 0 {
			t.Fatalf("no NBD server of the source copy while the migration awaits %s", end)
		}
		cl.ok(admin, "server", "resize", end, g.id)
		s = g.status("ACTIVE")
		want := to
		if end == "revert" {
			want = from
		}
		if h := str(s, "OS-EXT-SRV-ATTR:host"); h != want {
			t.Fatalf("after %s the server is on %s, want %s", end, h, want)
		}
		if n := exportsOf(g.id); n != 0 {
			t.Fatalf("%d NBD servers of the source copy left after %s", n, end)
		}
		if files := g.files(); len(files) != 1 || !strings.Contains(files[0], filepath.Join("compute", want)) {
			t.Fatalf("after %s the server's files are %v, want them on %s only", end, files, want)
		}
		if end == "revert" {
			// The source copy boots again, its console log where it was.
			g.waitConsole(mark{strings.Count(log1, bootMarker), len(log1)}, "GOSTACK-GUEST: ready")
		}
		from, to = want, from
	}
	cl.ok(admin, "server", "delete", "--wait", g.id)
}

// exportsOf counts the qemu-storage-daemon processes serving a source
// copy of server id.
func exportsOf(id string) int {
	n := 0
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), "qemu-storage-daemon") && strings.Contains(string(b), id) {
			n++
		}
	}
	return n
}
