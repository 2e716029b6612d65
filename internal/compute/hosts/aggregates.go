package hosts

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// aggregateNotFound is Nova's AggregateNotFound.
func aggregateNotFound(id int64) error {
	return apierr.NotFound("Aggregate %d could not be found.", id)
}

func (s *Service) getAggregate(ctx context.Context, id int64) (*compute.Aggregate, error) {
	a, err := s.store.GetAggregate(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, aggregateNotFound(id)
	}
	return a, err
}

// CreateAggregate creates an aggregate, optionally in a zone.
func (s *Service) CreateAggregate(ctx context.Context, name, az string) (*compute.Aggregate, error) {
	if err := compute.ValidName("name", name); err != nil {
		return nil, err
	}
	a := &compute.Aggregate{Name: name, AZ: az, Hosts: []string{}, Metadata: map[string]string{}, CreatedAt: s.deps.Clock()}
	if az != "" {
		a.Metadata["availability_zone"] = az
	}
	if err := s.store.CreateAggregate(ctx, a); err != nil {
		if errors.Is(err, apierr.ErrDuplicate) {
			return nil, apierr.Conflict("Aggregate %s already exists.", name)
		}
		return nil, err
	}
	return a, nil
}

// Aggregates lists every aggregate.
func (s *Service) Aggregates(ctx context.Context) ([]compute.Aggregate, error) {
	return s.store.ListAggregates(ctx)
}

// GetAggregate returns one aggregate.
func (s *Service) GetAggregate(ctx context.Context, id int64) (*compute.Aggregate, error) {
	return s.getAggregate(ctx, id)
}

// safeZoneChange is Nova's is_safe_to_update_az: a host may be in one
// zone only, and a zone cannot be empty-named.
func (s *Service) safeZoneChange(ctx context.Context, a *compute.Aggregate, az string, hosts []string, reason func(string) error) error {
	if az == "" {
		return reason(fmt.Sprintf("Aggregate %s does not support empty named availability zone", a.Name))
	}
	all, err := s.store.ListAggregates(ctx)
	if err != nil {
		return err
	}
	var clash []string
	for _, o := range all {
		if o.ID == a.ID || o.AZ == "" || o.AZ == az {
			continue
		}
		for _, h := range hosts {
			if slices.Contains(o.Hosts, h) && !slices.Contains(clash, o.AZ) {
				clash = append(clash, o.AZ)
			}
		}
	}
	if len(clash) > 0 {
		return reason(fmt.Sprintf("One or more hosts already in availability zone(s) %s", compute.PyList(clash)))
	}
	return nil
}

// UpdateAggregate renames or moves an aggregate to another zone.
func (s *Service) UpdateAggregate(ctx context.Context, id int64, name, az *string) (*compute.Aggregate, error) {
	a, err := s.getAggregate(ctx, id)
	if err != nil {
		return nil, err
	}
	if name != nil {
		if err := compute.ValidName("name", *name); err != nil {
			return nil, err
		}
	}
	if az != nil {
		reason := func(r string) error { return apierr.BadRequest("Cannot update aggregate %d. Reason: %s.", id, r) }
		if err := s.safeZoneChange(ctx, a, *az, a.Hosts, reason); err != nil {
			return nil, err
		}
		if *az != a.AZ {
			if err := s.noInstancesOn(ctx, a.Hosts, reason); err != nil {
				return nil, err
			}
		}
	}
	out, err := s.store.UpdateAggregate(ctx, id, func(a *compute.Aggregate) error {
		if name != nil {
			a.Name = *name
		}
		if az != nil {
			a.AZ = *az
			if a.Metadata == nil {
				a.Metadata = map[string]string{}
			}
			a.Metadata["availability_zone"] = *az
		}
		return nil
	})
	switch {
	case errors.Is(err, apierr.ErrDuplicate):
		return nil, apierr.Conflict("Aggregate %s already exists.", *name)
	case errors.Is(err, apierr.ErrNotFound):
		return nil, aggregateNotFound(id)
	}
	return out, err
}

// noInstancesOn refuses when any of hosts has instances.
func (s *Service) noInstancesOn(ctx context.Context, hosts []string, reason func(string) error) error {
	for _, h := range hosts {
		insts, err := s.store.ListInstances(ctx, compute.InstanceFilter{Host: h, Limit: 1})
		if err != nil {
			return err
		}
		if len(insts) > 0 {
			return reason("One or more hosts contain instances in this zone")
		}
	}
	return nil
}

// DeleteAggregate removes an empty aggregate; one with hosts left is a
// 400, Nova's InvalidAggregateAction.
func (s *Service) DeleteAggregate(ctx context.Context, id int64) error {
	a, err := s.getAggregate(ctx, id)
	if err != nil {
		return err
	}
	if len(a.Hosts) > 0 {
		return apierr.BadRequest("Cannot remove host from aggregate %d. Reason: Host aggregate is not empty.", id)
	}
	err = s.store.DeleteAggregate(ctx, id)
	if errors.Is(err, apierr.ErrNotFound) {
		return aggregateNotFound(id)
	}
	return err
}

