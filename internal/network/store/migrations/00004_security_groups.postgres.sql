-- +goose Up
-- Security groups and their rules. A project's default group is the one
-- whose default_project_id is the project: the unique key on it is what
-- keeps two first requests of a project from making two default groups.
-- A rule's dedup_key (network.Rule.Key) is unique in its group, so two
-- concurrent requests cannot add the same rule twice.
-- Port bindings are tied to their group here (not in the SQLite twin,
-- whose one writer at a time makes the service's in-use check enough):
-- under PostgreSQL a port bound while its group is being deleted would
-- otherwise slip past that check, and the key refuses the delete.
CREATE TABLE security_groups (
    id                 TEXT PRIMARY KEY,
    project_id         TEXT NOT NULL,
    name               TEXT NOT NULL DEFAULT '',
    description        TEXT NOT NULL DEFAULT '',
    stateful           BOOLEAN NOT NULL DEFAULT TRUE,
    default_project_id TEXT UNIQUE,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    revision_number    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX security_groups_project ON security_groups (project_id);

-- Deleting a group deletes its rules and the rules of other groups that
-- name it as their remote group, as Neutron's foreign keys do.
CREATE TABLE security_group_rules (
    id                TEXT PRIMARY KEY,
    project_id        TEXT NOT NULL,
    security_group_id TEXT NOT NULL REFERENCES security_groups (id) ON DELETE CASCADE,
    description       TEXT NOT NULL DEFAULT '',
    direction         TEXT NOT NULL,
    ethertype         TEXT NOT NULL,
    protocol          TEXT,
    port_range_min    INTEGER,
    port_range_max    INTEGER,
    remote_ip_prefix  TEXT,
    remote_group_id   TEXT REFERENCES security_groups (id) ON DELETE CASCADE,
    dedup_key         TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    revision_number   BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX security_group_rules_dedup ON security_group_rules (security_group_id, dedup_key);
CREATE INDEX security_group_rules_project ON security_group_rules (project_id);
CREATE INDEX security_group_rules_remote ON security_group_rules (remote_group_id);

ALTER TABLE port_security_groups ADD CONSTRAINT port_security_groups_group
    FOREIGN KEY (security_group_id) REFERENCES security_groups (id);

-- +goose Down
ALTER TABLE port_security_groups DROP CONSTRAINT port_security_groups_group;
DROP TABLE security_group_rules;
DROP TABLE security_groups;
