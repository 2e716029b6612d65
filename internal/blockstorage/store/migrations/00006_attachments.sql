-- +goose Up
-- Attachments of volumes to servers (Cinder's volume_attachment). A
-- volume's delete takes its attachment records with it. The connector
-- and the connection info are JSON text, NULL until the consumer gave a
-- connector; detached records stay (Cinder keeps them soft-deleted) until
-- their volume goes.
CREATE TABLE volume_attachments (
    id            TEXT PRIMARY KEY,
    volume_id     TEXT NOT NULL REFERENCES volumes (id) ON DELETE CASCADE,
    project_id    TEXT NOT NULL,
    instance_id   TEXT NOT NULL DEFAULT '',
    attached_host TEXT NOT NULL DEFAULT '',
    mountpoint    TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    attach_mode   TEXT NOT NULL DEFAULT '',
    connector     TEXT,
    connection    TEXT,
    attached_at   TIMESTAMP,
    detached_at   TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX volume_attachments_volume ON volume_attachments (volume_id);
CREATE INDEX volume_attachments_project ON volume_attachments (project_id);
CREATE INDEX volume_attachments_instance ON volume_attachments (instance_id);

-- +goose Down
DROP TABLE volume_attachments;
