//go:build acceptance && linux

package acceptance

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/tests/acceptance/launch"
)

// proc is a gostack process of the test (a serve replica, an agent).
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// startProc runs bin with args, its output in a log file; it is killed at
// the end of the test, and its log shown when the test failed.
func startProc(t *testing.T, name, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, log: filepath.Join(t.TempDir(), name+".log"), done: make(chan struct{})}
	logf, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); logf.Close(); close(p.done) }()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s output (last lines):\n%s", name, tail(p.log, 40))
			// GOSTACK_TEST_KEEP_LOGS=DIR keeps the whole log of a failed test
			if keep := os.Getenv("GOSTACK_TEST_KEEP_LOGS"); keep != "" {
				if b, err := os.ReadFile(p.log); err == nil && os.MkdirAll(keep, 0o755) == nil {
					os.WriteFile(filepath.Join(keep, t.Name()+"-"+name+".log"), b, 0o644)
				}
			}
		}
	})
	return p
}

func (p *proc) kill() {
	select {
	case <-p.done:
	default:
		p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *proc) alive() {
	p.t.Helper()
	select {
	case <-p.done:
		p.t.Fatalf("%s exited:\n%s", p.name, tail(p.log, 40))
	default:
	}
}

// freePortArgs gives every --*-port flag of `gostack <cmd> --help` a
// free port, and returns the flags and the ports by flag name.
func freePortArgs(t *testing.T, bin string, cmd ...string) ([]string, map[string]int) {
	t.Helper()
	names := launch.PortFlags(bin, cmd...)
	ports, err := launch.FreePorts(len(names))
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	byName := map[string]int{}
	for i, n := range names {
		args = append(args, "--"+n, strconv.Itoa(ports[i]))
		byName[n] = ports[i]
	}
	return args, byName
}

// validates asks the identity API at authURL to validate tok.
func validates(t *testing.T, authURL, tok string) bool {
	t.Helper()
	req, _ := http.NewRequest("GET", authURL+"/auth/tokens", nil)
	req.Header.Set("X-Auth-Token", tok)
	req.Header.Set("X-Subject-Token", tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

// TestServeReplicas is issue #16's API replicas: PostgreSQL and a NATS
// server shared by two `gostack serve` processes on their own ports and
// data dirs, prepared once by `gostack admin bootstrap` (whose catalog
// names replica A), and one `gostack agent compute` (fake driver) with
// the credentials file bootstrap wrote. A token issued by A is accepted
// by B and the other way round; the openstack CLI (A's catalog) creates
// an image, a flavor and a server that goes ACTIVE; B shows the server
// and stops it; after `gostack admin fernet rotate` both still accept the
// earlier token and each other's new ones; A killed with SIGKILL, B goes
// on serving: tokens, and the server started through it goes ACTIVE.
func TestServeReplicas(t *testing.T) {
	base := os.Getenv("GOSTACK_TEST_POSTGRES")
	if base == "" {
		t.Skip("GOSTACK_TEST_POSTGRES is not set")
	}
	dbURL := postgresDatabase(t, base)
	nats, err := bus.StartEmbedded(bus.Options{Listen: "127.0.0.1:0", Name: "acceptance"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nats.Shutdown)
	busURL := nats.ClientURL()
	bin := gostackBin(t)
	dir := t.TempDir()
	boot, pa, pb := filepath.Join(dir, "bootstrap"), filepath.Join(dir, "replica-a"), filepath.Join(dir, "replica-b")
	secret := filepath.Join(boot, "secret.key")
	const password = "Serve-pw-1"
	portsA, byA := freePortArgs(t, bin, "serve")
	portsB, byB := freePortArgs(t, bin, "serve")
	shared := []string{"--database-url", dbURL, "--host", "127.0.0.1"}

	// The shared database, once; its catalog names replica A's ports.
	out, err := exec.Command(bin, append(append([]string{"admin", "bootstrap", "--data-dir", boot, "--admin-password", password, "--bcrypt-cost", "4"},
		shared...), bootstrapPorts(portsA)...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("admin bootstrap: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), secret) {
		t.Errorf("admin bootstrap does not say where the secret key is:\n%s", out)
	}
	replica := func(name, dataDir string, ports []string) *proc {
		args := append([]string{"serve", "--data-dir", dataDir, "--bus-url", busURL, "--secret-key-file", secret,
			"--services", "identity,image,placement,compute,network", "--network-driver", "noop", "--bcrypt-cost", "4"}, shared...)
		return startProc(t, name, bin, append(args, ports...)...)
	}
	a := replica("replica-a", pa, portsA)
	b := replica("replica-b", pb, portsB)
	authA := fmt.Sprintf("http://127.0.0.1:%d/v3", byA["identity-port"])
	authB := fmt.Sprintf("http://127.0.0.1:%d/v3", byB["identity-port"])
	for _, r := range []struct {
		p   *proc
		url string
	}{{a, authA}, {b, authB}} {
		waitUntil(t, r.p.name+" serving", 60*time.Second, 100*time.Millisecond, func() bool {
			r.p.alive()
			resp, err := http.Get(r.url)
			if err == nil {
				resp.Body.Close()
			}
			return err == nil && resp.StatusCode == 200
		})
	}

	ag := startProc(t, "agent", bin, "agent", "compute", "--compute-driver", "fake", "--compute-host", "hostA",
		"--bus-url", busURL, "--credentials", filepath.Join(boot, "credentials", "gostack-compute-agent.json"),
		"--data-dir", filepath.Join(dir, "agent"), "--host", "127.0.0.1")
	_ = ag

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	login := func(authURL string) *launch.API {
		t.Helper()
		api, err := launch.Login(ctx, authURL, "admin", password, "admin")
		if err != nil {
			t.Fatal(err)
		}
		return api
	}
	tokA, tokB := login(authA).Token, login(authB).Token
	if !validates(t, authB, tokA) || !validates(t, authA, tokB) {
		t.Fatal("the replicas do not accept each other's tokens")
	}

	// The CLI through the catalog, which names A.
	rc, err := launch.ReadOpenrc(filepath.Join(boot, "openrc"))
	if err != nil {
		t.Fatal(err)
	}
	if rc["OS_AUTH_URL"] != authA {
		t.Fatalf("openrc's auth URL %s, want replica A's %s", rc["OS_AUTH_URL"], authA)
	}
	admin := creds(rc).with("OS_CLOUD", "")
	cl := &client{t: t, home: t.TempDir()}
	waitUntil(t, "hostA's hypervisor", 60*time.Second, time.Second, func() bool {
		ag.alive()
		for _, h := range cl.rows(admin, "hypervisor", "list") {
			if str(h, "Hypervisor Hostname") == "hostA" && str(h, "State") == "up" {
				return true
			}
		}
		return false
	})
	// The replicas run no compute host of their own: the agent's is the
	// only one.
	if hs := cl.rows(admin, "hypervisor", "list"); len(hs) != 1 {
		t.Fatalf("hypervisors %v, want the agent's hostA alone", hs)
	}
	cl.obj(admin, "flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", "small")
	img := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(img, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	cl.ok(admin, "image", "create", "--disk-format", "raw", "--container-format", "bare", "--public", "--file", img, "base")
	srv := cl.obj(admin, "server", "create", "--image", "base", "--flavor", "small", "--wait", "s1")
	want(t, "server create --wait", srv, "status", "ACTIVE")
	id := str(srv, "id")

	// Through B: the same server, stopped there.
	viaB := login(authB)
	viaB.URLs["compute"] = fmt.Sprintf("http://127.0.0.1:%d/v2.1", byB["compute-port"])
	status := func() string {
		var s struct {
			Server struct {
				Status string `json:"status"`
			} `json:"server"`
		}
		if _, err := viaB.Do(ctx, "GET", "compute", "/servers/"+id, nil, &s); err != nil {
			t.Fatal(err)
		}
		return s.Server.Status
	}
	if st := status(); st != "ACTIVE" {
		t.Fatalf("server on B: %s, want ACTIVE", st)
	}
	if _, err := viaB.Do(ctx, "POST", "compute", "/servers/"+id+"/action", map[string]any{"os-stop": nil}, nil); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "SHUTOFF through B", 60*time.Second, 250*time.Millisecond, func() bool { return status() == "SHUTOFF" })

	// A rotation: earlier tokens and new ones, on both replicas.
	out, err = exec.Command(bin, "admin", "fernet", "rotate", "--data-dir", boot, "--database-url", dbURL).CombinedOutput()
	if err != nil {
		t.Fatalf("fernet rotate: %v\n%s", err, out)
	}
	newA, newB := login(authA).Token, login(authB).Token
	for name, tok := range map[string]string{"A's earlier": tokA, "B's earlier": tokB, "A's new": newA, "B's new": newB} {
		if !validates(t, authA, tok) || !validates(t, authB, tok) {
			t.Errorf("%s token refused by a replica after the rotation", name)
		}
	}
	// Two more rotations at once: the token from before the first is
	// sealed with a key now beyond max_active_keys (3), kept because it
	// retired less than a token lifetime ago; a replica that has not
	// polled the key set since meets tokens of a key it never held, and
	// looks at the set again.
	for range 2 {
		if out, err := exec.Command(bin, "admin", "fernet", "rotate", "--data-dir", boot, "--database-url", dbURL).CombinedOutput(); err != nil {
			t.Fatalf("fernet rotate: %v\n%s", err, out)
		}
	}
	// They hold: throughout a window longer than the replicas' poll of
	// the key set (2 s) and their validation cache (2 s), so that what
	// is checked last is the keys every replica reloaded.
	for end := time.Now().Add(6 * time.Second); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		newA, newB = login(authA).Token, login(authB).Token
		for name, tok := range map[string]string{"A's first": tokA, "B's first": tokB, "A's newest": newA, "B's newest": newB} {
			if !validates(t, authA, tok) || !validates(t, authB, tok) {
				t.Fatalf("%s token refused by a replica after three rotations", name)
			}
		}
	}

	// A dies; B serves on: tokens, and the server started through it.
	a.cmd.Process.Signal(syscall.SIGKILL)
	<-a.done
	tokB2 := login(authB).Token
	if !validates(t, authB, tokB2) || !validates(t, authB, tokA) {
		t.Fatal("B refuses tokens after A died")
	}
	if _, err := viaB.Do(ctx, "POST", "compute", "/servers/"+id+"/action", map[string]any{"os-start": nil}, nil); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "ACTIVE through B after A died", 60*time.Second, 250*time.Millisecond, func() bool { b.alive(); return status() == "ACTIVE" })
}

// bootstrapPorts are the flags of ports that `admin bootstrap` takes (the
// catalog's) among a replica's.
func bootstrapPorts(ports []string) []string {
	keep := map[string]bool{"--identity-port": true, "--image-port": true, "--placement-port": true, "--network-port": true,
		"--volume-port": true, "--compute-port": true, "--object-store-port": true}
	var out []string
	for i := 0; i+1 < len(ports); i += 2 {
		if keep[ports[i]] {
			out = append(out, ports[i], ports[i+1])
		}
	}
	return out
}
