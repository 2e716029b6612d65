package extras

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/gostack/gostack/internal/network"

	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/quota"
)

// MaxQuota is the largest limit Neutron stores (a database integer).
const MaxQuota = 1<<31 - 1

// QuotaDetail is one resource of a project's quota details: its limit,
// what the project uses (counted) and what is reserved (always 0: there
// are no reservations, see platform/quota).
type QuotaDetail struct {
	Limit, Used, Reserved int64
}

// QuotaSet is a project's limits, by resource.
type QuotaSet struct {
	ProjectID string
	Limits    map[string]int64
}

func externalLimits() *apierr.Error {
	return apierr.Forbidden("Quota limits of this cloud are managed by the identity service (Keystone unified limits); set them there.").WithType("HTTPForbidden")
}

// ProjectQuotas returns a project's limits. They may come from Keystone,
// so they are read outside any transaction.
func (s *Service) ProjectQuotas(ctx context.Context, project string) (map[string]int64, error) {
	return s.net.Quotas.Limits(ctx, s.net.Store().Pool(), project)
}

// QuotaDefaults returns the default limits.
func (s *Service) QuotaDefaults(ctx context.Context) (map[string]int64, error) {
	return s.net.Quotas.Defaults(ctx, s.net.Store().Pool())
}

// ListQuotas returns the limits of every project with quotas of its own.
func (s *Service) ListQuotas(ctx context.Context) ([]QuotaSet, error) {
	var projects []string
	err := s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		var err error
		projects, err = tx.QuotaProjects(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]QuotaSet, 0, len(projects))
	for _, p := range projects {
		l, err := s.net.Quotas.Limits(ctx, s.net.Store().Pool(), p)
		if err != nil {
			return nil, err
		}
		out = append(out, QuotaSet{ProjectID: p, Limits: l})
	}
	return out, nil
}

// CheckQuotaValue validates one limit of a PUT /quotas body: a known
// resource and a value from -1 (unlimited) to MaxQuota, with Neutron's
// wording.
func (s *Service) CheckQuotaValue(resource string, limit int64) error {
	if !slices.Contains(s.net.Quotas.Resources(), resource) {
		return network.BadRequest("Unrecognized attribute(s) '%s'", resource)
	}
	if limit < quota.Unlimited {
		return network.BadRequest("Invalid input for %s. Reason: '%d' is too small - must be at least '-1'.", resource, limit)
	}
	if limit > MaxQuota {
		return network.BadRequest("Invalid input for %s. Reason: '%d' is too large - must be no larger than '%d'.", resource, limit, MaxQuota)
	}
	return nil
}

// SetQuotas sets some of a project's limits, all or none. A limit below
// what the project already uses is taken, as Neutron does: it only stops
// the project from creating more.
func (s *Service) SetQuotas(ctx context.Context, project string, limits map[string]int64) (map[string]int64, error) {
	for r, l := range limits {
		if err := s.CheckQuotaValue(r, l); err != nil {
			return nil, err
		}
	}
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		for _, r := range slices.Sorted(maps.Keys(limits)) {
			if err := s.net.Quotas.SetLimit(ctx, tx.Querier(), project, r, limits[r]); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, quota.ErrExternalLimits) {
		return nil, externalLimits()
	}
	if err != nil {
		return nil, err
	}
	return s.net.Quotas.Limits(ctx, s.net.Store().Pool(), project)
}

// DeleteQuotas returns a project to the default limits; a project without
// limits of its own is Neutron's 404 TenantQuotaNotFound.
func (s *Service) DeleteQuotas(ctx context.Context, project string) error {
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		projects, err := tx.QuotaProjects(ctx)
		if err != nil {
			return err
		}
		if !slices.Contains(projects, project) {
			return apierr.NotFound("Quota for tenant %s could not be found.", project).WithType("TenantQuotaNotFound")
		}
		return s.net.Quotas.DeleteLimits(ctx, tx.Querier(), project)
	})
	if errors.Is(err, quota.ErrExternalLimits) {
		return externalLimits()
	}
	return err
}

// QuotaDetails returns a project's limits with its usage, counted.
func (s *Service) QuotaDetails(ctx context.Context, project string) (map[string]QuotaDetail, error) {
	limits, err := s.net.Quotas.Limits(ctx, s.net.Store().Pool(), project)
	if err != nil {
		return nil, err
	}
	out := make(map[string]QuotaDetail, len(limits))
	err = s.net.Store().View(ctx, func(ctx context.Context, tx network.Tx) error {
		for r, l := range limits {
			used, err := tx.CountOwned(ctx, r, project)
			if err != nil {
				return err
			}
			out[r] = QuotaDetail{Limit: l, Used: used}
		}
		return nil
	})
	return out, err
}
