package network

import (
	"context"
	"slices"
)

// Tags returns the tags of resources of a kind, by id.
func (s *Service) Tags(ctx context.Context, kind string, ids []string) (map[string][]string, error) {
	var out map[string][]string
	err := s.store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		out, err = tx.Tags(ctx, kind, ids)
		return err
	})
	return out, err
}

// EditTags changes a resource's tags in one transaction: edit gets the
// current tags and returns the new ones. The caller has checked that the
// resource exists and is the caller's to tag.
func (s *Service) EditTags(ctx context.Context, kind, id string, edit func(cur []string) ([]string, error)) ([]string, error) {
	var out []string
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		m, err := tx.Tags(ctx, kind, []string{id})
		if err != nil {
			return err
		}
		if out, err = edit(m[id]); err != nil {
			return err
		}
		out = slices.Compact(slices.Sorted(slices.Values(out)))
		return tx.SetTags(ctx, kind, id, out)
	})
	return out, err
}
