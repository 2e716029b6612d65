package conductor_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/agent"
	"github.com/gostack/gostack/internal/compute/conductor"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/hostrpc/hostrpctest"
	"github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/bus"
)

var quiet = slog.New(slog.DiscardHandler)

// busEnv is a conductor that reaches its hosts over the bus, served by
// the real compute agent with fake hypervisors, as in the cloud. The
// agent keeps its guests in a state directory, so that the agent of a
// restarted process finds them again.
type busEnv struct {
	*env
	bus    *bus.Bus
	n      int
	dir    string
	agent  *agent.Agent
	placed *agentPlacement
	// misses counts the calls that found no agent.
	misses atomic.Int64
}

func newBusEnv(t *testing.T, nhosts int, opts ...envOpt) *busEnv {
	t.Helper()
	b := hostrpctest.Bus(t, bus.Logger(quiet))
	be := &busEnv{bus: b, n: nhosts, dir: t.TempDir(), placed: &agentPlacement{provs: map[string]int64{}}}
	dial := func(c *conductor.Config) {
		c.Dial = func(h string) hostrpc.Host { return watched{hostrpc.Dial(b, h), &be.misses} }
	}
	be.env = newEnv(t, 0, fake.Instant, append([]envOpt{dial}, opts...)...)
	// The reports go to whichever conductor runs now.
	sub, err := hostrpc.ServeReports(b, reportsTo{be.env}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Unsubscribe() })
	for i := 1; i <= nhosts; i++ {
		name := hostName(i)
		be.sched.hosts = append(be.sched.hosts, fakeHost{name: name, node: name, provider: agent.ProviderID(name)})
	}
	return be
}

// watched counts the calls of Destroy and Info (the first ones a delete
// and a recovery make) that find no agent.
type watched struct {
	hostrpc.Host
	misses *atomic.Int64
}

func (w watched) count(err error) error {
	if hostrpc.IsHostUnavailable(err) {
		w.misses.Add(1)
	}
	return err
}

func (w watched) Destroy(ctx context.Context, id string) error {
	return w.count(w.Host.Destroy(ctx, id))
}

func (w watched) Info(ctx context.Context, id string) (driver.InstanceInfo, error) {
	info, err := w.Host.Info(ctx, id)
	return info, w.count(err)
}

