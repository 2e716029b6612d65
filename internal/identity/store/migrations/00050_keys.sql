-- +goose Up
-- The token key sets, shared by every API replica (Keystone keeps them as
-- files on each host, which replicas would have to copy after every
-- rotation). A set's generation moves on with every rotation: replicas
-- poll it and reload the keys when it changed, and a rotation saves with
-- a compare-and-swap on it. The keys are sealed with the secret key
-- every replica is given (AES-256-GCM, bound to kind and id).
CREATE TABLE identity_key_sets (
    kind       TEXT PRIMARY KEY,
    generation BIGINT NOT NULL
);

CREATE TABLE identity_keys (
    kind       TEXT NOT NULL REFERENCES identity_key_sets (kind) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    sealed     TEXT NOT NULL,
    retired_at TIMESTAMP,
    PRIMARY KEY (kind, id)
);

-- +goose Down
DROP TABLE identity_keys;
DROP TABLE identity_key_sets;
