-- +goose Up
-- Backups: Cinder's backups table. A backup outlives its volume, so
-- volume_id is no foreign key; parent_id chains incremental backups to
-- the backup they build on.
CREATE TABLE backups (
    id                TEXT PRIMARY KEY,
    volume_id         TEXT NOT NULL,
    snapshot_id       TEXT NOT NULL DEFAULT '',
    project_id        TEXT NOT NULL,
    user_id           TEXT NOT NULL DEFAULT '',
    name              TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    container         TEXT NOT NULL DEFAULT '',
    parent_id         TEXT NOT NULL DEFAULT '',
    location          TEXT NOT NULL DEFAULT '',
    data_id           TEXT NOT NULL DEFAULT '',
    fail_reason       TEXT NOT NULL DEFAULT '',
    availability_zone TEXT NOT NULL DEFAULT '',
    host              TEXT NOT NULL DEFAULT '',
    size_gb           INTEGER NOT NULL,
    object_count      INTEGER NOT NULL DEFAULT 0,
    incremental       BOOLEAN NOT NULL DEFAULT FALSE,
    metadata          TEXT NOT NULL DEFAULT '{}',
    restore_volume_id TEXT NOT NULL DEFAULT '',
    volume_info       TEXT NOT NULL DEFAULT '{}',
    data_timestamp    TIMESTAMP NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX backups_project ON backups (project_id);
CREATE INDEX backups_volume ON backups (volume_id);
CREATE INDEX backups_parent ON backups (parent_id);

-- +goose Down
DROP TABLE backups;
