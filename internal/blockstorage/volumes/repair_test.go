package volumes_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/blockstorage/volumes"
	"github.com/gostack/gostack/internal/platform/apierr"
)

func TestRepair(t *testing.T) {
	svc, be, _ := bstest.Service(t)
	ctx := context.Background()
	want := map[string]string{ // status left -> status after repair ("" is deleted)
		blockstorage.StatusCreating:  blockstorage.StatusError,
		blockstorage.StatusExtending: blockstorage.StatusErrorExtending,
		blockstorage.StatusUploading: blockstorage.StatusAvailable,
		blockstorage.StatusDeleting:  "",
		blockstorage.StatusAvailable: blockstorage.StatusAvailable,
		blockstorage.StatusInUse:     blockstorage.StatusInUse,
		blockstorage.StatusError:     blockstorage.StatusError,
	}
	err := svc.Store().Update(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		for status := range want {
			be.Volumes[status] = 1
			v := &blockstorage.Volume{ID: status, ProjectID: "p", SizeGB: 1, Status: status, Host: bstest.Host,
				AttachStatus: blockstorage.AttachDetached, AvailabilityZone: "nova"}
			if err := tx.CreateVolume(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := volumes.New(svc).Repair(ctx)
	if err != nil || n != 4 {
		t.Fatalf("repair: %d %v, want 4 changed", n, err)
	}
	// Wait for the delete the repair started in the background.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var err error
		_ = svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
			_, err = tx.GetVolume(ctx, blockstorage.StatusDeleting)
			return nil
		})
		if errors.Is(err, apierr.ErrNotFound) {
			break
		}
	}
	err = svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
		for left, after := range want {
			v, err := tx.GetVolume(ctx, left)
			switch {
			case after == "" && err == nil:
				t.Errorf("%s: still there as %s", left, v.Status)
			case after != "" && (err != nil || v.Status != after):
				t.Errorf("%s: %v %v, want %s", left, v, err, after)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := be.Volumes[blockstorage.StatusDeleting]; ok {
		t.Errorf("the deleting volume is still on the backend")
	}
}
