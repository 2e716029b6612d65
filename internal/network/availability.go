package network

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// DefaultAZ is the availability zone of the built-in data plane, which
// serves every network and router, and of agents that name none (the
// default of Neutron's agents' availability_zone option).
const DefaultAZ = "nova"

// AvailabilityZone is a zone in which networks or routers can be placed.
type AvailabilityZone struct {
	Name     string
	Resource string // "network" or "router"
	State    string // "available" or "unavailable"
}

// AvailabilityZones lists the zones: the default zone for networks and
// routers, and the zones DHCP agents (networks) and L3 agents (routers)
// report, available while an agent in it is alive and enabled.
func (s *Service) AvailabilityZones(ctx context.Context) ([]AvailabilityZone, error) {
	var agents []*Agent
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		agents, err = tx.ListAgents(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return zones(agents, db.Now()), nil
}

// zones derives the zones from the agents at time now.
func zones(agents []*Agent, now time.Time) []AvailabilityZone {
	type key struct{ name, resource string }
	state := map[key]bool{{DefaultAZ, "network"}: true, {DefaultAZ, "router"}: true}
	for _, a := range agents {
		var res string
		switch a.Type {
		case AgentDHCP:
			res = "network"
		case AgentL3:
			res = "router"
		default:
			continue
		}
		name := DefaultAZ
		if a.AZ != nil && *a.AZ != "" {
			name = *a.AZ
		}
		k := key{name, res}
		state[k] = state[k] || (a.AdminStateUp && a.Alive(now))
	}
	out := make([]AvailabilityZone, 0, len(state))
	for k, up := range state {
		st := "unavailable"
		if up {
			st = "available"
		}
		out = append(out, AvailabilityZone{Name: k.name, Resource: k.resource, State: st})
	}
	slices.SortFunc(out, func(a, b AvailabilityZone) int {
		if c := strings.Compare(a.Resource, b.Resource); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// CheckAZHints refuses availability zone hints naming no zone of a
// resource kind ("network", "router"): Neutron's 404
// AvailabilityZoneNotFound.
func (s *Service) CheckAZHints(ctx context.Context, resource string, hints []string) error {
	if len(hints) == 0 {
		return nil
	}
	azs, err := s.AvailabilityZones(ctx)
	if err != nil {
		return err
	}
	for _, h := range hints {
		if !slices.ContainsFunc(azs, func(z AvailabilityZone) bool { return z.Name == h && z.Resource == resource }) {
			return apierr.NotFound("AvailabilityZone %s could not be found.", h).WithType("AvailabilityZoneNotFound")
		}
	}
	return nil
}
