package conductor

import (
	"context"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/servers"
)

var _ servers.HotPlug = (*Conductor)(nil)

// CanHotPlug asks the instance's host whether its driver hot-plugs NICs.
func (c *Conductor) CanHotPlug(ctx context.Context, inst *compute.Instance) (bool, error) {
	h, err := c.o.Host(inst.Host)
	if err != nil {
		return false, err
	}
	caps, err := h.Capabilities(ctx)
	if err != nil {
		return false, err
	}
	return caps.InterfaceHotPlug, nil
}

// AttachInterface hot-plugs a NIC into the instance on its host, at once
// (os-interface answers when the port is plugged).
func (c *Conductor) AttachInterface(ctx context.Context, inst *compute.Instance, nic driver.NIC) error {
	h, err := c.o.Host(inst.Host)
	if err != nil {
		return err
	}
	return h.AttachInterface(ctx, inst.ID, nic)
}

// DetachInterface unplugs a port from the instance on its host.
func (c *Conductor) DetachInterface(ctx context.Context, inst *compute.Instance, portID string) error {
	h, err := c.o.Host(inst.Host)
	if err != nil {
		return err
	}
	err = h.DetachInterface(ctx, inst.ID, portID)
	if driver.IsNotFound(err) {
		return nil
	}
	return err
}
