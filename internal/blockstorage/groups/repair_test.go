package groups_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/blockstorage/groups"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Repair settles the groups and group snapshots a stop left in flight.
func TestRepair(t *testing.T) {
	svc, _, _ := bstest.Service(t)
	ctx := context.Background()
	group := func(id, status string) *blockstorage.Group {
		return &blockstorage.Group{ID: id, ProjectID: "p", Status: status, Zone: "nova", GroupTypeID: "gt", VolumeTypeIDs: []string{"t"}}
	}
	volume := func(id, group, status string) *blockstorage.Volume {
		return &blockstorage.Volume{ID: id, ProjectID: "p", SizeGB: 1, Status: status, AttachStatus: blockstorage.AttachDetached,
			AvailabilityZone: "nova", GroupID: group, Host: bstest.Host}
	}
	err := svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, g := range []*blockstorage.Group{
			group("created", blockstorage.GroupCreating), group("copy-failed", blockstorage.GroupCreating),
			group("emptied", blockstorage.GroupDeleting), group("half-deleted", blockstorage.GroupDeleting),
			group("settled", blockstorage.GroupAvailable),
		} {
			if err := tx.CreateGroup(ctx, g); err != nil {
				return err
			}
		}
		for _, v := range []*blockstorage.Volume{
			volume("v-created", "created", blockstorage.StatusAvailable), volume("v-failed", "copy-failed", blockstorage.StatusError),
			volume("v-left", "half-deleted", blockstorage.StatusErrorDeleting), volume("v-settled", "settled", blockstorage.StatusAvailable),
		} {
			if err := tx.CreateVolume(ctx, v); err != nil {
				return err
			}
		}
		for _, gs := range []*blockstorage.GroupSnapshot{
			{ID: "gs-taken", GroupID: "settled", GroupTypeID: "gt", ProjectID: "p", Status: groups.SnapCreating},
			{ID: "gs-cut", GroupID: "settled", GroupTypeID: "gt", ProjectID: "p", Status: groups.SnapCreating},
			{ID: "gs-deleting", GroupID: "settled", GroupTypeID: "gt", ProjectID: "p", Status: groups.SnapDeleting},
		} {
			if err := tx.CreateGroupSnapshot(ctx, gs); err != nil {
				return err
			}
		}
		// Each snapshot, of the volume v-settled, in its group snapshot.
		for id, s := range map[string]struct{ status, gs string }{
			"s-taken": {"available", "gs-taken"}, "s-cut": {"creating", "gs-cut"}, "s-deleting": {"deleting", "gs-deleting"},
		} {
			snap := &blockstorage.Snapshot{ID: id, VolumeID: "v-settled", ProjectID: "p", Status: s.status, SizeGB: 1}
			if err := tx.CreateSnapshot(ctx, snap); err != nil {
				return err
			}
			if err := tx.SetSnapshotGroup(ctx, id, s.gs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	n, err := groups.New(svc).Repair(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 7 {
		t.Errorf("changed %d, want 7", n)
	}
	for _, tc := range []struct {
		name, id, want string
		read           func(ctx context.Context, tx blockstorage.Tx, id string) (string, error)
	}{
		{"group created", "created", blockstorage.GroupAvailable, groupStatus},
		{"group whose copy failed", "copy-failed", blockstorage.GroupError, groupStatus},
		{"group emptied", "emptied", "gone", groupStatus},
		{"group half deleted", "half-deleted", blockstorage.GroupErrorDeleting, groupStatus},
		{"group settled", "settled", blockstorage.GroupAvailable, groupStatus},
		{"group snapshot taken", "gs-taken", groups.SnapAvailable, snapStatus},
		{"group snapshot cut short", "gs-cut", groups.SnapError, snapStatus},
		{"its snapshot", "s-cut", blockstorage.SnapStatusError, memberStatus},
		{"group snapshot being deleted", "gs-deleting", "gone", snapStatus},
		{"its snapshot, deleted again", "s-deleting", "gone", memberStatus},
	} {
		t.Run(tc.name, func(t *testing.T) {
			deadline := time.Now().Add(10 * time.Second)
			for {
				var got string
				err := svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
					var err error
					got, err = tc.read(ctx, tx, tc.id)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if got == tc.want {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("status %s, want %s", got, tc.want)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// gone is the status of a row that is no more.
func gone(err error) (string, error) {
	if errors.Is(err, apierr.ErrNotFound) {
		return "gone", nil
	}
	return "", err
}

func groupStatus(ctx context.Context, tx blockstorage.Tx, id string) (string, error) {
	g, err := tx.GetGroup(ctx, id)
	if err != nil {
		return gone(err)
	}
	return g.Status, nil
}

func snapStatus(ctx context.Context, tx blockstorage.Tx, id string) (string, error) {
	s, err := tx.GetGroupSnapshot(ctx, id)
	if err != nil {
		return gone(err)
	}
	return s.Status, nil
}

func memberStatus(ctx context.Context, tx blockstorage.Tx, id string) (string, error) {
	s, err := tx.GetSnapshot(ctx, id)
	if err != nil {
		return gone(err)
	}
	return s.Status, nil
}
