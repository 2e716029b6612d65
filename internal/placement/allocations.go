package placement

import (
	"context"
	"fmt"
	"strings"

	"github.com/gostack/gostack/internal/placement/schema"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/pyfmt"
)

// DefaultConsumerType is the consumer type of allocations written
// without one (1.38).
const DefaultConsumerType = "unknown"

// IncompleteConsumerID is the project and user of a consumer whose
// allocations were written without them (before 1.8), as Placement's
// [placement] incomplete_consumer_project_id and _user_id default.
const IncompleteConsumerID = "00000000-0000-0000-0000-000000000000"

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
			return schema.Format(c.Consumer.UUID, "uuid")
		}
		c.Consumer.UUID = normUUID(c.Consumer.UUID)
		if seen[c.Consumer.UUID] {
			return apierr.BadRequest("Allocation for consumer %s appears more than once", c.Consumer.UUID)
		}
		seen[c.Consumer.UUID] = true
		for j := range c.Allocations {
			a := &c.Allocations[j]
			if !IsUUID(a.ProviderUUID) {
				return schema.Fail("additionalProperties", pyfmt.Repr(a.ProviderUUID)+" does not match any of the regexes", "allocations")
			}
			a.ProviderUUID = normUUID(a.ProviderUUID)
			if !classNameRE.MatchString(a.ResourceClass) {
				return schema.Fail("additionalProperties", pyfmt.Repr(a.ResourceClass)+" does not match any of the regexes", "allocations", "resources")
			}
			if a.Used < 1 {
				return schema.Fail("minimum", fmt.Sprintf("%d is less than the minimum of 1", a.Used), "allocations", "resources")
			}
			if a.Used > MaxInt {
				return schema.Fail("maximum", fmt.Sprintf("%d is greater than the maximum of %d", a.Used, MaxInt), "allocations", "resources")
			}
			if err := s.checkClass(ctx, a.ResourceClass); err != nil {
				return apierr.BadRequest("Unable to allocate inventory for consumer %s: No such resource class %s.", c.Consumer.UUID, a.ResourceClass)
			}
		}
		// Allocations written before 1.8 name no project or user: the
		// consumer gets Placement's incomplete_consumer_project_id and
		// incomplete_consumer_user_id, which 1.12's GET shows.
		if c.Consumer.ProjectID == "" {
			c.Consumer.ProjectID = IncompleteConsumerID
		}
		if c.Consumer.UserID == "" {
			c.Consumer.UserID = IncompleteConsumerID
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

// DeleteAllocations removes every allocation of a consumer (DELETE
// /allocations/{c}); the providers keep their generations.
func (s *Service) DeleteAllocations(ctx context.Context, id string) error {
	return s.store.DeleteConsumer(ctx, id)
}

// Reshape moves inventories and allocations at once (1.30).
func (s *Service) Reshape(ctx context.Context, invs map[string]InventorySet, cs []ConsumerAllocations) error {
	for id, set := range invs {
		v, err := s.validateInventories(ctx, id, "update", set.Inventories, true)
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
		return nil, apierr.BadRequest("No such trait(s): %s.", strings.Join(missing, ", ")).WithType(CodeBadValue)
	}
	return s.store.CandidateProviders(ctx)
}
