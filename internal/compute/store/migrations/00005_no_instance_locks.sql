-- +goose Up
-- Creates in a project no longer take a per-project row lock: their
-- quota is checked by counting after the insert (see CreateInstances).
DROP TABLE compute_instance_locks;

-- +goose Down
CREATE TABLE compute_instance_locks (
    project_id TEXT PRIMARY KEY,
    writes     BIGINT NOT NULL
);
