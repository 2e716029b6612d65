package agent_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/agent"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/hostrpc/hostrpctest"
	"github.com/gostack/gostack/internal/placement"
	"github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/placement/placementtest"
	"github.com/gostack/gostack/internal/platform/bus"
)

var quiet = slog.New(slog.DiscardHandler)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newBus(t testing.TB) *bus.Bus { return hostrpctest.Bus(t, bus.Logger(quiet)) }

// newPlacement serves a real Placement over HTTP on a fresh database and
// returns an admin client of it.
func newPlacement(t testing.TB) *client.Client {
	t.Helper()
	return placementtest.Start(t, placement.Config{}).Client
}

// conductor is a ReportHandler that keeps the latest reports.
type conductor struct {
	mu     sync.Mutex
	nodes  map[string][]hostrpc.NodeReport
	power  map[string]hostrpc.PowerReport
	events []hostrpc.EventReport
}

func newConductor() *conductor {
	return &conductor{nodes: map[string][]hostrpc.NodeReport{}, power: map[string]hostrpc.PowerReport{}}
}

func (c *conductor) Nodes(ctx context.Context, r hostrpc.NodeReport) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nodes[r.Host] = append(c.nodes[r.Host], r)
	return nil
}

func (c *conductor) Power(ctx context.Context, r hostrpc.PowerReport) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.power[r.Host] = r
	return nil
}

func (c *conductor) Event(ctx context.Context, r hostrpc.EventReport) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, r)
	return nil
}

func (c *conductor) serve(t *testing.T, b *bus.Bus) *bus.Subscription {
	t.Helper()
	sub, err := hostrpc.ServeReports(b, c, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Unsubscribe() })
	return sub
}

// images records snapshot uploads; the other methods are unused.
type images struct {
	compute.Images
	mu   sync.Mutex
	data map[string]int
}

func (im *images) Upload(ctx context.Context, token, id string, r io.Reader, size int64) error {
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		return err
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	im.data[id] = int(n)
	return nil
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitReported(t testing.TB, a *agent.Agent) {
	t.Helper()
	select {
	case <-a.Reported():
	case <-time.After(10 * time.Second):
		t.Fatal("nodes not reported within 10 s")
	}
}

type env struct {
	bus      *bus.Bus
	pl       *client.Client
	cond     *conductor
	liveness *bus.Liveness
	stateDir string
	images   *images
}

func newEnv(t *testing.T) *env {
	e := &env{bus: newBus(t), pl: newPlacement(t), cond: newConductor(), liveness: bus.NewLiveness(time.Minute),
		stateDir: t.TempDir(), images: &images{data: map[string]int{}}}
	sub, err := e.liveness.Watch(e.bus)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Unsubscribe() })
	return e
}

