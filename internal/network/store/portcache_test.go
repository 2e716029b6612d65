package store

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"testing"

	"github.com/gostack/gostack/internal/network"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/db/dbtest"
)

// The port cache on both engines: a list hands out copies (a caller's
// change does not reach the next list), a port moved to a new revision
// is read again, a deleted one is gone; UpdatePort refuses to write a
// revision that is not above the stored one (db.ErrRace), so one
// revision has one content.
func TestPortCache(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	s := New(d)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := db.Now()
	all := network.Filter{Scope: network.Scope{Admin: true}}
	port := func(id string) *network.Port {
		return &network.Port{Std: network.Std{ID: id, ProjectID: "p", CreatedAt: now, UpdatedAt: now, Revision: 1},
			NetworkID: "n", MAC: "fa:16:3e:00:00:0" + id[1:], Status: "DOWN", VNICType: "normal", VIFType: "unbound",
			Profile: map[string]any{"k": map[string]any{"x": 1.0}}, SecurityGroups: []string{},
			FixedIPs: []network.FixedIP{{SubnetID: "s", IP: netip.MustParseAddr("10.0.0." + id[1:])}}}
	}
	update := func(fn func(ctx context.Context, tx network.Tx) error) error { return s.Update(ctx, fn) }
	list := func() map[string]*network.Port {
		t.Helper()
		out := map[string]*network.Port{}
		err := s.View(ctx, func(ctx context.Context, tx network.Tx) error {
			ps, err := tx.ListPorts(ctx, all)
			for _, p := range ps {
				out[p.ID] = p
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	err := update(func(ctx context.Context, tx network.Tx) error {
		n := &network.Network{Std: network.Std{ID: "n", ProjectID: "p", CreatedAt: now, UpdatedAt: now},
			Status: "ACTIVE", MTU: 1450, NetworkType: "local", AZHints: []string{}}
		if err := tx.InsertNetwork(ctx, n); err != nil {
			return err
		}
		sn := &network.Subnet{Std: network.Std{ID: "s", ProjectID: "p", CreatedAt: now, UpdatedAt: now}, NetworkID: "n",
			IPVersion: 4, CIDR: netip.MustParsePrefix("10.0.0.0/24"), DNSNameservers: []string{}, HostRoutes: []network.HostRoute{},
			ServiceTypes: []string{}}
		if err := tx.InsertSubnet(ctx, sn); err != nil {
			return err
		}
		// Enough ports that the first list reads them as a plain list,
		// the next ones by id.
		ids := []string{"p1", "p2", "p3"}
		for i := 30; i < 100; i++ {
			ids = append(ids, "p"+strconv.Itoa(i))
		}
		for _, id := range ids {
			if err := tx.InsertPort(ctx, port(id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	first := list() // fills the cache
	if len(first) != 73 {
		t.Fatalf("listed %d ports", len(first))
	}
	// What a reader does to its ports stays its own.
	first["p1"].Name = "changed by a reader"
	first["p1"].FixedIPs[0].SubnetID = "x"
	first["p1"].Profile["k"].(map[string]any)["x"] = 2.0
	second := list()
	if p := second["p1"]; p.Name != "" || p.FixedIPs[0].SubnetID != "s" || p.Profile["k"].(map[string]any)["x"] != 1.0 {
		t.Fatalf("the cache kept a reader's change: %+v", p)
	}

	// A change at the next revision is read again; a write that does not
	// move the revision up is refused.
	p2 := second["p2"]
	p2.Name, p2.Revision = "renamed", 2
	p2.FixedIPs = append(p2.FixedIPs, network.FixedIP{SubnetID: "s", IP: netip.MustParseAddr("10.0.0.20")})
	if err := update(func(ctx context.Context, tx network.Tx) error { return tx.UpdatePort(ctx, p2) }); err != nil {
		t.Fatal(err)
	}
	stale := *second["p3"]
	stale.Name = "same revision"
	err = update(func(ctx context.Context, tx network.Tx) error { return tx.UpdatePort(ctx, &stale) })
	if !errors.Is(err, db.ErrRace) {
		t.Fatalf("update at the stored revision = %v, want db.ErrRace", err)
	}
	if err := update(func(ctx context.Context, tx network.Tx) error { return tx.DeletePort(ctx, "p1") }); err != nil {
		t.Fatal(err)
	}
	third := list()
	if _, ok := third["p1"]; ok || len(third) != 72 {
		t.Fatalf("after the delete: %v", third)
	}
	if p := third["p2"]; p.Name != "renamed" || p.Revision != 2 || len(p.FixedIPs) != 2 {
		t.Fatalf("p2 = %+v", p)
	}
	if p := third["p3"]; p.Name != "" {
		t.Fatalf("p3 = %+v", p)
	}
}
