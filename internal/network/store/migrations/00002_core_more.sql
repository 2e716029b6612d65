-- +goose Up
-- Address scopes, and the indexes the core lists and subnet pools need:
-- ports by address (fixed_ips=ip_address=...), subnets by pool, pools by
-- scope.
CREATE TABLE address_scopes (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    ip_version      INTEGER NOT NULL,
    shared          BOOLEAN NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX address_scopes_project ON address_scopes (project_id);
CREATE INDEX port_ips_ip ON port_ips (ip_address);
CREATE INDEX ports_network ON ports (network_id, id);
CREATE INDEX subnets_pool ON subnets (subnetpool_id);
CREATE INDEX subnetpools_scope ON subnetpools (address_scope_id);
CREATE INDEX subnetpools_project ON subnetpools (project_id);

-- +goose Down
DROP INDEX subnetpools_project;
DROP INDEX subnetpools_scope;
DROP INDEX subnets_pool;
DROP INDEX ports_network;
DROP INDEX port_ips_ip;
DROP TABLE address_scopes;
