-- +goose Up
-- OS-FEDERATION: identity providers, their remote ids and protocols,
-- mappings, service providers, and the shadow users that federated
-- logins create (with the group memberships a mapping gave them).
CREATE TABLE identity_idps (
    id                TEXT PRIMARY KEY,
    domain_id         TEXT NOT NULL,
    description       TEXT,
    enabled           BOOLEAN NOT NULL DEFAULT FALSE,
    authorization_ttl INTEGER
);

-- A remote id names one identity provider only: the primary key makes a
-- second IdP claiming it a conflict.
CREATE TABLE identity_idp_remote_ids (
    remote_id TEXT PRIMARY KEY,
    idp_id    TEXT NOT NULL REFERENCES identity_idps (id) ON DELETE CASCADE
);
CREATE INDEX identity_idp_remote_ids_idp ON identity_idp_remote_ids (idp_id);

CREATE TABLE identity_mappings (
    id             TEXT PRIMARY KEY,
    rules          TEXT NOT NULL,
    schema_version TEXT NOT NULL DEFAULT '1.0'
);

CREATE TABLE identity_idp_protocols (
    idp_id              TEXT NOT NULL REFERENCES identity_idps (id) ON DELETE CASCADE,
    id                  TEXT NOT NULL,
    mapping_id          TEXT NOT NULL,
    remote_id_attribute TEXT,
    PRIMARY KEY (idp_id, id)
);

CREATE TABLE identity_service_providers (
    id                 TEXT PRIMARY KEY,
    auth_url           TEXT NOT NULL,
    sp_url             TEXT NOT NULL,
    description        TEXT,
    enabled            BOOLEAN NOT NULL DEFAULT FALSE,
    relay_state_prefix TEXT NOT NULL
);

-- A shadow user: the local user a federated identity maps to, found
-- again by (idp, protocol, unique id) on the next login.
CREATE TABLE identity_federated_users (
    user_id      TEXT NOT NULL REFERENCES identity_users (id) ON DELETE CASCADE,
    idp_id       TEXT NOT NULL,
    protocol_id  TEXT NOT NULL,
    unique_id    TEXT NOT NULL,
    display_name TEXT NOT NULL,
    PRIMARY KEY (idp_id, protocol_id, unique_id)
);
CREATE INDEX identity_federated_users_user ON identity_federated_users (user_id);

-- The group memberships a login's mapping added (and the next login
-- replaces); memberships an administrator made are not listed here.
CREATE TABLE identity_federated_memberships (
    user_id  TEXT NOT NULL REFERENCES identity_users (id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES identity_groups (id) ON DELETE CASCADE,
    idp_id   TEXT NOT NULL,
    PRIMARY KEY (user_id, group_id)
);

-- +goose Down
DROP TABLE identity_federated_memberships;
DROP TABLE identity_federated_users;
DROP TABLE identity_service_providers;
DROP TABLE identity_idp_protocols;
DROP TABLE identity_mappings;
DROP TABLE identity_idp_remote_ids;
DROP TABLE identity_idps;
