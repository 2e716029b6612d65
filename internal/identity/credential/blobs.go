package credential

import (
	"context"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// PolicyPatch is an update of a policy blob.
type PolicyPatch struct {
	Type, Blob *string
	Extra      map[string]any
}

// CreatePolicy stores a policy blob.
func (s *Service) CreatePolicy(ctx context.Context, p *Policy) (*Policy, error) {
	if p.Type == "" || len(p.Type) > 255 {
		return nil, apierr.BadRequest("Invalid input for field 'type': a policy type is required.")
	}
	if p.ID == "" {
		p.ID = directory.NewID()
	}
	if err := s.store.CreatePolicy(ctx, p); err != nil {
		return nil, err
	}
	return s.store.GetPolicy(ctx, p.ID)
}

// GetPolicy returns a policy blob.
func (s *Service) GetPolicy(ctx context.Context, id string) (*Policy, error) {
	return s.store.GetPolicy(ctx, id)
}

// ListPolicies lists policy blobs by type ("" any).
func (s *Service) ListPolicies(ctx context.Context, typ string) ([]*Policy, error) {
	all, err := s.store.ListPolicies(ctx)
	if err != nil || typ == "" {
		return all, err
	}
	out := all[:0]
	for _, p := range all {
		if p.Type == typ {
			out = append(out, p)
		}
	}
	return out, nil
}

// UpdatePolicy updates a policy blob.
func (s *Service) UpdatePolicy(ctx context.Context, id string, pp PolicyPatch) (*Policy, error) {
	p, err := s.store.GetPolicy(ctx, id)
	if err != nil {
		return nil, err
	}
	if pp.Type != nil {
		if *pp.Type == "" {
			return nil, apierr.BadRequest("Invalid input for field 'type': a policy type is required.")
		}
		p.Type = *pp.Type
	}
	if pp.Blob != nil {
		p.Blob = *pp.Blob
	}
	p.Extra = directory.MergeExtra(p.Extra, pp.Extra)
	if err := s.store.UpdatePolicy(ctx, p); err != nil {
		return nil, err
	}
	return s.store.GetPolicy(ctx, id)
}

// DeletePolicy deletes a policy blob.
func (s *Service) DeletePolicy(ctx context.Context, id string) error {
	return s.store.DeletePolicy(ctx, id)
}

// CreateConsumer creates an OAuth1 consumer with a fresh secret; the
// returned consumer carries the secret, which is shown only this once.
func (s *Service) CreateConsumer(ctx context.Context, c *Consumer) (*Consumer, error) {
	c.ID = directory.NewID()
	c.Secret = randomHex(16)
	if err := s.store.CreateConsumer(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// GetConsumer returns an OAuth1 consumer.
func (s *Service) GetConsumer(ctx context.Context, id string) (*Consumer, error) {
	return s.store.GetConsumer(ctx, id)
}

// ListConsumers lists OAuth1 consumers.
func (s *Service) ListConsumers(ctx context.Context) ([]*Consumer, error) {
	return s.store.ListConsumers(ctx)
}

// UpdateConsumer updates a consumer's description and extra attributes.
func (s *Service) UpdateConsumer(ctx context.Context, id string, description *string, extra map[string]any) (*Consumer, error) {
	c, err := s.store.GetConsumer(ctx, id)
	if err != nil {
		return nil, err
	}
	if description != nil {
		c.Description = *description
	}
	c.Extra = directory.MergeExtra(c.Extra, extra)
	if err := s.store.UpdateConsumer(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteConsumer deletes an OAuth1 consumer.
func (s *Service) DeleteConsumer(ctx context.Context, id string) error {
	return s.store.DeleteConsumer(ctx, id)
}
