-- +goose Up
-- Volume types and what hangs off them: extra specs (one row a key),
-- the projects given access to a private type, the encryption of a type
-- (at most one), QoS specs (their keys are JSON text, read and written
-- whole), group types with their specs, and the default types (project
-- '' is the service-wide default, the type created at start).
CREATE TABLE volume_types (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    is_public    BOOLEAN NOT NULL DEFAULT TRUE,
    qos_specs_id TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX volume_types_qos ON volume_types (qos_specs_id);

CREATE TABLE volume_type_extra_specs (
    type_id  TEXT NOT NULL REFERENCES volume_types (id) ON DELETE CASCADE,
    spec_key TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (type_id, spec_key)
);

CREATE TABLE volume_type_projects (
    type_id    TEXT NOT NULL REFERENCES volume_types (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    PRIMARY KEY (type_id, project_id)
);

CREATE TABLE volume_type_encryption (
    type_id          TEXT PRIMARY KEY REFERENCES volume_types (id) ON DELETE CASCADE,
    id               TEXT NOT NULL UNIQUE,
    provider         TEXT NOT NULL,
    cipher           TEXT NOT NULL DEFAULT '',
    key_size         BIGINT,
    control_location TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

CREATE TABLE qos_specs (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    consumer   TEXT NOT NULL,
    specs      TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE group_types (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    is_public   BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE group_type_specs (
    group_type_id TEXT NOT NULL REFERENCES group_types (id) ON DELETE CASCADE,
    spec_key      TEXT NOT NULL,
    value         TEXT NOT NULL,
    PRIMARY KEY (group_type_id, spec_key)
);

CREATE TABLE default_types (
    project_id TEXT PRIMARY KEY,
    type_id    TEXT NOT NULL REFERENCES volume_types (id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE default_types;
DROP TABLE group_type_specs;
DROP TABLE group_types;
DROP TABLE qos_specs;
DROP TABLE volume_type_encryption;
DROP TABLE volume_type_projects;
DROP TABLE volume_type_extra_specs;
DROP TABLE volume_types;
