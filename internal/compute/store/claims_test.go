package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gostack/gostack/internal/compute"
)

func TestClaims(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	list := func() map[string]compute.Claim {
		t.Helper()
		claims, err := s.Claims(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]compute.Claim{}
		for _, c := range claims {
			out[c.InstanceID] = c
		}
		return out
	}
	if err := s.Claim(ctx, "a/1", "i1", "i2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Claim(ctx, "b/1", "i2"); err != nil {
		t.Fatal(err)
	}
	got := list()
	if len(got) != 2 || got["i1"].Owner != "a/1" || got["i2"].Owner != "b/1" || got["i1"].At == 0 {
		t.Fatalf("claims %v", got)
	}

	// A take names the claim it saw: a changed claim is not taken.
	old := got["i1"]
	if err := s.Claim(ctx, "a/1", "i1"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.TakeClaim(ctx, old, "c/1"); err != nil || ok {
		t.Fatalf("take of a renewed claim: %v %v", ok, err)
	}
	cur := list()["i1"]
	if ok, err := s.TakeClaim(ctx, cur, "c/1"); err != nil || !ok {
		t.Fatalf("take: %v %v", ok, err)
	}
	if ok, _ := s.TakeClaim(ctx, cur, "d/1"); ok {
		t.Fatal("a claim taken twice")
	}
	if c := list()["i1"]; c.Owner != "c/1" {
		t.Fatalf("after take: %v", c)
	}
	// Owner "": taken only while nobody claims the instance.
	if ok, err := s.TakeClaim(ctx, compute.Claim{InstanceID: "i3"}, "c/1"); err != nil || !ok {
		t.Fatalf("take of an unclaimed instance: %v %v", ok, err)
	}
	if ok, _ := s.TakeClaim(ctx, compute.Claim{InstanceID: "i3"}, "d/1"); ok {
		t.Fatal("an unclaimed instance taken twice")
	}

	// A drop deletes only the claim it names.
	if err := s.DropClaim(ctx, cur); err != nil {
		t.Fatal(err)
	}
	if _, ok := list()["i1"]; !ok {
		t.Fatal("a changed claim dropped")
	}
	if err := s.DropClaim(ctx, list()["i1"]); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 2 || got["i1"].Owner != "" {
		t.Fatalf("after drop: %v", got)
	}
	if err := s.Claim(ctx, "a/1"); err != nil {
		t.Fatalf("no ids: %v", err)
	}
}

// Of many conductors taking the same claim at once, one wins.
func TestTakeClaimRace(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	if err := s.Claim(ctx, "dead/1", "i1"); err != nil {
		t.Fatal(err)
	}
	claims, err := s.Claims(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, seen := range []compute.Claim{claims[0], {InstanceID: "i2"}} {
		var won atomic.Int64
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				ok, err := s.TakeClaim(ctx, seen, "survivor/"+string(rune('a'+i)))
				if err != nil {
					t.Error(err)
				}
				if ok {
					won.Add(1)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Errorf("take of %v: %d winners", seen, won.Load())
		}
	}
}
