package hosts

import (
	"context"

	"github.com/gostack/gostack/internal/compute"
)

// InternalZone is the zone Nova lists its control services in (its
// internal_service_availability_zone): the scheduler and conductor.
const InternalZone = "internal"

// DefaultZone is the zone of compute hosts in no aggregate with a zone
// when the configuration names none (Nova's default_availability_zone).
const DefaultZone = "nova"

// Zones decides the availability zone of every compute host, for every
// part of compute that shows or uses one: os-services, os-hosts,
// os-availability-zone, the servers' OS-EXT-AZ:availability_zone and
// the scheduler's AvailabilityZoneFilter. Nova decides them all from the
// host aggregates (availability_zones.get_host_availability_zone); one
// rule here keeps the APIs from disagreeing about a host.
type Zones struct {
	byHost map[string]string
	dflt   string
}

// NewZones reads the zones of aggs; hosts in none of them are in dflt
// (DefaultZone when empty). A host is in at most one zone: adding it to
// an aggregate of another zone is refused, so the first zone found is
// its zone.
func NewZones(aggs []compute.Aggregate, dflt string) Zones {
	if dflt == "" {
		dflt = DefaultZone
	}
	z := Zones{byHost: map[string]string{}, dflt: dflt}
	for i := range aggs {
		az := aggregateZone(&aggs[i])
		if az == "" {
			continue
		}
		for _, h := range aggs[i].Hosts {
			if _, ok := z.byHost[h]; !ok {
				z.byHost[h] = az
			}
		}
	}
	return z
}

// aggregateZone is a's zone: the mirrored column, or its metadata for a
// record that predates the column.
func aggregateZone(a *compute.Aggregate) string {
	if a.AZ != "" {
		return a.AZ
	}
	return a.Metadata["availability_zone"]
}

// Host returns the zone of compute host host.
func (z Zones) Host(host string) string {
	if az, ok := z.byHost[host]; ok {
		return az
	}
	return z.Default()
}

// Aggregated returns the zone of host's aggregates, or "" when none has
// one.
func (z Zones) Aggregated(host string) string { return z.byHost[host] }

// Default returns the zone of hosts in no zone aggregate.
func (z Zones) Default() string {
	if z.dflt == "" {
		return DefaultZone
	}
	return z.dflt
}

// Service returns the zone os-services shows for a service: its host's
// zone for nova-compute, the internal zone for the control services.
func (z Zones) Service(hs compute.HostService) string {
	if hs.Binary != BinaryCompute {
		return InternalZone
	}
	return z.Host(hs.Host)
}

// Instance returns the zone a server shows: its host's zone once it has
// one, else the zone it asked for (or was last placed in, when shelved
// offloaded), as Nova's get_instance_availability_zone.
func (z Zones) Instance(inst *compute.Instance) string {
	if inst.Host == "" {
		return inst.AvailabilityZone
	}
	return z.Host(inst.Host)
}

// HostZones reads the zones of the compute hosts now.
func (s *Service) HostZones(ctx context.Context) (Zones, error) {
	aggs, err := s.store.ListAggregates(ctx)
	if err != nil {
		return Zones{}, err
	}
	return NewZones(aggs, s.cfg.DefaultAvailabilityZone), nil
}
