-- +goose Up
-- The metadata definitions catalog. Objects, properties, tags and
-- resource type associations are JSON documents keyed by kind and name.
CREATE TABLE metadef_namespaces (
    namespace    TEXT PRIMARY KEY,
    display_name TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    visibility   TEXT NOT NULL,
    protected    BOOLEAN NOT NULL DEFAULT FALSE,
    owner        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE metadef_items (
    namespace  TEXT NOT NULL REFERENCES metadef_namespaces (namespace) ON DELETE CASCADE ON UPDATE CASCADE,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (namespace, kind, name)
);

-- +goose Down
DROP TABLE metadef_items;
DROP TABLE metadef_namespaces;
