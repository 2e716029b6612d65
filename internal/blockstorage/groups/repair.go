package groups

import (
	"context"
	"errors"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Repair ends, at start-up, what a stop of the service cut short; it
// runs after the volumes' repair, which leaves no volume "creating" and
// deletes again the volumes left "deleting". A group left "creating" is
// "error" if one of its volumes is, else "available"; one left
// "deleting" goes if its volumes are gone, else is "error_deleting" (a
// delete again finishes it). A group snapshot left "creating" is
// "available" if all its snapshots are, else "error" (with its
// snapshots still "creating"); one left "deleting" has its snapshots
// deleted again. It returns how many groups and group snapshots it
// changed.
func (g Groups) Repair(ctx context.Context) (int, error) {
	changed := 0
	var drops []func(ctx context.Context) error
	err := g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		changed, drops = 0, nil
		all := blockstorage.GroupFilter{Scope: admin, AllProjects: true}
		groups, err := tx.ListGroups(ctx, all)
		if err != nil {
			return err
		}
		for _, grp := range groups {
			if grp.Status != blockstorage.GroupCreating && grp.Status != blockstorage.GroupDeleting {
				continue
			}
			vols, err := g.volumes(ctx, tx, grp.ID)
			if err != nil {
				return err
			}
			changed++
			if grp.Status == blockstorage.GroupDeleting && len(vols) == 0 {
				if err := tx.DeleteGroup(ctx, grp.ID); err != nil {
					return err
				}
				continue
			}
			if grp.Status == blockstorage.GroupDeleting {
				grp.Status = blockstorage.GroupErrorDeleting
			} else {
				grp.Status = blockstorage.GroupAvailable
				for _, v := range vols {
					if v.Status != blockstorage.StatusAvailable {
						grp.Status = blockstorage.GroupError
					}
				}
			}
			if err := tx.UpdateGroup(ctx, grp); err != nil {
				return err
			}
		}
		snaps, err := tx.ListGroupSnapshots(ctx, all)
		if err != nil {
			return err
		}
		for _, gs := range snaps {
			if gs.Status != SnapCreating && gs.Status != SnapDeleting {
				continue
			}
			members, err := g.members(ctx, tx, gs.ID)
			if err != nil {
				return err
			}
			changed++
			if gs.Status == SnapDeleting {
				drops = append(drops, func(ctx context.Context) error { return g.drop(ctx, gs.ID, members) })
				continue
			}
			gs.Status = SnapAvailable
			for _, m := range members {
				if m.snap.Status == blockstorage.SnapStatusCreating {
					m.snap.Status = blockstorage.SnapStatusError
					if err := tx.UpdateSnapshot(ctx, m.snap); err != nil {
						return err
					}
				}
				if m.snap.Status != blockstorage.SnapStatusAvailable {
					gs.Status = SnapError
				}
			}
			if err := tx.UpdateGroupSnapshot(ctx, gs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, drop := range drops {
		g.svc.Go("delete group snapshot", "", drop)
	}
	return changed, nil
}

// volumes reads a group's volumes.
func (g Groups) volumes(ctx context.Context, tx blockstorage.Tx, id string) ([]*blockstorage.Volume, error) {
	ids, err := tx.GroupVolumeIDs(ctx, id)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return tx.ListVolumes(ctx, blockstorage.VolumeFilter{Scope: admin, AllProjects: true, IDs: ids})
}

// members reads a group snapshot's snapshots with their volumes (nil
// for one that is gone).
func (g Groups) members(ctx context.Context, tx blockstorage.Tx, id string) ([]member, error) {
	ids, err := tx.GroupSnapshotMembers(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]member, 0, len(ids))
	for _, sid := range ids {
		snap, err := tx.GetSnapshot(ctx, sid)
		if err != nil {
			return nil, err
		}
		vol, err := tx.GetVolume(ctx, snap.VolumeID)
		if errors.Is(err, apierr.ErrNotFound) {
			vol, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, member{vol: vol, snap: snap})
	}
	return out, nil
}
