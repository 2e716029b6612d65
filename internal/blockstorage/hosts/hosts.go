// Package hosts holds the use cases of the block storage service's
// services, pools and zones: recording the agents' heartbeats, listing
// services (up or down by their heartbeat's age) and changing them
// (enable, disable, freeze, thaw, failover), the scheduler's pools and
// their capabilities, Cinder's os-hosts, and the availability zones.
package hosts

import (
	"context"
	"errors"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/scheduler"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Hosts are the use cases over a Service.
type Hosts struct{ svc *blockstorage.Service }

// New returns the use cases over svc.
func New(svc *blockstorage.Service) Hosts { return Hosts{svc: svc} }

// ServiceFilter narrows a list of services: Host matches a host or its
// backends ("node1" matches "node1@file"), as Cinder's does.
type ServiceFilter struct{ Host, Binary string }

// matchHost reports whether a service host is host or one of its
// backends.
func matchHost(svcHost, host string) bool {
	return svcHost == host || strings.HasPrefix(svcHost, host+"@")
}

// Services lists the services.
func (h Hosts) Services(ctx context.Context, f ServiceFilter) ([]*blockstorage.VolumeService, error) {
	var out []*blockstorage.VolumeService
	err := h.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		all, err := tx.ListVolumeServices(ctx)
		for _, s := range all {
			if (f.Host == "" || matchHost(s.Host, f.Host)) && (f.Binary == "" || s.Binary == f.Binary) {
				out = append(out, s)
			}
		}
		return err
	})
	return out, err
}

// SetStatus enables or disables a service (reason: the disabled reason
// of a disable, "" for none).
func (h Hosts) SetStatus(ctx context.Context, host, binary string, enabled bool, reason string) (*blockstorage.VolumeService, error) {
	var out *blockstorage.VolumeService
	err := h.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		all, err := tx.ListVolumeServices(ctx)
		if err != nil {
			return err
		}
		known := false
		for _, s := range all {
			known = known || s.Host == host
		}
		if !known {
			return apierr.NotFound("Host %s could not be found.", host)
		}
		s, err := tx.GetVolumeService(ctx, host, binary)
		if errors.Is(err, apierr.ErrNotFound) {
			return apierr.NotFound("Service %s could not be found.", binary)
		}
		if err != nil {
			return err
		}
		s.Status, s.DisabledReason = "disabled", reason
		if enabled {
			s.Status, s.DisabledReason = "enabled", ""
		}
		out = s
		return tx.UpdateVolumeService(ctx, s)
	})
	return out, err
}

// SetFrozen freezes or thaws the volume services of a backend host
// ("host@backend", or "host" for all its backends): a frozen backend
// takes no new volumes and no management operations.
func (h Hosts) SetFrozen(ctx context.Context, host string, frozen bool) error {
	return h.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		all, err := tx.ListVolumeServices(ctx)
		if err != nil {
			return err
		}
		n := 0
		for _, s := range all {
			if s.Binary != blockstorage.BinaryVolume || !matchHost(s.Host, blockstorage.ServiceHost(host)) {
				continue
			}
			s.Frozen = frozen
			if err := tx.UpdateVolumeService(ctx, s); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return blockstorage.BadRequest("Invalid input received: No volume service found with host %s.", host)
		}
		return nil
	})
}

// Failover is Cinder's failover of a replicated backend. No backend of
// this service replicates, so a known host answers as Cinder does for
// one whose replication is not enabled.
func (h Hosts) Failover(ctx context.Context, host string) error {
	svcs, err := h.Services(ctx, ServiceFilter{Host: blockstorage.ServiceHost(host), Binary: blockstorage.BinaryVolume})
	if err != nil {
		return err
	}
	if len(svcs) == 0 {
		return apierr.NotFound("Host %s could not be found.", host)
	}
	return blockstorage.BadRequest("Invalid input received: Host replication_status must be enabled or failed-over to failover.")
}

// Pools lists the pools the agents reported; name, when set, keeps the
// pool of that name; specs, when set, the pools that match a volume
// type's extra specs.
func (h Hosts) Pools(ctx context.Context, name string, specs map[string]string) ([]*blockstorage.Pool, error) {
	var out []*blockstorage.Pool
	err := h.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		all, err := tx.ListPools(ctx)
		for _, p := range all {
			if (name == "" || p.Name == name) && (specs == nil || scheduler.Matches(p, specs)) {
				out = append(out, p)
			}
		}
		return err
	})
	return out, err
}

// Capabilities returns the pools of a volume service host ("host@backend",
// a pool name also does), or Cinder's 404 when no such service runs.
func (h Hosts) Capabilities(ctx context.Context, host string) (*blockstorage.VolumeService, []*blockstorage.Pool, error) {
	backend := blockstorage.ServiceHost(host)
	var svc *blockstorage.VolumeService
	var pools []*blockstorage.Pool
	err := h.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		svc, err = tx.GetVolumeService(ctx, backend, blockstorage.BinaryVolume)
		if errors.Is(err, apierr.ErrNotFound) {
			return apierr.NotFound("Service %s could not be found.", backend)
		}
		if err != nil {
			return err
		}
		all, err := tx.ListPools(ctx)
		for _, p := range all {
			if blockstorage.ServiceHost(p.Name) == backend {
				pools = append(pools, p)
			}
		}
		return err
	})
	return svc, pools, err
}

// HostUsage returns the volumes and snapshots on a volume service host,
// per project, after their total (project "(total)"); a host with no
// cinder-volume service is Cinder's 404.
func (h Hosts) HostUsage(ctx context.Context, host string) ([]blockstorage.HostUsage, error) {
	var out []blockstorage.HostUsage
	err := h.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if _, err := tx.GetVolumeService(ctx, host, blockstorage.BinaryVolume); errors.Is(err, apierr.ErrNotFound) {
			return apierr.NotFound("Host %s could not be found.", host)
		} else if err != nil {
			return err
		}
		var err error
		per, err := tx.UsageOnHost(ctx, host)
		total := blockstorage.HostUsage{Project: "(total)"}
		for _, u := range per {
			total.Volumes += u.Volumes
			total.VolumeGB += u.VolumeGB
			total.Snapshots += u.Snapshots
			total.SnapshotGB += u.SnapshotGB
		}
		out = append([]blockstorage.HostUsage{total}, per...)
		return err
	})
	return out, err
}

// Zones are the availability zones of the volume services, each
// available when one of its services is enabled (Cinder does not look
// at whether they are up).
func (h Hosts) Zones(ctx context.Context) (map[string]bool, error) {
	svcs, err := h.Services(ctx, ServiceFilter{Binary: blockstorage.BinaryVolume})
	if err != nil {
		return nil, err
	}
	zones := map[string]bool{}
	for _, s := range svcs {
		zones[s.Zone] = zones[s.Zone] || s.Status == "enabled"
	}
	return zones, nil
}
