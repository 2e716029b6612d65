package scheduler

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/hosts"
)

// computeBinary is the service binary of compute hosts.
const computeBinary = "nova-compute"

// defaultZone is the zone of hosts in no zone aggregate (Nova's
// default_availability_zone).
const defaultZone = hosts.DefaultZone

// nodeInfo is what the scheduler keeps of a compute node.
type nodeInfo struct {
	ID             string // resource provider uuid
	Host           string
	Node           string // hypervisor hostname
	HypervisorType string // lower case
}

// nodeView is one read of every compute node.
type nodeView struct {
	byID   map[string]*nodeInfo
	byHost map[string][]*nodeInfo

	// unknown are providers found not to be nodes even after a fresh
	// read (orphans, sharing providers); they do not trigger reads.
	mu      sync.Mutex
	unknown map[string]bool
}

// allUnknown reports whether every provider of rps is known not to be a
// node (true when rps is empty).
func (v *nodeView) allUnknown(rps []string) bool {
	if len(rps) == 0 {
		return true
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, rp := range rps {
		if !v.unknown[rp] {
			return false
		}
	}
	return true
}

// noteUnknown remembers that rps are not nodes.
func (v *nodeView) noteUnknown(rps []string) {
	if len(rps) == 0 {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.unknown == nil {
		v.unknown = map[string]bool{}
	}
	for _, rp := range rps {
		v.unknown[rp] = true
	}
}

func loadNodes(ctx context.Context, h Hosts) (*nodeView, error) {
	nodes, err := h.ListNodes(ctx, "", "")
	if err != nil {
		return nil, fmt.Errorf("scheduler: list compute nodes: %w", err)
	}
	v := &nodeView{byID: make(map[string]*nodeInfo, len(nodes)), byHost: make(map[string][]*nodeInfo, len(nodes))}
	infos := make([]nodeInfo, len(nodes))
	for i := range nodes {
		n := &nodes[i]
		infos[i] = nodeInfo{ID: n.ID, Host: n.Host, Node: n.HypervisorHostname, HypervisorType: strings.ToLower(n.HypervisorType)}
		v.byID[n.ID] = &infos[i]
		v.byHost[n.Host] = append(v.byHost[n.Host], &infos[i])
	}
	return v, nil
}

// hostInfo is what the scheduler knows of a compute host beyond its
// nodes: its service and its aggregates.
type hostInfo struct {
	Service    *compute.HostService // nil when the host has no compute service
	Zone       string
	Aggregates []*compute.Aggregate
	nAggs      int
}

// serviceView is one read of the compute services and the aggregates.
type serviceView struct {
	byHost map[string]*hostInfo
}

// host returns what is known of host; a host without a service or
// aggregate is in the default zone.
func (v *serviceView) host(name string) hostInfo {
	if h := v.byHost[name]; h != nil {
		return *h
	}
	return hostInfo{Zone: defaultZone}
}

func loadServices(ctx context.Context, h Hosts) (*serviceView, error) {
	svcs, err := h.ListServices(ctx, "", computeBinary)
	if err != nil {
		return nil, fmt.Errorf("scheduler: list compute services: %w", err)
	}
	aggs, err := h.ListAggregates(ctx)
	if err != nil {
		return nil, fmt.Errorf("scheduler: list aggregates: %w", err)
	}
	// The zones are decided as every compute API decides them, so that
	// a server lands in the zone os-services and os-availability-zone
	// show for its host.
	zones := hosts.NewZones(aggs, defaultZone)
	v := &serviceView{byHost: make(map[string]*hostInfo, len(svcs))}
	infos := make([]hostInfo, len(svcs))
	for i := range svcs {
		if svcs[i].Binary != "" && svcs[i].Binary != computeBinary {
			continue
		}
		infos[i] = hostInfo{Service: &svcs[i], Zone: zones.Host(svcs[i].Host)}
		v.byHost[svcs[i].Host] = &infos[i]
	}
	// Two passes over the aggregates: count each host's, then fill one
	// shared backing array (one allocation, not one per host).
	total := 0
	for i := range aggs {
		for _, host := range aggs[i].Hosts {
			hi := v.byHost[host]
			if hi == nil {
				hi = &hostInfo{Zone: zones.Host(host)}
				v.byHost[host] = hi
			}
			hi.nAggs++
			total++
		}
	}
	backing := make([]*compute.Aggregate, total)
	for i := range aggs {
		a := &aggs[i]
		for _, host := range a.Hosts {
			hi := v.byHost[host]
			if hi.Aggregates == nil {
				hi.Aggregates, backing = backing[:0:hi.nAggs], backing[hi.nAggs:]
			}
			hi.Aggregates = append(hi.Aggregates, a)
		}
	}
	return v, nil
}

// cached holds the latest load of a T and shares loads between
// concurrent callers. A caller needs a load that started no earlier than
// some time (its own start, for a fresh read): it reuses the latest load
// if that is recent enough, waits for it if it is in flight, and
// otherwise starts one — or, when an older load is in flight, waits for
// that to end and shares the one load started next with every other
// caller that arrived meanwhile. Under a steady stream of Selects that
// is one load at a time, not one per Select.
type cached[T any] struct {
	mu   sync.Mutex
	cur  *load[T] // the latest load started
	next *load[T] // a load waiting for cur to end, not started
	ok   *load[T] // the latest load that succeeded (for getStale)
}

type load[T any] struct {
	start time.Time
	done  chan struct{}
	val   T
	err   error
}

func (l *load[T]) finished() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

func (l *load[T]) wait(ctx context.Context) (T, error) {
	select {
	case <-l.done:
		return l.val, l.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// get returns a load that started at or after notBefore. fn runs
// without the caller's cancellation, as other callers may be waiting
// for it.
func (c *cached[T]) get(ctx context.Context, notBefore time.Time, fn func(context.Context) (T, error)) (T, error) {
	run := func(l *load[T]) (T, error) {
		v, err := fn(context.WithoutCancel(ctx))
		c.finish(l, v, err)
		return l.val, l.err
	}
	c.mu.Lock()
	if cur := c.cur; cur != nil {
		fresh := !cur.start.Before(notBefore)
		switch {
		case fresh && !cur.finished():
			c.mu.Unlock()
			return cur.wait(ctx)
		case fresh && cur.err == nil:
			c.mu.Unlock()
			return cur.val, nil
		case !fresh && !cur.finished():
			if c.next == nil {
				c.next = &load[T]{done: make(chan struct{})}
			}
			n := c.next
			c.mu.Unlock()
			if _, err := cur.wait(ctx); err != nil && ctx.Err() != nil {
				var zero T
				return zero, err
			}
			c.mu.Lock()
			if c.next == n { // first one back: start it
				c.next = nil
				n.start = time.Now()
				c.cur = n
				c.mu.Unlock()
				return run(n)
			}
			c.mu.Unlock()
			return n.wait(ctx)
		}
	}
	// No load, or only a stale or failed one: start one (the pending one
	// if callers wait for it).
	n := c.next
	if n == nil {
		n = &load[T]{done: make(chan struct{})}
	}
	c.next = nil
	n.start = time.Now()
	c.cur = n
	c.mu.Unlock()
	return run(n)
}

// finish ends load l with its result.
func (c *cached[T]) finish(l *load[T], val T, err error) {
	l.val, l.err = val, err
	close(l.done)
	if err == nil {
		c.mu.Lock()
		if c.ok == nil || c.ok.start.Before(l.start) {
			c.ok = l
		}
		c.mu.Unlock()
	}
}

// getStale is get for periodic refreshes: when the latest successful
// load is older than notBefore it is still returned at once, and a new
// load runs in the background (one at a time), so that Selects do not
// queue behind a reload of every host. Without a successful load it is
// get.
func (c *cached[T]) getStale(ctx context.Context, notBefore time.Time, fn func(context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	last := c.ok
	if last == nil {
		c.mu.Unlock()
		return c.get(ctx, notBefore, fn)
	}
	if last.start.Before(notBefore) && (c.cur == nil || c.cur.finished()) && c.next == nil {
		n := &load[T]{done: make(chan struct{}), start: time.Now()}
		c.cur = n
		bg := context.WithoutCancel(ctx)
		go func() {
			v, err := fn(bg)
			c.finish(n, v, err)
		}()
	}
	c.mu.Unlock()
	return last.val, nil
}

// invalidate makes the next get load again.
func (c *cached[T]) invalidate() {
	c.mu.Lock()
	c.ok = nil
	if c.cur != nil && c.cur.finished() {
		c.cur = nil
	} else if c.cur != nil {
		// In flight: it may have read before the change; make it stale.
		c.cur.start = time.Time{}
	}
	c.mu.Unlock()
}

// placements remembers where this scheduler put instances lately, for
// the affinity filters of instances built right after (the conductor
// may not have written the host of the first yet).
type placements struct {
	mu sync.Mutex
	m  map[string]placed
}

type placed struct {
	host string
	at   time.Time
}

// placementTTL is how long a placement is remembered; by then the
// instance's host is in the store.
const placementTTL = 10 * time.Minute

func (p *placements) put(instance, host string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]placed{}
	}
	if len(p.m) >= 4096 {
		for id, pl := range p.m {
			if now.Sub(pl.at) > placementTTL {
				delete(p.m, id)
			}
		}
	}
	p.m[instance] = placed{host: host, at: now}
}

func (p *placements) get(instance string, now time.Time) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	pl, ok := p.m[instance]
	if !ok || now.Sub(pl.at) > placementTTL {
		return ""
	}
	return pl.host
}

// instanceHosts returns the hosts of the given instances (except
// self) with how many of them each host runs: the store's host, or
// where this scheduler just put an instance the store has no host for.
func (s *Scheduler) instanceHosts(ctx context.Context, ids []string, self string, now time.Time) (map[string]int, error) {
	out := map[string]int{}
	if len(ids) == 0 {
		return out, nil
	}
	insts, err := s.hosts.ListInstances(ctx, compute.InstanceFilter{IDs: ids})
	if err != nil {
		return nil, fmt.Errorf("scheduler: list instances: %w", err)
	}
	// An instance the store does not return is gone; one it returns
	// without a host may have just been placed here.
	for i := range insts {
		in := &insts[i]
		if in.ID == self || in.Deleted {
			continue
		}
		host := in.Host
		if host == "" {
			host = s.recent.get(in.ID, now)
		}
		if host != "" {
			out[host]++
		}
	}
	return out, nil
}
