package conductor_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/driver/fake"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/compute/scheduler"
	cstore "github.com/gostack/gostack/internal/compute/store"
	"github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// memStore is the real store with a test helper.
type memStore struct{ *cstore.Store }

// eventsOf returns the events of an action, oldest first.
func (s *memStore) eventsOf(id, req string) []compute.ActionEvent {
	a, err := s.GetAction(context.Background(), id, req)
	if err != nil {
		return nil
	}
	evs := append([]compute.ActionEvent(nil), a.Events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].StartTime.Before(evs[j].StartTime) })
	return evs
}

// fakePlacement keeps allocations by consumer with generations, as
// Placement checks them.
type fakePlacement struct {
	mu     sync.Mutex
	allocs map[string]*consumer
	// onRead, when set, runs before each read of a consumer's or a
	// provider's allocations, outside the lock: a test's way to change
	// the world between a reader's steps.
	onRead func(consumerOrProvider string)
}

func (p *fakePlacement) read(c string) {
	p.mu.Lock()
	f := p.onRead
	p.mu.Unlock()
	if f != nil {
		f(c)
	}
}

type consumer struct {
	res           map[string]map[string]int64
	gen           int64
	project, user string
}

func conflictErr() error {
	return &client.Error{Status: 409, Code: client.CodeConcurrentUpdate, Detail: "consumer generation conflict"}
}

func (p *fakePlacement) Allocations(ctx context.Context, c string) (*client.Allocations, error) {
	p.read(c)
	p.mu.Lock()
	defer p.mu.Unlock()
	a := &client.Allocations{Resources: map[string]map[string]int64{}}
	if cur, ok := p.allocs[c]; ok {
		for rp, r := range cur.res {
			a.Resources[rp] = r
		}
		g := cur.gen
		a.ConsumerGeneration, a.ProjectID, a.UserID = &g, cur.project, cur.user
	}
	return a, nil
}

func (p *fakePlacement) check(c string, a client.Allocations) error {
	cur, ok := p.allocs[c]
	switch {
	case ok && (a.ConsumerGeneration == nil || *a.ConsumerGeneration != cur.gen):
		return conflictErr()
	case !ok && a.ConsumerGeneration != nil:
		return conflictErr()
	}
	return nil
}

func (p *fakePlacement) apply(c string, a client.Allocations) {
	if len(a.Resources) == 0 {
		delete(p.allocs, c)
		return
	}
	var gen int64
	if cur, ok := p.allocs[c]; ok {
		gen = cur.gen + 1
	}
	p.allocs[c] = &consumer{res: a.Resources, gen: gen, project: a.ProjectID, user: a.UserID}
}

func (p *fakePlacement) PutAllocations(ctx context.Context, c string, a client.Allocations) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(c, a); err != nil {
		return err
	}
	p.apply(c, a)
	return nil
}

func (p *fakePlacement) PostAllocations(ctx context.Context, m map[string]client.Allocations) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c, a := range m {
		if err := p.check(c, a); err != nil {
			return err
		}
	}
	for c, a := range m {
		p.apply(c, a)
	}
	return nil
}

func (p *fakePlacement) DeleteAllocations(ctx context.Context, c string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.allocs[c]; !ok {
		return &client.Error{Status: 404, Code: "placement.undefined_code", Detail: "no allocations"}
	}
	delete(p.allocs, c)
	return nil
}

func (p *fakePlacement) ProviderAllocations(ctx context.Context, rp string) (map[string]map[string]int64, int64, error) {
	p.read(rp)
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]map[string]int64{}
	for c, cur := range p.allocs {
		if r, ok := cur.res[rp]; ok {
			out[c] = r
		}
	}
	return out, 0, nil
}

// of returns a consumer's allocations (nil when none).
func (p *fakePlacement) of(c string) map[string]map[string]int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cur, ok := p.allocs[c]; ok {
		return cur.res
	}
	return nil
}

