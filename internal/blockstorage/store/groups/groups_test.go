package groups_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gostack/gostack/internal/blockstorage"
	bsstore "github.com/gostack/gostack/internal/blockstorage/store"
	"github.com/gostack/gostack/internal/blockstorage/store/storetest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func update(t *testing.T, st *bsstore.Store, fn func(ctx context.Context, tx blockstorage.Tx) error) {
	t.Helper()
	if err := st.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

var ignoreTimes = cmpopts.IgnoreFields(blockstorage.Group{}, "CreatedAt", "UpdatedAt")

// Groups round-trip with their volume types in order, list by project,
// change their types on update, and report missing and duplicate rows
// with the store sentinels.
func TestGroupRows(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	groups := []*blockstorage.Group{
		{ID: "g1", ProjectID: "p1", UserID: "u1", Name: "one", Description: "d", Status: "creating", Zone: "nova",
			GroupTypeID: "gt", VolumeTypeIDs: []string{"t2", "t1", "t2"}},
		{ID: "g2", ProjectID: "p1", Status: "available", Zone: "nova", GroupTypeID: "gt", VolumeTypeIDs: []string{"t1"},
			SourceGroupID: "g1"},
		{ID: "g3", ProjectID: "p2", Status: "available", Zone: "nova", GroupTypeID: "gt", VolumeTypeIDs: []string{"t3"},
			GroupSnapshotID: "gs1"},
	}
	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, g := range groups {
			if err := tx.CreateGroup(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})

	var got *blockstorage.Group
	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error {
		var err error
		got, err = tx.GetGroup(ctx, "g1")
		return err
	})
	want := &blockstorage.Group{ID: "g1", ProjectID: "p1", UserID: "u1", Name: "one", Description: "d", Status: "creating",
		Zone: "nova", GroupTypeID: "gt", VolumeTypeIDs: []string{"t2", "t1"}, ReplicationStatus: "disabled"}
	if diff := cmp.Diff(want, got, ignoreTimes); diff != "" {
		t.Errorf("GetGroup (-want +got):\n%s", diff)
	}
	if got.CreatedAt.IsZero() || got.UpdatedAt.IsZero() {
		t.Errorf("times not set: %+v", got)
	}

	for _, tc := range []struct {
		name string
		f    blockstorage.GroupFilter
		want []string
	}{
		{"own project", blockstorage.GroupFilter{Scope: blockstorage.Scope{ProjectID: "p1"}}, []string{"g1", "g2"}},
		{"all projects needs admin", blockstorage.GroupFilter{Scope: blockstorage.Scope{ProjectID: "p2"}, AllProjects: true}, []string{"g3"}},
		{"admin, all projects", blockstorage.GroupFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true}, []string{"g1", "g2", "g3"}},
		{"admin, one project", blockstorage.GroupFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, ProjectID: "p2"}, []string{"g3"}},
		{"admin without all_tenants", blockstorage.GroupFilter{Scope: blockstorage.Scope{Admin: true, ProjectID: "p9"}}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gs []*blockstorage.Group
			update(t, st, func(ctx context.Context, tx blockstorage.Tx) error {
				var err error
				gs, err = tx.ListGroups(ctx, tc.f)
				return err
			})
			ids := []string{}
			for _, g := range gs {
				ids = append(ids, g.ID)
				if len(g.VolumeTypeIDs) == 0 {
					t.Errorf("%s: no volume types", g.ID)
				}
			}
			if diff := cmp.Diff(tc.want, ids, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}

	// An update writes every column and replaces the volume types.
	got.Name, got.Status, got.VolumeTypeIDs = "renamed", "available", []string{"t9"}
	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error { return tx.UpdateGroup(ctx, got) })
	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error {
		again, err := tx.GetGroup(ctx, "g1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(got, again, ignoreTimes); diff != "" {
			t.Errorf("after UpdateGroup (-want +got):\n%s", diff)
		}
		return nil
	})

	err := st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error { return tx.CreateGroup(ctx, groups[1]) })
	if !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("duplicate CreateGroup = %v, want ErrDuplicate", err)
	}
	for name, fn := range map[string]func(ctx context.Context, tx blockstorage.Tx) error{
		"GetGroup": func(ctx context.Context, tx blockstorage.Tx) error { _, err := tx.GetGroup(ctx, "nope"); return err },
		"UpdateGroup": func(ctx context.Context, tx blockstorage.Tx) error {
			return tx.UpdateGroup(ctx, &blockstorage.Group{ID: "nope"})
		},
		"DeleteGroup": func(ctx context.Context, tx blockstorage.Tx) error { return tx.DeleteGroup(ctx, "nope") },
	} {
		if err := st.Update(ctx, fn); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("%s of a missing group = %v, want ErrNotFound", name, err)
		}
	}

	// CreatingFrom sees only groups still creating from the source.
	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error {
		for id, want := range map[string]bool{"g1": false, "gs1": false, "g2": false} {
			got, err := tx.CreatingFrom(ctx, id)
			if err != nil {
				return err
			}
			if got != want {
				t.Errorf("CreatingFrom(%s) = %v, want %v", id, got, want)
			}
		}
		g3, err := tx.GetGroup(ctx, "g3")
		if err != nil {
			return err
		}
		g3.Status = blockstorage.GroupCreating
		if err := tx.UpdateGroup(ctx, g3); err != nil {
			return err
		}
		if busy, err := tx.CreatingFrom(ctx, "gs1"); err != nil || !busy {
			t.Errorf("CreatingFrom(gs1) with g3 creating = %v, %v, want true", busy, err)
		}
		return nil
	})

	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error { return tx.DeleteGroup(ctx, "g1") })
	err = st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error { _, err := tx.GetGroup(ctx, "g1"); return err })
	if !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("GetGroup after delete = %v, want ErrNotFound", err)
	}
}

