package core

import (
	"context"
	"fmt"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// maxRecoverTries is how many times Recover retries an instance whose
// host does not answer before giving up on it (ERROR).
const maxRecoverTries = 3

// Orphan reports whether an unfinished instance is nobody's work: not
// queued here, and unchanged since before this conductor started or for
// RecoverGrace (an operation just accepted may not have reached Run yet).
func (b *Base) Orphan(inst *compute.Instance) bool {
	if b.Busy(inst.ID) {
		return false
	}
	return inst.UpdatedAt.Before(b.Started) || b.Now().Sub(inst.UpdatedAt) > b.Cfg.RecoverGrace
}

// Tried counts a recovery attempt that could not reach the host and
// reports whether Recover should give up.
func (b *Base) Tried(id string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tries[id]++
	if b.tries[id] >= maxRecoverTries {
		delete(b.tries, id)
		return true
	}
	return false
}

// Forget drops the recovery attempts counted for an instance.
func (b *Base) Forget(id string) {
	b.mu.Lock()
	delete(b.tries, id)
	b.mu.Unlock()
}

// NodeID returns the provider uuid of a host's node.
func (b *Base) NodeID(ctx context.Context, host, node string) (string, error) {
	nodes, err := b.Store.ListNodes(ctx, host, "")
	if err != nil {
		return "", err
	}
	for _, n := range nodes {
		if n.HypervisorHostname == node || node == "" {
			return n.ID, nil
		}
	}
	return "", apierr.ErrNotFound
}

// RequestID finds the request id of the instance's newest action of a
// kind, for the events of a resumed operation.
func (b *Base) RequestID(ctx context.Context, id, action string) string {
	acts, err := b.Store.ListActions(ctx, id, compute.ActionFilter{})
	if err != nil {
		return ""
	}
	for _, a := range acts {
		if a.Action == action {
			return a.RequestID
		}
	}
	return ""
}

// RecoverObserved settles an interrupted simple action from what the
// host reports: a stop or start is driven to its end, the others take
// the state the guest is in.
func (b *Base) RecoverObserved(ctx context.Context, inst *compute.Instance) {
	h, err := b.Host(inst.Host)
	var info driver.InstanceInfo
	if err == nil {
		info, err = h.Info(ctx, inst.ID)
	}
	if err == nil {
		switch {
		case inst.TaskState == compute.TaskPoweringOff && info.PowerState == driver.Running:
			if err = h.PowerOff(ctx, inst.ID, 0); err == nil {
				info.PowerState = driver.Shutdown
			}
		case inst.TaskState == compute.TaskPoweringOn && info.PowerState != driver.Running:
			if err = h.PowerOn(ctx, inst.ID); err == nil {
				info.PowerState = driver.Running
			}
		}
	}
	switch {
	case err == nil:
		b.Forget(inst.ID)
		b.SettleMigrations(ctx, inst)
		b.Finish(inst.ID, compute.Outcome{Observed: &info})
	case driver.IsNotFound(err) || b.Tried(inst.ID):
		b.Forget(inst.ID)
		b.SettleMigrations(ctx, inst)
		b.FailOp(inst.ID, compute.VMError, fmt.Errorf("interrupted %s: %w", inst.TaskState, err))
	}
}

// SettleMigrations closes the instance's open migrations after an
// interrupted move: the instance keeps its own claim (or gets the
// migration's back when it has none) and the migration's is freed.
func (b *Base) SettleMigrations(ctx context.Context, inst *compute.Instance) {
	migs, err := b.Store.ListMigrations(ctx, compute.MigrationFilter{InstanceID: inst.ID})
	if err != nil {
		return
	}
	for _, m := range migs {
		if !MigrationOpen(m.Status) || m.Status == "finished" {
			continue
		}
		own, err := b.Cfg.Placement.Allocations(ctx, inst.ID)
		if err == nil && len(own.Resources) == 0 {
			b.Unclaim(inst.ID, m.UUID)
		}
		b.FreeAllocations(m.UUID)
		b.SetMigration(m.UUID, "error", nil)
	}
}
