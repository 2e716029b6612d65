-- +goose Up
-- Compute servers and hosts: instances (soft-deleted, as Nova keeps
-- them), their actions and events, migrations, compute services and
-- nodes, and host aggregates.
--
-- Integer ids (seq, id) are assigned by the store as MAX + 1 inside the
-- inserting transaction: one DDL for both engines, where SQLite's rowid
-- alias and PostgreSQL's identity columns are spelled differently. A
-- concurrent insert on PostgreSQL that takes the same id fails on the
-- unique key and the store runs its transaction again.
--
-- version columns count writes: read-modify-write updates are
-- compare-and-swap on them, which is how PostgreSQL's READ COMMITTED
-- writers avoid lost updates without SELECT ... FOR UPDATE.
--
-- Nested values (flavors, metadata, tags, block devices, networks,
-- hints, fault, certificates, security groups) are JSON text.
CREATE TABLE compute_instances (
    uuid                TEXT PRIMARY KEY,
    seq                 BIGINT NOT NULL UNIQUE,
    version             BIGINT NOT NULL,
    display_name        TEXT NOT NULL,
    hostname            TEXT NOT NULL,
    display_description TEXT,
    project_id          TEXT NOT NULL,
    user_id             TEXT NOT NULL,
    image_ref           TEXT NOT NULL,
    flavor_id           TEXT NOT NULL,
    vcpus               BIGINT NOT NULL,
    memory_mb           BIGINT NOT NULL,
    flavor              TEXT NOT NULL,
    old_flavor          TEXT,
    new_flavor          TEXT,
    key_name            TEXT NOT NULL,
    key_data            TEXT NOT NULL,
    user_data           TEXT NOT NULL,
    config_drive        BOOLEAN NOT NULL,
    metadata            TEXT NOT NULL,
    tags                TEXT NOT NULL,
    availability_zone   TEXT NOT NULL,
    host                TEXT NOT NULL,
    node                TEXT NOT NULL,
    requested_host      TEXT NOT NULL,
    requested_node      TEXT NOT NULL,
    launch_index        BIGINT NOT NULL,
    reservation_id      TEXT NOT NULL,
    vm_state            TEXT NOT NULL,
    task_state          TEXT NOT NULL,
    power_state         BIGINT NOT NULL,
    progress            BIGINT NOT NULL,
    locked              BOOLEAN NOT NULL,
    locked_by           TEXT NOT NULL,
    locked_reason       TEXT NOT NULL,
    access_ip_v4        TEXT NOT NULL,
    access_ip_v6        TEXT NOT NULL,
    scheduler_hints     TEXT NOT NULL,
    server_group        TEXT NOT NULL,
    kernel_id           TEXT NOT NULL,
    ramdisk_id          TEXT NOT NULL,
    root_device_name    TEXT NOT NULL,
    block_devices       TEXT NOT NULL,
    networks            TEXT NOT NULL,
    trusted_certs       TEXT NOT NULL,
    security_groups     TEXT NOT NULL,
    fault               TEXT,
    launched_at         TIMESTAMP,
    terminated_at       TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    deleted             BOOLEAN NOT NULL,
    deleted_at          TIMESTAMP
);
CREATE INDEX compute_instances_created ON compute_instances (created_at, seq);
CREATE INDEX compute_instances_updated ON compute_instances (updated_at);
CREATE INDEX compute_instances_project ON compute_instances (project_id, created_at, seq);
CREATE INDEX compute_instances_user ON compute_instances (user_id);
CREATE INDEX compute_instances_host ON compute_instances (host, node);
CREATE INDEX compute_instances_reservation ON compute_instances (reservation_id);
CREATE INDEX compute_instances_name ON compute_instances (display_name);

