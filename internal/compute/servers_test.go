package compute_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	cstore "github.com/gostack/gostack/internal/compute/store"
	"github.com/gostack/gostack/internal/platform/bus"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// fakeConductor records what the Service hands it.
type fakeConductor struct {
	mu     sync.Mutex
	builds []compute.BuildRequest
	ops    []compute.Op
}

func (f *fakeConductor) Build(_ context.Context, b compute.BuildRequest) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.builds = append(f.builds, b)
}

func (f *fakeConductor) Run(_ context.Context, op compute.Op) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, op)
}

func (f *fakeConductor) lastOp() compute.Op {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.ops) == 0 {
		return compute.Op{}
	}
	return f.ops[len(f.ops)-1]
}

func (f *fakeConductor) ConsoleOutput(context.Context, *compute.Instance, int) (string, error) {
	return "login:", nil
}

func (f *fakeConductor) VNCConsole(context.Context, *compute.Instance) (compute.ConsoleURL, error) {
	return compute.ConsoleURL{Protocol: "vnc", Type: "novnc", URL: "http://console"}, nil
}

func (f *fakeConductor) Diagnostics(context.Context, *compute.Instance) (driver.Diagnostics, error) {
	return driver.Diagnostics{}, nil
}

// fakeImages is an image service holding images in memory.
type fakeImages struct {
	mu     sync.Mutex
	images map[string]*compute.ImageMeta
	n      int
}

func (f *fakeImages) Get(_ context.Context, _, id string) (*compute.ImageMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.images[id]
	if !ok {
		return nil, compute.ErrNotFound
	}
	c := *m
	return &c, nil
}

func (f *fakeImages) Create(_ context.Context, _ string, m compute.ImageMeta) (*compute.ImageMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	m.ID = "snap-" + string(rune('0'+f.n))
	m.Status = "queued"
	f.images[m.ID] = &m
	c := m
	return &c, nil
}

func (f *fakeImages) Upload(context.Context, string, string, io.Reader, int64) error { return nil }

func (f *fakeImages) Delete(_ context.Context, _, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.images, id)
	return nil
}

func (f *fakeImages) List(context.Context, string, map[string]string) ([]compute.ImageMeta, error) {
	return nil, nil
}

// fakeLiveness reports the hosts in up as up.
type fakeLiveness struct{ up map[string]bool }

func (f fakeLiveness) Status(service, host string) (bus.ServiceStatus, bool) {
	up, ok := f.up[host]
	return bus.ServiceStatus{Service: service, Host: host, Up: up, LastSeen: time.Now()}, ok
}

