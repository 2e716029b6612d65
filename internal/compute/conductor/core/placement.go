package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/placement/client"
)

// FreeAllocations deletes a consumer's allocations; a consumer without
// any is fine. A failure is logged: Recover's healing removes it later.
func (b *Base) FreeAllocations(consumer string) {
	if consumer == "" || b.Cfg.Placement == nil {
		return
	}
	ctx, cancel := b.DBContext()
	defer cancel()
	if err := b.Cfg.Placement.DeleteAllocations(ctx, consumer); err != nil && !client.IsNotFound(err) {
		b.Log.Warn("conductor: free allocations", "consumer", consumer, "err", err)
	}
}

// MoveAllocations moves all of from's allocations to to, replacing to's,
// in one request (Nova's move_allocations): a move's source claim goes to
// the migration, and back to the instance on revert. It is a no-op when
// from has none.
func (b *Base) MoveAllocations(ctx context.Context, from, to string, toType string) error {
	var err error
	for range 4 {
		var src, dst *client.Allocations
		if src, err = b.Cfg.Placement.Allocations(ctx, from); err != nil {
			return err
		}
		if len(src.Resources) == 0 {
			return nil
		}
		if dst, err = b.Cfg.Placement.Allocations(ctx, to); err != nil {
			return err
		}
		err = b.Cfg.Placement.PostAllocations(ctx, map[string]client.Allocations{
			to: {Resources: src.Resources, ProjectID: src.ProjectID, UserID: src.UserID,
				ConsumerType: toType, ConsumerGeneration: dst.ConsumerGeneration},
			from: {Resources: map[string]map[string]int64{}, ProjectID: src.ProjectID, UserID: src.UserID,
				ConsumerType: src.ConsumerType, ConsumerGeneration: src.ConsumerGeneration},
		})
		if err == nil || !client.IsConflict(err, client.CodeConcurrentUpdate) {
			return err
		}
	}
	return err
}

// flavorResources is what an instance of flavor f claims on its compute
// node, as Nova's resources_from_flavor: VCPU, MEMORY_MB, DISK_GB (root,
// unless booted from volume, plus ephemeral and swap), with
// resources:CLASS=N extra specs overriding or adding classes.
func flavorResources(f compute.Flavor, bootFromVolume bool) map[string]int64 {
	disk := f.Ephemeral + (f.Swap+1023)/1024
	if !bootFromVolume {
		disk += f.Disk
	}
	r := map[string]int64{"VCPU": f.VCPUs, "MEMORY_MB": f.RAM, "DISK_GB": disk}
	for k, v := range f.ExtraSpecs {
		class, ok := strings.CutPrefix(k, "resources:")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			r[class] = n
		}
	}
	for k, v := range r {
		if v <= 0 {
			delete(r, k)
		}
	}
	return r
}

// ClaimFlavor writes inst's allocation from its flavor on provider, for
// an instance whose claim went missing, and reports whether it wrote one.
// It claims with the consumer generation it read (null for a consumer
// Placement does not have), so that a claim made meanwhile by someone
// else wins and this one fails with a conflict.
func (b *Base) ClaimFlavor(ctx context.Context, inst *compute.Instance, provider string) (bool, error) {
	cur, err := b.Cfg.Placement.Allocations(ctx, inst.ID)
	if err != nil {
		return false, err
	}
	if len(cur.Resources) > 0 {
		return false, nil
	}
	res := flavorResources(inst.Flavor, inst.ImageRef == "")
	if len(res) == 0 {
		return false, nil
	}
	if err := b.Cfg.Placement.PutAllocations(ctx, inst.ID, client.Allocations{
		Resources: map[string]map[string]int64{provider: res},
		ProjectID: inst.ProjectID, UserID: inst.UserID, ConsumerGeneration: cur.ConsumerGeneration,
	}); err != nil {
		return false, fmt.Errorf("recreate allocation of %s on %s: %w", inst.ID, provider, err)
	}
	return true, nil
}
