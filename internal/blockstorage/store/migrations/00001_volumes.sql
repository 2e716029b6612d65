-- +goose Up
-- Volumes: Cinder's volumes table. The three metadata maps (the user's,
-- the service's admin metadata, the image's) are JSON text, read and
-- written whole with their volume.
CREATE TABLE volumes (
    id                TEXT PRIMARY KEY,
    project_id        TEXT NOT NULL,
    user_id           TEXT NOT NULL DEFAULT '',
    name              TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    size_gb           INTEGER NOT NULL,
    status            TEXT NOT NULL,
    attach_status     TEXT NOT NULL,
    migration_status  TEXT NOT NULL DEFAULT '',
    availability_zone TEXT NOT NULL,
    type_id           TEXT NOT NULL DEFAULT '',
    bootable          BOOLEAN NOT NULL DEFAULT FALSE,
    multiattach       BOOLEAN NOT NULL DEFAULT FALSE,
    encrypted         BOOLEAN NOT NULL DEFAULT FALSE,
    snapshot_id       TEXT NOT NULL DEFAULT '',
    source_volid      TEXT NOT NULL DEFAULT '',
    backup_id         TEXT NOT NULL DEFAULT '',
    image_id          TEXT NOT NULL DEFAULT '',
    group_id          TEXT NOT NULL DEFAULT '',
    host              TEXT NOT NULL DEFAULT '',
    provider_location TEXT NOT NULL DEFAULT '',
    metadata          TEXT NOT NULL DEFAULT '{}',
    admin_metadata    TEXT NOT NULL DEFAULT '{}',
    image_metadata    TEXT NOT NULL DEFAULT '{}',
    consumes_quota    BOOLEAN NOT NULL DEFAULT TRUE,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    launched_at       TIMESTAMP
);
CREATE INDEX volumes_project ON volumes (project_id);
CREATE INDEX volumes_status ON volumes (status);

-- +goose Down
DROP TABLE volumes;
