package servers

import (
	"context"
	"slices"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/nwinfo"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// interfaceStates are the states os-interface attach and detach accept
// (Nova's check_instance_state on attach_interface/detach_interface).
var interfaceStates = compute.StateCheck{VM: []string{compute.VMActive, compute.VMPaused, compute.VMStopped}}

// needNetwork returns the network service, or Nova's answer without one.
func (s *Service) needNetwork() (Network, error) {
	if s.net == nil {
		return nil, apierr.BadRequest("The network service is not available in this cloud yet.")
	}
	return s.net, nil
}

// Interfaces returns the server's ports as the network service has them
// now (Nova lists them from Neutron, not from its cache).
func (s *Service) Interfaces(ctx context.Context, c compute.Caller, id string) (nwinfo.Info, error) {
	inst, err := s.Get(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if s.net == nil {
		return nwinfo.Of(inst.SystemMetadata), nil
	}
	return s.net.Refresh(ctx, inst)
}

// AttachInterface creates (on a network) or binds (a given port) a port
// for the server, plugs it on the server's host and adds it to the
// network info cache. A given port is first recorded in the cache as
// the user's, so that whatever a crash interrupts, the port is unbound,
// never deleted, when the server goes.
func (s *Service) AttachInterface(ctx context.Context, c compute.Caller, id string, req nwinfo.InterfaceRequest) (nwinfo.VIF, error) {
	net, err := s.needNetwork()
	if err != nil {
		return nwinfo.VIF{}, err
	}
	inst, err := s.Get(ctx, c, id)
	if err != nil {
		return nwinfo.VIF{}, err
	}
	if err := compute.LockError(c, inst); err != nil {
		return nwinfo.VIF{}, err
	}
	if err := interfaceStates.Check("attach_interface", inst); err != nil {
		return nwinfo.VIF{}, err
	}
	plug, err := s.interfaces()
	if err != nil {
		return nwinfo.VIF{}, err
	}
	// Nova's compute manager refuses before any port is made when its
	// driver cannot hot-plug (AttachInterfaceNotSupported, a 400).
	if ok, err := plug.CanHotPlug(ctx, inst); err != nil {
		return nwinfo.VIF{}, err
	} else if !ok {
		return nwinfo.VIF{}, errAttachUnsupported(inst.ID)
	}
	if req.PortID != "" {
		if _, ok := nwinfo.Of(inst.SystemMetadata).Find(req.PortID); ok {
			return nwinfo.VIF{}, apierr.Conflict("Port %s is still in use.", req.PortID)
		}
		if inst, err = s.setVIF(ctx, id, nwinfo.VIF{PortID: req.PortID, Preserve: true}); err != nil {
			return nwinfo.VIF{}, err
		}
	}
	vif, err := net.Attach(ctx, c, inst, req)
	if err != nil {
		if req.PortID != "" {
			s.dropVIF(ctx, id, req.PortID)
		}
		return nwinfo.VIF{}, err
	}
	if err := plug.AttachInterface(ctx, inst, vif.NIC()); err != nil {
		_ = net.Detach(context.WithoutCancel(ctx), inst, vif)
		s.dropVIF(ctx, id, vif.PortID)
		if driver.IsUnsupported(err) {
			return nwinfo.VIF{}, errAttachUnsupported(inst.ID).WithCause(err)
		}
		return nwinfo.VIF{}, apierr.New(500, "Failed to attach network adapter device to %s", inst.ID).WithCause(err)
	}
	if _, err := s.setVIF(ctx, id, vif); err != nil {
		return nwinfo.VIF{}, err
	}
	return vif, nil
}

// DetachInterface unplugs one of the server's ports and deletes it (or
// unbinds it when the user gave it).
func (s *Service) DetachInterface(ctx context.Context, c compute.Caller, id, portID string) error {
	net, err := s.needNetwork()
	if err != nil {
		return err
	}
	inst, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	if err := compute.LockError(c, inst); err != nil {
		return err
	}
	if err := interfaceStates.Check("detach_interface", inst); err != nil {
		return err
	}
	vif, ok := nwinfo.Of(inst.SystemMetadata).Find(portID)
	if !ok {
		// The cache may lag behind the network service (a port bound to
		// the server by someone else): ask it.
		info, err := net.Refresh(ctx, inst)
		if err != nil {
			return err
		}
		if vif, ok = info.Find(portID); !ok {
			return apierr.NotFound("Port %s is not attached", portID)
		}
	}
	plug, err := s.interfaces()
	if err != nil {
		return err
	}
	if err := plug.DetachInterface(ctx, inst, portID); driver.IsUnsupported(err) {
		// Nova's answer when the driver cannot (NotImplementedError).
		return apierr.NotImplemented("Feature not supported.").WithCause(err)
	} else if err != nil && !apierr.IsNotFound(err) {
		return err
	}
	if err := net.Detach(ctx, inst, vif); err != nil {
		return err
	}
	s.dropVIF(ctx, id, portID)
	return nil
}

// errAttachUnsupported is Nova's AttachInterfaceNotSupported.
func errAttachUnsupported(id string) *apierr.Error {
	return apierr.BadRequest("Attaching interfaces is not supported for instance %s.", id)
}

// interfaces is the conductor's synchronous hot-plug.
func (s *Service) interfaces() (HotPlug, error) {
	cond, err := s.deps.NeedConductor()
	if err != nil {
		return nil, err
	}
	ifs, ok := cond.(HotPlug)
	if !ok {
		return nil, apierr.NotImplemented("Attaching interfaces is not supported by this conductor.")
	}
	return ifs, nil
}

// setVIF adds or replaces a VIF in the server's network info cache.
func (s *Service) setVIF(ctx context.Context, id string, vif nwinfo.VIF) (*compute.Instance, error) {
	return compute.Step(ctx, s.store, id, func(i *compute.Instance) error {
		info := nwinfo.Of(i.SystemMetadata)
		if j := slices.IndexFunc(info, func(v nwinfo.VIF) bool { return v.PortID == vif.PortID }); j >= 0 {
			vif.Preserve = vif.Preserve || info[j].Preserve
			info[j] = vif
		} else {
			info = append(info, vif)
		}
		i.SystemMetadata = info.Store(i.SystemMetadata)
		return nil
	})
}

// dropVIF removes a port from the server's network info cache.
func (s *Service) dropVIF(ctx context.Context, id, portID string) {
	// A server deleted meanwhile has nothing left to drop.
	_, _ = compute.Step(context.WithoutCancel(ctx), s.store, id, func(i *compute.Instance) error {
		i.SystemMetadata = nwinfo.Info(slices.DeleteFunc(nwinfo.Of(i.SystemMetadata), func(v nwinfo.VIF) bool { return v.PortID == portID })).Store(i.SystemMetadata)
		return nil
	})
}
