package core

import (
	"context"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/nwinfo"
)

// Network is the networking service as the conductor uses it: the
// ports of a build, a move and a delete. Package netinfo implements it.
type Network interface {
	// Allocate creates the instance's ports (or binds the ones it was
	// given) on host, in the order asked, and returns their network info.
	// It is idempotent: ports already made for the instance (found by
	// device_id) are re-bound, not created again, so a build retried on
	// another host or after a crash reuses them.
	Allocate(ctx context.Context, inst *compute.Instance, host string) (nwinfo.Info, error)
	// Bind moves the bindings of the instance's ports to host (a move:
	// resize, migration, evacuation, unshelve; "" unbinds them from any
	// host, as a shelved offloaded server has none) and returns their
	// network info. It creates nothing.
	Bind(ctx context.Context, inst *compute.Instance, host string) (nwinfo.Info, error)
	// Deallocate deletes the ports compute created for the instance and
	// unbinds the ones the user gave (Nova's preserve_on_delete).
	Deallocate(ctx context.Context, inst *compute.Instance) error
	// Refresh reads the instance's ports again (network-changed).
	Refresh(ctx context.Context, inst *compute.Instance) (nwinfo.Info, error)
	// Orphans deletes or unbinds compute's ports whose instance is gone;
	// lookup returns the instances (deleted ones included) of the ids it
	// knows.
	Orphans(ctx context.Context, lookup func(ctx context.Context, ids []string) (map[string]*compute.Instance, error)) error
}

// Plug makes and binds the instance's ports on host and stores their
// network info with the instance (which must still pass expect); it
// returns the instance as stored. Without a network service it returns
// inst unchanged.
func (b *Base) Plug(ctx context.Context, inst *compute.Instance, host string, expect func(*compute.Instance) bool) (*compute.Instance, error) {
	if b.Cfg.Network == nil || inst.Networks.None {
		return inst, nil
	}
	info, err := b.Cfg.Network.Allocate(ctx, inst, host)
	if err != nil {
		return nil, err
	}
	return compute.Step(ctx, b.Store, inst.ID, func(i *compute.Instance) error {
		if expect != nil && !expect(i) {
			return compute.ErrStale
		}
		i.SystemMetadata = info.Store(i.SystemMetadata)
		return nil
	})
}

// Rebind moves the bindings of the instance's ports to host (a move's
// destination, or its source again when the move is undone; "" for a
// server offloaded from every host) and stores their network info with
// the instance; it returns the instance as stored. Without a network
// service it returns inst unchanged.
func (b *Base) Rebind(ctx context.Context, inst *compute.Instance, host string) (*compute.Instance, error) {
	// An instance with no port in its cache has no binding to move (a
	// port attached later is in the cache before it is bound).
	if b.Cfg.Network == nil || len(nwinfo.Of(inst.SystemMetadata)) == 0 {
		return inst, nil
	}
	info, err := b.Cfg.Network.Bind(ctx, inst, host)
	if err != nil {
		return nil, err
	}
	return compute.Step(ctx, b.Store, inst.ID, func(i *compute.Instance) error {
		i.SystemMetadata = info.Store(i.SystemMetadata)
		return nil
	})
}

// RebindOrLog is Rebind where the guest has already moved and a failure
// cannot undo it: the failure is logged and inst returned.
func (b *Base) RebindOrLog(ctx context.Context, inst *compute.Instance, host string) *compute.Instance {
	up, err := b.Rebind(ctx, inst, host)
	if err != nil {
		b.Log.Warn("conductor: moving the port bindings of an instance", "instance", inst.ID, "host", host, "err", err)
		return inst
	}
	return up
}

// Unplug releases the instance's ports: the ones compute made are
// deleted, the ones the user gave unbound. A failure is logged, not
// returned: the conductor's heal removes what is left (Orphans).
func (b *Base) Unplug(ctx context.Context, inst *compute.Instance) {
	if b.Cfg.Network == nil {
		return
	}
	if err := b.Cfg.Network.Deallocate(context.WithoutCancel(ctx), inst); err != nil {
		b.Log.Warn("conductor: releasing the ports of an instance; heal will retry", "instance", inst.ID, "err", err)
	}
}

// UnplugID is Unplug for an instance known by id.
func (b *Base) UnplugID(ctx context.Context, id string) {
	if b.Cfg.Network == nil {
		return
	}
	inst, err := b.Store.GetInstance(context.WithoutCancel(ctx), id)
	if err != nil {
		inst = &compute.Instance{ID: id}
	}
	b.Unplug(ctx, inst)
}

// RefreshNetwork reads the instance's ports again into its network info
// cache (the network-changed event, a floating IP associated).
func (b *Base) RefreshNetwork(ctx context.Context, id string) error {
	if b.Cfg.Network == nil {
		return nil
	}
	inst, err := b.Store.GetInstance(ctx, id)
	if err != nil || compute.Gone(inst) {
		return err
	}
	info, err := b.Cfg.Network.Refresh(ctx, inst)
	if err != nil {
		return err
	}
	_, err = compute.Step(ctx, b.Store, id, func(i *compute.Instance) error {
		i.SystemMetadata = info.Store(i.SystemMetadata)
		return nil
	})
	return err
}

// HealPorts removes the ports of instances that are gone.
func (b *Base) HealPorts(ctx context.Context) error {
	if b.Cfg.Network == nil {
		return nil
	}
	return b.Cfg.Network.Orphans(ctx, func(ctx context.Context, ids []string) (map[string]*compute.Instance, error) {
		out := map[string]*compute.Instance{}
		deleted := true
		for _, f := range []compute.InstanceFilter{{IDs: ids}, {IDs: ids, Deleted: &deleted}} {
			l, err := b.Store.ListInstances(ctx, f)
			if err != nil {
				return nil, err
			}
			for i := range l {
				out[l[i].ID] = &l[i]
			}
		}
		return out, nil
	})
}
