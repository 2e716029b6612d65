package reaper_test

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
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/objectstorage/dbserver"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/account"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/container"
	"github.com/gostack/gostack/internal/objectstorage/dbserver/reaper"
	"github.com/gostack/gostack/internal/objectstorage/ring"
	"github.com/gostack/gostack/internal/objectstorage/swift"
)

func ts(i int) string {
	base := time.Now().Truncate(time.Hour).Add(-time.Hour).Unix()
	return swift.FromRaw((base + int64(i)) * 100000).Internal()
}

type node struct {
	cfg  dbserver.Config
	url  string
	port int
}

// servers starts three servers made by mk and a ring over them.
func servers(t *testing.T, mk func(dbserver.Config) http.Handler) ([]*node, *ring.Ring) {
	b, err := ring.NewBuilder(3, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	var nodes []*node
	for i := range 3 {
		devices := t.TempDir()
		dev := fmt.Sprintf("sd%c", 'a'+i)
		os.Mkdir(filepath.Join(devices, dev), 0o755)
		cfg := dbserver.Config{Devices: devices}.WithDefaults()
		srv := httptest.NewServer(mk(cfg))
		t.Cleanup(func() { srv.Close(); cfg.Cache.Close() })
		_, portS, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
		port, _ := strconv.Atoi(portS)
		nodes = append(nodes, &node{cfg: cfg, url: srv.URL, port: port})
		if _, err := b.Add(ring.Device{ID: -1, Region: 1, Zone: i + 1, IP: "127.0.0.1", Port: port, Device: dev, Weight: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := b.Rebalance(); err != nil {
		t.Fatal(err)
	}
	rg, err := b.Ring()
	if err != nil {
		t.Fatal(err)
	}
	return nodes, rg
}

func do(t *testing.T, method, u string, hdr map[string]string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func at(d ring.Device, part int, names ...string) string {
	return fmt.Sprintf("http://127.0.0.1:%d/%s/%d/%s", d.Port, d.Device, part, strings.Join(names, "/"))
}

// objectServer is a fake object server: a DELETE is recorded and
// reported to the container server the request names, as the real one
// does.
type objectServer struct {
	mu      sync.Mutex
	deletes []string
}

func (o *objectServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodDelete {
		w.WriteHeader(405)
		return
	}
	segs := strings.SplitN(r.URL.Path, "/", 6) // "", dev, part, a, c, o
	o.mu.Lock()
	o.deletes = append(o.deletes, segs[5])
	o.mu.Unlock()
	u := fmt.Sprintf("http://%s/%s/%s/%s/%s/%s", r.Header.Get("X-Container-Host"), r.Header.Get("X-Container-Device"),
		r.Header.Get("X-Container-Partition"), segs[3], segs[4], segs[5])
	req, _ := http.NewRequest("DELETE", u, nil)
	req.Header.Set("X-Timestamp", r.Header.Get("X-Timestamp"))
	req.Header.Set("X-Backend-Storage-Policy-Index", r.Header.Get("X-Backend-Storage-Policy-Index"))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	w.WriteHeader(204)
}

func TestReaper(t *testing.T) {
	anodes, arg := servers(t, account.New)
	_, crg := servers(t, container.New)
	obj := &objectServer{}
	_, org := servers(t, func(dbserver.Config) http.Handler { return obj })
	apart, aprim := arg.PartNodes("AUTH_r", "", "", "", "")
	for _, n := range aprim {
		if code, _, _ := do(t, "PUT", at(n, apart, "AUTH_r"), map[string]string{"X-Timestamp": ts(1)}); code != 201 {
			t.Fatalf("account PUT %d", code)
		}
	}
	const containers, objects = 5, 3
	for i := range containers {
		c := fmt.Sprintf("c%d", i)
		cpart, cprim := crg.PartNodes("AUTH_r", c, "", "", "")
		for j, n := range cprim {
			an := aprim[j]
			code, body, _ := do(t, "PUT", at(n, cpart, "AUTH_r", c), map[string]string{"X-Timestamp": ts(2),
				"X-Account-Host": fmt.Sprintf("127.0.0.1:%d", an.Port), "X-Account-Device": an.Device,
				"X-Account-Partition": strconv.Itoa(apart)})
			if code != 201 {
				t.Fatalf("container PUT %d %s", code, body)
			}
			for k := range objects {
				do(t, "PUT", at(n, cpart, "AUTH_r", c, fmt.Sprintf("o%d", k)), map[string]string{"X-Timestamp": ts(3),
					"X-Size": "1", "X-Content-Type": "t/p", "X-Etag": "e"})
			}
		}
	}
	// The reaper leaves live accounts alone.
	run := func() reaper.Stats {
		var total reaper.Stats
		for _, n := range anodes {
			port := n.port
			r := reaper.New(reaper.Config{
				Server:        n.cfg,
				AccountRing:   func() *ring.Ring { return arg },
				ContainerRing: func() *ring.Ring { return crg },
				ObjectRing:    func(int) *ring.Ring { return org },
				IsLocal:       func(d ring.Device) bool { return d.Port == port },
			})
			st, err := r.Once(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			total.Accounts += st.Accounts
			total.ContainersDeleted += st.ContainersDeleted
			total.ObjectsDeleted += st.ObjectsDeleted
			total.Failures += st.Failures
		}
		return total
	}
	if st := run(); st.Accounts != 0 || len(obj.deletes) != 0 {
		t.Fatalf("reaped a live account: %+v", st)
	}
	for _, n := range aprim {
		if code, _, _ := do(t, "DELETE", at(n, apart, "AUTH_r"), map[string]string{"X-Timestamp": ts(4)}); code != 204 {
			t.Fatalf("account DELETE %d", code)
		}
	}
	st := run()
	if st.ContainersDeleted != containers || st.ObjectsDeleted != containers*objects || st.Failures != 0 {
		t.Errorf("stats %+v", st)
	}
	if len(obj.deletes) != containers*objects*3 {
		t.Errorf("%d object deletes, want %d", len(obj.deletes), containers*objects*3)
	}
	for i := range containers {
		c := fmt.Sprintf("c%d", i)
		cpart, cprim := crg.PartNodes("AUTH_r", c, "", "", "")
		for _, n := range cprim {
			if code, _, _ := do(t, "HEAD", at(n, cpart, "AUTH_r", c), nil); code != 404 {
				t.Errorf("container %s still there: %d", c, code)
			}
		}
	}
	// The account servers learnt of every container deletion (through
	// the container servers' account updates, override-deleted): the
	// account holds no container, so the next pass has nothing to reap.
	if st := run(); st.Accounts != 0 {
		t.Errorf("account reaped again: %+v", st)
	}
}
