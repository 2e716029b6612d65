package backups_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/storetest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// The backup rows round-trip (metadata and the kept volume state
// included), list by project, volume and parent, and count their
// dependents.
func TestBackupRows(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	taken := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	full := &blockstorage.Backup{ID: "b1", VolumeID: "v1", ProjectID: "p1", UserID: "u1", Name: "full", Status: "available",
		Container: "c", Location: "/backups/b1", Zone: "nova", Host: "h@b#p", SizeGB: 2, ObjectCount: 3,
		Metadata: map[string]string{"k": "v"}, DataTimestamp: taken,
		Volume: blockstorage.BackupVolume{Metadata: map[string]string{"vk": "vv"}, Bootable: true}}
	incr := &blockstorage.Backup{ID: "b2", VolumeID: "v1", ProjectID: "p1", Status: "creating", ParentID: "b1", Incremental: true, SizeGB: 2}
	other := &blockstorage.Backup{ID: "b3", VolumeID: "v2", ProjectID: "p2", Status: "error", SizeGB: 1}
	err := st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, b := range []*blockstorage.Backup{full, incr, other} {
			if err := tx.CreateBackup(ctx, b); err != nil {
				return err
			}
		}
		return tx.CreateBackup(ctx, &blockstorage.Backup{ID: "b1", VolumeID: "v", ProjectID: "p", Status: "x"})
	})
	if !errors.Is(err, apierr.ErrDuplicate) {
		t.Fatalf("duplicate create: %v", err)
	}
	// The failed transaction rolled back: write the three again.
	err = st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, b := range []*blockstorage.Backup{full, incr, other} {
			if err := tx.CreateBackup(ctx, b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(bs []*blockstorage.Backup) []string {
		out := []string{}
		for _, b := range bs {
			out = append(out, b.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    blockstorage.BackupFilter
		want []string
	}{
		{"own project", blockstorage.BackupFilter{Scope: blockstorage.Scope{ProjectID: "p1"}}, []string{"b1", "b2"}},
		{"admin, all projects", blockstorage.BackupFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true}, []string{"b1", "b2", "b3"}},
		{"one volume", blockstorage.BackupFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, VolumeID: "v2"}, []string{"b3"}},
		{"children", blockstorage.BackupFilter{Scope: blockstorage.Scope{ProjectID: "p1"}, ParentID: "b1"}, []string{"b2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []*blockstorage.Backup
			err := st.View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
				var err error
				got, err = tx.ListBackups(ctx, tc.f)
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
		got, err := tx.GetBackup(ctx, "b1")
		if err != nil {
			return err
		}
		want := *full
		want.HasDependents = true
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		if err := tx.DeleteBackup(ctx, "b2"); err != nil {
			return err
		}
		got, err = tx.GetBackup(ctx, "b1")
		if err != nil {
			return err
		}
		if got.HasDependents {
			t.Error("b1 still has dependents after b2 went")
		}
		got.Status, got.FailReason = "error", "disk full"
		if err := tx.UpdateBackup(ctx, got); err != nil {
			return err
		}
		if again, err := tx.GetBackup(ctx, "b1"); err != nil || again.Status != "error" || again.FailReason != "disk full" {
			t.Errorf("after update: %+v %v", again, err)
		}
		if _, err := tx.GetBackup(ctx, "b2"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("get deleted: %v", err)
		}
		if err := tx.UpdateBackup(ctx, &blockstorage.Backup{ID: "b2"}); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("update deleted: %v", err)
		}
		if err := tx.DeleteBackup(ctx, "b2"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("delete deleted: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
