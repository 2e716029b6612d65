//go:build acceptance && linux

package acceptance

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// guestImage builds (or reuses the cached) guest test image and returns
// its directory.
func guestImage(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Fatalf("qemu-system-x86_64 is not installed (tools/test.sh installs qemu-system-x86): %v", err)
	}
	root, err := launch.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(root, "tools/guestimage/build.sh")).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("tools/guestimage/build.sh: %v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	dir := strings.TrimSpace(lines[len(lines)-1])
	if _, err := os.Stat(filepath.Join(dir, "disk.qcow2")); err != nil {
		t.Fatalf("guest image: %v", err)
	}
	return dir
}

// guest watches one server from the outside: its console log and its
// QEMU process and files on this host.
type guest struct {
	t       *testing.T
	cl      *client
	as      creds
	id      string
	dataDir string
}

var uptimeRE = regexp.MustCompile(`GOSTACK-GUEST: uptime (\d+)`)

func (g *guest) console() string {
	g.t.Helper()
	return g.cl.ok(g.as, "console", "log", "show", g.id)
}

// boots counts the boot markers in the console log.
func (g *guest) boots() int { return strings.Count(g.console(), bootMarker) }

const bootMarker = "GOSTACK-GUEST: boot"

// mark is where the console log stands before an action.
type mark struct{ boots, size int }

func (g *guest) mark() mark {
	log := g.console()
	return mark{strings.Count(log, bootMarker), len(log)}
}

// waitConsole waits for a boot after m (a new boot marker, or a log that
// started over, as a rebuild or a move starts it) whose output holds every
// marker, and returns that boot's output.
func (g *guest) waitConsole(m mark, markers ...string) string {
	g.t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	for {
		log := g.console()
		n := strings.Count(log, bootMarker)
		tail := ""
		switch {
		case n > m.boots && len(log) >= m.size:
			tail = log[strings.LastIndex(log, bootMarker):]
			// The boots after m: all of them count (markers may be in any).
			parts := strings.SplitAfterN(log, bootMarker, m.boots+1)
			tail = parts[len(parts)-1]
		case len(log) < m.size && n >= 1:
			tail = log
		}
		ok := tail != ""
		for _, mk := range markers {
			ok = ok && strings.Contains(tail, mk)
		}
		if ok {
			return tail
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("server %s: console never showed %q after %+v; last lines:\n%s", g.id, markers, m, lastLines(log, 25))
		}
		time.Sleep(time.Second)
	}
}

// uptime is the guest's last uptime marker.
func (g *guest) uptime() int {
	m := uptimeRE.FindAllStringSubmatch(g.console(), -1)
	if len(m) == 0 {
		return -1
	}
	n, _ := strconv.Atoi(m[len(m)-1][1])
	return n
}

// pid returns the QEMU process running this server, 0 when there is none.
func (g *guest) pid() int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), "qemu-system") && strings.Contains(string(b), g.id) {
			return n
		}
	}
	return 0
}

// cmdline is the QEMU process's command line ("" when none).
func (g *guest) cmdline() string {
	p := g.pid()
	if p == 0 {
		return ""
	}
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p))
	return strings.ReplaceAll(string(b), "\x00", " ")
}

// files lists this server's instance directories on the host.
func (g *guest) files() []string {
	m, _ := filepath.Glob(filepath.Join(g.dataDir, "compute", "*", "instances", g.id))
	return m
}

