-- +goose Up
-- Routers, floating IPs and port forwardings: Neutron's L3. A router's
-- interfaces and its gateway are ports (device_id the router's id), so
-- the router row holds only what no port does. Extra routes are read and
-- written whole, so they are JSON text.
CREATE TABLE routers (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    admin_state_up  BOOLEAN NOT NULL,
    status          TEXT NOT NULL,
    gw_network_id   TEXT REFERENCES networks (id),
    gw_port_id      TEXT,
    enable_snat     BOOLEAN NOT NULL DEFAULT TRUE,
    distributed     BOOLEAN NOT NULL DEFAULT FALSE,
    ha              BOOLEAN NOT NULL DEFAULT FALSE,
    az_hints        TEXT NOT NULL DEFAULT '[]',
    routes          TEXT NOT NULL DEFAULT '[]',
    flavor_id       TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX routers_project ON routers (project_id);
CREATE INDEX routers_gw_network ON routers (gw_network_id);

-- A floating IP owns a port on its external network (floating_port_id)
-- and may be associated with a fixed address of another port, reached
-- through router_id. The unique index is what keeps two floating IPs of
-- one external network off the same fixed address under concurrency
-- (both engines let rows whose fixed_port_id is NULL repeat).
CREATE TABLE floatingips (
    id                  TEXT PRIMARY KEY,
    project_id          TEXT NOT NULL,
    name                TEXT NOT NULL DEFAULT '',
    description         TEXT NOT NULL DEFAULT '',
    floating_network_id TEXT NOT NULL REFERENCES networks (id),
    floating_subnet_id  TEXT NOT NULL,
    floating_ip_address TEXT NOT NULL,
    floating_port_id    TEXT NOT NULL,
    fixed_port_id       TEXT,
    fixed_ip_address    TEXT,
    router_id           TEXT REFERENCES routers (id),
    status              TEXT NOT NULL,
    dns_name            TEXT NOT NULL DEFAULT '',
    dns_domain          TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    revision_number     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX floatingips_project ON floatingips (project_id);
CREATE INDEX floatingips_router ON floatingips (router_id);
CREATE INDEX floatingips_network ON floatingips (floating_network_id);
CREATE UNIQUE INDEX floatingips_fixed ON floatingips (floating_network_id, fixed_port_id, fixed_ip_address);

-- Port forwardings of a floating IP. The two unique constraints are
-- Neutron's: one external port and protocol per floating IP, and one
-- internal socket and protocol per port.
CREATE TABLE port_forwardings (
    id                  TEXT PRIMARY KEY,
    floatingip_id       TEXT NOT NULL REFERENCES floatingips (id) ON DELETE CASCADE,
    protocol            TEXT NOT NULL,
    external_port       INTEGER NOT NULL,
    internal_port_id    TEXT NOT NULL,
    internal_ip_address TEXT NOT NULL,
    internal_port       INTEGER NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    UNIQUE (floatingip_id, protocol, external_port),
    UNIQUE (internal_port_id, protocol, internal_ip_address, internal_port)
);
CREATE INDEX port_forwardings_port ON port_forwardings (internal_port_id);

-- +goose Down
DROP TABLE port_forwardings;
DROP TABLE floatingips;
DROP TABLE routers;
