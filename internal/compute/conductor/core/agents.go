package core

import (
	"context"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/hostrpc"
)

// agents is what the conductor knows of the compute agents' presence. It
// is the hostrpc.Waiter of every host the conductor calls: an operation
// whose host's agent does not answer waits for it while the host is
// expected back, up to a bound, instead of failing because the agent
// subscribed a few milliseconds after the API accepted the request (a
// restart) or is restarting.
//
// A host is expected back when its agent reported to this conductor
// within the bound, when its heartbeats say it is up, or, for a host
// nothing was heard of, while this conductor is younger than the bound:
// after a restart the agents of the process start with it. A host whose
// heartbeats stopped is down, as Nova's servicegroup API says: nothing
// waits for it.
type agents struct {
	liveness compute.Liveness // nil: no heartbeats to judge by
	bound    time.Duration
	started  time.Time
	done     <-chan struct{} // closed when the conductor stops

	mu   sync.Mutex
	seen map[string]time.Time     // the last report of each host's agent
	back map[string]chan struct{} // closed at a host's next report
}

var _ hostrpc.Waiter = (*agents)(nil)

// maxAgentPoll is the longest pause between two tries of a call waiting
// for an agent. The agent's report wakes the call sooner when it reaches
// this conductor; the pause covers a report that went to another
// conductor of the queue group.
const maxAgentPoll = 500 * time.Millisecond

func newAgents(liveness compute.Liveness, bound time.Duration, done <-chan struct{}) *agents {
	return &agents{liveness: liveness, bound: bound, started: time.Now(), done: done,
		seen: map[string]time.Time{}, back: map[string]chan struct{}{}}
}

// heard records a report of host's agent and wakes the calls waiting for
// it.
func (a *agents) heard(host string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seen[host] = time.Now()
	if ch := a.back[host]; ch != nil {
		close(ch)
		delete(a.back, host)
	}
}

// expected reports whether host's agent is expected to answer soon.
func (a *agents) expected(host string) bool {
	a.mu.Lock()
	seen := a.seen[host]
	a.mu.Unlock()
	if !seen.IsZero() && time.Since(seen) < a.bound {
		return true
	}
	if a.liveness != nil {
		if st, ok := a.liveness.Status(compute.HeartbeatService, host); ok {
			return st.Up
		}
	}
	return seen.IsZero() && time.Since(a.started) < a.bound
}

// Wait pauses a call that found no agent for host since then: until the
// host reports, a growing pause passes, or the bound is reached. It
// returns false, for the call to fail, when the host is not expected back,
// the bound has passed, or ctx or the conductor ends.
func (a *agents) Wait(ctx context.Context, host string, since time.Time) bool {
	waited := time.Since(since)
	if waited >= a.bound || !a.expected(host) {
		return false
	}
	a.mu.Lock()
	ch := a.back[host]
	if ch == nil {
		ch = make(chan struct{})
		a.back[host] = ch
	}
	a.mu.Unlock()
	t := time.NewTimer(min(a.bound-waited, max(10*time.Millisecond, min(waited/4, maxAgentPoll))))
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
		return false
	case <-a.done:
		return false
	}
	return true
}

// ready waits until ready is closed (the agents of this process have
// reported their hosts), at most until the bound has passed since the
// conductor started, or ctx ends.
func (a *agents) ready(ctx context.Context, ready <-chan struct{}) {
	if ready == nil {
		return
	}
	left := a.bound - time.Since(a.started)
	if left <= 0 {
		return
	}
	t := time.NewTimer(left)
	defer t.Stop()
	select {
	case <-ready:
	case <-t.C:
	case <-ctx.Done():
	case <-a.done:
	}
}
