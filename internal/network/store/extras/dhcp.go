package extras

import (
	"context"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

func (t *Txn) BindDHCP(ctx context.Context, networkID, agentID string) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO network_dhcp_agents (network_id, agent_id) VALUES ($1, $2)`, networkID, agentID)
	if db.IsUnique(err) {
		return apierr.ErrDuplicate
	}
	return err
}

func (t *Txn) UnbindDHCP(ctx context.Context, networkID, agentID string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM network_dhcp_agents WHERE network_id = $1 AND agent_id = $2`, networkID, agentID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return apierr.ErrNotFound
	}
	return nil
}

func (t *Txn) DHCPBindings(ctx context.Context, networkID, agentID string) ([]network.DHCPBinding, error) {
	var w db.Where
	if networkID != "" {
		w.Eq("network_id", networkID)
	}
	if agentID != "" {
		w.Eq("agent_id", agentID)
	}
	return db.All(ctx, t.tx, func(sc db.Scanner) (network.DHCPBinding, error) {
		var b network.DHCPBinding
		err := sc.Scan(&b.NetworkID, &b.AgentID)
		return b, err
	}, `SELECT network_id, agent_id FROM network_dhcp_agents`+w.Clause()+` ORDER BY network_id, agent_id`, w.Vals...)
}

func (t *Txn) UnhostedDHCPNetworks(ctx context.Context) ([]string, error) {
	return db.Strings(ctx, t.tx, `SELECT DISTINCT s.network_id FROM subnets s
		WHERE s.enable_dhcp AND NOT EXISTS (SELECT 1 FROM network_dhcp_agents b WHERE b.network_id = s.network_id)
		ORDER BY s.network_id`)
}
