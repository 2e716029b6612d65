-- +goose Up
-- Application credentials, their access rules, and trusts. Roles and
-- assignments live in the core schema.
CREATE TABLE identity_app_creds (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES identity_users (id) ON DELETE CASCADE,
    project_id   TEXT REFERENCES identity_projects (id) ON DELETE CASCADE,
    secret_hash  TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    unrestricted BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at   TIMESTAMP,
    created_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX identity_app_creds_name ON identity_app_creds (user_id, name);

CREATE TABLE identity_app_cred_roles (
    app_cred_id TEXT NOT NULL REFERENCES identity_app_creds (id) ON DELETE CASCADE,
    role_id     TEXT NOT NULL REFERENCES identity_roles (id) ON DELETE CASCADE,
    PRIMARY KEY (app_cred_id, role_id)
);

CREATE TABLE identity_access_rules (
    id      TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES identity_users (id) ON DELETE CASCADE,
    service TEXT NOT NULL,
    path    TEXT NOT NULL,
    method  TEXT NOT NULL
);
CREATE UNIQUE INDEX identity_access_rules_rule ON identity_access_rules (user_id, service, path, method);

-- An access rule in use by an application credential cannot be deleted.
CREATE TABLE identity_app_cred_access_rules (
    app_cred_id    TEXT NOT NULL REFERENCES identity_app_creds (id) ON DELETE CASCADE,
    access_rule_id TEXT NOT NULL REFERENCES identity_access_rules (id),
    PRIMARY KEY (app_cred_id, access_rule_id)
);
CREATE INDEX identity_app_cred_access_rules_rule ON identity_app_cred_access_rules (access_rule_id);

CREATE TABLE identity_trusts (
    id                   TEXT PRIMARY KEY,
    trustor_user_id      TEXT NOT NULL REFERENCES identity_users (id) ON DELETE CASCADE,
    trustee_user_id      TEXT NOT NULL REFERENCES identity_users (id) ON DELETE CASCADE,
    project_id           TEXT REFERENCES identity_projects (id) ON DELETE CASCADE,
    impersonation        BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at           TIMESTAMP,
    remaining_uses       INTEGER,
    allow_redelegation   BOOLEAN NOT NULL DEFAULT FALSE,
    redelegation_count   INTEGER NOT NULL DEFAULT 0,
    redelegated_trust_id TEXT NOT NULL DEFAULT '',
    extra                JSONB NOT NULL DEFAULT '{}',
    created_at           TIMESTAMP NOT NULL
);
CREATE INDEX identity_trusts_trustor ON identity_trusts (trustor_user_id);
CREATE INDEX identity_trusts_trustee ON identity_trusts (trustee_user_id);

CREATE TABLE identity_trust_roles (
    trust_id TEXT NOT NULL REFERENCES identity_trusts (id) ON DELETE CASCADE,
    role_id  TEXT NOT NULL REFERENCES identity_roles (id) ON DELETE CASCADE,
    PRIMARY KEY (trust_id, role_id)
);

-- +goose Down
DROP TABLE identity_trust_roles;
DROP TABLE identity_trusts;
DROP TABLE identity_app_cred_access_rules;
DROP TABLE identity_access_rules;
DROP TABLE identity_app_cred_roles;
DROP TABLE identity_app_creds;
