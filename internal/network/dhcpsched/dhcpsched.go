// Package dhcpsched is the networking service's DHCP agent scheduler
// (Neutron's network_scheduler_driver WeightScheduler with
// dhcp_agents_per_network = 1): a network that gains a DHCP-enabled
// subnet is bound to the live, enabled DHCP agent hosting the fewest
// networks, and a DHCP agent that starts or comes back schedules the
// networks no agent hosts (network_auto_schedule). Pick is the pure
// choice; Schedule applies it inside the caller's transaction.
package dhcpsched

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Pick returns the agent to host one more network: among agents, the
// DHCP agents that are enabled and alive at now, the one that hosts the
// fewest networks by load (agent id → networks), ties broken by host
// then id so that the choice is stable. It returns nil when none fits.
func Pick(agents []*network.Agent, load map[string]int, now time.Time) *network.Agent {
	var best *network.Agent
	for _, a := range agents {
		if a.Type != network.AgentDHCP || !a.AdminStateUp || !a.Alive(now) {
			continue
		}
		if best == nil || load[a.ID] < load[best.ID] ||
			load[a.ID] == load[best.ID] && strings.Compare(a.Host+"\x00"+a.ID, best.Host+"\x00"+best.ID) < 0 {
			best = a
		}
	}
	return best
}

// Schedule binds each of networkIDs that no DHCP agent hosts to the
// agent Pick chooses, in tx. Each network is locked first, so two
// transactions scheduling the same network bind it once; a network
// deleted meanwhile is skipped. With no agent to pick, the networks
// stay unhosted until a DHCP agent starts (as in Neutron).
func Schedule(ctx context.Context, tx network.Tx, networkIDs []string) error {
	if len(networkIDs) == 0 {
		return nil
	}
	agents, err := tx.ListAgents(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	if Pick(agents, nil, now) == nil {
		return nil
	}
	all, err := tx.DHCPBindings(ctx, "", "")
	if err != nil {
		return err
	}
	load := map[string]int{}
	for _, b := range all {
		load[b.AgentID]++
	}
	ids := slices.Clone(networkIDs)
	slices.Sort(ids) // one lock order, so that two schedulers cannot deadlock
	for _, id := range slices.Compact(ids) {
		if err := tx.LockNetwork(ctx, id); errors.Is(err, apierr.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		hosted, err := tx.DHCPBindings(ctx, id, "")
		if err != nil {
			return err
		}
		if len(hosted) > 0 {
			continue
		}
		a := Pick(agents, load, now)
		if err := tx.BindDHCP(ctx, id, a.ID); err != nil {
			return err
		}
		load[a.ID]++
	}
	return nil
}
