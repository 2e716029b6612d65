//go:build acceptance && linux

package acceptance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/node"
	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
	"github.com/gostack/gostack/tests/acceptance/launch"
)

// The cluster of TestObjectStorageAgents: three `gostack agent object`
// processes of three devices each (the agent's default), one zone per
// agent, so that every partition has one replica on each agent and an
// agent's other devices stand in for a failed one's.
const (
	agentCount      = 3
	agentDevices    = 3
	agentPartPower  = 6
	agentContainers = 4
	// agentInterval is every storage worker's pause between passes
	// (--worker-interval): short, so that repairs happen within seconds
	// instead of Swift's 30 s and 300 s.
	agentInterval = "2s"
	// agentWait bounds each wait for the workers to do their part.
	agentWait = 3 * time.Minute
)

// agentProc is one storage node: a `gostack agent object` process over
// its own data dir, on the ports the rings give it.
type agentProc struct {
	t       *testing.T
	bin     string
	dataDir string
	ports   [3]int // object, container, account
	log     string
	cmd     *exec.Cmd
	done    chan struct{}
}

// devices is the root of the agent's device directories.
func (a *agentProc) devices() string { return filepath.Join(a.dataDir, "objectstorage", "node") }

// start runs the agent and waits until its three servers accept
// connections.
func (a *agentProc) start(extra ...string) {
	t := a.t
	t.Helper()
	args := append([]string{"agent", "object", "--data-dir", a.dataDir, "--host", "127.0.0.1",
		"--object-server-port", strconv.Itoa(a.ports[0]), "--container-server-port", strconv.Itoa(a.ports[1]),
		"--account-server-port", strconv.Itoa(a.ports[2]),
		"--worker-interval", agentInterval, "--auditor-files-per-second", "1000"}, extra...)
	logf, err := os.OpenFile(a.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	a.cmd = exec.Command(a.bin, args...)
	a.cmd.Stdout, a.cmd.Stderr = logf, logf
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := a.cmd.Start(); err != nil {
		logf.Close()
		t.Fatal(err)
	}
	done := make(chan struct{})
	a.done = done
	go func() {
		a.cmd.Wait()
		logf.Close()
		close(done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range a.ports {
		for {
			c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)), time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-done:
				t.Fatalf("agent %s exited during start-up:\n%s", a.dataDir, tail(a.log, 30))
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("agent %s: port %d not listening after 30 s:\n%s", a.dataDir, p, tail(a.log, 30))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// kill ends the agent with SIGKILL, as a failed host ends: no shutdown,
// no flush, its disks left as they were.
func (a *agentProc) kill() {
	if a.cmd == nil {
		return
	}
	select {
	case <-a.done:
	default:
		a.cmd.Process.Kill()
		<-a.done
	}
	a.cmd = nil
}

// stop ends the agent with SIGTERM and fails the test if it does not
// stop within 10 s.
func (a *agentProc) stop() {
	if a.cmd == nil {
		return
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(10 * time.Second):
		a.t.Errorf("agent %s did not stop within 10 s of SIGTERM", a.dataDir)
		a.kill()
	}
	a.cmd = nil
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// agentCluster is the three agents, a `gostack up` whose Swift proxy
// uses their rings, and what the test needs to find replicas on disk.
type agentCluster struct {
	t                      *testing.T
	agents                 []*agentProc
	cloud                  *launch.Cloud
	hash                   node.Hash
	objRing, containerRing *ring.Ring
	token, account, url    string
	env                    []string // the admin's OS_* for the CLIs
	http                   *http.Client
}

// startAgentCluster builds the rings with `gostack admin ring` in the
// data dir of `gostack up` (which then keeps them as an operator's rings
// and makes none of its own), starts `gostack up`, and copies its rings
// and swift.json (the hash path prefix and suffix it created) to three
// agents' data dirs, as an operator copies Swift's ring files and
// swift.conf to every storage host.
func startAgentCluster(t *testing.T) *agentCluster {
	bin := gostackBin(t)
	base := t.TempDir()
	c := &agentCluster{t: t, http: &http.Client{Timeout: 30 * time.Second}}
	// The agents' ports stay held by this process until the agents
	// start, so that `gostack up`, which takes free ports of its own in
	// between, cannot take one of them.
	var held []net.Listener
	for range agentCount * 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, ln)
	}
	defer func() {
		for _, ln := range held {
			ln.Close()
		}
	}()
	for i := range agentCount {
		a := &agentProc{t: t, bin: bin, dataDir: filepath.Join(base, "agent"+strconv.Itoa(i+1)),
			log: filepath.Join(base, "agent"+strconv.Itoa(i+1)+".log")}
		for k := range 3 {
			a.ports[k] = held[3*i+k].Addr().(*net.TCPAddr).Port
		}
		c.agents = append(c.agents, a)
	}

	upDir := filepath.Join(base, "up")
	ringCmd := func(args ...string) string {
		return runBin(t, bin, append([]string{"admin", "ring", "--data-dir", upDir}, args...)...)
	}
	for k, kind := range []string{"object", "container", "account"} {
		ringCmd("create", kind, strconv.Itoa(agentPartPower), "3", "0")
		for i, a := range c.agents {
			for d := range agentDevices {
				ringCmd("add", kind, fmt.Sprintf("r1z%d-127.0.0.1:%d/d%d", i+1, a.ports[k], d+1), "100")
			}
		}
		if out := ringCmd("rebalance", kind); !strings.Contains(out, "Reassigned") {
			t.Fatalf("rebalance %s: %s", kind, out)
		}
	}
	show := ringCmd("show", "object")
	if !strings.Contains(show, "3 zones, 9 devices") {
		t.Fatalf("gostack admin ring show object:\n%s", show)
	}

	var err error
	c.cloud, err = launch.Start(launch.Options{Bin: bin, DataDir: upDir,
		Args: []string{"--compute-driver", "fake", "--network-driver", "noop"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gostack up output (last lines):\n%s", c.cloud.LogTail(40))
		}
		if err := c.cloud.Stop(); err != nil {
			t.Error(err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.cloud.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	rc, err := c.cloud.Openrc()
	if err != nil {
		t.Fatal(err)
	}
	c.env = creds(rc).with("OS_CLOUD", "").environ(t.TempDir())

	swiftDir := filepath.Join(upDir, "objectstorage")
	if c.hash, err = node.LoadHash(filepath.Join(swiftDir, "swift.json")); err != nil {
		t.Fatal(err)
	}
	for _, a := range c.agents {
		dst := filepath.Join(a.dataDir, "objectstorage")
		if err := os.MkdirAll(filepath.Join(dst, "rings"), 0o700); err != nil {
			t.Fatal(err)
		}
		copyFile(t, filepath.Join(swiftDir, "swift.json"), filepath.Join(dst, "swift.json"))
		for _, kind := range []string{"object", "container", "account"} {
			copyFile(t, filepath.Join(swiftDir, "rings", kind+".ring.gz"), filepath.Join(dst, "rings", kind+".ring.gz"))
		}
	}
	for _, ln := range held {
		ln.Close()
	}
	held = nil
	for _, a := range c.agents {
		a.start()
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("%s (last lines):\n%s", a.log, tail(a.log, 20))
			}
			a.stop()
		})
	}
	load := func(kind string) *ring.Ring {
		r, err := ring.Load(filepath.Join(swiftDir, "rings", kind+".ring.gz"))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	c.objRing, c.containerRing = load("object"), load("container")

	// A token from the openstack CLI, for the many requests the test
	// sends itself; the swift CLI signs in on its own.
	cl := &client{t: t, home: t.TempDir()}
	tok := cl.obj(creds(rc).with("OS_CLOUD", ""), "token", "issue")
	c.token, c.account = str(tok, "id"), "AUTH_"+str(tok, "project_id")
	c.url = fmt.Sprintf("http://127.0.0.1:%d/v1/%s", c.cloud.Ports["object-store"], c.account)
	return c
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// agentObject is one object the test writes, and its body.
type agentObject struct{ container, name string }

func (o agentObject) body() []byte {
	return fmt.Appendf(nil, "%s/%s of the agents' durability test\n", o.container, o.name)
}

func agentObjects(from, to int) []agentObject {
	var out []agentObject
	for i := from; i < to; i++ {
		out = append(out, agentObject{container: "c" + strconv.Itoa(i%agentContainers), name: fmt.Sprintf("obj-%04d", i)})
	}
	return out
}

// do sends one request to the Swift proxy of `gostack up`.
func (c *agentCluster) do(method string, o agentObject, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.url+"/"+o.container+"/"+o.name, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Auth-Token", c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// each runs fn on every object, eight at a time, and returns the
// count of each outcome ("201", "200", or an error) and up to three
// failures.
func (c *agentCluster) each(objs []agentObject, fn func(agentObject) (string, error)) (map[string]int, []error) {
	var (
		mu     sync.Mutex
		counts = map[string]int{}
		errs   []error
		wg     sync.WaitGroup
	)
	work := make(chan agentObject)
	for range 8 {
		wg.Go(func() {
			for o := range work {
				outcome, err := fn(o)
				mu.Lock()
				counts[outcome]++
				if err != nil && len(errs) < 3 {
					errs = append(errs, fmt.Errorf("%s/%s: %w", o.container, o.name, err))
				}
				mu.Unlock()
			}
		})
	}
	for _, o := range objs {
		work <- o
	}
	close(work)
	wg.Wait()
	return counts, errs
}

// put PUTs objs and fails the test unless every PUT answered 201.
func (c *agentCluster) put(step string, objs []agentObject) {
	c.t.Helper()
	counts, errs := c.each(objs, func(o agentObject) (string, error) {
		st, b, err := c.do(http.MethodPut, o, o.body())
		if err != nil {
			return "error", err
		}
		if st != http.StatusCreated {
			return strconv.Itoa(st), fmt.Errorf("status %d: %s", st, b)
		}
		return "201", nil
	})
	if counts["201"] != len(objs) {
		c.t.Fatalf("%s: %d PUTs, outcomes %v; e.g. %v", step, len(objs), counts, errs)
	}
}

// get GETs objs and fails the test unless every GET answered 200 with
// the object's body.
func (c *agentCluster) get(step string, objs []agentObject) {
	c.t.Helper()
	counts, errs := c.each(objs, func(o agentObject) (string, error) {
		st, b, err := c.do(http.MethodGet, o, nil)
		switch {
		case err != nil:
			return "error", err
		case st != http.StatusOK:
			return strconv.Itoa(st), fmt.Errorf("status %d: %s", st, b)
		case !bytes.Equal(b, o.body()):
			return "200 wrong body", fmt.Errorf("body %q, want %q", b, o.body())
		}
		return "200", nil
	})
	if counts["200"] != len(objs) {
		c.t.Fatalf("%s: %d GETs, outcomes %v; e.g. %v", step, len(objs), counts, errs)
	}
}

// agentReplica is one .data file: the agent (0-based) and device it is
// on, and its path.
type agentReplica struct {
	agent  int
	device string
	file   string
}

func (r agentReplica) key() string { return strconv.Itoa(r.agent) + "/" + r.device }

// replicas walks every device of every agent (a killed one's too: its
// disks are still there) and returns the .data files by object hash.
func (c *agentCluster) replicas() map[string][]agentReplica {
	c.t.Helper()
	out := map[string][]agentReplica{}
	for i, a := range c.agents {
		devs, err := os.ReadDir(a.devices())
		if err != nil {
			c.t.Fatal(err)
		}
		for _, dev := range devs {
			err := filepath.WalkDir(filepath.Join(a.devices(), dev.Name(), diskfile.DataDir(0)), func(path string, e fs.DirEntry, err error) error {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				if err != nil || e.IsDir() || !strings.HasSuffix(path, ".data") {
					return err
				}
				// objects/<part>/<suffix>/<hash>/<timestamp>.data
				hash := filepath.Base(filepath.Dir(path))
				out[hash] = append(out[hash], agentReplica{agent: i, device: dev.Name(), file: path})
				return nil
			})
			if err != nil {
				c.t.Fatal(err)
			}
		}
	}
	return out
}

// primaries are o's hash and the ring's primary devices for it, as
// "<agent>/<device>" keys.
func (c *agentCluster) primaries(o agentObject) (string, []string) {
	hash := swift.HashPath(c.hash.Prefix, c.hash.Suffix, c.account, o.container, o.name)
	var keys []string
	for _, d := range c.objRing.Nodes(c.objRing.Part(hash)) {
		keys = append(keys, c.deviceKey(d))
	}
	slices.Sort(keys)
	return hash, keys
}

// deviceKey names a ring device of any ring as "<agent>/<device>".
func (c *agentCluster) deviceKey(d ring.Device) string {
	for i, a := range c.agents {
		if d.IP == "127.0.0.1" && slices.Contains(a.ports[:], d.Port) {
			return strconv.Itoa(i) + "/" + d.Device
		}
	}
	c.t.Fatalf("ring device %+v is on no agent", d)
	return ""
}

// placement counts, over objs, the objects whose replicas are exactly
// on their three primaries and those with a copy on a handoff device,
// and describes a few that are not where they belong.
func (c *agentCluster) placement(objs []agentObject) (exact, onHandoffs, files int, bad []string) {
	all := c.replicas()
	for _, rs := range all {
		files += len(rs)
	}
	for _, o := range objs {
		hash, want := c.primaries(o)
		var got []string
		for _, r := range all[hash] {
			got = append(got, r.key())
		}
		slices.Sort(got)
		if slices.Equal(got, want) {
			exact++
			continue
		}
		if slices.ContainsFunc(got, func(k string) bool { return !slices.Contains(want, k) }) {
			onHandoffs++
		}
		if len(bad) < 3 {
			bad = append(bad, fmt.Sprintf("%s/%s on %v, primaries %v", o.container, o.name, got, want))
		}
	}
	return exact, onHandoffs, files, bad
}

// listingsAgree asks every replica of every container's database,
// straight at its agent's container server, for its names, and checks
// each lists exactly the objects written to its container; it returns
// the names listed over all replicas.
func (c *agentCluster) listingsAgree(objs []agentObject) (int, error) {
	want := map[string][]string{}
	for _, o := range objs {
		want[o.container] = append(want[o.container], o.name)
	}
	names, replicas := 0, 0
	for i := range agentContainers {
		cont := "c" + strconv.Itoa(i)
		part, devs := c.containerRing.PartNodes(c.account, cont, "", c.hash.Prefix, c.hash.Suffix)
		for _, d := range devs {
			u := fmt.Sprintf("http://%s/%s/%d/%s/%s?format=json", net.JoinHostPort(d.IP, strconv.Itoa(d.Port)), d.Device, part, c.account, cont)
			resp, err := c.http.Get(u)
			if err != nil {
				return names, err
			}
			var rows []struct {
				Name string `json:"name"`
			}
			err = json.NewDecoder(resp.Body).Decode(&rows)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				return names, fmt.Errorf("GET %s: status %d, %v", u, resp.StatusCode, err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.Name)
			}
			if !slices.Equal(got, want[cont]) {
				return names, fmt.Errorf("container %s's replica on %s lists %d names, want %d", cont, c.deviceKey(d), len(got), len(want[cont]))
			}
			names += len(got)
			replicas++
		}
	}
	if replicas != 3*agentContainers {
		return names, fmt.Errorf("%d container replicas, want %d", replicas, 3*agentContainers)
	}
	return names, nil
}

// count counts the files matching pattern under every agent's devices.
func (c *agentCluster) count(pattern ...string) int {
	n := 0
	for _, a := range c.agents {
		m, err := filepath.Glob(filepath.Join(append([]string{a.devices(), "*"}, pattern...)...))
		if err != nil {
			c.t.Fatal(err)
		}
		n += len(m)
	}
	return n
}

// waitFor polls cond until it returns nil, and fails the test with
// cond's last error after agentWait.
func waitFor(t *testing.T, what string, cond func() error) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		err := cond()
		if err == nil {
			return time.Since(start)
		}
		if time.Since(start) > agentWait {
			t.Fatalf("%s: not after %s: %v", what, agentWait, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestObjectStorageAgents is issue #15's durability bar with real
// processes: three `gostack agent object` storage nodes (rings by
// `gostack admin ring`, 3 replicas, one zone per agent) behind the Swift
// proxy of `gostack up`. 1,000 objects written; agent 3 killed — every
// object reads and 100 new writes succeed on handoffs; a file of agent 1
// corrupted — its auditor quarantines it and replication restores it
// byte for byte; agent 3 restarted — the workers alone put all 1,100
// objects on exactly their three primaries, none on handoffs, and every
// container replica lists all the names.
func TestObjectStorageAgents(t *testing.T) {
	start := time.Now()
	elapsed := func() time.Duration { return time.Since(start).Round(100 * time.Millisecond) }
	c := startAgentCluster(t)
	t.Logf("3 agents and gostack up running (%s)", elapsed())
	for i := range agentContainers {
		tool(t, c.env, time.Minute, "/usr/bin/swift", "post", "c"+strconv.Itoa(i))
	}

	// 1. A thousand objects, each on its three primaries.
	first := agentObjects(0, 1000)
	c.put("step 1", first)
	if exact, _, files, bad := c.placement(first); exact != len(first) || files != 3*len(first) {
		t.Fatalf("step 1: %d of %d objects on exactly their 3 primaries, %d .data files; e.g. %v", exact, len(first), files, bad)
	}
	t.Logf("step 1: %d PUTs 201, each object on exactly its 3 primaries (%s)", len(first), elapsed())

	// 2. Agent 3 dies: every object still reads, and new writes go to a
	// handoff in its place.
	c.agents[2].kill()
	c.get("step 2, agent 3 killed", first)
	second := agentObjects(1000, 1100)
	c.put("step 2, agent 3 killed", second)
	all := c.replicas()
	for _, o := range second {
		hash, primaries := c.primaries(o)
		var live, hand int
		for _, r := range all[hash] {
			switch {
			case r.agent == 2:
				t.Fatalf("%s/%s was written to the killed agent 3 (%s)", o.container, o.name, r.key())
			case slices.Contains(primaries, r.key()):
				live++
			default:
				hand++
			}
		}
		if live != 2 || hand != 1 {
			t.Fatalf("%s/%s: %d replicas on live primaries and %d on handoffs, want 2 and 1", o.container, o.name, live, hand)
		}
	}
	t.Logf("step 2: agent 3 killed; %d GETs 200 with their bodies, %d PUTs 201, each on 2 primaries and 1 handoff (%s)",
		len(first), len(second), elapsed())

	// 3. Bits flip in a file of agent 1: its auditor quarantines the file
	// and replication brings a good copy back.
	victim := first[123]
	hash, _ := c.primaries(victim)
	var bad, good agentReplica
	for _, r := range all[hash] {
		switch r.agent {
		case 0:
			bad = r
		case 1:
			good = r
		}
	}
	if bad.file == "" || good.file == "" {
		t.Fatalf("%s/%s has no replica on agent 1 or agent 2: %v", victim.container, victim.name, all[hash])
	}
	damaged, err := os.ReadFile(bad.file)
	if err != nil {
		t.Fatal(err)
	}
	damaged[0] ^= 0xff
	damaged[5] ^= 0x55
	// A new file renamed over the old, so that the auditor reads either
	// the whole good file or the whole damaged one.
	if err := os.WriteFile(bad.file+".tmp", damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(bad.file+".tmp", bad.file); err != nil {
		t.Fatal(err)
	}
	qglob := filepath.Join(c.agents[0].devices(), bad.device, "quarantined", diskfile.DataDir(0), hash+"*", filepath.Base(bad.file))
	took := waitFor(t, "quarantine and restore of agent 1's damaged file", func() error {
		qs, _ := filepath.Glob(qglob)
		if len(qs) != 1 {
			return fmt.Errorf("%d quarantined copies at %s", len(qs), qglob)
		}
		if q, err := os.ReadFile(qs[0]); err != nil || !bytes.Equal(q, damaged) {
			return fmt.Errorf("quarantined file %s: %v, the damaged bytes: %v", qs[0], err, bytes.Equal(q, damaged))
		}
		restored, err := os.ReadFile(bad.file)
		if err != nil {
			return fmt.Errorf("quarantined, not restored yet: %v", err)
		}
		want, err := os.ReadFile(good.file)
		if err != nil {
			return err
		}
		if !bytes.Equal(restored, want) {
			return fmt.Errorf("agent 1's restored file (%d bytes) differs from agent 2's (%d bytes)", len(restored), len(want))
		}
		return nil
	})
	// The agent's own auditor found it: no GET read the damaged file.
	auditorLine := false
	for l := range strings.Lines(tail(c.agents[0].log, 1<<20)) {
		auditorLine = auditorLine || strings.Contains(l, "object quarantined") && strings.Contains(l, "worker=object-auditor")
	}
	if !auditorLine {
		t.Fatalf("agent 1's log has no quarantine by the object auditor")
	}
	c.get("step 3", []agentObject{victim})
	t.Logf("step 3: agent 1's copy of %s/%s damaged; quarantined by its auditor and restored byte-identical to agent 2's within %s (%s)",
		victim.container, victim.name, took.Round(100*time.Millisecond), elapsed())

	// 4. Agent 3 comes back on its ports and disks: its peers' workers
	// and its own put every replica back on its primaries and empty the
	// handoffs.
	c.agents[2].start()
	everything := append(slices.Clone(first), second...)
	var names int
	took = waitFor(t, "convergence after agent 3's restart", func() error {
		exact, handoffs, files, bad := c.placement(everything)
		if exact != len(everything) || files != 3*len(everything) {
			return fmt.Errorf("%d of %d objects on exactly their 3 primaries, %d with a handoff copy, %d .data files (want %d); e.g. %v",
				exact, len(everything), handoffs, files, 3*len(everything), bad)
		}
		if n := c.count(diskfile.AsyncDir(0), "*", "*"); n != 0 {
			return fmt.Errorf("%d container updates still pending", n)
		}
		var err error
		names, err = c.listingsAgree(everything)
		return err
	})
	dbs := c.count("containers", "*", "*", "*", "*.db")
	if dbs != 3*agentContainers {
		t.Fatalf("%d container databases on the agents, want %d", dbs, 3*agentContainers)
	}
	t.Logf("step 4: agent 3 restarted; within %s all %d objects on exactly their 3 primaries (%d .data files, none on handoffs), "+
		"no pending updates, %d container databases, each of the %d containers' 3 replicas lists its names, %d in all (%s)",
		took.Round(100*time.Millisecond), len(everything), 3*len(everything), dbs, agentContainers, names, elapsed())

	// What users see: the swift CLI lists every name, and the account's
	// object count, which the container updaters report, comes to 1,100.
	listed := 0
	for i := range agentContainers {
		listed += len(strings.Fields(tool(t, c.env, time.Minute, "/usr/bin/swift", "list", "c"+strconv.Itoa(i))))
	}
	if listed != len(everything) {
		t.Fatalf("swift list: %d names in all, want %d", listed, len(everything))
	}
	waitFor(t, "the account's object count", func() error {
		stat := tool(t, c.env, time.Minute, "/usr/bin/swift", "stat")
		if !strings.Contains(stat, "Objects: "+strconv.Itoa(len(everything))+"\n") {
			return fmt.Errorf("swift stat:\n%s", stat)
		}
		return nil
	})
	// The proxy's own node in `gostack up` is in none of the rings: it
	// holds nothing.
	var upFiles []string
	filepath.WalkDir(filepath.Join(c.cloud.DataDir, "objectstorage", "node"), func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			upFiles = append(upFiles, path)
		}
		return nil
	})
	if len(upFiles) > 0 {
		t.Fatalf("gostack up's own storage node holds %d files, want none: %v", len(upFiles), upFiles[:min(3, len(upFiles))])
	}
	t.Logf("swift list: %d names; swift stat: %d objects; gostack up's own node: no files (%s)", listed, len(everything), elapsed())
}
