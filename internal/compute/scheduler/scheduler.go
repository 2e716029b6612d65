// Package scheduler chooses compute hosts for instances, as Nova's
// filter scheduler does: allocation candidates from Placement, then
// filters and weighers over the candidate hosts, then a claim in
// Placement for the chosen one, with alternates for retries.
//
//	RequestSpec ─► Placement GET /allocation_candidates ─► HostStates
//	            ─► filters ─► weighers ─► claim (PUT /allocations/{instance})
//	            ─► Selection (host, node, allocation) + alternates
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/placement/client"
)

// Placement is what the scheduler asks of Placement
// (*client.Client implements it).
type Placement interface {
	AllocationCandidates(ctx context.Context, r client.CandidateRequest) (*client.Candidates, error)
	// PutAllocations claims; a 409 (someone else took the room) makes the
	// scheduler try the next candidate.
	PutAllocations(ctx context.Context, consumer string, a client.Allocations) error
	DeleteAllocations(ctx context.Context, consumer string) error
}

// Hosts is the scheduler's view of the compute hosts (compute.Store
// implements it): services (enabled/disabled, forced down), nodes
// (provider uuids), aggregates (zones, metadata), and where instances are
// (affinity).
type Hosts interface {
	ListServices(ctx context.Context, host, binary string) ([]compute.HostService, error)
	ListNodes(ctx context.Context, host, hostnamePattern string) ([]compute.ComputeNode, error)
	ListAggregates(ctx context.Context) ([]compute.Aggregate, error)
	ListInstances(ctx context.Context, f compute.InstanceFilter) ([]compute.Instance, error)
	GetServerGroup(ctx context.Context, id string) (*compute.ServerGroup, error)
}

// The clients the scheduler is built for implement its interfaces.
var (
	_ Placement = (*client.Client)(nil)
	_ Hosts     = compute.Store(nil)
)

// Liveness says whether a host's compute agent is up.
type Liveness = compute.Liveness

// RequestSpec is what one instance needs.
type RequestSpec struct {
	InstanceID string
	ProjectID  string
	UserID     string
	Flavor     compute.Flavor
	// Image properties matter to the image-properties filter
	// (hw_architecture, img_hv_type, hw_vm_mode) and to required traits
	// (trait:X=required in image properties).
	Image *compute.ImageMeta
	// AZ is the availability zone asked for ("" = any).
	AZ string
	// ForceHost/ForceNode come from "zone:host:node" or 2.74's host and
	// hypervisor_hostname; they restrict the candidates to that host.
	ForceHost string
	ForceNode string
	// Hints: same_host, different_host (lists of instance uuids), group.
	Hints map[string][]string
	Group *compute.ServerGroup // resolved hint "group", with its members
	// IgnoreHosts are hosts not to use (retries, migrations away).
	IgnoreHosts []string
	// NumInstances is how many are built together (anti-affinity must
	// place them apart). Each is selected by its own Select; the scheduler
	// remembers where it put the earlier ones and serializes the Selects
	// of one group, so the affinity filters see them.
	NumInstances int
	// BootFromVolume leaves the flavor's root disk out of DISK_GB, as
	// Nova does for a server whose root disk is a volume.
	BootFromVolume bool
	// Extra resources beyond the flavor's (PCPU, ...) and traits from
	// flavor extra specs (resources:X=N, trait:Y=required|forbidden) are
	// read from Flavor.ExtraSpecs by the scheduler.
}

// Selection is a host chosen for an instance, with the allocation
// claimed for it.
type Selection struct {
	Host       string // service host
	Node       string // hypervisor hostname
	ProviderID string // compute node uuid = resource provider uuid
	AZ         string
	// Allocation is what was claimed in Placement (provider → class →
	// amount), for the consumer RequestSpec.InstanceID.
	Allocation map[string]map[string]int64
}

// NoValidHost is the error when no host fits, with Nova's message
// "No valid host was found. <reason>".
type NoValidHost struct{ Reason string }

func (e *NoValidHost) Error() string {
	if e.Reason == "" {
		return "No valid host was found. "
	}
	return "No valid host was found. " + e.Reason
}

