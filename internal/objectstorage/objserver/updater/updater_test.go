package updater

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/objserver"
	"github.com/gostack/gostack/internal/objectstorage/objserver/diskfile"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

// containers is a set of fake container servers, one device each.
type containers struct {
	mu   sync.Mutex
	got  map[string][]string // device → "METHOD path X-Size"
	down map[string]bool
}

func startContainers(t *testing.T, n int) (*containers, *ring.Ring) {
	c := &containers{got: map[string][]string{}, down: map[string]bool{}}
	b, err := ring.NewBuilder(4, n, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		dev := "sd" + string(rune('a'+i))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.down[dev] {
				w.WriteHeader(503)
				return
			}
			c.got[dev] = append(c.got[dev], r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Size"))
			w.WriteHeader(201)
		}))
		t.Cleanup(srv.Close)
		host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		p, _ := strconv.Atoi(port)
		if _, err := b.Add(ring.Device{ID: i, Region: 1, Zone: i, IP: host, Port: p, Device: dev, Weight: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := b.Rebalance(); err != nil {
		t.Fatal(err)
	}
	r, err := b.Ring()
	if err != nil {
		t.Fatal(err)
	}
	return c, r
}

func (c *containers) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.got {
		n += len(v)
	}
	return n
}

func TestUpdater(t *testing.T) {
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, "sda"), 0o755)
	disk := diskfile.New(diskfile.Config{Devices: root, HashSuffix: "s"})
	cs, r := startContainers(t, 3)
	cs.down["sdc"] = true

	now := swift.Now()
	old := now.Add(-100000)
	// Two pendings for o1 (the older is superseded), one for o2.
	for _, p := range []struct {
		obj string
		ts  swift.Timestamp
		sz  string
	}{{"o1", old, "1"}, {"o1", now, "2"}, {"o2", now, "3"}} {
		upd := diskfile.AsyncUpdate{Op: "PUT", Account: "a", Container: "c", Obj: p.obj,
			Headers: map[string]string{"X-Size": p.sz, "X-Timestamp": p.ts.Internal()}}
		if err := disk.SaveAsync("sda", 0, upd, p.ts); err != nil {
			t.Fatal(err)
		}
	}
	u := New(Config{Devices: root, HashSuffix: "s", ContainerRing: objserver.Static{R: r},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	st, err := u.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.OutdatedUnlinks != 1 || st.Failures != 2 || st.Successes != 0 {
		t.Errorf("first pass %+v", st)
	}
	if n := cs.count(); n != 4 { // two objects to the two replicas up
		t.Errorf("%d updates sent, want 4", n)
	}
	// The third container comes back: only it gets the updates now.
	cs.mu.Lock()
	cs.down["sdc"] = false
	cs.mu.Unlock()
	st, err = u.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Successes != 2 || st.Unlinks != 2 || st.Failures != 0 {
		t.Errorf("second pass %+v", st)
	}
	if n := cs.count(); n != 6 {
		t.Errorf("%d updates sent in all, want 6", n)
	}
	if len(cs.got["sdc"]) != 2 {
		t.Errorf("sdc got %v", cs.got["sdc"])
	}
	for _, g := range cs.got["sda"] {
		if g[len(g)-1] == '1' {
			t.Errorf("superseded update sent: %s", g)
		}
	}
	left, _ := filepath.Glob(filepath.Join(root, "sda", "async_pending", "*", "*"))
	if len(left) != 0 {
		t.Errorf("pendings left: %v", left)
	}
}
