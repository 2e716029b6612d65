package hostrpc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/hostrpc/hostrpctest"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/bus"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newBus gives the test its own bus.
func newBus(t *testing.T) *bus.Bus { return hostrpctest.Bus(t) }

// images records uploads.
type images struct {
	mu      sync.Mutex
	uploads map[string][]byte // image id → data
	tokens  []string
}

func (im *images) Upload(ctx context.Context, token, id string, data io.Reader, size int64) error {
	b, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	if int64(len(b)) != size {
		return errors.New("size mismatch")
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	if im.uploads == nil {
		im.uploads = map[string][]byte{}
	}
	im.uploads[id] = b
	im.tokens = append(im.tokens, token)
	return nil
}

// serve starts a fake host served on b and returns the driver and a
// client of it.
func serve(t *testing.T, b *bus.Bus, name string, up hostrpc.Uploader) (*fake.Driver, hostrpc.Host) {
	t.Helper()
	d := fake.New(fake.Options{HostName: name, Delay: fake.Instant, VCPUs: 8, MemoryMB: 8192, DiskGB: 100})
	if err := d.Configure(t.Context(), driver.Config{}); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	sub, err := hostrpc.Serve(b, name, hostrpc.Local(d, up, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Unsubscribe() })
	return d, hostrpc.Dial(b, name)
}

func spec(uuid string) driver.Spec {
	return driver.Spec{
		UUID: uuid, Name: "instance-1", Hostname: "vm1",
		Flavor: driver.Flavor{ID: "f1", Name: "m1.small", VCPUs: 1, MemoryMB: 512, RootGB: 1},
		Image:  driver.Image{ID: "img", Format: "raw"},
		NICs:   []driver.NIC{{PortID: "p1", MAC: "fa:16:3e:00:00:01", Tap: "tapp1"}},
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func power(t *testing.T, h hostrpc.Host, uuid string, want driver.PowerState) {
	t.Helper()
	info, err := h.Info(t.Context(), uuid)
	must(t, "Info", err)
	if info.PowerState != want {
		t.Fatalf("power state of %s = %v, want %v", uuid, info.PowerState, want)
	}
}

// TestRoundTrip calls every method of Host through the bus.
func TestRoundTrip(t *testing.T) {
	b := newBus(t)
	up := &images{}
	srcDrv, src := serve(t, b, "src", up)
	_, dst := serve(t, b, "dst", up)
	ctx := t.Context()
	const id = "11111111-1111-1111-1111-111111111111"

	if src.Name() != "src" {
		t.Errorf("Name() = %q", src.Name())
	}
	caps, err := src.Capabilities(ctx)
	must(t, "Capabilities", err)
	if diff := cmp.Diff(srcDrv.Capabilities(), caps); diff != "" {
		t.Errorf("Capabilities (-driver +rpc):\n%s", diff)
	}

	must(t, "Spawn", src.Spawn(ctx, spec(id)))
	power(t, src, id, driver.Running)
	list, err := src.ListInstances(ctx)
	must(t, "ListInstances", err)
	want, _ := srcDrv.ListInstances(ctx)
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("ListInstances (-driver +rpc):\n%s", diff)
	}

	must(t, "PowerOff", src.PowerOff(ctx, id, time.Second))
	power(t, src, id, driver.Shutdown)
	must(t, "PowerOn", src.PowerOn(ctx, id))
	must(t, "Reboot", src.Reboot(ctx, id, driver.Hard))
	must(t, "Pause", src.Pause(ctx, id))
	power(t, src, id, driver.Paused)
	must(t, "Unpause", src.Unpause(ctx, id))
	must(t, "Suspend", src.Suspend(ctx, id))
	power(t, src, id, driver.Suspended)
	must(t, "Resume", src.Resume(ctx, id))
	must(t, "Rescue", src.Rescue(ctx, id, driver.RescueSpec{Image: driver.Image{ID: "rescue"}}))
	if info, _ := src.Info(ctx, id); !info.Rescued {
		t.Error("not rescued after Rescue")
	}
	must(t, "Unrescue", src.Unrescue(ctx, id))
	s := spec(id)
	s.Image.ID = "img2"
	must(t, "Rebuild", src.Rebuild(ctx, s))

	must(t, "SnapshotUpload", src.SnapshotUpload(ctx, id, hostrpc.Upload{ImageID: "snap", Token: "tok"}))
	if len(up.uploads["snap"]) == 0 || up.tokens[0] != "tok" {
		t.Errorf("upload: %d bytes, tokens %v", len(up.uploads["snap"]), up.tokens)
	}

	must(t, "AttachVolume", src.AttachVolume(ctx, id, driver.BlockDevice{VolumeID: "vol1", Path: "/dev/null", BootIndex: -1}))
	must(t, "AttachInterface", src.AttachInterface(ctx, id, driver.NIC{PortID: "p2", MAC: "fa:16:3e:00:00:02"}))
	info, err := src.Info(ctx, id)
	must(t, "Info", err)
	if diff := cmp.Diff([]string{"vol1"}, info.Volumes); diff != "" {
		t.Errorf("volumes:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"p1", "p2"}, info.Ports); diff != "" {
		t.Errorf("ports:\n%s", diff)
	}
	must(t, "DetachVolume", src.DetachVolume(ctx, id, "vol1"))
	must(t, "DetachInterface", src.DetachInterface(ctx, id, "p2"))

	out, err := src.ConsoleOutput(ctx, id, 0)
	must(t, "ConsoleOutput", err)
	if !bytes.Contains(out, []byte("login:")) {
		t.Errorf("console output %q has no login prompt", out)
	}
	vnc, err := src.VNCConsole(ctx, id)
	must(t, "VNCConsole", err)
	if vnc.Port == 0 {
		t.Errorf("VNCConsole = %+v", vnc)
	}
	diag, err := src.Diagnostics(ctx, id)
	must(t, "Diagnostics", err)
	wantDiag, _ := srcDrv.Diagnostics(ctx, id)
	if diff := cmp.Diff(wantDiag, diag, cmp.Comparer(func(a, b time.Duration) bool { return true })); diff != "" {
		t.Errorf("Diagnostics (-driver +rpc):\n%s", diff)
	}

	// Cold migration src → dst, then back by revert, then again and confirm.
	m := driver.Migration{ID: "mig1", Instance: id, Source: "src", Dest: "dst", NewFlavor: s.Flavor}
	must(t, "MigrateDisk", src.MigrateDisk(ctx, &m))
	if len(m.Data) == 0 {
		t.Fatal("MigrateDisk did not bring back the migration's data")
	}
	must(t, "FinishMigration", dst.FinishMigration(ctx, s, m, true))
	power(t, dst, id, driver.Running)
	must(t, "Destroy on dest", dst.Destroy(ctx, id))
	must(t, "RevertMigration", src.RevertMigration(ctx, m, true))
	power(t, src, id, driver.Running)
	m = driver.Migration{ID: "mig2", Instance: id, Source: "src", Dest: "dst", NewFlavor: s.Flavor}
	must(t, "MigrateDisk", src.MigrateDisk(ctx, &m))
	must(t, "FinishMigration", dst.FinishMigration(ctx, s, m, true))
	must(t, "ConfirmMigration", src.ConfirmMigration(ctx, m))

	// Live migration dst → src, aborted once, then finished.
	lm := driver.Migration{ID: "mig3", Instance: id, Source: "dst", Dest: "src"}
	must(t, "PrepareLiveMigration", src.PrepareLiveMigration(ctx, s, &lm))
	if lm.DestAddr == "" {
		t.Fatal("PrepareLiveMigration did not bring back DestAddr")
	}
	must(t, "AbortLiveMigration", src.AbortLiveMigration(ctx, lm))
	lm = driver.Migration{ID: "mig4", Instance: id, Source: "dst", Dest: "src"}
	must(t, "PrepareLiveMigration", src.PrepareLiveMigration(ctx, s, &lm))
	must(t, "LiveMigrate", dst.LiveMigrate(ctx, &lm))
	if len(lm.Data) == 0 {
		t.Fatal("LiveMigrate did not bring back the migration's data")
	}
	must(t, "FinishLiveMigration", src.FinishLiveMigration(ctx, lm))
	power(t, src, id, driver.Running)
	if l, _ := dst.ListInstances(ctx); len(l) != 0 {
		t.Errorf("dst still has %v", l)
	}

	must(t, "Destroy", src.Destroy(ctx, id))
	if l, _ := src.ListInstances(ctx); len(l) != 0 {
		t.Errorf("src still has %v", l)
	}
}

// TestErrors checks that each driver error arrives as the *apierr.Error
// it was on the agent, with its status, message and type.
func TestErrors(t *testing.T) {
	b := newBus(t)
	_, h := serve(t, b, "h1", nil)
	ctx := t.Context()
	const id = "22222222-2222-2222-2222-222222222222"
	must(t, "Spawn", h.Spawn(ctx, spec(id)))

	big := spec("33333333-3333-3333-3333-333333333333")
	big.Flavor.VCPUs = 64
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"not found", h.Destroy(ctx, "nope"), driver.NotFound("instance", "nope")},
		{"invalid state", h.Unpause(ctx, id), driver.InvalidState(id, "Unpause", "running")},
		{"exists", h.Spawn(ctx, spec(id)), driver.Exists(id)},
		{"unsupported", h.SnapshotUpload(ctx, id, hostrpc.Upload{ImageID: "x"}), driver.Unsupported("fake", "snapshot upload (no image service configured)")},
		{"no resources", h.Spawn(ctx, big), driver.NoResources("VCPU", 64, 7)},
		{"other", h.FinishMigration(ctx, spec(id), driver.Migration{ID: "m", Instance: id}, false),
			&bus.RemoteError{Subject: "compute.host.h1", Method: "finish_migration", Message: "fake: migration m: bad hand-over data: unexpected end of JSON input"}},
		{"no agent", hostrpc.Dial(b, "ghost").PowerOn(ctx, id), &hostrpc.HostUnavailableError{Host: "ghost"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.err); diff != "" {
				t.Errorf("error (-want +got):\n%s\ngot %T %v", diff, tt.err, tt.err)
			}
		})
	}
	if !driver.IsInvalidState(tests[1].err) || !hostrpc.IsHostUnavailable(tests[6].err) {
		t.Error("the predicates do not recognize the errors")
	}
	if e, ok := apierr.As(tests[0].err); !ok || e.Code != 404 || e.Type != driver.TypeNotFound {
		t.Errorf("not found: %#v, want a 404 of type %s", tests[0].err, driver.TypeNotFound)
	}
}

