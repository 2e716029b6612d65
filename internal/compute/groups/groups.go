// Package groups holds the server groups (Nova's os-server-groups): the
// affinity and anti-affinity policies the scheduler applies to their
// members, within the server_groups quota.
package groups

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/quotas"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Service manages server groups.
type Service struct {
	store  compute.Store
	quotas *quotas.Service
}

// New returns the server groups of store, bounded by quotas.
func New(store compute.Store, q *quotas.Service) *Service {
	return &Service{store: store, quotas: q}
}

// Create validates and stores a server group of projectID.
// soft allows the soft-* policies (2.15+); rules are 2.64+.
func (s *Service) Create(ctx context.Context, g compute.ServerGroup, soft bool) (*compute.ServerGroup, error) {
	if err := compute.ValidName("name", g.Name); err != nil {
		return nil, err
	}
	allowed := []string{compute.PolicyAffinity, compute.PolicyAntiAffinity}
	if soft {
		allowed = append(allowed, compute.PolicySoftAffinity, compute.PolicySoftAntiAffinity)
	}
	ok := false
	for _, p := range allowed {
		ok = ok || p == g.Policy
	}
	if !ok {
		return nil, apierr.BadRequest("Invalid input for field/attribute policy. Value: %s. '%s' is not one of %q", g.Policy, g.Policy, allowed)
	}
	for k, v := range g.Rules {
		if k != "max_server_per_host" {
			return nil, apierr.BadRequest("Invalid input for field/attribute rules. Additional properties are not allowed ('%s' was unexpected)", k)
		}
		if g.Policy != compute.PolicyAntiAffinity {
			return nil, apierr.BadRequest("Only anti-affinity policy supports rules.")
		}
		if v < 1 {
			return nil, apierr.BadRequest("Invalid input for field/attribute max_server_per_host. Value: %d. %d is less than the minimum of 1", v, v)
		}
	}
	if g.Rules == nil {
		g.Rules = map[string]int64{}
	}
	g.Members = []string{}
	g.ID = uuid.NewString()
	g.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	check, err := s.quotas.UserCheck(ctx, g.ProjectID, g.UserID, "server_groups", "Quota exceeded, too many server groups.")
	if err != nil {
		return nil, err
	}
	err = s.store.CreateServerGroup(ctx, &g, check)
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// Get returns one group; projectID "" (admin) sees every project's.
func (s *Service) Get(ctx context.Context, id, projectID string) (*compute.ServerGroup, error) {
	g, err := s.store.GetServerGroup(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) || err == nil && projectID != "" && g.ProjectID != projectID {
		return nil, apierr.NotFound("Instance group %s could not be found.", id)
	}
	return g, err
}

// List lists a project's groups, or every group with "".
func (s *Service) List(ctx context.Context, projectID string) ([]compute.ServerGroup, error) {
	return s.store.ListServerGroups(ctx, projectID)
}

// Delete removes a group; projectID "" for admin.
func (s *Service) Delete(ctx context.Context, id, projectID string) error {
	if _, err := s.Get(ctx, id, projectID); err != nil {
		return err
	}
	err := s.store.DeleteServerGroup(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return apierr.NotFound("Instance group %s could not be found.", id)
	}
	return err
}
