package agent

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/hostrpc"
	"github.com/gostack/gostack/internal/platform/bus"
)

// minTick is the shortest pause of a loop that spreads hosts over its
// interval: with many hosts each tick handles a batch.
const minTick = 100 * time.Millisecond

// reportTimeout bounds one NodeReport call to a conductor.
const reportTimeout = 30 * time.Second

// maxReportBackoff is the longest wait between rounds of NodeReports to
// an absent or failing conductor.
const maxReportBackoff = 30 * time.Second

// spread calls fn(ctx, i) for every i in [0, n) once per interval, evenly
// spread over it, until ctx ends. With first set it does a whole round at
// once before spreading.
func spread(ctx context.Context, interval time.Duration, n int, first bool, fn func(ctx context.Context, i int)) {
	if first {
		for i := range n {
			if ctx.Err() != nil {
				return
			}
			fn(ctx, i)
		}
	}
	ticks := max(1, min(n, int(interval/minTick)))
	t := time.NewTicker(interval / time.Duration(ticks))
	defer t.Stop()
	next := 0
	for k := 0; ; k = (k + 1) % ticks {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		end := (k + 1) * n / ticks
		for ; next < end && ctx.Err() == nil; next++ {
			fn(ctx, next)
		}
		if end == n {
			next = 0
		}
	}
}

// heartbeats beats for every host, every HeartbeatInterval, from one loop.
func (a *Agent) heartbeats(ctx context.Context) {
	failing := false
	spread(ctx, a.cfg.HeartbeatInterval, len(a.hosts), true, func(ctx context.Context, i int) {
		hb := bus.Heartbeat{Bus: a.cfg.Bus, Service: compute.HeartbeatService, Host: a.hosts[i].name, Binary: "nova-compute"}
		err := hb.Beat(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			// One line when beats start failing, not one per host.
			a.log.Warn("heartbeats failing", "err", err)
			failing = true
		case err == nil:
			failing = false
		}
	})
}

// reportNodes sends every host's NodeReport to a conductor, retrying the
// ones that fail with a growing pause, until all are stored; each host
// sends its first power sync as soon as its report is stored.
func (a *Agent) reportNodes(ctx context.Context) {
	pending := a.hosts
	backoff := 500 * time.Millisecond
	for {
		var (
			mu       sync.Mutex
			failed   []*host
			firstErr error
		)
		each(ctx, a.cfg.Workers, pending, func(h *host) error {
			if err := a.sendNode(ctx, h); err != nil {
				mu.Lock()
				failed = append(failed, h)
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return nil
			}
			h.reported.Store(true)
			a.syncPower(ctx, h)
			return nil
		})
		if ctx.Err() != nil {
			return
		}
		if len(failed) == 0 {
			close(a.reported)
			a.log.Info("compute nodes reported to the conductor", "hosts", len(a.hosts))
			return
		}
		if errors.Is(firstErr, hostrpc.ErrNoConductor) {
			a.log.Info("waiting for a conductor to report compute nodes to", "hosts", len(failed), "retry_in", backoff)
		} else {
			a.log.Warn("reporting compute nodes failed", "hosts", len(failed), "err", firstErr, "retry_in", backoff)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, maxReportBackoff)
		pending = failed
	}
}

// sendNode sends h's NodeReport and waits until a conductor stored it.
func (a *Agent) sendNode(ctx context.Context, h *host) error {
	h.mu.Lock()
	res := h.res
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, reportTimeout)
	defer cancel()
	return hostrpc.PublishNodes(ctx, a.cfg.Bus, hostrpc.NodeReport{
		Host:   h.name,
		Driver: h.drv.Name(),
		Nodes: []hostrpc.Node{{
			ProviderID:         h.providerID,
			HypervisorHostname: h.name,
			HostIP:             a.cfg.HostIP,
			Resources:          res,
			StartedAt:          h.startedAt,
		}},
	})
}

// powerSync sends every reported host's instances to the conductors,
// every PowerSyncInterval, from one loop.
func (a *Agent) powerSync(ctx context.Context) {
	spread(ctx, a.cfg.PowerSyncInterval, len(a.hosts), false, func(ctx context.Context, i int) {
		if h := a.hosts[i]; h.reported.Load() {
			a.syncPower(ctx, h)
		}
	})
}

// syncPower sends a full PowerReport of h.
func (a *Agent) syncPower(ctx context.Context, h *host) {
	now := time.Now().UTC()
	insts, err := h.drv.ListInstances(ctx)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("listing instances failed", "host", h.name, "err", err)
		}
		return
	}
	err = hostrpc.PublishPower(ctx, a.cfg.Bus, hostrpc.PowerReport{Host: h.name, Full: true, Instances: insts, Time: now})
	if err != nil && ctx.Err() == nil {
		a.log.Warn("power sync failed", "host", h.name, "err", err)
	}
}

// refreshInventories re-reads every host's resources, every
// InventoryInterval, from one loop: a change of totals goes to Placement,
// any change (usage included) to the conductor.
func (a *Agent) refreshInventories(ctx context.Context) {
	spread(ctx, a.cfg.InventoryInterval, len(a.hosts), false, func(ctx context.Context, i int) {
		a.refresh(ctx, a.hosts[i])
	})
}

// refresh updates Placement and the conductor about h when its resources
// changed since they were last told.
func (a *Agent) refresh(ctx context.Context, h *host) {
	res, err := a.resources(ctx, h)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("reading resources failed", "host", h.name, "err", err)
		}
		return
	}
	h.mu.Lock()
	old := h.res
	h.mu.Unlock()
	if res == old {
		return
	}
	if !sameInventories(inventories(old), inventories(res)) {
		if err := a.register(ctx, h, res); err != nil {
			if ctx.Err() == nil {
				a.log.Warn("updating inventories failed", "host", h.name, "err", err)
			}
			return
		}
	}
	h.mu.Lock()
	h.res = res
	h.mu.Unlock()
	if !h.reported.Load() {
		return // the pending first report will carry it
	}
	if err := a.sendNode(ctx, h); err != nil && ctx.Err() == nil {
		a.log.Warn("reporting node change failed", "host", h.name, "err", err)
		h.mu.Lock()
		h.res = old // try again next time
		h.mu.Unlock()
	}
}