func (e *env) agent(t *testing.T, n int) *agent.Agent {
	t.Helper()
	var drivers []driver.Driver
	for _, d := range fake.NewHosts(n, fake.Options{Delay: fake.Instant, VCPUs: 8, MemoryMB: 16384, DiskGB: 200, ReservedMemoryMB: 512, RAMAllocationRatio: 1.5}) {
		drivers = append(drivers, d)
	}
	a, err := agent.New(agent.Config{
		Bus: e.bus, Drivers: drivers, Placement: e.pl, Images: e.images, StateDir: e.stateDir, HostIP: "192.0.2.10", Log: quiet,
		HeartbeatInterval: 20 * time.Millisecond, PowerSyncInterval: 20 * time.Millisecond, InventoryInterval: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func spec(uuid string) driver.Spec {
	return driver.Spec{UUID: uuid, Name: "instance-00000001",
		Flavor: driver.Flavor{ID: "1", Name: "m1.small", VCPUs: 2, MemoryMB: 2048, RootGB: 20}}
}

func TestAgent(t *testing.T) {
	e := newEnv(t)
	e.cond.serve(t, e.bus)
	a := e.agent(t, 3)
	ctx := t.Context()
	hosts := []string{"fake-00001", "fake-00002", "fake-00003"}
	if got := a.Hosts(); !slices.Equal(got, hosts) {
		t.Fatalf("Hosts() = %v", got)
	}

	// Placement has one provider per host, with its inventories and traits.
	provs, err := e.pl.ListProviders(ctx, client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(provs) != 3 {
		t.Fatalf("%d providers, want 3", len(provs))
	}
	for _, h := range hosts {
		invs, _, err := e.pl.Inventories(ctx, agent.ProviderID(h))
		if err != nil {
			t.Fatalf("inventories of %s: %v", h, err)
		}
		want := map[string]client.Inventory{
			"VCPU":      {Total: 8, MinUnit: 1, MaxUnit: 8, StepSize: 1, AllocationRatio: 1},
			"MEMORY_MB": {Total: 16384, Reserved: 512, MinUnit: 1, MaxUnit: 16384, StepSize: 1, AllocationRatio: 1.5},
			"DISK_GB":   {Total: 200, MinUnit: 1, MaxUnit: 200, StepSize: 1, AllocationRatio: 1},
		}
		for rc, w := range want {
			if invs[rc] != w {
				t.Errorf("%s %s inventory = %+v, want %+v", h, rc, invs[rc], w)
			}
		}
		traits, _, err := e.pl.Traits(ctx, agent.ProviderID(h))
		if err != nil || !slices.Contains(traits, "COMPUTE_NODE") {
			t.Errorf("traits of %s = %v, %v", h, traits, err)
		}
	}

	// The conductor got the nodes, and heartbeats arrive.
	waitReported(t, a)
	e.cond.mu.Lock()
	for _, h := range hosts {
		r := e.cond.nodes[h]
		if len(r) == 0 || len(r[0].Nodes) != 1 {
			t.Fatalf("node reports of %s: %+v", h, r)
		}
		n := r[0].Nodes[0]
		if n.ProviderID != agent.ProviderID(h) || n.HypervisorHostname != h || n.HostIP != "192.0.2.10" || n.Resources.VCPU.Total != 8 || r[0].Driver != "fake" {
			t.Errorf("node of %s = %+v", h, n)
		}
	}
	e.cond.mu.Unlock()
	for _, h := range hosts {
		waitFor(t, "heartbeat of "+h, func() bool {
			s, ok := e.liveness.Status(compute.HeartbeatService, h)
			return ok && s.Up && s.Binary == "nova-compute"
		})
	}

	// The conductor can call a host; power sync, events and the
	// inventory refresh follow.
	const id = "aaaaaaaa-0000-0000-0000-000000000001"
	h1 := hostrpc.Dial(e.bus, "fake-00001")
	if err := h1.Spawn(ctx, spec(id)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "power report with the instance", func() bool {
		e.cond.mu.Lock()
		defer e.cond.mu.Unlock()
		r := e.cond.power["fake-00001"]
		return r.Full && len(r.Instances) == 1 && r.Instances[0].UUID == id && r.Instances[0].PowerState == driver.Running
	})
	waitFor(t, "started event", func() bool {
		e.cond.mu.Lock()
		defer e.cond.mu.Unlock()
		return slices.ContainsFunc(e.cond.events, func(r hostrpc.EventReport) bool {
			return r.Host == "fake-00001" && r.Event.Kind == driver.EventStarted && r.Event.Instance == id
		})
	})
	waitFor(t, "node report with the instance's usage", func() bool {
		e.cond.mu.Lock()
		defer e.cond.mu.Unlock()
		r := e.cond.nodes["fake-00001"]
		return r[len(r)-1].Nodes[0].Resources.VCPU.Used == 2
	})
	if err := h1.SnapshotUpload(ctx, id, hostrpc.Upload{ImageID: "snap-1", Token: "tok"}); err != nil {
		t.Fatalf("SnapshotUpload: %v", err)
	}
	if e.images.data["snap-1"] == 0 {
		t.Error("snapshot not uploaded")
	}

	// A restarted agent finds its providers and the guests again, and
	// waits for a conductor that starts after it.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := h1.Info(ctx, id); !hostrpc.IsHostUnavailable(err) {
		t.Fatalf("Info with the agent stopped: %v, want HostUnavailableError", err)
	}
	e2 := *e
	e2.bus = newBus(t)
	e2.cond = newConductor()
	a2 := e2.agent(t, 3)
	select {
	case <-a2.Reported():
		t.Fatal("nodes reported with no conductor")
	default:
	}
	e2.cond.serve(t, e2.bus)
	waitReported(t, a2)
	provs, err = e.pl.ListProviders(ctx, client.ListOptions{})
	if err != nil || len(provs) != 3 {
		t.Fatalf("after restart: %d providers (%v), want 3", len(provs), err)
	}
	info, err := hostrpc.Dial(e2.bus, "fake-00001").Info(ctx, id)
	if err != nil || info.PowerState != driver.Running {
		t.Fatalf("instance after restart: %+v, %v", info, err)
	}
	waitFor(t, "power report after restart", func() bool {
		e2.cond.mu.Lock()
		defer e2.cond.mu.Unlock()
		r := e2.cond.power["fake-00001"]
		return len(r.Instances) == 1 && r.Instances[0].UUID == id
	})
	e2.cond.mu.Lock()
	if n := e2.cond.nodes["fake-00001"][0].Nodes[0]; n.Resources.VCPU.Used != 2 {
		t.Errorf("node after restart: %+v", n)
	}
	e2.cond.mu.Unlock()
}

func TestNoImages(t *testing.T) {
	e := newEnv(t)
	d := fake.New(fake.Options{HostName: "solo", Delay: fake.Instant})
	a, err := agent.New(agent.Config{Bus: e.bus, Drivers: []driver.Driver{d}, Placement: e.pl, StateDir: e.stateDir, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := hostrpc.Dial(e.bus, "solo")
	const id = "aaaaaaaa-0000-0000-0000-000000000002"
	if err := h.Spawn(t.Context(), spec(id)); err != nil {
		t.Fatal(err)
	}
	err = h.SnapshotUpload(t.Context(), id, hostrpc.Upload{ImageID: "x"})
	if !driver.IsUnsupported(err) {
		t.Fatalf("SnapshotUpload without images: %v, want driver.Unsupported", err)
	}
}

func TestConfig(t *testing.T) {
	b := newBus(t)
	pl := newPlacement(t)
	two := []driver.Driver{fake.New(fake.Options{HostName: "x"}), fake.New(fake.Options{HostName: "x"})}
	for name, cfg := range map[string]agent.Config{
		"no bus":       {Placement: pl, Drivers: two[:1], StateDir: "d"},
		"no placement": {Bus: b, Drivers: two[:1], StateDir: "d"},
		"no drivers":   {Bus: b, Placement: pl, StateDir: "d"},
		"no state dir": {Bus: b, Placement: pl, Drivers: two[:1]},
		"duplicate":    {Bus: b, Placement: pl, Drivers: two, StateDir: "d"},
	} {
		if _, err := agent.New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestStartFailsCleanly(t *testing.T) {
	e := newEnv(t)
	d := fake.New(fake.Options{HostName: "dup", Delay: fake.Instant})
	// Another provider already holds the name under another uuid.
	if _, err := e.pl.CreateProvider(t.Context(), "", "dup", ""); err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(agent.Config{Bus: e.bus, Drivers: []driver.Driver{d}, Placement: e.pl, StateDir: e.stateDir, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Start(t.Context())
	var pe *client.Error
	if !errors.As(err, &pe) || pe.Code != client.CodeDuplicateName {
		t.Fatalf("Start with a name taken: %v", err)
	}
	if _, err := hostrpc.Dial(e.bus, "dup").Capabilities(t.Context()); !hostrpc.IsHostUnavailable(err) {
		t.Errorf("host served after a failed Start: %v", err)
	}
}
