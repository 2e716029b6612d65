-- +goose Up
-- Core identity tables, shared by every part of the identity service.
-- Domains are rows of identity_projects with is_domain = TRUE and
-- domain_id = '<<keystone.domain.root>>', as in Keystone.
CREATE TABLE identity_projects (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,            -- lower(name), for case-insensitive uniqueness
    description TEXT NOT NULL DEFAULT '',
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    is_domain   BOOLEAN NOT NULL DEFAULT FALSE,
    domain_id   TEXT NOT NULL,
    parent_id   TEXT REFERENCES identity_projects (id),
    options     JSONB NOT NULL DEFAULT '{}',
    extra       JSONB NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX identity_projects_name ON identity_projects (domain_id, name_key);
CREATE INDEX identity_projects_parent ON identity_projects (parent_id);

CREATE TABLE identity_project_tags (
    project_id TEXT NOT NULL REFERENCES identity_projects (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    PRIMARY KEY (project_id, name)
);

CREATE TABLE identity_users (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    name_key            TEXT NOT NULL,
    domain_id           TEXT NOT NULL REFERENCES identity_projects (id),
    enabled             BOOLEAN NOT NULL DEFAULT TRUE,
    default_project_id  TEXT NOT NULL DEFAULT '',
    description         TEXT NOT NULL DEFAULT '',
    options             JSONB NOT NULL DEFAULT '{}',
    extra               JSONB NOT NULL DEFAULT '{}',
    password_hash       TEXT NOT NULL DEFAULT '',
    password_created_at TIMESTAMP,
    password_expires_at TIMESTAMP,
    failed_auth_count   INTEGER NOT NULL DEFAULT 0,
    failed_auth_at      TIMESTAMP,
    last_active_at      TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX identity_users_name ON identity_users (domain_id, name_key);

-- Old password hashes, newest first by created_at, for the
-- unique_last_password_count rule.
CREATE TABLE identity_password_history (
    user_id       TEXT NOT NULL REFERENCES identity_users (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX identity_password_history_user ON identity_password_history (user_id, created_at);

CREATE TABLE identity_groups (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    domain_id   TEXT NOT NULL REFERENCES identity_projects (id),
    description TEXT NOT NULL DEFAULT '',
    extra       JSONB NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX identity_groups_name ON identity_groups (domain_id, name_key);

CREATE TABLE identity_group_members (
    group_id TEXT NOT NULL REFERENCES identity_groups (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES identity_users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX identity_group_members_user ON identity_group_members (user_id);

-- Roles: domain_id '' for global roles.
CREATE TABLE identity_roles (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    domain_id   TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    options     JSONB NOT NULL DEFAULT '{}',
    extra       JSONB NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX identity_roles_name ON identity_roles (domain_id, name_key);

CREATE TABLE identity_implied_roles (
    prior_role_id   TEXT NOT NULL REFERENCES identity_roles (id) ON DELETE CASCADE,
    implied_role_id TEXT NOT NULL REFERENCES identity_roles (id) ON DELETE CASCADE,
    PRIMARY KEY (prior_role_id, implied_role_id)
);

-- Role assignments. type is one of UserProject, GroupProject, UserDomain,
-- GroupDomain, UserSystem, GroupSystem; target_id is 'system' for the system.
-- Rows naming a deleted actor or target are removed in the same transaction
-- as the deletion.
CREATE TABLE identity_assignments (
    type      TEXT NOT NULL,
    actor_id  TEXT NOT NULL,
    target_id TEXT NOT NULL,
    role_id   TEXT NOT NULL REFERENCES identity_roles (id) ON DELETE CASCADE,
    inherited BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (type, actor_id, target_id, role_id, inherited)
);
CREATE INDEX identity_assignments_actor ON identity_assignments (actor_id);
CREATE INDEX identity_assignments_target ON identity_assignments (target_id);

CREATE TABLE identity_regions (
    id               TEXT PRIMARY KEY,
    description      TEXT NOT NULL DEFAULT '',
    parent_region_id TEXT NOT NULL DEFAULT '',
    extra            JSONB NOT NULL DEFAULT '{}'
);

CREATE TABLE identity_services (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    extra       JSONB NOT NULL DEFAULT '{}'
);

CREATE TABLE identity_endpoints (
    id         TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES identity_services (id) ON DELETE CASCADE,
    interface  TEXT NOT NULL,
    region_id  TEXT NOT NULL DEFAULT '',
    url        TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    extra      JSONB NOT NULL DEFAULT '{}'
);

CREATE TABLE identity_revocation_events (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL DEFAULT '',
    project_id     TEXT NOT NULL DEFAULT '',
    domain_id      TEXT NOT NULL DEFAULT '',
    role_id        TEXT NOT NULL DEFAULT '',
    trust_id       TEXT NOT NULL DEFAULT '',
    consumer_id    TEXT NOT NULL DEFAULT '',
    audit_id       TEXT NOT NULL DEFAULT '',
    audit_chain_id TEXT NOT NULL DEFAULT '',
    expires_at     TIMESTAMP,
    issued_before  TIMESTAMP NOT NULL,
    revoked_at     TIMESTAMP NOT NULL
);
CREATE INDEX identity_revocation_events_revoked ON identity_revocation_events (revoked_at);

-- +goose Down
DROP TABLE identity_revocation_events;
DROP TABLE identity_endpoints;
DROP TABLE identity_services;
DROP TABLE identity_regions;
DROP TABLE identity_assignments;
DROP TABLE identity_implied_roles;
DROP TABLE identity_roles;
DROP TABLE identity_group_members;
DROP TABLE identity_groups;
DROP TABLE identity_password_history;
DROP TABLE identity_users;
DROP TABLE identity_project_tags;
DROP TABLE identity_projects;
