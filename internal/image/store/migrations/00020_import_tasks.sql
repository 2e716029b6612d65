-- +goose Up
-- Tasks of the interoperable import flow (Glance's tasks table). They
-- outlive their image (no foreign key): GET /v2/tasks still shows them.
CREATE TABLE image_tasks (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    status     TEXT NOT NULL,
    owner      TEXT NOT NULL DEFAULT '',
    user_id    TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    image_id   TEXT NOT NULL DEFAULT '',
    input      TEXT NOT NULL DEFAULT '{}',
    result     TEXT,
    message    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP
);
CREATE INDEX image_tasks_image ON image_tasks (image_id, created_at);
CREATE INDEX image_tasks_owner ON image_tasks (owner, created_at);
CREATE INDEX image_tasks_status ON image_tasks (status);

-- +goose Down
DROP TABLE image_tasks;
