package placement

import (
	"context"
	"strings"

	"github.com/gostack/gostack/internal/platform/apierr"
)

// DefaultConsumerType is the consumer type of allocations written
// without one (1.38).
const DefaultConsumerType = "unknown"

// Consumer returns a consumer and its allocations; nil when it holds none.
func (s *Service) Consumer(ctx context.Context, id string) (*Consumer, []Allocation, error) {
	return s.store.Consumer(ctx, id)
}

// ProviderAllocations returns the allocations against a provider, by
// consumer.
func (s *Service) ProviderAllocations(ctx context.Context, id string) (map[string][]Allocation, int64, error) {
	return s.store.ProviderAllocations(ctx, id)
}

func (s *Service) validateAllocations(ctx context.Context, cs []ConsumerAllocations) error {
	seen := map[string]bool{}
	for i := range cs {
		c := &cs[i]
		if !IsUUID(c.Consumer.UUID) {
			return apierr.BadRequest("JSON does not validate: '%s' is not a 'uuid'", c.Consumer.UUID)
		}
		c.Consumer.UUID = normUUID(c.Consumer.UUID)
		if seen[c.Consumer.UUID] {
			return apierr.BadRequest("Allocation for consumer %s appears more than once", c.Consumer.UUID)
		}
		seen[c.Consumer.UUID] = true
		for j := range c.Allocations {
			a := &c.Allocations[j]
			if !IsUUID(a.ProviderUUID) {
				return apierr.BadRequest("JSON does not validate: '%s' does not match any of the regexes", a.ProviderUUID)
			}
			a.ProviderUUID = normUUID(a.ProviderUUID)
			if !classNameRE.MatchString(a.ResourceClass) {
				return apierr.BadRequest("JSON does not validate: '%s' does not match any of the regexes", a.ResourceClass)
			}
			if a.Used < 1 {
				return apierr.BadRequest("JSON does not validate: %d is less than the minimum of 1\n\nFailed validating 'minimum' in schema", a.Used)
			}
			if a.Used > MaxInt {
				return apierr.BadRequest("JSON does not validate: %d is greater than the maximum of %d\n\nFailed validating 'maximum' in schema", a.Used, MaxInt)
			}
			if err := s.checkClass(ctx, a.ResourceClass); err != nil {
				return apierr.BadRequest("Unable to allocate inventory for consumer %s: No such resource class %s.", c.Consumer.UUID, a.ResourceClass)
			}
		}
		if c.Consumer.ConsumerType == "" {
			c.Consumer.ConsumerType = DefaultConsumerType
		}
	}
	return nil
}

// WriteAllocations replaces the allocations of one or more consumers in
// one transaction (PUT /allocations/{c}, POST /allocations). A consumer
// given no allocations loses them all.
func (s *Service) WriteAllocations(ctx context.Context, cs []ConsumerAllocations) error {
	if err := s.validateAllocations(ctx, cs); err != nil {
		return err
	}
	return s.store.WriteAllocations(ctx, cs)
}

// DeleteAllocations removes every allocation of a consumer.
func (s *Service) DeleteAllocations(ctx context.Context, id string) error {
	c, allocs, err := s.store.Consumer(ctx, id)
	if err != nil {
		return err
	}
	if c == nil || len(allocs) == 0 {
		return apierr.NotFound("No allocations for consumer '%s'", id)
	}
	return s.store.WriteAllocations(ctx, []ConsumerAllocations{{Consumer: *c}})
}

// Reshape moves inventories and allocations at once (1.30).
func (s *Service) Reshape(ctx context.Context, invs map[string]InventorySet, cs []ConsumerAllocations) error {
	for id, set := range invs {
		v, err := s.validateInventories(ctx, set.Inventories, true)
		if err != nil {
			return err
		}
		set.Inventories = v
		invs[id] = set
	}
	if err := s.validateAllocations(ctx, cs); err != nil {
		return err
	}
	return s.store.Reshape(ctx, invs, cs)
}

// CandidateProviders is the service's part of GET /allocation_candidates
// (package candidates does the rest): the resource classes and traits the
// query names must exist, else a 400 placement.query.bad_value; it
// returns the providers' state to search, shared and read-only.
func (s *Service) CandidateProviders(ctx context.Context, classes, traits []string) (*ProviderSet, error) {
	for _, rc := range classes {
		if err := s.checkClass(ctx, rc); err != nil {
			return nil, apierr.BadRequest("Invalid resource class in resources parameter: %s", apierr.Message(err)).WithType(CodeBadValue)
		}
	}
	missing, err := s.missingTraits(ctx, traits)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, apierr.BadRequest("No such trait(s): %s", strings.Join(missing, ", ")).WithType(CodeBadValue)
	}
	return s.store.CandidateProviders(ctx)
}
