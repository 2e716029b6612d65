package servers

import (
	"context"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// The server actions Nova kept from nova-network, done on the server's
// ports in the networking service: security groups added and removed,
// floating IPs associated (to 2.43). They answer at once, as Nova's do,
// and a floating IP's change is written to the network info cache before
// the answer, so that the next GET shows it.

// SecurityGroupBindings returns the names of the security groups of the
// instances' ports by instance id; ok is false without a network service
// (the view then shows the names the server was created with).
func (s *Service) SecurityGroupBindings(ctx context.Context, c compute.Caller, insts []compute.Instance) (map[string][]string, bool, error) {
	if s.net == nil {
		return nil, false, nil
	}
	ids := make([]string, 0, len(insts))
	for i := range insts {
		if !insts[i].Deleted && !insts[i].Networks.None {
			ids = append(ids, insts[i].ID)
		}
	}
	if len(ids) == 0 {
		return map[string][]string{}, true, nil
	}
	out, err := s.net.SecurityGroups(ctx, c, ids)
	return out, err == nil, err
}

// AddSecurityGroup adds a security group to the server's ports.
func (s *Service) AddSecurityGroup(ctx context.Context, c compute.Caller, id, name string) error {
	net, err := s.needNetwork()
	if err != nil {
		return err
	}
	inst, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	return net.AddSecurityGroup(ctx, c, inst, name)
}

// RemoveSecurityGroup removes a security group from the server's ports.
func (s *Service) RemoveSecurityGroup(ctx context.Context, c compute.Caller, id, name string) error {
	net, err := s.needNetwork()
	if err != nil {
		return err
	}
	inst, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	return net.RemoveSecurityGroup(ctx, c, inst, name)
}

// AddFloatingIP maps a floating address to one of the server's fixed
// addresses, and refreshes the caches of the server and of the one the
// address was taken from.
func (s *Service) AddFloatingIP(ctx context.Context, c compute.Caller, id, address, fixed string) error {
	net, err := s.needNetwork()
	if err != nil {
		return err
	}
	inst, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	from, err := net.AssociateFloatingIP(ctx, c, inst, address, fixed)
	if err != nil {
		return err
	}
	s.refreshNetwork(ctx, id)
	if from != "" && from != id {
		s.refreshNetwork(ctx, from)
	}
	return nil
}

// RemoveFloatingIP unmaps a floating address from the server: Nova's
// 404 when the address does not exist, 409 when it is not the server's.
func (s *Service) RemoveFloatingIP(ctx context.Context, c compute.Caller, id, address string) error {
	net, err := s.needNetwork()
	if err != nil {
		return err
	}
	if _, err := s.Get(ctx, c, id); err != nil {
		return err
	}
	owner, err := net.FloatingIPInstance(ctx, c, address)
	if err != nil {
		return err
	}
	if owner != "" {
		// Nova reads the instance the address maps to: one gone (or not
		// the caller's to see) is a 404.
		if _, err := s.Get(ctx, c, owner); err != nil {
			return err
		}
	}
	if owner != id {
		return apierr.Conflict("Floating IP %s is not associated with instance %s.", address, id)
	}
	if err := net.DisassociateFloatingIP(ctx, c, address); err != nil {
		return err
	}
	s.refreshNetwork(ctx, id)
	return nil
}

// refreshNetwork reads the server's ports again into its network info
// cache. A failure leaves the cache as it was: the network-changed event
// or the next refresh corrects it, so the action that changed the ports
// still succeeds.
func (s *Service) refreshNetwork(ctx context.Context, id string) {
	if s.net == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	inst, err := s.store.GetInstance(ctx, id)
	if err != nil || compute.Gone(inst) {
		return
	}
	info, err := s.net.Refresh(ctx, inst)
	if err != nil {
		return
	}
	_, _ = compute.Step(ctx, s.store, id, func(i *compute.Instance) error {
		i.SystemMetadata = info.Store(i.SystemMetadata)
		return nil
	})
}