func (p *fakePlacement) consumers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for c := range p.allocs {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// fakeHost is one compute host of the fake scheduler.
type fakeHost struct{ name, node, provider string }

// fakeScheduler picks the first host that is not ignored (the forced one
// when forced) and claims the flavor on it.
type fakeScheduler struct {
	p      *fakePlacement
	mu     sync.Mutex
	hosts  []fakeHost
	spread bool // start at the next host each time
	next   int
}

func (s *fakeScheduler) Select(ctx context.Context, spec scheduler.RequestSpec) (scheduler.Selection, []scheduler.Selection, error) {
	s.mu.Lock()
	hosts := append([]fakeHost(nil), s.hosts...)
	if s.spread && len(hosts) > 0 {
		k := s.next % len(hosts)
		hosts = append(hosts[k:], hosts[:k]...)
		s.next++
	}
	s.mu.Unlock()
	var cands []scheduler.Selection
	for _, h := range hosts {
		if contains(spec.IgnoreHosts, h.name) || (spec.ForceHost != "" && spec.ForceHost != h.name) {
			continue
		}
		res := map[string]int64{"VCPU": spec.Flavor.VCPUs, "MEMORY_MB": spec.Flavor.RAM, "DISK_GB": spec.Flavor.Disk}
		cands = append(cands, scheduler.Selection{Host: h.name, Node: h.node, ProviderID: h.provider, AZ: "nova",
			Allocation: map[string]map[string]int64{h.provider: res}})
	}
	if len(cands) == 0 {
		return scheduler.Selection{}, nil, &scheduler.NoValidHost{Reason: "There are not enough hosts available."}
	}
	if err := s.Claim(ctx, spec.InstanceID, spec.ProjectID, spec.UserID, cands[0]); err != nil {
		return scheduler.Selection{}, nil, err
	}
	return cands[0], cands[1:], nil
}

func (s *fakeScheduler) Claim(ctx context.Context, c, project, user string, alt scheduler.Selection) error {
	return s.p.PutAllocations(ctx, c, client.Allocations{Resources: alt.Allocation, ProjectID: project, UserID: user})
}

// fakeImages is the image service in memory.
type fakeImages struct {
	mu   sync.Mutex
	imgs map[string]*compute.ImageMeta
	data map[string][]byte
	n    int
}

func (f *fakeImages) Get(ctx context.Context, token, id string) (*compute.ImageMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	img, ok := f.imgs[id]
	if !ok {
		return nil, apierr.ErrNotFound
	}
	cp := *img
	return &cp, nil
}

func (f *fakeImages) Create(ctx context.Context, token string, m compute.ImageMeta) (*compute.ImageMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	m.ID = fmt.Sprintf("image-%d", f.n)
	m.Status = "queued"
	m.CreatedAt = time.Unix(int64(f.n), 0)
	f.imgs[m.ID] = &m
	cp := m
	return &cp, nil
}

func (f *fakeImages) Upload(ctx context.Context, token, id string, data io.Reader, size int64) error {
	b, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	img, ok := f.imgs[id]
	if !ok {
		return apierr.ErrNotFound
	}
	img.Status, img.Size = "active", int64(len(b))
	f.data[id] = b
	return nil
}

func (f *fakeImages) Delete(ctx context.Context, token, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.imgs[id]; !ok {
		return apierr.ErrNotFound
	}
	delete(f.imgs, id)
	return nil
}

func (f *fakeImages) List(ctx context.Context, token string, props map[string]string) ([]compute.ImageMeta, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []compute.ImageMeta
next:
	for _, img := range f.imgs {
		for k, v := range props {
			if img.Properties[k] != v {
				continue next
			}
		}
		out = append(out, *img)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// env is a conductor over the real store, fake Placement, scheduler and
// images, and fake hypervisors served in process.
type env struct {
	t      *testing.T
	db     *db.DB
	store  *memStore
	place  *fakePlacement
	sched  *fakeScheduler
	images *fakeImages
	hosts  map[string]*fake.Driver
	c      *conductor.Conductor
	cfg    conductor.Config
	logMu  sync.Mutex
	log    *bytes.Buffer
}

type envOpt func(*conductor.Config)

func newEnv(t *testing.T, nhosts int, delay time.Duration, opts ...envOpt) *env {
	t.Helper()
	d := dbtest.Open(t)
	st := cstore.New(d)
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := &env{
		t:      t,
		db:     d,
		store:  &memStore{Store: st},
		place:  &fakePlacement{allocs: map[string]*consumer{}},
		images: &fakeImages{imgs: map[string]*compute.ImageMeta{}, data: map[string][]byte{}},
		hosts:  map[string]*fake.Driver{},
		log:    &bytes.Buffer{},
	}
	e.sched = &fakeScheduler{p: e.place}
	locals := map[string]hostrpc.Host{}
	for _, d := range fake.NewHosts(nhosts, fake.Options{Delay: delay}) {
		if err := d.Configure(context.Background(), driver.Config{}); err != nil {
			t.Fatal(err)
		}
		if err := d.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		name := d.HostName()
		e.hosts[name] = d
		locals[name] = hostrpc.Local(d, e.images, t.TempDir())
		e.sched.hosts = append(e.sched.hosts, fakeHost{name: name, node: name, provider: "rp-" + name})
	}
	cfg := conductor.Config{
		Store: e.store, Scheduler: e.sched, Placement: e.place, Images: e.images,
		Dial: func(h string) hostrpc.Host { return locals[h] },
		Log:  slog.New(slog.NewTextHandler(syncWriter{e}, nil)), HostName: "control",
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.cfg = cfg
	e.c = conductor.New(cfg)
	t.Cleanup(func() { e.c.Close() })
	for name, d := range e.hosts {
		res, _ := d.Resources(context.Background())
		if err := e.c.Nodes(context.Background(), hostrpc.NodeReport{Host: name, Driver: "fake",
			Nodes: []hostrpc.Node{{ProviderID: "rp-" + name, HypervisorHostname: name, Resources: res}}}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// syncWriter serializes the log buffer.
type syncWriter struct{ e *env }

func (w syncWriter) Write(p []byte) (int, error) {
	w.e.logMu.Lock()
	defer w.e.logMu.Unlock()
	return w.e.log.Write(p)
}

// newInstances stores n instances in BUILD/scheduling.
func (e *env) newInstances(n int, mods ...func(*compute.Instance)) []*compute.Instance {
	e.t.Helper()
	var insts []*compute.Instance
	for i := range n {
		id := uuid.NewString()
		inst := &compute.Instance{
			ID: id, Name: fmt.Sprintf("vm-%d", i), Hostname: fmt.Sprintf("vm-%d", i), ProjectID: "p1", UserID: "u1",
			ImageRef: "cirros", Flavor: compute.Flavor{ID: "1", Name: "tiny", RAM: 512, VCPUs: 1, Disk: 1, RXTXFactor: 1, IsPublic: true, ExtraSpecs: map[string]string{}},
			Metadata: map[string]string{"k": "v"}, Tags: []string{}, VMState: compute.VMBuilding, TaskState: compute.TaskScheduling,
			SecurityGroups: []string{"default"}, LaunchIndex: i, KeyName: "key", KeyData: "ssh-ed25519 AAAA test",
			ConfigDrive: true, UserData: "aGVsbG8=",
		}
		for _, m := range mods {
			m(inst)
		}
		insts = append(insts, inst)
	}
	if err := e.store.CreateInstances(context.Background(), insts, nil); err != nil {
		e.t.Fatal(err)
	}
	for _, inst := range insts {
		if err := e.store.StartAction(context.Background(), &compute.InstanceAction{InstanceID: inst.ID, Action: "create",
			RequestID: "req-create", ProjectID: "p1", UserID: "u1", StartTime: time.Now()}); err != nil {
			e.t.Fatal(err)
		}
	}
	return insts
}

// build builds instances and waits for the outcome.
func (e *env) build(insts ...*compute.Instance) {
	e.t.Helper()
	var ids []string
	for _, i := range insts {
		ids = append(ids, i.ID)
	}
	e.c.Build(context.Background(), compute.BuildRequest{InstanceIDs: ids, Caller: compute.Caller{RequestID: "req-create", Token: "tok"}})
	e.wait()
}

// active builds n instances and checks they went ACTIVE.
func (e *env) active(n int, mods ...func(*compute.Instance)) []*compute.Instance {
	e.t.Helper()
	insts := e.newInstances(n, mods...)
	e.build(insts...)
	for i, inst := range insts {
		insts[i] = e.get(inst.ID)
		if insts[i].VMState != compute.VMActive {
			e.t.Fatalf("instance %s is %s/%s after build (fault %+v)\nlog:\n%s", inst.ID, insts[i].VMState, insts[i].TaskState, insts[i].Fault, e.log)
		}
	}
	return insts
}

func (e *env) wait() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.c.Wait(ctx); err != nil {
		e.t.Fatalf("conductor still busy: %v", err)
	}
}

func (e *env) get(id string) *compute.Instance {
	e.t.Helper()
	inst, err := e.store.GetInstance(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return inst
}

// act sets the task_state (as the Service does), runs op and waits.
func (e *env) act(op compute.Op, task string) *compute.Instance {
	e.t.Helper()
	if task != "" {
		if _, err := e.store.UpdateInstance(context.Background(), op.InstanceID, false, func(i *compute.Instance) error {
			i.TaskState = task
			return nil
		}); err != nil {
			e.t.Fatal(err)
		}
	}
	if op.Caller.RequestID == "" {
		op.Caller = compute.Caller{RequestID: "req-" + string(op.Kind), Token: "tok"}
		if _, err := e.store.GetAction(context.Background(), op.InstanceID, op.Caller.RequestID); err != nil {
			if err := e.store.StartAction(context.Background(), &compute.InstanceAction{InstanceID: op.InstanceID,
				Action: string(op.Kind), RequestID: op.Caller.RequestID, ProjectID: "p1", UserID: "u1", StartTime: time.Now()}); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	e.c.Run(context.Background(), op)
	e.wait()
	inst := e.get(op.InstanceID)
	if inst.TaskState != "" {
		e.t.Fatalf("%s left task_state %s", op.Kind, inst.TaskState)
	}
	return inst
}

// migration creates the migration record the Service would.
func (e *env) migration(inst *compute.Instance, typ, status string) string {
	e.t.Helper()
	m := &compute.Migration{UUID: uuid.NewString(), InstanceID: inst.ID, Type: typ, Status: status,
		SourceCompute: inst.Host, SourceNode: inst.Node, OldFlavorID: inst.Flavor.ID, NewFlavorID: inst.Flavor.ID,
		ProjectID: inst.ProjectID, UserID: inst.UserID}
	if err := e.store.CreateMigration(context.Background(), m); err != nil {
		e.t.Fatal(err)
	}
	return m.UUID
}

func (e *env) mig(id string) *compute.Migration {
	e.t.Helper()
	m, err := e.store.GetMigration(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// guests lists the instances a fake host has.
func (e *env) guests(host string) map[string]driver.InstanceInfo {
	e.t.Helper()
	list, err := e.hosts[host].ListInstances(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]driver.InstanceInfo{}
	for _, i := range list {
		out[i.UUID] = i
	}
	return out
}

func hostName(i int) string { return fmt.Sprintf("fake-%05d", i) }