type env struct {
	svc    *compute.Service
	store  *cstore.Store
	cond   *fakeConductor
	images *fakeImages
	user   compute.Caller
	admin  compute.Caller
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st := cstore.New(dbtest.Open(t))
	svc, err := compute.New(ctx, compute.Config{}, st)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{svc: svc, store: st, cond: &fakeConductor{},
		images: &fakeImages{images: map[string]*compute.ImageMeta{
			"img":    {ID: "img", Status: "active", DiskFormat: "raw", ContainerFormat: "bare", Size: 1 << 20, MinRAM: 64},
			"queued": {ID: "queued", Status: "queued"},
			"big":    {ID: "big", Status: "active", MinDisk: 50},
		}},
		user:  compute.Caller{UserID: "u1", ProjectID: "p1", RequestID: "req-1"},
		admin: compute.Caller{UserID: "admin", ProjectID: "adminp", RequestID: "req-a", Admin: true},
	}
	svc.SetDeps(compute.Deps{Conductor: e.cond, Images: e.images, Liveness: fakeLiveness{up: map[string]bool{"h1": true}}})
	for _, f := range []compute.Flavor{
		{ID: "1", Name: "tiny", RAM: 512, VCPUs: 1, Disk: 1, IsPublic: true},
		{ID: "2", Name: "small", RAM: 2048, VCPUs: 2, Disk: 20, IsPublic: true},
	} {
		if _, err := svc.CreateFlavor(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CreateKeypair(ctx, "p1", compute.KeypairRequest{Name: "k", UserID: "u1"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// create makes servers or skips the test while the store's server
// methods are still placeholders.
func (e *env) create(t *testing.T, c compute.Caller, req compute.CreateServer) (*compute.CreateResult, error) {
	t.Helper()
	res, err := e.svc.CreateServers(context.Background(), c, req)
	var ni *compute.NotImplementedError
	if errors.As(err, &ni) {
		t.Skipf("store not ready: %v", err)
	}
	return res, err
}

func errKind(err error) string {
	var (
		nf *compute.NotFoundError
		cf *compute.ConflictError
		va *compute.ValidationError
		fb *compute.ForbiddenError
		un *compute.UnavailableError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &nf):
		return "404"
	case errors.As(err, &cf):
		return "409"
	case errors.As(err, &va):
		return "400"
	case errors.As(err, &fb):
		return "403"
	case errors.As(err, &un):
		return "503"
	}
	return "500: " + err.Error()
}

func TestCreateServerRefusals(t *testing.T) {
	e := newEnv(t)
	ok := compute.CreateServer{Name: "vm", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1}
	for _, tc := range []struct {
		name   string
		caller compute.Caller
		edit   func(*compute.CreateServer)
		want   string
		msg    string
	}{
		{"unknown flavor", e.user, func(r *compute.CreateServer) { r.FlavorRef = "nope" }, "400", "Flavor nope could not be found."},
		{"unknown image", e.user, func(r *compute.CreateServer) { r.ImageRef = "nope" }, "400", "Image nope could not be found."},
		{"queued image", e.user, func(r *compute.CreateServer) { r.ImageRef = "queued" }, "400", "Image queued is not active."},
		{"min disk", e.user, func(r *compute.CreateServer) { r.ImageRef = "big" }, "400", ""},
		{"keypair", e.user, func(r *compute.CreateServer) { r.KeyName = "other" }, "400", "Invalid key_name provided."},
		{"zone", e.user, func(r *compute.CreateServer) { r.AvailabilityZone = "elsewhere" }, "400", "The requested availability zone is not available"},
		{"forced host", e.user, func(r *compute.CreateServer) { r.AvailabilityZone = "nova:h1" }, "403", ""},
		{"network", e.user, func(r *compute.CreateServer) {
			r.Networks = compute.NetworkRequest{Entries: []compute.NetworkEntry{{UUID: "n1"}}}
		}, "400", "Network n1 could not be found."},
		{"volume", e.user, func(r *compute.CreateServer) {
			r.BlockDevices = []compute.BlockDeviceMapping{{SourceType: "volume", DestinationType: "volume", UUID: "v"}}
		}, "400", ""},
		{"group", e.user, func(r *compute.CreateServer) { r.Hints = map[string][]string{"group": {"g"}} }, "400", "Instance group g could not be found."},
		{"counts", e.user, func(r *compute.CreateServer) { r.MinCount, r.MaxCount = 3, 2 }, "400", "min_count must be <= max_count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := ok
			tc.edit(&req)
			_, err := e.svc.CreateServers(context.Background(), tc.caller, req)
			if got := errKind(err); got != tc.want {
				t.Fatalf("got %s (%v), want %s", got, err, tc.want)
			}
			if tc.msg != "" && err.Error() != tc.msg {
				t.Errorf("message %q, want %q", err.Error(), tc.msg)
			}
		})
	}
}

func TestCreateServersAndQuota(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	if _, err := e.svc.UpdateQuotas(ctx, "p1", "", map[string]int64{"instances": 3}, true); err != nil {
		t.Fatal(err)
	}
	res, err := e.create(t, e.user, compute.CreateServer{Name: "web server", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 5, KeyName: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Instances) != 3 || len(res.AdminPass) != 12 || len(res.ReservationID) != 10 {
		t.Fatalf("created %d, pass %q, reservation %q", len(res.Instances), res.AdminPass, res.ReservationID)
	}
	for i, inst := range res.Instances {
		wantName := "web server-" + string(rune('1'+i))
		wantHost := "web-server-" + string(rune('1'+i))
		if inst.Name != wantName || inst.Hostname != wantHost || inst.LaunchIndex != i ||
			inst.VMState != compute.VMBuilding || inst.TaskState != compute.TaskScheduling || inst.KeyData == "" {
			t.Errorf("instance %d: %+v", i, inst)
		}
	}
	if len(e.cond.builds) != 1 || len(e.cond.builds[0].InstanceIDs) != 3 {
		t.Errorf("builds = %+v", e.cond.builds)
	}
	_, err = e.svc.CreateServers(ctx, e.user, compute.CreateServer{Name: "x", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1})
	if want := "Quota exceeded for instances: Requested 1, but already used 3 of 3 instances"; err == nil || err.Error() != want {
		t.Errorf("over quota: %v, want %q", err, want)
	}
	u, err := e.svc.Usage(ctx, "p1", "")
	if err != nil || u["instances"] != 3 || u["cores"] != 3 || u["ram"] != 1536 {
		t.Errorf("Usage = %v, %v", u, err)
	}
	other := compute.Caller{UserID: "u2", ProjectID: "p2"}
	if _, err := e.svc.Server(ctx, other, res.Instances[0].ID); errKind(err) != "404" {
		t.Errorf("other project's server: %v", err)
	}
	list, err := e.svc.Servers(ctx, other, compute.InstanceFilter{})
	if err != nil || len(list) != 0 {
		t.Errorf("other project's list = %d, %v", len(list), err)
	}
	if _, err := e.svc.Servers(ctx, e.user, compute.InstanceFilter{VMStates: []string{compute.VMDeleted}}); errKind(err) != "403" {
		t.Errorf("non-admin deleted list: %v", err)
	}
}

// activate puts an instance on host h1, running.
func (e *env) activate(t *testing.T, id string) {
	t.Helper()
	now := time.Now().UTC()
	_, err := e.store.UpdateInstance(context.Background(), id, false, func(i *compute.Instance) error {
		i.VMState, i.TaskState, i.Host, i.Node, i.LaunchedAt, i.PowerState = compute.VMActive, "", "h1", "h1", &now, 1
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestActions(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	res, err := e.create(t, e.user, compute.CreateServer{Name: "vm", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	if _, err := e.svc.Act(ctx, e.user, id, compute.ServerAction{Kind: "reboot", RebootType: "SOFT"}); errKind(err) != "409" {
		t.Errorf("reboot while building: %v", err)
	}
	e.activate(t, id)

	steps := []struct {
		name   string
		caller compute.Caller
		action compute.ServerAction
		want   string
		task   string
		op     compute.OpKind
	}{
		{"soft reboot", e.user, compute.ServerAction{Kind: "reboot", RebootType: "SOFT"}, "", compute.TaskRebooting, compute.OpReboot},
		{"second soft reboot", e.user, compute.ServerAction{Kind: "reboot", RebootType: "SOFT"}, "409", compute.TaskRebooting, compute.OpReboot},
		{"hard reboot over soft", e.user, compute.ServerAction{Kind: "reboot", RebootType: "HARD"}, "", compute.TaskRebootingHard, compute.OpReboot},
		{"stop while rebooting", e.user, compute.ServerAction{Kind: "os-stop"}, "409", compute.TaskRebootingHard, compute.OpReboot},
	}
	for i, s := range steps {
		// Each API request has its own request id (one action row each).
		s.caller.RequestID = fmt.Sprintf("req-step-%d", i)
		_, err := e.svc.Act(ctx, s.caller, id, s.action)
		if got := errKind(err); got != s.want {
			t.Fatalf("%s: got %s (%v), want %s", s.name, got, err, s.want)
		}
		inst, _ := e.svc.Server(ctx, e.admin, id)
		if inst.TaskState != s.task || e.cond.lastOp().Kind != s.op {
			t.Errorf("%s: task %q op %q", s.name, inst.TaskState, e.cond.lastOp().Kind)
		}
	}
	// req gives each later request its own request id, as the API does.
	n := 0
	req := func(c compute.Caller) compute.Caller {
		n++
		c.RequestID = fmt.Sprintf("req-later-%d", n)
		return c
	}
	e.activate(t, id)
	if _, err := e.svc.Act(ctx, req(e.user), id, compute.ServerAction{Kind: "lock"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Act(ctx, req(e.user), id, compute.ServerAction{Kind: "os-stop"}); err == nil || err.Error() != "Instance "+id+" is locked" {
		t.Errorf("stop locked: %v", err)
	}
	if err := e.svc.DeleteServer(ctx, req(e.user), id); errKind(err) != "409" {
		t.Errorf("delete locked: %v", err)
	}
	if _, err := e.svc.Act(ctx, req(e.user), id, compute.ServerAction{Kind: "unlock"}); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.Act(ctx, req(e.user), id, compute.ServerAction{Kind: "createImage", Name: "snap", Metadata: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := e.images.Get(ctx, "", r.ImageID)
	if img == nil || img.Properties["image_type"] != "snapshot" || img.Properties["instance_uuid"] != id || img.Properties["a"] != "b" || e.cond.lastOp().ImageID != r.ImageID {
		t.Errorf("snapshot image %+v, op %+v", img, e.cond.lastOp())
	}
	if _, err := e.svc.Act(ctx, req(e.user), id, compute.ServerAction{Kind: "createImage", Name: "snap2"}); errKind(err) != "409" {
		t.Errorf("second snapshot: %v", err)
	}
	if len(e.images.images) != 4 {
		t.Errorf("refused snapshot left its image: %d images", len(e.images.images))
	}
	e.activate(t, id)
	if _, err := e.svc.Act(ctx, req(e.user), id, compute.ServerAction{Kind: "resize", FlavorRef: "1"}); err == nil || err.Error() != "When resizing, instances must change flavor!" {
		t.Errorf("resize to same flavor: %v", err)
	}
	if _, err := e.svc.Act(ctx, req(e.user), id, compute.ServerAction{Kind: "resize", FlavorRef: "2"}); err != nil {
		t.Fatal(err)
	}
	op := e.cond.lastOp()
	m, err := e.store.GetMigration(ctx, op.MigrationUUID)
	if err != nil || m.Type != "resize" || m.Status != "pre-migrating" || op.Flavor.ID != "2" {
		t.Errorf("resize migration %+v, %v; op %+v", m, err, op)
	}
	if _, err := e.svc.Act(ctx, req(e.admin), id, compute.ServerAction{Kind: "evacuate"}); err == nil || err.Error() != "Compute service of h1 is still in use." {
		t.Errorf("evacuate from a live host: %v", err)
	}
	e.activate(t, id)
	if err := e.svc.DeleteServer(ctx, req(e.user), id); err != nil {
		t.Fatal(err)
	}
	if inst, _ := e.svc.Server(ctx, e.user, id); inst.TaskState != compute.TaskDeleting || e.cond.lastOp().Kind != compute.OpDelete {
		t.Errorf("after delete: task %q, op %q", inst.TaskState, e.cond.lastOp().Kind)
	}
	acts, err := e.svc.InstanceActions(ctx, e.user, id, compute.ActionFilter{})
	if err != nil || len(acts) < 5 {
		t.Errorf("InstanceActions = %d, %v", len(acts), err)
	}
}

func TestMetadataAndTags(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	res, err := e.create(t, e.user, compute.CreateServer{Name: "vm", ImageRef: "img", FlavorRef: "1", MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	if _, err := e.svc.ReplaceServerTags(ctx, e.user, id, []string{"a"}, true); errKind(err) != "409" {
		t.Errorf("tag while building: %v", err)
	}
	e.activate(t, id)
	if _, err := e.svc.ReplaceServerTags(ctx, e.user, id, []string{"a", "b"}, false); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteServerTag(ctx, e.user, id, "zz"); errKind(err) != "404" {
		t.Errorf("delete missing tag: %v", err)
	}
	if tags, _ := e.svc.ServerTags(ctx, e.user, id); len(tags) != 2 {
		t.Errorf("tags = %v", tags)
	}
	if _, err := e.svc.UpdateQuotas(ctx, "p1", "", map[string]int64{"metadata_items": 2}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetServerMetadata(ctx, e.user, id, map[string]string{"a": "1", "b": "2"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetServerMetadata(ctx, e.user, id, map[string]string{"c": "3"}, false); err == nil || err.Error() != "Maximum number of metadata items exceeds 2" {
		t.Errorf("over metadata quota: %v", err)
	}
	md, err := e.svc.SetServerMetadata(ctx, e.user, id, map[string]string{"c": "3"}, true)
	if err != nil || len(md) != 1 {
		t.Errorf("replace = %v, %v", md, err)
	}
	if err := e.svc.DeleteServerMetadata(ctx, e.user, id, "a"); errKind(err) != "404" {
		t.Errorf("delete missing key: %v", err)
	}
}

func TestAggregates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	a, err := e.svc.CreateAggregate(ctx, "agg1", "z1")
	var ni *compute.NotImplementedError
	if errors.As(err, &ni) {
		t.Skipf("store not ready: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateAggregate(ctx, "agg1", ""); err == nil || err.Error() != "Aggregate agg1 already exists." {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := e.svc.AddAggregateHost(ctx, a.ID, "nohost"); errKind(err) != "404" {
		t.Errorf("unknown host: %v", err)
	}
	if _, err := e.svc.GetAggregate(ctx, 999); errKind(err) != "404" {
		t.Errorf("unknown aggregate: %v", err)
	}
	if err := e.svc.DeleteAggregate(ctx, a.ID); err != nil {
		t.Errorf("delete empty: %v", err)
	}
}
