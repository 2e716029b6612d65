-- +goose Up
-- The change log the candidate snapshot follows: every write transaction
-- that changes providers (their rows, inventories, traits, aggregates or
-- usage) bumps placement_seq's one row last, before it commits, and logs
-- the providers it changed under the new number ('*': all of them). The
-- row lock orders the numbers as the commits, so a reader that has seen
-- number N has seen every change up to N. A reader that has seen the
-- current number skips its refresh; one behind reloads only the logged
-- providers. Old entries are pruned; pruned is the last number removed.
CREATE TABLE placement_seq (
    id     INTEGER PRIMARY KEY,
    seq    BIGINT NOT NULL,
    pruned BIGINT NOT NULL
);
INSERT INTO placement_seq (id, seq, pruned) VALUES (1, 0, 0);

CREATE TABLE placement_changes (
    seq           BIGINT NOT NULL,
    provider_uuid TEXT NOT NULL,
    PRIMARY KEY (seq, provider_uuid)
);

-- +goose Down
DROP TABLE placement_changes;
DROP TABLE placement_seq;