// Config tunes the scheduler.
type Config struct {
	// MaxCandidates is the limit of allocation candidates asked for
	// (Nova's max_placement_results). The default is 100, not Nova's
	// 1000: every Select reads the whole answer (a candidate and a
	// provider summary, half a kilobyte of JSON, per host), and weighing
	// the best of 100 hosts places as well as weighing the best of 1,000
	// once Placement shuffles the candidates before the limit applies
	// (randomize_allocation_candidates, placement.Config.
	// RandomizeCandidates), as it should whenever the cloud has more hosts
	// than the limit; without it the limit picks the oldest hosts with
	// room. BenchmarkSelectPlacement measures both.
	MaxCandidates int
	// HostSubsetSize picks randomly among the best N hosts (1 = always
	// the best), which spreads concurrent builds.
	HostSubsetSize int
	// Alternates is how many alternate hosts come with each selection
	// (Nova's max_attempts - 1); zero means 2, a negative value none.
	Alternates int
	// Weights multiply the weighers (RAM, CPU, disk, soft affinity);
	// zero means 1.0 each.
	RAMWeight, CPUWeight, DiskWeight, SoftAffinityWeight, SoftAntiAffinityWeight float64
	// NodeRefresh is how long the list of compute nodes is reused
	// (default 5 s); a provider missing from it makes the scheduler read
	// it again at once, so a new host is used right away.
	NodeRefresh time.Duration
	// ServiceRefresh is how long the compute services and the aggregates
	// are reused. Zero (the default) reads them for every Select, with
	// concurrent Selects sharing one read, so a host disabled or moved to
	// another zone is seen by the next Select. Large clouds may set a few
	// seconds.
	ServiceRefresh time.Duration
}

// Scheduler chooses hosts. It is safe for concurrent use.
type Scheduler struct {
	cfg       Config
	placement Placement
	hosts     Hosts
	live      Liveness

	filters  []filter
	weighers []weigher

	nodes    cached[*nodeView]
	services cached[*serviceView]
	recent   placements
	// groupLocks serialize the Selects of one server group (striped by
	// group id), so that concurrent builds of a group see each other.
	groupLocks [64]sync.Mutex
	scratch    sync.Pool // *scratch
}

// Defaults of Config's zero values.
const (
	defaultMaxCandidates = 100
	defaultAlternates    = 2
	defaultNodeRefresh   = 5 * time.Second
	// maxClaimAttempts bounds the hosts tried when claims conflict.
	maxClaimAttempts = 10
)

// New returns a scheduler.
func New(cfg Config, p Placement, h Hosts, live Liveness) *Scheduler {
	if cfg.MaxCandidates <= 0 {
		cfg.MaxCandidates = defaultMaxCandidates
	}
	if cfg.HostSubsetSize <= 0 {
		cfg.HostSubsetSize = 1
	}
	if cfg.Alternates == 0 {
		cfg.Alternates = defaultAlternates
	}
	cfg.Alternates = max(cfg.Alternates, 0)
	if cfg.NodeRefresh <= 0 {
		cfg.NodeRefresh = defaultNodeRefresh
	}
	s := &Scheduler{cfg: cfg, placement: p, hosts: h, live: live, filters: filters()}
	s.weighers = weighers(&s.cfg)
	s.scratch.New = func() any { return new(scratch) }
	return s
}

// Invalidate makes the next Select read the nodes, services and
// aggregates again (call it after changing them, when ServiceRefresh or
// NodeRefresh would otherwise hide the change).
func (s *Scheduler) Invalidate() {
	s.nodes.invalidate()
	s.services.invalidate()
}

// Warm reads the nodes and services now, so that the first Selects after
// a start do not all wait for the first read of every host.
func (s *Scheduler) Warm(ctx context.Context) error {
	now := time.Now()
	if _, err := s.nodes.get(ctx, now, s.loadNodes); err != nil {
		return err
	}
	_, err := s.services.get(ctx, now, s.loadServices)
	return err
}

// scratch is the per-Select working memory, reused between Selects.
type scratch struct {
	hosts []hostState
	vals  []float64
	top   []int
	seen  map[*nodeInfo]struct{}
	// missing are candidate providers that are no known node.
	missing []string
	// noService is set when a candidate's host has no compute service in
	// the services view.
	noService bool
}

