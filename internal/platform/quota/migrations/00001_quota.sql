-- +goose Up
-- Per-project limits set by an operator (openstack quota set --instances 20 P).
CREATE TABLE quota_limits (
    service    TEXT      NOT NULL,
    project_id TEXT      NOT NULL,
    resource   TEXT      NOT NULL,
    hard_limit BIGINT    NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (service, project_id, resource)
);

-- Cloud-wide defaults overriding the built-in ones (Nova's "default" quota
-- class: openstack quota set --class default --instances 20).
CREATE TABLE quota_defaults (
    service    TEXT      NOT NULL,
    resource   TEXT      NOT NULL,
    hard_limit BIGINT    NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (service, resource)
);

-- Tracked usage, for services that keep a counter instead of counting
-- their rows (Consume).
CREATE TABLE quota_usages (
    service    TEXT      NOT NULL,
    project_id TEXT      NOT NULL,
    resource   TEXT      NOT NULL,
    in_use     BIGINT    NOT NULL DEFAULT 0,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (service, project_id, resource)
);

-- +goose Down
DROP TABLE quota_usages;
DROP TABLE quota_defaults;
DROP TABLE quota_limits;
