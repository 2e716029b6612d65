package snapshots_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/storetest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// The snapshot rows round-trip, list by project and volume, and report
// missing and duplicate rows with the store sentinels.
func TestSnapshotRows(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	snaps := []*blockstorage.Snapshot{
		{ID: "s1", VolumeID: "v1", ProjectID: "p1", UserID: "u1", Name: "one", Status: "creating", Progress: "0%", SizeGB: 1,
			Metadata: map[string]string{"k": "v"}},
		{ID: "s2", VolumeID: "v2", ProjectID: "p1", Status: "available", Progress: "100%", SizeGB: 2},
		{ID: "s3", VolumeID: "v1", ProjectID: "p2", Status: "available", Progress: "100%", SizeGB: 1},
	}
	err := st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, s := range snaps {
			if err := tx.CreateSnapshot(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ss []*blockstorage.Snapshot) []string {
		out := []string{}
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    blockstorage.SnapshotFilter
		want []string
	}{
		{"own project", blockstorage.SnapshotFilter{Scope: blockstorage.Scope{ProjectID: "p1"}}, []string{"s1", "s2"}},
		{"one volume", blockstorage.SnapshotFilter{Scope: blockstorage.Scope{ProjectID: "p1"}, VolumeID: "v1"}, []string{"s1"}},
		{"all projects needs admin", blockstorage.SnapshotFilter{Scope: blockstorage.Scope{ProjectID: "p2"}, AllProjects: true}, []string{"s3"}},
		{"admin, all projects", blockstorage.SnapshotFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, VolumeID: "v1"}, []string{"s1", "s3"}},
		{"admin, one project", blockstorage.SnapshotFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, ProjectID: "p2"}, []string{"s3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []*blockstorage.Snapshot
			err := st.View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
				var err error
				got, err = tx.ListSnapshots(ctx, tc.f)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, ids(got), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
	err = st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		s, err := tx.GetSnapshot(ctx, "s1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(snaps[0], s); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		s.Status, s.Metadata = "available", map[string]string{"a": "b"}
		if err := tx.UpdateSnapshot(ctx, s); err != nil {
			return err
		}
		again, err := tx.GetSnapshot(ctx, "s1")
		if err != nil {
			return err
		}
		if again.Status != "available" || !cmp.Equal(again.Metadata, map[string]string{"a": "b"}) {
			t.Errorf("after update: %+v", again)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A failed statement ends a PostgreSQL transaction: the duplicate
	// gets its own.
	err = st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		return tx.CreateSnapshot(ctx, &blockstorage.Snapshot{ID: "s1", VolumeID: "v", ProjectID: "p", Status: "x"})
	})
	if !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("duplicate create: %v", err)
	}
	err = st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		if err := tx.DeleteSnapshot(ctx, "s1"); err != nil {
			return err
		}
		for name, err := range map[string]error{
			"get":    func() error { _, err := tx.GetSnapshot(ctx, "s1"); return err }(),
			"update": tx.UpdateSnapshot(ctx, &blockstorage.Snapshot{ID: "s1"}),
			"delete": tx.DeleteSnapshot(ctx, "s1"),
		} {
			if !errors.Is(err, apierr.ErrNotFound) {
				t.Errorf("%s of a deleted snapshot: %v", name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
