package replicator_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/account"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/container"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/replicator"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// node is one storage node: a server over its own device.
type node struct {
	cfg    dbserver.Config
	srv    *httptest.Server
	device string
	port   int
}

// cluster is n nodes of one kind with a 3-replica ring over them.
type cluster struct {
	t     *testing.T
	kind  replicator.Kind
	nodes []*node
	ring  *ring.Ring
}

func newCluster(t *testing.T, kind replicator.Kind, n int) *cluster {
	c := &cluster{t: t, kind: kind}
	b, err := ring.NewBuilder(4, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		devices := t.TempDir()
		dev := fmt.Sprintf("sd%c", 'a'+i)
		if err := os.Mkdir(filepath.Join(devices, dev), 0o755); err != nil {
			t.Fatal(err)
		}
		cfg := dbserver.Config{Devices: devices}.WithDefaults()
		var h http.Handler
		if kind == replicator.Accounts {
			h = account.New(cfg)
		} else {
			h = container.New(cfg)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(func() { srv.Close(); cfg.Cache.Close() })
		_, portS, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
		port, _ := strconv.Atoi(portS)
		c.nodes = append(c.nodes, &node{cfg: cfg, srv: srv, device: dev, port: port})
		if _, err := b.Add(ring.Device{ID: -1, Region: 1, Zone: i + 1, IP: "127.0.0.1", Port: port, Device: dev, Weight: 100}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := b.Rebalance(); err != nil {
		t.Fatal(err)
	}
	if c.ring, err = b.Ring(); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *cluster) part(account, cont string) (int, []ring.Device) {
	return c.ring.PartNodes(account, cont, "", "", "")
}

// nodeOf returns the node serving device d.
func (c *cluster) nodeOf(d ring.Device) *node {
	for _, n := range c.nodes {
		if n.port == d.Port {
			return n
		}
	}
	c.t.Fatalf("no node for %+v", d)
	return nil
}

func (c *cluster) do(n *node, method, path string, hdr map[string]string) (int, string, http.Header) {
	c.t.Helper()
	req, _ := http.NewRequest(method, n.srv.URL+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (c *cluster) replicateAll() replicator.Stats {
	c.t.Helper()
	var total replicator.Stats
	for _, n := range c.nodes {
		port := n.port
		r := replicator.New(replicator.Config{
			Server:  n.cfg,
			Kind:    c.kind,
			Ring:    func() *ring.Ring { return c.ring },
			IsLocal: func(d ring.Device) bool { return d.Port == port },
		})
		st, err := r.Once(context.Background())
		if err != nil {
			c.t.Fatal(err)
		}
		total.Attempted += st.Attempted
		total.Success += st.Success
		total.Failure += st.Failure
		total.NoChange += st.NoChange
		total.HashMatch += st.HashMatch
		total.Whole += st.Whole
		total.Diff += st.Diff
		total.Remove += st.Remove
	}
	return total
}

// ts returns the i-th test timestamp, i seconds after an hour ago:
// recent, so that the replicator does not reclaim the test's tombstones
// as older than the reclaim age.
func ts(i int) string {
	base := time.Now().Truncate(time.Hour).Add(-time.Hour).Unix()
	return swift.FromRaw((base + int64(i)) * 100000).Internal()
}

func objHdr(stamp, size string) map[string]string {
	return map[string]string{"X-Timestamp": stamp, "X-Size": size, "X-Content-Type": "text/plain", "X-Etag": "etag" + size}
}

func TestContainerReplicasConverge(t *testing.T) {
	c := newCluster(t, replicator.Containers, 3)
	part, primaries := c.part("AUTH_t", "c")
	n0, n1, n2 := c.nodeOf(primaries[0]), c.nodeOf(primaries[1]), c.nodeOf(primaries[2])
	base := func(n *node) string { return "/" + n.device + "/" + strconv.Itoa(part) + "/AUTH_t/c" }
	// The container PUT reached two of three replicas, each of which got
	// different object updates.
	for _, n := range []*node{n0, n1} {
		if st, body, _ := c.do(n, "PUT", base(n), map[string]string{"X-Timestamp": ts(1), "X-Container-Meta-Color": "red"}); st != 201 {
			t.Fatalf("PUT container: %d %s", st, body)
		}
	}
	for _, u := range []struct {
		n            *node
		method, name string
		hdr          map[string]string
	}{
		{n0, "PUT", "o1", objHdr(ts(2), "1")},
		{n1, "PUT", "o2", objHdr(ts(3), "2")},
		{n1, "PUT", "o3", objHdr(ts(1), "3")},
		{n0, "DELETE", "o3", map[string]string{"X-Timestamp": ts(4)}}, // the newer delete wins
		{n1, "PUT", "o4", objHdr(ts(5), "4")},
		{n0, "PUT", "o4", objHdr(ts(6), "44")}, // the newer write wins
	} {
		if st, body, _ := c.do(u.n, u.method, base(u.n)+"/"+u.name, u.hdr); st/100 != 2 {
			t.Fatalf("%s %s: %d %s", u.method, u.name, st, body)
		}
	}
	// A newer metadata change on one replica spreads too.
	if st, _, _ := c.do(n1, "POST", base(n1), map[string]string{"X-Timestamp": ts(7), "X-Container-Meta-Color": "blue"}); st != 204 {
		t.Fatalf("POST: %d", st)
	}
	st := c.replicateAll()
	if st.Whole == 0 {
		t.Errorf("the missing replica was not sent whole: %+v", st)
	}
	// A second pass spreads what the first brought to each node.
	c.replicateAll()
	want := "o1\no2\no4\n"
	var hashes []string
	for _, n := range []*node{n0, n1, n2} {
		code, body, h := c.do(n, "GET", base(n), nil)
		if code != 200 || body != want {
			t.Errorf("node %s: GET %d %q, want %q", n.device, code, body, want)
		}
		if h.Get("X-Container-Object-Count") != "3" || h.Get("X-Container-Bytes-Used") != "47" ||
			h.Get("X-Container-Meta-Color") != "blue" || h.Get("X-Backend-Put-Timestamp") != ts(7) {
			t.Errorf("node %s headers: count %s bytes %s color %s put %s", n.device, h.Get("X-Container-Object-Count"),
				h.Get("X-Container-Bytes-Used"), h.Get("X-Container-Meta-Color"), h.Get("X-Backend-Put-Timestamp"))
		}
		_, body, _ = c.do(n, "GET", base(n)+"?format=json&prefix=o4", nil)
		if !strings.Contains(body, `"bytes": 44`) {
			t.Errorf("node %s: o4 is %s", n.device, body)
		}
		hashes = append(hashes, dbHash(t, n, part))
	}
	if hashes[0] != hashes[1] || hashes[1] != hashes[2] {
		t.Errorf("hashes differ: %v", hashes)
	}
	// Nothing is left to do.
	st = c.replicateAll()
	if st.Diff != 0 || st.Whole != 0 || st.Failure != 0 || st.NoChange+st.HashMatch != 6 {
		t.Errorf("third pass: %+v", st)
	}
	// A damaged replica is quarantined by the first request that reads
	// it, and the replicator brings a good copy back.
	path := n2.cfg.DBPath(n2.device, strconv.Itoa(part), "AUTH_t", "c")
	n2.cfg.Cache.Forget(path)
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	if err := os.WriteFile(path, []byte(strings.Repeat("garbage!", 1024)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := c.do(n2, "HEAD", base(n2), nil); code != 500 {
		t.Fatalf("HEAD of a damaged database: %d", code)
	}
	q, _ := filepath.Glob(filepath.Join(n2.cfg.Devices, n2.device, "quarantined", "containers", "*"))
	if len(q) != 1 {
		t.Fatalf("quarantined: %v", q)
	}
	if code, _, _ := c.do(n2, "HEAD", base(n2), nil); code != 404 {
		t.Fatalf("HEAD after quarantine: %d", code)
	}
	c.replicateAll()
	if code, _, h := c.do(n2, "HEAD", base(n2), nil); code != 204 || h.Get("X-Container-Object-Count") != "3" {
		t.Fatalf("HEAD after replication: %d %v", code, h)
	}

	// A delete on one replica spreads: the container is gone everywhere.
	for _, name := range []string{"o1", "o2", "o4"} {
		c.do(n2, "DELETE", base(n2)+"/"+name, map[string]string{"X-Timestamp": ts(8)})
	}
	if code, body, _ := c.do(n2, "DELETE", base(n2), map[string]string{"X-Timestamp": ts(9)}); code != 204 {
		t.Fatalf("DELETE container: %d %s", code, body)
	}
	c.replicateAll()
	c.replicateAll()
	for _, n := range []*node{n0, n1, n2} {
		if code, _, h := c.do(n, "HEAD", base(n), nil); code != 404 || h.Get("X-Backend-Delete-Timestamp") != ts(9) {
			t.Errorf("node %s after delete: %d %s", n.device, code, h.Get("X-Backend-Delete-Timestamp"))
		}
	}
}

// dbHash reads a node's container hash through a REPLICATE sync call.
func dbHash(t *testing.T, n *node, part int) string {
	t.Helper()
	hash := swift.HashPath("", "", "AUTH_t", "c", "")
	req, _ := http.NewRequest("REPLICATE", fmt.Sprintf("%s/%s/%d/%s", n.srv.URL, n.device, part, hash),
		strings.NewReader(`["sync", -1, "x", "probe", "0", "0", "0", ""]`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	i := strings.Index(string(b), `"hash":"`)
	if resp.StatusCode != 200 || i < 0 {
		t.Fatalf("sync probe: %d %s", resp.StatusCode, b)
	}
	return string(b[i+8 : i+40])
}

func TestAccountReplicasConverge(t *testing.T) {
	c := newCluster(t, replicator.Accounts, 3)
	part, primaries := c.part("AUTH_t", "")
	n0, n1, n2 := c.nodeOf(primaries[0]), c.nodeOf(primaries[1]), c.nodeOf(primaries[2])
	base := func(n *node) string { return "/" + n.device + "/" + strconv.Itoa(part) + "/AUTH_t" }
	report := func(put, del, count string) map[string]string {
		return map[string]string{"X-Put-Timestamp": put, "X-Delete-Timestamp": del, "X-Object-Count": count, "X-Bytes-Used": count}
	}
	c.do(n0, "PUT", base(n0), map[string]string{"X-Timestamp": ts(1)})
	c.do(n1, "PUT", base(n1), map[string]string{"X-Timestamp": ts(1), "X-Account-Meta-Quota-Bytes": "10"})
	c.do(n0, "PUT", base(n0)+"/a", report(ts(2), "0", "1"))
	c.do(n1, "PUT", base(n1)+"/b", report(ts(3), "0", "2"))
	c.do(n1, "PUT", base(n1)+"/a", report(ts(2), ts(4), "0")) // a deleted on n1
	c.replicateAll()
	c.replicateAll()
	for _, n := range []*node{n0, n1, n2} {
		code, body, h := c.do(n, "GET", base(n), nil)
		if code != 200 || body != "b\n" || h.Get("X-Account-Container-Count") != "1" || h.Get("X-Account-Meta-Quota-Bytes") != "10" {
			t.Errorf("node %s: %d %q count %s quota %q", n.device, code, body, h.Get("X-Account-Container-Count"), h.Get("X-Account-Meta-Quota-Bytes"))
		}
	}
}

func TestHandoffMovesToPrimaries(t *testing.T) {
	c := newCluster(t, replicator.Containers, 4)
	// Find a container whose partition leaves one device out.
	var part int
	var primaries []ring.Device
	var name string
	for i := 0; ; i++ {
		name = fmt.Sprintf("c%d", i)
		part, primaries = c.part("AUTH_t", name)
		if len(primaries) == 3 {
			break
		}
	}
	var handoff *node
	for _, n := range c.nodes {
		in := false
		for _, p := range primaries {
			in = in || p.Port == n.port
		}
		if !in {
			handoff = n
		}
	}
	path := "/" + handoff.device + "/" + strconv.Itoa(part) + "/AUTH_t/" + name
	if code, _, _ := c.do(handoff, "PUT", path, map[string]string{"X-Timestamp": ts(1)}); code != 201 {
		t.Fatalf("PUT on handoff: %d", code)
	}
	c.do(handoff, "PUT", path+"/o", objHdr(ts(2), "5"))
	st := c.replicateAll()
	if st.Remove != 1 {
		t.Errorf("handoff copy not removed: %+v", st)
	}
	if code, _, _ := c.do(handoff, "HEAD", path, nil); code != 404 {
		t.Errorf("handoff still has the container: %d", code)
	}
	for _, p := range primaries {
		n := c.nodeOf(p)
		code, body, _ := c.do(n, "GET", "/"+n.device+"/"+strconv.Itoa(part)+"/AUTH_t/"+name, nil)
		if code != 200 || body != "o\n" {
			t.Errorf("primary %s: %d %q", n.device, code, body)
		}
	}
}

func TestRPCErrors(t *testing.T) {
	c := newCluster(t, replicator.Containers, 3)
	n := c.nodes[0]
	for _, tt := range []struct {
		path, body string
		status     int
	}{
		{"/" + n.device + "/1/0123456789abcdef0123456789abcdef", `["sync", 1, "h", "id", "0", "0", "0", ""]`, 404},
		{"/" + n.device + "/1/0123456789abcdef0123456789abcdef", `not json`, 400},
		{"/" + n.device + "/1/0123456789abcdef0123456789abcdef", `[]`, 400},
		{"/sdz/1/0123456789abcdef0123456789abcdef", `["sync"]`, 507},
		{"/" + n.device + "/1", `["sync"]`, 400},
	} {
		req, _ := http.NewRequest("REPLICATE", n.srv.URL+tt.path, strings.NewReader(tt.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.path, tt.body, resp.StatusCode, tt.status)
		}
	}
}

func (c *cluster) replicateWith(mod func(*replicator.Config)) replicator.Stats {
	c.t.Helper()
	var total replicator.Stats
	for _, n := range c.nodes {
		port := n.port
		cfg := replicator.Config{
			Server:  n.cfg,
			Kind:    c.kind,
			Ring:    func() *ring.Ring { return c.ring },
			IsLocal: func(d ring.Device) bool { return d.Port == port },
		}
		mod(&cfg)
		st, err := replicator.New(cfg).Once(context.Background())
		if err != nil {
			c.t.Fatal(err)
		}
		total.Remove += st.Remove
		total.Success += st.Success
		total.Failure += st.Failure
		total.Whole += st.Whole
	}
	return total
}

// TestReclaimDeletedDatabase checks that a container deleted longer ago
// than the reclaim age leaves the disk.
func TestReclaimDeletedDatabase(t *testing.T) {
	c := newCluster(t, replicator.Containers, 3)
	part, primaries := c.part("AUTH_t", "gone")
	for _, p := range primaries {
		n := c.nodeOf(p)
		path := "/" + n.device + "/" + strconv.Itoa(part) + "/AUTH_t/gone"
		c.do(n, "PUT", path, map[string]string{"X-Timestamp": ts(1)})
		c.do(n, "DELETE", path, map[string]string{"X-Timestamp": ts(2)})
	}
	// Within the reclaim age the tombstone databases stay.
	if st := c.replicateAll(); st.Remove != 0 {
		t.Fatalf("removed early: %+v", st)
	}
	st := c.replicateWith(func(cfg *replicator.Config) { cfg.ReclaimAge = time.Minute })
	if st.Remove != 3 {
		t.Fatalf("removed %d, want 3: %+v", st.Remove, st)
	}
	for _, n := range c.nodes {
		if dbs, _ := filepath.Glob(filepath.Join(n.cfg.Devices, n.device, "containers", "*", "*", "*", "*.db")); len(dbs) != 0 {
			t.Errorf("node %s still has %v", n.device, dbs)
		}
	}
}

// TestUnmountedPeerUsesHandoff checks that a primary whose device is
// gone (507) is replaced by a handoff for the pass.
func TestUnmountedPeerUsesHandoff(t *testing.T) {
	c := newCluster(t, replicator.Containers, 4)
	part, primaries := c.part("AUTH_t", "c")
	n0, n1 := c.nodeOf(primaries[0]), c.nodeOf(primaries[1])
	path := "/" + n0.device + "/" + strconv.Itoa(part) + "/AUTH_t/c"
	if code, _, _ := c.do(n0, "PUT", path, map[string]string{"X-Timestamp": ts(1)}); code != 201 {
		t.Fatalf("PUT %d", code)
	}
	if err := os.RemoveAll(filepath.Join(n1.cfg.Devices, n1.device)); err != nil {
		t.Fatal(err)
	}
	var handoff *node
	for _, n := range c.nodes {
		in := false
		for _, p := range primaries {
			in = in || p.Port == n.port
		}
		if !in {
			handoff = n
		}
	}
	c.replicateAll()
	hpath := "/" + handoff.device + "/" + strconv.Itoa(part) + "/AUTH_t/c"
	if code, _, _ := c.do(handoff, "HEAD", hpath, nil); code != 204 {
		t.Fatalf("handoff did not get the container: %d", code)
	}
}
