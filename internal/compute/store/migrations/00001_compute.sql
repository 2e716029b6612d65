-- +goose Up
-- Compute: flavors with extra specs and access lists, keypairs, server
-- groups, and the per-user and per-class quota limits that the shared
-- quota tables do not hold.
CREATE TABLE compute_flavors (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    memory_mb   BIGINT NOT NULL,
    vcpus       BIGINT NOT NULL,
    root_gb     BIGINT NOT NULL,
    ephemeral_gb BIGINT NOT NULL,
    swap        BIGINT NOT NULL,
    rxtx_factor DOUBLE PRECISION NOT NULL,
    is_public   BOOLEAN NOT NULL,
    disabled    BOOLEAN NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE compute_flavor_extra_specs (
    flavor_id TEXT NOT NULL REFERENCES compute_flavors (id) ON DELETE CASCADE,
    spec_key  TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (flavor_id, spec_key)
);

CREATE TABLE compute_flavor_projects (
    flavor_id  TEXT NOT NULL REFERENCES compute_flavors (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    PRIMARY KEY (flavor_id, project_id)
);
CREATE INDEX compute_flavor_projects_project ON compute_flavor_projects (project_id);

CREATE TABLE compute_keypairs (
    id          BIGINT NOT NULL UNIQUE,
    user_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, name)
);

CREATE TABLE compute_server_groups (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    project_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    policy     TEXT NOT NULL,
    max_server_per_host BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX compute_server_groups_project ON compute_server_groups (project_id);

CREATE TABLE compute_server_group_members (
    group_id    TEXT NOT NULL REFERENCES compute_server_groups (id) ON DELETE CASCADE,
    instance_id TEXT NOT NULL,
    PRIMARY KEY (group_id, instance_id)
);

CREATE TABLE compute_user_quotas (
    project_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    resource   TEXT NOT NULL,
    hard_limit BIGINT NOT NULL,
    PRIMARY KEY (project_id, user_id, resource)
);

CREATE TABLE compute_class_quotas (
    class_name TEXT NOT NULL,
    resource   TEXT NOT NULL,
    hard_limit BIGINT NOT NULL,
    PRIMARY KEY (class_name, resource)
);

-- +goose Down
DROP TABLE compute_class_quotas;
DROP TABLE compute_user_quotas;
DROP TABLE compute_server_group_members;
DROP TABLE compute_server_groups;
DROP TABLE compute_keypairs;
DROP TABLE compute_flavor_projects;
DROP TABLE compute_flavor_extra_specs;
DROP TABLE compute_flavors;
