package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/objectstorage/objserver/auditor"
	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
	"github.com/gostack/gostack/internal/objectstorage/proxy"
	"github.com/gostack/gostack/internal/objectstorage/proxy/backend"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
	"github.com/gostack/gostack/internal/platform/auth"
)

// The durability test's cluster: three storage nodes of two devices
// each, one zone per node, so that every partition has one replica on
// each node and a node's other device can stand in for a failed primary.
const (
	durNodes      = 3
	durDevices    = 2
	durPartPower  = 6
	durToken      = "durability-token"
	durProject    = "0123456789abcdef0123456789abcdef"
	durAccount    = "AUTH_" + durProject
	durContainers = 4
	// durMaxRounds bounds the replication rounds after the failed node
	// comes back: a round is one pass of every replicator and updater on
	// every node. One is enough today (each node pushes what node 3
	// missed and reverts its handoff partitions in the same pass); the
	// bound leaves room for a replicator that needs a second look, and
	// keeps a non-converging one from running forever.
	durMaxRounds = 6
)

// durNode is one storage node as `gostack agent object` runs it: a
// node.Node over its own devices root and its three servers on fixed
// loopback addresses, so that it can stop and come back on the same
// ports the rings name.
type durNode struct {
	cfg     Config
	node    *Node
	servers []*http.Server
}

// addrs are the node's object, container and account server addresses.
func (d *durNode) addrs() [3]string {
	ip := d.cfg.IP
	return [3]string{
		net.JoinHostPort(ip, strconv.Itoa(d.cfg.ObjectPort)),
		net.JoinHostPort(ip, strconv.Itoa(d.cfg.ContainerPort)),
		net.JoinHostPort(ip, strconv.Itoa(d.cfg.AccountPort)),
	}
}

