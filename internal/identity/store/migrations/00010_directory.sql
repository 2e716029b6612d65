-- +goose Up
-- The directory's own tables beyond the core schema: domain-specific
-- configuration, credentials, the policy blob API, OAuth1 consumers,
-- endpoint filtering (OS-EP-FILTER) and unified limits.

-- One row per (domain, group, option); value is JSON text so that
-- integers and strings come back as they were given.
CREATE TABLE identity_domain_configs (
    domain_id TEXT NOT NULL REFERENCES identity_projects (id) ON DELETE CASCADE,
    grp       TEXT NOT NULL,
    opt       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (domain_id, grp, opt)
);

CREATE TABLE identity_credentials (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    project_id TEXT NOT NULL DEFAULT '',
    type       TEXT NOT NULL,
    blob       TEXT NOT NULL,
    extra      JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX identity_credentials_user ON identity_credentials (user_id);

CREATE TABLE identity_policies (
    id    TEXT PRIMARY KEY,
    type  TEXT NOT NULL,
    blob  TEXT NOT NULL,
    extra JSONB NOT NULL DEFAULT '{}'
);

CREATE TABLE identity_consumers (
    id          TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    secret      TEXT NOT NULL,
    extra       JSONB NOT NULL DEFAULT '{}'
);

CREATE TABLE identity_endpoint_groups (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    filters     TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE identity_project_endpoints (
    project_id  TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    PRIMARY KEY (project_id, endpoint_id)
);
CREATE INDEX identity_project_endpoints_endpoint ON identity_project_endpoints (endpoint_id);

CREATE TABLE identity_endpoint_group_projects (
    endpoint_group_id TEXT NOT NULL REFERENCES identity_endpoint_groups (id) ON DELETE CASCADE,
    project_id        TEXT NOT NULL,
    PRIMARY KEY (endpoint_group_id, project_id)
);
CREATE INDEX identity_endpoint_group_projects_project ON identity_endpoint_group_projects (project_id);

CREATE TABLE identity_registered_limits (
    id            TEXT PRIMARY KEY,
    service_id    TEXT NOT NULL,
    region_id     TEXT NOT NULL DEFAULT '',
    resource_name TEXT NOT NULL,
    default_limit BIGINT NOT NULL,
    description   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX identity_registered_limits_key ON identity_registered_limits (service_id, region_id, resource_name);

-- A limit is on a project (project_id set) or a domain (domain_id set).
CREATE TABLE identity_limits (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL DEFAULT '',
    domain_id      TEXT NOT NULL DEFAULT '',
    service_id     TEXT NOT NULL,
    region_id      TEXT NOT NULL DEFAULT '',
    resource_name  TEXT NOT NULL,
    resource_limit BIGINT NOT NULL,
    description    TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX identity_limits_key ON identity_limits (project_id, domain_id, service_id, region_id, resource_name);

-- OS-ENDPOINT-POLICY associations: exactly one of endpoint_id,
-- (service_id), (service_id, region_id) is the target.
CREATE TABLE identity_endpoint_policies (
    policy_id   TEXT NOT NULL REFERENCES identity_policies (id) ON DELETE CASCADE,
    endpoint_id TEXT NOT NULL DEFAULT '',
    service_id  TEXT NOT NULL DEFAULT '',
    region_id   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (policy_id, endpoint_id, service_id, region_id)
);

-- +goose Down
DROP TABLE identity_endpoint_policies;
DROP TABLE identity_limits;
DROP TABLE identity_registered_limits;
DROP TABLE identity_endpoint_group_projects;
DROP TABLE identity_project_endpoints;
DROP TABLE identity_endpoint_groups;
DROP TABLE identity_consumers;
DROP TABLE identity_policies;
DROP TABLE identity_credentials;
DROP TABLE identity_domain_configs;
