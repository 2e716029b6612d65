-- +goose Up
-- User messages: what an operation that failed in the background tells
-- its project, kept until expires_at.
CREATE TABLE messages (
    id            TEXT PRIMARY KEY,
    project_id    TEXT NOT NULL,
    request_id    TEXT NOT NULL DEFAULT '',
    resource_type TEXT NOT NULL DEFAULT '',
    resource_uuid TEXT NOT NULL DEFAULT '',
    event_id      TEXT NOT NULL,
    message_level TEXT NOT NULL,
    user_message  TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL
);
CREATE INDEX messages_project ON messages (project_id);
CREATE INDEX messages_expires ON messages (expires_at);

-- Quota classes other than "default" (whose limits are the shared
-- quota_defaults of service "volume"): Cinder stores them though no
-- project uses them.
CREATE TABLE quota_classes (
    class_name TEXT NOT NULL,
    resource   TEXT NOT NULL,
    hard_limit BIGINT NOT NULL,
    PRIMARY KEY (class_name, resource)
);

-- +goose Down
DROP TABLE quota_classes;
DROP TABLE messages;
