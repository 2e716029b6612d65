// Package computetest builds compute's use cases over a fresh database
// for tests, with a conductor, an image service and heartbeats that are
// fakes: the conductor records what it is handed and does nothing, the
// image service keeps images in memory, and host h1 is up.
package computetest

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/actions"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/flavors"
	"github.com/gostack/gostack/internal/compute/hosts"
	"github.com/gostack/gostack/internal/compute/keypairs"
	"github.com/gostack/gostack/internal/compute/quotas"
	"github.com/gostack/gostack/internal/compute/servers"
	cstore "github.com/gostack/gostack/internal/compute/store"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// Conductor records what the use cases hand it.
type Conductor struct {
	mu     sync.Mutex
	builds []compute.BuildRequest
	ops    []compute.Op
}

// Build records b.
func (f *Conductor) Build(_ context.Context, b compute.BuildRequest) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.builds = append(f.builds, b)
}

// Run records op.
func (f *Conductor) Run(_ context.Context, op compute.Op) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, op)
}

// Builds returns the build requests handed over so far.
func (f *Conductor) Builds() []compute.BuildRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]compute.BuildRequest(nil), f.builds...)
}

// LastOp returns the last operation handed over (the zero Op if none).
func (f *Conductor) LastOp() compute.Op {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.ops) == 0 {
		return compute.Op{}
	}
	return f.ops[len(f.ops)-1]
}

// ConsoleOutput answers a login prompt.
func (f *Conductor) ConsoleOutput(context.Context, *compute.Instance, int) (string, error) {
	return "login:", nil
}

// VNCConsole answers a fixed URL.
func (f *Conductor) VNCConsole(context.Context, *compute.Instance) (compute.ConsoleURL, error) {
	return compute.ConsoleURL{Protocol: "vnc", Type: "novnc", URL: "http://console"}, nil
}

// Diagnostics answers empty diagnostics.
func (f *Conductor) Diagnostics(context.Context, *compute.Instance) (driver.Diagnostics, error) {
	return driver.Diagnostics{}, nil
}

// Images is an image service holding images in memory.
type Images struct {
	mu     sync.Mutex
	images map[string]*compute.ImageMeta
	n      int
}

// Add stores m.
func (f *Images) Add(m compute.ImageMeta) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.images[m.ID] = &m
}

// Len is the number of images.
func (f *Images) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.images)
}

// Get returns a copy of an image.
func (f *Images) Get(_ context.Context, _, id string) (*compute.ImageMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.images[id]
	if !ok {
		return nil, apierr.ErrNotFound
	}
	c := *m
	return &c, nil
}

// Create registers a queued image named snap-<n>.
func (f *Images) Create(_ context.Context, _ string, m compute.ImageMeta) (*compute.ImageMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	m.ID = "snap-" + strconv.Itoa(f.n)
	m.Status = "queued"
	f.images[m.ID] = &m
	c := m
	return &c, nil
}

// Upload accepts the data and keeps none.
func (f *Images) Upload(context.Context, string, string, io.Reader, int64) error { return nil }

// Delete removes an image.
func (f *Images) Delete(_ context.Context, _, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.images, id)
	return nil
}

// List lists nothing.
func (f *Images) List(context.Context, string, map[string]string) ([]compute.ImageMeta, error) {
	return nil, nil
}

// Liveness reports the hosts in up as up.
type Liveness struct{ Up map[string]bool }

// Status reports host's heartbeat.
func (f Liveness) Status(service, host string) (bus.ServiceStatus, bool) {
	up, ok := f.Up[host]
	return bus.ServiceStatus{Service: service, Host: host, Up: up, LastSeen: time.Now()}, ok
}

// Env is compute's use cases over a fresh database: flavors 1 (tiny) and
// 2 (small), keypair k of user u1, images img (active), queued and big
// (min_disk 50).
type Env struct {
	Store     *cstore.Store
	Conductor *Conductor
	Images    *Images
	Servers   *servers.Service
	Actions   *actions.Service
	Flavors   *flavors.Service
	Keypairs  *keypairs.Service
	Quotas    *quotas.Service
	Hosts     *hosts.Service
	// User is a member of project p1; Admin an administrator.
	User, Admin compute.Caller
}

// New returns a fresh Env.
func New(t *testing.T) *Env {
	t.Helper()
	ctx := context.Background()
	st := cstore.New(dbtest.Open(t))
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := &Env{Store: st, Conductor: &Conductor{},
		Images: &Images{images: map[string]*compute.ImageMeta{
			"img":    {ID: "img", Status: "active", DiskFormat: "raw", ContainerFormat: "bare", Size: 1 << 20, MinRAM: 64},
			"queued": {ID: "queued", Status: "queued"},
			"big":    {ID: "big", Status: "active", MinDisk: 50},
		}},
		User:  compute.Caller{UserID: "u1", ProjectID: "p1", RequestID: "req-1"},
		Admin: compute.Caller{UserID: "admin", ProjectID: "adminp", RequestID: "req-a", Admin: true},
	}
	deps := compute.Deps{Conductor: e.Conductor, Images: e.Images, Liveness: Liveness{Up: map[string]bool{"h1": true}}}
	q, err := quotas.New(compute.Config{}, st)
	if err != nil {
		t.Fatal(err)
	}
	e.Quotas = q
	e.Flavors = flavors.New(st)
	e.Hosts = hosts.New(compute.Config{}, st, deps)
	e.Keypairs = keypairs.New(st, q)
	e.Servers = servers.New(st, deps, q, e.Flavors, e.Hosts)
	e.Actions = actions.New(st, deps, q, e.Flavors, e.Hosts)
	for _, f := range []compute.Flavor{
		{ID: "1", Name: "tiny", RAM: 512, VCPUs: 1, Disk: 1, IsPublic: true},
		{ID: "2", Name: "small", RAM: 2048, VCPUs: 2, Disk: 20, IsPublic: true},
	} {
		if _, err := e.Flavors.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Keypairs.Create(ctx, "p1", keypairs.Request{Name: "k", UserID: "u1"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// Activate puts an instance on host h1, running.
func (e *Env) Activate(t *testing.T, id string) {
	t.Helper()
	now := time.Now().UTC()
	_, err := e.Store.UpdateInstance(context.Background(), id, false, func(i *compute.Instance) error {
		i.VMState, i.TaskState, i.Host, i.Node, i.LaunchedAt, i.PowerState = compute.VMActive, "", "h1", "h1", &now, 1
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ErrKind is the status of err as a string: "" for nil, "500: <err>" for
// an error that is no *apierr.Error.
func ErrKind(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := apierr.As(err); ok && e.Code != http.StatusInternalServerError {
		return strconv.Itoa(e.Code)
	}
	return "500: " + err.Error()
}
