package voltypes_test

import (
	"context"
	"sync"
	"testing"

	"github.com/gostack/gostack/internal/blockstorage"
	"github.com/gostack/gostack/internal/blockstorage/bstest"
	"github.com/gostack/gostack/internal/blockstorage/voltypes"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// TestEnsureDefaultConcurrent starts the default type from several
// goroutines at once, as several processes would: one type, no error.
func TestEnsureDefaultConcurrent(t *testing.T) {
	svc, _, _ := bstest.Service(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- voltypes.New(svc).EnsureDefault(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	types, err := voltypes.New(svc).List(ctx, blockstorage.Scope{Admin: true}, nil)
	if err != nil || len(types) != 1 || types[0].Name != "__DEFAULT__" {
		t.Fatalf("types = %v %v", types, err)
	}
}

func TestResolveType(t *testing.T) {
	svc, _, _ := bstest.Service(t)
	ctx := context.Background()
	vt := voltypes.New(svc)
	if err := vt.EnsureDefault(ctx); err != nil {
		t.Fatal(err)
	}
	priv, err := vt.Create(ctx, voltypes.CreateRequest{Name: "priv"})
	if err != nil {
		t.Fatal(err)
	}
	if err := vt.AddAccess(ctx, priv.ID, "p1"); err != nil {
		t.Fatal(err)
	}
	pub, err := vt.Create(ctx, voltypes.CreateRequest{Name: "pub", IsPublic: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		sc       blockstorage.Scope
		nameOrID string
		want     string
		wantCode int
	}{
		{"default", blockstorage.Scope{ProjectID: "p2"}, "", "__DEFAULT__", 0},
		{"public by name", blockstorage.Scope{ProjectID: "p2"}, "pub", "pub", 0},
		{"public by id", blockstorage.Scope{ProjectID: "p2"}, pub.ID, "pub", 0},
		{"private with access", blockstorage.Scope{ProjectID: "p1"}, "priv", "priv", 0},
		{"private without access", blockstorage.Scope{ProjectID: "p2"}, priv.ID, "", 404},
		{"private to an admin", blockstorage.Scope{ProjectID: "p9", Admin: true}, "priv", "priv", 0},
		{"unknown", blockstorage.Scope{ProjectID: "p2"}, "nope", "", 404},
	} {
		var got *blockstorage.VolumeType
		err := svc.Store().View(ctx, func(ctx context.Context, tx blockstorage.Tx) error {
			var err error
			got, err = blockstorage.ResolveType(ctx, tx, tc.sc, tc.nameOrID)
			return err
		})
		switch {
		case tc.wantCode != 0:
			if apierr.Status(err) != tc.wantCode {
				t.Errorf("%s: err = %v, want %d", tc.name, err, tc.wantCode)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case got.Name != tc.want:
			t.Errorf("%s: got %s, want %s", tc.name, got.Name, tc.want)
		}
	}
}
