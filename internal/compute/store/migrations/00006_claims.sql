-- +goose Up
-- Which conductor runs each instance's work (conductor/claim): owner is
-- the conductor's "<stable id>/<process>", claimed_at the claimant's
-- Unix nanoseconds, which also tells one claim from the next.
CREATE TABLE compute_claims (
    instance_id TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    claimed_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE compute_claims;