func (g *guest) status(want string) map[string]any {
	g.t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	for {
		s := g.cl.obj(g.as, "server", "show", g.id)
		if str(s, "status") == want {
			return s
		}
		if str(s, "status") == "ERROR" || time.Now().After(deadline) {
			g.t.Fatalf("server %s: status %s, want %s; fault %v", g.id, str(s, "status"), want, s["fault"])
		}
		time.Sleep(time.Second)
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// TestQEMUGuestLifecycle boots the guest test image under QEMU (TCG here)
// with a config drive, user data and a key, and checks every server action
// from inside the guest (its console markers and uptime counter) and from
// the host (its QEMU process and files).
func TestQEMUGuestLifecycle(t *testing.T) {
	img := guestImage(t)
	c, rc := startCloud(t, "--compute-driver", "qemu")
	killGuestsOf(t, c.DataDir)
	admin := creds(rc).with("OS_CLOUD", "")
	cl := &client{t: t, home: t.TempDir()}

	cl.ok(admin, "image", "create", "--disk-format", "qcow2", "--container-format", "bare", "--public",
		"--file", filepath.Join(img, "disk.qcow2"), "guest")
	cl.ok(admin, "flavor", "create", "--ram", "192", "--vcpus", "1", "--disk", "1", "g.small")
	cl.ok(admin, "flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "2", "g.medium")
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := ssh.NewPublicKey(pub)
	keyFile := filepath.Join(t.TempDir(), "k.pub")
	key := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " acceptance@gostack"
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cl.ok(admin, "keypair", "create", "--public-key", keyFile, "k")
	ud := filepath.Join(t.TempDir(), "script.sh")
	if err := os.WriteFile(ud, []byte("#!/bin/sh\necho USERDATA-RAN-$(hostname)\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	s := cl.obj(admin, "server", "create", "--image", "guest", "--flavor", "g.small", "--config-drive", "true",
		"--user-data", ud, "--key-name", "k", "--wait", "vm1")
	g := &guest{t: t, cl: cl, as: admin, id: str(s, "id"), dataDir: c.DataDir}
	boot := g.waitConsole(mark{}, "GOSTACK-GUEST: ready", "USERDATA-RAN-vm1", "GOSTACK-GUEST: userdata end rc=0",
		"GOSTACK-GUEST: instance-id "+g.id)
	t.Logf("vm1 ready %v after create", time.Since(start).Round(time.Second))
	if !strings.Contains(boot, "acceptance@gostack") {
		t.Fatalf("the injected key is not on the console:\n%s", lastLines(boot, 30))
	}
	if g.pid() == 0 || len(g.files()) != 1 {
		t.Fatalf("vm1: QEMU pid %d, files %v", g.pid(), g.files())
	}

	// stop / start: the process goes and comes back, the guest boots again.
	cl.ok(admin, "server", "stop", g.id)
	g.status("SHUTOFF")
	if g.pid() != 0 {
		t.Fatalf("stopped server still has QEMU pid %d", g.pid())
	}
	n := g.mark()
	cl.ok(admin, "server", "start", g.id)
	g.status("ACTIVE")
	g.waitConsole(n, "GOSTACK-GUEST: ready")

	// reboot: a new boot.
	n = g.mark()
	cl.ok(admin, "server", "reboot", "--wait", g.id)
	g.waitConsole(n, "GOSTACK-GUEST: ready")

	// pause / unpause: the uptime counter stops, then goes on.
	cl.ok(admin, "server", "pause", g.id)
	g.status("PAUSED")
	u1 := g.uptime()
	time.Sleep(5 * time.Second)
	if u2 := g.uptime(); u2 != u1 {
		t.Fatalf("paused guest counted on: %d → %d", u1, u2)
	}
	cl.ok(admin, "server", "unpause", g.id)
	g.status("ACTIVE")
	waitUptime(t, g, u1)

	// suspend / resume: memory saved to disk, the process gone; the counter
	// resumes where it was (no new boot).
	n = g.mark()
	cl.ok(admin, "server", "suspend", g.id)
	g.status("SUSPENDED")
	if g.pid() != 0 {
		t.Fatalf("suspended server still has QEMU pid %d", g.pid())
	}
	u1 = g.uptime()
	cl.ok(admin, "server", "resume", g.id)
	g.status("ACTIVE")
	waitUptime(t, g, u1)
	if g.boots() != n.boots {
		t.Fatalf("resume rebooted the guest")
	}

	// snapshot, and a server booted from it.
	cl.ok(admin, "server", "image", "create", "--name", "vm1-snap", "--wait", g.id)
	s2 := cl.obj(admin, "server", "create", "--image", "vm1-snap", "--flavor", "g.small", "--config-drive", "true", "--wait", "vm2")
	g2 := &guest{t: t, cl: cl, as: admin, id: str(s2, "id"), dataDir: c.DataDir}
	g2.waitConsole(mark{}, "GOSTACK-GUEST: ready", "GOSTACK-GUEST: hostname vm2")
	cl.ok(admin, "server", "delete", "--wait", g2.id)
	if g2.pid() != 0 || len(g2.files()) != 0 {
		t.Fatalf("deleted vm2 left pid %d, files %v", g2.pid(), g2.files())
	}

	// resize + confirm: a bigger flavor, a grown disk.
	n = g.mark()
	cl.ok(admin, "server", "resize", "--flavor", "g.medium", "--wait", g.id)
	g.status("VERIFY_RESIZE")
	cl.ok(admin, "server", "resize", "confirm", g.id)
	g.status("ACTIVE")
	g.waitConsole(n, "GOSTACK-GUEST: ready")
	if cmd := g.cmdline(); !strings.Contains(cmd, " 256") {
		t.Fatalf("resized guest's QEMU does not have 256 MiB: %s", cmd)
	}

	// rebuild: the same server, a fresh disk, a new boot.
	n = g.mark()
	cl.ok(admin, "server", "rebuild", "--image", "guest", "--wait", g.id)
	g.waitConsole(n, "GOSTACK-GUEST: ready")

	// rescue / unrescue.
	n = g.mark()
	cl.ok(admin, "server", "rescue", g.id)
	g.status("RESCUE")
	g.waitConsole(n, "GOSTACK-GUEST: ready")
	n = g.mark()
	cl.ok(admin, "server", "unrescue", g.id)
	g.status("ACTIVE")
	g.waitConsole(n, "GOSTACK-GUEST: ready")

	// shelve (offloaded: nothing left on the host) / unshelve.
	cl.ok(admin, "server", "shelve", g.id)
	g.status("SHELVED_OFFLOADED")
	if g.pid() != 0 || len(g.files()) != 0 {
		t.Fatalf("offloaded server left pid %d, files %v", g.pid(), g.files())
	}
	cl.ok(admin, "server", "unshelve", g.id)
	g.status("ACTIVE")
	g.waitConsole(mark{}, "GOSTACK-GUEST: ready")

	// delete: nothing left.
	cl.ok(admin, "server", "delete", "--wait", g.id)
	if g.pid() != 0 || len(g.files()) != 0 {
		t.Fatalf("deleted server left pid %d, files %v", g.pid(), g.files())
	}
}

// killGuestsOf stops, when the test ends, every QEMU whose files are
// under dataDir: guests outlive gostack by design, so a test that fails
// half-way would otherwise leave them running.
func killGuestsOf(t *testing.T, dataDir string) {
	t.Cleanup(func() {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			b, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			if strings.Contains(string(b), "qemu-system") && strings.Contains(string(b), dataDir) {
				if p, err := os.FindProcess(pid); err == nil {
					p.Kill()
				}
			}
		}
	})
}

// waitUptime waits until the guest's uptime counter passes after.
func waitUptime(t *testing.T, g *guest, after int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for g.uptime() <= after {
		if time.Now().After(deadline) {
			t.Fatalf("the guest's uptime counter stays at %d", g.uptime())
		}
		time.Sleep(time.Second)
	}
}

// TestQEMULiveMigration moves a running guest between two compute hosts of
// one machine, its disk mirrored over NBD (no shared storage, no block
// migration): its uptime counter keeps counting, its console log goes
// on, and its QEMU process moves to the other host's state directory.
func TestQEMULiveMigration(t *testing.T) {
	img := guestImage(t)
	c, rc := startCloud(t, "--compute-driver", "qemu", "--qemu-hosts", "2", "--compute-host", "lm")
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
	to := map[string]string{"lm-1": "lm-2", "lm-2": "lm-1"}[from]
	if to == "" {
		t.Fatalf("server on unexpected host %q", from)
	}
	pid1, cmd1 := g.pid(), g.cmdline()
	u1 := g.uptime()
	log1 := g.console()
	cl.ok(admin, "--os-compute-api-version", "2.30", "server", "migrate", "--live-migration", "--host", to, "--wait", g.id)
	s = g.status("ACTIVE")
	if h := str(s, "OS-EXT-SRV-ATTR:host"); h != to {
		t.Fatalf("after live migration the server is on %s, want %s", h, to)
	}
	// The counter goes on from where it was: the guest did not reboot.
	waitUptime(t, g, u1+4)
	if strings.Contains(g.console(), bootMarker) && g.uptime() < u1 {
		t.Fatalf("the guest rebooted during live migration")
	}
	// The console log goes on from the source's: what the guest printed
	// before the move is there, the new output after it.
	if log2, tail := g.console(), log1[max(0, len(log1)-2000):]; !strings.Contains(log2, tail) || !strings.Contains(log2[strings.Index(log2, tail)+len(tail):], "GOSTACK-GUEST: uptime") {
		t.Fatalf("the console log did not go on from the source's; before:\n%s\nafter:\n%s", lastLines(log1, 5), lastLines(log2, 10))
	}
	pid2, cmd2 := g.pid(), g.cmdline()
	if pid2 == 0 || pid2 == pid1 || !strings.Contains(cmd2, filepath.Join("compute", to)) || !strings.Contains(cmd1, filepath.Join("compute", from)) {
		t.Fatalf("QEMU did not move: pid %d → %d\nbefore: %s\nafter: %s", pid1, pid2, cmd1, cmd2)
	}
	cl.ok(admin, "server", "delete", "--wait", g.id)
}
