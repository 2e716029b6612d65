package extras

import (
	"context"
	"errors"
	"slices"

	"github.com/gostack/gostack/internal/network"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// AgentReport is an agent's periodic state report (Neutron's
// report_state RPC): who it is, where it runs and its configuration.
// Start is set on the first report after the agent process started.
type AgentReport struct {
	Type          string
	Binary        string
	Topic         string
	Host          string
	AZ            *string
	Configuration map[string]any
	Start         bool
}

// AgentUpdate holds what an operator may change of an agent.
type AgentUpdate struct {
	AdminStateUp *bool
	Description  *string
}

// ReportAgent registers an agent or records its heartbeat: the first
// report of a (type, host) creates the agent, admin state up, as
// Neutron's enable_new_agents does; later ones refresh it.
func (s *Service) ReportAgent(ctx context.Context, r AgentReport) (*network.Agent, error) {
	if r.Type == "" || r.Host == "" || r.Binary == "" {
		return nil, network.InvalidInput("an agent report needs agent_type, binary and host")
	}
	now := db.Now()
	a := &network.Agent{ID: uuid.NewString(), Type: r.Type, Binary: r.Binary, Topic: r.Topic, Host: r.Host,
		AdminStateUp: true, AZ: r.AZ, Configuration: r.Configuration, CreatedAt: now, StartedAt: now, HeartbeatAt: now}
	if a.Configuration == nil {
		a.Configuration = map[string]any{}
	}
	var out *network.Agent
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var prev *network.Agent
		if r.Type == network.AgentDHCP && !r.Start {
			as, err := tx.ListAgents(ctx)
			if err != nil {
				return err
			}
			if i := slices.IndexFunc(as, func(o *network.Agent) bool { return o.Type == r.Type && o.Host == r.Host }); i >= 0 {
				prev = as[i]
			}
		}
		var err error
		if out, err = tx.UpsertAgent(ctx, a, r.Start); err != nil {
			return err
		}
		// A DHCP agent that starts, is new, or comes back after being
		// dead takes the networks no agent hosts, as Neutron's agents do
		// when they resync (network_auto_schedule).
		if r.Type == network.AgentDHCP && (r.Start || prev == nil || !prev.Alive(now)) {
			return scheduleUnhosted(ctx, tx)
		}
		return nil
	})
	return out, err
}

// ListAgents lists the registered agents (the API shows them to admins).
func (s *Service) ListAgents(ctx context.Context) ([]*network.Agent, error) {
	var out []*network.Agent
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		out, err = tx.ListAgents(ctx)
		return err
	})
	return out, err
}

// GetAgent returns an agent (404 AgentNotFound).
func (s *Service) GetAgent(ctx context.Context, id string) (*network.Agent, error) {
	var a *network.Agent
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		a, err = getAgent(ctx, tx, id)
		return err
	})
	return a, err
}

func getAgent(ctx context.Context, tx network.Tx, id string) (*network.Agent, error) {
	a, err := tx.GetAgent(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, network.NotFound("Agent", id)
	}
	return a, err
}

// UpdateAgent changes an agent's admin state or description.
func (s *Service) UpdateAgent(ctx context.Context, id string, u AgentUpdate) (*network.Agent, error) {
	var a *network.Agent
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		if a, err = getAgent(ctx, tx, id); err != nil {
			return err
		}
		set(&a.AdminStateUp, u.AdminStateUp)
		set(&a.Description, u.Description)
		return tx.UpdateAgent(ctx, a)
	})
	return a, err
}

// DeleteAgent forgets an agent; one still running registers again with
// its next report.
func (s *Service) DeleteAgent(ctx context.Context, id string) error {
	return s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		if _, err := getAgent(ctx, tx, id); err != nil {
			return err
		}
		return tx.DeleteAgent(ctx, id)
	})
}
