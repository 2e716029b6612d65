// Package groups holds the use cases of generic volume groups (Cinder's
// groups, 3.13) and group snapshots (3.14): create, read, list, update
// (rename, add and remove volumes), delete (with the group's volumes),
// create from a group snapshot or another group, reset status, and a
// group snapshot's create and delete. Each is one transaction over the
// Service's store. A generic group needs no backend of its own: its
// create is a record that becomes "available" in the background, and
// the backend work is its volumes' and snapshots', reached after the
// transaction commits (Service.Go) and written back by a second
// transaction that re-reads the rows.
package groups

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Groups are the group and group snapshot use cases over a Service.
type Groups struct{ svc *blockstorage.Service }

// New returns the use cases over svc.
func New(svc *blockstorage.Service) Groups { return Groups{svc: svc} }

// Shown is a group with the ids of its volumes, read when asked for
// (list_volume, 3.25).
type Shown struct {
	*blockstorage.Group
	VolumeIDs []string
}

// CreateRequest is a new empty group.
type CreateRequest struct {
	Name, Description string
	// GroupType is a group type's id or name.
	GroupType string
	// VolumeTypes are volume types' ids or names: at least one.
	VolumeTypes []string
	// Zone is the availability zone, "" for the default.
	Zone string
}

// Create stores a new group as "creating", counted against the groups
// quota; it becomes "available" in the background, as Cinder's generic
// group does once its volume service has recorded it.
func (g Groups) Create(ctx context.Context, sc blockstorage.Scope, req CreateRequest) (*blockstorage.Group, error) {
	if req.GroupType == "" {
		return nil, blockstorage.BadRequest("group_type must be provided to create group %s.", req.Name)
	}
	if len(req.VolumeTypes) == 0 {
		return nil, blockstorage.BadRequest("volume_types must be provided to create group %s.", req.Name)
	}
	limits, err := g.svc.Limits(ctx, sc.ProjectID)
	if err != nil {
		return nil, err
	}
	grp := &blockstorage.Group{ID: uuid.NewString(), ProjectID: sc.ProjectID, UserID: sc.UserID, Name: req.Name,
		Description: req.Description, Status: blockstorage.GroupCreating, ReplicationStatus: "disabled"}
	err = g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		gt, err := groupType(ctx, tx, sc, req.GroupType)
		if err != nil {
			return err
		}
		grp.GroupTypeID = gt.ID
		grp.VolumeTypeIDs = nil
		for _, ref := range req.VolumeTypes {
			if ref == "" {
				return blockstorage.TypeNotFoundByName(ref)
			}
			t, err := blockstorage.ResolveType(ctx, tx, sc, ref)
			if err != nil {
				return err
			}
			if !slices.Contains(grp.VolumeTypeIDs, t.ID) {
				grp.VolumeTypeIDs = append(grp.VolumeTypeIDs, t.ID)
			}
		}
		if grp.Zone, err = g.zone(ctx, tx, req.Zone); err != nil {
			return err
		}
		if err := g.svc.CheckQuota(ctx, tx, sc.ProjectID, map[string]int64{"groups": 1}, limits); err != nil {
			return err
		}
		return tx.CreateGroup(ctx, grp)
	})
	if err != nil {
		return nil, err
	}
	g.svc.Go("create group", grp.ID, func(ctx context.Context) error { return g.settle(ctx, grp.ID, nil) })
	return grp, nil
}

// settle ends a group's create: "available", or "error" when cause is
// set, unless a delete or a reset won meanwhile.
func (g Groups) settle(ctx context.Context, id string, cause error) error {
	err := g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		cur, err := tx.GetGroup(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) {
			return nil
		}
		if err != nil || cur.Status != blockstorage.GroupCreating {
			return err
		}
		cur.Status = blockstorage.GroupAvailable
		if cause != nil {
			cur.Status = blockstorage.GroupError
		}
		return tx.UpdateGroup(ctx, cur)
	})
	if err != nil {
		return err
	}
	return cause
}

// groupType finds a group type by id, else by name; a private one is an
// admin's only.
func groupType(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, ref string) (*blockstorage.GroupType, error) {
	gt, err := tx.GetGroupType(ctx, ref)
	if errors.Is(err, apierr.ErrNotFound) {
		gt, err = tx.GetGroupTypeByName(ctx, ref)
	}
	if errors.Is(err, apierr.ErrNotFound) || (err == nil && !gt.IsPublic && !sc.Admin) {
		return nil, apierr.NotFound("Group type %s could not be found.", ref)
	}
	return gt, err
}

