-- +goose Up
-- IP address management: each subnet's CIDR and allocation pools, the
-- addresses handed out, and the free ranges (the pools minus the
-- allocations) that an allocation takes its address from.
--
-- Addresses are fixed-width lowercase hex (8 characters for IPv4, 32 for
-- IPv6), so that text order is numeric order within a subnet under
-- SQLite's default BINARY collation (the PostgreSQL twin says COLLATE
-- "C"). first_ip and last_ip are both inclusive. generation is bumped by
-- every writer of the subnet, for the row lock it takes on PostgreSQL;
-- SQLite has one writer, so here it only keeps the schemas alike. The child
-- tables are WITHOUT ROWID: the primary key is the table, and a lookup
-- by it is one B-tree descent.
CREATE TABLE network_ipam_subnets (
    subnet_id  TEXT PRIMARY KEY,
    cidr       TEXT NOT NULL,
    generation BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE network_ipam_pools (
    subnet_id TEXT NOT NULL REFERENCES network_ipam_subnets (subnet_id) ON DELETE CASCADE,
    first_ip  TEXT NOT NULL,
    last_ip   TEXT NOT NULL,
    PRIMARY KEY (subnet_id, first_ip)
) WITHOUT ROWID;

CREATE TABLE network_ipam_ranges (
    subnet_id TEXT NOT NULL REFERENCES network_ipam_subnets (subnet_id) ON DELETE CASCADE,
    first_ip  TEXT NOT NULL,
    last_ip   TEXT NOT NULL,
    PRIMARY KEY (subnet_id, first_ip)
) WITHOUT ROWID;

-- The primary key is the final guard against handing out one address
-- twice, whatever the free ranges say.
CREATE TABLE network_ipam_allocations (
    subnet_id TEXT NOT NULL REFERENCES network_ipam_subnets (subnet_id) ON DELETE CASCADE,
    address   TEXT NOT NULL,
    PRIMARY KEY (subnet_id, address)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE network_ipam_allocations;
DROP TABLE network_ipam_ranges;
DROP TABLE network_ipam_pools;
DROP TABLE network_ipam_subnets;