// A group's volumes are the volumes that name it; a group snapshot's
// snapshots the snapshots that name it.
func TestMembers(t *testing.T) {
	st := storetest.Open(t)
	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, v := range []*blockstorage.Volume{
			{ID: "v1", ProjectID: "p1", SizeGB: 1, Status: "available", AttachStatus: "detached", AvailabilityZone: "nova", GroupID: "g1"},
			{ID: "v2", ProjectID: "p1", SizeGB: 1, Status: "available", AttachStatus: "detached", AvailabilityZone: "nova", GroupID: "g1"},
			{ID: "v3", ProjectID: "p1", SizeGB: 1, Status: "available", AttachStatus: "detached", AvailabilityZone: "nova"},
		} {
			if err := tx.CreateVolume(ctx, v); err != nil {
				return err
			}
		}
		for _, s := range []*blockstorage.Snapshot{
			{ID: "s1", VolumeID: "v1", ProjectID: "p1", Status: "available", SizeGB: 1},
			{ID: "s2", VolumeID: "v2", ProjectID: "p1", Status: "available", SizeGB: 1},
			{ID: "s3", VolumeID: "v3", ProjectID: "p1", Status: "available", SizeGB: 1},
		} {
			if err := tx.CreateSnapshot(ctx, s); err != nil {
				return err
			}
		}
		return tx.CreateGroupSnapshot(ctx, &blockstorage.GroupSnapshot{ID: "gs1", GroupID: "g1", GroupTypeID: "gt",
			ProjectID: "p1", Status: "creating"})
	})
	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, id := range []string{"s1", "s2"} {
			if err := tx.SetSnapshotGroup(ctx, id, "gs1"); err != nil {
				return err
			}
		}
		if err := tx.SetSnapshotGroup(ctx, "nope", "gs1"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("SetSnapshotGroup of a missing snapshot = %v, want ErrNotFound", err)
		}
		// The snapshots area's update leaves the column alone.
		s1, err := tx.GetSnapshot(ctx, "s1")
		if err != nil {
			return err
		}
		s1.Status = "deleting"
		return tx.UpdateSnapshot(ctx, s1)
	})
	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, tc := range []struct {
			name string
			fn   func() ([]string, error)
			want []string
		}{
			{"volumes of g1", func() ([]string, error) { return tx.GroupVolumeIDs(ctx, "g1") }, []string{"v1", "v2"}},
			{"volumes of an empty group", func() ([]string, error) { return tx.GroupVolumeIDs(ctx, "g9") }, []string{}},
			{"snapshots of gs1", func() ([]string, error) { return tx.GroupSnapshotMembers(ctx, "gs1") }, []string{"s1", "s2"}},
			{"snapshots of no group snapshot", func() ([]string, error) { return tx.GroupSnapshotMembers(ctx, "") }, []string{}},
		} {
			got, err := tc.fn()
			if err != nil {
				return err
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
		}
		for id, want := range map[string]string{"s1": "gs1", "s3": "", "nope": ""} {
			got, err := tx.SnapshotGroup(ctx, id)
			if err != nil {
				return err
			}
			if got != want {
				t.Errorf("SnapshotGroup(%s) = %q, want %q", id, got, want)
			}
		}
		return nil
	})
}

