package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"

	"github.com/gostack/gostack/tests/acceptance/launch"
)

// clusterOptions say what runCluster starts and boots.
type clusterOptions struct {
	bin           string
	agents        int
	hostsPerAgent int
	servers, conc int
	postgres      string   // the server on which a fresh database is made
	serveArgs     []string // more arguments for each serve replica
}

// clusterPassword is the admin password of the bench's cloud.
const clusterPassword = "Bench-pw-1"

// runCluster is the storm on issue #16's scale-out layout, every process
// on this machine's loopback:
//
//	nats-server ×3 (a cluster: client ports, routes to each other)
//	PostgreSQL: a fresh database, dropped at the end
//	gostack admin bootstrap (once; the catalog names replica A)
//	gostack serve ×2 (A, B: own data dirs and ports, one secret key,
//	                  DATA_DIR/image of both a symlink to one directory)
//	gostack agent compute ×N (fake driver, H hypervisors each: hosts
//	                  aN-00001…, the bootstrap's credentials file)
//
// The storm's requests alternate between A and B (roundRobin); the
// agents reach Placement and the image service through the catalog,
// that is through A.
func runCluster(ctx context.Context, o clusterOptions) (res Result, err error) {
	res = Result{Date: time.Now().UTC().Format(time.RFC3339), Hosts: o.agents * o.hostsPerAgent, Servers: o.servers,
		Concurrency: o.conc, Agents: o.agents, HostsPerAgent: o.hostsPerAgent}
	if o.postgres == "" {
		return res, errors.New("-agents needs a PostgreSQL server: -postgres or GOSTACK_TEST_POSTGRES")
	}
	dir, err := os.MkdirTemp("", "bootbench-cluster.")
	if err != nil {
		return res, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	c := &cluster{o: o, dir: dir, cancel: cancel}
	defer func() {
		c.close()
		cancel(nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bootbench: the processes' logs are kept in", dir)
		} else {
			os.RemoveAll(dir)
		}
	}()
	// A process that dies ends the run with its log's tail as the cause.
	defer func() {
		if err != nil && context.Cause(ctx) != nil && !errors.Is(context.Cause(ctx), context.Canceled) {
			err = fmt.Errorf("%v\nbecause %w", err, context.Cause(ctx))
		}
	}()

	started := time.Now()
	if err := c.createDatabase(ctx); err != nil {
		return res, err
	}
	if err := c.startNATS(ctx); err != nil {
		return res, err
	}
	a, err := c.startServes(ctx)
	if err != nil {
		return res, err
	}
	agentsStarted := time.Now()
	if err := c.startAgents(); err != nil {
		return res, err
	}
	every := time.Second
	if res.Hosts > 1000 {
		every = 2 * time.Second
	}
	if err := waitHypervisors(ctx, a, res.Hosts, every, func() error { return nil }); err != nil {
		return res, err
	}
	res.StartupS = time.Since(started).Seconds()
	res.AgentsUpS = time.Since(agentsStarted).Seconds()
	fmt.Fprintf(os.Stderr, "bootbench: %d hypervisors listed %.1f s after the agents started\n", res.Hosts, res.AgentsUpS)

	cl := &cloud{api: a, pgBackends: c.pgBackends}
	for _, p := range c.serves {
		cl.serves = append(cl.serves, p.pid())
		cl.logs = append(cl.logs, p.log)
	}
	for _, p := range c.agents {
		cl.agents = append(cl.agents, p.pid())
	}
	for _, p := range c.nats {
		cl.nats = append(cl.nats, p.pid())
	}
	return res, stormOn(ctx, &res, cl)
}

// cluster is the processes and the database of one run.
type cluster struct {
	o      clusterOptions
	dir    string
	cancel context.CancelCauseFunc

	admin  *sql.DB // on the PostgreSQL server's maintenance database
	dbName string
	dbURL  string

	busURL               string
	nats, serves, agents []*proc
	stopping             atomic.Bool
}

// createDatabase makes a fresh database; its name starts with
// gostack_test_ so that tools/test.sh removes one an interrupted run
// left behind.
func (c *cluster) createDatabase(ctx context.Context) error {
	u, err := url.Parse(c.o.postgres)
	if err != nil {
		return fmt.Errorf("postgres URL: %w", err)
	}
	admin, err := sql.Open("pgx", c.o.postgres)
	if err != nil {
		return err
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "gostack_test_bootbench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`); err != nil {
		admin.Close()
		return fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	c.admin, c.dbName, c.dbURL = admin, name, u.String()
	return nil
}

// pgBackends lists the PostgreSQL backends connected to the database.
func (c *cluster) pgBackends(ctx context.Context) ([]int, error) {
	rows, err := c.admin.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, c.dbName)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil, err
		}
		pids = append(pids, pid)
	}
	return pids, rows.Err()
}

