-- +goose Up
-- Integer ids (instance and action seq, keypair, migration, service, node
-- and aggregate ids) come from the engine: an INSERT leaves the column
-- out and reads it back with RETURNING. They used to be taken as MAX + 1
-- inside the inserting transaction. On SQLite the column must be the
-- table's INTEGER PRIMARY KEY (AUTOINCREMENT, so that an id is never
-- given twice, as PostgreSQL's sequences never do), which needs each
-- table rebuilt: a new table, the rows copied with their ids (which
-- starts the table's sequence past them), the old one dropped, the new
-- one renamed, its indexes made again. Dropping a table that others
-- reference would delete their rows (ON DELETE CASCADE), so those
-- (tags, action events, aggregate hosts and metadata) are copied aside
-- and rebuilt after their parent. PostgreSQL's twin of this migration
-- adds identity columns instead.

CREATE TABLE compute_keypairs_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (user_id, name)
);
INSERT INTO compute_keypairs_new (id, user_id, name, type, public_key, fingerprint, created_at)
    SELECT id, user_id, name, type, public_key, fingerprint, created_at FROM compute_keypairs;
DROP TABLE compute_keypairs;
ALTER TABLE compute_keypairs_new RENAME TO compute_keypairs;

CREATE TABLE compute_instances_new (
    uuid                TEXT NOT NULL UNIQUE,
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
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
    deleted_at          TIMESTAMP,
    disk_config         TEXT NOT NULL DEFAULT 'MANUAL',
    system_metadata     TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO compute_instances_new (uuid, seq, version, display_name, hostname, display_description, project_id, user_id,
    image_ref, flavor_id, vcpus, memory_mb, flavor, old_flavor, new_flavor, key_name, key_data, user_data,
    config_drive, metadata, tags, availability_zone, host, node, requested_host, requested_node,
    launch_index, reservation_id, vm_state, task_state, power_state, progress, locked, locked_by,
    locked_reason, access_ip_v4, access_ip_v6, scheduler_hints, server_group, kernel_id, ramdisk_id,
    root_device_name, block_devices, networks, trusted_certs, security_groups, fault, launched_at,
    terminated_at, created_at, updated_at, deleted, deleted_at, disk_config, system_metadata)
    SELECT uuid, seq, version, display_name, hostname, display_description, project_id, user_id,
    image_ref, flavor_id, vcpus, memory_mb, flavor, old_flavor, new_flavor, key_name, key_data, user_data,
    config_drive, metadata, tags, availability_zone, host, node, requested_host, requested_node,
    launch_index, reservation_id, vm_state, task_state, power_state, progress, locked, locked_by,
    locked_reason, access_ip_v4, access_ip_v6, scheduler_hints, server_group, kernel_id, ramdisk_id,
    root_device_name, block_devices, networks, trusted_certs, security_groups, fault, launched_at,
    terminated_at, created_at, updated_at, deleted, deleted_at, disk_config, system_metadata FROM compute_instances;
CREATE TABLE compute_instance_tags_copy AS SELECT instance_id, tag FROM compute_instance_tags;
DROP TABLE compute_instance_tags;
DROP TABLE compute_instances;
ALTER TABLE compute_instances_new RENAME TO compute_instances;
CREATE INDEX compute_instances_created ON compute_instances (created_at, seq);
CREATE INDEX compute_instances_updated ON compute_instances (updated_at);
CREATE INDEX compute_instances_project ON compute_instances (project_id, created_at, seq);
CREATE INDEX compute_instances_user ON compute_instances (user_id);
CREATE INDEX compute_instances_host ON compute_instances (host, node);
CREATE INDEX compute_instances_reservation ON compute_instances (reservation_id);
CREATE INDEX compute_instances_name ON compute_instances (display_name);
CREATE TABLE compute_instance_tags (
    instance_id TEXT NOT NULL REFERENCES compute_instances (uuid) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (instance_id, tag)
);
CREATE INDEX compute_instance_tags_tag ON compute_instance_tags (tag);
INSERT INTO compute_instance_tags (instance_id, tag) SELECT instance_id, tag FROM compute_instance_tags_copy;
DROP TABLE compute_instance_tags_copy;

CREATE TABLE compute_instance_actions_new (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO compute_instance_actions_new (seq, instance_id, request_id, action, user_id, project_id, message, start_time, updated_at)
    SELECT seq, instance_id, request_id, action, user_id, project_id, message, start_time, updated_at FROM compute_instance_actions;
CREATE TABLE compute_instance_action_events_copy AS SELECT action_seq, position, event, start_time, finish_time, result, traceback, host, host_id, details FROM compute_instance_action_events;
DROP TABLE compute_instance_action_events;
DROP TABLE compute_instance_actions;
ALTER TABLE compute_instance_actions_new RENAME TO compute_instance_actions;
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
INSERT INTO compute_instance_action_events (action_seq, position, event, start_time, finish_time, result, traceback, host, host_id, details)
    SELECT action_seq, position, event, start_time, finish_time, result, traceback, host, host_id, details FROM compute_instance_action_events_copy;
DROP TABLE compute_instance_action_events_copy;

CREATE TABLE compute_migrations_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO compute_migrations_new (id, uuid, version, instance_id, migration_type, status, source_compute, source_node, dest_compute, dest_node, dest_host, old_flavor_id, new_flavor_id, project_id, user_id, memory_total, memory_remain, memory_proc, disk_total, disk_remain, disk_proc, cross_cell_move, driver_data, created_at, updated_at)
    SELECT id, uuid, version, instance_id, migration_type, status, source_compute, source_node, dest_compute, dest_node, dest_host, old_flavor_id, new_flavor_id, project_id, user_id, memory_total, memory_remain, memory_proc, disk_total, disk_remain, disk_proc, cross_cell_move, driver_data, created_at, updated_at FROM compute_migrations;
DROP TABLE compute_migrations;
ALTER TABLE compute_migrations_new RENAME TO compute_migrations;
CREATE INDEX compute_migrations_instance ON compute_migrations (instance_id);
CREATE INDEX compute_migrations_created ON compute_migrations (created_at, id);

CREATE TABLE compute_services_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO compute_services_new (id, uuid, version, host, binary_name, zone, disabled, disabled_reason, forced_down, created_at, updated_at)
    SELECT id, uuid, version, host, binary_name, zone, disabled, disabled_reason, forced_down, created_at, updated_at FROM compute_services;
DROP TABLE compute_services;
ALTER TABLE compute_services_new RENAME TO compute_services;

CREATE TABLE compute_nodes_new (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO compute_nodes_new (id, uuid, host, hypervisor_hostname, hypervisor_type, hypervisor_version, host_ip, vcpus, vcpus_used, memory_mb, memory_mb_used, local_gb, local_gb_used, running_vms, cpu_info, cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, started_at, created_at, updated_at)
    SELECT id, uuid, host, hypervisor_hostname, hypervisor_type, hypervisor_version, host_ip, vcpus, vcpus_used, memory_mb, memory_mb_used, local_gb, local_gb_used, running_vms, cpu_info, cpu_allocation_ratio, ram_allocation_ratio, disk_allocation_ratio, started_at, created_at, updated_at FROM compute_nodes;
DROP TABLE compute_nodes;
ALTER TABLE compute_nodes_new RENAME TO compute_nodes;
CREATE INDEX compute_nodes_host ON compute_nodes (host);

CREATE TABLE compute_aggregates_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL UNIQUE,
    version    BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP
);
INSERT INTO compute_aggregates_new (id, uuid, name, version, created_at, updated_at)
    SELECT id, uuid, name, version, created_at, updated_at FROM compute_aggregates;
CREATE TABLE compute_aggregate_hosts_copy AS SELECT aggregate_id, host, position FROM compute_aggregate_hosts;
CREATE TABLE compute_aggregate_metadata_copy AS SELECT aggregate_id, meta_key, value FROM compute_aggregate_metadata;
DROP TABLE compute_aggregate_hosts;
DROP TABLE compute_aggregate_metadata;
DROP TABLE compute_aggregates;
ALTER TABLE compute_aggregates_new RENAME TO compute_aggregates;
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
INSERT INTO compute_aggregate_hosts (aggregate_id, host, position) SELECT aggregate_id, host, position FROM compute_aggregate_hosts_copy;
INSERT INTO compute_aggregate_metadata (aggregate_id, meta_key, value) SELECT aggregate_id, meta_key, value FROM compute_aggregate_metadata_copy;
DROP TABLE compute_aggregate_hosts_copy;
DROP TABLE compute_aggregate_metadata_copy;

-- +goose Down
-- Nothing to undo: the rebuilt tables hold the same columns and rows,
-- and code that gives ids itself (MAX + 1) writes them as before.