// custom is a Host whose Info fails with an error of the caller's choice.
type custom struct {
	hostrpc.Host
	err error
}

func (c custom) Info(context.Context, string) (driver.InstanceInfo, error) {
	return driver.InstanceInfo{}, c.err
}

// TestAPIErrorCrossesTheBus checks that any *apierr.Error a Host returns,
// not only the driver's, arrives with Code, Message and Type intact, even
// wrapped, and that its private cause stays on the agent.
func TestAPIErrorCrossesTheBus(t *testing.T) {
	b := newBus(t)
	want := apierr.New(http.StatusTooManyRequests, "Slow down.").WithType("test.slow_down")
	cause := *want
	cause.Err = errors.New("private detail")
	sub, err := hostrpc.Serve(b, "h2", custom{err: fmt.Errorf("info: %w", &cause)})
	must(t, "Serve", err)
	defer sub.Unsubscribe()
	_, got := hostrpc.Dial(b, "h2").Info(t.Context(), "x")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

// TestDeadline checks that a call ends with its context.
func TestDeadline(t *testing.T) {
	b := newBus(t)
	d := fake.New(fake.Options{HostName: "slow", Delay: time.Hour})
	must(t, "Start", d.Start(t.Context()))
	sub, err := hostrpc.Serve(b, "slow", hostrpc.Local(d, nil, t.TempDir()))
	must(t, "Serve", err)
	defer sub.Unsubscribe()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	err = hostrpc.Dial(b, "slow").Spawn(ctx, spec("44444444-4444-4444-4444-444444444444"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Spawn past its deadline: %v, want context.DeadlineExceeded", err)
	}
}

// reports is a ReportHandler that records what it gets.
type reports struct {
	mu    sync.Mutex
	nodes []hostrpc.NodeReport
	power []hostrpc.PowerReport
	event []hostrpc.EventReport
	fail  error
	got   chan struct{}
}

func (r *reports) record(f func()) {
	r.mu.Lock()
	f()
	r.mu.Unlock()
	r.got <- struct{}{}
}

func (r *reports) Nodes(ctx context.Context, n hostrpc.NodeReport) error {
	r.mu.Lock()
	fail := r.fail
	r.mu.Unlock()
	if fail != nil {
		return fail
	}
	r.record(func() { r.nodes = append(r.nodes, n) })
	return nil
}

func (r *reports) Power(ctx context.Context, p hostrpc.PowerReport) error {
	r.record(func() { r.power = append(r.power, p) })
	return nil
}

func (r *reports) Event(ctx context.Context, e hostrpc.EventReport) error {
	r.record(func() { r.event = append(r.event, e) })
	return nil
}

func wait(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("no report within 10 s")
	}
}

func TestReports(t *testing.T) {
	b := newBus(t)
	ctx := t.Context()
	node := hostrpc.NodeReport{Host: "h1", Driver: "fake", Nodes: []hostrpc.Node{{
		ProviderID: "pid", HypervisorHostname: "h1", HostIP: "10.0.0.1",
		Resources: driver.Resources{VCPU: driver.Amount{Total: 8, AllocationRatio: 1}, HypervisorType: "fake"},
		StartedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}}}

	if err := hostrpc.PublishNodes(ctx, b, node); !errors.Is(err, hostrpc.ErrNoConductor) {
		t.Fatalf("PublishNodes without conductor: %v, want ErrNoConductor", err)
	}

	h := &reports{got: make(chan struct{}, 10)}
	sub, err := hostrpc.ServeReports(b, h, nil)
	must(t, "ServeReports", err)
	defer sub.Unsubscribe()

	must(t, "PublishNodes", hostrpc.PublishNodes(ctx, b, node))
	// PublishNodes returns once the handler has stored the report.
	h.mu.Lock()
	if diff := cmp.Diff([]hostrpc.NodeReport{node}, h.nodes); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	h.mu.Unlock()
	wait(t, h.got)

	pw := hostrpc.PowerReport{Host: "h1", Full: true, Instances: []driver.InstanceInfo{{UUID: "i1", PowerState: driver.Running}}, Time: time.Date(2025, 1, 2, 3, 4, 6, 0, time.UTC)}
	must(t, "PublishPower", hostrpc.PublishPower(ctx, b, pw))
	wait(t, h.got)
	ev := hostrpc.EventReport{Host: "h1", Event: driver.Event{Kind: driver.EventStopped, Instance: "i1", Time: time.Date(2025, 1, 2, 3, 4, 7, 0, time.UTC)}}
	must(t, "PublishEvent", hostrpc.PublishEvent(ctx, b, ev))
	wait(t, h.got)
	h.mu.Lock()
	if diff := cmp.Diff([]hostrpc.PowerReport{pw}, h.power); diff != "" {
		t.Errorf("power (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]hostrpc.EventReport{ev}, h.event); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	h.fail = errors.New("database is locked")
	h.mu.Unlock()

	err = hostrpc.PublishNodes(ctx, b, node)
	var re *bus.RemoteError
	if !errors.As(err, &re) || re.Message != "database is locked" {
		t.Errorf("PublishNodes with a failing conductor: %v", err)
	}
	h.mu.Lock()
	h.fail = apierr.Conflict("Host h1 is being removed.")
	h.mu.Unlock()
	if err := hostrpc.PublishNodes(ctx, b, node); !apierr.IsConflict(err) || apierr.Message(err) != "Host h1 is being removed." {
		t.Errorf("PublishNodes refused by the conductor: %v", err)
	}
}
