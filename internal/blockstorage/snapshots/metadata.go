package snapshots

import (
	"context"
	"maps"
	"unicode/utf8"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// CheckMetadata applies Cinder's rules to a metadata map: keys of 1 to
// 255 characters, values of at most 255.
func CheckMetadata(m map[string]string) error {
	for k, v := range m {
		switch {
		case k == "":
			return apierr.BadRequest("Invalid input received: Metadata property key blank.")
		case utf8.RuneCountInString(k) > 255:
			return apierr.BadRequest("Invalid input received: Metadata property key %s greater than 255 characters.", k)
		case utf8.RuneCountInString(v) > 255:
			return apierr.BadRequest("Invalid input received: Metadata property key %s value greater than 255 characters.", k)
		}
	}
	return nil
}

// SetMetadata merges m into a snapshot's metadata, or replaces the
// metadata with it when replace is set; it returns the metadata after.
func (s Snapshots) SetMetadata(ctx context.Context, sc blockstorage.Scope, id string, m map[string]string, replace bool) (map[string]string, error) {
	if err := CheckMetadata(m); err != nil {
		return nil, err
	}
	snap, err := s.change(ctx, sc, id, func(snap *blockstorage.Snapshot) error {
		if replace || snap.Metadata == nil {
			snap.Metadata = map[string]string{}
		}
		maps.Copy(snap.Metadata, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return snap.Metadata, nil
}

// DeleteMetadata removes one key of a snapshot's metadata; an absent key
// is Cinder's 404.
func (s Snapshots) DeleteMetadata(ctx context.Context, sc blockstorage.Scope, id, key string) error {
	_, err := s.change(ctx, sc, id, func(snap *blockstorage.Snapshot) error {
		if _, ok := snap.Metadata[key]; !ok {
			return apierr.NotFound("Snapshot %s has no metadata with key %s.", id, key)
		}
		delete(snap.Metadata, key)
		return nil
	})
	return err
}