// noRoom is Nova's reason when the filters leave no host.
const noRoom = "There are not enough hosts available."

// Select picks a host for spec, claims the allocation in Placement for
// spec.InstanceID, and returns it with up to cfg.Alternates alternates
// (not claimed; the conductor claims one when the first build fails,
// after deleting the first claim). A *NoValidHost says why nothing fit.
func (s *Scheduler) Select(ctx context.Context, spec RequestSpec) (sel Selection, alternates []Selection, err error) {
	now := time.Now()
	if spec.Group == nil {
		if ids := spec.Hints["group"]; len(ids) > 0 && ids[0] != "" {
			g, err := s.hosts.GetServerGroup(ctx, ids[0])
			if err != nil {
				return Selection{}, nil, fmt.Errorf("scheduler: server group %s: %w", ids[0], err)
			}
			spec.Group = g
		}
	}
	if spec.Group != nil && spec.Group.ID != "" {
		mu := &s.groupLocks[stripe(spec.Group.ID, len(s.groupLocks))]
		mu.Lock()
		defer mu.Unlock()
	}

	// Periodic refreshes run in the background (a new host is still
	// seen at once: an unknown provider makes the Select read the nodes).
	nodes, err := s.nodes.getStale(ctx, now.Add(-s.cfg.NodeRefresh), s.loadNodes)
	if err != nil {
		return Selection{}, nil, err
	}
	inTree := ""
	if spec.ForceHost != "" || spec.ForceNode != "" {
		forced := forcedNodes(nodes, spec.ForceHost, spec.ForceNode)
		if len(forced) == 0 {
			if nodes, err = s.nodes.get(ctx, now, s.loadNodes); err != nil {
				return Selection{}, nil, err
			}
			forced = forcedNodes(nodes, spec.ForceHost, spec.ForceNode)
		}
		if len(forced) == 0 {
			// Nova logs the unmatched force_hosts and says no more.
			return Selection{}, nil, &NoValidHost{Reason: noRoom}
		}
		if len(forced) == 1 {
			inTree = forced[0].ID
		}
	}

	cands, err := s.placement.AllocationCandidates(ctx, candidateRequest(&spec, s.cfg.MaxCandidates, inTree))
	if err != nil {
		var pe *client.Error
		if errors.As(err, &pe) && pe.Status == http.StatusBadRequest {
			// An unknown trait or resource class: nothing can fit.
			return Selection{}, nil, &NoValidHost{Reason: noRoom}
		}
		return Selection{}, nil, fmt.Errorf("scheduler: allocation candidates: %w", err)
	}
	if cands == nil || len(cands.Requests) == 0 {
		return Selection{}, nil, &NoValidHost{Reason: noRoom}
	}
	getServices := s.services.get
	if s.cfg.ServiceRefresh > 0 {
		getServices = s.services.getStale
	}
	svcs, err := getServices(ctx, now.Add(-s.cfg.ServiceRefresh), s.loadServices)
	if err != nil {
		return Selection{}, nil, err
	}
	r, err := s.filterRequest(ctx, &spec, now)
	if err != nil {
		return Selection{}, nil, err
	}

	sc := s.scratch.Get().(*scratch)
	defer s.scratch.Put(sc)
	hosts := s.hostStates(sc, cands, nodes, svcs)
	if !nodes.allUnknown(sc.missing) {
		// A provider that is not a known node: perhaps a host that just
		// registered. Read the nodes again, once; providers still unknown
		// are remembered so that they do not make every Select read the
		// nodes until the next refresh.
		if nodes, err = s.nodes.get(ctx, now, s.loadNodes); err != nil {
			return Selection{}, nil, err
		}
		hosts = s.hostStates(sc, cands, nodes, svcs)
		nodes.noteUnknown(sc.missing)
	}
	if sc.noService && s.cfg.ServiceRefresh > 0 {
		// A host whose service the (stale) view lacks: perhaps an agent
		// that started since the last read, which would otherwise count
		// as down until the background refresh lands. Read the services
		// again, at most once a second.
		if svcs, err = s.services.get(ctx, now.Add(-time.Second), s.loadServices); err != nil {
			return Selection{}, nil, err
		}
		hosts = s.hostStates(sc, cands, nodes, svcs)
	}
	hosts, _ = runFilters(hosts, r, s.filters)
	if len(hosts) == 0 {
		return Selection{}, nil, &NoValidHost{Reason: noRoom}
	}
	sc.vals = grow(sc.vals, len(hosts))
	weigh(hosts, r, s.weighers, sc.vals)
	k := s.cfg.HostSubsetSize + maxClaimAttempts + s.cfg.Alternates
	sc.top = grow(sc.top, k)
	top := best(hosts, k, sc.top)
	// Host subset: start with a random one of the best HostSubsetSize.
	if n := min(s.cfg.HostSubsetSize, len(top)); n > 1 {
		c := rand.IntN(n)
		chosen := top[c]
		copy(top[1:c+1], top[:c])
		top[0] = chosen
	}

	for attempt, i := range top {
		if attempt == maxClaimAttempts {
			break
		}
		cand := s.selection(&hosts[i], cands)
		err := s.Claim(ctx, spec.InstanceID, spec.ProjectID, spec.UserID, cand)
		var nvh *NoValidHost
		if errors.As(err, &nvh) {
			continue // someone took the room first; try the next host
		}
		if err != nil {
			return Selection{}, nil, err
		}
		for _, j := range top[attempt+1:] {
			if len(alternates) == s.cfg.Alternates {
				break
			}
			alternates = append(alternates, s.selection(&hosts[j], cands))
		}
		return cand, alternates, nil
	}
	return Selection{}, nil, &NoValidHost{Reason: noRoom}
}

