package groups

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/usermsg"
	"github.com/gostack/gostack/internal/blockstorage/volumes"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// SourceRequest is a new group copied from a group snapshot or from
// another group (Cinder's create-from-src, 3.14): exactly one of the
// two ids.
type SourceRequest struct {
	Name, Description string
	GroupSnapshotID   string
	SourceGroupID     string
}

// build is one volume of a group created from a source: how it is
// placed and what the backend copies into it.
type build struct {
	vol    *blockstorage.Volume
	sched  blockstorage.ScheduleRequest
	create blockstorage.CreateVolume
}

// CreateFromSource stores a new group as "creating" with a new volume
// for each snapshot of the group snapshot (or each volume of the source
// group), counted against the groups, volumes and gigabytes quotas, and
// has the backends make the volumes in the background, each next to
// what it copies. The group is "available" once they all are, else
// "error".
func (g Groups) CreateFromSource(ctx context.Context, sc blockstorage.Scope, req SourceRequest) (*blockstorage.Group, error) {
	if (req.GroupSnapshotID == "") == (req.SourceGroupID == "") {
		return nil, blockstorage.BadRequest("Invalid input received: exactly one of group_snapshot_id and source_group_id must be provided.")
	}
	limits, err := g.svc.Limits(ctx, sc.ProjectID)
	if err != nil {
		return nil, err
	}
	grp := &blockstorage.Group{ID: uuid.NewString(), ProjectID: sc.ProjectID, UserID: sc.UserID, Name: req.Name,
		Description: req.Description, Status: blockstorage.GroupCreating, ReplicationStatus: "disabled",
		GroupSnapshotID: req.GroupSnapshotID, SourceGroupID: req.SourceGroupID}
	var builds []build
	err = g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		builds = nil
		var origins []member
		var err error
		if req.GroupSnapshotID != "" {
			origins, err = fromSnapshot(ctx, tx, sc, grp)
		} else {
			origins, err = fromGroup(ctx, tx, sc, grp)
		}
		if err != nil {
			return err
		}
		deltas := map[string]int64{"groups": 1}
		for _, o := range origins {
			b, err := copyOf(ctx, tx, sc, grp, o)
			if err != nil {
				return err
			}
			if err := addDeltas(ctx, tx, deltas, o.vol, map[string]int64{"volumes": 1, "gigabytes": int64(b.vol.SizeGB)}); err != nil {
				return err
			}
			builds = append(builds, b)
		}
		if err := g.svc.CheckQuota(ctx, tx, sc.ProjectID, deltas, limits); err != nil {
			return err
		}
		if err := tx.CreateGroup(ctx, grp); err != nil {
			return err
		}
		for _, b := range builds {
			if err := tx.CreateVolume(ctx, b.vol); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	g.svc.Go("create group from source", grp.ID, func(ctx context.Context) error { return g.make(ctx, grp.ID, builds) })
	return grp, nil
}

// fromSnapshot reads a group snapshot a new group copies: available,
// not empty, each snapshot available. The group takes the group
// snapshot's group type and its group's volume types and zone.
func fromSnapshot(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, grp *blockstorage.Group) ([]member, error) {
	gs, err := VisibleSnapshot(ctx, tx, sc, grp.GroupSnapshotID)
	if err != nil {
		return nil, err
	}
	if gs.Status != SnapAvailable {
		return nil, blockstorage.InvalidGroup("Group snapshot %s status must be available, but current status is: %s.", gs.ID, gs.Status)
	}
	src, err := tx.GetGroup(ctx, gs.GroupID)
	if errors.Is(err, apierr.ErrNotFound) {
		return nil, blockstorage.GroupNotFound(gs.GroupID)
	}
	if err != nil {
		return nil, err
	}
	grp.GroupTypeID, grp.VolumeTypeIDs, grp.Zone = gs.GroupTypeID, src.VolumeTypeIDs, src.Zone
	ids, err := tx.GroupSnapshotMembers(ctx, gs.ID)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, blockstorage.InvalidGroup("Group snapshot is empty. No group will be created.")
	}
	out := make([]member, 0, len(ids))
	for _, id := range ids {
		snap, err := tx.GetSnapshot(ctx, id)
		if err != nil {
			return nil, err
		}
		if snap.Status != blockstorage.SnapStatusAvailable {
			return nil, blockstorage.BadRequest("Invalid snapshot: Originating snapshot status must be one of 'available' values")
		}
		// A volume with snapshots cannot be deleted: the snapshot's
		// volume is there.
		vol, err := tx.GetVolume(ctx, snap.VolumeID)
		if err != nil {
			return nil, err
		}
		out = append(out, member{vol: vol, snap: snap})
	}
	return out, nil
}

