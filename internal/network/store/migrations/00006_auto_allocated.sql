-- +goose Up
-- The auto-allocated-topology extension: one row per project that has
-- its topology. The primary key is what makes two concurrent first
-- requests of a project end with one topology (the second insert fails
-- and its transaction, with the network and router it made, rolls
-- back). As in Neutron, deleting the network deletes the record and
-- deleting the router only forgets it.
CREATE TABLE auto_allocated_topologies (
    project_id TEXT PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    router_id  TEXT REFERENCES routers (id) ON DELETE SET NULL
);
CREATE INDEX auto_allocated_topologies_network ON auto_allocated_topologies (network_id);
CREATE INDEX auto_allocated_topologies_router ON auto_allocated_topologies (router_id);

-- +goose Down
DROP TABLE auto_allocated_topologies;
