package conductor_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/placement/client"
)

func noGrace(c *conductor.Config) { c.RecoverGrace = time.Nanosecond }

// set writes fields of an instance as a crashed process left them.
func (e *env) set(id string, fn func(*compute.Instance)) {
	e.t.Helper()
	if _, err := e.store.UpdateInstance(context.Background(), id, true, func(i *compute.Instance) error {
		fn(i)
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) recover() {
	e.t.Helper()
	for range 2 { // the second run heals what the first one's repairs left
		if err := e.c.Recover(context.Background()); err != nil {
			e.t.Fatal(err)
		}
		e.wait()
	}
}

func TestRecover(t *testing.T) {
	e := newEnv(t, 1, fake.Instant, noGrace)
	ctx := context.Background()
	h := hostName(1)
	rp := "rp-" + h
	d := e.hosts[h]
	live := e.active(5)
	stuck := e.newInstances(3) // building; never handed to a conductor

	// stuck[0]: building, no host. stuck[1]: building on a host whose
	// guest runs. stuck[2]: building on a host without the guest.
	spec := driver.Spec{UUID: stuck[1].ID, Name: "x", Flavor: driver.Flavor{VCPUs: 1, MemoryMB: 512, RootGB: 1}}
	if err := d.Spawn(ctx, spec); err != nil {
		t.Fatal(err)
	}
	for _, inst := range stuck[1:] {
		e.set(inst.ID, func(i *compute.Instance) { i.Host, i.Node, i.TaskState = h, h, compute.TaskSpawning })
	}
	e.place.PutAllocations(ctx, stuck[1].ID, client.Allocations{Resources: map[string]map[string]int64{rp: {"VCPU": 1, "MEMORY_MB": 512, "DISK_GB": 1}}})
	// A crash between the claim and writing the host left a claim.
	e.place.PutAllocations(ctx, stuck[0].ID, client.Allocations{Resources: map[string]map[string]int64{rp: {"VCPU": 1}}})

	// live[0] lost its allocation; live[1] was stopping; live[2] was
	// being deleted; live[3] was uploading a snapshot; live[4] was
	// rebooting and its guest is running.
	e.place.DeleteAllocations(ctx, live[0].ID)
	e.set(live[1].ID, func(i *compute.Instance) { i.TaskState = compute.TaskPoweringOff })
	e.set(live[2].ID, func(i *compute.Instance) { i.TaskState = compute.TaskDeleting })
	e.set(live[3].ID, func(i *compute.Instance) { i.TaskState = compute.TaskImageUploading })
	e.set(live[4].ID, func(i *compute.Instance) { i.TaskState = compute.TaskRebootingHard })

	// Orphans: a consumer nobody knows, and a deleted instance's claim.
	e.place.PutAllocations(ctx, "ghost", client.Allocations{Resources: map[string]map[string]int64{rp: {"VCPU": 1}}})
	gone := e.newInstances(1)[0]
	e.set(gone.ID, func(i *compute.Instance) { i.Deleted, i.VMState, i.TaskState = true, compute.VMDeleted, "" })
	e.place.PutAllocations(ctx, gone.ID, client.Allocations{Resources: map[string]map[string]int64{rp: {"VCPU": 1}}})

	e.recover()

	for _, inst := range append(stuck, live[0], live[3], live[4]) {
		got := e.get(inst.ID)
		if got.VMState != compute.VMActive || got.TaskState != "" || got.Host != h {
			t.Errorf("%s: %s/%s on %q (%+v)\n%s", inst.Name, got.VMState, got.TaskState, got.Host, got.Fault, e.log)
		}
		if e.guests(h)[inst.ID].PowerState != driver.Running {
			t.Errorf("%s: guest not running", inst.Name)
		}
	}
	if got := e.get(live[1].ID); got.VMState != compute.VMStopped || got.TaskState != "" || e.guests(h)[live[1].ID].PowerState != driver.Shutdown {
		t.Errorf("stopping: %s/%s", got.VMState, got.TaskState)
	}
	if got := e.get(live[2].ID); !got.Deleted {
		t.Errorf("deleting: %s/%s", got.VMState, got.TaskState)
	}
	// Placement matches the live instances exactly.
	var want []string
	for _, inst := range append(stuck, live[0], live[1], live[3], live[4]) {
		want = append(want, inst.ID)
		if a := e.place.of(inst.ID); a[rp]["MEMORY_MB"] != 512 {
			t.Errorf("%s allocation %v", inst.Name, a)
		}
	}
	sort.Strings(want)
	if got := e.place.consumers(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("consumers\n got %v\nwant %v", got, want)
	}

	// Nothing left to do: a periodic run changes nothing.
	before := e.place.consumers()
	e.recover()
	if got := e.place.consumers(); strings.Join(got, ",") != strings.Join(before, ",") {
		t.Errorf("idle recover changed allocations: %v", got)
	}
}

// TestRecoverLeavesFreshWork checks that Recover does not take over an
// instance that was just accepted (within RecoverGrace), nor one whose
// operation runs in this process.
func TestRecoverLeavesFreshWork(t *testing.T) {
	e := newEnv(t, 1, 50*time.Millisecond)
	fresh := e.newInstances(1)[0]
	if err := e.c.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.wait()
	if got := e.get(fresh.ID); got.VMState != compute.VMBuilding || got.Host != "" {
		t.Fatalf("fresh instance taken over: %s on %q", got.VMState, got.Host)
	}
}

func TestRecoverResize(t *testing.T) {
	e := newEnv(t, 2, fake.Instant, noGrace)
	e.sched.hosts = e.sched.hosts[:1]
	inst := e.active(1)[0]
	e.sched.hosts = []fakeHost{{hostName(2), hostName(2), "rp-" + hostName(2)}}
	big := compute.Flavor{ID: "2", Name: "small", RAM: 2048, VCPUs: 2, Disk: 5, ExtraSpecs: map[string]string{}}
	mig := e.migration(inst, "resize", "pre-migrating")
	e.act(compute.Op{Kind: compute.OpResize, InstanceID: inst.ID, Flavor: &big, MigrationUUID: mig}, compute.TaskResizePrep)
	// A crash during confirm: the confirm is done again.
	e.set(inst.ID, func(i *compute.Instance) { i.TaskState = compute.TaskResizeConfirming })
	e.store.UpdateMigration(context.Background(), mig, func(m *compute.Migration) error { m.Status = "confirming"; return nil })
	e.recover()
	got := e.get(inst.ID)
	if got.VMState != compute.VMActive || got.TaskState != "" || got.Host != hostName(2) || e.place.of(mig) != nil {
		t.Fatalf("recovered confirm: %s/%s on %s, migration allocation %v (%+v)", got.VMState, got.TaskState, got.Host, e.place.of(mig), got.Fault)
	}
	if e.mig(mig).Status != "confirmed" {
		t.Fatalf("migration %s", e.mig(mig).Status)
	}
}

func TestRecoverFreesHostlessClaims(t *testing.T) {
	e := newEnv(t, 1, fake.Instant, noGrace)
	ctx := context.Background()
	inst := e.active(1)[0]
	e.act(compute.Op{Kind: compute.OpShelve, InstanceID: inst.ID}, compute.TaskShelving)
	// A claim left behind for the offloaded instance.
	e.place.PutAllocations(ctx, inst.ID, client.Allocations{Resources: map[string]map[string]int64{"rp-" + hostName(1): {"VCPU": 1}}})
	e.recover()
	if got := e.place.consumers(); len(got) != 0 {
		t.Fatalf("offloaded instance keeps allocations: %v", got)
	}
}

// TestCrashMidStorm kills the conductor in the middle of a boot storm
// and checks that a new one, after Recover, leaves every server ACTIVE
// and Placement holding exactly their claims.
func TestCrashMidStorm(t *testing.T) {
	e := newEnv(t, 8, 2*time.Millisecond)
	e.sched.spread = true
	insts := e.newInstances(200)
	var ids []string
	for _, i := range insts {
		ids = append(ids, i.ID)
	}
	e.c.Build(context.Background(), compute.BuildRequest{InstanceIDs: ids, Caller: compute.Caller{RequestID: "req-create"}})
	deadline := time.Now().Add(20 * time.Second)
	for {
		live := false
		active, err := e.store.ListInstances(context.Background(), compute.InstanceFilter{VMStates: []string{compute.VMActive}, Deleted: &live})
		if err != nil {
			t.Fatal(err)
		}
		if len(active) >= 40 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d active", len(active))
		}
		time.Sleep(time.Millisecond)
	}
	e.c.Close() // the crash: work in flight is cut short, queued work lost

	cfg := e.cfg
	cfg.RecoverGrace = time.Hour // only what predates the new conductor is taken over
	e.c = conductor.New(cfg)
	t.Cleanup(func() { e.c.Close() })
	e.recover()

	want := map[string]bool{}
	for _, id := range ids {
		got := e.get(id)
		if got.VMState != compute.VMActive || got.TaskState != "" {
			t.Errorf("%s: %s/%s (%+v)", got.Name, got.VMState, got.TaskState, got.Fault)
		}
		want[id] = true
		if a := e.place.of(id); len(a) != 1 || a["rp-"+got.Host]["MEMORY_MB"] != 512 {
			t.Errorf("%s on %s: allocation %v", got.Name, got.Host, a)
		}
		if _, ok := e.guests(got.Host)[id]; !ok {
			t.Errorf("%s: no guest on %s", got.Name, got.Host)
		}
	}
	if got := e.place.consumers(); len(got) != len(want) {
		t.Errorf("%d consumers for %d servers", len(got), len(want))
	}
	guests := 0
	for h := range e.hosts {
		guests += len(e.guests(h))
	}
	if guests != len(ids) {
		t.Errorf("%d guests for %d servers", guests, len(ids))
	}
}

// TestHealNeverClaimsForDeleted is issue #19's third defect: heal lists
// the live instances, then walks the providers and claims the flavor of
// each instance whose allocation is missing. An instance deleted in
// between must get no allocation: a claim for it would be an orphan that
// eats capacity.
func TestHealNeverClaimsForDeleted(t *testing.T) {
	t.Run("deleted before the claim", func(t *testing.T) {
		e := newEnv(t, 1, fake.Instant, noGrace)
		rp := "rp-" + hostName(1)
		insts := e.active(2)
		// Both lost their allocation; the first is deleted after heal
		// listed the instances, while it walks the providers.
		for _, inst := range insts {
			e.place.DeleteAllocations(context.Background(), inst.ID)
		}
		var once sync.Once
		e.place.onRead = func(c string) {
			if c == rp {
				once.Do(func() { e.act(compute.Op{Kind: compute.OpDelete, InstanceID: insts[0].ID}, compute.TaskDeleting) })
			}
		}
		e.recover()
		e.place.onRead = nil
		if !e.get(insts[0].ID).Deleted {
			t.Fatal("the instance was not deleted")
		}
		if a := e.place.of(insts[0].ID); a != nil {
			t.Errorf("heal claimed %v for a deleted instance", a)
		}
		if a := e.place.of(insts[1].ID); a[rp]["MEMORY_MB"] != 512 {
			t.Errorf("the live instance was not healed: %v", a)
		}
	})
	t.Run("deleted during the claim", func(t *testing.T) {
		// Another conductor deletes the instance, freeing its (missing)
		// allocation, between heal's last read of the instance and its
		// claim.
		e := newEnv(t, 1, fake.Instant, noGrace)
		inst := e.active(1)[0]
		e.place.DeleteAllocations(context.Background(), inst.ID)
		var once sync.Once
		e.place.onRead = func(c string) {
			if c == inst.ID {
				once.Do(func() {
					e.set(inst.ID, func(i *compute.Instance) {
						now := time.Now()
						i.Deleted, i.DeletedAt, i.VMState, i.TaskState = true, &now, compute.VMDeleted, ""
					})
				})
			}
		}
		e.recover()
		e.place.onRead = nil
		if got := e.place.consumers(); len(got) != 0 {
			t.Errorf("allocations left for a deleted instance: %v", got)
		}
	})
}
