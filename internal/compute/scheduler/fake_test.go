package scheduler

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/bus"
)

// fakePlacement is an in-memory Placement of flat providers: candidates
// are the providers with room, claims check the room.
type fakePlacement struct {
	mu        sync.Mutex
	order     []string                    // provider uuids
	capacity  map[string]map[string]int64 // provider → class → capacity
	traits    map[string][]string
	used      map[string]map[string]int64
	consumers map[string]map[string]map[string]int64
	// steal, when set, is called before each claim (to simulate races).
	steal    func(consumer string, a client.Allocations)
	requests []client.CandidateRequest
	claims   int
}

func newFakePlacement() *fakePlacement {
	return &fakePlacement{capacity: map[string]map[string]int64{}, traits: map[string][]string{},
		used: map[string]map[string]int64{}, consumers: map[string]map[string]map[string]int64{}}
}

func (p *fakePlacement) add(rp string, capacity map[string]int64, traits ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.order = append(p.order, rp)
	p.capacity[rp] = capacity
	p.traits[rp] = traits
	p.used[rp] = map[string]int64{}
}

func (p *fakePlacement) AllocationCandidates(_ context.Context, r client.CandidateRequest) (*client.Candidates, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = append(p.requests, r)
	g := r.Groups[0]
	out := &client.Candidates{Summaries: map[string]client.Summary{}}
	for _, rp := range p.order {
		if g.InTree != "" && rp != g.InTree {
			continue
		}
		if r.Limit > 0 && len(out.Requests) >= r.Limit {
			break
		}
		fits := true
		for rc, n := range g.Resources {
			if p.used[rp][rc]+n > p.capacity[rp][rc] {
				fits = false
			}
		}
		for _, t := range g.Required {
			if len(t) > 0 && t[0] == '!' {
				fits = fits && !slices.Contains(p.traits[rp], t[1:])
			} else {
				fits = fits && slices.Contains(p.traits[rp], t)
			}
		}
		if !fits {
			continue
		}
		out.Requests = append(out.Requests, client.Candidate{Allocations: map[string]map[string]int64{rp: g.Resources}})
		out.Summaries[rp] = p.summary(rp)
	}
	return out, nil
}

func (p *fakePlacement) summary(rp string) client.Summary {
	var s client.Summary
	s.RootUUID = rp
	s.Resources = map[string]struct {
		Capacity int64 `json:"capacity"`
		Used     int64 `json:"used"`
	}{}
	for rc, c := range p.capacity[rp] {
		s.Resources[rc] = struct {
			Capacity int64 `json:"capacity"`
			Used     int64 `json:"used"`
		}{c, p.used[rp][rc]}
	}
	return s
}

func conflict(msg string) error {
	return &client.Error{Status: http.StatusConflict, Code: client.CodeConcurrentUpdate, Detail: msg}
}

func (p *fakePlacement) PutAllocations(_ context.Context, consumer string, a client.Allocations) error {
	if p.steal != nil {
		p.steal(consumer, a)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims++
	if _, ok := p.consumers[consumer]; ok {
		return conflict("consumer exists")
	}
	for rp, res := range a.Resources {
		for rc, n := range res {
			if p.used[rp][rc]+n > p.capacity[rp][rc] {
				return conflict(fmt.Sprintf("no room on %s for %s", rp, rc))
			}
		}
	}
	for rp, res := range a.Resources {
		for rc, n := range res {
			p.used[rp][rc] += n
		}
	}
	p.consumers[consumer] = a.Resources
	return nil
}

func (p *fakePlacement) DeleteAllocations(_ context.Context, consumer string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for rp, res := range p.consumers[consumer] {
		for rc, n := range res {
			p.used[rp][rc] -= n
		}
	}
	delete(p.consumers, consumer)
	return nil
}

// fakeHosts is an in-memory Hosts.
type fakeHosts struct {
	mu         sync.Mutex
	services   []compute.HostService
	nodes      []compute.ComputeNode
	aggregates []compute.Aggregate
	instances  map[string]compute.Instance
	groups     map[string]*compute.ServerGroup
	nodeLists  int
}

func newFakeHosts() *fakeHosts {
	return &fakeHosts{instances: map[string]compute.Instance{}, groups: map[string]*compute.ServerGroup{}}
}

// addHost adds a host with one node named like it.
func (h *fakeHosts) addHost(host, nodeID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.services = append(h.services, compute.HostService{Host: host, Binary: computeBinary, Zone: defaultZone})
	h.nodes = append(h.nodes, compute.ComputeNode{ID: nodeID, Host: host, HypervisorHostname: host, HypervisorType: "QEMU"})
}

func (h *fakeHosts) updateService(host string, fn func(*compute.HostService)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.services {
		if h.services[i].Host == host {
			fn(&h.services[i])
		}
	}
}

func (h *fakeHosts) ListServices(_ context.Context, host, binary string) ([]compute.HostService, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if host == "" && binary == computeBinary {
		return h.services, nil // the benchmark's fast path
	}
	var out []compute.HostService
	for _, s := range h.services {
		if (host == "" || s.Host == host) && (binary == "" || s.Binary == binary) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (h *fakeHosts) ListNodes(_ context.Context, host, _ string) ([]compute.ComputeNode, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nodeLists++
	if host == "" {
		return h.nodes, nil
	}
	var out []compute.ComputeNode
	for _, n := range h.nodes {
		if n.Host == host {
			out = append(out, n)
		}
	}
	return out, nil
}

func (h *fakeHosts) ListAggregates(context.Context) ([]compute.Aggregate, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.aggregates), nil
}

func (h *fakeHosts) ListInstances(_ context.Context, f compute.InstanceFilter) ([]compute.Instance, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []compute.Instance
	for _, id := range f.IDs {
		if in, ok := h.instances[id]; ok {
			out = append(out, in)
		}
	}
	return out, nil
}

func (h *fakeHosts) GetServerGroup(_ context.Context, id string) (*compute.ServerGroup, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	g, ok := h.groups[id]
	if !ok {
		return nil, apierr.NotFound("%s", "no group "+id)
	}
	c := *g
	return &c, nil
}

// fakeLiveness reports the hosts in down as down, others up.
type fakeLiveness struct{ down map[string]bool }

func (l fakeLiveness) Status(service, host string) (bus.ServiceStatus, bool) {
	return bus.ServiceStatus{Service: service, Host: host, Up: !l.down[host]}, true
}
