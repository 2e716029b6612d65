package replicator

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/objserver"
	"github.com/gostack/gostack/internal/objectstorage/objserver/auditor"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

const suffix = "testsuffix"

// node is one storage node: an object server over one device.
type node struct {
	root, dev, addr string
	srv             *objserver.Server
}

type cluster struct {
	t     *testing.T
	nodes []*node
	ring  *ring.Ring
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newCluster starts n object servers, each with one device, and a ring
// of 3 replicas over them (one zone each).
func newCluster(t *testing.T, n int) *cluster {
	c := &cluster{t: t}
	b, err := ring.NewBuilder(2, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		nd := &node{root: t.TempDir(), dev: "sd" + string(rune('a'+i))}
		os.Mkdir(filepath.Join(nd.root, nd.dev), 0o755)
		nd.srv = objserver.New(objserver.Config{Devices: nd.root, HashSuffix: suffix, Log: quiet()})
		hs := httptest.NewServer(nd.srv)
		t.Cleanup(hs.Close)
		nd.addr = hs.Listener.Addr().String()
		host, port, _ := net.SplitHostPort(nd.addr)
		p, _ := strconv.Atoi(port)
		if _, err := b.Add(ring.Device{ID: i, Region: 1, Zone: i + 1, IP: host, Port: p, Device: nd.dev, Weight: 100}); err != nil {
			t.Fatal(err)
		}
		c.nodes = append(c.nodes, nd)
	}
	if _, _, err := b.Rebalance(); err != nil {
		t.Fatal(err)
	}
	if c.ring, err = b.Ring(); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *cluster) node(d ring.Device) *node { return c.nodes[d.ID] }

func (c *cluster) replicator(nd *node) *Replicator {
	return New(Config{Devices: nd.root, HashSuffix: suffix, ObjectRing: objserver.Static{R: c.ring}, Addr: nd.addr, Log: quiet()})
}

func (c *cluster) replicateAll() {
	c.t.Helper()
	for _, nd := range c.nodes {
		if _, err := c.replicator(nd).Once(context.Background()); err != nil {
			c.t.Fatal(err)
		}
	}
}

func (c *cluster) req(nd *node, method, path string, hdr map[string]string, body string) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequest(method, "http://"+nd.addr+"/"+nd.dev+path, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

// dataFiles returns the object files of a/c/o on nd's device.
func (c *cluster) files(nd *node, part int, obj string) []string {
	h := swift.HashPath("", suffix, "a", "c", obj)
	dir := filepath.Join(nd.root, nd.dev, "objects", strconv.Itoa(part), h[29:], h)
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out
}

func TestReplicationEndToEnd(t *testing.T) {
	c := newCluster(t, 4)
	part, primaries := c.ring.PartNodes("a", "c", "o", "", suffix)
	if len(primaries) != 3 {
		t.Fatalf("primaries %v", primaries)
	}
	ts := swift.Now()
	pstr := "/" + strconv.Itoa(part) + "/a/c/o"
	for _, p := range primaries {
		r := c.req(c.node(p), "PUT", pstr, map[string]string{"X-Timestamp": ts.Internal(), "Content-Type": "text/plain", "X-Object-Meta-K": "v"}, "replicate me")
		if r.StatusCode != 201 {
			t.Fatalf("PUT %d", r.StatusCode)
		}
	}
	c.replicateAll() // in sync: nothing to do, nothing breaks

	// Damage one copy: the auditor quarantines it, replication restores
	// it byte for byte with its timestamp.
	victim, good := c.node(primaries[0]), c.node(primaries[1])
	files := c.files(victim, part, "o")
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	f, _ := os.OpenFile(files[0], os.O_WRONLY, 0)
	f.WriteAt([]byte("X"), 3)
	f.Close()
	st, err := auditor.New(auditor.Config{Devices: victim.root, HashSuffix: suffix, BytesPerSecond: -1, FilesPerSecond: -1, Log: quiet()}).Once(context.Background())
	if err != nil || st.Quarantined != 1 {
		t.Fatalf("audit %+v %v", st, err)
	}
	if r := c.req(victim, "GET", pstr, nil, ""); r.StatusCode != 404 {
		t.Fatalf("quarantined object still served: %d", r.StatusCode)
	}
	c.replicateAll()
	restored, want := c.files(victim, part, "o"), c.files(good, part, "o")
	if len(restored) != 1 || filepath.Base(restored[0]) != filepath.Base(want[0]) {
		t.Fatalf("restored %v, want %v", restored, want)
	}
	b1, _ := os.ReadFile(restored[0])
	b2, _ := os.ReadFile(want[0])
	if !bytes.Equal(b1, b2) {
		t.Errorf("restored file differs:\n%q\n%q", b1, b2)
	}
	if r := c.req(victim, "GET", pstr, nil, ""); r.StatusCode != 200 || r.Header.Get("X-Object-Meta-K") != "v" {
		t.Errorf("restored GET %d %v", r.StatusCode, r.Header)
	}

	// A POST that reached one node spreads as a .meta.
	mts := swift.Now()
	c.req(good, "POST", pstr, map[string]string{"X-Timestamp": mts.Internal(), "X-Object-Meta-K": "new"}, "")
	c.replicateAll()
	for _, p := range primaries {
		if r := c.req(c.node(p), "HEAD", pstr, nil, ""); r.Header.Get("X-Object-Meta-K") != "new" || r.Header.Get("X-Backend-Timestamp") != mts.Internal() {
			t.Errorf("%s after POST: %v", p.Device, r.Header)
		}
	}

	// A delete that reached two primaries reaches the third.
	dts := swift.Now()
	for _, p := range primaries[:2] {
		if r := c.req(c.node(p), "DELETE", pstr, map[string]string{"X-Timestamp": dts.Internal()}, ""); r.StatusCode != 204 {
			t.Fatalf("DELETE %d", r.StatusCode)
		}
	}
	c.replicateAll()
	r := c.req(c.node(primaries[2]), "GET", pstr, nil, "")
	if r.StatusCode != 404 || r.Header.Get("X-Backend-Timestamp") != dts.Internal() {
		t.Errorf("third primary after delete: %d %v", r.StatusCode, r.Header)
	}
}

func TestHandoffReverts(t *testing.T) {
	c := newCluster(t, 4)
	part, primaries := c.ring.PartNodes("a", "c", "h", "", suffix)
	var handoff *node
	for _, nd := range c.nodes {
		if !slices.ContainsFunc(primaries, func(d ring.Device) bool { return c.node(d) == nd }) {
			handoff = nd
		}
	}
	pstr := "/" + strconv.Itoa(part) + "/a/c/h"
	ts := swift.Now()
	if r := c.req(handoff, "PUT", pstr, map[string]string{"X-Timestamp": ts.Internal(), "Content-Type": "a/b"}, "on a handoff"); r.StatusCode != 201 {
		t.Fatalf("PUT %d", r.StatusCode)
	}
	st, err := c.replicator(handoff).Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Removed != 1 || st.Failures != 0 {
		t.Errorf("stats %+v", st)
	}
	for _, p := range primaries {
		if r := c.req(c.node(p), "GET", pstr, nil, ""); r.StatusCode != 200 || r.Header.Get("X-Backend-Timestamp") != ts.Internal() {
			t.Errorf("primary %s: %d", p.Device, r.StatusCode)
		}
	}
	if _, err := os.Stat(filepath.Join(handoff.root, handoff.dev, "objects", strconv.Itoa(part))); !os.IsNotExist(err) {
		t.Errorf("handoff partition left: %v", err)
	}
}

func TestHandoffKeptWhilePrimaryDown(t *testing.T) {
	c := newCluster(t, 4)
	part, primaries := c.ring.PartNodes("a", "c", "h", "", suffix)
	var handoff *node
	for _, nd := range c.nodes {
		if !slices.ContainsFunc(primaries, func(d ring.Device) bool { return c.node(d) == nd }) {
			handoff = nd
		}
	}
	// A primary's device is unmounted.
	down := c.node(primaries[0])
	os.Rename(filepath.Join(down.root, down.dev), filepath.Join(down.root, "gone"))
	pstr := "/" + strconv.Itoa(part) + "/a/c/h"
	c.req(handoff, "PUT", pstr, map[string]string{"X-Timestamp": swift.Now().Internal(), "Content-Type": "a/b"}, "x")
	st, _ := c.replicator(handoff).Once(context.Background())
	if st.Removed != 0 || st.Failures == 0 {
		t.Errorf("stats %+v", st)
	}
	if len(c.files(handoff, part, "h")) != 1 {
		t.Errorf("handoff copy removed while a primary lacks it")
	}
}

func TestUnmountedPrimaryGetsHandoff(t *testing.T) {
	c := newCluster(t, 4)
	part, primaries := c.ring.PartNodes("a", "c", "u", "", suffix)
	down := c.node(primaries[2])
	os.Rename(filepath.Join(down.root, down.dev), filepath.Join(down.root, "gone"))
	pstr := "/" + strconv.Itoa(part) + "/a/c/u"
	src := c.node(primaries[0])
	c.req(src, "PUT", pstr, map[string]string{"X-Timestamp": swift.Now().Internal(), "Content-Type": "a/b"}, "x")
	if _, err := c.replicator(src).Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, nd := range c.nodes {
		if len(c.files(nd, part, "u")) == 1 {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d copies, want 3 (one on a handoff)", n)
	}
}

func TestReclaimOldTombstones(t *testing.T) {
	c := newCluster(t, 3)
	part, primaries := c.ring.PartNodes("a", "c", "old", "", suffix)
	nd := c.node(primaries[0])
	old := swift.FromTime(time.Now().Add(-8 * 24 * time.Hour))
	// An old tombstone written behind the hash cache's back is found by
	// the full rehash of the first pass and reclaimed.
	h := swift.HashPath("", suffix, "a", "c", "old")
	dir := filepath.Join(nd.root, nd.dev, "objects", strconv.Itoa(part), h[29:], h)
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, old.Internal()+".ts"), nil, 0o644)
	if _, err := c.replicator(nd).Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("old tombstone kept: %v", err)
	}
}