// AddAggregateHost adds a compute host; an unknown host is a 404,
// a host already in it a 409, a zone clash a 400.
func (s *Service) AddAggregateHost(ctx context.Context, id int64, host string) (*compute.Aggregate, error) {
	a, err := s.getAggregate(ctx, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.Exists(ctx, host)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apierr.NotFound("Compute host %s could not be found.", host)
	}
	if slices.Contains(a.Hosts, host) {
		return nil, apierr.Conflict("Aggregate %d already has host %s.", id, host)
	}
	reason := func(r string) error { return apierr.Conflict("Cannot add host to aggregate %d. Reason: %s.", id, r) }
	if a.AZ != "" {
		if err := s.safeZoneChange(ctx, a, a.AZ, []string{host}, reason); err != nil {
			return nil, err
		}
		all, err := s.store.ListAggregates(ctx)
		if err != nil {
			return nil, err
		}
		old := NewZones(all, s.cfg.DefaultAvailabilityZone).Aggregated(host)
		if old != a.AZ {
			insts, err := s.store.ListInstances(ctx, compute.InstanceFilter{Host: host})
			if err != nil {
				return nil, err
			}
			if len(insts) > 0 {
				return nil, reason(fmt.Sprintf("The host cannot be added to the aggregate as the availability zone of the host would change from '%s' to '%s' but the host already has %d instance(s). Changing the AZ of an existing instance is not supported by this action. Move the instances away from this host then try again. If you need to move the instances between AZs then you can use shelve_offload and unshelve to achieve this.", pyNone(old), a.AZ, len(insts)))
			}
		}
	}
	return s.updateHosts(ctx, id, func(a *compute.Aggregate) error {
		if slices.Contains(a.Hosts, host) {
			return apierr.Conflict("Aggregate %d already has host %s.", id, host)
		}
		a.Hosts = append(a.Hosts, host)
		return nil
	})
}

func pyNone(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

func (s *Service) updateHosts(ctx context.Context, id int64, fn func(*compute.Aggregate) error) (*compute.Aggregate, error) {
	out, err := s.store.UpdateAggregate(ctx, id, fn)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, aggregateNotFound(id)
	}
	return out, err
}

// RemoveAggregateHost removes a host (404 when not a member).
func (s *Service) RemoveAggregateHost(ctx context.Context, id int64, host string) (*compute.Aggregate, error) {
	a, err := s.getAggregate(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(a.Hosts, host) {
		return nil, apierr.NotFound("Cannot remove host %s in aggregate %d", host, id)
	}
	if a.AZ != "" {
		all, err := s.store.ListAggregates(ctx)
		if err != nil {
			return nil, err
		}
		next := ""
		for _, o := range all {
			if o.ID != a.ID && o.AZ != "" && slices.Contains(o.Hosts, host) {
				next = o.AZ
			}
		}
		if next != a.AZ {
			insts, err := s.store.ListInstances(ctx, compute.InstanceFilter{Host: host})
			if err != nil {
				return nil, err
			}
			if len(insts) > 0 {
				return nil, apierr.Conflict("Cannot remove host from aggregate %d. Reason: The host cannot be removed from the aggregate as the availability zone of the host would change from '%s' to '%s' but the host already has %d instance(s). Changing the AZ of an existing instance is not supported by this action. Move the instances away from this host then try again. If you need to move the instances between AZs then you can use shelve_offload and unshelve to achieve this..", id, a.AZ, pyNone(next), len(insts))
			}
		}
	}
	return s.updateHosts(ctx, id, func(a *compute.Aggregate) error {
		n := slices.Index(a.Hosts, host)
		if n < 0 {
			return apierr.NotFound("Cannot remove host %s in aggregate %d", host, id)
		}
		a.Hosts = slices.Delete(a.Hosts, n, n+1)
		return nil
	})
}

// SetAggregateMetadata sets keys; a nil value deletes the key.
func (s *Service) SetAggregateMetadata(ctx context.Context, id int64, md map[string]*string) (*compute.Aggregate, error) {
	a, err := s.getAggregate(ctx, id)
	if err != nil {
		return nil, err
	}
	if v, ok := md["availability_zone"]; ok && v != nil {
		reason := func(r string) error {
			return apierr.BadRequest("Cannot update metadata of aggregate %d. Reason: %s.", id, r)
		}
		if err := s.safeZoneChange(ctx, a, *v, a.Hosts, reason); err != nil {
			return nil, err
		}
		if *v != a.AZ {
			if err := s.noInstancesOn(ctx, a.Hosts, reason); err != nil {
				return nil, err
			}
		}
	}
	for k, v := range md {
		if len(k) == 0 || len(k) > 255 || v != nil && len(*v) > 255 {
			return nil, apierr.BadRequest("Invalid input for field/attribute metadata. Value: %s.", k)
		}
	}
	return s.updateHosts(ctx, id, func(a *compute.Aggregate) error {
		if a.Metadata == nil {
			a.Metadata = map[string]string{}
		}
		for k, v := range md {
			if v == nil {
				delete(a.Metadata, k)
				if k == "availability_zone" {
					a.AZ = ""
				}
				continue
			}
			a.Metadata[k] = *v
			if k == "availability_zone" {
				a.AZ = *v
			}
		}
		return nil
	})
}

// ZoneExists says whether servers may ask for zone az: the default
// zone, or a zone of an aggregate that has hosts.
func (s *Service) ZoneExists(ctx context.Context, az string) (bool, error) {
	if az == s.cfg.DefaultAvailabilityZone {
		return true, nil
	}
	aggs, err := s.store.ListAggregates(ctx)
	if err != nil {
		return false, err
	}
	for _, a := range aggs {
		if a.AZ == az && len(a.Hosts) > 0 {
			return true, nil
		}
	}
	return false, nil
}
