package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/storetest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// TestVolumes runs the volume rows' round trip on the test engine
// (SQLite, or PostgreSQL when GOSTACK_TEST_POSTGRES is set).
func TestVolumes(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	run := func(fn func(ctx context.Context, tx blockstorage.Tx) error) {
		t.Helper()
		if err := st.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	full := &blockstorage.Volume{ID: "v1", ProjectID: "p1", UserID: "u1", Name: "n", Description: "d", SizeGB: 2,
		Status: blockstorage.StatusAvailable, AttachStatus: blockstorage.AttachDetached, MigrationStatus: "success",
		AvailabilityZone: "nova", TypeID: "t1", Bootable: true, Multiattach: true, SnapshotID: "s1", Host: "h@b#p",
		ProviderLocation: "/v1", Metadata: map[string]string{"k": "v"}, AdminMetadata: map[string]string{"readonly": "True"},
		ImageMetadata: map[string]string{"image_id": "i1"}, ConsumesQuota: true, LaunchedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	bare := &blockstorage.Volume{ID: "v2", ProjectID: "p2", SizeGB: 1, Status: blockstorage.StatusCreating,
		AttachStatus: blockstorage.AttachDetached, AvailabilityZone: "nova"}
	run(func(ctx context.Context, tx blockstorage.Tx) error {
		for _, v := range []*blockstorage.Volume{full, bare} {
			if err := tx.CreateVolume(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	// A failed statement ends a PostgreSQL transaction: the duplicate
	// gets one of its own.
	if err := st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		dup := *bare
		return tx.CreateVolume(ctx, &dup)
	}); !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("second create: %v", err)
	}
	// Times come back at the engines' precision.
	opts := cmp.Comparer(func(a, b time.Time) bool { return a.Sub(b).Abs() < time.Millisecond })
	for _, tc := range []struct {
		name string
		want *blockstorage.Volume
	}{{"full", full}, {"bare", bare}} {
		run(func(ctx context.Context, tx blockstorage.Tx) error {
			got, err := tx.GetVolume(ctx, tc.want.ID)
			if err != nil {
				return err
			}
			want := *tc.want
			for _, m := range []*map[string]string{&want.Metadata, &want.AdminMetadata, &want.ImageMetadata} {
				if *m == nil {
					*m = map[string]string{}
				}
			}
			if d := cmp.Diff(&want, got, opts); d != "" {
				t.Errorf("%s: (-want +got)\n%s", tc.name, d)
			}
			return nil
		})
	}
	run(func(ctx context.Context, tx blockstorage.Tx) error {
		v, err := tx.GetVolume(ctx, "v2")
		if err != nil {
			return err
		}
		v.Status, v.Metadata = blockstorage.StatusAvailable, map[string]string{"a": "b"}
		if err := tx.UpdateVolume(ctx, v); err != nil {
			return err
		}
		if err := tx.UpdateVolume(ctx, &blockstorage.Volume{ID: "nope"}); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("update of an unknown volume: %v", err)
		}
		for _, tc := range []struct {
			f    blockstorage.VolumeFilter
			want int
		}{
			{blockstorage.VolumeFilter{Scope: blockstorage.Scope{ProjectID: "p1"}}, 1},
			{blockstorage.VolumeFilter{Scope: blockstorage.Scope{ProjectID: "p1"}, AllProjects: true}, 1},
			{blockstorage.VolumeFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true}, 2},
			{blockstorage.VolumeFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, ProjectID: "p2"}, 1},
		} {
			vs, err := tx.ListVolumes(ctx, tc.f)
			if err != nil {
				return err
			}
			if len(vs) != tc.want {
				t.Errorf("%+v: %d volumes, want %d", tc.f, len(vs), tc.want)
			}
		}
		if err := tx.DeleteVolume(ctx, "v1"); err != nil {
			return err
		}
		if _, err := tx.GetVolume(ctx, "v1"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("deleted volume: %v", err)
		}
		return nil
	})
}
