package conductor_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor"
	"github.com/gostack/gostack/internal/compute/conductor/claim"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/platform/lease"
)

// replica is one `gostack serve` process's conductor on the shared
// database: its claims, the renewal of its lease, and the spawns it sent.
type replica struct {
	c      *conductor.Conductor
	claims *claim.Claims
	leases *lease.Store
	spawns atomic.Int64
	stop   context.CancelFunc // stops the renewal of the lease
	done   chan struct{}
}

// gatedHost is a host whose spawns a replica counts and, when blocked,
// never finish: they wait for the operation's end, as a long spawn does.
type gatedHost struct {
	hostrpc.Host
	r       *replica
	blocked chan<- string // told the instance of each blocked spawn
}

func (g gatedHost) Spawn(ctx context.Context, spec driver.Spec) error {
	g.r.spawns.Add(1)
	if g.blocked == nil {
		return g.Host.Spawn(ctx, spec)
	}
	g.blocked <- spec.UUID
	<-ctx.Done()
	return ctx.Err()
}

// replica starts a conductor with claims of conductor id on e's database
// (a process of its own: its own lease store, hence its own holder),
// whose lease lasts ttl and is renewed until kill. blocked, when not nil,
// makes its spawns hang.
func (e *env) replica(id string, ttl time.Duration, blocked chan<- string, opts ...envOpt) *replica {
	e.t.Helper()
	ctx := context.Background()
	leases, err := lease.Open(ctx, e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	claims, err := claim.New(ctx, claim.Config{Store: e.store, Leases: leases, ID: id, TTL: ttl, Log: quiet})
	if err != nil {
		e.t.Fatal(err)
	}
	r := &replica{claims: claims, leases: leases, done: make(chan struct{})}
	cfg := e.cfg
	dial := cfg.Dial
	cfg.Dial = func(h string) hostrpc.Host { return gatedHost{dial(h), r, blocked} }
	cfg.Claims = claims
	for _, o := range opts {
		o(&cfg)
	}
	r.c = conductor.New(cfg)
	rctx, stop := context.WithCancel(ctx)
	r.stop = stop
	go func() {
		defer close(r.done)
		t := time.NewTicker(claims.Interval())
		defer t.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-t.C:
				claims.Renew(rctx)
			}
		}
	}()
	e.t.Cleanup(func() { r.kill() })
	return r
}

// kill is a kill -9: the lease is no longer renewed nor released, the
// operations in flight stop without writing anything.
func (r *replica) kill() {
	r.stop()
	<-r.done
	r.c.Close()
}