// fromGroup reads a group a new group copies: available, not empty,
// each volume available or in-use. The new group takes its group type,
// volume types and zone.
func fromGroup(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, grp *blockstorage.Group) ([]member, error) {
	src, err := blockstorage.VisibleGroup(ctx, tx, sc, grp.SourceGroupID)
	if err != nil {
		return nil, err
	}
	if src.Status != blockstorage.GroupAvailable && src.Status != blockstorage.GroupInUse {
		return nil, blockstorage.InvalidGroup("Source group %s status must be available or in-use, but current status is: %s.", src.ID, src.Status)
	}
	grp.GroupTypeID, grp.VolumeTypeIDs, grp.Zone = src.GroupTypeID, src.VolumeTypeIDs, src.Zone
	ids, err := tx.GroupVolumeIDs(ctx, src.ID)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, blockstorage.InvalidGroup("Source Group is empty. No group will be created.")
	}
	out := make([]member, 0, len(ids))
	for _, id := range ids {
		vol, err := tx.GetVolume(ctx, id)
		if err != nil {
			return nil, err
		}
		if vol.Status != blockstorage.StatusAvailable && vol.Status != blockstorage.StatusInUse {
			return nil, blockstorage.InvalidVolume("Originating source volume status must be one of 'available, in-use' values")
		}
		out = append(out, member{vol: vol})
	}
	return out, nil
}

// copyOf is the new volume of grp that copies o: its snapshot when it
// has one, else its volume, with the volume's type, zone and flags.
func copyOf(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, grp *blockstorage.Group, o member) (build, error) {
	src := o.vol
	vol := &blockstorage.Volume{
		ID: uuid.NewString(), ProjectID: sc.ProjectID, UserID: sc.UserID, SizeGB: src.SizeGB,
		Status: blockstorage.StatusCreating, AttachStatus: blockstorage.AttachDetached, AvailabilityZone: src.AvailabilityZone,
		TypeID: src.TypeID, Bootable: src.Bootable, Multiattach: src.Multiattach, Encrypted: src.Encrypted, GroupID: grp.ID,
		Metadata: map[string]string{}, AdminMetadata: map[string]string{}, ImageMetadata: maps.Clone(src.ImageMetadata),
		ConsumesQuota: true,
	}
	if vol.ImageMetadata == nil {
		vol.ImageMetadata = map[string]string{}
	}
	b := build{vol: vol}
	if o.snap != nil {
		vol.SizeGB, vol.SnapshotID = o.snap.SizeGB, o.snap.ID
		b.create.Snapshot = &blockstorage.SnapshotRef{ID: o.snap.ID, Volume: src.Ref(), ProviderLocation: o.snap.ProviderLocation}
	} else {
		vol.SourceVolID = src.ID
		ref := src.Ref()
		b.create.SourceVolume = &ref
	}
	b.create.Volume = blockstorage.VolumeRef{ID: vol.ID, SizeGB: vol.SizeGB}
	b.sched = blockstorage.ScheduleRequest{SizeGB: vol.SizeGB, Zone: vol.AvailabilityZone, SameHostAs: src.Host,
		TypeExtraSpecs: map[string]string{}}
	if src.TypeID != "" {
		t, err := tx.GetType(ctx, src.TypeID)
		if err != nil && !errors.Is(err, apierr.ErrNotFound) {
			return build{}, err
		}
		if t != nil {
			maps.Copy(b.sched.TypeExtraSpecs, t.ExtraSpecs)
		}
	}
	return b, nil
}

// make has the backends make a new group's volumes, each on its
// source's host; each ends "available" or "error" (with a user
// message), and the group "available" when they all are, else "error".
func (g Groups) make(ctx context.Context, id string, builds []build) error {
	var failed error
	for _, b := range builds {
		if err := g.makeVolume(ctx, b); err != nil {
			failed = err
		}
	}
	return g.settle(ctx, id, failed)
}

// makeVolume schedules and makes one volume and writes the outcome,
// unless the volume left "creating" meanwhile (a reset won): then what
// the backend made is kept for the delete to come. A volume that went
// away is removed from the backend again.
func (g Groups) makeVolume(ctx context.Context, b build) error {
	be := g.svc.Backend()
	detail := usermsg.DetailNoBackendAvailable
	var upd blockstorage.VolumeUpdate
	host, cause := be.Schedule(ctx, b.sched)
	if cause == nil {
		detail = usermsg.DetailDriverFailedCreate
		upd, cause = be.CreateVolume(ctx, host, b.create)
	}
	orphan := false
	err := g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		orphan = false
		cur, err := tx.GetVolume(ctx, b.vol.ID)
		if errors.Is(err, apierr.ErrNotFound) {
			orphan = cause == nil
			return nil
		}
		if err != nil {
			return err
		}
		if cur.Status != blockstorage.StatusCreating {
			if cur.Host == "" && cause == nil {
				cur.Host, cur.ProviderLocation = host, upd.ProviderLocation
				return tx.UpdateVolume(ctx, cur)
			}
			return nil
		}
		cur.Host = host
		if cause != nil {
			cur.Status = blockstorage.StatusError
			volumes.New(g.svc).Record(ctx, tx, cur, usermsg.ActionScheduleAllocateVolume, detail)
			return tx.UpdateVolume(ctx, cur)
		}
		cur.Status, cur.ProviderLocation, cur.LaunchedAt = blockstorage.StatusAvailable, upd.ProviderLocation, time.Now().UTC()
		for k, v := range upd.ImageMetadata {
			if _, ok := cur.ImageMetadata[k]; !ok {
				cur.ImageMetadata[k] = v
			}
		}
		return tx.UpdateVolume(ctx, cur)
	})
	if err != nil {
		return err
	}
	if orphan {
		return be.DeleteVolume(ctx, host, blockstorage.VolumeRef{ID: b.vol.ID, SizeGB: b.vol.SizeGB, ProviderLocation: upd.ProviderLocation})
	}
	return cause
}
