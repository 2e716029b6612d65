-- +goose Up
-- OS-OAUTH1's request and access tokens (Keystone's request_token and
-- access_token tables). The secrets are kept as they are, as Keystone
-- keeps them: the HMAC signature checks need them. role_ids is a JSON
-- array of role ids. Deleting a consumer deletes its tokens with it (ON
-- DELETE CASCADE), as Keystone's delete_consumer does.
CREATE TABLE identity_oauth_request_tokens (
    id                   TEXT PRIMARY KEY,
    request_secret       TEXT NOT NULL,
    verifier             TEXT NOT NULL DEFAULT '',
    authorizing_user_id  TEXT NOT NULL DEFAULT '',
    requested_project_id TEXT NOT NULL,
    role_ids             TEXT NOT NULL DEFAULT '[]',
    consumer_id          TEXT NOT NULL REFERENCES identity_consumers (id) ON DELETE CASCADE,
    expires_at           TIMESTAMP
);
CREATE INDEX identity_oauth_request_tokens_consumer ON identity_oauth_request_tokens (consumer_id);

CREATE TABLE identity_oauth_access_tokens (
    id                  TEXT PRIMARY KEY,
    access_secret       TEXT NOT NULL,
    authorizing_user_id TEXT NOT NULL,
    project_id          TEXT NOT NULL,
    role_ids            TEXT NOT NULL,
    consumer_id         TEXT NOT NULL REFERENCES identity_consumers (id) ON DELETE CASCADE,
    expires_at          TIMESTAMP
);
CREATE INDEX identity_oauth_access_tokens_user ON identity_oauth_access_tokens (authorizing_user_id);
CREATE INDEX identity_oauth_access_tokens_consumer ON identity_oauth_access_tokens (consumer_id);

-- +goose Down
DROP TABLE identity_oauth_access_tokens;
DROP TABLE identity_oauth_request_tokens;
