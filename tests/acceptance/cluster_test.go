//go:build acceptance && linux

package acceptance

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// A cluster is issue #16's multi-host layout on one machine: every host
// a network namespace on a bridge underlay (10.97.0.0/24, the test's own
// namespace at .1), PostgreSQL reached through a forwarder at .1, three
// NATS servers clustered over their routes, two `gostack serve` replicas
// behind HAProxy (the catalog names HAProxy), and compute agents (fake
// driver) on hosts of their own; each process logs in to NATS as its
// role's user, a compute agent allowed its own host's subjects only.
type cluster struct {
	t         *testing.T
	bin       string
	dir       string
	password  string
	dbURL     string // from the test's own namespace
	busURL    string // the NATS servers, without credentials
	busUsers  string // the bus users' files (gostack admin bus-users)
	replicaDB string // from the hosts' namespaces
	boot      string // the bootstrap data dir: openrc, secret key, credentials
	nats      []*proc
	serves    []*proc
	agents    []*proc
	rc        map[string]string
}

const (
	underlayBridge = "gscbr0"
	underlayNet    = "10.97.0."
	lbIP           = underlayNet + "10"
)

// clusterPorts are the API ports HAProxy forwards to the serve replicas
// (the defaults: every replica in its own namespace listens on them).
var clusterPorts = map[string]int{"identity": 5000, "image": 9292, "placement": 8778, "compute": 8774, "network": 9696}

// hostIP gives the underlay address of a host by role and index.
func hostIP(role string, i int) string {
	base := map[string]int{"serve": 11, "nats": 21, "agent": 31, "netnode": 41}[role]
	return underlayNet + strconv.Itoa(base+i)
}

// needCluster skips a test that cannot build a cluster here.
func needCluster(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for network namespaces")
	}
	for _, b := range []string{"haproxy", "nats-server", "ip"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s is not installed", b)
		}
	}
	base := os.Getenv("GOSTACK_TEST_POSTGRES")
	if base == "" {
		t.Skip("GOSTACK_TEST_POSTGRES is not set")
	}
	return base
}

// sh runs a command that must succeed.
func sh(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// addHost makes namespace ns a host of the underlay at ip.
func addHost(t *testing.T, ns, ip string) {
	t.Helper()
	exec.Command("ip", "netns", "del", ns).Run()
	sh(t, "ip", "netns", "add", ns)
	veth := "v" + ns
	t.Cleanup(func() {
		exec.Command("ip", "netns", "del", ns).Run()
		// a namespace lives on while the kernel holds its sockets: its
		// end of the underlay goes now
		exec.Command("ip", "link", "del", veth).Run()
	})
	exec.Command("ip", "link", "del", veth).Run()
	sh(t, "ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
	sh(t, "ip", "link", "set", veth, "master", underlayBridge, "up")
	sh(t, "ip", "-n", ns, "addr", "add", ip+"/24", "dev", "eth0")
	sh(t, "ip", "-n", ns, "link", "set", "eth0", "up")
	sh(t, "ip", "-n", ns, "link", "set", "lo", "up")
	// a resolver file of its own, so that nothing run there can touch
	// the machine's
	if err := os.MkdirAll("/etc/netns/"+ns, 0o755); err == nil {
		os.WriteFile("/etc/netns/"+ns+"/resolv.conf", []byte("nameserver 127.0.0.1\n"), 0o644)
		t.Cleanup(func() { os.RemoveAll("/etc/netns/" + ns) })
	}
}

// forward accepts TCP connections at listen and joins each to target:
// PostgreSQL listens on the machine's loopback only.
func forward(t *testing.T, listen, target string) {
	t.Helper()
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, d)
			mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); io.Copy(d, c); d.(*net.TCPConn).CloseWrite() }()
			go func() { defer wg.Done(); io.Copy(c, d); c.(*net.TCPConn).CloseWrite() }()
		}
	}()
}

// inNS runs a process in namespace ns.
func inNS(t *testing.T, ns, name, bin string, args ...string) *proc {
	t.Helper()
	return startProc(t, name, "ip", append([]string{"netns", "exec", ns, bin}, args...)...)
}

