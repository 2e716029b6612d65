-- +goose Up
-- Snapshots: Cinder's snapshots table, the metadata as JSON text read and
-- written whole with its snapshot. No foreign key to volumes: the volume
-- use cases refuse to delete a volume that has snapshots, and a cascade
-- delete removes them itself, in the same transaction.
CREATE TABLE snapshots (
    id                TEXT PRIMARY KEY,
    volume_id         TEXT NOT NULL,
    project_id        TEXT NOT NULL,
    user_id           TEXT NOT NULL DEFAULT '',
    name              TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    progress          TEXT NOT NULL DEFAULT '0%',
    size_gb           INTEGER NOT NULL,
    provider_location TEXT NOT NULL DEFAULT '',
    metadata          TEXT NOT NULL DEFAULT '{}',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX snapshots_project ON snapshots (project_id);
CREATE INDEX snapshots_volume ON snapshots (volume_id);

-- +goose Down
DROP TABLE snapshots;
