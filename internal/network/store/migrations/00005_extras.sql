-- +goose Up
-- The smaller extensions: agents, metering labels and rules, RBAC
-- policies.

-- One row per agent process kind on a host: an agent's reports find its
-- row by (agent_type, host), so a restarted agent keeps its id.
CREATE TABLE agents (
    id                TEXT PRIMARY KEY,
    agent_type        TEXT NOT NULL,
    binary_name       TEXT NOT NULL,
    topic             TEXT NOT NULL DEFAULT '',
    host              TEXT NOT NULL,
    admin_state_up    BOOLEAN NOT NULL,
    availability_zone TEXT,
    description       TEXT NOT NULL DEFAULT '',
    configurations    TEXT NOT NULL DEFAULT '{}',
    created_at        TIMESTAMP NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    heartbeat_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX agents_type_host ON agents (agent_type, host);

CREATE TABLE metering_labels (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    shared          BOOLEAN NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX metering_labels_project ON metering_labels (project_id);

CREATE TABLE metering_label_rules (
    id                    TEXT PRIMARY KEY,
    metering_label_id     TEXT NOT NULL REFERENCES metering_labels (id) ON DELETE CASCADE,
    direction             TEXT NOT NULL,
    remote_ip_prefix      TEXT,
    source_ip_prefix      TEXT,
    destination_ip_prefix TEXT,
    excluded              BOOLEAN NOT NULL
);
CREATE INDEX metering_label_rules_label ON metering_label_rules (metering_label_id);

-- RBAC policies carry the standard columns every resource table has, so
-- that counting and tagging treat them alike. The unique index is what
-- refuses a duplicate policy (DuplicateRbacPolicy) under concurrency.
CREATE TABLE rbac_policies (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    object_type     TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    action          TEXT NOT NULL,
    target_tenant   TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX rbac_policies_grant ON rbac_policies (object_type, object_id, action, target_tenant);
CREATE INDEX rbac_policies_target ON rbac_policies (target_tenant, object_type);
CREATE INDEX rbac_policies_project ON rbac_policies (project_id);

-- +goose Down
DROP TABLE rbac_policies;
DROP TABLE metering_label_rules;
DROP TABLE metering_labels;
DROP TABLE agents;