// Claim claims alt for consumer (used for alternates and for moves,
// where the consumer is the instance and the migration holds the source
// allocation). A claim Placement refuses for lack of room or a
// concurrent change (409) is a *NoValidHost.
func (s *Scheduler) Claim(ctx context.Context, consumer, projectID, userID string, alt Selection) error {
	err := s.placement.PutAllocations(ctx, consumer, client.Allocations{
		Resources: alt.Allocation, ProjectID: projectID, UserID: userID,
	})
	if client.IsConflict(err, "") {
		return &NoValidHost{Reason: fmt.Sprintf("Unable to claim resources on host %s: %v", alt.Host, err)}
	}
	if err != nil {
		return fmt.Errorf("scheduler: claim on %s: %w", alt.Host, err)
	}
	s.recent.put(consumer, alt.Host, time.Now())
	return nil
}

func (s *Scheduler) loadNodes(ctx context.Context) (*nodeView, error) { return loadNodes(ctx, s.hosts) }

func (s *Scheduler) loadServices(ctx context.Context) (*serviceView, error) {
	return loadServices(ctx, s.hosts)
}

// forcedNodes returns the nodes of a forced host and/or node.
func forcedNodes(v *nodeView, host, node string) []*nodeInfo {
	var out []*nodeInfo
	if host != "" {
		for _, n := range v.byHost[host] {
			if node == "" || n.Node == node {
				out = append(out, n)
			}
		}
		return out
	}
	for _, n := range v.byID {
		if n.Node == node {
			out = append(out, n)
		}
	}
	return out
}

// hostStates maps the allocation candidates to compute nodes, one host
// state per node with its first candidate; sc.missing gets the
// providers that are no known node.
func (s *Scheduler) hostStates(sc *scratch, cands *client.Candidates, nodes *nodeView, svcs *serviceView) []hostState {
	if sc.seen == nil {
		sc.seen = make(map[*nodeInfo]struct{}, len(cands.Requests))
	}
	clear(sc.seen)
	hosts := sc.hosts[:0]
	sc.missing = sc.missing[:0]
	sc.noService = false
	for ci := range cands.Requests {
		n, rp := nodeOf(&cands.Requests[ci], cands.Summaries, nodes)
		if n == nil {
			sc.missing = append(sc.missing, rp)
			continue
		}
		if _, dup := sc.seen[n]; dup {
			continue
		}
		sc.seen[n] = struct{}{}
		hi := svcs.host(n.Host)
		h := hostState{
			Host: n.Host, Node: n.Node, ProviderID: n.ID, HypervisorType: n.HypervisorType,
			Zone: hi.Zone, Aggregates: hi.Aggregates, cand: ci,
		}
		if svc := hi.Service; svc != nil {
			h.Enabled = !svc.Disabled
			h.Up = !svc.ForcedDown && s.alive(n.Host)
		} else {
			sc.noService = true
		}
		if sum, ok := cands.Summaries[n.ID]; ok {
			h.FreeRAM = free(sum, classMemory)
			h.FreeVCPU = free(sum, classVCPU)
			h.FreeDisk = free(sum, classDisk)
		}
		hosts = append(hosts, h)
	}
	sc.hosts = hosts
	return hosts
}

