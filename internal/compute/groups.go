package compute

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/platform/db"
)

// CreateServerGroup validates and stores a server group of projectID.
// soft allows the soft-* policies (2.15+); rules are 2.64+.
func (s *Service) CreateServerGroup(ctx context.Context, g ServerGroup, soft bool) (*ServerGroup, error) {
	if err := validName("name", g.Name); err != nil {
		return nil, err
	}
	allowed := []string{PolicyAffinity, PolicyAntiAffinity}
	if soft {
		allowed = append(allowed, PolicySoftAffinity, PolicySoftAntiAffinity)
	}
	ok := false
	for _, p := range allowed {
		ok = ok || p == g.Policy
	}
	if !ok {
		return nil, invalid("Invalid input for field/attribute policy. Value: %s. '%s' is not one of %q", g.Policy, g.Policy, allowed)
	}
	for k, v := range g.Rules {
		if k != "max_server_per_host" {
			return nil, invalid("Invalid input for field/attribute rules. Additional properties are not allowed ('%s' was unexpected)", k)
		}
		if g.Policy != PolicyAntiAffinity {
			return nil, invalid("Only anti-affinity policy supports rules.")
		}
		if v < 1 {
			return nil, invalid("Invalid input for field/attribute max_server_per_host. Value: %d. %d is less than the minimum of 1", v, v)
		}
	}
	if g.Rules == nil {
		g.Rules = map[string]int64{}
	}
	g.Members = []string{}
	g.ID = uuid.NewString()
	g.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	err := s.store.CreateServerGroup(ctx, &g, func(q db.Querier, count int64) error {
		if err := s.checkUserQuota(ctx, q, g.ProjectID, g.UserID, "server_groups", count); err != nil {
			return forbidden("Quota exceeded, too many server groups.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// ServerGroup returns one group; projectID "" (admin) sees every project's.
func (s *Service) ServerGroup(ctx context.Context, id, projectID string) (*ServerGroup, error) {
	g, err := s.store.GetServerGroup(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && projectID != "" && g.ProjectID != projectID {
		return nil, notFound("Instance group %s could not be found.", id)
	}
	return g, err
}

// ServerGroups lists a project's groups, or every group with "".
func (s *Service) ServerGroups(ctx context.Context, projectID string) ([]ServerGroup, error) {
	return s.store.ListServerGroups(ctx, projectID)
}

// DeleteServerGroup removes a group; projectID "" for admin.
func (s *Service) DeleteServerGroup(ctx context.Context, id, projectID string) error {
	if _, err := s.ServerGroup(ctx, id, projectID); err != nil {
		return err
	}
	err := s.store.DeleteServerGroup(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return notFound("Instance group %s could not be found.", id)
	}
	return err
}

// AvailabilityZones lists the zones: the zones of aggregates with hosts,
// the default zone (always, for hosts in no zone) and, in detail only,
// "internal" with the scheduler and conductor.
func (s *Service) AvailabilityZones(ctx context.Context, detail bool) ([]AvailabilityZone, error) {
	return s.zones(ctx, detail)
}