// start builds the node (as a process start would) and serves it on its
// addresses; lns, when given, are listeners already bound to them.
func (d *durNode) start(t *testing.T, lns []net.Listener) {
	t.Helper()
	n, err := New(d.cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.node = n
	handlers := []http.Handler{n.Object, n.Container, n.Account}
	for i, addr := range d.addrs() {
		var ln net.Listener
		if lns != nil {
			ln = lns[i]
		} else if ln, err = net.Listen("tcp", addr); err != nil {
			t.Fatalf("listening again on %s: %v", addr, err)
		}
		srv := &http.Server{Handler: handlers[i], ReadHeaderTimeout: 10 * time.Second}
		d.servers = append(d.servers, srv)
		go srv.Serve(ln)
	}
}

// stop closes the node's listeners and connections: to the proxy and
// the other nodes it is a failed host.
func (d *durNode) stop() {
	for _, s := range d.servers {
		s.Close()
	}
	d.servers = nil
}

// durCluster is the three nodes, their rings and a proxy in front.
type durCluster struct {
	t                      *testing.T
	root                   string
	hash                   Hash
	nodes                  []*durNode
	objRing, containerRing *ring.Ring
	proxy                  *httptest.Server
}

func startDurCluster(t *testing.T) *durCluster {
	c := &durCluster{t: t, root: t.TempDir()}
	var err error
	if c.hash, err = LoadHash(filepath.Join(c.root, "swift.json")); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		// Errors only: a stopped node makes every peer warn about it.
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	rings := filepath.Join(c.root, "rings")
	if err := os.MkdirAll(rings, 0o700); err != nil {
		t.Fatal(err)
	}
	// Every listener is bound before the rings are built: the rings name
	// the ports the nodes serve on.
	listeners := make([][]net.Listener, durNodes)
	var devices [][]string
	for i := range durNodes {
		for range 3 {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			listeners[i] = append(listeners[i], ln)
		}
		port := func(k int) int { return listeners[i][k].Addr().(*net.TCPAddr).Port }
		dir := filepath.Join(c.root, "node"+strconv.Itoa(i+1))
		names, err := MakeDevices(dir, durDevices)
		if err != nil {
			t.Fatal(err)
		}
		devices = append(devices, names)
		c.nodes = append(c.nodes, &durNode{cfg: Config{
			Devices: dir, Rings: rings, HashPrefix: c.hash.Prefix, HashSuffix: c.hash.Suffix,
			IP: "127.0.0.1", ObjectPort: port(0), ContainerPort: port(1), AccountPort: port(2), Log: log,
		}})
	}
	for k, kind := range []string{"object", "container", "account"} {
		b, err := ring.NewBuilder(durPartPower, 3, 0)
		if err != nil {
			t.Fatal(err)
		}
		b.SetSeed(uint64(k + 1))
		for i, dn := range c.nodes {
			host, port, _ := HostPort(dn.addrs()[k])
			for _, dev := range devices[i] {
				if _, err := b.Add(ring.Device{ID: -1, Region: 1, Zone: i + 1, IP: host, Port: port, Device: dev, Weight: 100}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, _, err := b.Rebalance(); err != nil {
			t.Fatal(err)
		}
		r, err := b.Ring()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Save(filepath.Join(rings, kind+".ring.gz")); err != nil {
			t.Fatal(err)
		}
	}
	for i, dn := range c.nodes {
		dn.start(t, listeners[i])
		t.Cleanup(dn.stop)
	}
	load := func(kind string) *ring.Ring {
		r, err := ring.Load(filepath.Join(rings, kind+".ring.gz"))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	c.objRing, c.containerRing = load("object"), load("container")
	p := proxy.New(proxy.Config{
		AccountRing: load("account"), ContainerRing: c.containerRing, ObjectRing: c.objRing,
		HashPrefix: c.hash.Prefix, HashSuffix: c.hash.Suffix, Client: backend.NewHTTPClient(), Log: log,
		Validator: auth.Static{durToken: {
			UserID: "u", UserName: "u", UserDomainID: "default",
			ProjectID: durProject, ProjectName: "p", ProjectDomainID: "default", Roles: []string{"admin", "member"},
		}},
	})
	c.proxy = httptest.NewServer(p.Edge(p.App()))
	t.Cleanup(c.proxy.Close)
	return c
}

// do sends one request to the proxy and returns its status and body.
func (c *durCluster) do(method, path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.proxy.URL+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Auth-Token", durToken)
	resp, err := c.proxy.Client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// durObject is one object the test wrote and the body it holds.
type durObject struct {
	container, name string
	body            []byte
}

func (o durObject) path() string { return "/v1/" + durAccount + "/" + o.container + "/" + o.name }

func makeObjects(from, to int) []durObject {
	var out []durObject
	for i := from; i < to; i++ {
		out = append(out, durObject{
			container: "c" + strconv.Itoa(i%durContainers),
			name:      fmt.Sprintf("obj-%04d", i),
			body:      fmt.Appendf(nil, "object %d of the durability test: %x", i, i*7919),
		})
	}
	return out
}

// each runs fn on every object, eight at a time, and returns the
// failures.
func each(objs []durObject, fn func(durObject) error) []error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	work := make(chan durObject)
	for range 8 {
		wg.Go(func() {
			for o := range work {
				if err := fn(o); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("%s: %w", o.path(), err))
					mu.Unlock()
				}
			}
		})
	}
	for _, o := range objs {
		work <- o
	}
	close(work)
	wg.Wait()
	return errs
}

func (c *durCluster) put(objs []durObject) []error {
	return each(objs, func(o durObject) error {
		st, b, err := c.do(http.MethodPut, o.path(), o.body)
		if err == nil && st != http.StatusCreated {
			err = fmt.Errorf("status %d, want 201: %s", st, b)
		}
		return err
	})
}

func (c *durCluster) get(objs []durObject) []error {
	return each(objs, func(o durObject) error {
		st, b, err := c.do(http.MethodGet, o.path(), nil)
		switch {
		case err != nil:
			return err
		case st != http.StatusOK:
			return fmt.Errorf("status %d, want 200: %s", st, b)
		case !bytes.Equal(b, o.body):
			return fmt.Errorf("body %q, want %q", b, o.body)
		}
		return nil
	})
}

// replica is where one copy of an object lies: a node (0-based), one of
// its devices, and the .data file.
type replica struct {
	node   int
	device string
	file   string
}

// replicas walks every device of every node (stopped ones too: their
// disks are still there) and returns the .data files by object hash.
func (c *durCluster) replicas() map[string][]replica {
	c.t.Helper()
	out := map[string][]replica{}
	for i, dn := range c.nodes {
		devs, err := os.ReadDir(dn.cfg.Devices)
		if err != nil {
			c.t.Fatal(err)
		}
		for _, dev := range devs {
			root := filepath.Join(dn.cfg.Devices, dev.Name(), diskfile.DataDir(0))
			err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				if err != nil || e.IsDir() || !strings.HasSuffix(path, ".data") {
					return err
				}
				// objects/<part>/<suffix>/<hash>/<timestamp>.data
				hash := filepath.Base(filepath.Dir(path))
				out[hash] = append(out[hash], replica{node: i, device: dev.Name(), file: path})
				return nil
			})
			if err != nil {
				c.t.Fatal(err)
			}
		}
	}
	return out
}

// placement says where o belongs: its hash and its primaries as
// node/device keys.
func (c *durCluster) placement(o durObject) (string, []string) {
	hash := swift.HashPath(c.hash.Prefix, c.hash.Suffix, durAccount, o.container, o.name)
	var keys []string
	for _, d := range c.objRing.Nodes(c.objRing.Part(hash)) {
		keys = append(keys, c.deviceKey(d))
	}
	slices.Sort(keys)
	return hash, keys
}

// deviceKey names a ring device of any of the three rings as
// "<node>/<device>", node 0-based.
func (c *durCluster) deviceKey(d ring.Device) string {
	for i, dn := range c.nodes {
		if addrs := dn.addrs(); slices.Contains(addrs[:], net.JoinHostPort(d.IP, strconv.Itoa(d.Port))) {
			return strconv.Itoa(i) + "/" + d.Device
		}
	}
	c.t.Fatalf("ring device %+v is on no node", d)
	return ""
}

func keys(rs []replica) []string {
	var out []string
	for _, r := range rs {
		out = append(out, strconv.Itoa(r.node)+"/"+r.device)
	}
	slices.Sort(out)
	return out
}

// placementReport counts, over objs, the objects whose replicas are
// exactly on their primaries, and describes up to a few that are not.
func (c *durCluster) placementReport(objs []durObject) (exact, onHandoffs int, bad []string) {
	all := c.replicas()
	for _, o := range objs {
		hash, want := c.placement(o)
		got := keys(all[hash])
		if slices.Equal(got, want) {
			exact++
			continue
		}
		for _, k := range got {
			if !slices.Contains(want, k) {
				onHandoffs++
				break
			}
		}
		if len(bad) < 5 {
			bad = append(bad, fmt.Sprintf("%s: replicas on %v, primaries %v", o.path(), got, want))
		}
	}
	return exact, onHandoffs, bad
}

// listings asks each replica of each container's database, straight at
// its container server, for its object names, and returns them by
// replica (node/device) with the total per replica position.
func (c *durCluster) listings() (map[string][]string, error) {
	out := map[string][]string{}
	for i := range durContainers {
		cont := "c" + strconv.Itoa(i)
		part, nodes := c.containerRing.PartNodes(durAccount, cont, "", c.hash.Prefix, c.hash.Suffix)
		for _, d := range nodes {
			u := backend.URL(d, part, "/"+durAccount+"/"+cont, "format=json")
			req, err := http.NewRequestWithContext(c.t.Context(), http.MethodGet, u, nil)
			if err != nil {
				return nil, err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, err
			}
			var rows []struct {
				Name string `json:"name"`
			}
			err = json.NewDecoder(resp.Body).Decode(&rows)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("GET %s: status %d, %v", u, resp.StatusCode, err)
			}
			for _, r := range rows {
				out[cont+"@"+c.deviceKey(d)] = append(out[cont+"@"+c.deviceKey(d)], cont+"/"+r.Name)
			}
			if len(rows) == 0 {
				out[cont+"@"+c.deviceKey(d)] = nil
			}
		}
	}
	return out, nil
}

