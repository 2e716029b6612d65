package backend

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/objectstorage/ring"
)

// fakeNodes is a set of storage nodes whose answers a test scripts by
// device name.
type fakeNodes struct {
	mu      sync.Mutex
	answer  map[string]func(w http.ResponseWriter, r *http.Request)
	got     map[string][]string // device → "METHOD body"
	servers []*httptest.Server
}

func startNodes(t *testing.T, n int) (*fakeNodes, *ring.Ring) {
	f := &fakeNodes{answer: map[string]func(http.ResponseWriter, *http.Request){}, got: map[string][]string{}}
	b, err := ring.NewBuilder(4, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		dev := "d" + strconv.Itoa(i)
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			a := f.answer[dev]
			f.mu.Unlock()
			// A scripted node answers before reading the body, as a
			// refusing server does (so no 100 Continue is sent).
			body := []byte{}
			if a == nil {
				body, _ = io.ReadAll(r.Body)
			}
			f.mu.Lock()
			f.got[dev] = append(f.got[dev], r.Method+" "+string(body))
			f.mu.Unlock()
			if a == nil {
				w.WriteHeader(http.StatusCreated)
				return
			}
			a(w, r)
		}))
		t.Cleanup(s.Close)
		host, port, _ := net.SplitHostPort(s.Listener.Addr().String())
		p, _ := strconv.Atoi(port)
		if _, err := b.Add(ring.Device{ID: -1, Region: 1, Zone: i + 1, IP: host, Port: p, Device: dev, Weight: 1}); err != nil {
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
	return f, r
}

func (f *fakeNodes) set(dev string, a func(http.ResponseWriter, *http.Request)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer[dev] = a
}

func status(code int, hdr ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
	}
}

func TestPutHandoff(t *testing.T) {
	f, r := startNodes(t, 4)
	c := New(nil, nil)
	part := 5
	prim := r.Nodes(part)
	handoff := ""
	for _, d := range r.Devices() {
		if d.Device != prim[0].Device && d.Device != prim[1].Device && d.Device != prim[2].Device {
			handoff = d.Device
		}
	}
	f.set(prim[1].Device, status(http.StatusInsufficientStorage))
	hdrs := []http.Header{{}, {}, {}}
	resps, err := c.Put(context.Background(), PutRequest{Ring: r, Part: part, Path: "/a/c/o", Headers: hdrs, Body: strings.NewReader("data"), Length: 4})
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := Best(resps, 0, nil); !ok || b.Status != 201 {
		t.Fatalf("best %v %v, statuses %v", b.Status, ok, Statuses(resps))
	}
	if got := f.got[handoff]; len(got) != 1 || got[0] != "PUT data" {
		t.Errorf("handoff %s got %v, want the PUT", handoff, got)
	}
	if got := f.got[prim[1].Device]; len(got) != 1 || got[0] != "PUT " {
		t.Errorf("507 node got %v, want headers only (100-continue)", got)
	}
	// The refusing node is now error-limited: the next write goes
	// straight to the handoff.
	if !c.limited(prim[1]) {
		t.Error("a 507 should error-limit the node")
	}
}

func TestPutNoQuorum(t *testing.T) {
	f, r := startNodes(t, 3)
	c := New(nil, nil)
	for _, d := range r.Devices()[:2] {
		f.set(d.Device, status(http.StatusServiceUnavailable))
	}
	_, err := c.Put(context.Background(), PutRequest{Ring: r, Part: 1, Path: "/a/c/o", Headers: []http.Header{{}, {}, {}}, Body: strings.NewReader("data"), Length: 4})
	if he, ok := err.(*PutError); !ok || he.Status != 503 {
		t.Fatalf("err %v, want 503", err)
	}
}

func TestPutConflictAndPrecondition(t *testing.T) {
	for _, tt := range []struct {
		name string
		code int
		inm  bool
		want int
	}{
		{"newer timestamp on a node", http.StatusConflict, false, http.StatusAccepted},
		{"exists with if-none-match", http.StatusPreconditionFailed, true, http.StatusPreconditionFailed},
	} {
		f, r := startNodes(t, 3)
		f.set(r.Nodes(2)[0].Device, status(tt.code))
		c := New(nil, nil)
		_, err := c.Put(context.Background(), PutRequest{Ring: r, Part: 2, Path: "/a/c/o", Headers: []http.Header{{}, {}, {}}, Body: strings.NewReader("data"), Length: 4, IfNoneMatch: tt.inm})
		if he, ok := err.(*PutError); !ok || he.Status != tt.want {
			t.Errorf("%s: err %v, want %d", tt.name, err, tt.want)
		}
	}
}

func TestGetTombstoneWins(t *testing.T) {
	f, r := startNodes(t, 3)
	c := New(nil, nil)
	part := 3
	prim := r.Nodes(part)
	// The first node has the old copy, the second a newer tombstone: the
	// copy must not be served.
	f.set(prim[0].Device, status(http.StatusOK, "X-Timestamp", "1000.00000"))
	f.set(prim[1].Device, status(http.StatusNotFound, "X-Backend-Timestamp", "2000.00000"))
	f.set(prim[2].Device, status(http.StatusNotFound, "X-Backend-Timestamp", "2000.00000"))
	res := c.Get(context.Background(), r, part, Object, "GET", "/a/c/o", "", http.Header{}, true)
	if res.Source != nil {
		res.Source.Body.Close()
		t.Fatal("served a copy older than a tombstone")
	}
	if b, ok := Best(res.Failures, 0, nil); !ok || b.Status != 404 {
		t.Errorf("best %d %v", b.Status, ok)
	}
}

func TestGetSkipsFailedNodes(t *testing.T) {
	f, r := startNodes(t, 3)
	c := New(nil, nil)
	part := 4
	prim := r.Nodes(part)
	f.set(prim[0].Device, status(http.StatusInternalServerError))
	f.set(prim[1].Device, status(http.StatusOK, "X-Timestamp", "1000.00000"))
	res := c.Get(context.Background(), r, part, Object, "GET", "/a/c/o", "", http.Header{}, false)
	if res.Source == nil || res.Node.Device != prim[1].Device {
		t.Fatalf("source %v from %v", res.Source, res.Node)
	}
	res.Source.Body.Close()
	if got := f.got[prim[2].Device]; len(got) != 0 {
		t.Errorf("third node asked although the second answered: %v", got)
	}
}
