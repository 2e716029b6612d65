package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/network/store/rows"
	"github.com/gostack/gostack/internal/platform/apierr"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// RBACVisible is SQL the networks' list runs on both engines: the
// networks shared with a project, directly or with "*".
func TestRBACVisible(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	s := New(d)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := db.Now()
	err := s.Update(ctx, func(ctx context.Context, tx network.Tx) error {
		for _, id := range []string{"n-own", "n-bob", "n-all", "n-ext", "n-none"} {
			n := &network.Network{Std: network.Std{ID: id, ProjectID: "p-alice", CreatedAt: now, UpdatedAt: now},
				Status: "ACTIVE", MTU: 1450, NetworkType: "local", AZHints: []string{}}
			if err := tx.InsertNetwork(ctx, n); err != nil {
				return err
			}
		}
		for _, p := range []network.RBACPolicy{
			{ID: "r1", ProjectID: "p-alice", ObjectType: "network", ObjectID: "n-bob", Action: network.AccessShared, Target: "p-bob"},
			{ID: "r2", ProjectID: "p-alice", ObjectType: "network", ObjectID: "n-all", Action: network.AccessShared, Target: "*"},
			{ID: "r3", ProjectID: "p-alice", ObjectType: "network", ObjectID: "n-ext", Action: network.AccessExternal, Target: "p-carol"},
			{ID: "r4", ProjectID: "p-alice", ObjectType: "qos_policy", ObjectID: "n-none", Action: network.AccessShared, Target: "*"},
		} {
			if err := tx.InsertRBAC(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		project string
		want    []string
	}{
		{"p-bob", []string{"n-all", "n-bob"}},
		{"p-carol", []string{"n-all", "n-ext"}},
		{"p-dave", []string{"n-all"}},
	} {
		var got []string
		err := s.View(ctx, func(ctx context.Context, tx network.Tx) error {
			var a db.Args
			var err error
			got, err = db.Strings(ctx, tx.Querier(), `SELECT id FROM networks WHERE `+rows.RBACVisible(&a, "network", tc.project)+` ORDER BY id`, a.Vals...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s sees %v, want %v", tc.project, got, tc.want)
		}
	}
	// A second identical grant is the store's duplicate.
	err = s.Update(ctx, func(ctx context.Context, tx network.Tx) error {
		return tx.InsertRBAC(ctx, &network.RBACPolicy{ID: "r5", ProjectID: "p-alice", ObjectType: "network", ObjectID: "n-bob",
			Action: network.AccessShared, Target: "p-bob"})
	})
	if !errors.Is(err, apierr.ErrDuplicate) {
		t.Fatalf("duplicate policy: %v, want apierr.ErrDuplicate", err)
	}
}
