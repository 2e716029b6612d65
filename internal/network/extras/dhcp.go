package extras

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/dhcpsched"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// The dhcp_agent_scheduler extension: which DHCP agents serve which
// networks. Package dhcpsched binds networks automatically; these are
// the operator's views and changes.

func scheduleUnhosted(ctx context.Context, tx network.Tx) error {
	ids, err := tx.UnhostedDHCPNetworks(ctx)
	if err != nil {
		return err
	}
	return dhcpsched.Schedule(ctx, tx, ids)
}

// DHCPAgentsOf lists the DHCP agents hosting a network (none for an
// unknown network, as Neutron answers).
func (s *Service) DHCPAgentsOf(ctx context.Context, networkID string) ([]*network.Agent, error) {
	var out []*network.Agent
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		bs, err := tx.DHCPBindings(ctx, networkID, "")
		if err != nil {
			return err
		}
		out = make([]*network.Agent, 0, len(bs))
		for _, b := range bs {
			a, err := getAgent(ctx, tx, b.AgentID)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// DHCPNetworksOf lists the networks a DHCP agent hosts (404
// AgentNotFound for an unknown agent).
func (s *Service) DHCPNetworksOf(ctx context.Context, agentID string) ([]*network.Network, error) {
	var out []*network.Network
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		if _, err := getAgent(ctx, tx, agentID); err != nil {
			return err
		}
		bs, err := tx.DHCPBindings(ctx, "", agentID)
		if err != nil {
			return err
		}
		if len(bs) == 0 {
			out = []*network.Network{}
			return nil
		}
		ids := make([]string, len(bs))
		for i, b := range bs {
			ids[i] = b.NetworkID
		}
		out, err = tx.ListNetworks(ctx, network.Filter{Scope: network.Scope{Admin: true}, IDs: ids})
		return err
	})
	return out, err
}

// AddDHCPNetwork makes a DHCP agent host a network: the agent must be an
// enabled DHCP agent (404 InvalidDHCPAgent otherwise, Neutron's
// AgentNotFound kind), and not host it already (409
// NetworkHostedByDHCPAgent). Other agents hosting it keep it: the
// operator may give a network more than one.
func (s *Service) AddDHCPNetwork(ctx context.Context, agentID, networkID string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if err := tx.LockNetwork(ctx, networkID); errors.Is(err, apierr.ErrNotFound) {
			return network.NotFound("Network", networkID)
		} else if err != nil {
			return err
		}
		a, err := getAgent(ctx, tx, agentID)
		if err != nil {
			return err
		}
		if a.Type != network.AgentDHCP || !a.AdminStateUp {
			return apierr.NotFound("Agent %s is not a valid DHCP Agent or has been disabled.", agentID).WithType("InvalidDHCPAgent")
		}
		err = tx.BindDHCP(ctx, networkID, agentID)
		if errors.Is(err, apierr.ErrDuplicate) {
			return network.Conflict("NetworkHostedByDHCPAgent", "The network %s has been already hosted by the DHCP Agent %s.", networkID, agentID)
		}
		return err
	})
}

// RemoveDHCPNetwork stops a DHCP agent hosting a network (409
// NetworkNotHostedByDhcpAgent when it does not). The agent removes the
// network's DHCP server and port when it next reconciles.
func (s *Service) RemoveDHCPNetwork(ctx context.Context, agentID, networkID string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if _, err := getAgent(ctx, tx, agentID); err != nil {
			return err
		}
		err := tx.UnbindDHCP(ctx, networkID, agentID)
		if errors.Is(err, apierr.ErrNotFound) {
			return network.Conflict("NetworkNotHostedByDhcpAgent", "The network %s is not hosted by the DHCP Agent %s.", networkID, agentID)
		}
		return err
	})
}
