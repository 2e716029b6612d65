package core

import (
	"context"
	"fmt"
	"slices"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/compute/driver"
	"github.com/gostack/gostack/internal/compute/scheduler"
	"github.com/gostack/gostack/internal/compute/sysmeta"
	"github.com/gostack/gostack/internal/compute/volinfo"
)

// Migration returns the migration op names, or the instance's newest one
// with one of the statuses.
func (b *Base) Migration(ctx context.Context, op compute.Op, inst *compute.Instance, statuses ...string) (*compute.Migration, error) {
	if op.MigrationUUID != "" {
		return b.Store.GetMigration(ctx, op.MigrationUUID)
	}
	migs, err := b.Store.ListMigrations(ctx, compute.MigrationFilter{InstanceID: inst.ID})
	if err != nil {
		return nil, err
	}
	for _, m := range migs {
		if len(statuses) == 0 || slices.Contains(statuses, m.Status) {
			return &m, nil
		}
	}
	return nil, fmt.Errorf("instance %s has no migration in progress", inst.ID)
}

// MigrationOpen reports whether a migration still holds resources.
func MigrationOpen(status string) bool {
	switch status {
	case "confirmed", "reverted", "error", "failed", "done", "completed", "cancelled":
		return false
	}
	return true
}

// SetMigration writes a migration's status and applies fn.
func (b *Base) SetMigration(uuid, status string, fn func(*compute.Migration)) {
	if uuid == "" {
		return
	}
	ctx, cancel := b.DBContext()
	defer cancel()
	if _, err := b.Store.UpdateMigration(ctx, uuid, func(m *compute.Migration) error {
		if status != "" {
			m.Status = status
		}
		if fn != nil {
			fn(m)
		}
		return nil
	}); err != nil {
		b.Log.Warn("conductor: update migration", "migration", uuid, "err", err)
	}
}

// Unclaim gives a failed move's source claim back to the instance.
func (b *Base) Unclaim(instID, migUUID string) {
	ctx, cancel := b.DBContext()
	defer cancel()
	if err := b.MoveAllocations(ctx, migUUID, instID, ""); err != nil {
		b.Log.Warn("conductor: give the source claim back", "instance", instID, "migration", migUUID, "err", err)
	}
}

// MoveSpec is the request for a move's destination (or an unshelve's
// host): the instance's flavor f, a forced host, hosts to ignore.
func (b *Base) MoveSpec(ctx context.Context, inst *compute.Instance, f compute.Flavor, force string, ignore []string) scheduler.RequestSpec {
	spec := scheduler.RequestSpec{
		InstanceID: inst.ID, ProjectID: inst.ProjectID, UserID: inst.UserID, Flavor: f,
		ForceHost: force, IgnoreHosts: ignore, Hints: inst.SchedulerHints, NumInstances: 1,
		Image:          sysmeta.Image(inst),
		BootFromVolume: volinfo.Backed(inst.BlockDevices),
	}
	if inst.RequestedAZ != "" && inst.RequestedAZ != b.Cfg.DefaultAZ {
		spec.AZ = inst.RequestedAZ
	}
	if inst.ServerGroup != "" {
		if g, err := b.Store.GetServerGroup(ctx, inst.ServerGroup); err == nil {
			spec.Group = g
		}
	}
	return spec
}

// DriverMigration is migration m of inst as the drivers see it.
func (b *Base) DriverMigration(m *compute.Migration, inst *compute.Instance) driver.Migration {
	nf := inst.Flavor
	if inst.NewFlavor != nil {
		nf = *inst.NewFlavor
	}
	return driver.Migration{ID: m.UUID, Instance: inst.ID, Source: m.SourceCompute, Dest: m.DestCompute,
		NewFlavor: DriverFlavor(nf), DestAddr: m.DestHost, Data: m.DriverDataJSON}
}
