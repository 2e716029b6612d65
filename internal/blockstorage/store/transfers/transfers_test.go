package transfers_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/store/storetest"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// Transfer rows round-trip, list by project, allow one transfer per
// volume, and report missing rows with the store sentinel.
func TestTransferRows(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	t1 := &blockstorage.Transfer{ID: "t1", VolumeID: "v1", ProjectID: "p1", Name: "n", Salt: "s", CryptHash: "h", NoSnapshots: true}
	t2 := &blockstorage.Transfer{ID: "t2", VolumeID: "v2", ProjectID: "p2", Salt: "s", CryptHash: "h"}
	err := st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		for _, tr := range []*blockstorage.Transfer{t1, t2} {
			if err := tx.CreateTransfer(ctx, tr); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    blockstorage.TransferFilter
		want int
	}{
		{"own project", blockstorage.TransferFilter{Scope: blockstorage.Scope{ProjectID: "p1"}}, 1},
		{"all projects needs admin", blockstorage.TransferFilter{Scope: blockstorage.Scope{ProjectID: "p1"}, AllProjects: true}, 1},
		{"admin, all projects", blockstorage.TransferFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true}, 2},
		{"admin, one volume", blockstorage.TransferFilter{Scope: blockstorage.Scope{Admin: true}, AllProjects: true, VolumeID: "v2"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := st.View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
				got, err := tx.ListTransfers(ctx, tc.f)
				if len(got) != tc.want {
					t.Errorf("got %d transfers, want %d", len(got), tc.want)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	err = st.Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		got, err := tx.GetTransfer(ctx, "t1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(t1, got); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		if err := tx.DeleteTransfer(ctx, "t1"); err != nil {
			return err
		}
		if _, err := tx.GetTransfer(ctx, "t1"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("get deleted: %v", err)
		}
		if err := tx.DeleteTransfer(ctx, "t1"); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("delete deleted: %v", err)
		}
		return tx.CreateTransfer(ctx, &blockstorage.Transfer{ID: "t3", VolumeID: "v2", ProjectID: "p2", Salt: "s", CryptHash: "h"})
	})
	if !errors.Is(err, apierr.ErrDuplicate) {
		t.Errorf("second transfer of a volume: %v", err)
	}
}