// nodeOf returns the compute node a candidate allocates on: a provider
// that is a node, or whose root is; else a provider of the candidate.
func nodeOf(c *client.Candidate, sums map[string]client.Summary, nodes *nodeView) (*nodeInfo, string) {
	some := ""
	for rp := range c.Allocations {
		if n := nodes.byID[rp]; n != nil {
			return n, rp
		}
		if sum, ok := sums[rp]; ok && sum.RootUUID != "" {
			if n := nodes.byID[sum.RootUUID]; n != nil {
				return n, rp
			}
		}
		some = rp
	}
	return nil, some
}

func free(sum client.Summary, class string) int64 {
	r := sum.Resources[class]
	return r.Capacity - r.Used
}

// alive reports whether host's compute agent is not known to be down.
func (s *Scheduler) alive(host string) bool {
	if s.live == nil {
		return true
	}
	st, known := s.live.Status(compute.HeartbeatService, host)
	return !known || st.Up
}

// selection is the Selection of host h with its candidate's allocation.
func (s *Scheduler) selection(h *hostState, cands *client.Candidates) Selection {
	return Selection{
		Host: h.Host, Node: h.Node, ProviderID: h.ProviderID, AZ: h.Zone,
		Allocation: cands.Requests[h.cand].Allocations,
	}
}

// filterRequest works out what the filters need of spec.
func (s *Scheduler) filterRequest(ctx context.Context, spec *RequestSpec, now time.Time) (*filterRequest, error) {
	r := &filterRequest{
		Zone: spec.AZ, Ignore: spec.IgnoreHosts,
		ForceHost: spec.ForceHost, ForceNode: spec.ForceNode,
	}
	for k, v := range spec.Flavor.ExtraSpecs {
		if key, ok := strings.CutPrefix(k, "aggregate_instance_extra_specs:"); ok && key != "" {
			r.AggSpecs = append(r.AggSpecs, [2]string{key, v})
		}
	}
	slices.SortFunc(r.AggSpecs, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	if img := spec.Image; img != nil {
		prop := func(names ...string) string {
			for _, n := range names {
				if v := img.Properties[n]; v != "" {
					return v
				}
			}
			return ""
		}
		r.Arch = canonicalArch(prop("hw_architecture", "architecture"))
		r.HVType = canonicalHVType(prop("img_hv_type", "hypervisor_type"))
		r.VMMode = canonicalVMMode(prop("hw_vm_mode", "vm_mode"))
	}
	var err error
	if g := spec.Group; g != nil {
		r.GroupPolicy = g.Policy
		r.MaxPerHost = int(g.Rules["max_server_per_host"])
		if r.GroupHosts, err = s.instanceHosts(ctx, g.Members, spec.InstanceID, now); err != nil {
			return nil, err
		}
	}
	if ids := nonEmpty(spec.Hints["same_host"]); len(ids) > 0 {
		r.HasSameHost = true
		if r.SameHost, err = s.instanceHosts(ctx, ids, spec.InstanceID, now); err != nil {
			return nil, err
		}
	}
	if ids := nonEmpty(spec.Hints["different_host"]); len(ids) > 0 {
		r.HasDifferentHost = true
		if r.DifferentHost, err = s.instanceHosts(ctx, ids, spec.InstanceID, now); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func nonEmpty(ss []string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// stripe hashes id (FNV-1a) to one of n locks.
func stripe(id string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

// grow returns s with length n, reallocating only when too small.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
