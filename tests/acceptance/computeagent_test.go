//go:build acceptance && linux

package acceptance

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/platform/bus"
)

// TestComputeAgentProcess is issue #16's compute host on its own: `gostack
// up` (fake driver, its own host fake-host-00001) on a NATS server that
// other processes reach, and a `gostack agent compute` process for host
// hostB that knows only the bus URL and the credentials file bootstrap
// wrote for its service user (no database, no admin password). The
// agent's host reports up in `openstack compute service list` and
// `openstack hypervisor list`; a server forced onto hostB goes ACTIVE
// there and stops, starts and deletes; the agent killed, its service
// shows down.
func TestComputeAgentProcess(t *testing.T) {
	// The cloud's bus: a NATS server with a TCP listener, as a NATS
	// cluster is in a multi-host cloud (gostack up's embedded one listens
	// to no one).
	nats, err := bus.StartEmbedded(bus.Options{Listen: "127.0.0.1:0", Name: "acceptance"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nats.Shutdown)
	busURL := nats.ClientURL()

	c, rc := startCloud(t, "--compute-driver", "fake", "--network-driver", "noop", "--bus-url", busURL, "--bcrypt-cost", "4")
	admin := creds(rc).with("OS_CLOUD", "")
	cl := &client{t: t, home: t.TempDir()}

	// What bootstrap wrote for the agent: its own user, never admin.
	credsFile := filepath.Join(c.DataDir, "credentials", "gostack-compute-agent.json")
	st, err := os.Stat(credsFile)
	if err != nil {
		t.Fatalf("gostack up wrote no credentials for the compute agent: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %v, want 0600", credsFile, st.Mode().Perm())
	}
	b, _ := os.ReadFile(credsFile)
	if strings.Contains(string(b), c.AdminPassword) {
		t.Fatal("the compute agent's credentials hold the admin password")
	}
	users := cl.rows(admin, "role", "assignment", "list", "--user", "gostack-compute-agent", "--names")
	if len(users) != 1 || str(users[0], "Role") != "service" || !strings.HasPrefix(str(users[0], "Project"), "service@") {
		t.Fatalf("gostack-compute-agent's role assignments: %v, want service on the service project only", users)
	}

	// The agent, on a data dir of its own.
	agentDir := filepath.Join(t.TempDir(), "hostB")
	agentLog := agentDir + ".log"
	logf, err := os.Create(agentLog)
	if err != nil {
		t.Fatal(err)
	}
	ag := exec.Command(c.Cmd.Path, "agent", "compute", "--compute-driver", "fake", "--compute-host", "hostB",
		"--bus-url", busURL, "--credentials", credsFile, "--data-dir", agentDir, "--host", "127.0.0.1")
	ag.Stdout, ag.Stderr = logf, logf
	ag.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := ag.Start(); err != nil {
		t.Fatal(err)
	}
	agentDone := make(chan struct{})
	go func() { ag.Wait(); logf.Close(); close(agentDone) }()
	t.Cleanup(func() {
		select {
		case <-agentDone:
		default:
			ag.Process.Kill()
			<-agentDone
		}
		if t.Failed() {
			t.Logf("agent output (last lines):\n%s", tail(agentLog, 40))
		}
	})
	agentAlive := func() {
		t.Helper()
		select {
		case <-agentDone:
			t.Fatalf("the compute agent exited:\n%s", tail(agentLog, 40))
		default:
		}
	}

	// Its host reports up, and its hypervisor is listed.
	hostState := func(host string) string {
		for _, s := range cl.rows(admin, "compute", "service", "list", "--service", "nova-compute") {
			if str(s, "Host") == host {
				return str(s, "State")
			}
		}
		return ""
	}
	waitUntil(t, "hostB's nova-compute up", 60*time.Second, time.Second, func() bool { agentAlive(); return hostState("hostB") == "up" })
	waitUntil(t, "hostB's hypervisor listed", 30*time.Second, time.Second, func() bool {
		for _, h := range cl.rows(admin, "hypervisor", "list") {
			if str(h, "Hypervisor Hostname") == "hostB" && str(h, "State") == "up" {
				return true
			}
		}
		return false
	})
	if got := len(cl.rows(admin, "resource", "provider", "list", "--name", "hostB")); got != 1 {
		t.Fatalf("resource providers named hostB: %d, want 1 (the agent's own registration)", got)
	}

	// A server on hostB, and its life there.
	cl.obj(admin, "flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", "small")
	img := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(img, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	cl.ok(admin, "image", "create", "--disk-format", "raw", "--container-format", "bare", "--public", "--file", img, "base")
	srv := cl.obj(admin, "server", "create", "--image", "base", "--flavor", "small", "--availability-zone", "nova:hostB",
		"--wait", "on-b")
	want(t, "server create --wait", srv, "status", "ACTIVE")
	want(t, "server create --wait", srv, "OS-EXT-SRV-ATTR:host", "hostB")
	id := str(srv, "id")
	waitStatus := func(status string) {
		t.Helper()
		waitUntil(t, "server "+status, 60*time.Second, 500*time.Millisecond, func() bool {
			s := cl.obj(admin, "server", "show", id)
			if str(s, "status") == "ERROR" {
				t.Fatalf("server went ERROR: %v", s)
			}
			return str(s, "status") == status
		})
	}
	cl.ok(admin, "server", "stop", id)
	waitStatus("SHUTOFF")
	cl.ok(admin, "server", "start", id)
	waitStatus("ACTIVE")
	// The agent's usage in Placement is the flavor's.
	usage := cl.rows(admin, "resource", "provider", "usage", "show", str(cl.rows(admin, "resource", "provider", "list", "--name", "hostB")[0], "uuid"))
	vcpus := -1.0
	for _, u := range usage {
		if str(u, "resource_class") == "VCPU" {
			vcpus, _ = u["usage"].(float64)
		}
	}
	if vcpus != 1 {
		t.Fatalf("hostB's VCPU usage %v, want the flavor's 1: %v", vcpus, usage)
	}
	cl.ok(admin, "server", "delete", "--wait", id)
	if rows := cl.rows(admin, "server", "list", "--all-projects"); len(rows) != 0 {
		t.Fatalf("server list after delete: %v", rows)
	}
	agentAlive()

	// The agent dies: its service goes down once its heartbeats stop
	// (Nova's service_down_time, 60 s), while the cloud's own host stays
	// up.
	ag.Process.Kill()
	<-agentDone
	waitUntil(t, "hostB's nova-compute down", 100*time.Second, 5*time.Second, func() bool { return hostState("hostB") == "down" })
	if s := hostState("fake-host-00001"); s != "up" {
		t.Fatalf("gostack up's own compute host is %q after the agent died, want up", s)
	}
}

// waitUntil polls cond every interval until it holds, and fails the test
// after d. Each poll runs the openstack CLI, which costs a second of CPU:
// the interval keeps the long waits from crowding the machine.
func waitUntil(t *testing.T, what string, d, interval time.Duration, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not within %s", what, d)
		case <-time.After(interval):
		}
	}
}
