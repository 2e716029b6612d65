-- +goose Up
-- Transfers: an offer of a volume to another project. Only the salted
-- hash of the authorization key is kept. A volume has at most one
-- transfer at a time.
CREATE TABLE transfers (
    id           TEXT PRIMARY KEY,
    volume_id    TEXT NOT NULL UNIQUE,
    project_id   TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    salt         TEXT NOT NULL,
    crypt_hash   TEXT NOT NULL,
    no_snapshots BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX transfers_project ON transfers (project_id);

-- +goose Down
DROP TABLE transfers;
