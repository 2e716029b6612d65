package volactions

import (
	"context"
	"errors"
	"strings"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/volumes"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Retype changes a volume's type (os-retype). A type the volume's
// backend serves takes effect at once; one that needs the volume on
// another backend would need a migration, which this cloud does not do
// between backends, so it is refused.
func (a Actions) Retype(ctx context.Context, sc blockstorage.Scope, id, newType, policy string) error {
	switch policy {
	case "", "never", "on-demand":
	default:
		return blockstorage.BadRequest("Invalid input for field/attribute migration_policy. Value: %s. '%s' is not one of ['on-demand', 'never']", policy, policy)
	}
	if strings.TrimSpace(newType) == "" {
		return blockstorage.BadRequest("Invalid input received: Invalid volume_type passed: %s.", newType)
	}
	limits, err := a.limitsOf(ctx, sc, id)
	if err != nil {
		return err
	}
	return a.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := volumes.Visible(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		// Cinder looks the new type up with an elevated context: any type.
		t, err := blockstorage.ResolveType(ctx, tx, blockstorage.Scope{ProjectID: sc.ProjectID, UserID: sc.UserID, Admin: true}, newType)
		if err != nil {
			return err
		}
		multi := volumes.Multiattach(t)
		if multi != vol.Multiattach && vol.Status != blockstorage.StatusAvailable {
			return blockstorage.BadRequest("Invalid input received: Invalid volume_type passed, retypes affecting multiattach are only allowed on available volumes, the specified volume however currently has a status of: %s.", vol.Status)
		}
		if multi && vol.Encrypted {
			return blockstorage.BadRequest("Invalid input received: Retype requested both encryption and multi-attach, which is not supported.")
		}
		okStatus := vol.Status == blockstorage.StatusAvailable || vol.Status == blockstorage.StatusInUse
		if !okStatus || !migrationDone(vol) || vol.GroupID != "" || vol.TypeID == t.ID {
			return blockstorage.InvalidVolume("Retype needs volume to be in available or in-use state, not be part of an active migration or a consistency group, requested type has to be different that the one from the volume, and for in-use volumes front-end qos specs cannot change.")
		}
		if want := t.ExtraSpecs["volume_backend_name"]; want != "" && vol.Host != "" {
			have, err := backendName(ctx, tx, vol.Host)
			if err != nil {
				return err
			}
			if have != want {
				return blockstorage.BadRequest("Invalid input received: Retyping volume %s to type %s needs migrating it from backend %s to backend %s; migration between backends is not supported.", vol.ID, t.Name, have, want)
			}
		}
		deltas := map[string]int64{"volumes_" + t.Name: 1, "gigabytes_" + t.Name: int64(vol.SizeGB)}
		if err := a.svc.CheckQuota(ctx, tx, vol.ProjectID, deltas, limits); err != nil {
			return err
		}
		vol.TypeID, vol.Multiattach = t.ID, multi
		return tx.UpdateVolume(ctx, vol)
	})
}

// migrationDone reports whether no migration of the volume is under way.
func migrationDone(vol *blockstorage.Volume) bool {
	switch vol.MigrationStatus {
	case "", blockstorage.StatusDeleting, blockstorage.StatusError, "success":
		return true
	}
	return false
}

// backendName is the volume_backend_name of the backend holding a
// volume: its pool's capability, else the backend part of the host
// ("host@backend#pool").
func backendName(ctx context.Context, tx blockstorage.Tx, host string) (string, error) {
	pools, err := tx.ListPools(ctx)
	if err != nil {
		return "", err
	}
	for _, p := range pools {
		if p.Name != host {
			continue
		}
		if name, ok := p.Capabilities["volume_backend_name"].(string); ok && name != "" {
			return name, nil
		}
		if p.Backend != "" {
			return p.Backend, nil
		}
	}
	b := blockstorage.ServiceHost(host)
	if i := strings.IndexByte(b, '@'); i >= 0 {
		b = b[i+1:]
	}
	return b, nil
}