// missed waits until n calls have found no agent, at most 10 s.
func (be *busEnv) missed(n int64) error {
	deadline := time.Now().Add(10 * time.Second)
	for be.misses.Load() < n {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d calls found no agent, want %d", be.misses.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// reportsTo hands the agents' reports to the env's current conductor.
type reportsTo struct{ e *env }

func (r reportsTo) Nodes(ctx context.Context, n hostrpc.NodeReport) error { return r.e.c.Nodes(ctx, n) }
func (r reportsTo) Power(ctx context.Context, p hostrpc.PowerReport) error {
	return r.e.c.Power(ctx, p)
}
func (r reportsTo) Event(ctx context.Context, ev hostrpc.EventReport) error {
	return r.e.c.Event(ctx, ev)
}

// startAgent starts the compute agent of every host, as a starting
// process does, and returns once its hosts are served (their reports go
// on in the background).
func (be *busEnv) startAgent() *agent.Agent {
	be.t.Helper()
	a, err := be.launchAgent()
	if err != nil {
		be.t.Fatal(err)
	}
	return a
}

// launchAgent is startAgent for a goroutine of the test: it returns its
// error. The test reads the hosts it set only once the goroutine told it
// the agent started.
func (be *busEnv) launchAgent() (*agent.Agent, error) {
	var drivers []driver.Driver
	for _, d := range fake.NewHosts(be.n, fake.Options{Delay: fake.Instant}) {
		drivers = append(drivers, d)
		be.hosts[d.HostName()] = d
	}
	a, err := agent.New(agent.Config{Bus: be.bus, Drivers: drivers, Placement: be.placed, StateDir: be.dir, Log: quiet,
		HeartbeatInterval: time.Hour, PowerSyncInterval: time.Hour, InventoryInterval: time.Hour})
	if err != nil {
		return nil, err
	}
	if err := a.Start(context.Background()); err != nil {
		return nil, err
	}
	be.agent = a
	be.t.Cleanup(func() { a.Close() })
	return a, nil
}

// crash is a kill -9 of the process: its agent and its conductor stop
// and a new conductor starts, whose agent the test starts when it wants.
func (be *busEnv) crash(opts ...envOpt) {
	be.t.Helper()
	if err := be.agent.Close(); err != nil {
		be.t.Fatal(err)
	}
	be.c.Close()
	cfg := be.cfg
	for _, o := range opts {
		o(&cfg)
	}
	be.cfg = cfg
	be.c = conductor.New(cfg)
	be.t.Cleanup(func() { be.c.Close() })
}

// agentPlacement is the little of Placement the agent needs: providers
// that exist, with any inventory and traits.
type agentPlacement struct {
	mu    sync.Mutex
	provs map[string]int64
}

func (p *agentPlacement) CreateProvider(ctx context.Context, uuid, name, parent string) (*client.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.provs[uuid] = 0
	return &client.Provider{UUID: uuid, Name: name}, nil
}

func (p *agentPlacement) Inventories(ctx context.Context, uuid string) (map[string]client.Inventory, int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	gen, ok := p.provs[uuid]
	if !ok {
		return nil, 0, apierr.NotFound("No resource provider with uuid %s found.", uuid)
	}
	return nil, gen, nil
}

func (p *agentPlacement) SetInventories(ctx context.Context, uuid string, gen int64, invs map[string]client.Inventory) (int64, error) {
	return gen, nil
}

func (p *agentPlacement) Traits(ctx context.Context, uuid string) ([]string, int64, error) {
	return nil, 0, nil
}

func (p *agentPlacement) SetTraits(ctx context.Context, uuid string, gen int64, traits []string) (int64, error) {
	return gen, nil
}

// deleteNoWait starts a delete as the API does (task_state deleting, the
// action recorded, Run) without waiting for it.
func (e *env) deleteNoWait(id string) {
	e.t.Helper()
	ctx := context.Background()
	e.set(id, func(i *compute.Instance) { i.TaskState = compute.TaskDeleting })
	req := "req-delete-" + id
	if err := e.store.StartAction(ctx, &compute.InstanceAction{InstanceID: id, Action: "delete",
		RequestID: req, ProjectID: "p1", UserID: "u1", StartTime: time.Now()}); err != nil {
		e.t.Fatal(err)
	}
	e.c.Run(ctx, compute.Op{Kind: compute.OpDelete, InstanceID: id, Caller: compute.Caller{RequestID: req}})
}

// gone checks that a delete finished: the instance deleted (not ERROR),
// its allocations freed, its guest destroyed on host when host is set.
func (e *env) gone(inst *compute.Instance, host string) {
	e.t.Helper()
	got := e.get(inst.ID)
	if !got.Deleted || got.VMState != compute.VMDeleted {
		e.t.Errorf("%s after its delete: %s/%s deleted=%v fault %+v\n%s", inst.Name, got.VMState, got.TaskState, got.Deleted, got.Fault, e.log)
	}
	if a := e.place.of(inst.ID); a != nil {
		e.t.Errorf("%s keeps its allocation %v", inst.Name, a)
	}
	if host == "" {
		return
	}
	if _, ok := e.guests(host)[inst.ID]; ok {
		e.t.Errorf("%s: guest still on %s", inst.Name, host)
	}
}

// TestDeleteBeforeAgentIsUp is issue #19's first defect: after a restart
// the compute API answers before the agent has subscribed, and a delete
// accepted then must wait for the agent, not leave the server in ERROR
// ("compute host ... is unavailable: no agent answers").
func TestDeleteBeforeAgentIsUp(t *testing.T) {
	be := newBusEnv(t, 2)
	be.startAgent()
	insts := be.active(4)
	be.crash()

	for _, inst := range insts {
		be.deleteNoWait(inst.ID)
	}
	if err := be.missed(int64(len(insts))); err != nil { // the agent is a little late
		t.Fatal(err)
	}
	be.startAgent()
	be.wait()
	for _, inst := range insts {
		be.gone(inst, inst.Host)
	}
}

// TestRecoveryWaitsForAgents: the operations a kill interrupted are re-run
// by Recover at start, before the agents of the process serve; each must
// wait for its agent and finish, never end in ERROR because the agent was
// a few milliseconds late. With Ready (the agents' "reported" signal)
// Recover waits for them first; without it each host call waits.
func TestRecoveryWaitsForAgents(t *testing.T) {
	for _, withReady := range []bool{true, false} {
		name := "per call"
		if withReady {
			name = "ready"
		}
		t.Run(name, func(t *testing.T) {
			be := newBusEnv(t, 1, noGrace)
			be.startAgent()
			insts := be.active(4)
			h := hostName(1)
			// The kill interrupted a delete, a hard reboot, a stop and a
			// build that was spawning.
			be.set(insts[0].ID, func(i *compute.Instance) { i.TaskState = compute.TaskDeleting })
			be.set(insts[1].ID, func(i *compute.Instance) { i.TaskState = compute.TaskRebootingHard })
			be.set(insts[2].ID, func(i *compute.Instance) { i.TaskState = compute.TaskPoweringOff })
			be.set(insts[3].ID, func(i *compute.Instance) { i.VMState, i.TaskState = compute.VMBuilding, compute.TaskSpawning })
			ready := make(chan struct{})
			be.crash(func(c *conductor.Config) {
				if withReady {
					c.Ready = ready
				}
			})
			started := make(chan *agent.Agent, 1)
			go func() {
				defer close(ready)
				if withReady {
					// Recover must call no host before the agent has
					// reported: the agent comes once a call found none
					// (which fails the test below) or after a while.
					deadline := time.Now().Add(200 * time.Millisecond)
					for be.misses.Load() == 0 && time.Now().Before(deadline) {
						time.Sleep(time.Millisecond)
					}
				} else if err := be.missed(int64(len(insts))); err != nil {
					// Without Ready the agent comes once every call has
					// found none.
					t.Error(err)
				}
				a, err := be.launchAgent()
				if err != nil {
					t.Error(err)
					started <- nil
					return
				}
				started <- a
				<-a.Reported()
			}()
			be.recover()
			if <-started == nil {
				return
			}
			if n := be.misses.Load(); withReady && n > 0 {
				t.Errorf("with Ready, %d calls reached for an agent before it reported", n)
			}

			be.gone(insts[0], h)
			for i, want := range []string{compute.VMActive, compute.VMStopped, compute.VMActive} {
				got := be.get(insts[i+1].ID)
				if got.VMState != want || got.TaskState != "" || got.Fault != nil {
					t.Errorf("%s: %s/%s (fault %+v), want %s\n%s", insts[i+1].Name, got.VMState, got.TaskState, got.Fault, want, be.log)
				}
			}
		})
	}
}

// TestDeleteOnHostDownForGood: a host whose agent stays away past the
// wait gets Nova's local delete (the instance deleted, its allocation
// freed), and when the host comes back its agent's first report has the
// guest destroyed.
func TestDeleteOnHostDownForGood(t *testing.T) {
	const wait = time.Second
	be := newBusEnv(t, 1, func(c *conductor.Config) { c.AgentWait = wait })
	h := hostName(1)
	be.startAgent()
	insts := be.active(2)
	be.crash()

	start := time.Now()
	be.deleteNoWait(insts[0].ID)
	be.wait()
	if waited := time.Since(start); waited < wait/2 {
		t.Errorf("the delete waited %v for the agent, want about AgentWait (%v)", waited, wait)
	}
	got := be.get(insts[0].ID)
	if !got.Deleted || got.Fault != nil {
		t.Fatalf("delete on a host that is down: %s/%s deleted=%v fault %+v\n%s", got.VMState, got.TaskState, got.Deleted, got.Fault, be.log)
	}
	if a := be.place.of(insts[0].ID); a != nil {
		t.Errorf("allocation kept: %v", a)
	}
	// Past the wait, a host that is still silent is down: a delete does
	// not wait for it any more.
	start = time.Now()
	be.deleteNoWait(insts[1].ID)
	be.wait()
	if waited := time.Since(start); waited >= wait/2 {
		t.Errorf("a delete on a host known down waited %v", waited)
	}

	// The host returns: its agent finds the guests again and reports;
	// the conductor destroys the guests of the deleted instances.
	a := be.startAgent()
	<-a.Reported()
	deadline := time.Now().Add(10 * time.Second)
	for len(be.guests(h)) > 0 && time.Now().Before(deadline) {
		be.wait()
		time.Sleep(5 * time.Millisecond)
	}
	for _, inst := range insts {
		be.gone(inst, h)
	}
}
