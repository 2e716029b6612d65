-- +goose Up
-- Cluster-wide leases: which process runs a named piece of background work
-- (a periodic reconciler, an expirer) on behalf of every replica sharing
-- this database. Times are milliseconds since the Unix epoch on the
-- database's clock (see the lease package's doc); a lease row is never
-- deleted, so that its fencing counter only grows.
CREATE TABLE leases (
    name        TEXT   PRIMARY KEY,
    holder      TEXT   NOT NULL,
    host        TEXT   NOT NULL,
    fence       BIGINT NOT NULL,
    expires_ms  BIGINT NOT NULL,
    acquired_ms BIGINT NOT NULL,
    last_start_ms BIGINT,
    last_end_ms   BIGINT
);

-- +goose Down
DROP TABLE leases;
