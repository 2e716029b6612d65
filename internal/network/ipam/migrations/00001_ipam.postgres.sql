-- +goose Up
-- IP address management: each subnet's CIDR and allocation pools, the
-- addresses handed out, and the free ranges (the pools minus the
-- allocations) that an allocation takes its address from.
--
-- Addresses are fixed-width lowercase hex (8 characters for IPv4, 32 for
-- IPv6), so that text order is numeric order within a subnet; COLLATE "C"
-- makes that byte order whatever the database's default collation is
-- (SQLite's twin gets it from the BINARY default). first_ip and last_ip
-- are both inclusive. generation is bumped by every writer of the subnet:
-- the row lock it takes on PostgreSQL is what serializes them.
CREATE TABLE network_ipam_subnets (
    subnet_id  TEXT PRIMARY KEY,
    cidr       TEXT NOT NULL,
    generation BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE network_ipam_pools (
    subnet_id TEXT NOT NULL REFERENCES network_ipam_subnets (subnet_id) ON DELETE CASCADE,
    first_ip  TEXT COLLATE "C" NOT NULL,
    last_ip   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (subnet_id, first_ip)
);

CREATE TABLE network_ipam_ranges (
    subnet_id TEXT NOT NULL REFERENCES network_ipam_subnets (subnet_id) ON DELETE CASCADE,
    first_ip  TEXT COLLATE "C" NOT NULL,
    last_ip   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (subnet_id, first_ip)
);

-- The primary key is the final guard against handing out one address
-- twice, whatever the free ranges say.
CREATE TABLE network_ipam_allocations (
    subnet_id TEXT NOT NULL REFERENCES network_ipam_subnets (subnet_id) ON DELETE CASCADE,
    address   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (subnet_id, address)
);

-- +goose Down
DROP TABLE network_ipam_allocations;
DROP TABLE network_ipam_ranges;
DROP TABLE network_ipam_pools;
DROP TABLE network_ipam_subnets;
