-- +goose Up
-- Images, their extra properties, tags and members. Deleted images are
-- removed (Glance keeps soft-deleted rows; nothing here reads them).
CREATE TABLE images (
    id               TEXT PRIMARY KEY,
    name             TEXT,
    status           TEXT NOT NULL,
    visibility       TEXT NOT NULL,
    protected        BOOLEAN NOT NULL DEFAULT FALSE,
    os_hidden        BOOLEAN NOT NULL DEFAULT FALSE,
    checksum         TEXT NOT NULL DEFAULT '',
    os_hash_algo     TEXT NOT NULL DEFAULT '',
    os_hash_value    TEXT NOT NULL DEFAULT '',
    size             BIGINT,
    virtual_size     BIGINT,
    disk_format      TEXT NOT NULL DEFAULT '',
    container_format TEXT NOT NULL DEFAULT '',
    min_disk         INTEGER NOT NULL DEFAULT 0,
    min_ram          INTEGER NOT NULL DEFAULT 0,
    owner            TEXT NOT NULL DEFAULT '',
    stores           TEXT NOT NULL DEFAULT '',
    locations        TEXT NOT NULL DEFAULT '[]',
    revision         BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX images_owner ON images (owner);
CREATE INDEX images_visibility ON images (visibility);
CREATE INDEX images_created ON images (created_at, id);

CREATE TABLE image_properties (
    image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (image_id, name)
);

CREATE TABLE image_tags (
    image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    value    TEXT NOT NULL,
    PRIMARY KEY (image_id, value)
);

CREATE TABLE image_members (
    image_id   TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    member_id  TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (image_id, member_id)
);
CREATE INDEX image_members_member ON image_members (member_id);

-- +goose Down
DROP TABLE image_members;
DROP TABLE image_tags;
DROP TABLE image_properties;
DROP TABLE images;
