-- +goose Up
-- The dhcp_agent_scheduler extension: which DHCP agents host which
-- networks (Neutron's networkdhcpagentbindings). The primary key makes
-- a second binding of the same pair fail instead of doubling it; a
-- network or agent deleted takes its bindings with it, as in Neutron.
CREATE TABLE network_dhcp_agents (
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    agent_id   TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    PRIMARY KEY (network_id, agent_id)
);
CREATE INDEX network_dhcp_agents_agent ON network_dhcp_agents (agent_id);

-- +goose Down
DROP TABLE network_dhcp_agents;