// startNATS starts three NATS servers routed to each other and waits
// until each has its two routes.
func (c *cluster) startNATS(ctx context.Context) error {
	ports, err := launch.FreePorts(9) // client, route and monitoring port of each
	if err != nil {
		return err
	}
	var urls, routes []string
	for i := range 3 {
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[3+i]))
	}
	c.busURL = strings.Join(urls, ",")
	for i := range 3 {
		var others []string
		for j, r := range routes {
			if j != i {
				others = append(others, r)
			}
		}
		name := fmt.Sprintf("nats%d", i+1)
		p, err := c.start(name, "nats-server", "-n", name, "-a", "127.0.0.1", "-p", strconv.Itoa(ports[i]),
			"-m", strconv.Itoa(ports[6+i]), "--cluster_name", "bootbench", "--cluster", routes[i], "--routes", strings.Join(others, ","))
		if err != nil {
			return err
		}
		c.nats = append(c.nats, p)
	}
	// A message published on one server reaches a subscriber on another
	// only once the routes are up.
	for i := range 3 {
		routez := fmt.Sprintf("http://127.0.0.1:%d/routez", ports[6+i])
		err := poll(ctx, "NATS server "+strconv.Itoa(i+1)+"'s routes", 30*time.Second, 100*time.Millisecond, func() bool {
			var rz struct {
				NumRoutes int `json:"num_routes"`
			}
			return getJSON(routez, &rz) == nil && rz.NumRoutes >= 2
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// startServes runs the bootstrap and the two serve replicas, waits until
// both answer, and logs in as admin with requests alternating between
// them.
func (c *cluster) startServes(ctx context.Context) (*launch.API, error) {
	names := launch.PortFlags(c.o.bin, "serve")
	ports, err := launch.FreePorts(2 * len(names))
	if err != nil {
		return nil, err
	}
	replicaPorts := [2]map[string]int{{}, {}}
	var args [2][]string
	for r := range 2 {
		for i, n := range names {
			p := ports[r*len(names)+i]
			replicaPorts[r][n] = p
			args[r] = append(args[r], "--"+n, strconv.Itoa(p))
		}
	}
	boot := filepath.Join(c.dir, "bootstrap")
	shared := []string{"--database-url", c.dbURL, "--host", "127.0.0.1", "--bcrypt-cost", "4"}
	bargs := append([]string{"admin", "bootstrap", "--data-dir", boot, "--admin-password", clusterPassword}, shared...)
	for _, n := range catalogPorts {
		bargs = append(bargs, "--"+n, strconv.Itoa(replicaPorts[0][n]))
	}
	if out, err := exec.CommandContext(ctx, c.o.bin, bargs...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("admin bootstrap: %v\n%s", err, out)
	}
	images := filepath.Join(c.dir, "images")
	if err := os.MkdirAll(images, 0o700); err != nil {
		return nil, err
	}
	for r, name := range []string{"serve-a", "serve-b"} {
		data := filepath.Join(c.dir, name)
		if err := os.MkdirAll(data, 0o700); err != nil {
			return nil, err
		}
		// The image store on one path, what NFS would be between hosts.
		if err := os.Symlink(images, filepath.Join(data, "image")); err != nil {
			return nil, err
		}
		a := append([]string{"serve", "--data-dir", data, "--bus-url", c.busURL,
			"--secret-key-file", filepath.Join(boot, "secret.key"),
			"--services", "identity,image,placement,compute,network", "--network-driver", "noop"}, shared...)
		a = append(append(a, args[r]...), c.o.serveArgs...)
		p, err := c.start(name, c.o.bin, a...)
		if err != nil {
			return nil, err
		}
		c.serves = append(c.serves, p)
	}
	for r, p := range c.serves {
		auth := fmt.Sprintf("http://127.0.0.1:%d/v3", replicaPorts[r]["identity-port"])
		err := poll(ctx, p.name+" serving", 3*time.Minute, 200*time.Millisecond, func() bool {
			resp, err := http.Get(auth)
			if err == nil {
				resp.Body.Close()
			}
			return err == nil && resp.StatusCode == 200
		})
		if err != nil {
			return nil, err
		}
	}
	a, err := launch.Login(ctx, fmt.Sprintf("http://127.0.0.1:%d/v3", replicaPorts[0]["identity-port"]), "admin", clusterPassword, "admin")
	if err != nil {
		return nil, err
	}
	rr := &roundRobin{next: a.HTTP.Transport, other: map[string]string{}}
	for _, n := range names {
		rr.other[fmt.Sprintf("127.0.0.1:%d", replicaPorts[0][n])] = fmt.Sprintf("127.0.0.1:%d", replicaPorts[1][n])
	}
	a.HTTP.Transport = rr
	return a, nil
}

// catalogPorts are the ports `admin bootstrap` writes in the catalog.
var catalogPorts = []string{"identity-port", "image-port", "placement-port", "network-port", "volume-port",
	"compute-port", "object-store-port"}

// startAgents starts the compute agents at once, without waiting for
// any: as many hosts booting together.
func (c *cluster) startAgents() error {
	creds := filepath.Join(c.dir, "bootstrap", "credentials", "gostack-compute-agent.json")
	for i := range c.o.agents {
		name := fmt.Sprintf("a%d", i+1)
		p, err := c.start("agent-"+name, c.o.bin, "agent", "compute", "--compute-driver", "fake",
			"--fake-hypervisors", strconv.Itoa(c.o.hostsPerAgent), "--compute-host", name,
			"--bus-url", c.busURL, "--credentials", creds,
			"--data-dir", filepath.Join(c.dir, "agents", name), "--host", "127.0.0.1")
		if err != nil {
			return err
		}
		c.agents = append(c.agents, p)
	}
	return nil
}

// start runs a process of the cluster; if it ends before the cluster is
// stopped, the run ends with its log's tail.
func (c *cluster) start(name, bin string, args ...string) (*proc, error) {
	p, err := startProc(c.dir, name, bin, args...)
	if err != nil {
		return nil, err
	}
	go func() {
		<-p.done
		if !c.stopping.Load() {
			c.cancel(fmt.Errorf("%s exited:\n%s", p.name, p.tail(30)))
		}
	}()
	return p, nil
}

// close stops the agents, then the replicas, then NATS (each group with
// SIGTERM, then SIGKILL after a grace period), and drops the database.
func (c *cluster) close() {
	c.stopping.Store(true)
	stopAll(c.agents, 15*time.Second)
	stopAll(c.serves, 15*time.Second)
	stopAll(c.nats, 5*time.Second)
	if c.admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if _, err := c.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+c.dbName+` WITH (FORCE)`); err != nil {
			fmt.Fprintf(os.Stderr, "bootbench: drop database %s: %v\n", c.dbName, err)
		}
		cancel()
		c.admin.Close()
	}
}

// roundRobin sends every other request to replica B: the request's
// host:port (one of A's, from the catalog) becomes B's same port.
type roundRobin struct {
	next  http.RoundTripper
	other map[string]string
	n     atomic.Uint64
}

func (rr *roundRobin) RoundTrip(req *http.Request) (*http.Response, error) {
	if rr.n.Add(1)%2 == 0 {
		if host, ok := rr.other[req.URL.Host]; ok {
			req = req.Clone(req.Context())
			req.URL.Host, req.Host = host, host
		}
	}
	return rr.next.RoundTrip(req)
}

// proc is a process the bench started, its output in a log file.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// startProc starts bin in its own process group (a ^C reaches bootbench
// alone, which stops everything in order), killed if bootbench dies.
func startProc(dir, name, bin string, args ...string) (*proc, error) {
	p := &proc{name: name, log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	logf, err := os.Create(p.log)
	if err != nil {
		return nil, err
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { p.cmd.Wait(); logf.Close(); close(p.done) }()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// tail is the last n lines of the process's output.
func (p *proc) tail(n int) string {
	b, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stopAll sends SIGTERM to every process of ps, and SIGKILL to those
// still running after grace.
func stopAll(ps []*proc, grace time.Duration) {
	for _, p := range ps {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	deadline := time.After(grace)
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-p.done:
			case <-deadline:
				p.cmd.Process.Kill()
				<-p.done
			}
		}()
	}
	wg.Wait()
}

// poll calls ok every `every` until it is true, for at most limit.
func poll(ctx context.Context, what string, limit, every time.Duration, ok func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for !ok() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, context.Cause(ctx))
		case <-time.After(every):
		}
	}
	return nil
}

// getJSON decodes the JSON answer of a GET.
func getJSON(url string, out any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
