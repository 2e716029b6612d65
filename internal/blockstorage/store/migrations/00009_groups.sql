-- +goose Up
-- Generic volume groups (Cinder's groups table; named volume_groups
-- because GROUPS is a keyword of both engines' window clauses), the
-- volume types each group allows (Cinder's group_volume_type_mapping,
-- with the order they were given), and group snapshots. A volume names
-- its group in volumes.group_id; a snapshot its group snapshot in the
-- column added to snapshots here. No foreign key to group_types or
-- volume_types: the use cases check that a type in use is not deleted.
CREATE TABLE volume_groups (
    id                 TEXT PRIMARY KEY,
    project_id         TEXT NOT NULL,
    user_id            TEXT NOT NULL DEFAULT '',
    name               TEXT NOT NULL DEFAULT '',
    description        TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    availability_zone  TEXT NOT NULL,
    group_type_id      TEXT NOT NULL,
    group_snapshot_id  TEXT NOT NULL DEFAULT '',
    source_group_id    TEXT NOT NULL DEFAULT '',
    replication_status TEXT NOT NULL DEFAULT 'disabled',
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX volume_groups_project ON volume_groups (project_id);

CREATE TABLE group_volume_types (
    group_id       TEXT NOT NULL REFERENCES volume_groups (id) ON DELETE CASCADE,
    volume_type_id TEXT NOT NULL,
    position       INTEGER NOT NULL,
    PRIMARY KEY (group_id, volume_type_id)
);
CREATE INDEX group_volume_types_type ON group_volume_types (volume_type_id);

CREATE TABLE group_snapshots (
    id            TEXT PRIMARY KEY,
    group_id      TEXT NOT NULL,
    group_type_id TEXT NOT NULL,
    project_id    TEXT NOT NULL,
    user_id       TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX group_snapshots_project ON group_snapshots (project_id);
CREATE INDEX group_snapshots_group ON group_snapshots (group_id);

ALTER TABLE snapshots ADD COLUMN group_snapshot_id TEXT NOT NULL DEFAULT '';
CREATE INDEX snapshots_group_snapshot ON snapshots (group_snapshot_id);

CREATE INDEX volumes_group ON volumes (group_id);

-- +goose Down
DROP INDEX volumes_group;
DROP INDEX snapshots_group_snapshot;
ALTER TABLE snapshots DROP COLUMN group_snapshot_id;
DROP TABLE group_snapshots;
DROP TABLE group_volume_types;
DROP TABLE volume_groups;
