-- +goose Up
-- Volume services: Cinder's services table for the block storage
-- binaries (cinder-volume per backend host "host@backend",
-- cinder-scheduler per host). updated_at is the last heartbeat; status
-- ("enabled", "disabled"), disabled_reason and frozen are an operator's.
CREATE TABLE volume_services (
    host            TEXT NOT NULL,
    binary_name     TEXT NOT NULL,
    zone            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'enabled',
    disabled_reason TEXT NOT NULL DEFAULT '',
    frozen          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (host, binary_name)
);

-- Volume pools: what each volume service last reported of its pools
-- (the scheduler's input). name is "host@backend#pool", host the
-- volume service's "host@backend"; capabilities is JSON text.
CREATE TABLE volume_pools (
    name         TEXT PRIMARY KEY,
    host         TEXT NOT NULL,
    backend      TEXT NOT NULL,
    zone         TEXT NOT NULL,
    total_gb     DOUBLE PRECISION NOT NULL,
    free_gb      DOUBLE PRECISION NOT NULL,
    allocated_gb DOUBLE PRECISION NOT NULL,
    capabilities TEXT NOT NULL DEFAULT '{}',
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX volume_pools_host ON volume_pools (host);

-- +goose Down
DROP TABLE volume_pools;
DROP TABLE volume_services;
