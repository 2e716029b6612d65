package agent

import (
	"context"
	"slices"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/ports"
)

// ensureDHCPPorts gives every network this host's DHCP agent hosts
// (its dhcp_agent_scheduler bindings) that has a DHCP-enabled IPv4
// subnet its DHCP port (device owner network:dhcp, bound to this host,
// an address on each such subnet), as Neutron's DHCP agent makes it, and
// deletes this host's DHCP ports of the other networks. Other hosts'
// DHCP ports are their agents'. Until the agent is registered it does
// not know what it hosts and changes nothing. It reports whether it
// changed anything.
func (a *Agent) ensureDHCPPorts(ctx context.Context, s *snapshot) (bool, error) {
	i := slices.IndexFunc(s.agents, func(ag *network.Agent) bool { return ag.Type == network.AgentDHCP && ag.Host == a.cfg.Host })
	if i < 0 {
		return false, nil
	}
	hosted := map[string]bool{}
	for _, b := range s.dhcp {
		if b.AgentID == s.agents[i].ID {
			hosted[b.NetworkID] = true
		}
	}
	want := map[string][]string{} // network → its DHCP-enabled IPv4 subnets
	for _, sn := range s.subnets {
		if sn.EnableDHCP && sn.IPVersion == 4 && hosted[sn.NetworkID] {
			want[sn.NetworkID] = append(want[sn.NetworkID], sn.ID)
		}
	}
	have := map[string]*network.Port{}
	var stale []*network.Port
	for _, p := range s.ports {
		if p.DeviceOwner != network.OwnerDHCP || !a.cfg.ownsDHCP(p) {
			continue
		}
		if _, ok := want[p.NetworkID]; !ok || have[p.NetworkID] != nil {
			stale = append(stale, p)
			continue
		}
		have[p.NetworkID] = p
	}
	project := map[string]string{}
	for _, n := range s.networks {
		project[n.ID] = n.ProjectID
	}
	// Nothing to do, no transaction: a committed one kicks the agent
	// again, which would otherwise reconcile in a loop.
	needed := len(stale) > 0
	for netID, subs := range want {
		p := have[netID]
		for _, sn := range subs {
			if p == nil || !slices.ContainsFunc(p.FixedIPs, func(ip network.FixedIP) bool { return ip.SubnetID == sn }) {
				needed = true
			}
		}
	}
	if !needed {
		return false, nil
	}
	changed := false
	err := a.svc.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		changed = false
		for netID, subs := range want {
			p := have[netID]
			if p == nil {
				host, none := a.cfg.Host, []string{}
				var reqs []network.FixedIPRequest
				for _, sn := range subs {
					reqs = append(reqs, network.FixedIPRequest{SubnetID: sn})
				}
				_, err := a.ports.AddPort(ctx, tx, ports.Create{ProjectID: project[netID], NetworkID: netID,
					DeviceOwner: network.OwnerDHCP, DeviceID: "dhcp-" + a.cfg.Host + "-" + netID,
					HostID: &host, SecurityGroups: &none, FixedIPs: reqs})
				if err != nil {
					a.cfg.Log.Warn("creating the DHCP port", "network", netID, "err", err)
					continue
				}
				changed = true
				continue
			}
			var missing []network.FixedIPRequest
			for _, sn := range subs {
				if !slices.ContainsFunc(p.FixedIPs, func(ip network.FixedIP) bool { return ip.SubnetID == sn }) {
					missing = append(missing, network.FixedIPRequest{SubnetID: sn})
				}
			}
			if len(missing) == 0 {
				continue
			}
			reqs := missing
			for _, ip := range p.FixedIPs {
				reqs = append(reqs, network.FixedIPRequest{SubnetID: ip.SubnetID, IP: ip.IP})
			}
			if err := a.ports.ChangePort(ctx, tx, p, ports.Update{FixedIPs: &reqs}); err != nil {
				a.cfg.Log.Warn("addressing the DHCP port", "network", netID, "err", err)
				continue
			}
			changed = true
		}
		for _, p := range stale {
			if err := a.ports.RemovePort(ctx, tx, p); err != nil {
				return err
			}
			changed = true
		}
		return nil
	})
	return changed, err
}