// recover runs one Recover of r and waits for the work it queued.
func (e *env) recoverOn(r *replica) {
	e.t.Helper()
	if err := r.c.Recover(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.c.Wait(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// waitExpired waits until r's lease has expired on the database's clock.
func (e *env) waitExpired(r *replica) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, err := r.leases.Get(context.Background(), "compute-conductor/"+r.claims.Owner())
		if err != nil {
			e.t.Fatal(err)
		}
		if l.Left <= 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("lease of %s still has %s", r.claims.Owner(), l.Left)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// buildBlocked has a builds the instances, returns once the API would
// have answered (the claims written), and waits until every spawn hangs.
func (e *env) buildBlocked(a *replica, blocked <-chan string, insts []*compute.Instance) {
	e.t.Helper()
	var ids []string
	for _, i := range insts {
		ids = append(ids, i.ID)
	}
	a.c.Build(context.Background(), compute.BuildRequest{InstanceIDs: ids, Caller: compute.Caller{RequestID: "req-create", Token: "tok"}})
	claims, err := e.store.Claims(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	if len(claims) != len(ids) {
		e.t.Fatalf("%d claims after Build of %d instances: %v", len(claims), len(ids), claims)
	}
	for _, cl := range claims {
		if cl.Owner != a.claims.Owner() {
			e.t.Fatalf("claim %v, want owner %s", cl, a.claims.Owner())
		}
	}
	timeout := time.After(20 * time.Second)
	for range ids {
		select {
		case <-blocked:
		case <-timeout:
			e.t.Fatal("spawns did not start")
		}
	}
}

// checkActive checks that every instance is ACTIVE on a host that runs
// its guest, with its flavor's allocation and nothing else in Placement.
func (e *env) checkActive(insts []*compute.Instance) {
	e.t.Helper()
	for _, inst := range insts {
		got := e.get(inst.ID)
		if got.VMState != compute.VMActive || got.TaskState != "" {
			e.t.Errorf("%s: %s/%s (%+v)", got.Name, got.VMState, got.TaskState, got.Fault)
			continue
		}
		if e.guests(got.Host)[inst.ID].PowerState != driver.Running {
			e.t.Errorf("%s: no running guest on %s", got.Name, got.Host)
		}
		if a := e.place.of(inst.ID); len(a) != 1 || a["rp-"+got.Host]["MEMORY_MB"] != 512 {
			e.t.Errorf("%s: allocation %v", got.Name, a)
		}
	}
	if got := e.place.consumers(); len(got) != len(insts) {
		e.t.Errorf("%d consumers for %d instances", len(got), len(insts))
	}
}

// A build accepted by replica A hangs in its spawn. Replica B, started
// after A accepted it and with no grace at all, leaves it alone while A
// lives; once A is killed and its lease has expired, B's Recover takes
// the build over and finishes it, and the claims it leaves are swept.
func TestClaimsDeadReplicaWorkTakenOver(t *testing.T) {
	e := newEnv(t, 1, fake.Instant)
	blocked := make(chan string, 8)
	a := e.replica("a", 300*time.Millisecond, blocked)
	insts := e.newInstances(2)
	e.buildBlocked(a, blocked, insts)

	b := e.replica("b", 300*time.Millisecond, nil, noGrace)
	for range 3 {
		e.recoverOn(b)
	}
	if n := b.spawns.Load(); n != 0 {
		t.Fatalf("B spawned %d times while A lives", n)
	}
	for _, inst := range insts {
		if got := e.get(inst.ID); got.VMState != compute.VMBuilding || got.TaskState != compute.TaskSpawning {
			t.Fatalf("A's build changed while A lives: %s/%s", got.VMState, got.TaskState)
		}
	}

	a.kill()
	e.waitExpired(a)
	e.recoverOn(b)
	if n := b.spawns.Load(); n != int64(len(insts)) {
		t.Errorf("B spawned %d times for %d instances", n, len(insts))
	}
	e.checkActive(insts)
	// The next run sweeps B's claims on the settled instances (A's were
	// taken over).
	e.recoverOn(b)
	if claims, _ := e.store.Claims(context.Background()); len(claims) != 0 {
		t.Errorf("claims left: %v", claims)
	}
}

// A process started again on the same data directory (the same conductor
// id) takes over its earlier life's work at once, without waiting for
// its lease to expire or for RecoverGrace; another live replica still
// leaves it alone.
func TestClaimsRestartTakesOverAtOnce(t *testing.T) {
	e := newEnv(t, 1, fake.Instant)
	blocked := make(chan string, 8)
	a := e.replica("a", time.Minute, blocked)
	insts := e.newInstances(2)
	e.buildBlocked(a, blocked, insts)
	a.kill()

	b := e.replica("b", time.Minute, nil, noGrace)
	e.recoverOn(b)
	if n := b.spawns.Load(); n != 0 {
		t.Fatalf("B took over %d spawns of A, whose lease has not expired", n)
	}
	a2 := e.replica("a", time.Minute, nil, func(c *conductor.Config) { c.RecoverGrace = time.Hour })
	e.recoverOn(a2)
	if n := a2.spawns.Load(); n != int64(len(insts)) {
		t.Errorf("the restarted A spawned %d times for %d instances", n, len(insts))
	}
	e.checkActive(insts)
}

// Two survivors recovering at the same moment never both repair an
// instance: each of a dead replica's builds is spawned again exactly
// once.
func TestClaimsOneSurvivorTakesOver(t *testing.T) {
	e := newEnv(t, 2, fake.Instant)
	e.sched.spread = true
	blocked := make(chan string, 32)
	a := e.replica("a", 300*time.Millisecond, blocked)
	insts := e.newInstances(16)
	e.buildBlocked(a, blocked, insts)
	a.kill()
	e.waitExpired(a)

	survivors := []*replica{e.replica("b", time.Minute, nil), e.replica("c", time.Minute, nil)}
	var wg sync.WaitGroup
	for _, r := range survivors {
		wg.Go(func() { e.recoverOn(r) })
	}
	wg.Wait()
	if n := survivors[0].spawns.Load() + survivors[1].spawns.Load(); n != int64(len(insts)) {
		t.Errorf("%d spawns (B %d, C %d) for %d instances", n, survivors[0].spawns.Load(), survivors[1].spawns.Load(), len(insts))
	}
	e.checkActive(insts)
	guests := 0
	for h := range e.hosts {
		guests += len(e.guests(h))
	}
	if guests != len(insts) {
		t.Errorf("%d guests for %d instances", guests, len(insts))
	}
}
