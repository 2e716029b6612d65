-- +goose Up
-- Networks, their segments, subnets, ports and addresses: the core of
-- Neutron's model. Lists of values that are only ever read and written
-- whole (DNS servers, host routes, binding profiles) are JSON text.
CREATE TABLE networks (
    id                    TEXT PRIMARY KEY,
    project_id            TEXT NOT NULL,
    name                  TEXT NOT NULL DEFAULT '',
    description           TEXT NOT NULL DEFAULT '',
    admin_state_up        BOOLEAN NOT NULL,
    status                TEXT NOT NULL,
    shared                BOOLEAN NOT NULL,
    external              BOOLEAN NOT NULL,
    is_default            BOOLEAN NOT NULL DEFAULT FALSE,
    mtu                   INTEGER NOT NULL,
    port_security_enabled BOOLEAN NOT NULL,
    network_type          TEXT NOT NULL,
    physical_network      TEXT,
    segmentation_id       BIGINT,
    dns_domain            TEXT NOT NULL DEFAULT '',
    az_hints              TEXT NOT NULL DEFAULT '[]',
    qos_policy_id         TEXT,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    revision_number       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX networks_project ON networks (project_id);

-- One row per segmentation id in use: the primary key is what stops two
-- networks from getting the same VLAN or VNI under concurrency.
CREATE TABLE segment_allocations (
    network_type     TEXT NOT NULL,
    physical_network TEXT NOT NULL,
    segmentation_id  BIGINT NOT NULL,
    network_id       TEXT NOT NULL,
    PRIMARY KEY (network_type, physical_network, segmentation_id)
);

CREATE TABLE subnetpools (
    id                TEXT PRIMARY KEY,
    project_id        TEXT NOT NULL,
    name              TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    ip_version        INTEGER NOT NULL,
    prefixes          TEXT NOT NULL DEFAULT '[]',
    default_prefixlen INTEGER NOT NULL,
    min_prefixlen     INTEGER NOT NULL,
    max_prefixlen     INTEGER NOT NULL,
    default_quota     INTEGER,
    shared            BOOLEAN NOT NULL,
    is_default        BOOLEAN NOT NULL,
    address_scope_id  TEXT,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    revision_number   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE subnets (
    id                TEXT PRIMARY KEY,
    project_id        TEXT NOT NULL,
    network_id        TEXT NOT NULL REFERENCES networks (id),
    name              TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    ip_version        INTEGER NOT NULL,
    cidr              TEXT NOT NULL,
    gateway_ip        TEXT,
    enable_dhcp       BOOLEAN NOT NULL,
    ipv6_ra_mode      TEXT,
    ipv6_address_mode TEXT,
    allocation_pools  TEXT NOT NULL DEFAULT '[]',
    dns_nameservers   TEXT NOT NULL DEFAULT '[]',
    host_routes       TEXT NOT NULL DEFAULT '[]',
    service_types     TEXT NOT NULL DEFAULT '[]',
    subnetpool_id     TEXT REFERENCES subnetpools (id),
    segment_id        TEXT,
    dns_publish_fixed_ip BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    revision_number   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX subnets_network ON subnets (network_id);
CREATE INDEX subnets_project ON subnets (project_id);

CREATE TABLE ports (
    id                    TEXT PRIMARY KEY,
    project_id            TEXT NOT NULL,
    network_id            TEXT NOT NULL REFERENCES networks (id),
    name                  TEXT NOT NULL DEFAULT '',
    description           TEXT NOT NULL DEFAULT '',
    mac_address           TEXT NOT NULL,
    admin_state_up        BOOLEAN NOT NULL,
    status                TEXT NOT NULL,
    device_id             TEXT NOT NULL DEFAULT '',
    device_owner          TEXT NOT NULL DEFAULT '',
    port_security_enabled BOOLEAN NOT NULL,
    binding_host_id       TEXT NOT NULL DEFAULT '',
    binding_vnic_type     TEXT NOT NULL DEFAULT 'normal',
    binding_vif_type      TEXT NOT NULL DEFAULT 'unbound',
    binding_vif_details   TEXT NOT NULL DEFAULT '{}',
    binding_profile       TEXT NOT NULL DEFAULT '{}',
    allowed_address_pairs TEXT NOT NULL DEFAULT '[]',
    extra_dhcp_opts       TEXT NOT NULL DEFAULT '[]',
    dns_name              TEXT NOT NULL DEFAULT '',
    qos_policy_id         TEXT,
    propagate_uplink_status BOOLEAN NOT NULL DEFAULT FALSE,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    revision_number       BIGINT NOT NULL DEFAULT 0
);
-- A MAC address is unique on its network (Neutron's MacAddressInUse).
CREATE UNIQUE INDEX ports_mac ON ports (network_id, mac_address);
CREATE INDEX ports_project ON ports (project_id);
CREATE INDEX ports_device ON ports (device_id);

-- The addresses of a port; ipam holds the subnet's allocations.
CREATE TABLE port_ips (
    port_id    TEXT NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    subnet_id  TEXT NOT NULL REFERENCES subnets (id),
    ip_address TEXT NOT NULL,
    PRIMARY KEY (port_id, subnet_id, ip_address)
);
CREATE UNIQUE INDEX port_ips_address ON port_ips (subnet_id, ip_address);

-- The security groups of a port.
CREATE TABLE port_security_groups (
    port_id           TEXT NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    security_group_id TEXT NOT NULL,
    PRIMARY KEY (port_id, security_group_id)
);
CREATE INDEX port_security_groups_group ON port_security_groups (security_group_id);

-- Tags of every resource kind ("networks", "ports", ...).
CREATE TABLE tags (
    kind        TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    tag         TEXT NOT NULL,
    PRIMARY KEY (kind, resource_id, tag)
);

-- +goose Down
DROP TABLE tags;
DROP TABLE port_security_groups;
DROP TABLE port_ips;
DROP TABLE ports;
DROP TABLE subnets;
DROP TABLE subnetpools;
DROP TABLE segment_allocations;
DROP TABLE networks;