// asyncPending counts the container updates the nodes' object servers
// saved for their updaters to send later.
func (c *durCluster) asyncPending() int {
	n := 0
	for _, dn := range c.nodes {
		matches, err := filepath.Glob(filepath.Join(dn.cfg.Devices, "*", diskfile.AsyncDir(0), "*", "*"))
		if err != nil {
			c.t.Fatal(err)
		}
		n += len(matches)
	}
	return n
}

// containerDBs counts each node's container database files.
func (c *durCluster) containerDBs() int {
	n := 0
	for _, dn := range c.nodes {
		matches, err := filepath.Glob(filepath.Join(dn.cfg.Devices, "*", "containers", "*", "*", "*", "*.db"))
		if err != nil {
			c.t.Fatal(err)
		}
		n += len(matches)
	}
	return n
}

// TestDurability is issue #15's durability bar: three storage nodes and
// three replicas keep every object through a node failure, a corrupted
// file and the node's return, and the replicas converge back onto their
// primaries.
func TestDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and replicates 1,100 objects over three storage nodes")
	}
	start := time.Now()
	ctx := t.Context()
	c := startDurCluster(t)
	if err := c.nodes[0].node.Once(ctx, "swift-no-such-worker"); err == nil {
		t.Fatal("Once ran an unknown worker without an error")
	}
	for i := range durContainers {
		if st, b, err := c.do(http.MethodPut, "/v1/"+durAccount+"/c"+strconv.Itoa(i), nil); err != nil || st != http.StatusCreated {
			t.Fatalf("PUT container c%d: %d %s %v", i, st, b, err)
		}
	}

	// 1. A thousand objects, three replicas each.
	first := makeObjects(0, 1000)
	if errs := c.put(first); len(errs) > 0 {
		t.Fatalf("%d of %d PUTs failed; first: %v", len(errs), len(first), errs[0])
	}
	if exact, _, bad := c.placementReport(first); exact != len(first) {
		t.Fatalf("after the PUTs %d of %d objects have exactly their 3 primaries; e.g. %v", exact, len(first), bad)
	}
	t.Logf("step 1: %d objects PUT, each on its 3 primaries (%s)", len(first), time.Since(start).Round(time.Millisecond))

	// 2. Node 3 fails: every object still reads, and new writes go to
	// handoffs in its place.
	c.nodes[2].stop()
	if errs := c.get(first); len(errs) > 0 {
		t.Fatalf("with node 3 down %d of %d GETs failed; first: %v", len(errs), len(first), errs[0])
	}
	second := makeObjects(1000, 1100)
	if errs := c.put(second); len(errs) > 0 {
		t.Fatalf("with node 3 down %d of %d PUTs failed; first: %v", len(errs), len(second), errs[0])
	}
	all := c.replicas()
	handedOff := 0
	for _, o := range second {
		hash, primaries := c.placement(o)
		var live, hand int
		for _, k := range keys(all[hash]) {
			switch {
			case strings.HasPrefix(k, "2/"):
				t.Fatalf("%s was written to the stopped node 3 (%s)", o.path(), k)
			case slices.Contains(primaries, k):
				live++
			default:
				hand++
			}
		}
		if live != 2 || hand != 1 {
			t.Fatalf("%s: %d replicas on live primaries and %d on handoffs, want 2 and 1", o.path(), live, hand)
		}
		handedOff++
	}
	// Node 3's container replicas missed the new objects' rows: the
	// object servers keep those updates for the updater.
	pending := c.asyncPending()
	if pending == 0 {
		t.Fatal("no container update was saved for later while node 3's container server was down")
	}
	t.Logf("step 2: node 3 down, %d GETs 200 with their bodies, %d PUTs 201, each with 2 primaries and 1 handoff; %d async pendings (%s)",
		len(first), handedOff, pending, time.Since(start).Round(time.Millisecond))

	// 3. A bit flips in a file of node 1: the auditor quarantines it and
	// replication brings a good copy back.
	victim := first[123]
	hash, _ := c.placement(victim)
	var bad, good replica
	for _, r := range all[hash] {
		switch r.node {
		case 0:
			bad = r
		case 1:
			good = r
		}
	}
	if bad.file == "" || good.file == "" {
		t.Fatalf("%s has no replica on node 1 or node 2: %v", victim.path(), all[hash])
	}
	data, err := os.ReadFile(bad.file)
	if err != nil {
		t.Fatal(err)
	}
	data[0] ^= 0xff
	data[5] ^= 0x55
	if err := os.WriteFile(bad.file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	aud := auditor.New(auditor.Config{Devices: c.nodes[0].cfg.Devices, HashPrefix: c.hash.Prefix, HashSuffix: c.hash.Suffix,
		FilesPerSecond: -1, BytesPerSecond: -1, Log: c.nodes[0].cfg.Log})
	ast, err := aud.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ast.Quarantined != 1 || ast.Errors != 0 {
		t.Fatalf("auditor on node 1: %+v, want 1 quarantined and no errors", ast)
	}
	qfile := filepath.Join(c.nodes[0].cfg.Devices, bad.device, "quarantined", "objects", hash, filepath.Base(bad.file))
	if q, err := os.ReadFile(qfile); err != nil || !bytes.Equal(q, data) {
		t.Fatalf("quarantined file %s: %v (the damaged bytes: %v)", qfile, err, bytes.Equal(q, data))
	}
	if _, err := os.Stat(bad.file); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the damaged file is still in place: %v", err)
	}
	if errs := c.get([]durObject{victim}); len(errs) > 0 {
		t.Fatalf("GET of the quarantined object: %v", errs[0])
	}
	for _, i := range []int{0, 1} {
		if err := c.nodes[i].node.Once(ctx, "swift-object-replicator"); err != nil {
			t.Fatalf("node %d: %v", i+1, err)
		}
	}
	restored, err := os.ReadFile(bad.file)
	if err != nil {
		t.Fatalf("replication did not restore %s on node 1: %v", victim.path(), err)
	}
	want, err := os.ReadFile(good.file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(restored, want) {
		gotMD, gotLen, _ := diskfile.ReadFileMetadata(bad.file)
		wantMD, wantLen, _ := diskfile.ReadFileMetadata(good.file)
		t.Fatalf("node 1's restored file differs from node 2's: body %q vs %q; metadata (-node2 +node1):\n%s",
			restored[:gotLen], want[:wantLen], cmp.Diff(wantMD, gotMD))
	}
	if !bytes.HasPrefix(restored, victim.body) {
		t.Fatalf("node 1's restored file does not start with the object's body")
	}
	t.Logf("step 3: auditor %+v; node 1's copy of %s restored byte-identical to node 2's (%s)",
		ast, victim.path(), time.Since(start).Round(time.Millisecond))

	// 4. Node 3 comes back: replication puts every replica back on its
	// primaries and empties the handoffs.
	c.nodes[2].start(t, nil)
	// The workers that move data between nodes; the auditor, which reads
	// every file at a limited rate, ran above on its own.
	repairWorkers := []string{
		"swift-object-updater", "swift-object-replicator",
		"swift-container-replicator", "swift-account-replicator", "swift-container-updater",
	}
	everything := append(slices.Clone(first), second...)
	converged := func() error {
		if exact, handoff, misfits := c.placementReport(everything); exact != len(everything) {
			return fmt.Errorf("%d of %d objects have exactly their 3 primaries (%d with a handoff copy); e.g. %v",
				exact, len(everything), handoff, misfits)
		}
		return c.listingsAgree(everything)
	}
	round := func(n int) {
		for i, dn := range c.nodes {
			if err := dn.node.Once(ctx, repairWorkers...); err != nil {
				t.Fatalf("round %d, node %d: %v", n, i+1, err)
			}
		}
	}
	rounds := 0
	for err := errors.New("not replicated yet"); err != nil; err = converged() {
		if rounds == durMaxRounds {
			t.Fatalf("after %d rounds: %v", rounds, err)
		}
		rounds++
		round(rounds)
	}
	// Stable: one more round finds nothing to move, and no replicator
	// puts a copy back on a handoff.
	round(rounds + 1)
	if err := converged(); err != nil {
		t.Fatalf("converged after %d rounds, then one more: %v", rounds, err)
	}
	total := 0
	for _, rs := range c.replicas() {
		total += len(rs)
	}
	if total != 3*len(everything) {
		t.Fatalf("%d .data files on the nodes, want %d", total, 3*len(everything))
	}
	if n := c.asyncPending(); n != 0 {
		t.Fatalf("%d container updates still pending", n)
	}
	if n := c.containerDBs(); n != 3*durContainers {
		t.Fatalf("%d container databases on the nodes, want %d", n, 3*durContainers)
	}
	t.Logf("step 4: node 3 back; after %d rounds (and one more, which changed nothing) %d objects have exactly 3 replicas on their primaries "+
		"(%d .data files, none on handoffs), %d container databases, each of the %d containers' 3 replicas lists the same names, %d in all (%s)",
		rounds, len(everything), total, c.containerDBs(), durContainers, len(everything), time.Since(start).Round(time.Millisecond))
}

// listingsAgree checks that every replica of every container lists
// exactly the objects written to it.
func (c *durCluster) listingsAgree(objs []durObject) error {
	got, err := c.listings()
	if err != nil {
		return err
	}
	want := map[string][]string{}
	for _, o := range objs {
		want[o.container] = append(want[o.container], o.container+"/"+o.name)
	}
	names := 0
	for key, list := range got {
		cont, _, _ := strings.Cut(key, "@")
		if !slices.Equal(list, want[cont]) {
			return fmt.Errorf("container replica %s lists %d names, want %d", key, len(list), len(want[cont]))
		}
		names += len(list)
	}
	if len(got) != 3*durContainers || names != 3*len(objs) {
		return fmt.Errorf("%d container replicas list %d names, want %d and %d", len(got), names, 3*durContainers, 3*len(objs))
	}
	return nil
}
