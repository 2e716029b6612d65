package core

import (
	"context"
	"time"

	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Host returns the agent of a compute host for an operation: its calls
// wait for an agent that does not answer while the host is expected back
// (agents.Wait).
func (b *Base) Host(name string) (hostrpc.Host, error) {
	h, err := b.Dial(name)
	if err != nil {
		return nil, err
	}
	return hostrpc.Await(h, b.agents), nil
}

// Dial returns the agent of a compute host as Config.Dial does: a call
// finds the agent there or fails at once, as an API read (a console,
// diagnostics) should rather than hold the request.
func (b *Base) Dial(name string) (hostrpc.Host, error) {
	if name == "" {
		return nil, apierr.Unavailable("The instance has no host.")
	}
	if b.Cfg.Dial == nil {
		return nil, apierr.Unavailable("No compute host is reachable.")
	}
	h := b.Cfg.Dial(name)
	if h == nil {
		return nil, apierr.Unavailable("Compute host %s is not reachable.", name)
	}
	return h, nil
}

// Heard records a report of host's agent: it is there, and the
// operations waiting for it try again at once.
func (b *Base) Heard(host string) { b.agents.heard(host) }

// AwaitAgents waits, once, until Config.Ready is closed (the agents of
// this process have reported their hosts), at most until AgentWait has
// passed since the conductor started.
func (b *Base) AwaitAgents(ctx context.Context) { b.agents.ready(ctx, b.Cfg.Ready) }

// DestroyEverywhere destroys every copy of an instance on a host: the
// instance and, during a resize to the same host, the source copy. A
// host without an agent to dial (it was removed) is Nova's local delete:
// nothing to destroy.
func (b *Base) DestroyEverywhere(ctx context.Context, hostName, id string) error {
	h, err := b.Host(hostName)
	if err != nil {
		b.Log.Warn("conductor: no agent to destroy on; deleting locally", "instance", id, "host", hostName, "err", err)
		return nil
	}
	return b.Destroy(ctx, h, id)
}

// busyRetry is how long a destroy waits for an operation still running
// on the host (a spawn the delete cancelled here may not have seen the
// cancellation yet on a remote agent) before it gives up.
const busyRetry = 2 * time.Minute

// Destroy destroys the instance on h; one already gone is success. While
// the host says the instance is busy with another operation, it tries
// again with a growing pause: a delete must win over a build or an action
// still finishing on the host, as Nova's terminate waits for the instance
// lock.
func (b *Base) Destroy(ctx context.Context, h interface {
	Destroy(context.Context, string) error
}, id string) error {
	deadline := b.Now().Add(busyRetry)
	pause := 10 * time.Millisecond
	for {
		err := h.Destroy(ctx, id)
		if err == nil || driver.IsNotFound(err) {
			return nil
		}
		if !driver.IsBusy(err) || !b.Now().Before(deadline) {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-b.ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		pause = min(2*pause, time.Second)
	}
}

// DestroyAndFree removes what a build left on its host and its claim.
func (b *Base) DestroyAndFree(h interface {
	Destroy(context.Context, string) error
}, id string) {
	ctx, cancel := b.DBContext()
	defer cancel()
	if h != nil {
		if err := b.Destroy(ctx, h, id); err != nil {
			b.Log.Warn("conductor: destroy after cancelled build", "instance", id, "err", err)
		}
	}
	b.FreeAllocations(id)
}