// Group snapshots round-trip, list by project and group, and report
// missing rows with ErrNotFound.
func TestGroupSnapshotRows(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	snaps := []*blockstorage.GroupSnapshot{
		{ID: "gs1", GroupID: "g1", GroupTypeID: "gt", ProjectID: "p1", UserID: "u1", Name: "n", Description: "d", Status: "creating"},
		{ID: "gs2", GroupID: "g2", GroupTypeID: "gt", ProjectID: "p1", Status: "available"},
		{ID: "gs3", GroupID: "g1", GroupTypeID: "gt", ProjectID: "p2", Status: "available"},
	}
	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, s := range snaps {
			if err := tx.CreateGroupSnapshot(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	ignore := cmpopts.IgnoreFields(blockstorage.GroupSnapshot{}, "CreatedAt", "UpdatedAt")
	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error {
		got, err := tx.GetGroupSnapshot(ctx, "gs1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(snaps[0], got, ignore); diff != "" {
			t.Errorf("GetGroupSnapshot (-want +got):\n%s", diff)
		}
		got.Status, got.Name = "available", "renamed"
		if err := tx.UpdateGroupSnapshot(ctx, got); err != nil {
			return err
		}
		again, err := tx.GetGroupSnapshot(ctx, "gs1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(got, again, ignore); diff != "" {
			t.Errorf("after UpdateGroupSnapshot (-want +got):\n%s", diff)
		}
		return nil
	})
	for _, tc := range []struct {
		name string
		f    blockstorage.GroupFilter
		want []string
	}{
		{"own project", blockstorage.GroupFilter{Scope: blockstorage.Scope{ProjectID: "p1"}}, []string{"gs1", "gs2"}},
		{"one group", blockstorage.GroupFilter{Scope: blockstorage.Scope{ProjectID: "p1"}, GroupID: "g1"}, []string{"gs1"}},
		{"admin, every project's of a group", blockstorage.GroupFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, GroupID: "g1"}, []string{"gs1", "gs3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []*blockstorage.GroupSnapshot
			update(t, st, func(ctx context.Context, tx blockstorage.Tx) error {
				var err error
				got, err = tx.ListGroupSnapshots(ctx, tc.f)
				return err
			})
			ids := []string{}
			for _, s := range got {
				ids = append(ids, s.ID)
			}
			if diff := cmp.Diff(tc.want, ids, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
	update(t, st, func(ctx context.Context, tx blockstorage.Tx) error { return tx.DeleteGroupSnapshot(ctx, "gs2") })
	for name, fn := range map[string]func(ctx context.Context, tx blockstorage.Tx) error{
		"Get": func(ctx context.Context, tx blockstorage.Tx) error {
			_, err := tx.GetGroupSnapshot(ctx, "gs2")
			return err
		},
		"Update": func(ctx context.Context, tx blockstorage.Tx) error { return tx.UpdateGroupSnapshot(ctx, snaps[1]) },
		"Delete": func(ctx context.Context, tx blockstorage.Tx) error { return tx.DeleteGroupSnapshot(ctx, "gs2") },
	} {
		if err := st.Update(ctx, fn); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("%s of a deleted group snapshot = %v, want ErrNotFound", name, err)
		}
	}
}
