package catalog

import (
	"context"

	"github.com/gostack/gostack/internal/identity/directory"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// LimitModel is the enforcement model of unified limits; gostack
// implements the flat model only.
type LimitModel struct{ Name, Description string }

// LimitModel returns the limit enforcement model.
func (s *Service) LimitModel() LimitModel {
	return LimitModel{Name: "flat", Description: "Limit enforcement and validation does not take project hierarchy into consideration."}
}

func (s *Service) checkLimitTarget(ctx context.Context, serviceID, regionID, resource string) error {
	if serviceID == "" {
		return apierr.BadRequest("Invalid input for field 'service_id': a service id is required.")
	}
	if resource == "" || len(resource) > 255 {
		return apierr.BadRequest("Invalid input for field 'resource_name': a resource name of 1 to 255 characters is required.")
	}
	if _, err := s.store.GetService(ctx, serviceID); err != nil {
		if apierr.IsNotFound(err) {
			return apierr.BadRequest("Invalid input for field 'service_id': service %s does not exist.", directory.Brief(serviceID))
		}
		return err
	}
	if regionID != "" {
		if _, err := s.store.GetRegion(ctx, regionID); err != nil {
			if apierr.IsNotFound(err) {
				return apierr.BadRequest("Invalid input for field 'region_id': region %s does not exist.", directory.Brief(regionID))
			}
			return err
		}
	}
	return nil
}

func checkLimitValue(field string, v int64) error {
	if v < -1 || v > 2147483647 {
		return apierr.BadRequest("Invalid input for field '%s': %d is out of range (-1 to 2147483647).", field, v)
	}
	return nil
}

// CreateRegisteredLimits creates registered limits, all or none.
func (s *Service) CreateRegisteredLimits(ctx context.Context, ls []*RegisteredLimit) ([]*RegisteredLimit, error) {
	if len(ls) == 0 {
		return nil, apierr.BadRequest("Invalid input for field 'registered_limits': at least one registered limit is required.")
	}
	seen := map[[3]string]bool{}
	for _, l := range ls {
		if err := s.checkLimitTarget(ctx, l.ServiceID, l.RegionID, l.ResourceName); err != nil {
			return nil, err
		}
		if err := checkLimitValue("default_limit", l.DefaultLimit); err != nil {
			return nil, err
		}
		k := [3]string{l.ServiceID, l.RegionID, l.ResourceName}
		if seen[k] {
			return nil, apierr.Conflict("Duplicate entry found with the same service, region and resource name.")
		}
		seen[k] = true
		l.ID = directory.NewID()
	}
	if err := s.store.CreateRegisteredLimits(ctx, ls); err != nil {
		return nil, err
	}
	return ls, nil
}

// GetRegisteredLimit returns a registered limit.
func (s *Service) GetRegisteredLimit(ctx context.Context, id string) (*RegisteredLimit, error) {
	return s.store.GetRegisteredLimit(ctx, id)
}

// ListRegisteredLimits lists registered limits by service, region and
// resource ("" any).
func (s *Service) ListRegisteredLimits(ctx context.Context, serviceID, regionID, resource string) ([]*RegisteredLimit, error) {
	all, err := s.store.ListRegisteredLimits(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, l := range all {
		if (serviceID == "" || l.ServiceID == serviceID) && (regionID == "" || l.RegionID == regionID) && (resource == "" || l.ResourceName == resource) {
			out = append(out, l)
		}
	}
	return out, nil
}

// RegisteredLimitPatch is an update of a registered limit.
type RegisteredLimitPatch struct {
	ServiceID, RegionID, ResourceName, Description *string
	DefaultLimit                                   *int64
}

// UpdateRegisteredLimit updates a registered limit. Its service, region
// and resource cannot change while project limits refer to it.
func (s *Service) UpdateRegisteredLimit(ctx context.Context, id string, p RegisteredLimitPatch) (*RegisteredLimit, error) {
	l, err := s.store.GetRegisteredLimit(ctx, id)
	if err != nil {
		return nil, err
	}
	next := *l
	if p.ServiceID != nil {
		next.ServiceID = *p.ServiceID
	}
	if p.RegionID != nil {
		next.RegionID = *p.RegionID
	}
	if p.ResourceName != nil {
		next.ResourceName = *p.ResourceName
	}
	if p.Description != nil {
		next.Description = *p.Description
	}
	if p.DefaultLimit != nil {
		if err := checkLimitValue("default_limit", *p.DefaultLimit); err != nil {
			return nil, err
		}
		next.DefaultLimit = *p.DefaultLimit
	}
	if next.ServiceID != l.ServiceID || next.RegionID != l.RegionID || next.ResourceName != l.ResourceName {
		if err := s.checkLimitTarget(ctx, next.ServiceID, next.RegionID, next.ResourceName); err != nil {
			return nil, err
		}
		if n, err := s.limitsUsing(ctx, l); err != nil {
			return nil, err
		} else if n > 0 {
			return nil, apierr.Forbidden("Cannot update a registered limit that project limits refer to.")
		}
	}
	if err := s.store.UpdateRegisteredLimit(ctx, &next); err != nil {
		return nil, err
	}
	return &next, nil
}

func (s *Service) limitsUsing(ctx context.Context, rl *RegisteredLimit) (int, error) {
	ls, err := s.store.ListLimits(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range ls {
		if l.ServiceID == rl.ServiceID && l.RegionID == rl.RegionID && l.ResourceName == rl.ResourceName {
			n++
		}
	}
	return n, nil
}

// DeleteRegisteredLimit deletes a registered limit no limit refers to.
func (s *Service) DeleteRegisteredLimit(ctx context.Context, id string) error {
	l, err := s.store.GetRegisteredLimit(ctx, id)
	if err != nil {
		return err
	}
	if n, err := s.limitsUsing(ctx, l); err != nil {
		return err
	} else if n > 0 {
		return apierr.Forbidden("Cannot delete a registered limit that project limits refer to.")
	}
	return s.store.DeleteRegisteredLimit(ctx, id)
}

// CreateLimits creates project or domain limits, all or none. Each needs
// a registered limit for the same service, region and resource.
func (s *Service) CreateLimits(ctx context.Context, ls []*Limit) ([]*Limit, error) {
	if len(ls) == 0 {
		return nil, apierr.BadRequest("Invalid input for field 'limits': at least one limit is required.")
	}
	regs, err := s.store.ListRegisteredLimits(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range ls {
		if (l.ProjectID == "") == (l.DomainID == "") {
			return nil, apierr.BadRequest("Invalid input: a limit needs either a project_id or a domain_id.")
		}
		if err := s.checkLimitTarget(ctx, l.ServiceID, l.RegionID, l.ResourceName); err != nil {
			return nil, err
		}
		if err := checkLimitValue("resource_limit", l.ResourceLimit); err != nil {
			return nil, err
		}
		if l.ProjectID != "" {
			if _, err := s.dir.GetProject(ctx, l.ProjectID); err != nil {
				if apierr.IsNotFound(err) {
					return nil, apierr.BadRequest("Invalid input for field 'project_id': project %s does not exist.", directory.Brief(l.ProjectID))
				}
				return nil, err
			}
		} else if _, err := s.dir.GetDomain(ctx, l.DomainID); err != nil {
			if apierr.IsNotFound(err) {
				return nil, apierr.BadRequest("Invalid input for field 'domain_id': domain %s does not exist.", directory.Brief(l.DomainID))
			}
			return nil, err
		}
		found := false
		for _, r := range regs {
			if r.ServiceID == l.ServiceID && r.RegionID == l.RegionID && r.ResourceName == l.ResourceName {
				found = true
			}
		}
		if !found {
			return nil, apierr.Forbidden("Cannot create a limit without a registered limit for service %s, region %s, resource %s.", l.ServiceID, l.RegionID, l.ResourceName)
		}
		l.ID = directory.NewID()
	}
	if err := s.store.CreateLimits(ctx, ls); err != nil {
		return nil, err
	}
	return ls, nil
}

// GetLimit returns a limit.
func (s *Service) GetLimit(ctx context.Context, id string) (*Limit, error) {
	return s.store.GetLimit(ctx, id)
}

// LimitFilter selects limits; empty fields match any.
type LimitFilter struct {
	ServiceID, RegionID, ResourceName, ProjectID, DomainID string
}

// ListLimits lists limits by filter.
func (s *Service) ListLimits(ctx context.Context, f LimitFilter) ([]*Limit, error) {
	all, err := s.store.ListLimits(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, l := range all {
		if (f.ServiceID == "" || l.ServiceID == f.ServiceID) && (f.RegionID == "" || l.RegionID == f.RegionID) &&
			(f.ResourceName == "" || l.ResourceName == f.ResourceName) && (f.ProjectID == "" || l.ProjectID == f.ProjectID) &&
			(f.DomainID == "" || l.DomainID == f.DomainID) {
			out = append(out, l)
		}
	}
	return out, nil
}

// UpdateLimit updates a limit's value and description.
func (s *Service) UpdateLimit(ctx context.Context, id string, value *int64, description *string) (*Limit, error) {
	l, err := s.store.GetLimit(ctx, id)
	if err != nil {
		return nil, err
	}
	if value != nil {
		if err := checkLimitValue("resource_limit", *value); err != nil {
			return nil, err
		}
		l.ResourceLimit = *value
	}
	if description != nil {
		l.Description = *description
	}
	if err := s.store.UpdateLimit(ctx, l); err != nil {
		return nil, err
	}
	return l, nil
}

// DeleteLimit deletes a limit.
func (s *Service) DeleteLimit(ctx context.Context, id string) error {
	return s.store.DeleteLimit(ctx, id)
}

// ProjectLimit returns the limit of resource for a project, for services
// enforcing quotas: the project's own limit, else the registered default
// (a region-specific one first). It returns -1 (unlimited) when neither
// exists.
func (s *Service) ProjectLimit(ctx context.Context, projectID, serviceType, region, resource string) (int64, error) {
	svcs, err := s.ListServices(ctx, serviceType, "")
	if err != nil {
		return 0, err
	}
	ids := map[string]bool{}
	for _, sv := range svcs {
		ids[sv.ID] = true
	}
	ls, err := s.store.ListLimits(ctx)
	if err != nil {
		return 0, err
	}
	best, bestRank := int64(-1), 0
	for _, l := range ls {
		if l.ProjectID != projectID || !ids[l.ServiceID] || l.ResourceName != resource {
			continue
		}
		rank := 1
		if l.RegionID == region {
			rank = 2
		} else if l.RegionID != "" {
			continue
		}
		if rank > bestRank {
			best, bestRank = l.ResourceLimit, rank
		}
	}
	if bestRank > 0 {
		return best, nil
	}
	regs, err := s.store.ListRegisteredLimits(ctx)
	if err != nil {
		return 0, err
	}
	for _, l := range regs {
		if !ids[l.ServiceID] || l.ResourceName != resource {
			continue
		}
		rank := 1
		if l.RegionID == region {
			rank = 2
		} else if l.RegionID != "" {
			continue
		}
		if rank > bestRank {
			best, bestRank = l.DefaultLimit, rank
		}
	}
	return best, nil
}