// startCluster builds the underlay, PostgreSQL's forwarder, the NATS
// cluster, the bootstrap, HAProxy, the serve replicas and n compute
// agents, and waits until the agents' hypervisors are up.
// clusterOptions shape a cluster.
type clusterOptions struct {
	agents    int      // compute hosts
	network   bool     // linuxbridge data plane: a network agent on every compute host and a network node
	agentArgs []string // more flags of the compute agents
}

func startCluster(t *testing.T, o clusterOptions) *cluster {
	t.Helper()
	pgBase := needCluster(t)
	c := &cluster{t: t, bin: gostackBin(t), dir: t.TempDir(), password: "Cluster-pw-1"}
	c.dbURL = postgresDatabase(t, pgBase)

	exec.Command("ip", "link", "del", underlayBridge).Run()
	sh(t, "ip", "link", "add", underlayBridge, "type", "bridge")
	t.Cleanup(func() { exec.Command("ip", "link", "del", underlayBridge).Run() })
	sh(t, "ip", "addr", "add", underlayNet+"1/24", "dev", underlayBridge)
	sh(t, "ip", "link", "set", underlayBridge, "up")

	// PostgreSQL at .1:15432 for the replicas.
	forward(t, underlayNet+"1:15432", pgHostPort(t, c.dbURL))
	c.replicaDB = strings.Replace(c.dbURL, pgHostPort(t, c.dbURL), underlayNet+"1:15432", 1)

	// NATS: three servers, each routing to the other two.
	var urls, routes []string
	for i := range 3 {
		urls = append(urls, "nats://"+hostIP("nats", i)+":4222")
		routes = append(routes, "nats://"+hostIP("nats", i)+":6222")
	}
	c.busURL = strings.Join(urls, ",")
	// The bus's users: the replicas may use every subject, each compute
	// agent only its own host's.
	c.busUsers = filepath.Join(c.dir, "bus")
	args := []string{"admin", "bus-users", "--bus-url", c.busURL, "--out", c.busUsers}
	for i := range o.agents {
		args = append(args, "--compute-agent", fmt.Sprintf("host%d", i+1))
	}
	if out, err := exec.Command(c.bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("admin bus-users: %v\n%s", err, out)
	}
	for i := range 3 {
		addHost(t, fmt.Sprintf("gsc-nats%d", i+1), hostIP("nats", i))
		c.nats = append(c.nats, c.startNATS(i, routes))
	}
	for i := range 3 {
		waitUntil(t, "NATS server "+strconv.Itoa(i+1), 20*time.Second, 100*time.Millisecond, func() bool {
			c.nats[i].alive()
			conn, err := net.DialTimeout("tcp", hostIP("nats", i)+":4222", time.Second)
			if err == nil {
				conn.Close()
			}
			return err == nil
		})
	}

	// The shared database, once; the catalog names HAProxy.
	c.boot = filepath.Join(c.dir, "bootstrap")
	out, err := exec.Command(c.bin, "admin", "bootstrap", "--data-dir", c.boot, "--admin-password", c.password,
		"--bcrypt-cost", "4", "--database-url", c.dbURL, "--host", lbIP).CombinedOutput()
	if err != nil {
		t.Fatalf("admin bootstrap: %v\n%s", err, out)
	}

	// HAProxy: every API port to both replicas, checked on /healthz; a
	// connection refused is tried on the other replica.
	cfg := &strings.Builder{}
	fmt.Fprintf(cfg, "global\n  maxconn 4000\n  pidfile %s\ndefaults\n  mode http\n  option redispatch\n  retries 3\n"+
		"  retry-on conn-failure\n  timeout connect 1s\n  timeout client 180s\n  timeout server 180s\n",
		filepath.Join(c.dir, "haproxy.pid"))
	for _, name := range []string{"identity", "image", "placement", "compute", "network"} {
		port := clusterPorts[name]
		// /healthz answers once the replica's database and bus do (a
		// busy database pool may take a second)
		fmt.Fprintf(cfg, "listen %s\n  bind %s:%d\n  balance roundrobin\n  option httpchk GET /healthz\n  timeout check 3s\n", name, lbIP, port)
		for i := range 2 {
			fmt.Fprintf(cfg, "  server serve%d %s:%d check port 9180 inter 1s fall 3 rise 2\n", i+1, hostIP("serve", i), port)
		}
	}
	cfgFile := filepath.Join(c.dir, "haproxy.cfg")
	if err := os.WriteFile(cfgFile, []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	addHost(t, "gsc-lb", lbIP)
	inNS(t, "gsc-lb", "haproxy", "haproxy", "-db", "-f", cfgFile)

	// The serve replicas: own data dirs, the image store on one shared
	// path (what NFS would be), the same secret key file.
	driver := "noop"
	if o.network {
		driver = "linuxbridge"
	}
	images := filepath.Join(c.dir, "images")
	if err := os.MkdirAll(images, 0o700); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		ns := fmt.Sprintf("gsc-serve%d", i+1)
		addHost(t, ns, hostIP("serve", i))
		data := filepath.Join(c.dir, ns)
		if err := os.MkdirAll(data, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(images, filepath.Join(data, "image")); err != nil {
			t.Fatal(err)
		}
		args := []string{"serve", "--data-dir", data, "--host", hostIP("serve", i), "--public-host", lbIP,
			"--database-url", c.replicaDB, "--bus-url", c.userBusURL("gostack-serve"), "--secret-key-file", filepath.Join(c.boot, "secret.key"),
			"--services", "identity,image,placement,compute,network", "--network-driver", driver, "--bcrypt-cost", "4",
			"--metrics-port", "9180", "--console-key-file", filepath.Join(c.dir, "console.key"),
			"--metadata-proxy-key-file", filepath.Join(c.dir, "metadata-proxy.key")}
		c.serves = append(c.serves, inNS(t, ns, ns, c.bin, args...))
	}
	for i, s := range c.serves {
		url := fmt.Sprintf("http://%s:5000/v3", hostIP("serve", i))
		waitUntil(t, s.name+" serving", 90*time.Second, 200*time.Millisecond, func() bool {
			s.alive()
			resp, err := http.Get(url)
			if err == nil {
				resp.Body.Close()
			}
			return err == nil && resp.StatusCode == 200
		})
	}
	waitUntil(t, "HAProxy forwarding", 30*time.Second, 200*time.Millisecond, func() bool {
		resp, err := http.Get(fmt.Sprintf("http://%s:5000/v3", lbIP))
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	rc, err := launch.ReadOpenrc(filepath.Join(c.boot, "openrc"))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("http://%s:5000/v3", lbIP); rc["OS_AUTH_URL"] != want {
		t.Fatalf("openrc's auth URL %s, want HAProxy's %s", rc["OS_AUTH_URL"], want)
	}
	c.rc = rc
	for i := range o.agents {
		c.agents = append(c.agents, c.startAgent(i, o.agentArgs...))
		if o.network {
			c.startNetworkAgent(fmt.Sprintf("gsc-agent%d", i+1), fmt.Sprintf("host%d", i+1), hostIP("agent", i), false)
		}
	}
	if o.network {
		addHost(t, "gsc-netnode", hostIP("netnode", 0))
		c.startNetworkAgent("gsc-netnode", "netnode", hostIP("netnode", 0), true)
	}
	return c
}

// startNetworkAgent runs `gostack agent network` in namespace ns for
// host: DHCP and routers on the network node only. At the end the agent
// is stopped and then removes what it built (the network node's DHCP
// and router namespaces are the machine's).
func (c *cluster) startNetworkAgent(ns, host, ip string, node bool) *proc {
	data := filepath.Join(c.dir, ns+"-network")
	c.t.Cleanup(func() {
		out, err := exec.Command("nsenter", "--net=/run/netns/"+ns, c.bin, "agent", "network", "--cleanup", "--data-dir", data).CombinedOutput()
		if err != nil {
			c.t.Errorf("agent network --cleanup on %s: %v\n%s", ns, err, out)
		}
	})
	on := strconv.FormatBool(node)
	// nsenter, not `ip netns exec`: the agent's DHCP and router
	// namespaces must be mounted where every process sees them, as on a
	// real host (ip netns exec gives its command a mount namespace of
	// its own, from which nothing propagates back)
	return startProc(c.t, ns+"-network", "nsenter", "--net=/run/netns/"+ns, c.bin, "agent", "network", "--database-url", c.replicaDB,
		"--compute-host", host, "--tunnel-ip", ip, "--host", ip, "--data-dir", data, "--dhcp="+on, "--l3="+on,
		"--metadata-proxy-key-file", filepath.Join(c.dir, "metadata-proxy.key"))
}

// startNATS starts NATS server i in its namespace, routed to the others.
func (c *cluster) startNATS(i int, routes []string) *proc {
	ns := fmt.Sprintf("gsc-nats%d", i+1)
	var others []string
	for j, r := range routes {
		if j != i {
			others = append(others, r)
		}
	}
	conf := fmt.Sprintf("server_name: %s\nlisten: \"%s:4222\"\ncluster {\n  name: gostack\n  listen: \"%s:6222\"\n  routes: [%s]\n}\ninclude nats-auth.conf\n",
		ns, hostIP("nats", i), hostIP("nats", i), strings.Join(others, ", "))
	file := filepath.Join(c.busUsers, ns+".conf")
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return inNS(c.t, ns, ns, "nats-server", "-c", file)
}

// busURL is the bus URL, with its credentials, of a user that `gostack
// admin bus-users` made.
func (c *cluster) userBusURL(user string) string {
	b, err := os.ReadFile(filepath.Join(c.busUsers, user+".env"))
	if err != nil {
		c.t.Fatal(err)
	}
	return strings.TrimPrefix(strings.TrimSpace(string(b)), "GOSTACK_BUS_URL=")
}

// startAgent starts compute agent i (host hostN) in its namespace,
// creating the namespace the first time.
func (c *cluster) startAgent(i int, args ...string) *proc {
	t := c.t
	ns := fmt.Sprintf("gsc-agent%d", i+1)
	if _, err := os.Stat("/run/netns/" + ns); err != nil {
		addHost(t, ns, hostIP("agent", i))
	}
	return inNS(t, ns, ns, c.bin, append([]string{"agent", "compute", "--compute-driver", "fake",
		"--compute-host", fmt.Sprintf("host%d", i+1), "--bus-url", c.userBusURL(fmt.Sprintf("compute-host%d", i+1)),
		"--credentials", filepath.Join(c.boot, "credentials", "gostack-compute-agent.json"),
		"--data-dir", filepath.Join(c.dir, ns), "--host", hostIP("agent", i)}, args...)...)
}

// kill9 kills a process of the cluster with SIGKILL (the process behind
// `ip netns exec`, which execs it).
func kill9(p *proc) {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// pgHostPort is the host:port of a PostgreSQL URL.
func pgHostPort(t *testing.T, url string) string {
	t.Helper()
	at := strings.LastIndex(url, "@")
	rest := url[at+1:]
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	if !strings.Contains(rest, ":") {
		rest += ":5432"
	}
	return rest
}

// gostackBin is GOSTACK_BIN, or a binary built for the test.
func gostackBin(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("GOSTACK_BIN"); bin != "" {
		return bin
	}
	root, err := launch.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "gostack")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := launch.Build(ctx, root, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestCluster is issue #16's bar 1: the openstack CLI's walkthrough
// through HAProxy in front of two serve replicas, on PostgreSQL and a
// three-node NATS cluster, with three compute hosts.
func TestCluster(t *testing.T) {
	c := startCluster(t, clusterOptions{agents: 3, network: true})
	admin := creds(c.rc).with("OS_CLOUD", "")
	cl := &client{t: t, home: t.TempDir()}
	waitUntil(t, "three hypervisors up", 60*time.Second, time.Second, func() bool {
		up := 0
		for _, h := range cl.rows(admin, "hypervisor", "list") {
			if str(h, "State") == "up" {
				up++
			}
		}
		return up == 3
	})
	cl.ok(admin, "token", "issue")
	for _, e := range cl.rows(admin, "endpoint", "list") {
		if u := str(e, "URL"); !strings.Contains(u, "//"+lbIP+":") {
			t.Errorf("catalog endpoint %s does not name HAProxy", u)
		}
	}
	cl.obj(admin, "flavor", "create", "--ram", "256", "--vcpus", "1", "--disk", "1", "small")
	img := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(img, make([]byte, 4<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	cl.ok(admin, "image", "create", "--disk-format", "raw", "--container-format", "bare", "--public", "--file", img, "base")
	// the image's bytes through both replicas (HAProxy alternates)
	for range 2 {
		got := filepath.Join(t.TempDir(), "saved")
		cl.ok(admin, "image", "save", "--file", got, "base")
		if st, err := os.Stat(got); err != nil || st.Size() != 4<<20 {
			t.Fatalf("image save: %v %v", st, err)
		}
	}
	// The data plane's agents: a Linux bridge agent on every host, DHCP
	// and L3 on the network node; a network's DHCP server runs there.
	waitUntil(t, "network agents alive", 60*time.Second, time.Second, func() bool {
		alive := map[string]bool{}
		for _, a := range cl.rows(admin, "network", "agent", "list") {
			if a["Alive"] == true {
				alive[str(a, "Host")+"/"+str(a, "Agent Type")] = true
			}
		}
		for _, w := range []string{"host1/Linux bridge agent", "host2/Linux bridge agent", "host3/Linux bridge agent",
			"netnode/Linux bridge agent", "netnode/DHCP agent", "netnode/L3 agent"} {
			if !alive[w] {
				return false
			}
		}
		return true
	})
	netID := str(cl.obj(admin, "network", "create", "net1"), "id")
	cl.ok(admin, "subnet", "create", "--network", "net1", "--subnet-range", "10.10.0.0/24", "sub1")
	waitUntil(t, "the network's DHCP namespace on the network node", 30*time.Second, 500*time.Millisecond, func() bool {
		_, err := os.Stat("/run/netns/qdhcp-" + netID)
		return err == nil
	})
	srv := cl.obj(admin, "server", "create", "--image", "base", "--flavor", "small", "--nic", "net-id="+netID, "--wait", "s1")
	want(t, "server create --wait", srv, "status", "ACTIVE")
	id := str(srv, "id")
	host := func() string { return str(cl.obj(admin, "server", "show", id), "OS-EXT-SRV-ATTR:host") }
	h1 := host()
	ports := cl.rows(admin, "port", "list", "--server", id, "--long")
	if len(ports) != 1 {
		t.Fatalf("ports of the server: %v", ports)
	}
	t.Logf("the server's port: %v", ports[0])
	cl.ok(admin, "server", "stop", id)
	waitUntil(t, "SHUTOFF", 60*time.Second, 500*time.Millisecond, func() bool {
		return str(cl.obj(admin, "server", "show", id), "status") == "SHUTOFF"
	})
	cl.ok(admin, "server", "start", id)
	waitUntil(t, "ACTIVE again", 60*time.Second, 500*time.Millisecond, func() bool {
		return str(cl.obj(admin, "server", "show", id), "status") == "ACTIVE"
	})
	cl.ok(admin, "server", "migrate", "--wait", id)
	want(t, "server after migrate", cl.obj(admin, "server", "show", id), "status", "VERIFY_RESIZE")
	cl.ok(admin, "server", "resize", "confirm", id)
	waitUntil(t, "ACTIVE after the migration", 60*time.Second, 500*time.Millisecond, func() bool {
		return str(cl.obj(admin, "server", "show", id), "status") == "ACTIVE"
	})
	if h2 := host(); h2 == h1 || h2 == "" {
		t.Fatalf("migrated from %s to %q", h1, h2)
	}
	cl.ok(admin, "server", "delete", "--wait", id)
	if rows := cl.rows(admin, "server", "list"); len(rows) != 0 {
		t.Fatalf("servers left: %v", rows)
	}
	// The keys the replicas and the network node share are the given
	// files, not one per data dir.
	for _, f := range []string{"console.key", "metadata-proxy.key"} {
		if _, err := os.Stat(filepath.Join(c.dir, f)); err != nil {
			t.Errorf("shared %s: %v", f, err)
		}
		for _, d := range []string{"gsc-serve1", "gsc-serve2", "gsc-netnode-network"} {
			if _, err := os.Stat(filepath.Join(c.dir, d, f)); err == nil {
				t.Errorf("%s made a %s of its own", d, f)
			}
		}
	}
	// No process was refused a subject it needed: every role's
	// permissions cover what it does.
	for _, n := range c.nats {
		if b, _ := os.ReadFile(n.log); strings.Contains(string(b), "Permissions Violation") {
			t.Errorf("%s refused a subject:\n%s", n.name, grepLines(string(b), "Permissions Violation"))
		}
	}
}

// grepLines are the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