// Migrate is an admin's os-migrate_volume to host. The destination must
// be another enabled, up volume service; moving the data between
// backends is not supported, so a migration that passes the checks is
// answered 501.
func (a Actions) Migrate(ctx context.Context, sc blockstorage.Scope, id, host string) error {
	return a.svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		vol, err := volumes.Visible(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		svcs, err := tx.ListVolumeServices(ctx)
		if err != nil {
			return err
		}
		found := false
		for _, s := range svcs {
			if s.Binary == blockstorage.BinaryVolume && s.Host == blockstorage.ServiceHost(host) && s.Up && s.Status == "enabled" {
				found = true
			}
		}
		if !found {
			return blockstorage.BadRequest("Invalid host: No available service named '%s'", host)
		}
		snaps, err := tx.ListSnapshots(ctx, blockstorage.SnapshotFilter{Scope: sc, AllProjects: true, VolumeID: vol.ID})
		if err != nil {
			return err
		}
		okStatus := vol.Status == blockstorage.StatusAvailable || vol.Status == blockstorage.StatusInUse
		same := vol.Host == host || blockstorage.ServiceHost(vol.Host) == host
		if !okStatus || !migrationDone(vol) || vol.GroupID != "" || len(snaps) > 0 || same {
			return blockstorage.InvalidVolume("Volume %s status must be available or in-use, must not be migrating, have snapshots, be replicated, be part of a group and destination host/cluster must be different than the current one", vol.ID)
		}
		return apierr.New(501, "Migrating volume %s to host %s is not supported: this cloud does not move volume data between backends.", vol.ID, host)
	})
}

// Revert writes a volume's latest snapshot back into it (3.40). The
// volume is "reverting" and the snapshot "restoring" while the backend
// works; a backend failure leaves the volume "error".
func (a Actions) Revert(ctx context.Context, sc blockstorage.Scope, id, snapshotID string) error {
	var vol *blockstorage.Volume
	var snap *blockstorage.Snapshot
	rev, canRevert := a.svc.Backend().(blockstorage.Reverter)
	err := a.svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		if vol, err = volumes.Visible(ctx, tx, sc, id); err != nil {
			return err
		}
		snaps, err := tx.ListSnapshots(ctx, blockstorage.SnapshotFilter{Scope: sc, AllProjects: true, VolumeID: vol.ID})
		if err != nil {
			return err
		}
		for _, s := range snaps {
			if snap == nil || s.CreatedAt.After(snap.CreatedAt) {
				snap = s
			}
		}
		if snap == nil {
			return blockstorage.BadRequest("Volume %s doesn't have any snapshots.", vol.ID)
		}
		if snapshotID != snap.ID {
			shown := snapshotID
			if shown == "" {
				shown = "None"
			}
			return blockstorage.BadRequest("Specified snapshot %s is None or not the latest one of volume %s.", shown, vol.ID)
		}
		if vol.SizeGB != snap.SizeGB {
			return blockstorage.BadRequest("Can't revert volume %s to its latest snapshot %s. The volume size must be equal to the snapshot size.", vol.ID, snap.ID)
		}
		if vol.Status != blockstorage.StatusAvailable {
			return blockstorage.Conflict("Invalid volume: Can't revert volume %s to its latest snapshot %s. Volume's status must be 'available'.", vol.ID, snap.ID)
		}
		if snap.Status != blockstorage.SnapStatusAvailable {
			return blockstorage.Conflict("Invalid snapshot: Can't revert volume %s to its latest snapshot %s. Snapshot's status must be 'available'.", vol.ID, snap.ID)
		}
		if !canRevert {
			return apierr.New(501, "Reverting volume %s to a snapshot is not supported by its backend.", vol.ID)
		}
		vol.Status, snap.Status = blockstorage.StatusReverting, blockstorage.SnapStatusRestoring
		if err := tx.UpdateSnapshot(ctx, snap); err != nil {
			return err
		}
		return tx.UpdateVolume(ctx, vol)
	})
	if err != nil {
		return err
	}
	a.svc.Go("revert volume", id, func(ctx context.Context) error {
		cause := rev.RevertToSnapshot(ctx, vol.Host, volumes.Ref(vol), blockstorage.SnapshotRef{ID: snap.ID, Volume: volumes.Ref(vol), ProviderLocation: snap.ProviderLocation})
		return a.settle(ctx, id, blockstorage.StatusReverting, cause, func(tx blockstorage.Tx, cur *blockstorage.Volume) {
			cur.Status = blockstorage.StatusAvailable
			if cause != nil {
				cur.Status = blockstorage.StatusError
			}
			if s, err := tx.GetSnapshot(ctx, snap.ID); err == nil && s.Status == blockstorage.SnapStatusRestoring {
				s.Status = blockstorage.SnapStatusAvailable
				if err := tx.UpdateSnapshot(ctx, s); err != nil && !errors.Is(err, apierr.ErrNotFound) {
					a.svc.Config().Log.Warn("blockstorage: snapshot after revert", "snapshot", s.ID, "err", err)
				}
			}
		})
	})
	return nil
}