// zone is a new group's availability zone: the one asked for, else the
// default; it must be a zone of a volume service (while none has
// reported, only the default is).
func (g Groups) zone(ctx context.Context, tx blockstorage.Tx, asked string) (string, error) {
	zone := asked
	if zone == "" {
		zone = g.svc.Config().Zone
	}
	svcs, err := tx.ListVolumeServices(ctx)
	if err != nil {
		return "", err
	}
	known := map[string]bool{}
	for _, s := range svcs {
		if s.Binary == blockstorage.BinaryVolume {
			known[s.Zone] = true
		}
	}
	if len(known) == 0 {
		known[g.svc.Config().Zone] = true
	}
	if !known[zone] {
		return "", blockstorage.BadRequest("Availability zone '%s' is invalid.", zone)
	}
	return zone, nil
}

// Get returns a group the caller may see, with its volumes when asked.
func (g Groups) Get(ctx context.Context, sc blockstorage.Scope, id string, withVolumes bool) (*Shown, error) {
	var out *Shown
	err := g.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		grp, err := blockstorage.VisibleGroup(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		out = &Shown{Group: grp}
		if withVolumes {
			out.VolumeIDs, err = tx.GroupVolumeIDs(ctx, id)
		}
		return err
	})
	return out, err
}

// List returns the groups the filter selects, with their volumes when
// asked.
func (g Groups) List(ctx context.Context, f blockstorage.GroupFilter, withVolumes bool) ([]*Shown, error) {
	var out []*Shown
	err := g.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		gs, err := tx.ListGroups(ctx, f)
		if err != nil {
			return err
		}
		out = make([]*Shown, len(gs))
		for i, grp := range gs {
			out[i] = &Shown{Group: grp}
			if withVolumes {
				if out[i].VolumeIDs, err = tx.GroupVolumeIDs(ctx, grp.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// UpdateRequest renames or redescribes a group (nil leaves one as it
// is) and adds or removes volumes: comma-separated volume ids.
type UpdateRequest struct {
	Name, Description         *string
	AddVolumes, RemoveVolumes string
}

// volume statuses a volume may join a group in, or leave it in
// (Cinder's VALID_ADD_VOL_TO_GROUP_STATUS and
// VALID_REMOVE_VOL_FROM_GROUP_STATUS).
var (
	addStatuses    = []string{blockstorage.StatusAvailable, blockstorage.StatusInUse}
	removeStatuses = []string{blockstorage.StatusAvailable, blockstorage.StatusInUse, blockstorage.StatusError,
		blockstorage.StatusErrorDeleting}
)

// Update applies a group update in one transaction. A generic group
// keeps no volume list on a backend, so the volumes join and leave at
// once (Cinder passes through "updating" while its volume service does
// the same) and the group stays "available".
func (g Groups) Update(ctx context.Context, sc blockstorage.Scope, id string, req UpdateRequest) error {
	add, remove := idList(req.AddVolumes), idList(req.RemoveVolumes)
	var both []string
	for _, v := range add {
		if slices.Contains(remove, v) {
			both = append(both, v)
		}
	}
	if len(both) > 0 {
		return blockstorage.InvalidVolume("UUIDs %s are in both add and remove volume list.", strings.Join(both, ", "))
	}
	return g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		grp, err := blockstorage.VisibleGroup(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		members, err := tx.GroupVolumeIDs(ctx, id)
		if err != nil {
			return err
		}
		joining, err := g.joining(ctx, tx, sc, grp, members, add)
		if err != nil {
			return err
		}
		leaving, err := leaving(ctx, tx, grp, members, remove)
		if err != nil {
			return err
		}
		changed := false
		if req.Name != nil && *req.Name != grp.Name {
			grp.Name, changed = *req.Name, true
		}
		if req.Description != nil && *req.Description != grp.Description {
			grp.Description, changed = *req.Description, true
		}
		if !changed && len(joining) == 0 && len(leaving) == 0 {
			return blockstorage.InvalidGroup("Cannot update group %s because no valid name, description, add_volumes, or remove_volumes were provided.", id)
		}
		if (len(joining) > 0 || len(leaving) > 0) && grp.Status != blockstorage.GroupAvailable {
			return blockstorage.InvalidGroup("Group status must be available.")
		}
		for _, vol := range joining {
			vol.GroupID = grp.ID
			if err := tx.UpdateVolume(ctx, vol); err != nil {
				return err
			}
		}
		for _, vol := range leaving {
			vol.GroupID = ""
			if err := tx.UpdateVolume(ctx, vol); err != nil {
				return err
			}
		}
		return tx.UpdateGroup(ctx, grp)
	})
}

// idList splits Cinder's comma-separated id list.
func idList(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.Trim(s, ","), ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// joining reads and checks the volumes an update adds (Cinder's
// _validate_add_volumes): the caller's, of the group's project, of a
// type the group allows, available or in-use, and in no other group.
// Those already in the group are skipped.
func (g Groups) joining(ctx context.Context, tx blockstorage.Tx, sc blockstorage.Scope, grp *blockstorage.Group, members, ids []string) ([]*blockstorage.Volume, error) {
	var out []*blockstorage.Volume
	for _, id := range ids {
		if slices.Contains(members, id) {
			continue
		}
		vol, err := tx.GetVolume(ctx, id)
		if errors.Is(err, apierr.ErrNotFound) || (err == nil && !sc.Sees(vol.ProjectID)) {
			return nil, blockstorage.InvalidVolume("Cannot add volume %s to group %s because volume cannot be found.", id, grp.ID)
		}
		if err != nil {
			return nil, err
		}
		switch {
		case vol.GroupID != "":
			return nil, blockstorage.InvalidVolume("Cannot add volume %s to group %s because it is already in group %s.", id, grp.ID, vol.GroupID)
		case vol.ProjectID != grp.ProjectID:
			return nil, blockstorage.InvalidVolume("Cannot add volume %s to group %s as they belong to different projects.", id, grp.ID)
		case vol.TypeID == "":
			return nil, blockstorage.InvalidVolume("Cannot add volume %s to group %s because it has no volume type.", id, grp.ID)
		case !slices.Contains(grp.VolumeTypeIDs, vol.TypeID):
			return nil, blockstorage.InvalidVolume("Cannot add volume %s to group %s because volume type %s is not supported by the group.", id, grp.ID, vol.TypeID)
		case !slices.Contains(addStatuses, vol.Status):
			return nil, blockstorage.InvalidVolume("Cannot add volume %s to group %s because volume is in an invalid state: %s. Valid states are: %s.", id, grp.ID, vol.Status, strings.Join(addStatuses, ", "))
		}
		out = append(out, vol)
	}
	return out, nil
}

// leaving reads and checks the volumes an update removes (Cinder's
// _validate_remove_volumes): in the group, and in a state that allows
// it.
func leaving(ctx context.Context, tx blockstorage.Tx, grp *blockstorage.Group, members, ids []string) ([]*blockstorage.Volume, error) {
	var out []*blockstorage.Volume
	for _, id := range ids {
		if !slices.Contains(members, id) {
			return nil, blockstorage.InvalidVolume("Cannot remove volume %s from group %s because it is not in the group.", id, grp.ID)
		}
		vol, err := tx.GetVolume(ctx, id)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(removeStatuses, vol.Status) {
			return nil, blockstorage.InvalidVolume("Cannot remove volume %s from group %s because volume is in an invalid state: %s. Valid states are: %s.", id, grp.ID, vol.Status, strings.Join(removeStatuses, ", "))
		}
		out = append(out, vol)
	}
	return out, nil
}

// groupStatuses are the statuses an admin may reset a group to
// (Cinder's GroupStatus, less "deleted": a row that says so would still
// be listed).
var groupStatuses = []string{
	blockstorage.GroupCreating, blockstorage.GroupAvailable, blockstorage.GroupUpdating, blockstorage.GroupInUse,
	blockstorage.GroupDeleting, blockstorage.GroupError, blockstorage.GroupErrorDeleting,
}

// ResetStatus sets a group's status (an admin's reset_status, 3.20),
// with no work on a backend.
func (g Groups) ResetStatus(ctx context.Context, sc blockstorage.Scope, id, status string) error {
	if !slices.Contains(groupStatuses, status) {
		return blockstorage.BadRequest("Invalid input received: Group status %q is not one of %s.", status, strings.Join(groupStatuses, ", "))
	}
	return g.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		grp, err := blockstorage.VisibleGroup(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		grp.Status = status
		return tx.UpdateGroup(ctx, grp)
	})
}
