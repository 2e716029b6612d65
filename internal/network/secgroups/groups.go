package secgroups

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// GroupNotFound is Neutron's SecurityGroupNotFound (404).
func GroupNotFound(id string) *apierr.Error {
	return apierr.NotFound("Security group %s does not exist", id).WithType("SecurityGroupNotFound")
}

// RuleNotFound is Neutron's SecurityGroupRuleNotFound (404).
func RuleNotFound(id string) *apierr.Error {
	return apierr.NotFound("Security group rule %s does not exist", id).WithType("SecurityGroupRuleNotFound")
}

// NewGroup is a group with Neutron's built-in rules: every group lets
// all traffic out; the default group also lets in what comes from its
// own members.
func NewGroup(project, name, description string, stateful, isDefault bool) *network.SecurityGroup {
	now := db.Now()
	g := &network.SecurityGroup{
		Std:      network.Std{ID: uuid.NewString(), ProjectID: project, Name: name, Description: description, CreatedAt: now, UpdatedAt: now},
		Stateful: stateful,
		Default:  isDefault,
	}
	for _, eth := range []string{network.IPv4, network.IPv6} {
		if isDefault {
			self := g.ID
			g.Rules = append(g.Rules, &network.Rule{Direction: network.Ingress, Ethertype: eth, RemoteGroupID: &self})
		}
		g.Rules = append(g.Rules, &network.Rule{Direction: network.Egress, Ethertype: eth})
	}
	for _, r := range g.Rules {
		r.Std = network.Std{ID: uuid.NewString(), ProjectID: project, CreatedAt: now, UpdatedAt: now}
		r.GroupID = g.ID
		r.InDefault = isDefault
	}
	return g
}

// InsertGroup writes g and its rules; for a default group it reports
// false when the project got one first.
func InsertGroup(ctx context.Context, tx network.Tx, g *network.SecurityGroup) (bool, error) {
	ok, err := tx.InsertSecurityGroup(ctx, g)
	if err != nil || !ok {
		return ok, err
	}
	for _, r := range g.Rules {
		if err := tx.InsertRule(ctx, r); err != nil {
			return false, err
		}
	}
	g.Tags = []string{}
	return true, nil
}

// EnsureDefault returns the id of a project's default group, creating it
// inside tx when missing. Two transactions racing to create it end with
// one group: the store's unique key on a project's default group makes
// the second insert write nothing, and the second then reads the first's.
// The group and its rules count against the project's quotas but are
// not refused by them, as in Neutron.
func EnsureDefault(ctx context.Context, tx network.Tx, project string) (string, error) {
	id, err := tx.DefaultSecurityGroup(ctx, project)
	if !errors.Is(err, apierr.ErrNotFound) {
		return id, err
	}
	g := NewGroup(project, "default", "Default security group", true, true)
	made, err := InsertGroup(ctx, tx, g)
	if err != nil {
		return "", err
	}
	if made {
		return g.ID, nil
	}
	return tx.DefaultSecurityGroup(ctx, project)
}

// Bind sets the security groups of port p, being created or
// updated, inside tx: requested nil keeps p's groups on an update and
// gives a new port its project's default group (made if missing) — but
// not a port of Neutron's own ("network:" owners) nor one without port
// security; an empty list removes them all. The groups must exist and
// belong to the port's project; they need port security on.
func Bind(ctx context.Context, tx network.Tx, p *network.Port, requested *[]string, creating bool) error {
	switch {
	case requested != nil:
		p.SecurityGroups = dedupe(*requested)
	case creating && p.PortSecurity && !strings.HasPrefix(p.DeviceOwner, "network:"):
		id, err := EnsureDefault(ctx, tx, p.ProjectID)
		if err != nil {
			return err
		}
		p.SecurityGroups = []string{id}
	case creating:
		p.SecurityGroups = []string{}
	default:
		return nil
	}
	if len(p.SecurityGroups) > 0 && !p.PortSecurity {
		return network.Conflict("PortSecurityAndIPRequiredForSecurityGroups", "network.Port security must be enabled and port must have an IP address in order to use security groups.")
	}
	if requested != nil && len(p.SecurityGroups) > 0 {
		owners, err := tx.GroupsOf(ctx, p.SecurityGroups)
		if err != nil {
			return err
		}
		var missing []string
		for _, id := range p.SecurityGroups {
			if owner, ok := owners[id]; !ok || owner != p.ProjectID {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			return GroupNotFound(strings.Join(missing, ", "))
		}
	}
	return tx.SetPortGroups(ctx, p.ID, p.SecurityGroups)
}

// dedupe returns ids without repeats, in their first order.
func dedupe(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
