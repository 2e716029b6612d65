// Package heal makes Placement match the instances, for the conductor's
// Recover: a live instance with a host that lost its allocation gets its
// flavor's claim back on its node, and an allocation on a compute node
// whose consumer is neither a live instance nor an open migration is
// deleted. It never claims for a consumer that is not live at the moment
// of the claim (see healClaim).
//
//	instances (listed once) ─┐
//	providers ─ allocations ─┴─► orphans deleted
//	                             missing claims ─► the instance's queue: read again, claim, read again
package heal

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/conductor/core"
	"github.com/gostack/gostack/internal/placement/client"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Run heals Placement on b: orphaned allocations are deleted at once,
// missing claims queued in their instances' queues.
func Run(ctx context.Context, b *core.Base) error { return healer{b}.heal(ctx) }

// healer heals Placement on a conductor's Base.
type healer struct{ *core.Base }

// heal makes Placement match the instances: a live instance with a host
// and no allocation gets one from its flavor on its node; an allocation
// on a compute node whose consumer is neither a live instance nor an
// open migration is deleted.
func (c healer) heal(ctx context.Context) error {
	nodes, err := c.Store.ListNodes(ctx, "", "")
	if err != nil {
		return err
	}
	live := false
	insts, err := c.Store.ListInstances(ctx, compute.InstanceFilter{Deleted: &live})
	if err != nil {
		return err
	}
	byNode := map[string][]*compute.Instance{}
	liveIDs, hostless := map[string]bool{}, map[string]bool{}
	for i := range insts {
		inst := &insts[i]
		// A settled instance without a host (shelved offloaded, failed
		// build) holds no resources: its consumer counts as an orphan.
		if inst.Host == "" && inst.TaskState == "" && inst.VMState != compute.VMBuilding && c.Orphan(inst) {
			hostless[inst.ID] = true
			continue
		}
		liveIDs[inst.ID] = true
		if inst.Host != "" {
			byNode[inst.Host+"\x00"+inst.Node] = append(byNode[inst.Host+"\x00"+inst.Node], inst)
		}
	}
	for _, n := range nodes {
		allocs, _, err := c.Cfg.Placement.ProviderAllocations(ctx, n.ID)
		if client.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		for consumer := range allocs {
			if liveIDs[consumer] || c.Busy(consumer) || (!hostless[consumer] && c.consumerLive(ctx, consumer)) {
				continue
			}
			c.Log.Info("conductor: deleting orphaned allocations", "consumer", consumer, "provider", n.ID)
			if err := c.Cfg.Placement.DeleteAllocations(ctx, consumer); err != nil && !client.IsNotFound(err) {
				c.Log.Warn("conductor: delete orphaned allocations", "consumer", consumer, "err", err)
			}
		}
		for _, inst := range byNode[n.Host+"\x00"+n.HypervisorHostname] {
			if _, ok := allocs[inst.ID]; ok || !healable(inst) || !c.Orphan(inst) {
				continue
			}
			seen, provider := inst, n.ID
			c.Enqueue(inst.ID, func(ctx context.Context) { c.healClaim(ctx, seen, provider) })
		}
	}
	return nil
}

// healable reports whether heal may give an instance its flavor's claim:
// a live instance with no operation under way that holds resources.
func healable(i *compute.Instance) bool {
	return !compute.Gone(i) && i.TaskState == "" && i.VMState != compute.VMBuilding && i.VMState != compute.VMShelvedOf
}

// healClaim recreates the allocation an instance lost on provider. It
// runs in the instance's queue, so that no operation of this conductor
// (a delete above all) interleaves with it, and claims only for an
// instance that is still live where heal saw it: one deleted since heal
// listed the instances gets nothing. A delete run by another conductor
// can still free the instance's allocations between that read and the
// claim; Placement cannot refuse the claim then, because a freed consumer
// no longer exists and a claim with a null consumer generation creates it
// anew. So the instance is read again after the claim, and what was
// claimed for an instance now gone is freed: heal never leaves an
// allocation to a consumer that is not live.
func (c healer) healClaim(ctx context.Context, seen *compute.Instance, provider string) {
	cur, err := c.Store.GetInstance(ctx, seen.ID)
	if err != nil || !healable(cur) || cur.Host != seen.Host || cur.Node != seen.Node {
		return
	}
	claimed, err := c.ClaimFlavor(ctx, cur, provider)
	if err != nil {
		c.Log.Warn("conductor: heal allocation", "instance", cur.ID, "err", err)
		return
	}
	if !claimed {
		return
	}
	after, err := c.Store.GetInstance(ctx, cur.ID)
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && compute.Gone(after)) {
		c.Log.Info("conductor: instance deleted while its allocation was healed; freeing it", "instance", cur.ID)
		c.FreeAllocations(cur.ID)
	}
}

// consumerLive reports whether a consumer is a live instance (created
// after the listing) or an open migration.
func (c healer) consumerLive(ctx context.Context, consumer string) bool {
	inst, err := c.Store.GetInstance(ctx, consumer)
	if err == nil {
		return !inst.Deleted
	}
	if !errors.Is(err, apierr.ErrNotFound) {
		return true // unsure: keep
	}
	m, err := c.Store.GetMigration(ctx, consumer)
	if err == nil {
		return core.MigrationOpen(m.Status)
	}
	return !errors.Is(err, apierr.ErrNotFound)
}
