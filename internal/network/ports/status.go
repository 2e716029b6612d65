package ports

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
)

// StatusReport is what a host's network agent reports of the ports it
// wires: each port's new status (ACTIVE once its device is plugged,
// DOWN when it is gone), and the router and DHCP ports it took on,
// bound to its host.
type StatusReport struct {
	Host   string
	Status map[string]string
	// Bind are ports to bind to Host (routers' legs, which no one else
	// binds).
	Bind []string
}

// ReportStatus records an agent's report in one transaction and tells
// compute that its servers' ports went up (network-vif-plugged), as
// Neutron does when an agent reports a device up. Ports deleted
// meanwhile are skipped.
func (s *Service) ReportStatus(ctx context.Context, r StatusReport) error {
	var plugged []*network.Port
	err := s.net.Store().Update(ctx, func(ctx context.Context, tx network.Tx) error {
		plugged = nil
		ids := map[string]bool{}
		for id := range r.Status {
			ids[id] = true
		}
		for _, id := range r.Bind {
			ids[id] = true
		}
		for id := range ids {
			p, err := tx.GetPort(ctx, id)
			if errors.Is(err, apierr.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			changed := false
			if st, ok := r.Status[id]; ok && st != p.Status {
				p.Status, changed = st, true
				if st == "ACTIVE" {
					plugged = append(plugged, p)
				}
			}
			for _, b := range r.Bind {
				if b == id && p.HostID != r.Host {
					prev := p.HostID
					p.HostID, changed = r.Host, true
					s.bind(p, prev)
					if st, ok := r.Status[id]; ok {
						p.Status = st
					}
				}
			}
			if !changed {
				continue
			}
			p.UpdatedAt = db.Now()
			p.Revision++
			if err := tx.UpdatePort(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.net.Notify(ctx, "network-vif-plugged", plugged...)
	return nil
}