-- One row per project that creates instances: CreateInstances bumps it
-- first, which on PostgreSQL holds the row's lock until commit, so that
-- two creates in one project count usage and insert one after the other
-- (SQLite's single writer already does).
CREATE TABLE compute_instance_locks (
    project_id TEXT PRIMARY KEY,
    writes     BIGINT NOT NULL
);

-- Tags are also in compute_instances.tags (what is read); this table is
-- what the tag filters query. Both are written in the same transaction.
CREATE TABLE compute_instance_tags (
    instance_id TEXT NOT NULL REFERENCES compute_instances (uuid) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (instance_id, tag)
);
CREATE INDEX compute_instance_tags_tag ON compute_instance_tags (tag);

CREATE TABLE compute_instance_actions (
    seq         BIGINT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    action      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    project_id  TEXT NOT NULL,
    message     TEXT NOT NULL,
    start_time  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (instance_id, request_id)
);

CREATE TABLE compute_instance_action_events (
    action_seq  BIGINT NOT NULL REFERENCES compute_instance_actions (seq) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    event       TEXT NOT NULL,
    start_time  TIMESTAMP NOT NULL,
    finish_time TIMESTAMP,
    result      TEXT NOT NULL,
    traceback   TEXT NOT NULL,
    host        TEXT NOT NULL,
    host_id     TEXT NOT NULL,
    details     TEXT NOT NULL,
    PRIMARY KEY (action_seq, position)
);

CREATE TABLE compute_migrations (
    id              BIGINT PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    version         BIGINT NOT NULL,
    instance_id     TEXT NOT NULL,
    migration_type  TEXT NOT NULL,
    status          TEXT NOT NULL,
    source_compute  TEXT NOT NULL,
    source_node     TEXT NOT NULL,
    dest_compute    TEXT NOT NULL,
    dest_node       TEXT NOT NULL,
    dest_host       TEXT NOT NULL,
    old_flavor_id   TEXT NOT NULL,
    new_flavor_id   TEXT NOT NULL,
    project_id      TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    memory_total    BIGINT NOT NULL,
    memory_remain   BIGINT NOT NULL,
    memory_proc     BIGINT NOT NULL,
    disk_total      BIGINT NOT NULL,
    disk_remain     BIGINT NOT NULL,
    disk_proc       BIGINT NOT NULL,
    cross_cell_move BOOLEAN NOT NULL,
    driver_data     TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX compute_migrations_instance ON compute_migrations (instance_id);
CREATE INDEX compute_migrations_created ON compute_migrations (created_at, id);

CREATE TABLE compute_services (
    id              BIGINT PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    version         BIGINT NOT NULL,
    host            TEXT NOT NULL,
    binary_name     TEXT NOT NULL,
    zone            TEXT NOT NULL,
    disabled        BOOLEAN NOT NULL,
    disabled_reason TEXT NOT NULL,
    forced_down     BOOLEAN NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (host, binary_name)
);

CREATE TABLE compute_nodes (
    id                    BIGINT PRIMARY KEY,
    uuid                  TEXT NOT NULL UNIQUE,
    host                  TEXT NOT NULL,
    hypervisor_hostname   TEXT NOT NULL,
    hypervisor_type       TEXT NOT NULL,
    hypervisor_version    BIGINT NOT NULL,
    host_ip               TEXT NOT NULL,
    vcpus                 BIGINT NOT NULL,
    vcpus_used            BIGINT NOT NULL,
    memory_mb             BIGINT NOT NULL,
    memory_mb_used        BIGINT NOT NULL,
    local_gb              BIGINT NOT NULL,
    local_gb_used         BIGINT NOT NULL,
    running_vms           BIGINT NOT NULL,
    cpu_info              TEXT NOT NULL,
    cpu_allocation_ratio  DOUBLE PRECISION NOT NULL,
    ram_allocation_ratio  DOUBLE PRECISION NOT NULL,
    disk_allocation_ratio DOUBLE PRECISION NOT NULL,
    started_at            TIMESTAMP NOT NULL,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE INDEX compute_nodes_host ON compute_nodes (host);

CREATE TABLE compute_aggregates (
    id         BIGINT PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL UNIQUE,
    version    BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP
);

CREATE TABLE compute_aggregate_hosts (
    aggregate_id BIGINT NOT NULL REFERENCES compute_aggregates (id) ON DELETE CASCADE,
    host         TEXT NOT NULL,
    position     BIGINT NOT NULL,
    PRIMARY KEY (aggregate_id, host)
);
CREATE INDEX compute_aggregate_hosts_host ON compute_aggregate_hosts (host);

CREATE TABLE compute_aggregate_metadata (
    aggregate_id BIGINT NOT NULL REFERENCES compute_aggregates (id) ON DELETE CASCADE,
    meta_key     TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (aggregate_id, meta_key)
);

CREATE INDEX compute_server_group_members_instance ON compute_server_group_members (instance_id);

-- +goose Down
DROP INDEX compute_server_group_members_instance;
DROP TABLE compute_aggregate_metadata;
DROP TABLE compute_aggregate_hosts;
DROP TABLE compute_aggregates;
DROP TABLE compute_nodes;
DROP TABLE compute_services;
DROP TABLE compute_migrations;
DROP TABLE compute_instance_action_events;
DROP TABLE compute_instance_actions;
DROP TABLE compute_instance_tags;
DROP TABLE compute_instance_locks;
DROP TABLE compute_instances;
